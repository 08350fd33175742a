#include "compiler/check/lint_checks.h"

#include <algorithm>
#include <set>

#include "compiler/check/redundant.h"
#include "compiler/ir/selection.h"

namespace fwc::check {

namespace {

// Ports that hand over control of a node when reachable (SSH, cluster
// admin APIs, Docker, Kubernetes API and kubelet).
constexpr uint16_t kAdminPorts[] = {22, 8080, 8443, 2375, 6443, 10250};

void admin_ports_open(const ir::Policy& p, DiagnosticEngine& diags) {
  for (const auto& a : p.inbound) {
    bool any = a.src.any(net::Family::v4) || a.src.any(net::Family::v6);
    if (!any || a.origin.ignores(code::admin_open)) continue;
    std::string open;
    for (uint16_t port : kAdminPorts)
      if (a.ports.contains(net::Proto::tcp, port)) open += (open.empty() ? "" : ", ") + std::to_string(port);
    if (open.empty()) continue;
    diags.warning(code::admin_open, a.origin.loc,
                  a.origin.label + " opens admin port(s) " + open + "/tcp to any source",
                  "restrict 'from' to operators, a VPN range or a bastion; exposing these is the most common misconfiguration");
  }
}

// Sources the chain drops or rejects on every port before any allow rule.
net::AddrSet fully_blocked(const ir::Chain& c, const net::PortSet* ports) {
  net::AddrSet out;
  for (const auto& b : c.blocks)
    if (!b.ports || (ports && b.ports->covers(*ports))) out.append(b.peer.addrs);
  out.normalize();
  return out;
}

bool acknowledged(const ir::Defaults& d, const char* code) {
  return std::find(d.ignore.begin(), d.ignore.end(), code) != d.ignore.end();
}

// The nodes a selection stands for: "node node1", "role edge", or, when no
// rule is scoped, every node by name.
std::string who(const ir::Policy& p, const ir::Selection& sel) {
  if (sel.kind != ir::Selection::Kind::none || p.nodes.empty()) return sel.label();
  std::string names;
  for (const auto& n : p.nodes) names += (names.empty() ? "" : ", ") + n.name;
  return (p.nodes.size() == 1 ? "node " : "nodes ") + names;
}

void shadowed_and_lockout(const ir::Policy& p, DiagnosticEngine& diags) {
  std::set<std::string> reported;
  for (const auto& sel : ir::all_selections(p)) {
    ir::Ruleset rs = ir::select(p, sel);
    for (const auto& a : rs.input.allows) {
      if (a.src.addrs.empty() || reported.count(a.origin.label) || a.origin.ignores(code::shadowed)) continue;
      if (!fully_blocked(rs.input, &a.ports).covers(a.src.addrs)) continue;
      reported.insert(a.origin.label);
      diags.warning(code::shadowed, a.origin.loc,
                    a.origin.label + " never accepts anything: every source it allows is blocked",
                    "block rules win over allow rules; remove the rule or narrow the block list");
    }
    if (rs.input.policy == ir::Verdict::accept || acknowledged(p.defaults, code::lockout)) continue;
    net::AddrSet blocked = fully_blocked(rs.input, &p.defaults.ssh);
    bool reachable = false;
    for (const auto& a : rs.input.allows) {
      if (!a.ports.covers(p.defaults.ssh) && !a.ports.all) continue;
      net::AddrSet left = a.src.addrs;
      left.subtract(blocked);
      reachable = reachable || !left.empty();
    }
    if (!reachable)
      diags.warning(code::lockout, p.defaults.inbound_loc.known() ? p.defaults.inbound_loc : p.defaults.loc,
                    who(p, sel) + ": no rule lets SSH in while the inbound default is " +
                        ir::verdict_name(rs.input.policy) + " (lock-out)",
                    "allow 22/tcp from your operators' addresses, set defaults.ssh if SSH listens elsewhere, "
                    "or acknowledge a host without SSH with 'ignore: [FWC-W104]' in defaults");
  }
}

// With forward rules, a port forward (DNAT) meets the published chain and
// the forward chain: the inbound rules must allow it as well.
void published_and_forward(const ir::Policy& p, DiagnosticEngine& diags) {
  if (!p.defaults.published || p.forward.empty() || acknowledged(p.defaults, code::published_and_forward)) return;
  diags.warning(code::published_and_forward, p.defaults.published_loc,
                "the policy has forward rules and defaults.published is govern: a connection DNAT'd from this "
                "host's addresses must be allowed by the inbound rules as well as by the forward rules",
                "a router whose port forwards the forward rules decide alone sets 'defaults.published: ignore'; "
                "otherwise acknowledge with 'ignore: [FWC-W110]' in defaults");
}

}  // namespace

void lint_policy(const ir::Policy& policy, DiagnosticEngine& diags) {
  admin_ports_open(policy, diags);
  shadowed_and_lockout(policy, diags);
  published_and_forward(policy, diags);
  redundant_allows(policy, diags);
}

}  // namespace fwc::check
