#include "compiler/eval/region_diff.h"

#include <algorithm>

#include "compiler/ir/selection.h"

namespace fwc::eval {

namespace {

bool same_change(const RegionChange& a, const RegionChange& b) {
  return a.before == b.before && a.after == b.after && same_rule(a.old_origin, b.old_origin) &&
         same_rule(a.new_origin, b.new_origin) && a.sources == b.sources;
}

// Adds the segment's ports to the same change of the protocol (a range
// next to its last one extends it), or adds a new change.
void add_change(std::vector<RegionChange>& out, RegionChange c) {
  for (auto& prev : out) {
    if (prev.axis != c.axis || !same_change(prev, c)) continue;
    if (c.axis == Axis::other) return;
    net::PortRange& last = prev.ports.back();
    if (uint32_t{last.hi} + 1 == c.ports.front().lo) last.hi = c.ports.front().hi;
    else prev.ports.push_back(c.ports.front());
    return;
  }
  out.push_back(std::move(c));
}

void diff_segment(const ir::Chain& before, const ir::Chain& after, const PortSegment& seg, ir::Hook hook,
                  std::vector<RegionChange>& out) {
  const auto old_regions = regions(before, seg, hook);
  const auto new_regions = regions(after, seg, hook);
  for (const auto& o : old_regions)
    for (const auto& n : new_regions) {
      if (o.outcome == n.outcome || !o.sources.overlaps(n.sources)) continue;
      add_change(out, {seg.axis, {seg.ports}, false, o.sources.intersect(n.sources), o.outcome, n.outcome, o.origin,
                       n.origin});
    }
}

bool whole(const RegionChange& c, Axis axis) {
  return c.axis == axis && (axis == Axis::other || c.ports == std::vector<net::PortRange>{{0, 65535}});
}

// A change on every TCP port, every UDP port and every other protocol
// becomes one change on all traffic.
void fold_all_traffic(std::vector<RegionChange>& changes) {
  auto twin = [&](const RegionChange& c, Axis axis) {
    return std::find_if(changes.begin(), changes.end(),
                        [&](const RegionChange& t) { return whole(t, axis) && same_change(t, c); });
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    if (!whole(changes[i], Axis::tcp)) continue;
    auto udp = twin(changes[i], Axis::udp);
    if (udp == changes.end() || twin(changes[i], Axis::other) == changes.end()) continue;
    changes[i].all_traffic = true;
    RegionChange kept = changes[i];
    std::erase_if(changes, [&](const RegionChange& t) {
      return (whole(t, Axis::udp) || whole(t, Axis::other)) && same_change(t, kept);
    });
  }
}

bool same_selection(const ir::Selection& a, const ir::Selection& b) { return a.kind == b.kind && a.name == b.name; }

// Whether the policy has the node or role. A policy without nodes and
// without scoped rules is what every node enforces.
bool has(const ir::Policy& p, const ir::Selection& s) {
  const bool everywhere = p.nodes.empty() && !p.has_scoped_rules();
  switch (s.kind) {
    case ir::Selection::Kind::node: return everywhere || p.find_node(s.name);
    case ir::Selection::Kind::role:
      return everywhere || std::find(p.roles.begin(), p.roles.end(), s.name) != p.roles.end();
    case ir::Selection::Kind::none: break;
  }
  return !p.has_scoped_rules();
}

// The union of both policies' selections; the whole policy only when
// neither names nodes or roles to compare.
std::vector<ir::Selection> union_selections(const ir::Policy& before, const ir::Policy& after) {
  std::vector<ir::Selection> out;
  for (const auto* p : {&before, &after})
    for (const auto& s : ir::all_selections(*p))
      if (s.kind != ir::Selection::Kind::none &&
          std::none_of(out.begin(), out.end(), [&](const ir::Selection& t) { return same_selection(s, t); }))
        out.push_back(s);
  if (out.empty()) out.push_back(ir::Selection{});
  return out;
}

// A ruleset without an output chain lets every new connection out.
const ir::Chain& output_chain(const ir::Ruleset& rs) {
  static const ir::Chain unrestricted = [] {
    ir::Chain c;
    c.policy = ir::Verdict::accept;
    c.default_origin = {"outbound not restricted", {}, {}, {}};
    return c;
  }();
  return rs.output ? *rs.output : unrestricted;
}

void diff_rulesets(const ir::Ruleset& before, const ir::Ruleset& after, SelectionDiff& d) {
  d.changes = diff_chains(before.input, after.input);
  d.outbound = diff_chains(output_chain(before), output_chain(after), ir::Hook::output);
  d.forward = diff_forward_rules(before, after);
  d.settings = diff_settings(before, after);
}

}  // namespace

bool SelectionDiff::changed() const {
  return presence != Presence::both || !changes.empty() || !outbound.empty() || !forward.empty() || !settings.empty();
}

std::vector<RegionChange> diff_chains(const ir::Chain& before, const ir::Chain& after, ir::Hook hook) {
  std::vector<RegionChange> out;
  for (const auto& seg : port_segments({&before, &after})) diff_segment(before, after, seg, hook, out);
  fold_all_traffic(out);
  return out;
}

std::vector<SelectionDiff> diff_policies(const ir::Policy& before, const ir::Policy& after,
                                         const ir::Selection& only) {
  std::vector<SelectionDiff> out;
  const bool restricted = only.kind != ir::Selection::Kind::none;
  for (const auto& sel : restricted ? std::vector<ir::Selection>{only} : union_selections(before, after)) {
    SelectionDiff d;
    d.selection = sel;
    const bool in_before = has(before, sel), in_after = has(after, sel);
    if (!in_before && !in_after) continue;
    if (!in_before) d.presence = SelectionDiff::Presence::added;
    else if (!in_after) d.presence = SelectionDiff::Presence::removed;
    else diff_rulesets(ir::select(before, sel), ir::select(after, sel), d);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace fwc::eval
