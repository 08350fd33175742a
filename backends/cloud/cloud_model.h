#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/eval/explain.h"
#include "compiler/ir/ir.h"

// Cloud firewalls (DigitalOcean, AWS security groups, Hetzner Cloud) only
// allow: a group is a list of allow rules per direction, everything else is
// dropped. A node's ruleset is lowered once into this model for one
// provider; limits, approximation warnings and the cloud view of `explain`
// are computed on it, and each provider prints its payload from it, so the
// payload and `explain --target` agree by construction.
namespace fwc::cloud {

enum class Provider { digitalocean, aws, hetzner };
std::optional<Provider> provider_named(std::string_view target);
const char* provider_name(Provider p);   // the target name: "digitalocean"
const char* provider_title(Provider p);  // in messages: "DigitalOcean"

// icmp: ICMP and ICMPv6, every type. all: every protocol (AWS only; the
// other providers get tcp, udp and icmp rules instead).
enum class Proto { tcp, udp, icmp, all };
const char* proto_name(Proto p);

// A peer the provider knows by name rather than by address.
struct NativeRef {
  enum class Kind { tag, droplet, security_group };
  Kind kind = Kind::tag;
  std::string value;        // tag, droplet id, "self", "sg-..." or another group's name
  std::string network;      // the policy network it stands for
  net::AddrSet members;     // that network's addresses: what explain takes its members to be
  std::string str() const;  // "tag heroctl-cluster", "security group self"
};

struct Peers {
  net::AddrSet cidrs;
  std::vector<NativeRef> refs;
  bool empty() const { return cidrs.empty() && refs.empty(); }
  void unite(const Peers& other);
  size_t address_count() const;  // CIDRs of both families
};

struct Rule {
  Proto proto = Proto::tcp;
  net::PortRange ports{1, 65535};   // tcp and udp only
  Peers peers;                      // sources (inbound) or destinations (outbound)
  std::vector<ir::Origin> origins;  // the policy rules it comes from, in order
  bool all_ports() const { return ports.lo <= 1 && ports.hi == 65535; }
  std::string what() const;    // "tcp 4646-4648", "udp (all ports)", "icmp", "all traffic"
  std::string labels() const;  // "inbound[0] public-web, inbound[3] ssh-operators"
};

struct Group {
  Provider provider = Provider::digitalocean;
  std::string name;  // firewall or security group name
  std::string policy_name, policy_file, selection;
  ir::CloudSettings settings;
  std::vector<Rule> inbound, outbound;
  // Outbound traffic is not restricted. Hetzner and AWS let everything out
  // while no outbound rule says otherwise (AWS: its default egress rule);
  // DigitalOcean gets explicit allow-all rules in `outbound`.
  bool outbound_open = true;
  ir::Origin inbound_default;  // "defaults.inbound" and where the defaults are
};

// Lowers a node's (or role's) ruleset for one provider: errors for what the
// provider cannot hold (networks with no representation there, limits),
// warnings for what it approximates. nullopt when there were errors.
std::optional<Group> lower(const ir::Ruleset& rs, Provider p, DiagnosticEngine& diags);

// Provider limits, checked after CIDR aggregation.
struct Limits {
  size_t rules = 0;           // per firewall, both directions (0: no such limit)
  size_t addresses = 0;       // CIDRs per sources/destinations field (0: none)
  const char* unit = "";      // what the provider calls them: "addresses", "CIDRs"
  const char* in_field = "";  // the payload's name for that field
  const char* out_field = "";
  size_t rules_per_family = 0;   // AWS: per direction and address family
  size_t groups_per_target = 0;  // AWS: security groups an interface takes
};
const Limits& limits_of(Provider p);

struct LimitIssue {
  ir::Origin origin;  // the first rule beyond the limit
  std::string message, hint;
  size_t excess = 0;
};
std::vector<LimitIssue> check_limits(const Group& g);

// The cloud view of a new inbound TCP/UDP connection: accepted when a
// payload rule admits the source and port, dropped otherwise.
struct Decision {
  ir::Verdict verdict = ir::Verdict::drop;
  const Rule* rule = nullptr;  // the first admitting payload rule
  std::string via;             // the CIDR or native reference that admitted the source
  bool assumed = false;        // admitted by a native reference, judged by its network's addresses
  std::string network;         // that network
};
Decision explain(const Group& g, const eval::Packet& pkt);
// `explain --target` for a cloud target: the decisions above, worded.
std::unique_ptr<backend::ExplainView> make_explain_view(Group g);

// Text shared by the payload printers.
std::string cidr_text(const net::Cidr& c);  // always with its prefix length
std::vector<std::string> cidr_texts(const net::AddrSet& s, net::Family f);
std::vector<std::string> cidr_texts(const net::AddrSet& s);  // IPv4, then IPv6
std::string port_text(net::PortRange r);                     // "80" or "8000-9000"
std::string thousands(size_t n);                             // "1,000"
// Deterministic JSON text: two-space indentation, keys in insertion order.
std::string dump(const nlohmann::ordered_json& j);

// A cloud target: the shared lowering for provider `p`, then that
// provider's printer, which turns the group into its files.
using Printer = std::vector<backend::Artifact> (*)(const Group& g);
std::unique_ptr<backend::Backend> make_backend(Provider p, Printer print);

}  // namespace fwc::cloud
