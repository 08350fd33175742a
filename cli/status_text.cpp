// `fwc status` as text and as JSON.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "cli/blocks.h"
#include "cli/status_report.h"
#include "compiler/diag/printable.h"

namespace fwc::cli::status {

namespace {

void print_rollback(const Rollback& rb) {
  if (rb.armed)
    std::printf(
        "rollback: pending, armed: the previous ruleset comes back in %llds unless 'fwc confirm' runs\n",
        std::max(0LL, rb.deadline - static_cast<long long>(std::time(nullptr))));
  else if (rb.pending)
    std::printf(
        "rollback: pending but no longer armed: its watcher (PID %lld) is gone, nothing will roll "
        "back; 'fwc confirm' clears it\n",
        rb.watcher);
}

// "also_filtering": one entry per table of another tool; kernel names as
// JSON strings (escaped by the encoder, invalid UTF-8 replaced).
nlohmann::json others_json(const coexist::Report& r) {
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& f : r.found) {
    nlohmann::json chains = nlohmann::json::array();
    for (const auto& c : f.base)
      chains.push_back({{"chain", c.name},
                        {"hook", c.hook},
                        {"priority", c.priority},
                        {"policy", c.policy_drop ? "drop" : "accept"},
                        {"rules", c.rules}});
    tables.push_back({{"tool", nft::coexist::tool_name(f.tool)},
                      {"family", f.family},
                      {"table", f.table},
                      {"input_can_drop", f.input_drop >= 0},
                      {"base_chains", chains}});
  }
  return {{"tables", tables}, {"iptables_legacy", r.rules.legacy_v4 || r.rules.legacy_v6}};
}

void print_installed(const nft::live::Model& m, const Blocks& b);

}  // namespace

void print_json(const nft::live::Model& m, const Rollback& rb, const Blocks& b, const coexist::Report* others) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : policy_rules(m, false))
    rules.push_back({{"chain", r.chain},
                     {"rule", rule_name(r.comment)},
                     {"comment", r.comment},
                     {"packets", r.packets},
                     {"bytes", r.bytes},
                     {"logged_packets", r.logged}});
  nlohmann::json sets = nlohmann::json::array();
  for (const auto& s : m.sets) {
    size_t cidrs = !s.elements_known ? 0 : s.addresses ? s.addrs.cidr_count(s.family) : s.other.size();
    sets.push_back({{"name", s.name},
                    {"fingerprint", s.digest},
                    {"elements_known", s.elements_known},
                    {"cidrs", cidrs}});
  }
  nlohmann::json rollback = {
      {"pending", rb.pending}, {"armed", rb.armed}, {"watcher_pid", rb.watcher}, {"deadline", rb.deadline}};
  nlohmann::json dynamic = nlohmann::json::array();
  for (const auto& d : b.sets) dynamic.push_back({{"name", d.name}, {"elements", d.elements}, {"max", d.max}});
  nlohmann::json out = {{"table", "inet fwc"},
                        {"installed", m.exists},
                        {"rules", rules},
                        {"sets", sets},
                        {"dynamic_sets", dynamic},
                        {"blocks", {{"added", b.added}, {"expired", b.expired}}},
                        {"rollback", rollback}};
  if (others) out["also_filtering"] = others_json(*others);
  std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

void print_text(const nft::live::Model& m, const Rollback& rb, const Blocks& b, const coexist::Report* others) {
  print_rollback(rb);
  if (!m.exists)
    std::printf("table inet fwc is not installed\n");
  else
    print_installed(m, b);
  if (others) coexist::print_section(*others, stdout);
}

namespace {

void print_installed(const nft::live::Model& m, const Blocks& b) {
  std::printf("%-8s %12s %14s %12s  %s\n", "chain", "packets", "bytes", "logged", "rule");
  for (const auto& r : policy_rules(m, false))
    std::printf("%-8s %12llu %14llu %12llu  %s\n", r.chain.c_str(),
                static_cast<unsigned long long>(r.packets), static_cast<unsigned long long>(r.bytes),
                static_cast<unsigned long long>(r.logged), printable(r.comment).c_str());
  for (const auto& s : m.sets) {
    if (blocks::is_dynamic(s.name)) continue;  // listed below, with their live count
    if (!s.elements_known)
      std::printf("set %s: %s kernel elements (fingerprint)\n", s.name.c_str(),
                  s.digest.substr(s.digest.find('/') + 1).c_str());
    else
      std::printf("set %s: %zu elements\n", s.name.c_str(),
                  s.addresses ? s.addrs.cidr_count(s.family) : s.other.size());
  }
  for (const auto& d : b.sets)
    std::printf("dynamic set %s: %llu of %llu entries\n", d.name.c_str(), static_cast<unsigned long long>(d.elements),
                static_cast<unsigned long long>(d.max));
  if (!b.sets.empty() || b.added > 0)
    std::printf("blocks: %llu added by fwc block, %llu expired\n", static_cast<unsigned long long>(b.added),
                static_cast<unsigned long long>(b.expired));
}

}  // namespace

}  // namespace fwc::cli::status
