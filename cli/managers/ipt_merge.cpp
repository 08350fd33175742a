#include "cli/managers/ipt_merge.h"

#include <algorithm>
#include <sstream>

#include "cli/managers/line_diff.h"

namespace fwc::cli::managers::ipt {

namespace {

bool starts(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

// ":CHAIN POLICY [n:m]" without the counters.
std::string without_counters(const std::string& chain_line) {
  size_t at = chain_line.find(" [");
  return at == std::string::npos ? chain_line : chain_line.substr(0, at);
}

// The word after " -j " or " -g " (the jump target), if any.
std::string target_of(const std::string& rule) {
  for (const char* flag : {" -j ", " -g "}) {
    size_t at = rule.find(flag);
    if (at == std::string::npos) continue;
    at += 4;
    return rule.substr(at, rule.find(' ', at) - at);
  }
  return {};
}

// "-A CHAIN ..." → "-I CHAIN 1 ..." for a jump into fwc from another chain.
std::string as_insert_line(const std::string& rule) {
  if (!starts(rule, "-A ") || starts(rule, "-A FWC-")) return rule;
  size_t chain_end = rule.find(' ', 3);
  if (chain_end == std::string::npos) return rule;
  return "-I " + rule.substr(3, chain_end - 3) + " 1" + rule.substr(chain_end);
}

const Table* find(const std::vector<Table>& ts, const std::string& name) {
  for (const auto& t : ts)
    if (t.name == name) return &t;
  return nullptr;
}

bool has_fwc(const Table& t) {
  return std::any_of(t.chains.begin(), t.chains.end(), is_fwc_line) ||
         std::any_of(t.rules.begin(), t.rules.end(), is_fwc_line);
}

}  // namespace

std::vector<Table> parse_tables(const std::string& text) {
  std::vector<Table> out;
  for (const auto& line : split_lines(text)) {
    if (starts(line, "*"))
      out.push_back({line.substr(1), {}, {}});
    else if (out.empty())
      continue;
    else if (starts(line, ":"))
      out.back().chains.push_back(line);
    else if (starts(line, "-"))
      out.back().rules.push_back(line);
  }
  return out;
}

bool is_fwc_line(const std::string& line) {
  if (starts(line, ":FWC-") || starts(line, "-A FWC-") || starts(line, "-I FWC-")) return true;
  return starts(line, "-") && starts(target_of(line), "FWC-");
}

Table fwc_part(const Table& t, bool as_insert) {
  Table out{t.name, {}, {}};
  for (const auto& c : t.chains)
    if (is_fwc_line(c)) out.chains.push_back(without_counters(c) + " [0:0]");
  for (const auto& r : t.rules)
    if (is_fwc_line(r)) out.rules.push_back(as_insert ? as_insert_line(r) : r);
  return out;
}

std::string merge(const std::vector<Table>& current, const std::vector<Table>& fwc) {
  std::vector<std::string> names;
  for (const auto* list : {&current, &fwc})
    for (const auto& t : *list)
      if (has_fwc(t) && std::find(names.begin(), names.end(), t.name) == names.end()) names.push_back(t.name);
  std::ostringstream out;
  for (const auto& name : names) {
    const Table* cur = find(current, name);
    const Table* add = find(fwc, name);
    out << "*" << name << "\n";
    if (cur)
      for (const auto& c : cur->chains)
        if (!is_fwc_line(c)) out << c << "\n";
    if (add)
      for (const auto& c : add->chains) out << c << "\n";
    if (cur)
      for (const auto& r : cur->rules)
        if (!is_fwc_line(r)) out << r << "\n";
    if (add)
      for (const auto& r : add->rules) out << r << "\n";
    out << "COMMIT\n";
  }
  return out.str();
}

std::vector<std::string> fwc_lines(const std::string& save) {
  std::vector<std::string> out;
  for (const auto& t : parse_tables(save)) {
    Table part = fwc_part(t, false);
    if (part.chains.empty() && part.rules.empty()) continue;
    out.push_back("*" + t.name);
    for (const auto& c : part.chains) out.push_back(without_counters(c));
    out.insert(out.end(), part.rules.begin(), part.rules.end());
  }
  return out;
}

std::vector<std::string> fwc_ipset_lines(const std::string& save) {
  std::vector<std::string> out;
  for (const auto& line : split_lines(save)) {
    std::istringstream words(line);
    std::string verb, set;
    words >> verb >> set;
    if ((verb == "create" || verb == "add") && starts(set, "fwc-") && set.size() > 4 &&
        set.compare(set.size() - 4, 4, ".new") != 0)
      out.push_back(line);
  }
  return out;
}

std::vector<std::string> ipset_names(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const auto& line : lines) {
    std::istringstream words(line);
    std::string verb, set;
    words >> verb >> set;
    if (verb == "create") out.push_back(set);
  }
  return out;
}

std::string ipset_restore_input(const std::vector<std::string>& saved) {
  std::ostringstream out;
  for (const auto& set : ipset_names(saved)) {
    const std::string staging = set + ".new";
    for (const auto& line : saved) {
      std::istringstream words(line);
      std::string verb, name, rest;
      words >> verb >> name;
      std::getline(words, rest);
      if (name != set) continue;
      if (verb == "create") {
        out << "create " << set << rest << " -exist\n";
        out << "destroy " << staging << " -exist\n";
        out << "create " << staging << rest << "\n";
      } else {
        out << "add " << staging << rest << "\n";
      }
    }
    out << "swap " << staging << " " << set << "\ndestroy " << staging << "\n";
  }
  return out.str();
}

}  // namespace fwc::cli::managers::ipt
