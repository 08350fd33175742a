#include "cli/apply_state.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/atomic_file.h"

namespace fwc::cli::state {

namespace nl = nft::netlink;

namespace {

// Every file fwc keeps in the state directory.
const char* const kStateFiles[] = {"applied.yaml", "applied.nft",       "previous.yaml",
                                   "previous.nft", "previous.snapshot", "applied.batch",
                                   "pending",      "rollback.log",      "fwc.lock",
                                   "applied.path", "names.cache"};

// Owned by the running user, of the expected kind, not a symlink.
bool trusted(const std::string& path, const struct stat& st, bool dir, std::string& err) {
  const char* kind = dir ? "state directory" : "state file";
  if (S_ISLNK(st.st_mode))
    err = std::string("refusing the ") + kind + " " + path + ": it is a symlink";
  else if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
    err =
        std::string("refusing the ") + kind + " " + path + ": not a " + (dir ? "directory" : "regular file");
  else if (st.st_uid != geteuid())
    err = std::string("refusing the ") + kind + " " + path + ": owned by uid " + std::to_string(st.st_uid) +
          ", not by uid " + std::to_string(geteuid());
  else
    return true;
  return false;
}

bool check_path(const std::string& path, bool dir, std::string& err) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return true;
    err = "cannot inspect " + path + ": " + std::strerror(errno);
    return false;
  }
  return trusted(path, st, dir, err);
}

}  // namespace

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
  std::filesystem::path parent = std::filesystem::path(dir).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) {
    err = "cannot create " + parent.string() + ": " + ec.message();
    return false;
  }
  if (mkdir(dir.c_str(), 0700) == 0) {
    if (chmod(dir.c_str(), 0700) == 0) return true;  // the umask may have narrowed, never widened, it
  } else if (errno == EEXIST) {
    return check_path(dir, true, err);
  }
  err = "cannot create " + dir + ": " + std::strerror(errno);
  return false;
}

bool check_state(const Paths& p, std::string& err) {
  if (!check_path(p.dir, true, err)) return false;
  for (const char* name : kStateFiles)
    if (!check_path(p.file(name), false, err)) return false;
  return true;
}

bool Lock::acquire(const Paths& p, std::string& err) {
  std::string dir = p.lock.substr(0, p.lock.rfind('/'));
  if (!ensure_dir(p.dir, err) || !check_state(p, err)) return false;
  if (dir != p.dir && !dir.empty() && !std::filesystem::is_directory(dir) && !ensure_dir(dir, err))
    return false;
  fd_ = open(p.lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  struct stat st;
  if (fd_ < 0 || fstat(fd_, &st) != 0) {
    err = "cannot open the lock file " + p.lock + ": " + std::strerror(errno);
    return false;
  }
  if (!trusted(p.lock, st, false, err)) return false;
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
  return write_file_atomically(path, text, 0600, err);
}

bool read_file(const std::string& path, std::string& out) {
  std::string why;
  if (!check_path(path, false, why)) return false;
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

bool record_apply(const Paths& p, const std::string& policy_file, const std::string& compiled,
                  const nl::Snapshot& previous, bool chained, std::string& err) {
  if (!ensure_dir(p.dir, err)) return false;
  std::ifstream policy(policy_file, std::ios::binary);
  std::stringstream text;
  if (!policy || !(text << policy.rdbuf())) {
    err = "cannot read " + policy_file;
    return false;
  }
  if (!chained) {
    for (const char* kind : {"yaml", "nft"}) {
      std::string from = p.file("applied.") + kind, to = p.file("previous.") + kind;
      if (std::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
        err = "cannot rename " + from + ": " + std::strerror(errno);
        return false;
      }
    }
    // The exact previous table when it was read in full (--confirm), else
    // only its policy and compiled script above.
    if (!previous.complete)
      std::remove(p.file("previous.snapshot").c_str());
    else if (!write_file(p.file("previous.snapshot"), nl::serialize_snapshot(previous), err))
      return false;
  }
  // Where the policy was, for `fwc refresh` without -p: its `file:` lists
  // and fragments are relative to it.
  std::error_code ec;
  std::string where = std::filesystem::absolute(policy_file, ec).string();
  return write_file(p.file("applied.yaml"), text.str(), err) &&
         write_file(p.file("applied.nft"), compiled, err) && write_file(p.file("applied.path"), where + "\n", err);
}

uint32_t next_genid(uint32_t genid) {
  return genid + 1 == 0 ? 1 : genid + 1;  // the kernel skips 0
}

bool save_batch(const Paths& p, const nl::Batch& b, uint32_t genid, std::string& err) {
  std::remove(p.file("applied.genid").c_str());
  return ensure_dir(p.dir, err) &&
         write_file(p.file("applied.batch"), std::string(b.data(), b.size()), err) &&
         write_file(p.file("applied.genid"), std::to_string(genid) + "\n", err);
}

bool current_batch(const Paths& p, uint32_t genid, std::string& batch) {
  std::string recorded;
  return read_file(p.file("applied.genid"), recorded) && recorded == std::to_string(genid) + "\n" &&
         read_file(p.file("applied.batch"), batch);
}

void record_rollback(const Paths& p, const nl::Batch& restore, uint32_t genid) {
  std::string err;
  for (const char* kind : {"yaml", "nft"})
    std::rename((p.file("previous.") + kind).c_str(), (p.file("applied.") + kind).c_str());
  save_batch(p, restore, genid, err);
}

std::string format_pending(const ProcessIdentity& watcher, long long deadline) {
  return std::to_string(watcher.pid) + " " + std::to_string(deadline) + " " + std::to_string(watcher.start) +
         " " + watcher.boot + "\n";
}

std::optional<Pending> read_pending(const Paths& p) {
  std::string text;
  if (!read_file(p.file("pending"), text)) return std::nullopt;
  Pending out;
  std::istringstream in(text);
  std::string pid, rest;
  in >> pid >> out.deadline;
  std::getline(in, rest);
  if (auto id = parse_identity(pid + rest)) {
    out.watcher = *id;
    out.armed = is_alive(*id);
  }
  return out;
}

std::optional<Pending> cancel_pending(const Paths& p) {
  auto pending = read_pending(p);
  if (!pending) return std::nullopt;
  std::remove(p.file("pending").c_str());
  if (pending->armed) pending->armed = signal_process(pending->watcher, SIGTERM);
  return pending;
}

}  // namespace fwc::cli::state
