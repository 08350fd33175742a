#include "cli/process_identity.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace fwc::cli {

namespace {

std::string boot_id() {
  std::ifstream f("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(f, id);
  return id;
}

// Field 22 of /proc/PID/stat; the fields after the command name, which may
// itself hold spaces and parentheses, start after its last ')'. A zombie
// (state Z or X: exited, not yet reaped) is not running.
std::optional<unsigned long long> start_time(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return std::nullopt;
  size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  std::string field;
  for (int n = 3; n <= 22; ++n) {
    if (!(rest >> field)) return std::nullopt;
    if (n == 3 && (field == "Z" || field == "X")) return std::nullopt;
  }
  try {
    return std::stoull(field);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::optional<ProcessIdentity> identity_of(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  auto start = start_time(pid);
  if (!start) return std::nullopt;
  return ProcessIdentity{pid, *start, boot_id()};
}

std::string format_identity(const ProcessIdentity& id) {
  return std::to_string(id.pid) + " " + std::to_string(id.start) + " " + id.boot;
}

std::optional<ProcessIdentity> parse_identity(const std::string& text) {
  std::istringstream in(text);
  long long pid = 0;
  ProcessIdentity id;
  if (!(in >> pid >> id.start >> id.boot) || pid <= 1 || pid > 0x3fffffff || id.boot.empty())
    return std::nullopt;
  id.pid = static_cast<pid_t>(pid);
  return id;
}

bool is_alive(const ProcessIdentity& id) {
  auto now = identity_of(id.pid);
  return now && *now == id;
}

bool signal_process(const ProcessIdentity& id, int sig) {
  int fd = static_cast<int>(syscall(SYS_pidfd_open, id.pid, 0));
  if (fd < 0) return false;
  // The pidfd holds on to whatever process has the PID now; checked after
  // it is open, the identity is that of the process the pidfd names.
  bool sent = is_alive(id) && syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0) == 0;
  close(fd);
  return sent;
}

}  // namespace fwc::cli
