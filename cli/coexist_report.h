#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "backends/nftables/coexist/classify.h"
#include "backends/nftables/netlink/nl_session.h"
#include "compiler/eval/explain.h"
#include "compiler/ir/ir.h"

// What else filters this host, as apply, diff, status and explain --live
// report it.
namespace fwc::cli::coexist {

struct Report {
  nft::coexist::ForeignRuleset rules;
  std::vector<nft::coexist::Finding> found;
};

bool read(nft::netlink::Session& s, Report& out, nft::netlink::Outcome& err);

// One input rule the policy accepts, for the warnings: "8080/tcp from any"
// ("" when the policy accepts nothing on input).
std::string accepted_example(const ir::Ruleset& rs);

// Prints each consequence for `rs` as "fwc: warning: ..." (notes as
// "fwc: note: ..."); returns how many are warnings.
size_t print_consequences(const Report& r, const ir::Ruleset& rs, FILE* to);

// `fwc status`: "Also filtering this host:" and one line per table.
void print_section(const Report& r, FILE* to);

// `fwc explain --live`: each other base chain on the input hook of a family
// that sees `p`, with its verdict for `p` where its rules are simple ones
// (nftables/coexist/simple_rule.h), else why it cannot be evaluated.
bool print_explain(nft::netlink::Session& s, const Report& r, const eval::Packet& p, FILE* to,
                   nft::netlink::Outcome& err);

}  // namespace fwc::cli::coexist
