#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "backends/nftables/netlink/nl_elements.h"
#include "backends/nftables/netlink/nl_snapshot.h"

// Dynamic set elements are state, not ruleset: a table replaced by `fwc
// apply` or by a --confirm rollback gets the live ones back, with the time
// they have left, their timeout and their reason, in the same transaction.
namespace fwc::cli::block_carry {

namespace nl = nft::netlink;

struct LiveSet {
  std::string set;  // dyn_NAME_v4 or dyn_NAME_v6
  std::vector<nl::Element> elements;
};

// Every live dynamic set's elements (none when there is no table).
bool read_live(nl::Session& s, std::vector<LiveSet>& out, nl::Outcome& err);

// Appends the elements of the live sets that `creates` (the set names the
// batch creates) has to `b`; the others are dropped, with a note on
// `notes`. Returns the number of elements carried.
size_t carry(nl::Batch& b, const std::vector<LiveSet>& live, const std::vector<std::string>& creates, FILE* notes);

// The named sets a batch or snapshot creates (its NEWSET messages).
std::vector<std::string> created_sets(const nl::Snapshot& s);
// The dynamic sets a snapshot holds, with the elements it saved (their
// time left as it was when saved).
std::vector<LiveSet> saved(const nl::Snapshot& s);
// The snapshot without the element messages of its dynamic sets.
nl::Snapshot without_dynamic_elements(const nl::Snapshot& s);

}  // namespace fwc::cli::block_carry
