#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"

// firewalld: the ruleset as a small model of firewalld's permanent
// configuration (lowering) — one zone "fwc" for inbound traffic, policy
// objects "fwc-out" and "fwc-fwd" for the outbound and forward chains, ipsets
// "fwc-*" for large networks — and a shell script of firewall-offline-cmd
// commands printed from that model (emitting).
namespace fwc::firewalld {

// Warning code of every construct firewalld can only approximate.
inline constexpr const char* kApproximation = code::approximated;

// Names fwc owns in firewalld's configuration.
inline constexpr const char* kZone = "fwc";
inline constexpr const char* kOutPolicy = "fwc-out";
inline constexpr const char* kFwdPolicy = "fwc-fwd";
inline constexpr const char* kIpsetPrefix = "fwc-";
// Kernel ipset names hold at most 31 characters.
inline constexpr size_t kIpsetNameMax = 31;

// Rich-rule priority bands: firewalld evaluates rich rules with a negative
// priority first (ascending), then zone ports (priority 0), then rich rules
// with a positive priority, then the zone target.
namespace band {
inline constexpr int kNeighbour = -32768;  // IPv6 neighbour discovery (inbound); ICMP (outbound)
inline constexpr int kBlock = -32000;      // + index of the block rule
inline constexpr int kBlockEnd = -20000;
inline constexpr int kIcmp = -20000;   // essential ICMP after the block lists
inline constexpr int kMeter = -10000;  // + 2 * index: limit-accept, then the meter's action
inline constexpr int kMeterEnd = -5000;
inline constexpr int kAllow = -5000;  // + index of the allow rule
inline constexpr int kAllowEnd = 0;
inline constexpr int kOtherwise = 1;  // + index of the otherwise clause
inline constexpr int kOtherwiseEnd = 32767;
inline constexpr int kDefault = 32767;  // default log and reject
}  // namespace band

// One side of a rich rule: a single address/CIDR or an ipset.
struct Addr {
  std::string address;
  std::string ipset;
};

struct RichLog {
  std::string prefix;
  std::string level = "info";  // firewalld's names: error, warning, ...
  std::string limit;           // "5/m"; empty: not limited
};

enum class Action { none, accept, drop, reject };

enum class Element { none, port, icmp_type, protocol };

struct RichRule {
  int priority = 0;
  std::optional<net::Family> family;  // nullopt: both families
  std::optional<Addr> source, destination;
  Element element = Element::none;
  net::Proto proto = net::Proto::tcp;  // Element::port
  net::PortRange ports;                // Element::port
  std::string name;                    // icmp-type name or protocol value
  std::optional<RichLog> log;
  Action action = Action::none;
  std::string action_limit;  // "10/s"; empty: none
};

// The rich rules one policy rule produced, shown under one comment.
struct Group {
  std::string comment;
  std::vector<RichRule> rules;
};

struct PortEntry {
  std::string comment;
  net::Proto proto = net::Proto::tcp;
  net::PortRange range;
};

struct IpSet {
  std::string name;
  net::Family family = net::Family::v4;
  net::AddrSet addrs;  // entries: its CIDRs of `family` (shared, not copied)
  std::string comment;
};

// A zone (inbound) or a policy object (outbound, forward).
struct Container {
  bool is_zone = true;
  std::string name;
  std::string short_text;       // --set-short
  std::string target;           // DROP, ACCEPT
  std::string ingress, egress;  // policy objects: HOST / ANY
  std::vector<PortEntry> ports;
  std::vector<Group> groups;
};

struct Config {
  std::vector<std::string> header;
  std::vector<IpSet> ipsets;
  Container zone;
  std::optional<Container> out, fwd;
};

Config lower(const ir::Ruleset& rs, DiagnosticEngine& diags);
std::string emit(const Config& c);
// A rich rule as firewalld writes it back (--list-rich-rules).
std::string rich_text(const RichRule& r);
std::unique_ptr<backend::Backend> make_backend();

}  // namespace fwc::firewalld
