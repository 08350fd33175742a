#include <algorithm>
#include <set>

#include "backends/firewalld/firewalld_lowering.h"

// Where a meter's traffic meets the allow rules: firewalld's limit only
// counts what a rule with the limit accepts.
namespace fwc::firewalld {

namespace {

using net::AddrSet;
using net::PortRange;
using net::PortSet;
using net::Proto;

// Where the allow rules (or an accepting default) accept traffic.
struct Cover {
  AddrSet src;
  PortSet ports;
  const ir::Allow* allow = nullptr;
};

// A default `accept` accepts from anywhere on the ports no otherwise
// clause claims.
std::vector<Cover> covers_of(const ir::Chain& in, const ir::Meter& m) {
  std::vector<Cover> covers;
  for (const auto& a : in.allows) covers.push_back({a.src.addrs, a.ports, &a});
  if (in.policy == ir::Verdict::accept) {
    PortSet claimed;
    for (const auto& o : in.otherwise) claimed.unite(o.ports);
    covers.push_back({AddrSet::any(), m.ports.subtract(claimed), nullptr});
  }
  return covers;
}

// The sources of a cover the meter counts. In a family the meter takes
// whole they are the cover's own (its storage, so that the meter's rules
// share the allow rule's ipset).
AddrSet counted(const AddrSet& cover, const AddrSet& metered) {
  AddrSet out;
  for (net::Family f : {net::Family::v4, net::Family::v6}) {
    AddrSet part = metered.is_all(f) ? cover : cover.intersect(metered);
    part.subtract(AddrSet::any_of(f == net::Family::v4 ? net::Family::v6 : net::Family::v4));
    out.append(part);
  }
  return out;
}

// The sources the covers accept on `piece`'s ports; the first logging
// allow rule among them logs the piece.
void accepted_on(Piece& piece, const std::vector<Cover>& covers, const ir::Meter& m) {
  for (const Cover& c : covers) {
    if (!c.ports.contains(piece.proto, piece.range.lo)) continue;
    AddrSet part = counted(c.src, m.src.addrs);
    if (part.empty()) continue;
    piece.allowed.unite(part);
    if (c.allow && c.allow->log && !piece.logged_by) piece.logged_by = c.allow;
  }
}

// Adds `piece` to `out`, merged with the previous piece when they meet.
void append(std::vector<Piece>& out, Piece piece) {
  if (!out.empty() && out.back().proto == piece.proto && out.back().range.hi + 1u == piece.range.lo &&
      out.back().logged_by == piece.logged_by && out.back().allowed == piece.allowed) {
    out.back().range.hi = piece.range.hi;
  } else if (!piece.allowed.empty()) {
    out.push_back(std::move(piece));
  }
}

}  // namespace

std::vector<Piece> meter_pieces(const ir::Chain& in, const ir::Meter& m, bool& refused_region) {
  std::vector<Cover> covers = covers_of(in, m);
  std::vector<Piece> out;
  for (Proto p : {Proto::tcp, Proto::udp}) {
    std::set<uint32_t> cuts;
    for (const Cover& c : covers)
      for (const PortRange& r : c.ports.of(p)) {
        cuts.insert(r.lo);
        cuts.insert(static_cast<uint32_t>(r.hi) + 1);
      }
    for (const PortRange& mr : m.ports.of(p)) {
      for (uint32_t lo = mr.lo, hi = 0; lo <= mr.hi; lo = hi + 1) {
        auto next = cuts.upper_bound(lo);
        hi = std::min<uint32_t>(mr.hi, next == cuts.end() ? mr.hi : *next - 1);
        Piece piece{p, {static_cast<uint16_t>(lo), static_cast<uint16_t>(hi)}, {}, nullptr};
        accepted_on(piece, covers, m);
        AddrSet refused = m.src.addrs;
        refused.subtract(piece.allowed);
        if (!refused.empty()) refused_region = true;
        append(out, std::move(piece));
      }
    }
  }
  return out;
}

}  // namespace fwc::firewalld
