#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/net/addrset.h"

// A canonical view of one nftables table, filled from kernel netlink dumps
// (the live table) or from the batch fwc would send (the wanted table), so
// the two compare field by field. Counters are kept apart from identity.
namespace fwc::nft::live {

struct ChainEntry {
  std::string name;
  std::string sig;  // hook, priority, type, policy
};

struct RuleEntry {
  std::string chain;
  std::string comment;  // the policy rule's label and file:line
  std::string sig;      // expressions with anonymous sets inlined, counters zeroed
  uint64_t packets = 0, bytes = 0;
};

struct SetEntry {
  std::string name;
  std::string sig;           // key type, flags, timeout, comment
  bool addresses = false;    // an interval set of IPv4 or IPv6 addresses: `addrs` holds it
  net::Family family = net::Family::v4;
  net::AddrSet addrs;
  std::vector<std::string> other;  // any other set: its elements, sorted
  std::string digest;              // fwc's fingerprint of the elements ("" if none)
  bool elements_known = true;      // false: not read back, only `digest` compares
  long long count = -1;            // elements the kernel reports (newer kernels; a size hint), -1 unknown
};

struct ObjEntry {
  std::string name;
  std::string sig;
};

struct Model {
  bool exists = false;
  std::vector<ChainEntry> chains;
  std::vector<SetEntry> sets;  // named sets only; anonymous ones live in rule sigs
  std::vector<ObjEntry> objects;
  std::vector<RuleEntry> rules;  // in chain order
};

struct DiffOptions {
  size_t max_elements = 8;  // list at most this many CIDRs per set and side
};

// The lines of a readable diff from `live` to `want` ("+" added by the
// policy, "-" removed, "~" changed); empty when they are equal.
std::vector<std::string> diff(const Model& live, const Model& want, const DiffOptions& o = {});

}  // namespace fwc::nft::live
