// `fwc refresh`: host names looked up again and `file:` lists read again;
// when only the elements of their sets differ from the live table, those
// elements change in one transaction (no table swap). Anything else is
// left to `fwc apply`.
#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "backends/nftables/live/refresh_plan.h"
#include "backends/nftables/netlink/nl_elements.h"
#include "backends/nftables/netlink/nl_snapshot.h"
#include "cli/apply_common.h"
#include "cli/apply_state.h"
#include "cli/name_cache.h"
#include "compiler/diag/printable.h"

namespace fwc::cli {

namespace {

namespace nl = nft::netlink;

#ifndef ERESTART
constexpr int ERESTART = 85;
#endif

constexpr int kAttempts = 3;

struct RefreshOptions {
  std::string policy, state_dir;
  bool dry_run = false;
  SelectionOptions selection;
};

// -p, else the policy the last apply recorded: where it was (its lists and
// fragments are relative to it), else its copy.
std::string policy_to_refresh(const RefreshOptions& o, const state::Paths& p) {
  if (!o.policy.empty()) return o.policy;
  std::string where;
  std::error_code ec;
  if (state::read_file(p.file("applied.path"), where)) {
    while (!where.empty() && (where.back() == '\n' || where.back() == '\r')) where.pop_back();
    if (std::filesystem::is_regular_file(where, ec)) return where;
  }
  if (std::filesystem::is_regular_file(p.file("applied.yaml"), ec)) return p.file("applied.yaml");
  return {};
}

std::vector<std::string> refreshable_sets(const nft::Table& t) {
  std::vector<std::string> out;
  for (const auto& s : t.sets)
    if (s.refreshable) out.push_back(s.name);
  return out;
}

std::string cidr_list(const net::AddrSet& s, net::Family f, char sign, size_t max) {
  std::string out;
  size_t shown = 0;
  for (const auto& c : s.cidrs(f)) {
    if (shown++ == max) return out + " …";
    out += std::string(" ") + sign + net::format_cidr(c);
  }
  return out;
}

void print_changes(const nft::live::RefreshPlan& plan, bool dry_run) {
  for (const auto& c : plan.sets) {
    std::printf("fwc: set %s: +%zu -%zu%s%s\n", c.set.c_str(), c.gained.cidr_count(c.family),
                c.lost.cidr_count(c.family), cidr_list(c.gained, c.family, '+', 8).c_str(),
                cidr_list(c.lost, c.family, '-', 8).c_str());
  }
  if (dry_run) std::printf("fwc: dry run: nothing changed\n");
}

// One attempt: read the live table, plan, send. `retry` when the ruleset
// generation moved under us (someone else's change elsewhere).
int refresh_once(const RefreshOptions& o, const applying::Prepared& pr, const nft::live::Model& want,
                 bool& retry) {
  retry = false;
  nl::Session s;
  if (!s.ok()) return applying::fail(s.error());
  uint32_t gen = 0;
  nl::Outcome err;
  if (!s.genid(gen, err)) return applying::fail(err);
  nl::Snapshot snap;
  if (!nl::read_table(s, snap, err, true)) return applying::fail(err);
  const auto plan = nft::live::plan_refresh(nl::model_of(snap), want, refreshable_sets(pr.table));
  if (plan.needs_apply()) {
    std::printf("fwc: the live table differs from the policy in more than host-name and list sets; "
                "nothing changed:\n");
    applying::print_diff(plan.other, stdout);
    std::printf("fwc: run 'fwc apply' to install the policy\n");
    return Exit::findings;
  }
  if (plan.sets.empty()) {
    std::printf("fwc: no change: the sets of host names and lists are current\n");
    return Exit::ok;
  }
  print_changes(plan, o.dry_run);
  if (o.dry_run) return Exit::ok;
  std::vector<nl::ElementChange> changes;
  for (const auto& c : plan.sets) {
    nl::ElementChange e{c.set, c.remove, {}};
    for (const auto& cidr : c.add) e.add.push_back(nl::Element{cidr, {}, {}, {}});
    changes.push_back(std::move(e));
  }
  nl::Outcome res = s.send(nl::build_element_changes(changes, gen, s.next_seq()));
  if (res.ok) {
    std::string werr;
    if (!state::write_file(state::paths(o.state_dir).file("applied.nft"), nft::emit(pr.table), werr))
      std::fprintf(stderr, "fwc: warning: refreshed, but applied.nft was not updated: %s\n", werr.c_str());
    std::printf("fwc: refreshed %zu set%s in place\n", changes.size(), changes.size() == 1 ? "" : "s");
    return Exit::ok;
  }
  if (res.error == ERESTART) {
    retry = true;
    return Exit::runtime_failure;
  }
  return applying::fail(res);
}

int run_refresh(const RefreshOptions& o) {
  const state::Paths paths = state::paths(o.state_dir);
  const std::string policy = policy_to_refresh(o, paths);
  if (policy.empty()) {
    std::fprintf(stderr, "fwc: error: no policy: give -p POLICY (nothing was applied with a state dir of %s)\n",
                 paths.dir.c_str());
    return Exit::bad_input;
  }
  applying::Prepared pr;
  HostNames hosts(o.state_dir);
  if (int rc = applying::prepare(policy, o.selection, hosts.options(), pr)) return rc;
  if (std::string err; !o.dry_run && !hosts.save(err))
    std::fprintf(stderr, "fwc: warning: cannot keep the host name answers: %s\n", err.c_str());
  state::Lock lock;
  if (std::string err; !o.dry_run && !lock.acquire(paths, err)) {
    std::fprintf(stderr, "fwc: %s\n", err.c_str());
    return Exit::runtime_failure;
  }
  try {
    const auto want = applying::wanted_model(pr.table);
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      bool retry = false;
      int rc = refresh_once(o, pr, want, retry);
      if (!retry) return rc;
      std::fprintf(stderr, "fwc: the ruleset changed while refreshing: retrying\n");
    }
    std::fprintf(stderr, "fwc: error: the ruleset kept changing: gave up after %d attempts\n", kAttempts);
    return Exit::runtime_failure;
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "fwc: %s\n", e.what());
    return Exit::runtime_failure;
  }
}

}  // namespace

Run setup_refresh(CLI::App& app) {
  auto o = std::make_shared<RefreshOptions>();
  app.add_option("-p,--policy", o->policy, "Policy file (default: the one the last apply installed)");
  app.add_flag("--dry-run", o->dry_run, "Show what would change; change nothing");
  app.add_option("--state-dir", o->state_dir, "Where fwc keeps its state (default /var/lib/fwc)");
  o->selection.add_to(app, "Refresh the rules of this node (default: the node this host is)",
                       "Refresh the rules of a node with this role");
  return [o] { return run_refresh(*o); };
}

}  // namespace fwc::cli
