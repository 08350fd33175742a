// `fwc blocked`: the entries of the live dynamic block sets, with the time
// they have left and the reason they were blocked for.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/block_live.h"
#include "cli/apply_common.h"
#include "compiler/diag/printable.h"

namespace fwc::cli {

namespace {

struct Listed {
  std::string set;
  nft::netlink::Element e;
};

nlohmann::json optional_ms(const std::optional<uint64_t>& ms) {
  return ms ? nlohmann::json(*ms) : nlohmann::json(nullptr);
}

void print_json(const std::vector<blocks::DynamicSet>& sets, const std::vector<Listed>& entries) {
  nlohmann::json out = {{"sets", nlohmann::json::array()}, {"entries", nlohmann::json::array()}};
  for (const auto& d : sets)
    out["sets"].push_back({{"name", d.name}, {"max", d.v4.size}, {"timeout_ms", optional_ms(d.v4.timeout_ms)}});
  for (const auto& l : entries)
    out["entries"].push_back({{"set", l.set},
                              {"address", net::format_cidr(l.e.cidr)},
                              {"expires_ms", optional_ms(l.e.expires_ms)},
                              {"timeout_ms", optional_ms(l.e.timeout_ms)},
                              {"reason", l.e.comment}});
  std::printf("%s\n", out.dump(2).c_str());
}

void print_text(const std::vector<Listed>& entries) {
  if (entries.empty()) {
    if (verbosity() != Verbosity::quiet) std::printf("fwc: nothing is blocked\n");
    return;
  }
  std::printf("%-16s %-40s %-12s %s\n", "SET", "ADDRESS", "EXPIRES IN", "REASON");
  for (const auto& l : entries) {
    const std::string left = l.e.expires_ms ? blocks::format_duration(*l.e.expires_ms) : "never";
    std::printf("%-16s %-40s %-12s %s\n", l.set.c_str(), net::format_cidr(l.e.cidr).c_str(), left.c_str(),
                printable(l.e.comment).c_str());
  }
}

int run_blocked(const std::string& set, const std::string& format) {
  nft::netlink::Session s;
  if (!s.ok()) return applying::fail(s.error());
  std::vector<blocks::DynamicSet> sets;
  int rc = set.empty() ? block_live::read_dynamic(s, sets) : Exit::ok;
  if (!set.empty()) {
    sets.emplace_back();
    rc = block_live::find_set(s, set, sets.back());
  }
  if (rc != Exit::ok) return rc;
  std::vector<Listed> entries;
  for (const auto& d : sets) {
    std::vector<nft::netlink::Element> got;
    if ((rc = block_live::read_both(s, d, got)) != Exit::ok) return rc;
    for (auto& e : got) entries.push_back({d.name, std::move(e)});
  }
  if (format == "json")
    print_json(sets, entries);
  else
    print_text(entries);
  return Exit::ok;
}

}  // namespace

Run setup_blocked(CLI::App& app) {
  auto set = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("text");
  app.add_option("--set", *set, "Only this dynamic set (default: all)");
  app.add_option("--format", *format, "Output: text or json")->check(CLI::IsMember({"text", "json"}));
  return [set, format] { return run_blocked(*set, *format); };
}

}  // namespace fwc::cli
