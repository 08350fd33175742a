#pragma once
#include <sys/types.h>

#include <optional>
#include <string>

// A process named by more than its PID: PIDs are reused, so a PID written
// to a file long ago may by now belong to any process. The start time
// (clock ticks since boot) and the boot id pin down the one process.
namespace fwc::cli {

struct ProcessIdentity {
  pid_t pid = 0;
  unsigned long long start = 0;  // /proc/PID/stat field 22
  std::string boot;              // /proc/sys/kernel/random/boot_id
  bool operator==(const ProcessIdentity&) const = default;
};

// The identity of the live process `pid`, if there is one.
std::optional<ProcessIdentity> identity_of(pid_t pid);

// "PID START BOOT" and back (nullopt when malformed).
std::string format_identity(const ProcessIdentity& id);
std::optional<ProcessIdentity> parse_identity(const std::string& text);

// Whether the process `id` names is still running.
bool is_alive(const ProcessIdentity& id);

// Sends `sig` to the process `id` names, and only to it: the process is
// pinned by a pidfd, then its identity checked, so a reused PID is never
// signalled. False when it is gone (or is another process now).
bool signal_process(const ProcessIdentity& id, int sig);

}  // namespace fwc::cli
