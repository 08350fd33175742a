#include "compiler/ir/selection.h"

#include <algorithm>

namespace fwc::ir {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool applies(const Scope& scope, const Policy& p, const Selection& sel) {
  if (scope.empty() || sel.kind == Selection::Kind::none) return true;
  if (sel.kind == Selection::Kind::role) return contains(scope.roles, sel.name);
  if (contains(scope.nodes, sel.name)) return true;
  const Node* node = p.find_node(sel.name);
  if (!node) return false;
  return std::any_of(node->roles.begin(), node->roles.end(),
                     [&](const std::string& r) { return contains(scope.roles, r); });
}

template <typename Rule>
std::vector<Rule> pick(const std::vector<Rule>& rules, const Policy& p, const Selection& sel) {
  std::vector<Rule> out;
  for (const auto& r : rules)
    if (applies(r.scope, p, sel)) out.push_back(r);
  return out;
}

// A SYN proxy answers the handshake before block rules and meters, and the
// proxied connection reaches the listener over loopback: sources a block
// rule or meter on the proxied ports covers are not proxied, so their SYNs
// stay tracked and meet those rules.
void narrow_synproxy(Chain& c) {
  for (Allow& a : c.allows) {
    if (!a.synproxy) continue;
    for (const Block& b : c.blocks)
      if (!b.ports || b.ports->intersects(a.ports)) a.synproxy->subtract(b.peer.addrs);
    for (const Meter& m : c.meters)
      if (m.ports.intersects(a.ports)) a.synproxy->subtract(m.src.addrs);
  }
}

std::string choices(const Policy& p) {
  std::string out;
  for (const auto& n : p.nodes) out += (out.empty() ? "" : ", ") + std::string("--node ") + n.name;
  for (const auto& r : p.roles) out += (out.empty() ? "" : ", ") + std::string("--role ") + r;
  return out;
}

}  // namespace

bool validate_selection(const Policy& p, const Selection& sel, DiagnosticEngine& diags) {
  SourceLoc at{std::make_shared<const std::string>(p.file), 0, 0};
  std::vector<std::string> names;
  switch (sel.kind) {
    case Selection::Kind::node:
      if (p.find_node(sel.name)) return true;
      for (const auto& n : p.nodes) names.push_back(n.name);
      diags.error(code::selection, at, "the policy has no node '" + sel.name + "'", did_you_mean(sel.name, names));
      return false;
    case Selection::Kind::role:
      if (contains(p.roles, sel.name)) return true;
      diags.error(code::selection, at, "the policy has no role '" + sel.name + "'", did_you_mean(sel.name, p.roles));
      return false;
    case Selection::Kind::none:
      if (!p.has_scoped_rules()) return true;
      diags.error(code::selection, at, "the policy scopes rules to roles or nodes; choose what to compile",
                  "use one of: " + choices(p));
      return false;
  }
  return false;
}

Ruleset select(const Policy& p, const Selection& sel) {
  Ruleset rs;
  rs.policy_name = p.name;
  rs.policy_file = p.file;
  rs.selection = sel.label();
  rs.icmp = p.defaults.icmp;
  rs.icmp_loc = p.defaults.icmp_loc;
  rs.selected = sel;
  rs.networks = p.networks;
  rs.cloud = p.cloud;
  rs.never = p.never;
  rs.ssh = p.defaults.ssh;
  rs.published = p.defaults.published;
  rs.published_loc = p.defaults.published_loc;
  rs.published_set = p.defaults.published_set;

  rs.input.blocks = pick(p.inbound_blocks, p, sel);
  rs.input.meters = pick(p.meters, p, sel);
  rs.input.allows = pick(p.inbound, p, sel);
  rs.input.otherwise = pick(p.otherwise, p, sel);
  rs.input.policy = p.defaults.inbound;
  rs.input.log = p.defaults.log;
  rs.input.default_origin = {"defaults.inbound", p.defaults.inbound_loc, {}, {}};
  narrow_synproxy(rs.input);

  auto outbound_blocks = pick(p.outbound_blocks, p, sel);
  auto outbound = pick(p.outbound, p, sel);
  if (p.defaults.outbound != Verdict::accept || !outbound_blocks.empty() || !outbound.empty()) {
    Chain c;
    c.blocks = std::move(outbound_blocks);
    c.allows = std::move(outbound);
    c.policy = p.defaults.outbound;
    c.default_origin = {"defaults.outbound", p.defaults.outbound_loc, {}, {}};
    rs.output = std::move(c);
  }
  auto forward = pick(p.forward, p, sel);
  if (p.defaults.forward || !forward.empty()) {
    Chain c;
    c.allows = std::move(forward);
    // Forward allow rules only mean something when the rest is refused.
    c.policy = p.defaults.forward.value_or(Verdict::drop);
    c.default_origin = {"defaults.forward", p.defaults.forward_loc, {}, {}};
    rs.forward = std::move(c);
  }
  return rs;
}

std::vector<Selection> all_selections(const Policy& p) {
  std::vector<Selection> out;
  if (!p.has_scoped_rules()) return {Selection{}};
  for (const auto& n : p.nodes) out.push_back({Selection::Kind::node, n.name});
  for (const auto& r : p.roles) {
    bool has_node = std::any_of(p.nodes.begin(), p.nodes.end(),
                                [&](const Node& n) { return contains(n.roles, r); });
    if (!has_node) out.push_back({Selection::Kind::role, r});
  }
  if (out.empty()) out.push_back(Selection{});
  return out;
}

}  // namespace fwc::ir
