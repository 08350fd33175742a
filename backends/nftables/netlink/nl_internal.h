#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "backends/nftables/netlink/nl_batch.h"

struct nftnl_rule;

// Shared by the batch builder and the rule translator.
namespace fwc::nft::netlink::detail {

constexpr const char* kTable = "fwc";

// An anonymous constant set a rule looks up (`{ 80, 443 }`).
struct AnonSet {
  uint32_t id = 0;
  uint32_t key_type = 0;  // nft's datatype number
  uint32_t key_len = 0;
  bool interval = false;
  // Elements in key byte order; with `interval`, `ends` flags the ends.
  std::vector<std::vector<uint8_t>> keys;
  std::vector<bool> ends;
};

// Appends NEWSET and NEWSETELEM for an anonymous set.
void add_anon_set(Batch& b, const AnonSet& s, const std::string& what);

// Translates one rule into expressions; anonymous sets it needs are added
// to the batch first, with ids from `next_set_id`.
struct RuleContext {
  Batch& batch;
  uint32_t& next_set_id;
  const std::vector<std::pair<std::string, uint32_t>>& set_ids;  // named set → id
  std::string what;
};
void add_rule_exprs(nftnl_rule* r, const Rule& rule, RuleContext& ctx);

uint32_t set_id_of(const RuleContext& ctx, const std::string& name);

}  // namespace fwc::nft::netlink::detail
