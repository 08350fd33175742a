// `fwc confirm`, and the watcher behind `apply --confirm`: a detached
// process that restores the previous table unless the change is confirmed.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>

#include "cli/apply_common.h"
#include "cli/apply_state.h"
#include "cli/block_carry.h"

namespace fwc::cli {

namespace nl = nft::netlink;

namespace {

void log_line(const char* what) {
  std::time_t now = std::time(nullptr);
  char when[64];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S%z", std::localtime(&now));
  std::fprintf(stderr, "%s fwc[%d]: %s\n", when, static_cast<int>(getpid()), what);
}

bool still_pending(const state::Paths& p) {
  std::string text;
  return state::read_file(p.file("pending"), text) && std::strtol(text.c_str(), nullptr, 10) == getpid();
}

// The previous table, with the dynamic set elements live now (blocks added
// while the change waited for confirmation included) instead of the copies
// saved when it was applied (those for sets the live table lacks).
bool restore_batch(nl::Session& s, const nl::Snapshot& previous, uint32_t gen, nl::Batch& out, nl::Outcome& o) {
  std::vector<block_carry::LiveSet> dynamic;
  if (!block_carry::read_live(s, dynamic, o)) return false;
  // Sets the live table lacks come back with the elements saved with them.
  for (auto& kept : block_carry::saved(previous)) {
    bool live = false;
    for (const auto& d : dynamic) live = live || d.set == kept.set;
    if (!live) dynamic.push_back(std::move(kept));
  }
  nl::BuildOptions bo;
  bo.genid = gen;
  bo.commit = false;
  try {
    out = nl::build_restore(block_carry::without_dynamic_elements(previous), bo, s.next_seq());
  } catch (const std::exception& e) {
    o = {false, 0, e.what()};
    return false;
  }
  block_carry::carry(out, dynamic, block_carry::created_sets(previous), stderr);
  nl::append_batch_end(out);
  return true;
}

// Restores `previous` into the kernel; `why` says why not.
bool restore_table(const state::Paths& p, const nl::Snapshot& previous, std::string& why) {
  nl::Outcome o;
  for (int attempt = 0; attempt < 5; ++attempt) {
    nl::Session s;
    if (!s.ok()) {
      o = s.error();
      break;
    }
    uint32_t gen = 0;
    if (!s.genid(gen, o)) break;
    nl::Batch restore(0);
    if (!restore_batch(s, previous, gen, restore, o)) break;
    o = s.send(restore);
    if (o.ok) state::record_rollback(p, restore, state::next_genid(gen));
    if (o.ok || o.error != 85 /* ERESTART */) break;
  }
  why = o.message;
  return o.ok;
}

[[noreturn]] void watch(const state::Paths& p, std::time_t deadline, const state::Restore& restore) {
  while (std::time(nullptr) < deadline) {
    if (!still_pending(p)) _exit(0);
    usleep(100 * 1000);
  }
  state::Lock lock;
  std::string err;
  if (!lock.acquire(p, err)) {
    log_line(err.c_str());
    _exit(3);
  }
  if (!still_pending(p)) _exit(0);
  const bool ok = restore(err);
  std::remove(p.file("pending").c_str());
  log_line(ok ? "not confirmed in time: the previous ruleset is restored"
              : ("not confirmed in time, and restoring the previous ruleset failed: " + err).c_str());
  _exit(ok ? 0 : 3);
}

}  // namespace

namespace state {

bool start_rollback_watcher(const Paths& p, const nl::Snapshot& previous, unsigned seconds, std::string& err) {
  return start_watcher(
      p, seconds, [&p, &previous](std::string& why) { return restore_table(p, previous, why); }, err);
}

bool start_watcher(const Paths& p, unsigned seconds, const Restore& restore, std::string& err) {
  std::time_t deadline = std::time(nullptr) + seconds;
  int pid_pipe[2], go_pipe[2];
  if (pipe2(pid_pipe, O_CLOEXEC) != 0 || pipe2(go_pipe, O_CLOEXEC) != 0) {
    err = std::string("cannot start the rollback watcher: ") + std::strerror(errno);
    return false;
  }
  std::fflush(nullptr);
  pid_t child = fork();
  if (child < 0) {
    err = std::string("cannot start the rollback watcher: ") + std::strerror(errno);
    return false;
  }
  if (child == 0) {
    setsid();
    pid_t grandchild = fork();
    if (grandchild != 0) {
      (void)!write(pid_pipe[1], &grandchild, sizeof grandchild);
      _exit(0);
    }
    // The watcher: its own session, no terminal, nothing of the caller's open.
    signal(SIGHUP, SIG_IGN);
    int null = open("/dev/null", O_RDWR);
    int log =
        open(p.file("rollback.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    dup2(null, 0);
    dup2(null, 1);
    dup2(log >= 0 ? log : null, 2);
    close(pid_pipe[0]);
    close(pid_pipe[1]);
    close(go_pipe[1]);
    char c;
    while (read(go_pipe[0], &c, 1) != 0 && errno == EINTR) {
    }
    close_range(3, ~0U, 0);
    if (chdir("/") != 0) _exit(3);
    watch(p, deadline, restore);
  }
  close(pid_pipe[1]);
  close(go_pipe[0]);
  pid_t watcher = -1;
  ssize_t n = read(pid_pipe[0], &watcher, sizeof watcher);
  close(pid_pipe[0]);
  waitpid(child, nullptr, 0);
  // The watcher waits on go_pipe: it is alive, and its identity is known.
  auto identity = n == sizeof watcher ? identity_of(watcher) : std::nullopt;
  bool ok = identity && write_file(p.file("pending"), format_pending(*identity, deadline), err);
  close(go_pipe[1]);  // the watcher starts watching
  if (!ok && err.empty()) err = "cannot start the rollback watcher";
  return ok;
}

}  // namespace state

Run setup_confirm(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  app.add_option("--state-dir", *dir, "Where fwc keeps its state (default /var/lib/fwc)");
  return [dir] {
    state::Paths p = state::paths(*dir);
    state::Lock lock;
    std::string err;
    if (!lock.acquire(p, err)) {
      std::fprintf(stderr, "fwc: %s\n", err.c_str());
      return int(Exit::runtime_failure);
    }
    auto pending = state::cancel_pending(p);
    if (!pending) {
      std::fprintf(stderr, "fwc: no rollback is pending (see %s)\n", p.file("rollback.log").c_str());
      return int(Exit::findings);
    }
    if (!pending->armed) {
      std::fprintf(
          stderr,
          "fwc: error: the rollback was no longer armed: its watcher (PID %d) is gone, so nothing would "
          "have rolled back; the applied ruleset stays (see %s)\n",
          static_cast<int>(pending->watcher.pid), p.file("rollback.log").c_str());
      return int(Exit::runtime_failure);
    }
    std::printf("fwc: confirmed: the applied ruleset stays\n");
    return int(Exit::ok);
  };
}

}  // namespace fwc::cli
