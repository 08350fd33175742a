#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "backends/common/approximation.h"
#include "backends/common/naming.h"
#include "backends/common/shared_sets.h"
#include "backends/firewalld/firewalld_backend.h"
#include "compiler/ir/walk.h"

// The parts of the firewalld lowering: a builder of the configuration model
// (rich rules, ports, ipsets) and the chain-walk sink that drives it.
namespace fwc::firewalld {

// Networks with more CIDRs than this (per family) become ipsets; smaller
// ones give one rich rule per CIDR.
using backend::kInlineLimit;

// The comment over a rule's commands: its label and place (the emitter
// keeps it on one '#' line).
inline std::string comment_for(const ir::Origin& o) {
  return naming::origin_text(o);
}

// A readable stem for the ipsets a rule needs: its name, or "inbound_2".
inline std::string rule_stem(const ir::Origin& o) {
  return naming::rule_stem(o, "-.", true);
}

// What a rule matches on one side of a rich rule, and how ipsets made for
// it are named and described.
struct Match {
  const net::AddrSet* addrs = nullptr;  // null: no match on this side
  std::string hint;                     // the ipset name's stem
};

// Builds the configuration model: rich rules expanded per family, address
// and port range, zone ports, shared ipsets, and the warnings for what
// firewalld can only approximate.
class Builder {
 public:
  explicit Builder(DiagnosticEngine& diags) : diags_(diags), approx_(diags) {}

  Config& config() { return cfg_; }
  backend::ApproximationReporter& approximations() { return approx_; }
  void warn(const ir::Origin& o, const std::string& message, std::string hint = {}) {
    approx_.report(o, {}, message, std::move(hint));
  }
  // False (and an error) when `priority` has run past its band's `end`.
  bool band_ok(const ir::Origin& o, int priority, int end, const char* what);
  std::optional<RichLog> log_of(const ir::Origin& o, const ir::Log& l, bool limited);
  std::string limit_of(const ir::Origin& o, const ir::Rate& r);
  // Rich rules for every family/address combination of src and dst and
  // every port range of `ports` (absent or all: none).
  void expand(Group& g, const Match& src, const Match& dst, const std::optional<net::PortSet>& ports,
              const RichRule& base, const std::string& set_comment, size_t inline_limit = kInlineLimit);
  void add_ports(Container& c, const net::PortSet& ports, const std::string& comment);
  // Adds `g` without the rich rules `c` already has.
  void add_group(Container& c, Group g);

 private:
  struct Side {  // its family (none: both) and address (none: any)
    std::optional<net::Family> family;
    std::optional<Addr> addr;
  };
  std::string ipset_for(net::Family f, const net::AddrSet& addrs, const std::string& hint,
                        const std::string& comment);
  std::vector<Side> sides(const Match& m, const std::string& comment, size_t inline_limit);

  DiagnosticEngine& diags_;
  backend::ApproximationReporter approx_;
  Config cfg_;
  backend::SharedSets shared_sets_;
  naming::UniqueNames ipset_names_{kIpsetNameMax, '-', "-_."};
  std::map<std::string, std::set<std::string>> rule_texts_;  // per container: no duplicates
  std::map<std::string, net::PortSet> port_done_;            // per container: zone ports so far
};

// Part of a meter's ports and sources that the allow rules accept.
struct Piece {
  net::Proto proto = net::Proto::tcp;
  net::PortRange range;
  net::AddrSet allowed;
  const ir::Allow* logged_by = nullptr;  // the allow rule that logs it
};

// The meter's ports, cut where the allow rules' ports start or end, each
// piece with the sources they accept there. `refused_region`: part of the
// meter's sources is accepted nowhere on some piece.
std::vector<Piece> meter_pieces(const ir::Chain& in, const ir::Meter& m, bool& refused_region);

// A rate meter of the zone `z`: its limit-accept and over-rate rules.
// `earlier`: the meters before it that firewalld enforces.
void lower_meter(Builder& b, Container& z, const ir::Chain& in, const ir::Meter& m, size_t index,
                 const std::vector<const ir::Meter*>& earlier);

// The zone (input) or policy object (output, forward) a chain becomes,
// before its rules.
Container container_for(ir::Hook h, const ir::Ruleset& rs);

// The ICMP rich rules of a fixed step of the chain walk.
Group neighbour_discovery_group();
Group inbound_icmp_group(ir::IcmpMode mode);
Group outbound_icmp_group();

}  // namespace fwc::firewalld
