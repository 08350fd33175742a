#include "backends/nftables/coexist/classify.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <utility>

#include "compiler/diag/printable.h"

namespace fwc::nft::coexist {

namespace {

bool starts(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

using TableKey = std::pair<std::string, std::string>;  // family, table

// The tools a table belongs to, by its own name, its chains' and its sets'
// names (as firewalld, ufw, Docker, kube-proxy, fail2ban and CrowdSec
// write them).
std::set<Tool> tools_of(const TableKey& t, const ForeignRuleset& rs) {
  std::set<Tool> tools;
  const std::string& name = t.second;
  if (name == "firewalld") tools.insert(Tool::firewalld);
  if (name == "kube-proxy") tools.insert(Tool::kube_proxy);
  if (name == "f2b-table") tools.insert(Tool::fail2ban);
  if (name == "crowdsec" || name == "crowdsec6") tools.insert(Tool::crowdsec);
  for (const auto& c : rs.chains) {
    if (c.family != t.first || c.table != name) continue;
    if (starts(c.name, "ufw-") || starts(c.name, "ufw6-")) tools.insert(Tool::ufw);
    if (starts(c.name, "DOCKER")) tools.insert(Tool::docker);
    if (starts(c.name, "KUBE-")) tools.insert(Tool::kube_proxy);
    if (starts(c.name, "f2b-")) tools.insert(Tool::fail2ban);
    if (starts(c.name, "crowdsec-chain")) tools.insert(Tool::crowdsec);
  }
  for (const auto& s : rs.sets) {
    if (s.family != t.first || s.table != name) continue;
    if (starts(s.name, "crowdsec-blacklists") || starts(s.name, "crowdsec6-blacklists"))
      tools.insert(Tool::crowdsec);
  }
  if (tools.empty()) tools.insert(Tool::unknown);
  return tools;
}

bool sees_ip(const std::string& family) { return family == "inet" || family == "ip" || family == "ip6"; }

// Whether `from` reaches a drop or reject through its jumps and gotos.
bool reaches_drop(const ForeignChain& from, const std::vector<const ForeignChain*>& table) {
  std::vector<const ForeignChain*> todo{&from};
  std::set<std::string> seen{from.name};
  while (!todo.empty()) {
    const ForeignChain* c = todo.back();
    todo.pop_back();
    if (c->drops) return true;
    for (const auto& j : c->jumps)
      for (const ForeignChain* t : table)
        if (t->name == j && seen.insert(j).second) todo.push_back(t);
  }
  return false;
}

Finding finding_of(Tool tool, const TableKey& key, const std::vector<const ForeignChain*>& chains) {
  Finding f;
  f.tool = tool;
  f.family = key.first;
  f.table = key.second;
  for (const ForeignChain* c : chains) {
    f.nat = f.nat || c->nat;
    if (!c->base) continue;
    f.base.push_back(*c);
    if (f.input_drop < 0 && c->hook == "input" && sees_ip(c->family) && (c->policy_drop || reaches_drop(*c, chains)))
      f.input_drop = static_cast<int>(f.base.size()) - 1;
  }
  return f;
}

struct PriorityName {
  const char* name;
  int32_t value;
};
constexpr PriorityName kIpPriorities[] = {{"raw", -300},     {"mangle", -150}, {"dstnat", -100},
                                          {"filter", 0},     {"security", 50}, {"srcnat", 100}};
constexpr PriorityName kBridgePriorities[] = {{"dstnat", -300}, {"filter", -200}, {"out", 100}, {"srcnat", 300}};

}  // namespace

const char* tool_name(Tool t) {
  switch (t) {
    case Tool::firewalld:
      return "firewalld";
    case Tool::ufw:
      return "ufw";
    case Tool::docker:
      return "Docker";
    case Tool::kube_proxy:
      return "kube-proxy";
    case Tool::fail2ban:
      return "fail2ban";
    case Tool::crowdsec:
      return "CrowdSec";
    case Tool::unknown:
      break;
  }
  return "unknown";
}

std::string Finding::label() const {
  if (tool != Tool::unknown) return tool_name(tool);
  return "unknown table " + printable(family) + " " + printable(table);
}

std::vector<Finding> classify(const ForeignRuleset& rs) {
  std::vector<TableKey> order;
  std::map<TableKey, std::vector<const ForeignChain*>> tables;
  for (const auto& c : rs.chains) {
    TableKey k{c.family, c.table};
    if (!tables.count(k)) order.push_back(k);
    tables[k].push_back(&c);
  }
  std::vector<Finding> out;
  for (const auto& k : order)
    for (Tool t : tools_of(k, rs)) out.push_back(finding_of(t, k, tables[k]));
  std::stable_sort(out.begin(), out.end(),
                   [](const Finding& a, const Finding& b) { return a.tool < b.tool; });
  return out;
}

std::string priority_name(const std::string& family, int32_t priority) {
  if (family == "netdev" || family == "arp") return std::to_string(priority);
  const auto* names = family == "bridge" ? kBridgePriorities : kIpPriorities;
  const size_t count = family == "bridge" ? std::size(kBridgePriorities) : std::size(kIpPriorities);
  const PriorityName* best = nullptr;
  for (size_t i = 0; i < count; ++i)
    if (!best || std::abs(priority - names[i].value) < std::abs(priority - best->value)) best = &names[i];
  const int32_t off = priority - best->value;
  if (std::abs(off) > 10) return std::to_string(priority);
  if (off == 0) return best->name;
  return std::string(best->name) + (off > 0 ? "+" : "") + std::to_string(off);
}

std::string describe_chain(const ForeignChain& c) {
  std::string s = "chain " + printable(c.name) + ", hook " + printable(c.hook) + " priority " +
                  priority_name(c.family, c.priority) + ", policy " + (c.policy_drop ? "drop" : "accept");
  return s + ", " + std::to_string(c.rules) + (c.rules == 1 ? " rule" : " rules");
}

}  // namespace fwc::nft::coexist
