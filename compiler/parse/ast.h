#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/source_loc.h"
#include "compiler/ir/cloud.h"

// The policy as written: names unresolved, every value with its location.
namespace fwc::ast {

struct Text {
  std::string value;
  SourceLoc loc;
  uint32_t length() const { return value.empty() ? 1 : static_cast<uint32_t>(value.size()); }
};

struct NativeRefs {
  std::vector<Text> do_tags;
  std::vector<Text> do_droplet_ids;
  std::optional<Text> aws_security_group;
  std::vector<Text> hetzner_addresses;
  bool has_hetzner = false;
  bool empty() const {
    return do_tags.empty() && do_droplet_ids.empty() && !aws_security_group && !has_hetzner;
  }
};

struct Network {
  Text name;
  std::vector<Text> addresses;
  std::vector<Text> except;
  std::vector<Text> files;
  NativeRefs native;
  std::string description;
  // `min_entries`: fewer addresses from the network's host names and lists
  // is an error (0: no minimum).
  uint64_t min_entries = 0;
  SourceLoc min_entries_loc;
};

struct Service {
  Text name;
  std::vector<Text> items;  // port specs or service names
};

struct Node {
  Text name;
  std::vector<Text> addresses;
  std::vector<Text> roles;
  std::string hostname;
};

struct Scope {
  std::vector<Text> roles;
  std::vector<Text> nodes;
  bool empty() const { return roles.empty() && nodes.empty(); }
};

struct Rate {
  uint64_t count = 0;
  std::string unit;  // second, minute, hour, day
  SourceLoc loc;
};

struct LogSpec {
  Text prefix;
  std::optional<Rate> rate;
  std::string level = "info";
};

// Fields shared by every rule kind.
struct RuleBase {
  std::string kind;   // "block", "inbound", ...
  size_t index = 0;   // position in its list
  SourceLoc loc;      // the rule's mapping
  std::string name;
  std::string comment;
  Scope scope;
  std::vector<Text> ignore;  // warning codes this rule acknowledges
  // The loader reported an error inside the rule: resolution skips it, so
  // one mistake does not cascade into more.
  bool broken = false;
  std::string label() const {  // "inbound[2] public-web"
    std::string out = kind + "[" + std::to_string(index) + "]";
    return name.empty() ? out : out + " " + name;
  }
};

// A live block set (`dynamic: NAME`): filled at runtime by `fwc block`.
struct DynamicSet {
  Text name;
  uint64_t timeout = 0;  // seconds an entry lives by default; 0: until unblocked
  SourceLoc timeout_loc;
  uint64_t max = 65536;  // entries the set holds at most
};

struct BlockRule : RuleBase {
  std::optional<DynamicSet> dynamic;  // a live set instead of from/to
  std::vector<Text> from, to;
  bool has_from = false, has_to = false;
  std::vector<Text> services;  // empty: all traffic
  Text action{"drop", {}};
  std::optional<Text> log;
};

struct Otherwise {
  SourceLoc loc;
  Text action{"drop", {}};
  std::optional<Text> log;
};

struct AllowRule : RuleBase {
  std::vector<Text> allow;  // service names, inline specs, or "all"
  std::vector<Text> from, to;
  std::optional<Text> log;
  std::optional<Otherwise> otherwise;
  // Inbound only: the kernel's SYN proxy answers the handshake (TCP ports only).
  bool synproxy = false;
  SourceLoc synproxy_loc;
};

struct RateLimit : RuleBase {
  std::vector<Text> services;
  std::vector<Text> from;  // empty: any
  Rate rate;
  // Set instead of `rate`: at most this many concurrent connections per source.
  std::optional<uint32_t> connections;
  SourceLoc connections_loc;
  uint32_t burst = 5;
  bool per_source = false;
  Text action{"drop", {}};
  std::optional<Text> log;
};

struct Defaults {
  SourceLoc loc;  // the `defaults` map
  // Where each key stands (the map's location when the key is absent), so
  // what is said about a default points at its own line.
  SourceLoc inbound_loc, outbound_loc, forward_loc, icmp_loc, log_loc, published_loc;
  Text inbound{"drop", {}};
  Text outbound{"accept", {}};
  std::optional<Text> forward;
  Text icmp{"essential", {}};
  Text published{"govern", {}};
  std::vector<Text> ssh;  // service items used by the lock-out check
  std::optional<LogSpec> log;
  std::vector<Text> ignore;  // warning codes acknowledged for the defaults (FWC-W104)
};

// An entry of `tests:`: the verdict connections from `from` to `port` of
// the selected nodes must get (compiler/parse/tests_section.cpp).
struct PolicyTest {
  size_t index = 0;
  SourceLoc loc;  // the entry's mapping
  std::string name;
  Text from;
  std::optional<Text> to_node, to_role;  // neither: every node
  Text port;
  Text expect;
  bool published = false;
  std::string label() const {  // "tests[2] admin-closed"
    std::string out = "tests[" + std::to_string(index) + "]";
    return name.empty() ? out : out + " " + name;
  }
};

// Sections the loader could not read completely: a reference to a name of
// that kind may name what was lost, so it is not reported as unknown.
struct Incomplete {
  bool networks = false, services = false, nodes = false, roles = false;
};

// The IR keeps the `cloud:` settings as they are parsed.
using CloudSettings = ir::CloudSettings;

struct Policy {
  std::string file;
  SourceLoc loc;  // start of the document
  Text name;
  std::string description;
  std::vector<Network> networks;
  std::vector<Service> services;
  std::vector<Text> roles;
  std::vector<Node> nodes;
  Defaults defaults;
  std::vector<BlockRule> block;
  // `never:` networks and addresses that no block may cover (operators,
  // monitoring); `never_loc` is the key's location.
  std::vector<Text> never;
  SourceLoc never_loc;
  std::vector<AllowRule> inbound, outbound, forward;
  std::vector<RateLimit> rate_limits;
  CloudSettings cloud;
  std::vector<PolicyTest> tests;
  Incomplete incomplete;
};

}  // namespace fwc::ast
