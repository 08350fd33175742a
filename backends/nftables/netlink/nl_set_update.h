#pragma once
#include <cstdint>
#include <vector>

#include "backends/nftables/live/refresh_plan.h"
#include "backends/nftables/netlink/nl_batch.h"

// `fwc refresh`'s transaction: elements of named interval sets of table
// inet fwc deleted and added in place, nothing else touched.
namespace fwc::nft::netlink {

// BATCH_BEGIN with `genid` (a stale generation fails the whole batch),
// then per set DELSETELEM for `remove` and NEWSETELEM for `add`, BATCH_END.
// Each CIDR is an interval as fwc writes it: its start, then the address
// after it flagged as an interval end (none at the top of the space).
Batch build_set_update(const std::vector<live::SetChange>& changes, uint32_t genid, uint32_t first_seq);

}  // namespace fwc::nft::netlink
