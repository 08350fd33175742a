#include "compiler/check/redundant.h"

#include <set>
#include <utility>

#include "compiler/eval/regions.h"
#include "compiler/ir/selection.h"

namespace fwc::check {

namespace {

using RuleId = std::pair<std::string, uint32_t>;  // label and line: a rule across selections
RuleId id_of(const ir::Allow& a) { return {a.origin.label, a.origin.loc.line}; }

const net::AddrSet& peer(const ir::Allow& a, bool inbound) { return inbound ? a.src.addrs : a.dst.addrs; }

// Another rule can stand in for `a` only when it logs and proxies alike.
bool alike(const ir::Allow& a, const ir::Allow& b) {
  return a.log.has_value() == b.log.has_value() && a.synproxy.has_value() == b.synproxy.has_value();
}

// Whether the rules of `allows` other than `a` (and those already found
// redundant) accept every peer and port `a` accepts.
bool covered(const ir::Allow& a, const std::vector<ir::Allow>& allows, bool inbound, const std::set<RuleId>& gone) {
  std::vector<const ir::Allow*> others;
  net::AddrSet reach;
  for (const auto& o : allows)
    if (&o != &a && !gone.count(id_of(o)) && id_of(o) != id_of(a) && alike(a, o)) {
      others.push_back(&o);
      reach.append(peer(o, inbound));
    }
  reach.normalize();
  if (!reach.covers(peer(a, inbound))) return false;
  ir::Chain cut;
  cut.allows = allows;
  for (const auto& seg : eval::port_segments({&cut})) {
    if (!eval::holds(a.ports, seg)) continue;
    net::AddrSet there;
    for (const auto* o : others)
      if (eval::holds(o->ports, seg)) there.append(peer(*o, inbound));
    there.normalize();
    if (!there.covers(peer(a, inbound))) return false;
  }
  return true;
}

// The chains of every selection, for one direction.
std::vector<std::vector<ir::Allow>> chains(const ir::Policy& p, bool inbound) {
  std::vector<std::vector<ir::Allow>> out;
  for (const auto& sel : ir::all_selections(p)) {
    ir::Ruleset rs = ir::select(p, sel);
    if (inbound) out.push_back(std::move(rs.input.allows));
    else if (rs.output) out.push_back(std::move(rs.output->allows));
  }
  return out;
}

// Later rules first: of two identical rules the later is reported, and a
// rule found redundant no longer covers the ones before it, so removing
// every reported rule together changes nothing.
void check_direction(const std::vector<ir::Allow>& rules, bool inbound, DiagnosticEngine& diags,
                     const ir::Policy& p) {
  const auto all = chains(p, inbound);
  std::set<RuleId> gone;
  for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
    const ir::Allow& a = *it;
    if (peer(a, inbound).empty()) continue;
    bool applies = false, redundant = true;
    for (const auto& allows : all)
      for (const auto& r : allows)
        if (id_of(r) == id_of(a)) {
          applies = true;
          redundant = redundant && covered(r, allows, inbound, gone);
        }
    if (!applies || !redundant) continue;
    gone.insert(id_of(a));
    if (a.origin.ignores(code::redundant)) continue;
    diags.warning(code::redundant, a.origin.loc,
                  a.origin.label + " is redundant: other allow rules accept everything it accepts",
                  "remove the rule, or acknowledge it with 'ignore: [FWC-W106]'");
  }
}

}  // namespace

void redundant_allows(const ir::Policy& policy, DiagnosticEngine& diags) {
  check_direction(policy.inbound, true, diags, policy);
  check_direction(policy.outbound, false, diags, policy);
}

}  // namespace fwc::check
