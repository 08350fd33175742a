#pragma once
#include <linux/netlink.h>

#include <string>
#include <vector>

#include "backends/nftables/live/model.h"
#include "backends/nftables/netlink/nl_batch.h"
#include "backends/nftables/netlink/nl_session.h"

// The live `table inet fwc` read back over netlink: the kernel's own
// messages, kept to compare with a policy, to report counters, and to
// restore the table exactly (rollback).
namespace fwc::nft::netlink {

struct Snapshot {
  bool exists = false;
  bool complete = true;  // false: elements of fingerprinted sets were not read
  // Chains, sets, their elements, objects and rules, as the kernel dumped
  // them, back to back (each NLMSG_ALIGNed): the order a batch recreates them.
  std::vector<char> msgs;
  template <typename F>
  void each(F f) const {
    auto* nlh = reinterpret_cast<const nlmsghdr*>(msgs.data());
    int len = static_cast<int>(msgs.size());
    for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) f(nlh);
  }
};

// Dumps table inet fwc (nothing of any other table). Elements of dynamic
// sets (meters) are state, not ruleset: they are read only with `meters`
// (for an exact restore: with their timeouts, remaining expiry and limit
// settings, not their limit's tokens). Without `full`, neither are those of
// named sets (they compare by fingerprint): the kernel dumps interval sets
// in time quadratic in their size.
bool read_table(Session& s, Snapshot& out, Outcome& err, bool full = true, bool meters = false);

// Appends one message of a dump reply to the snapshot when it is a chain,
// set, element list, object or rule of table inet fwc (read_table's filter).
void keep_reply(Snapshot& s, const nlmsghdr* nlh);

// The fingerprint (set_digest) in a set's user data, "" if none.
std::string udata_digest(const void* data, size_t len);

// Completes a snapshot read without named-set elements from the batch that
// installed the table (`batch`: its bytes), when every such set there has
// the same fingerprint as the live one. Returns whether it is complete.
bool complete_from_batch(Snapshot& snap, const std::string& batch);

// A snapshot as the bytes of a file (written atomically by the caller),
// which load_snapshot reads back.
std::string serialize_snapshot(const Snapshot& s);
bool load_snapshot(Snapshot& s, const std::string& path, std::string& err);

// A batch that replaces table inet fwc with exactly the snapshot's (or
// deletes it, when the snapshot holds none). The snapshot must be complete.
Batch build_restore(const Snapshot& snap, const BuildOptions& o, uint32_t first_seq);

// The canonical model of a snapshot, or of a batch fwc would send (its
// table's address sets attached separately: see attach_sets).
live::Model model_of(const Snapshot& snap);
live::Model model_of(const Batch& b);
void attach_sets(live::Model& m, const Table& t);

}  // namespace fwc::nft::netlink
