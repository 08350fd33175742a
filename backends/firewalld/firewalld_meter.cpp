#include <set>

#include "backends/firewalld/firewalld_lowering.h"

// firewalld's `limit` accepts under the rate and lets the rest continue: a
// meter becomes a limit-accept rule for what the allow rules accept, then
// the meter's action for the same traffic (what is left is over the rate).
namespace fwc::firewalld {

namespace {

using net::PortSet;

// nft's limit statement, which firewalld's `limit` becomes, has a burst of 5.
constexpr uint32_t kFirewalldBurst = 5;

// The warnings of a meter firewalld enforces, before its rules; false when
// it cannot enforce it at all.
bool check_meter(Builder& b, const ir::Meter& m, const std::vector<const ir::Meter*>& earlier) {
  const std::string rate = m.rate.str();
  if (m.per_source) {
    b.warn(m.origin,
           "firewalld cannot keep a meter per source address; this meter is not enforced (one shared " +
               rate + " bucket would throttle every source together)",
           "use the nftables or iptables target for per-source meters, or set per_source: false for a "
           "shared limit");
    return false;
  }
  if (m.burst != kFirewalldBurst)
    b.warn(m.origin, "firewalld's limit has no burst setting; the burst of " + std::to_string(m.burst) +
                         " packets becomes nftables' default of " + std::to_string(kFirewalldBurst));
  for (const ir::Meter* e : earlier) {
    if (e->src.addrs.overlaps(m.src.addrs) && e->ports.intersects(m.ports))
      b.warn(m.origin,
             "overlaps " + e->origin.label +
                 ": firewalld accepts what is under that meter's rate without counting it here",
             "give overlapping meters disjoint sources or services");
  }
  return true;
}

}  // namespace

void lower_meter(Builder& b, Container& z, const ir::Chain& in, const ir::Meter& m, size_t index,
                 const std::vector<const ir::Meter*>& earlier) {
  int prio = band::kMeter + 2 * static_cast<int>(index);
  if (!b.band_ok(m.origin, prio + 1, band::kMeterEnd, "rate meters") || !check_meter(b, m, earlier)) return;
  const std::string rate = m.rate.str();
  bool refused_region = false;
  std::vector<Piece> pieces = meter_pieces(in, m, refused_region);
  if (refused_region)
    b.warn(m.origin,
           "firewalld's limit only counts connections the allow rules accept: connections to the metered "
           "services from other sources use no share of the " +
               rate + " rate, and over it they meet the otherwise/default action instead of the meter's",
           "narrow `from:` to the sources the allow rules accept on these services");
  const std::string label = comment_for(m.origin);
  Group under{label + ": under " + rate + ", accepted", {}};
  Group over{label + ": over " + rate + ", " + ir::verdict_name(m.action), {}};
  RichRule acc;
  acc.priority = prio;
  acc.action = Action::accept;
  acc.action_limit = b.limit_of(m.origin, m.rate);
  RichRule act;
  act.priority = prio + 1;
  act.action = m.action == ir::Verdict::reject ? Action::reject : Action::drop;
  const std::string stem = "meter-" + rule_stem(m.origin);
  const std::string set_comment = "sources " + m.origin.label + " meters";
  std::set<std::string> logged_prefixes;
  for (const Piece& piece : pieces) {
    PortSet ports;
    ports.add(piece.proto, piece.range);
    RichRule under_rule = acc;
    if (piece.logged_by) {
      under_rule.log = b.log_of(piece.logged_by->origin, *piece.logged_by->log, false);
      logged_prefixes.insert(piece.logged_by->log->prefix);
    }
    // Sources of more than one CIDR become an ipset: one rule, one bucket, per family.
    b.expand(under, {&piece.allowed, stem}, {}, ports, under_rule, set_comment, 1);
    if (m.log) act.log = b.log_of(m.origin, *m.log, false);
    b.expand(over, {&piece.allowed, stem}, {}, ports, act, set_comment, 1);
  }
  for (const auto& p : logged_prefixes)
    b.warn(m.origin, "over-rate connections are also logged with the allow rule's prefix \"" + p + "\"");
  // nftables draws every rule of a global meter from one bucket.
  if (under.rules.size() > 1)
    b.warn(m.origin,
           "firewalld keeps one " + rate + " bucket per rich rule; this meter needs " +
               std::to_string(under.rules.size()) +
               " rules (per family, protocol, port range and source group), each with its own bucket",
           "meter one port range of one protocol from one family, or use the nftables target for a shared "
           "bucket");
  b.add_group(z, std::move(under));
  b.add_group(z, std::move(over));
}

}  // namespace fwc::firewalld
