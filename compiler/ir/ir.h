#pragma once
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/source_loc.h"
#include "compiler/ir/cloud.h"
#include "compiler/ir/tests.h"
#include "compiler/ir/units.h"
#include "compiler/net/addrset.h"
#include "compiler/net/portset.h"

// The intermediate representation every backend and the evaluator read.
// Names are resolved, networks are address sets, services are port sets;
// nothing here refers to YAML.
namespace fwc::ir {

using net::AddrSet;
using net::PortSet;

enum class Verdict { accept, drop, reject };
const char* verdict_name(Verdict v);

enum class IcmpMode { essential, no_ping, all };

struct Origin {
  std::string label;  // "inbound[1] public-web"
  SourceLoc loc;
  std::string comment;
  std::vector<std::string> ignore;  // acknowledged warning codes
  bool ignores(const char* code) const;
  std::string where() const;  // "file:line"
};


struct Log {
  SourceLoc loc;  // where the log is configured (the `log` key of defaults)
  std::string prefix;
  Rate rate{5, RateUnit::minute};
  LogLevel level = LogLevel::info;
};

// The other end of a rule: a source (inbound, meters) or destination (outbound).
struct Peer {
  AddrSet addrs;
  std::string name;  // the network's name when the rule names exactly one
  // For cloud targets, which may stand for a network by a native reference:
  // the networks the rule names directly, in order, and the addresses of
  // its other entries (addresses, CIDRs, any, node:, role:).
  std::vector<std::string> networks;
  AddrSet direct;
  // Some of the addresses come from host names or `file:` lists: they change
  // between compilations, so backends keep them in a named set that can be
  // updated in place.
  bool refreshable = false;
  bool any(net::Family f) const { return addrs.is_all(f); }
};

struct Scope {
  std::vector<std::string> roles, nodes;
  bool empty() const { return roles.empty() && nodes.empty(); }
};

// A live block set: its entries are added at runtime (`fwc block`), with
// a lifetime, and survive an apply; at compile time it holds nothing.
struct DynamicSet {
  std::string name;
  uint64_t timeout = 0;  // seconds; 0: entries stay until unblocked
  uint64_t max = 65536;
};

struct Block {
  Origin origin;
  std::optional<DynamicSet> dynamic;  // a live set (peer is then empty)
  Peer peer;
  std::optional<PortSet> ports;  // nullopt: all traffic
  Verdict action = Verdict::drop;
  std::optional<Log> log;
  Scope scope;
};

struct Meter {
  Origin origin;
  Peer src;
  PortSet ports;
  Rate rate;
  // Non-zero: a connection limit instead of a rate meter; a new connection
  // is refused when its source already holds this many (always per source).
  uint32_t connections = 0;
  uint32_t burst = 5;
  bool per_source = false;
  Verdict action = Verdict::drop;
  std::optional<Log> log;
  Scope scope;
};

struct Allow {
  Origin origin;
  Peer src;  // inbound, forward
  Peer dst;  // outbound, forward
  PortSet ports;
  std::optional<Log> log;
  Scope scope;
  // Inbound `synproxy: true`: the sources whose SYNs to the rule's TCP ports
  // the kernel's SYN proxy answers. Sources a block rule or meter on those
  // ports covers are left out, so their SYNs stay tracked and still meet
  // that rule (a proxied connection reaches the listener over loopback).
  std::optional<AddrSet> synproxy;
};

struct Otherwise {
  Origin origin;
  PortSet ports;
  Verdict action = Verdict::drop;
  std::optional<Log> log;
  Scope scope;
};

// Where some of a network's addresses came from: a host name it lists
// (resolved) or one of its `file:` lists, with what that source gave.
struct AddrSource {
  enum class Kind { name, file } kind = Kind::name;
  std::string what;  // the host name, or the list's path as written
  SourceLoc loc;
  AddrSet addrs;
  std::string describe() const;  // "alpha.example.com", "file lists/x.txt"
};

struct Network {
  std::string name;
  SourceLoc loc;
  AddrSet addrs;
  NativeRefs native;
  AddrSet hetzner_addrs;
  std::vector<AddrSource> sources;  // its own host names and lists, in order
  bool refreshable = false;         // it or a network it names has such sources
};

struct Node {
  std::string name;
  SourceLoc loc;
  std::vector<net::Address> addresses;
  std::vector<std::string> roles;
  std::string hostname;
};

struct Defaults {
  SourceLoc loc;                                               // the `defaults` map
  SourceLoc inbound_loc, outbound_loc, forward_loc, icmp_loc;  // each key's own line
  SourceLoc published_loc;
  std::vector<std::string> ignore;                             // acknowledged warnings (FWC-W104)
  Verdict inbound = Verdict::drop;
  Verdict outbound = Verdict::accept;
  std::optional<Verdict> forward;
  IcmpMode icmp = IcmpMode::essential;
  // defaults.published: inbound rules also govern traffic DNAT'd from this
  // host's addresses to local containers (govern, the default) or not (ignore).
  bool published = true;
  bool published_set = false;  // written in the policy (not the default)
  PortSet ssh;
  std::optional<Log> log;
};

// The whole policy, every rule with its scope.
struct Policy {
  std::string name;
  std::string file;
  Defaults defaults;
  std::vector<Network> networks;
  std::vector<Node> nodes;
  std::vector<std::string> roles;
  std::vector<Block> inbound_blocks, outbound_blocks;
  std::vector<Meter> meters;
  std::vector<Allow> inbound, outbound, forward;
  std::vector<Otherwise> otherwise;
  AddrSet never;  // addresses no block may cover (`never:`)
  SourceLoc never_loc;
  CloudSettings cloud;
  std::vector<PolicyTest> tests;  // the `tests:` section, checked by lint and verify

  bool has_scoped_rules() const;
  const Node* find_node(const std::string& name) const;
};

// One hook's rules in evaluation order (docs/contract.md, "Evaluation order").
struct Chain {
  std::vector<Block> blocks;
  std::vector<Meter> meters;
  std::vector<Allow> allows;
  std::vector<Otherwise> otherwise;
  Verdict policy = Verdict::drop;
  std::optional<Log> log;
  Origin default_origin;  // "defaults.inbound" and where the defaults are
};

struct Selection {
  enum class Kind { none, node, role } kind = Kind::none;
  std::string name;
  std::string label() const;  // "node node1", "role server", "all nodes"
};

// What one node (or every node of a role) enforces.
struct Ruleset {
  std::string policy_name;
  std::string policy_file;
  std::string selection;
  IcmpMode icmp = IcmpMode::essential;
  SourceLoc icmp_loc;  // where defaults.icmp is set
  Chain input;
  std::optional<Chain> output;   // only when the policy restricts outbound
  std::optional<Chain> forward;  // only when the policy manages forwarding
  // For cloud targets: what was selected (names the group), the policy's
  // networks (native references) and its cloud settings.
  Selection selected;
  std::vector<Network> networks;
  CloudSettings cloud;
  AddrSet never;  // addresses a live block set never drops (`never:`)
  PortSet ssh;    // defaults.ssh: what the lock-out guard keeps open
  // The input chain also applies to connections DNAT'd from this host's
  // addresses (published container ports, NodePorts): defaults.published.
  bool published = true;
  bool published_set = false;  // written in the policy (not the default)
  SourceLoc published_loc;     // where defaults.published is set (else the defaults)
  // The live block sets of this ruleset's block rules, in policy order.
  std::vector<DynamicSet> dynamic_sets() const;
};

}  // namespace fwc::ir
