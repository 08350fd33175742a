#pragma once
#include <cstdint>
#include <string>
#include <vector>

// What else filters this host: the chains of every nftables table but
// table inet fwc, as read from the kernel (nl_foreign.cpp), and whether
// legacy x_tables rules are loaded. Plain data, so the classifier can be
// tested without a kernel.
namespace fwc::nft::coexist {

struct ForeignChain {
  std::string family;  // "inet", "ip", "ip6", "arp", "bridge", "netdev"
  std::string table, name;
  bool base = false;  // attached to a hook
  std::string hook;   // base chains: "input", "prerouting", ...
  int32_t priority = 0;
  std::string type;          // "filter", "nat", "route"
  bool policy_drop = false;  // base chains: the verdict when no rule decides
  size_t rules = 0;
  bool drops = false;  // a rule of its own ends in drop or reject
  bool nat = false;    // a rule of its own rewrites addresses (dnat, snat, masquerade)
  std::vector<std::string> jumps;  // chains its rules jump or go to
};

struct ForeignSet {
  std::string family, table, name;
};

struct ForeignRuleset {
  std::vector<ForeignChain> chains;
  std::vector<ForeignSet> sets;
  bool legacy_v4 = false;  // /proc/net/ip_tables_names lists tables
  bool legacy_v6 = false;  // /proc/net/ip6_tables_names lists tables
};

}  // namespace fwc::nft::coexist
