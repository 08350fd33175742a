#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/eval/explain.h"
#include "compiler/net/ip.h"

// A rule of another table that `fwc explain --live` can evaluate: equality
// matches on family, source address, layer 4 protocol and destination port,
// then accept, drop or reject (or no verdict: a counter). Anything else
// makes its chain one fwc does not model.
namespace fwc::nft::coexist {

struct SimpleRule {
  std::optional<net::Family> family;
  std::optional<net::Address> saddr;
  std::optional<uint8_t> l4proto;  // 6 tcp, 17 udp
  std::optional<uint16_t> dport;
  enum class Verdict { none, accept, drop, reject } verdict = Verdict::none;
};

// The verdict of a base chain made of `rules` for `p`: "accept (rule 2)",
// "drop (its policy)".
std::string evaluate(const std::vector<SimpleRule>& rules, bool policy_drop, const eval::Packet& p);

}  // namespace fwc::nft::coexist
