#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <thread>

#include "backends/nftables/netlink/nl_batch.h"
#include "backends/nftables/netlink/nl_session.h"
#include "backends/nftables/netlink/nl_snapshot.h"
#include "backends/nftables/nft_backend.h"
#include "cli/apply_common.h"
#include "cli/apply_state.h"
#include "cli/commands.h"

namespace fwc::cli {

namespace {

namespace nl = nft::netlink;
using applying::fail;

#ifndef ERESTART
constexpr int ERESTART = 85;
#endif
// Applies retried after a concurrent change elsewhere in the ruleset.
constexpr int kAttempts = 3;

struct ApplyOptions {
  std::string policy;
  bool dry_run = false;
  bool force = false;
  bool always = false;
  unsigned confirm = 0;
  std::string state_dir;
  SelectionOptions selection;
};

// FWC_TIMING=1: the time of each phase on stderr (for the benchmarks).
void phase(const char* what) {
  static const bool on = [] {
    const char* v = std::getenv("FWC_TIMING");
    return v && *v == '1';
  }();
  static auto last = std::chrono::steady_clock::now();
  if (!on) return;
  auto now = std::chrono::steady_clock::now();
  std::fprintf(stderr, "fwc: timing: %-18s %7.1f ms\n", what,
               std::chrono::duration<double, std::milli>(now - last).count());
  last = now;
}

#ifdef FWC_TEST_HOOKS
// Test hooks, compiled only into fwc-testhooks (never installed): the
// shipped fwc reads no such variables.
bool test_flag(const char* name) {
  const char* v = std::getenv(name);
  return v && *v == '1';
}

// Hold the batch until a file exists (a concurrent change goes in between).
void pause_before_commit() {
  const char* path = std::getenv("FWC_TEST_PAUSE_BEFORE_COMMIT");
  if (!path || !*path) return;
  std::fprintf(stderr, "fwc: waiting for %s before committing\n", path);
  std::fclose(std::fopen((std::string(path) + ".waiting").c_str(), "w"));
  for (int i = 0; i < 1200 && access(path, F_OK) != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}
bool inject_bad_element() {
  return test_flag("FWC_TEST_INJECT_BAD_ELEMENT");
}
#else
void pause_before_commit() {}
bool inject_bad_element() {
  return false;
}
#endif

// Sends a batch built against the current ruleset generation.
template <typename Build>
int submit(bool commit, Build build) {
  nl::Session s;
  if (!s.ok()) return fail(s.error());
  nl::BuildOptions bo;
  bo.commit = commit;
  bo.inject_bad_element = inject_bad_element();
  uint32_t gen = 0;
  nl::Outcome err;
  if (!s.genid(gen, err)) return fail(err);
  bo.genid = gen;
  nl::Batch b = build(bo, s.next_seq());
  nl::Outcome o = s.send(b);
  if (!o.ok) return fail(o);
  return Exit::ok;
}

// The state after a successful apply, and the --confirm watcher. An apply
// replacing an unconfirmed one keeps that one's rollback target: the last
// confirmed table, not the unconfirmed one in between.
int after_apply(const ApplyOptions& o, const nft::Table& t, const nl::Batch& sent, uint32_t genid,
                const nl::Snapshot& before) {
  state::Paths p = state::paths(o.state_dir);
  std::string err;
  auto superseded = state::cancel_pending(p);
  if (superseded) std::fprintf(stderr, "fwc: note: this apply replaces an unconfirmed one (its rollback is cancelled)\n");
  nl::Snapshot confirmed;
  bool chained = superseded && superseded->armed && o.confirm > 0 &&
                 nl::load_snapshot(confirmed, p.file("previous.snapshot"), err);
  err.clear();  // no saved target: this apply's previous table is the target
  if (!state::save_batch(p, sent, genid, err) ||
      !state::record_apply(p, o.policy, nft::emit(t), before, chained, err)) {
    std::fprintf(stderr, "fwc: error: applied, but the state was not recorded: %s\n", err.c_str());
    return Exit::runtime_failure;
  }
  if (o.confirm == 0) return Exit::ok;
  if (!state::start_rollback_watcher(p, chained ? confirmed : before, o.confirm, err)) {
    std::fprintf(stderr, "fwc: error: applied, but the rollback is not armed: %s\n", err.c_str());
    return Exit::runtime_failure;
  }
  if (chained) std::printf("fwc: a rollback restores the table as it was before the unconfirmed apply\n");
  std::printf("fwc: run 'fwc confirm' within %u seconds, or the previous ruleset comes back\n", o.confirm);
  return Exit::ok;
}

int apply_once(const ApplyOptions& o, const applying::Prepared& pr, const nft::live::Model& want, bool& retry) {
  retry = false;
  nl::Session s;
  if (!s.ok()) return fail(s.error());
  uint32_t gen = 0;
  nl::Outcome err;
  if (!s.genid(gen, err)) return fail(err);
  nl::Snapshot before;
  std::vector<std::string> lines;
  if (!applying::read_and_diff(s, want, false, o.dry_run, before, lines, err)) return fail(err);
  const auto live = nl::model_of(before);
  phase("read back, diff");
  if (lines.empty() && !o.always && !o.force && !o.dry_run) {
    std::printf("fwc: no change: table inet fwc already matches the policy (nothing applied)\n");
    return Exit::ok;
  }
  // The rollback restores the table exactly, set elements included: from
  // the batch that installed it when nothing changed since, else (`nft add
  // element`, meters too) from a full dump.
  std::string sent;
  if (o.confirm > 0 && !o.dry_run &&
      !(state::current_batch(state::paths(o.state_dir), gen, sent) &&
        nl::complete_from_batch(before, sent)) &&
      !nl::read_table(s, before, err, true, true))
    return fail(err);
  applying::print_diff(lines, stdout);
  if (o.dry_run && lines.empty()) std::printf("fwc: no change\n");
  nl::BuildOptions bo;
  bo.commit = !o.dry_run;
  bo.inject_bad_element = inject_bad_element();
  bo.genid = gen;
  if (!o.dry_run) pause_before_commit();
  nl::Batch b = nl::build_replace(pr.table, bo, s.next_seq());
  phase("build batch");
  nl::Outcome res = s.send(b);
  phase("kernel");
  if (res.ok) {
    if (o.dry_run) {
      std::printf("fwc: the kernel accepts the ruleset (nothing applied)\n");
      return Exit::ok;
    }
    std::printf("fwc: applied table inet fwc (%zu netlink messages, %zu bytes)\n", b.messages(), b.size());
    int rc = after_apply(o, pr.table, b, state::next_genid(gen), before);
    phase("record state");
    return rc;
  }
  if (res.error != ERESTART) return fail(res);
  // The generation moved: whose change was it?
  nl::Snapshot now;
  if (!nl::read_table(s, now, err, false)) return fail(err);
  if (nft::live::diff(live, nl::model_of(now)).empty()) {
    std::fprintf(stderr, "fwc: the ruleset changed while applying (not table inet fwc): retrying\n");
    retry = true;
    return Exit::runtime_failure;
  }
  std::fprintf(stderr,
               "fwc: error: table inet fwc was changed by someone else while applying; nothing was applied.\n"
               "  hint: check 'fwc diff' and run the command again\n");
  return Exit::runtime_failure;
}

int run_apply(const ApplyOptions& o) {
  phase("start");
  applying::Prepared pr;
  if (int rc = applying::prepare(o.policy, o.selection, pr)) return rc;
  phase("compile");
  if (!o.force) {
    auto guard = applying::lockout_problem(pr.ruleset);
    if (!guard.problem.empty()) {
      std::fprintf(stderr, "fwc: error: refusing to apply: %s\n  hint: %s\n", guard.problem.c_str(),
                   guard.hint.c_str());
      return Exit::bad_input;
    }
  }
  state::Lock lock;
  if (!o.dry_run) {
    std::string err;
    if (!lock.acquire(state::paths(o.state_dir), err)) {
      std::fprintf(stderr, "fwc: %s\n", err.c_str());
      return Exit::runtime_failure;
    }
  }
  try {
    const auto want = applying::wanted_model(pr.table);
    phase("wanted model");
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      bool retry = false;
      int rc = apply_once(o, pr, want, retry);
      if (!retry) return rc;
    }
    std::fprintf(stderr, "fwc: error: the ruleset kept changing: gave up after %d attempts\n", kAttempts);
    return Exit::runtime_failure;
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "fwc: %s\n", e.what());
    return Exit::runtime_failure;
  }
}

}  // namespace

Run setup_apply(CLI::App& app) {
  auto o = std::make_shared<ApplyOptions>();
  app.add_option("policy", o->policy, "Policy file")->required();
  app.add_flag("--dry-run", o->dry_run, "Print the diff and let the kernel validate the ruleset, applying nothing");
  app.add_flag("--force", o->force, "Apply even if it would cut your SSH session, or nothing changed");
  app.add_flag("--always", o->always, "Apply even when the live table already matches");
  app.add_option("--confirm", o->confirm, "Roll back after SECONDS unless 'fwc confirm' runs")
      ->check(CLI::Range(1u, 86400u));
  app.add_option("--state-dir", o->state_dir, "Where fwc keeps its state (default /var/lib/fwc)");
  o->selection.add_to(app, "Apply the rules of this node (default: this host's node, by address or name)",
                       "Apply the rules of a node with this role");
  return [o] { return run_apply(*o); };
}

Run setup_remove(CLI::App& app) {
  auto dry = std::make_shared<bool>(false);
  auto dir = std::make_shared<std::string>();
  app.add_flag("--dry-run", *dry, "Validate the removal without doing it");
  app.add_option("--state-dir", *dir, "Where fwc keeps its state (default /var/lib/fwc)");
  return [dry, dir] {
    state::Lock lock;
    std::string err;
    if (!*dry && !lock.acquire(state::paths(*dir), err)) {
      std::fprintf(stderr, "fwc: %s\n", err.c_str());
      return int(Exit::runtime_failure);
    }
    int rc = submit(!*dry, [](const nl::BuildOptions& bo, uint32_t seq) { return nl::build_remove(bo, seq); });
    if (rc == Exit::ok && !*dry && state::cancel_pending(state::paths(*dir)))
      std::fprintf(stderr, "fwc: note: the pending rollback of an unconfirmed apply is cancelled\n");
    return rc;
  };
}

}  // namespace fwc::cli
