// `fwc status`: the live table inet fwc, each rule's counters under the
// name of the policy rule it comes from.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>

#include "backends/nftables/netlink/nl_snapshot.h"
#include "cli/apply_common.h"

namespace fwc::cli {

namespace {

// "inbound[1] public-web (p.yaml:12)" → "inbound[1] public-web".
std::string rule_name(const std::string& comment) {
  if (comment.empty()) return "(unnamed)";
  size_t open = comment.rfind(" (");
  if (open != std::string::npos && comment.back() == ')') return comment.substr(0, open);
  return comment;
}

std::string label_value(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

struct Totals {
  uint64_t packets = 0, bytes = 0;
  size_t rules = 0;
};

void print_prometheus(const nft::live::Model& m) {
  // One series per (chain, policy rule): the rules one policy rule lowers to add up.
  std::map<std::pair<std::string, std::string>, Totals> sums;
  for (const auto& r : m.rules) {
    auto& t = sums[{r.chain, rule_name(r.comment)}];
    t.packets += r.packets;
    t.bytes += r.bytes;
    ++t.rules;
  }
  std::printf("# HELP fwc_table_present Whether table inet fwc is installed.\n"
              "# TYPE fwc_table_present gauge\nfwc_table_present %d\n", m.exists ? 1 : 0);
  const char* kinds[] = {"packets", "bytes"};
  for (const char* k : kinds) {
    std::printf("# HELP fwc_rule_%s_total %s matched by the rules of a policy rule.\n", k,
                k[0] == 'p' ? "Packets" : "Bytes");
    std::printf("# TYPE fwc_rule_%s_total counter\n", k);
    for (const auto& [key, t] : sums)
      std::printf("fwc_rule_%s_total{chain=\"%s\",rule=\"%s\"} %llu\n", k, label_value(key.first).c_str(),
                  label_value(key.second).c_str(),
                  static_cast<unsigned long long>(k[0] == 'p' ? t.packets : t.bytes));
  }
}

void print_json(const nft::live::Model& m) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : m.rules)
    rules.push_back({{"chain", r.chain}, {"rule", rule_name(r.comment)}, {"comment", r.comment},
                     {"packets", r.packets}, {"bytes", r.bytes}});
  nlohmann::json sets = nlohmann::json::array();
  for (const auto& s : m.sets)
    sets.push_back({{"name", s.name}, {"fingerprint", s.digest},
                    {"cidrs", s.elements_known ? nlohmann::json(s.addresses ? s.addrs.cidr_count(s.family) : s.other.size())
                                               : nlohmann::json(nullptr)}});
  nlohmann::json out = {{"table", "inet fwc"}, {"installed", m.exists}, {"rules", rules}, {"sets", sets}};
  std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

void print_text(const nft::live::Model& m) {
  if (!m.exists) {
    std::printf("table inet fwc is not installed\n");
    return;
  }
  std::printf("%-8s %12s %14s  %s\n", "chain", "packets", "bytes", "rule");
  for (const auto& r : m.rules)
    std::printf("%-8s %12llu %14llu  %s\n", r.chain.c_str(), static_cast<unsigned long long>(r.packets),
                static_cast<unsigned long long>(r.bytes), r.comment.c_str());
  for (const auto& s : m.sets) {
    if (!s.elements_known)
      std::printf("set %s: %s kernel elements (fingerprint)\n", s.name.c_str(),
                  s.digest.substr(s.digest.find('/') + 1).c_str());
    else
      std::printf("set %s: %zu elements\n", s.name.c_str(), s.addresses ? s.addrs.cidr_count(s.family) : s.other.size());
  }
}

}  // namespace

Run setup_status(CLI::App& app) {
  auto format = std::make_shared<std::string>("text");
  app.add_option("--format", *format, "Output: text, json or prometheus (node_exporter textfile)")
      ->check(CLI::IsMember({"text", "json", "prometheus"}));
  return [format] {
    nft::netlink::Session s;
    if (!s.ok()) return applying::fail(s.error());
    nft::netlink::Snapshot live;
    nft::netlink::Outcome err;
    if (!nft::netlink::read_table(s, live, err, false)) return applying::fail(err);
    const auto m = nft::netlink::model_of(live);
    if (*format == "json") print_json(m);
    else if (*format == "prometheus") print_prometheus(m);
    else print_text(m);
    return int(Exit::ok);
  };
}

}  // namespace fwc::cli
