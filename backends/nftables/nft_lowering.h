#pragma once
#include <map>
// The nftables lowering's internals, shared by its files (nft_lower.cpp:
// the walk's steps; nft_match.cpp: matches and sets; nft_fixed.cpp: the
// fixed and ICMP rules; nft_meter.cpp: meters).
#include <optional>
#include <string>
#include <vector>

#include "backends/common/escape.h"
#include "backends/common/naming.h"
#include "backends/common/shared_sets.h"
#include "backends/nftables/nft_backend.h"
#include "compiler/ir/walk.h"

namespace fwc::nft::lowering {

using net::Family;

using backend::kInlineLimit;

inline Verdict verdict_of(ir::Verdict v) {
  switch (v) {
    case ir::Verdict::accept:
      return Verdict::accept;
    case ir::Verdict::reject:
      return Verdict::reject;
    case ir::Verdict::drop:
      break;
  }
  return Verdict::drop;
}

// "2m", "2h": the largest unit that divides the duration.
inline std::string nft_duration(uint64_t seconds) {
  return ir::format_duration(seconds);
}

using naming::rule_stem;

inline std::string sanitize_name(const std::string& s) {
  return naming::sanitize(s);
}

inline std::string comment_for(const ir::Origin& o) {
  return escape::nft_string(naming::origin_text(o), kCommentMax);
}

// A sink of the chain walk: each step of the evaluation order becomes nft

class Lowering : public ir::ChainSink {
 public:
  Lowering(const ir::Ruleset& rs, DiagnosticEngine& diags) : rs_(rs), diags_(diags) {}
  Table run();

  void begin(ir::Hook h, const ir::Chain& c) override;
  ir::Flow fixed(ir::Hook h, ir::Step s) override;
  ir::Flow block(ir::Hook h, const ir::Block& b) override;
  ir::Flow meter(ir::Hook h, const ir::Meter& m) override;
  ir::Flow allow(ir::Hook h, const ir::Allow& a) override;
  ir::Flow synproxy(ir::Hook h, const ir::Allow& a) override;
  ir::Flow otherwise(ir::Hook h, const ir::Otherwise& o) override;
  void fallback(ir::Hook h, const ir::Chain& c) override;

 private:
  void forward_allow(const ir::Allow& a, const Rule& base);
  void live_block(const ir::Block& b);
  std::string never_set(Family f);
  static void fixed(Chain& c, Rule r, Verdict v, const std::string& comment);
  void icmp_rules(Chain& c, bool outbound);
  // One rule per address family present in `peer` (or a single family-free
  // rule when the peer is everything), each expanded per protocol.
  void expand(Chain& c, const ir::Peer& peer, bool daddr, const std::optional<net::PortSet>& ports,
              const Rule& base, const std::string& set_hint);
  std::optional<AddrMatch> addr_match(const ir::Peer& peer, Family f, bool daddr, const std::string& hint);
  std::string set_for(Family f, const net::AddrSet& addrs, const std::string& hint);
  std::string refreshable_set_for(Family f, const ir::Peer& peer, const std::string& hint);
  // Sets and limit objects share one namespace of names in the table.
  std::string unique_name(const std::string& base);
  void logged(Chain& c, const Rule& base, const std::optional<ir::Log>& log, bool rate_limited);
  void meter_rules(Chain& c, const ir::Meter& m);
  std::string meter_set(const ir::Meter& m, Family f, const std::string& hint);
  // A refusing rule (block, otherwise): its rate-limited log rule, then the verdict.
  void refuse(Chain& c, const ir::Peer& peer, bool daddr, const std::optional<net::PortSet>& ports,
              const ir::Origin& origin, const std::optional<ir::Log>& log, ir::Verdict action);

  const ir::Ruleset& rs_;
  DiagnosticEngine& diags_;
  Table t_;
  Chain chain_;  // the chain being walked
  std::optional<Chain> raw_;  // prerouting at priority raw (SYN proxy only)
  backend::SharedSets shared_sets_;
  std::map<std::string, std::string> refreshable_sets_;  // peer key and family → set name
  // Walking Hook::published: ports match the connection's original
  // destination, and meters and live block sets are the input chain's.
  bool published_ = false;
  std::map<std::pair<const ir::Meter*, int>, std::string> meter_names_;  // meter and family (2: limit)
  std::map<std::pair<std::string, int>, std::string> live_sets_;        // live set and family
  naming::UniqueNames names_;
};

Rule ct(uint32_t states);
Rule icmp(Family f, std::vector<uint8_t> types, bool nd_hoplimit = false);

}  // namespace fwc::nft::lowering
