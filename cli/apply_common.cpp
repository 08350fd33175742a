#include "cli/apply_common.h"

#include <ifaddrs.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "backends/nftables/netlink/nl_snapshot.h"
#include "cli/ruleset_loader.h"
#include "compiler/diag/printable.h"
#include "compiler/host/host_match.h"
#include "compiler/net/sockaddr.h"

namespace fwc::cli::applying {

namespace {

// Larger changed sets are summarised, not dumped to list their elements.
constexpr unsigned long long kDetailLimit = 100000;

host::Identity this_host() {
  host::Identity id;
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) == 0) id.hostname = name;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return id;
  for (ifaddrs* i = list; i; i = i->ifa_next)
    if (auto addr = net::address_of(i->ifa_addr)) id.addresses.push_back(*addr);
  freeifaddrs(list);
  return id;
}

// Picks the node this host is. Returns false (after printing why) when the
// policy needs a node and none or several match.
bool auto_select(const ir::Policy& p, ir::Selection& sel) {
  if (p.nodes.empty()) return true;
  const auto id = this_host();
  const auto matches = host::match_nodes(p, id);
  if (matches.size() == 1) {
    sel = {ir::Selection::Kind::node, matches[0].node};
    std::fprintf(stderr, "fwc: this host is node %s (%s)\n", matches[0].node.c_str(), matches[0].why.c_str());
    return true;
  }
  if (!p.has_scoped_rules()) return true;  // every node enforces the same rules
  std::string nodes;
  for (const auto& n : p.nodes) nodes += (nodes.empty() ? "" : ", ") + n.name;
  if (matches.empty()) {
    std::fprintf(stderr,
                 "fwc: error: no node of the policy matches this host (hostname %s, %zu addresses); "
                 "choose one with --node (nodes: %s) or --role\n",
                 id.hostname.c_str(), id.addresses.size(), nodes.c_str());
  } else {
    std::string which;
    for (const auto& m : matches) which += (which.empty() ? "" : ", ") + m.node + " (" + m.why + ")";
    std::fprintf(stderr, "fwc: error: several nodes match this host: %s; choose one with --node\n",
                 which.c_str());
  }
  return false;
}

struct ThisHost : DefaultSelection {
  bool pick(const ir::Policy& p, std::vector<ir::Selection>& out) const override {
    return auto_select(p, out.front());
  }
};

}  // namespace

int prepare(const std::string& policy, const SelectionOptions& opts, const NameOptions& names, Prepared& out) {
  DiagnosticEngine diags;
  const ThisHost host_node;
  auto loaded = load_rules(policy, {opts.get(), false, &host_node, names}, diags);
  if (!loaded) return Exit::bad_input;
  out.ruleset = std::move(loaded->rulesets.front());
  out.table = nft::lower(out.ruleset, diags);
  print_diagnostics(diags, stderr);
  return diags.has_errors() ? Exit::bad_input : Exit::ok;
}

int fail(const nl::Outcome& o) {
  std::fprintf(stderr, "fwc: %s\n", o.message.c_str());
  std::string fix = nl::remedy(o.error);
  if (!fix.empty()) std::fprintf(stderr, "  hint: %s\n", fix.c_str());
  return Exit::runtime_failure;
}

nft::live::Model wanted_model(const nft::Table& t) {
  nl::BuildOptions bo;
  bo.commit = false;
  bo.elements = false;
  nl::Batch b = nl::build_replace(t, bo, 1);
  nft::live::Model m = nl::model_of(b);
  nl::attach_sets(m, t);
  return m;
}

bool read_and_diff(nl::Session& s, const nft::live::Model& want, bool full, bool detail, nl::Snapshot& snap,
                   std::vector<std::string>& lines, nl::Outcome& err) {
  if (!nl::read_table(s, snap, err, full)) return false;
  lines = nft::live::diff(nl::model_of(snap), want);
  if (!detail || snap.complete) return true;
  // Elements are listed when the changed sets are small enough to dump: the
  // kernel dumps interval sets in time quadratic in their size.
  const auto live = nl::model_of(snap);
  bool changed = false;
  for (const auto& set : live.sets) {
    if (set.elements_known) continue;
    for (const auto& w : want.sets) {
      if (w.name != set.name || w.digest == set.digest) continue;
      changed = true;
      unsigned long long size = set.count >= 0 ? static_cast<unsigned long long>(set.count) : 0;
      if (set.count < 0 && !set.digest.empty())
        size = std::strtoull(set.digest.substr(set.digest.find('/') + 1).c_str(), nullptr, 10);
      if (size > kDetailLimit) return true;
    }
  }
  if (!changed) return true;
  if (!nl::read_table(s, snap, err, true)) return false;
  lines = nft::live::diff(nl::model_of(snap), want);
  return true;
}

void print_diff(const std::vector<std::string>& lines, FILE* to) {
  for (const auto& l : lines) std::fprintf(to, "%s\n", printable(l).c_str());
}

host::SessionCheck lockout_problem(const ir::Ruleset& rs) {
  std::string never = host::never_lockout_problem(rs);
  if (!never.empty()) return {never, "allow SSH from the never: networks, or use --force"};
  const char* env = std::getenv("SSH_CONNECTION");
  if (!env || !*env) return {};
  return host::check_session(rs, env);
}

int refuse_lockout(const ir::Ruleset& rs, bool force) {
  if (force) return 0;
  auto guard = lockout_problem(rs);
  if (guard.problem.empty()) return 0;
  std::fprintf(stderr, "fwc: error: refusing to apply: %s\n  hint: %s\n", guard.problem.c_str(),
               guard.hint.c_str());
  return Exit::bad_input;
}

}  // namespace fwc::cli::applying
