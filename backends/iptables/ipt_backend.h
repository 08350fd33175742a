#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/common/multiport.h"
#include "backends/common/shared_sets.h"

// iptables: the ruleset as a small model of fwc's chains in the `filter`
// table of each family plus the ipsets they read (lowering), and the
// iptables-restore, ip6tables-restore and ipset-restore files printed from
// that model (emitting).
namespace fwc::ipt {

// Warning for a construct iptables can only approximate (a truncated log
// prefix, a rate beyond what the kernel modules accept).
inline constexpr const char* kApproximated = code::approximated;

// Kernel and tool limits the lowering stays within.
using backend::kInlineLimit;  // more CIDRs per family: an ipset
using backend::kMultiportSlots;  // a port range takes two
inline constexpr size_t kLogPrefixMax = 29;                  // xt_LOG prefix, without the NUL
inline constexpr size_t kCommentMax = 255;                   // xt_comment, without the NUL
inline constexpr size_t kChainNameMax = 28;                  // XT_EXTENSION_MAXNAMELEN - 1
inline constexpr size_t kSetNameMax = 31;                    // IPSET_MAXNAMELEN - 1
inline constexpr size_t kHashlimitNameMax = 15;              // IFNAMSIZ - 1
inline constexpr uint64_t kLimitMaxPerSecond = 10000;        // xt_limit
inline constexpr uint64_t kHashlimitMaxPerSecond = 1000000;  // xt_hashlimit

// fwc's chains, jumped to from the built-in chain of the same hook.
inline constexpr const char* kInputChain = "FWC-INPUT";
inline constexpr const char* kRawChain = "FWC-PREROUTING";  // in the raw table
inline constexpr const char* kOutputChain = "FWC-OUTPUT";
inline constexpr const char* kForwardChain = "FWC-FORWARD";
// Published ports: jumped to from FORWARD for DNAT'd connections only.
inline constexpr const char* kPublishedChain = "FWC-PUBLISHED";
inline constexpr const char* kPublishedMatch = "-m conntrack --ctstate DNAT";

// A set is loaded under NAME + this suffix, then swapped in.
inline constexpr const char* kSetStagingSuffix = ".new";

// `ret`: RETURN, the published chain's accept (the chains after it decide).
enum class Target { none, accept, drop, reject, log, jump, notrack, synproxy, ret };

// The SYN proxy's options: fixed, the common values of Linux peers.
inline constexpr uint16_t kSynproxyMss = 1460;
inline constexpr uint8_t kSynproxyWscale = 7;

struct AddrMatch {
  bool dst = false;
  bool negate = false;  // -m set ! --match-set
  std::string set;               // an ipset (-m set --match-set NAME src|dst), or
  std::vector<net::Cidr> cidrs;  // -s/-d a,b,c; neither: the whole family (no match)
};

struct PortMatch {
  net::Proto proto = net::Proto::tcp;
  std::vector<net::PortRange> ports;  // at most kMultiportSlots slots
  // `-m conntrack --ctorigdstport`: the port the connection was sent to,
  // before DNAT (the published chain); then one range.
  bool original = false;
};

struct HashLimit {
  std::string name;
  ir::Rate rate;
  uint32_t burst = 5;
  bool per_source = false;  // --hashlimit-mode srcip; otherwise one bucket
  uint64_t expire_ms = 0;
};

struct Rule {
  std::string match;  // protocol-level matches (conntrack state, interface, ICMP types)
  std::optional<AddrMatch> src, dst;
  std::optional<AddrMatch> src_except;  // a second source match: not in this set
  std::optional<PortMatch> port;
  bool tcp_syn = false;  // -m tcp --syn: a connection's first packet
  bool ct_new = false;
  std::optional<uint32_t> connlimit;   // -m connlimit: matches above N connections per source
  std::optional<HashLimit> hashlimit;  // matches over the rate
  std::optional<ir::Rate> limit;       // matches under the rate (log rate)
  std::string comment;
  Target target = Target::none;
  std::string jump;        // Target::jump
  std::string log_prefix;  // Target::log
  std::string log_level;
};

struct Chain {
  std::string name;
  std::vector<Rule> rules;
};

// One family's share of the `filter` table.
struct Table {
  net::Family family = net::Family::v4;
  // The jumps from built-in chains to fwc's: `-I INPUT 1 -j FWC-INPUT`, ...
  struct Jump {
    std::string builtin, match, chain;
  };
  std::vector<Jump> hooks;
  std::vector<Chain> chains;       // fwc's chains, then the per-rule chains
  // FWC-PREROUTING of the `raw` table (SYN proxy: SYNs left untracked);
  // no rules: the raw table is not touched.
  Chain raw;
};

struct IpSet {
  std::string name;
  net::Family family = net::Family::v4;
  net::AddrSet addrs;  // elements: its CIDRs of `family` (shared, not copied)
  size_t entries = 0;  // number of CIDRs
  // A live block set: created if missing, never reloaded (its entries are
  // runtime state: `ipset add NAME ADDR timeout N`).
  bool live = false;
  uint64_t timeout = 0;  // default entry lifetime in seconds; 0: none
  uint64_t maxelem = 0;
};

struct Model {
  std::vector<std::string> header;
  Table v4, v6;
  std::vector<IpSet> sets;
  const Table& table(net::Family f) const { return f == net::Family::v4 ? v4 : v6; }
};

Model lower(const ir::Ruleset& rs, DiagnosticEngine& diags);
std::string emit_rules(const Model& m, net::Family f);  // iptables-restore / ip6tables-restore
std::string emit_ipset(const Model& m);                 // ipset restore
std::unique_ptr<backend::Backend> make_backend();

using backend::multiport_groups;
// ipset sizing from the entry count.
uint64_t ipset_maxelem(size_t entries);
uint64_t ipset_hashsize(size_t entries);

}  // namespace fwc::ipt
