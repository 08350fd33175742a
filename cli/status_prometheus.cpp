// `fwc status --format prometheus`: node_exporter textfile counters.
#include <cstdio>

#include "cli/status_report.h"
#include "compiler/diag/printable.h"

namespace fwc::cli::status {

namespace {

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

void print_counter(const char* name, const char* help, const std::vector<PolicyRule>& rules,
                   uint64_t PolicyRule::*field, bool only_logging) {
  std::printf("# HELP %s %s\n# TYPE %s counter\n", name, help, name);
  for (const auto& r : rules)
    if (!only_logging || r.logs)
      std::printf("%s{chain=\"%s\",rule=\"%s\"} %llu\n", name, label_value(r.chain).c_str(),
                  label_value(printable(r.comment)).c_str(), static_cast<unsigned long long>(r.*field));
}

// One gauge series per dynamic block set.
void print_set_gauge(const char* name, const char* help, const Blocks& b, uint64_t DynamicSet::*field) {
  std::printf("# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
  for (const auto& d : b.sets)
    std::printf("%s{set=\"%s\"} %llu\n", name, label_value(d.name).c_str(),
                static_cast<unsigned long long>(d.*field));
}

void print_blocks(const Blocks& b) {
  print_set_gauge("fwc_dynamic_set_elements", "Entries in a dynamic block set.", b, &DynamicSet::elements);
  print_set_gauge("fwc_dynamic_set_max", "The most entries a dynamic block set holds.", b, &DynamicSet::max);
  std::printf(
      "# HELP fwc_blocks_added_total Entries added by fwc block.\n"
      "# TYPE fwc_blocks_added_total counter\nfwc_blocks_added_total %llu\n"
      "# HELP fwc_blocks_expired_total Entries that left a dynamic set by their timeout.\n"
      "# TYPE fwc_blocks_expired_total counter\nfwc_blocks_expired_total %llu\n",
      static_cast<unsigned long long>(b.added), static_cast<unsigned long long>(b.expired));
}

}  // namespace

void print_prometheus(const nft::live::Model& m, const Rollback& rb, const Blocks& b) {
  // One series per (chain, policy rule): the rules one policy rule lowers to add up.
  const auto rules = policy_rules(m, true);
  std::printf(
      "# HELP fwc_table_present Whether table inet fwc is installed.\n"
      "# TYPE fwc_table_present gauge\nfwc_table_present %d\n",
      m.exists ? 1 : 0);
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
  print_blocks(b);
}

}  // namespace fwc::cli::status
