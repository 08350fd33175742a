#pragma once
#include <string>
#include <vector>

#include "cli/blocks.h"
#include "cli/commands.h"

// The live dynamic sets read for `fwc block`, `unblock` and `blocked`: each
// returns Exit::ok or the exit status to fail with, the message printed.
namespace fwc::cli::block_live {

namespace nl = nft::netlink;

// The live table's dynamic sets; a missing table is none.
int read_dynamic(nl::Session& s, std::vector<blocks::DynamicSet>& out);
// The dynamic set `name` (empty: the only one); none is bad input.
int find_set(nl::Session& s, const std::string& name, blocks::DynamicSet& out);
// The never: networks (never_v4 and never_v6); missing sets are bad input.
int read_never(nl::Session& s, std::vector<nl::Element>& out);
// The elements of both halves of a dynamic set.
int read_both(nl::Session& s, const blocks::DynamicSet& d, std::vector<nl::Element>& out);

// Counters of blocks kept in the state directory (`blocks.counters`).
struct Counters {
  uint64_t added = 0;      // entries `fwc block` added
  uint64_t unblocked = 0;  // entries `fwc unblock` removed
};
Counters read_counters(const std::string& state_dir);
bool add_to_counters(const std::string& state_dir, uint64_t added, uint64_t unblocked, std::string& err);

}  // namespace fwc::cli::block_live
