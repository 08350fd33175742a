#pragma once
#include <optional>
#include <string>
#include <vector>

#include "compiler/eval/regions.h"
#include "compiler/eval/setting_diff.h"

// Where two versions of a chain decide a new connection differently: the
// regions of both verdict maps, compared segment by segment (docs/contract.md,
// "Semantic diff").
namespace fwc::eval {

struct RegionChange {
  Axis axis = Axis::tcp;
  std::vector<net::PortRange> ports{{0, 65535}};  // ascending; none for Axis::other
  bool all_traffic = false;  // every TCP and UDP port and every other protocol alike
  net::AddrSet sources;  // the peers: destinations on the output chain
  Outcome before, after;
  ir::Origin old_origin, new_origin;  // the deciding rules
};

// The port segments of one protocol with the same change (sources,
// outcomes, deciding rules) are one change with a list of port ranges,
// adjacent ranges merged; then TCP, UDP and other protocols alike become
// one change on all traffic. `hook`: Hook::input or Hook::output.
std::vector<RegionChange> diff_chains(const ir::Chain& before, const ir::Chain& after,
                                      ir::Hook hook = ir::Hook::input);

// The regions of one node, role or the whole policy.
struct SelectionDiff {
  ir::Selection selection;
  enum class Presence { both, added, removed } presence = Presence::both;
  std::vector<RegionChange> changes;   // the input chain
  std::vector<RegionChange> outbound;  // the output chain (an absent one accepts all)
  std::vector<ForwardRuleChange> forward;
  std::vector<SettingChange> settings;
  bool changed() const;
};

// Every selection of either policy (each node, each role without nodes, or
// the whole policy when neither scopes rules); `only`, when it names
// something, restricts the diff to it.
std::vector<SelectionDiff> diff_policies(const ir::Policy& before, const ir::Policy& after,
                                         const ir::Selection& only);

}  // namespace fwc::eval
