#include <algorithm>

#include "compiler/ir/ir.h"

namespace fwc::ir {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::accept: return "accept";
    case Verdict::reject: return "reject";
    case Verdict::drop: break;
  }
  return "drop";
}

std::string Origin::where() const {
  std::string out = loc.file ? *loc.file : std::string("<input>");
  if (loc.line > 0) out += ":" + std::to_string(loc.line);
  return out;
}

std::string AddrSource::describe() const {
  return kind == Kind::file ? "file " + what : what;
}

bool Origin::ignores(const char* code) const {
  return std::find(ignore.begin(), ignore.end(), code) != ignore.end();
}

std::string Selection::label() const {
  switch (kind) {
    case Kind::node: return "node " + name;
    case Kind::role: return "role " + name;
    case Kind::none: break;
  }
  return "all nodes";
}

bool Policy::has_scoped_rules() const {
  auto scoped = [](const auto& rules) {
    return std::any_of(rules.begin(), rules.end(), [](const auto& r) { return !r.scope.empty(); });
  };
  return scoped(inbound_blocks) || scoped(outbound_blocks) || scoped(meters) || scoped(inbound) ||
         scoped(outbound) || scoped(forward) || scoped(otherwise);
}

std::vector<DynamicSet> Ruleset::dynamic_sets() const {
  std::vector<DynamicSet> out;
  for (const auto& b : input.blocks)
    if (b.dynamic) out.push_back(*b.dynamic);
  return out;
}

const Node* Policy::find_node(const std::string& wanted) const {
  for (const auto& n : nodes)
    if (n.name == wanted) return &n;
  return nullptr;
}

}  // namespace fwc::ir
