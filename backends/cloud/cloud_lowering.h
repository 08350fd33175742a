#pragma once
#include <optional>
#include <string>
#include <vector>

#include "backends/cloud/cloud_model.h"
#include "backends/common/approximation.h"

// Pieces of the cloud lowering shared between its source files.
namespace fwc::cloud::detail {

inline constexpr net::PortRange kAllPorts{1, 65535};
inline Peers anywhere() {
  return Peers{net::AddrSet::any(), {}};
}

// "the DigitalOcean firewall", "the AWS security group", ...
std::string firewall_noun(Provider p);

// The firewall or security group name: the provider's cloud setting (or
// the policy name) and the selection, in the characters the provider takes.
std::string group_name(const ir::Ruleset& rs, Provider p);

// Errors for a group name and DigitalOcean tags the provider refuses.
void check_names(const ir::Ruleset& rs, Provider p, const std::string& name, DiagnosticEngine& diags);

// The addresses and native references a rule's peer stands for on provider
// `p`; nullopt (after an error) when a network has no representation there.
std::optional<Peers> peers_of(const ir::Ruleset& rs, Provider p, const ir::Peer& peer, const ir::Origin& o,
                              DiagnosticEngine& diags);

// Appends allow rules to one direction of a group. Rules for the same
// protocol and ports merge (one payload rule with the union of their
// peers) while the merged field stays within the provider's limit.
class RuleAdder {
 public:
  RuleAdder(Provider p, backend::ApproximationReporter& approx)
      : p_(p), fw_(firewall_noun(p)), approx_(approx) {}
  void add(std::vector<Rule>& rules, Proto proto, net::PortRange ports, const Peers& peers,
           const ir::Origin& o) const;
  void add_ports(std::vector<Rule>& rules, const net::PortSet& ports, const Peers& peers,
                 const ir::Origin& o) const;
  // Every protocol: one `all` rule on AWS, tcp, udp and icmp rules elsewhere
  // (with a warning for the other protocols when `warn_protocols`).
  void add_all(std::vector<Rule>& rules, const Peers& peers, const ir::Origin& o, bool warn_protocols) const;

 private:
  Provider p_;
  std::string fw_;
  backend::ApproximationReporter& approx_;
};

// Cloud firewalls cannot deny: each block takes its addresses out of the
// sources (or destinations) of the allow rules it overlaps, splitting port
// ranges where it names services. A block whose subtraction would push the
// group over a provider limit is left out, with a warning that only the
// host firewall enforces it; so are native references, which cannot be
// narrowed. Returns whether any block changed the rules.
bool apply_blocks(Group& g, bool outbound, const std::vector<const ir::Block*>& blocks,
                  backend::ApproximationReporter& approx);

}  // namespace fwc::cloud::detail
