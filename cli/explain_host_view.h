#pragma once
#include <memory>

#include "backends/backend.h"
#include "backends/explain_view.h"

namespace fwc::cli {

// The host view of `explain`: the policy's own evaluation of the packet.
// With a host `target`, the ruleset is compiled for it once more, and each
// meter the packet passes through that the target leaves out or changes
// (its FWC-W107 at the meter's line) is named with the target's warning.
std::unique_ptr<backend::ExplainView> host_explain_view(const ir::Ruleset& rs,
                                                        const backend::BackendInfo* target = nullptr);

}  // namespace fwc::cli
