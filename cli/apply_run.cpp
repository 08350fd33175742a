#include "cli/apply_run.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "backends/nftables/netlink/nl_batch.h"
#include "cli/apply_state.h"
#include "cli/coexist_report.h"
#include "cli/name_cache.h"

namespace fwc::cli {

namespace {

namespace nl = nft::netlink;
using applying::fail;

// Applies retried after a concurrent change elsewhere in the ruleset.
constexpr int kAttempts = 3;

// Sends a batch built against the current ruleset generation.
template <typename Build>
int submit(bool commit, const ApplyHooks& hooks, Build build) {
  nl::Session s;
  if (!s.ok()) return fail(s.error());
  nl::BuildOptions bo;
  bo.commit = commit;
  bo.inject_bad_element = hooks.inject_bad_element();
  uint32_t gen = 0;
  nl::Outcome err;
  if (!s.genid(gen, err)) return fail(err);
  bo.genid = gen;
  nl::Batch b = build(bo, s.next_seq());
  nl::Outcome o = s.send(b);
  if (!o.ok) return fail(o);
  return Exit::ok;
}

// The other tables that filter this host, before anything is sent; with
// --strict their warnings refuse the apply (as unreadable tables do).
int check_others(const ApplyOptions& o, const ir::Ruleset& rs) {
  nl::Session s;
  coexist::Report report;
  nl::Outcome err;
  if (!s.ok() || !coexist::read(s, report, err)) {
    const std::string why = s.ok() ? err.message : s.error().message;
    std::fprintf(stderr, "fwc: warning: cannot read the other tables of this host: %s\n", why.c_str());
    if (!o.strict) return Exit::ok;
    std::fprintf(stderr, "fwc: error: refusing to apply (--strict): other firewalls were not checked\n");
    return Exit::bad_input;
  }
  const size_t warnings = coexist::print_consequences(report, rs, stderr);
  if (!o.strict || warnings == 0) return Exit::ok;
  std::fprintf(stderr, "fwc: error: refusing to apply (--strict): %zu warning%s about other firewalls; nothing applied\n",
               warnings, warnings == 1 ? "" : "s");
  return Exit::bad_input;
}

}  // namespace

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

int run_apply(const ApplyOptions& o, const ApplyHooks& hooks) {
  phase("start");
  applying::Prepared pr;
  HostNames hosts(o.state_dir);
  if (int rc = applying::prepare(o.policy, o.selection, hosts.options(), pr)) return rc;
  phase("compile");
  if (std::string err; !o.dry_run && !hosts.save(err))
    std::fprintf(stderr, "fwc: warning: cannot keep the host name answers: %s\n", err.c_str());
  if (int rc = applying::refuse_lockout(pr.ruleset, o.force)) return rc;
  if (int rc = check_others(o, pr.ruleset)) return rc;
  phase("other tables");
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
      int rc = apply_once(o, hooks, pr, want, retry);
      if (!retry) return rc;
    }
    std::fprintf(stderr, "fwc: error: the ruleset kept changing: gave up after %d attempts\n", kAttempts);
    return Exit::runtime_failure;
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "fwc: %s\n", e.what());
    return Exit::runtime_failure;
  }
}

int run_remove(bool dry, const std::string& state_dir, const ApplyHooks& hooks) {
  state::Lock lock;
  std::string err;
  if (!dry && !lock.acquire(state::paths(state_dir), err)) {
    std::fprintf(stderr, "fwc: %s\n", err.c_str());
    return Exit::runtime_failure;
  }
  int rc =
      submit(!dry, hooks, [](const nl::BuildOptions& bo, uint32_t seq) { return nl::build_remove(bo, seq); });
  if (rc == Exit::ok && !dry && state::cancel_pending(state::paths(state_dir)))
    std::fprintf(stderr, "fwc: note: the pending rollback of an unconfirmed apply is cancelled\n");
  return rc;
}

}  // namespace fwc::cli
