#pragma once
#include <functional>
#include <optional>
#include <string>

#include "backends/nftables/netlink/nl_snapshot.h"
#include "cli/process_identity.h"

// fwc's state on a node: the lock serialising apply, remove and confirm;
// the applied policy and the previous ruleset; a pending --confirm rollback.
namespace fwc::cli::state {

struct Paths {
  std::string dir;   // /var/lib/fwc, or --state-dir, or $FWC_STATE_DIR
  std::string lock;  // /run/fwc.lock (default dir), else DIR/fwc.lock
  std::string file(const char* name) const { return dir + "/" + name; }
};
// `option` wins over $FWC_STATE_DIR, which wins over the defaults.
Paths paths(const std::string& option);

// An exclusive flock, held until destruction (waits for another holder).
class Lock {
 public:
  Lock() = default;
  ~Lock();
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;
  bool acquire(const Paths& p, std::string& err);
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// The state directory, created 0700 (whatever the umask) when missing.
// Refused (false, `err` says why) when it or a state file in it is a
// symlink, not a directory / regular file, or not owned by the running
// user (root on a node): another user could otherwise plant the ruleset
// a rollback restores.
bool ensure_dir(const std::string& dir, std::string& err);
bool check_state(const Paths& p, std::string& err);
// State files: written whole or not at all (cli/atomic_file.h), mode 0600.
bool write_file(const std::string& path, const std::string& text, std::string& err);
bool read_file(const std::string& path, std::string& out);

// After a successful apply: the policy text and the compiled script
// (applied.yaml, applied.nft; the ones before become previous.*), and the
// previous table (exact snapshot) when it was read in full.
// `chained`: this apply replaces an unconfirmed one, whose rollback target
// (previous.*) stays the last confirmed state.
bool record_apply(const Paths& p, const std::string& policy_file, const std::string& compiled,
                  const nft::netlink::Snapshot& previous, bool chained, std::string& err);

// The batch an apply (or a rollback) sent, `applied.batch`, and the
// ruleset generation its commit made, `applied.genid`. While the kernel's
// generation is still that one, no table has changed since (not even by
// `nft add element`): the batch holds the table's set elements exactly.
bool save_batch(const Paths& p, const nft::netlink::Batch& b, uint32_t genid, std::string& err);
// The recorded batch, when the ruleset generation is still `genid`.
bool current_batch(const Paths& p, uint32_t genid, std::string& batch);
// The generation a commit checked against `genid` makes.
uint32_t next_genid(uint32_t genid);

// After a rollback: the previous policy and script are the applied ones
// again, and `restore` is the batch that installed the table.
void record_rollback(const Paths& p, const nft::netlink::Batch& restore, uint32_t genid);

// A pending rollback: the file `pending` holds "PID DEADLINE START BOOT",
// the watcher's PID, the rollback time and the watcher's identity (see
// process_identity.h); removing it (fwc confirm) cancels the rollback.
struct Pending {
  ProcessIdentity watcher;
  long long deadline = 0;  // Unix time of the rollback
  bool armed = false;      // the watcher is still running
};
std::string format_pending(const ProcessIdentity& watcher, long long deadline);
// The pending rollback; a file fwc cannot read as one counts as pending
// but not armed.
std::optional<Pending> read_pending(const Paths& p);
// Removes the pending file and stops its watcher (only that process: a
// reused PID is never signalled). Returns what was pending.
std::optional<Pending> cancel_pending(const Paths& p);
// Forks a detached watcher (own session, survives the caller) that restores
// `previous` after `seconds` unless the pending file is removed first.
bool start_rollback_watcher(const Paths& p, const nft::netlink::Snapshot& previous, unsigned seconds,
                            std::string& err);
// The same watcher for any restore: `restore` runs (under the lock) when
// the deadline passes unconfirmed, and says why it failed in its argument.
using Restore = std::function<bool(std::string& why)>;
bool start_watcher(const Paths& p, unsigned seconds, const Restore& restore, std::string& err);

}  // namespace fwc::cli::state
