#include "backends/common/naming.h"

#include <cctype>
#include <set>

namespace fwc::naming {

std::string origin_text(const ir::Origin& o) {
  std::string text = o.label;
  if (o.loc.line > 0) text += " (" + o.where() + ")";
  return text;
}

std::string policy_header(const ir::Ruleset& rs) {
  std::string out = "fwc: policy " + rs.policy_name + " (" + rs.policy_file + "), " + rs.selection;
  // Host names are only compiled when resolved now (compile --resolve,
  // apply): the artefact says its addresses are a snapshot.
  std::string hosts;
  std::set<std::string> seen;
  for (const auto& n : rs.networks)
    for (const auto& src : n.sources)
      if (src.kind == ir::AddrSource::Kind::name && seen.insert(src.what).second)
        hosts += (hosts.empty() ? "" : ", ") + src.what;
  if (!hosts.empty()) out += "; host names resolved at compile time: " + hosts;
  return out;
}

std::string sanitize(std::string_view s, std::string_view keep) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || keep.find(c) != std::string_view::npos;
    out += ok ? c : '_';
  }
  return out;
}

// Labels are "inbound[1] public-web", "inbound[0] web otherwise" or,
// for unnamed rules, "inbound[2]".
std::string rule_stem(const ir::Origin& o, std::string_view keep, bool first_word) {
  std::string_view label = o.label;
  size_t space = label.find(' ');
  if (space == std::string_view::npos) return sanitize(label.substr(0, label.find(']')), keep);
  std::string_view name = label.substr(space + 1);
  if (first_word) name = name.substr(0, name.find(' '));
  return sanitize(name, keep);
}

std::string UniqueNames::take(std::string_view prefix, std::string_view stem, std::string_view suffix) {
  for (int n = 1;; ++n) {
    std::string tail = n == 1 ? std::string() : separator_ + std::to_string(n);
    tail += suffix;
    size_t fixed = prefix.size() + tail.size();
    size_t room = max_ > fixed ? max_ - fixed : 0;
    std::string_view head = stem.substr(0, room);
    while (!head.empty() && trim_.find(head.back()) != std::string::npos) head.remove_suffix(1);
    std::string name(prefix);
    name.append(head).append(tail);
    if (used_.insert(name).second) return name;
  }
}

}  // namespace fwc::naming
