#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/nftables/netlink/nl_elements.h"

// Dynamic block sets as the live table holds them (docs/contract.md,
// "Dynamic block sets"): per policy set NAME the kernel sets dyn_NAME_v4 and
// dyn_NAME_v6, and never_v4 / never_v6 with the networks no block may touch.
// Shared by `fwc block`, `unblock`, `blocked`, `status` and `apply`.
namespace fwc::cli::blocks {

namespace nl = nft::netlink;

constexpr const char* kPrefix = "dyn_";

struct DynamicSet {
  std::string name;        // the policy's name (NAME)
  nl::SetInfo v4, v6;      // dyn_NAME_v4, dyn_NAME_v6
  std::string kernel_name(net::Family f) const {
    return kPrefix + name + (f == net::Family::v4 ? "_v4" : "_v6");
  }
};

// The dynamic sets among a table's named sets (both halves present).
std::vector<DynamicSet> dynamic_sets(const std::vector<nl::SetInfo>& sets);
// Whether a kernel set name is one half of a dynamic set.
bool is_dynamic(const std::string& kernel_name);

// `--set NAME`, or the only dynamic set when `name` is empty; nullptr with
// `err` saying why otherwise.
const DynamicSet* pick(const std::vector<DynamicSet>& sets, const std::string& name, std::string& err);

// Milliseconds as "1h2m3s" ("0s" under a second).
std::string format_duration(uint64_t ms);

// The addresses and CIDRs of the command line; "-" reads more from
// standard input, one a line (blank lines and '#' comments skipped, lines
// bounded). False with `err` naming the first bad entry.
bool read_entries(const std::vector<std::string>& args, std::vector<net::Cidr>& out, std::string& err);

// The entries overlapping a never: network (never_v4 / never_v6).
std::vector<std::string> overlapping(const std::vector<net::Cidr>& entries, const std::vector<nl::Element>& never);

}  // namespace fwc::cli::blocks
