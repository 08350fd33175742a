// The atomic file writer behind the state directory and `compile -o`, and
// the process identity that keeps fwc from signalling a reused PID.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/atomic_file.h"
#include "cli/process_identity.h"

namespace fs = std::filesystem;
using fwc::cli::write_file_atomically;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/fwc-unit-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

mode_t mode_of(const fs::path& p) {
  struct stat st;
  REQUIRE(lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("atomic writes have the asked mode whatever the umask", "[state]") {
  TempDir d;
  for (mode_t mask : {mode_t(0), mode_t(077), mode_t(022)}) {
    mode_t old = umask(mask);
    std::string err;
    bool ok = write_file_atomically((d.path / "state").string(), "one\n", 0600, err);
    bool ok2 = write_file_atomically((d.path / "artefact").string(), "two\n", 0644, err);
    umask(old);
    REQUIRE(ok);
    REQUIRE(ok2);
    CHECK(mode_of(d.path / "state") == 0600);
    CHECK(mode_of(d.path / "artefact") == 0644);
  }
  CHECK(d.names() == std::vector<std::string>{"artefact", "state"});
  CHECK(slurp(d.path / "state") == "one\n");
}

TEST_CASE("atomic writes replace a planted symlink instead of following it", "[state]") {
  TempDir d;
  std::ofstream(d.path / "victim") << "precious\n";
  fs::create_symlink(d.path / "victim", d.path / "out");
  // A predictable temporary name planted as a symlink is not used either.
  fs::create_symlink(d.path / "victim", d.path / "out.tmp");
  std::string err;
  REQUIRE(write_file_atomically((d.path / "out").string(), "new\n", 0600, err));
  CHECK(slurp(d.path / "victim") == "precious\n");
  CHECK(!fs::is_symlink(d.path / "out"));
  CHECK(slurp(d.path / "out") == "new\n");
  CHECK(d.names() == std::vector<std::string>{"out", "out.tmp", "victim"});
}

TEST_CASE("a failed atomic write leaves the old file and no temporary file", "[state]") {
  TempDir d;
  std::ofstream(d.path / "out") << "old\n";
  fs::create_directory(d.path / "dir");
  std::string err;
  // Renaming over a directory fails after the data was written.
  CHECK(!write_file_atomically((d.path / "dir").string(), "new\n", 0600, err));
  CHECK(err.find(d.path / "dir") != std::string::npos);
  CHECK(!write_file_atomically((d.path / "missing" / "out").string(), "new\n", 0600, err));
  CHECK(slurp(d.path / "out") == "old\n");
  CHECK(d.names() == std::vector<std::string>{"dir", "out"});
}

TEST_CASE("a process identity names one process, not its PID", "[state]") {
  using namespace fwc::cli;
  auto me = identity_of(getpid());
  REQUIRE(me);
  CHECK(parse_identity(format_identity(*me)) == me);
  CHECK(!parse_identity("1234"));
  CHECK(!parse_identity("1 5 boot"));  // never PID 1
  CHECK(is_alive(*me));
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  REQUIRE(child > 0);
  auto real = identity_of(child);
  REQUIRE(real);
  ProcessIdentity reused = *real;  // the same PID, another start time: a recycled PID
  reused.start += 1;
  CHECK(!is_alive(reused));
  CHECK(!signal_process(reused, SIGKILL));
  CHECK(kill(child, 0) == 0);  // still running
  CHECK(signal_process(*real, SIGKILL));
  // Exited but not yet reaped: no longer running.
  for (int i = 0; i < 200 && is_alive(*real); ++i) usleep(10000);
  CHECK(!is_alive(*real));
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(!signal_process(*real, SIGKILL));  // gone
}
