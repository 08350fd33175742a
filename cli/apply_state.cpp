#include "cli/apply_state.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fwc::cli::state {

namespace nl = nft::netlink;

Paths paths(const std::string& option) {
  std::string dir = option;
  if (dir.empty())
    if (const char* env = std::getenv("FWC_STATE_DIR"); env && *env) dir = env;
  if (dir.empty()) return {"/var/lib/fwc", "/run/fwc.lock"};
  return {dir, dir + "/fwc.lock"};
}

Lock::~Lock() {
  if (fd_ >= 0) close(fd_);
}

bool ensure_dir(const std::string& dir, std::string& err) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    err = "cannot create " + dir + ": " + ec.message();
    return false;
  }
  return true;
}

bool Lock::acquire(const Paths& p, std::string& err) {
  std::string dir = p.lock.substr(0, p.lock.rfind('/'));
  if (!dir.empty() && !ensure_dir(dir, err)) return false;
  fd_ = open(p.lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    err = "cannot open the lock file " + p.lock + ": " + std::strerror(errno);
    return false;
  }
  if (flock(fd_, LOCK_EX | LOCK_NB) == 0) return true;
  std::fprintf(stderr, "fwc: waiting for another fwc holding %s\n", p.lock.c_str());
  while (flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    err = "cannot lock " + p.lock + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool write_file(const std::string& path, const std::string& text, std::string& err) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f.flush()) {
      err = "cannot write " + tmp + ": " + std::strerror(errno);
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    err = "cannot rename " + tmp + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

bool record_apply(const Paths& p, const std::string& policy_file, const std::string& compiled,
                  const nl::Snapshot& previous, std::string& err) {
  if (!ensure_dir(p.dir, err)) return false;
  std::string text;
  if (!read_file(policy_file, text)) {
    err = "cannot read " + policy_file;
    return false;
  }
  for (const char* kind : {"yaml", "nft"}) {
    std::string from = p.file("applied.") + kind, to = p.file("previous.") + kind;
    if (std::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
      err = "cannot rename " + from + ": " + std::strerror(errno);
      return false;
    }
  }
  // The exact previous table when it was read in full (--confirm), else
  // only its policy and compiled script above.
  std::string tmp = p.file("previous.snapshot.tmp");
  if (!previous.complete) std::remove(p.file("previous.snapshot").c_str());
  else if (!nl::save_snapshot(previous, tmp, err)) return false;
  else std::rename(tmp.c_str(), p.file("previous.snapshot").c_str());
  return write_file(p.file("applied.yaml"), text, err) && write_file(p.file("applied.nft"), compiled, err);
}

bool save_batch(const Paths& p, const nl::Batch& b, std::string& err) {
  std::string tmp = p.file("applied.batch.tmp");
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(b.data(), static_cast<std::streamsize>(b.size()));
    if (!f.flush()) {
      err = "cannot write " + tmp + ": " + std::strerror(errno);
      return false;
    }
  }
  return std::rename(tmp.c_str(), p.file("applied.batch").c_str()) == 0;
}

void record_rollback(const Paths& p, const nl::Batch& restore) {
  std::string err;
  for (const char* kind : {"yaml", "nft"})
    std::rename((p.file("previous.") + kind).c_str(), (p.file("applied.") + kind).c_str());
  save_batch(p, restore, err);
}

bool cancel_pending(const Paths& p, bool& had_one) {
  std::string text;
  had_one = read_file(p.file("pending"), text);
  if (!had_one) return true;
  std::remove(p.file("pending").c_str());
  long pid = std::strtol(text.c_str(), nullptr, 10);
  if (pid > 1) kill(static_cast<pid_t>(pid), SIGTERM);
  return true;
}

}  // namespace fwc::cli::state
