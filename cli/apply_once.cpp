#include <cerrno>
#include <cstdio>

#include "backends/nftables/netlink/nl_batch.h"
#include "cli/apply_run.h"
#include "cli/apply_state.h"
#include "cli/block_carry.h"

namespace fwc::cli {

namespace {

namespace nl = nft::netlink;
using applying::fail;

#ifndef ERESTART
constexpr int ERESTART = 85;
#endif

// The state after a successful apply, and the --confirm watcher. An apply
// replacing an unconfirmed one keeps that one's rollback target: the last
// confirmed table, not the unconfirmed one in between.
int after_apply(const ApplyOptions& o, const nft::Table& t, const nl::Batch& sent, uint32_t genid,
                const nl::Snapshot& before) {
  state::Paths p = state::paths(o.state_dir);
  std::string err;
  auto superseded = state::cancel_pending(p);
  if (superseded)
    std::fprintf(stderr, "fwc: note: this apply replaces an unconfirmed one (its rollback is cancelled)\n");
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

// The replacing batch, with the live dynamic set elements carried over
// (read after `gen`: a block sent meanwhile fails the batch, not lost).
bool build_batch(nl::Session& s, const ApplyOptions& o, const ApplyHooks& hooks, const nft::Table& t, uint32_t gen,
                 nl::Batch& out, nl::Outcome& err) {
  std::vector<block_carry::LiveSet> dynamic;
  if (!block_carry::read_live(s, dynamic, err)) return false;
  nl::BuildOptions bo;
  bo.commit = false;
  bo.inject_bad_element = hooks.inject_bad_element();
  bo.genid = gen;
  if (!o.dry_run) hooks.pause_before_commit();
  out = nl::build_replace(t, bo, s.next_seq());
  std::vector<std::string> names;
  for (const auto& set : t.sets) names.push_back(set.name);
  block_carry::carry(out, dynamic, names, stderr);
  if (!o.dry_run) nl::append_batch_end(out);
  return true;
}

}  // namespace

int apply_once(const ApplyOptions& o, const ApplyHooks& hooks, const applying::Prepared& pr,
               const nft::live::Model& want, bool& retry) {
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
  nl::Batch b(0);
  if (!build_batch(s, o, hooks, pr.table, gen, b, err)) return fail(err);
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

}  // namespace fwc::cli
