#include <algorithm>
#include <cstdint>

#include "backends/cloud/cloud_lowering.h"

namespace fwc::cloud::detail {

namespace {

struct Segment {
  net::PortRange ports;
  bool refused = false;
};

// The pieces of `r` a block's port ranges cut it into, in port order, each
// marked as refused by the block or not.
std::vector<Segment> split(net::Proto proto, net::PortRange r, const net::PortSet& refused) {
  net::PortSet whole;
  whole.add(proto, r);
  const net::PortSet cut = whole.intersect(refused), kept = whole.subtract(refused);
  std::vector<Segment> out;
  for (const auto& c : cut.of(proto)) out.push_back({c, true});
  for (const auto& k : kept.of(proto)) out.push_back({k, false});
  std::sort(out.begin(), out.end(),
            [](const Segment& a, const Segment& b) { return a.ports.lo < b.ports.lo; });
  return out;
}

struct Outcome {
  std::vector<Rule> rules;
  bool changed = false;
  std::vector<std::string> native;        // native references the block overlaps
  std::vector<std::string> unsplittable;  // all-protocol rules a port-limited block overlaps
};

void note(std::vector<std::string>& list, const std::string& s) {
  if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
}

Outcome subtract(const std::vector<Rule>& rules, const ir::Block& b) {
  Outcome out;
  const net::AddrSet& blocked = b.peer.addrs;
  const bool whole = !b.ports || b.ports->all;
  for (const Rule& r : rules) {
    std::vector<Segment> segs;
    if (whole)
      segs.push_back({r.ports, true});
    else if (r.proto == Proto::tcp || r.proto == Proto::udp)
      segs = split(r.proto == Proto::tcp ? net::Proto::tcp : net::Proto::udp, r.ports, *b.ports);
    else if (r.proto == Proto::all && r.peers.cidrs.overlaps(blocked))
      note(out.unsplittable, r.labels());
    bool refused = std::any_of(segs.begin(), segs.end(), [](const Segment& s) { return s.refused; });
    if (!refused) {
      out.rules.push_back(r);
      continue;
    }
    for (const auto& ref : r.peers.refs)
      if (ref.members.empty() || ref.members.overlaps(blocked))
        note(out.native, ref.str() + " (" + r.labels() + ")");
    if (!r.peers.cidrs.overlaps(blocked)) {
      out.rules.push_back(r);
      continue;
    }
    out.changed = true;
    for (const auto& s : segs) {
      Rule part = r;
      part.ports = s.ports;
      if (s.refused) part.peers.cidrs.subtract(blocked);
      if (!part.peers.empty()) out.rules.push_back(std::move(part));
    }
  }
  return out;
}

size_t excess(const std::vector<LimitIssue>& issues) {
  size_t n = 0;
  for (const auto& i : issues) n += i.excess;
  return n;
}

std::string first_new(const std::vector<LimitIssue>& after, const std::vector<LimitIssue>& before) {
  for (const auto& a : after) {
    auto same = [&](const LimitIssue& b) { return b.message == a.message; };
    if (std::none_of(before.begin(), before.end(), same)) return a.message;
  }
  return after.front().message;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : "; ") + s;
  return out;
}

struct BlockContext {
  Group& g;
  std::vector<Rule>& rules;  // inbound or outbound
  std::string fw;            // "the DigitalOcean firewall", ...
  std::string peers;         // "sources" or "destinations"
  backend::ApproximationReporter& approx;

  void warn(const ir::Origin& o, const std::string& message, std::string hint = {}) {
    approx.report(o, {}, message, std::move(hint));
  }
};

// Takes one block out of the allow rules it overlaps; warns where the cloud
// firewall cannot enforce it. Returns whether the rules changed.
bool apply_block(BlockContext& c, const ir::Block& b) {
  const std::string& label = b.origin.label;
  if (b.action == ir::Verdict::reject)
    c.warn(b.origin, label + ": " + c.fw +
                         " cannot reject, it drops what it does not allow; only the host firewall rejects");
  if (b.log)
    c.warn(b.origin,
           label + ": " + c.fw + " does not log; only the host firewall logs what this block refuses", {});
  if (b.peer.addrs.empty()) return false;
  Outcome out = subtract(c.rules, b);
  if (!out.native.empty())
    c.warn(b.origin,
           label + ": " + c.fw + " cannot deny, and cannot take these addresses out of " +
               joined(out.native) + "; only the host firewall enforces this block there",
           "give the allow rule's network addresses instead of a native reference if the cloud must enforce "
           "it");
  if (!out.unsplittable.empty())
    c.warn(b.origin, label + ": " + c.fw +
                         " cannot deny, and cannot take these addresses out of the all-protocol rule of " +
                         joined(out.unsplittable) +
                         " for some ports only; only the host firewall enforces this block there");
  if (!out.changed) return false;
  std::vector<LimitIssue> before = check_limits(c.g);
  std::vector<Rule> saved = std::move(c.rules);
  c.rules = std::move(out.rules);
  std::vector<LimitIssue> after = check_limits(c.g);
  if (excess(after) <= excess(before)) return true;
  c.rules = std::move(saved);
  c.warn(b.origin,
         label + ": " + c.fw + " cannot deny, and taking these addresses out of the allowed " + c.peers +
             " would exceed its limits (" + first_new(after, before) +
             "); only the host firewall enforces this block",
         "the cloud firewall admits these addresses wherever an allow rule does");
  return false;
}

}  // namespace

bool apply_blocks(Group& g, bool outbound, const std::vector<const ir::Block*>& blocks,
                  backend::ApproximationReporter& approx) {
  BlockContext c{g, outbound ? g.outbound : g.inbound, firewall_noun(g.provider),
                 outbound ? "destinations" : "sources", approx};
  bool changed = false;
  for (const ir::Block* b : blocks) changed = apply_block(c, *b) || changed;
  return changed;
}

}  // namespace fwc::cloud::detail
