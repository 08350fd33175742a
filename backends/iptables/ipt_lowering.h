#pragma once
#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backends/common/approximation.h"
#include "backends/common/naming.h"
#include "backends/common/shared_sets.h"
#include "backends/iptables/ipt_backend.h"
#include "compiler/ir/walk.h"

// The lowering to the iptables model, shared by the files that implement
// it: ipt_lower.cpp (the walk's steps), ipt_fixed.cpp (the fixed steps and
// ICMP), ipt_match.cpp (address and port matches, sets), ipt_refuse.cpp
// (refusing rules, logging, rates), ipt_meter.cpp (hashlimit meters).
namespace fwc::ipt {

Target target_of(ir::Verdict v);
// The rule's label and place as an xt_comment.
std::string comment_for(const ir::Origin& o);
// A readable stem for the names a rule needs, in the characters iptables
// and ipset take in names without quoting.
std::string rule_stem(const ir::Origin& o);
// `s` in those characters.
std::string sanitize_name(const std::string& s);

// A sink of the chain walk, driven once per family: each step of the
// evaluation order becomes rules of fwc's chain for the hook in the table
// of that family, plus the per-rule chains and ipsets they need.
class Lowering : public ir::ChainSink {
 public:
  Lowering(const ir::Ruleset& rs, DiagnosticEngine& diags);
  Model run();

  void begin(ir::Hook h, const ir::Chain& c) override;
  ir::Flow fixed(ir::Hook h, ir::Step s) override;
  ir::Flow block(ir::Hook h, const ir::Block& b) override;
  ir::Flow meter(ir::Hook h, const ir::Meter& m) override;
  ir::Flow allow(ir::Hook h, const ir::Allow& a) override;
  ir::Flow synproxy(ir::Hook h, const ir::Allow& a) override;
  ir::Flow otherwise(ir::Hook h, const ir::Otherwise& o) override;
  void fallback(ir::Hook h, const ir::Chain& c) override;

 private:
  void lower_family(Table& t);
  void forward_allow(const ir::Allow& a);
  void add(const std::string& match, Target target, const std::string& comment);
  void icmp_rules(bool outbound);
  // The rules matching `peer` (in the table's family) and `ports`, one per
  // protocol and multiport group, each a copy of `base`.
  void expand(const ir::Peer& peer, bool dst, const std::optional<net::PortSet>& ports, const Rule& base,
              const std::string& set_hint);
  std::optional<AddrMatch> addr_match(const ir::Peer& peer, bool dst, const std::string& hint);
  std::string set_for(const net::AddrSet& addrs, const std::string& hint);
  void live_block(const ir::Block& b);
  // A refusing rule: jumps to a chain of its own that logs and refuses when
  // it logs (one log bucket however many rules match), else the verdict.
  void refuse(const ir::Peer& peer, bool dst, const std::optional<net::PortSet>& ports,
              const ir::Origin& origin, const std::optional<ir::Log>& log, ir::Verdict action);
  void meter_rules(const ir::Meter& m);
  Rule log_rule(const ir::Origin& origin, const ir::Log& log, bool rate_limited);
  std::string sub_chain(const ir::Origin& origin, std::vector<Rule> rules);
  std::string hashlimit_name(const ir::Meter& m);
  HashLimit hashlimit(const ir::Meter& m);
  ir::Rate checked_rate(const ir::Rate& r, uint64_t max_per_second, const char* what,
                        const ir::Origin& origin);

  const ir::Ruleset& rs_;
  backend::ApproximationReporter approximations_;
  Model m_;
  Table* table_ = nullptr;  // the family being lowered
  // fwc's chains of that family, indexed by ir::Hook (input, output,
  // forward, published: also their order in the table), declared whether
  // managed or not.
  std::array<Chain, 4> own_;
  bool published_ = false;  // walking Hook::published: ports before DNAT
  std::map<std::string, std::string> live_sets_;  // live set name → this family's ipset
  Chain* chain_ = nullptr;  // the chain being walked
  naming::UniqueNames chain_names_, set_names_, hashlimit_names_;
  std::map<std::string, std::string> chain_by_label_, hashlimit_by_label_;
  backend::SharedSets shared_sets_;
};

}  // namespace fwc::ipt
