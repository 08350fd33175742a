// `fwc status`: the live table inet fwc, each policy rule's counters, and
// whether a --confirm rollback is pending and armed.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>

#include "backends/nftables/netlink/nl_snapshot.h"
#include "cli/apply_common.h"
#include "cli/apply_state.h"
#include "compiler/diag/printable.h"

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

// A logged policy rule lowers to a log rule (with its own rate limit)
// before the verdict rule, both under the policy rule's comment: the log
// rule has a log statement and no verdict. Its counter is of packets
// logged, not of packets the policy rule decided.
bool logs_only(const nft::live::RuleEntry& r) {
  return r.sig.find("[log") != std::string::npos && r.sig.find("[immediate") == std::string::npos &&
         r.sig.find("[reject") == std::string::npos;
}

// One policy rule in one chain: the nftables rules it lowers to, added up.
struct PolicyRule {
  std::string chain, comment;
  uint64_t packets = 0, bytes = 0;  // its verdict rules
  uint64_t logged = 0;              // packets its log rules logged
  bool logs = false;                // it has log rules
};

// In chain order; `key` groups the nftables rules (by comment, or by name).
template <typename Key>
std::vector<PolicyRule> policy_rules(const nft::live::Model& m, Key key) {
  std::vector<PolicyRule> out;
  std::map<std::pair<std::string, std::string>, size_t> at;
  for (const auto& r : m.rules) {
    auto [it, fresh] = at.try_emplace({r.chain, key(r.comment)}, out.size());
    if (fresh) out.push_back({r.chain, key(r.comment)});
    PolicyRule& p = out[it->second];
    if (logs_only(r)) {
      p.logged += r.packets;
      p.logs = true;
      continue;
    }
    p.packets += r.packets;
    p.bytes += r.bytes;
  }
  return out;
}

std::string same(const std::string& s) {
  return s;
}

struct Rollback {
  bool pending = false, armed = false;
  long long watcher = 0, deadline = 0;
};

Rollback rollback_of(const std::string& state_dir) {
  auto p = state::read_pending(state::paths(state_dir));
  if (!p) return {};
  return {true, p->armed, p->watcher.pid, p->deadline};
}

void print_counter(const char* name, const char* help, const std::vector<PolicyRule>& rules,
                   uint64_t PolicyRule::*field, bool only_logging) {
  std::printf("# HELP %s %s\n# TYPE %s counter\n", name, help, name);
  for (const auto& r : rules)
    if (!only_logging || r.logs)
      std::printf("%s{chain=\"%s\",rule=\"%s\"} %llu\n", name, label_value(r.chain).c_str(),
                  label_value(printable(r.comment)).c_str(), static_cast<unsigned long long>(r.*field));
}

void print_prometheus(const nft::live::Model& m, const Rollback& rb) {
  // One series per (chain, policy rule): the rules one policy rule lowers to add up.
  const auto rules = policy_rules(m, rule_name);
  std::printf("# HELP fwc_table_present Whether table inet fwc is installed.\n"
              "# TYPE fwc_table_present gauge\nfwc_table_present %d\n", m.exists ? 1 : 0);
  print_counter("fwc_rule_packets_total", "Packets decided by the verdict rules of a policy rule.", rules,
                &PolicyRule::packets, false);
  print_counter("fwc_rule_bytes_total", "Bytes decided by the verdict rules of a policy rule.", rules,
                &PolicyRule::bytes, false);
  print_counter("fwc_rule_logged_packets_total", "Packets logged by the log rules of a policy rule.", rules,
                &PolicyRule::logged, true);
  std::printf(
      "# HELP fwc_rollback_pending Whether an apply --confirm awaits 'fwc confirm'.\n"
      "# TYPE fwc_rollback_pending gauge\nfwc_rollback_pending %d\n"
      "# HELP fwc_rollback_armed Whether the watcher that rolls it back is running.\n"
      "# TYPE fwc_rollback_armed gauge\nfwc_rollback_armed %d\n",
      rb.pending ? 1 : 0, rb.armed ? 1 : 0);
}

// Every field has one JSON type, whatever the table holds.
void print_json(const nft::live::Model& m, const Rollback& rb) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : policy_rules(m, same))
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
  nlohmann::json out = {{"table", "inet fwc"},
                        {"installed", m.exists},
                        {"rules", rules},
                        {"sets", sets},
                        {"rollback", rollback}};
  std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

void print_rollback(const Rollback& rb) {
  if (rb.armed)
    std::printf("rollback: pending, armed: the previous ruleset comes back in %llds unless 'fwc confirm' runs\n",
                std::max(0LL, rb.deadline - static_cast<long long>(std::time(nullptr))));
  else if (rb.pending)
    std::printf(
        "rollback: pending but no longer armed: its watcher (PID %lld) is gone, nothing will roll "
        "back; 'fwc confirm' clears it\n",
        rb.watcher);
}

void print_text(const nft::live::Model& m, const Rollback& rb) {
  print_rollback(rb);
  if (!m.exists) {
    std::printf("table inet fwc is not installed\n");
    return;
  }
  std::printf("%-8s %12s %14s %12s  %s\n", "chain", "packets", "bytes", "logged", "rule");
  for (const auto& r : policy_rules(m, same))
    std::printf("%-8s %12llu %14llu %12llu  %s\n", r.chain.c_str(),
                static_cast<unsigned long long>(r.packets), static_cast<unsigned long long>(r.bytes),
                static_cast<unsigned long long>(r.logged), printable(r.comment).c_str());
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
  auto dir = std::make_shared<std::string>();
  app.add_option("--format", *format, "Output: text, json or prometheus (node_exporter textfile)")
      ->check(CLI::IsMember({"text", "json", "prometheus"}));
  app.add_option("--state-dir", *dir, "Where fwc keeps its state (default /var/lib/fwc)");
  return [format, dir] {
    nft::netlink::Session s;
    if (!s.ok()) return applying::fail(s.error());
    nft::netlink::Snapshot live;
    nft::netlink::Outcome err;
    if (!nft::netlink::read_table(s, live, err, false)) return applying::fail(err);
    const auto m = nft::netlink::model_of(live);
    const Rollback rb = rollback_of(*dir);
    if (*format == "json")
      print_json(m, rb);
    else if (*format == "prometheus")
      print_prometheus(m, rb);
    else
      print_text(m, rb);
    // A rollback the operator counts on that will not happen is a finding.
    return int(rb.pending && !rb.armed ? Exit::findings : Exit::ok);
  };
}

}  // namespace fwc::cli
