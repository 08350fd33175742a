// `fwc diff OLD NEW --format markdown|github|json`.
#include <nlohmann/json.hpp>

#include "cli/lint_report.h"
#include "cli/policy_diff_report.h"
#include "compiler/diag/printable.h"
#include "compiler/net/ip.h"

namespace fwc::cli {

using eval::RegionChange;
using eval::SelectionDiff;

namespace {

// Text from a policy inside a markdown table cell: control characters
// escaped, and the characters that open markup, HTML, a cell or a mention.
std::string md(const std::string& text) {
  std::string out;
  for (char ch : printable(text)) {
    if (std::string_view("\\`*_[]<>|~&@").find(ch) != std::string_view::npos) out += '\\';
    out += ch;
  }
  return out;
}

std::string md_rule(const ir::Origin& o) {
  return o.loc.known() ? md(o.label) + " (" + md(o.where()) + ")" : md(o.label);
}

std::string md_row(const RegionChange& c) {
  const std::string was = eval::same_rule(c.old_origin, c.new_origin) ? "" : "; was " + md_rule(c.old_origin);
  return "| " + std::string(1, change_sign(c)) + " | " + md(change_ports(c)) + " | " + md(change_sources(c.sources)) +
         " | " + md(eval::outcome_name(c.before)) + " | " + md(eval::outcome_name(c.after)) + " | " +
         md_rule(c.new_origin) + was + " |\n";
}

}  // namespace

std::string diff_markdown(const PolicyDiffReport& r) {
  std::string out = "### fwc diff: " + md(r.before_name) + " \\-> " + md(r.after_name) + "\n\n";
  if (!r.changed()) return out + "No verdict changes.\n";
  for (const auto& s : r.selections) {
    if (s.presence != SelectionDiff::Presence::both) {
      out += "**" + md(s.selection.label()) + "**: " +
             (s.presence == SelectionDiff::Presence::added ? "only in the new policy" : "only in the old policy") +
             "\n\n";
      continue;
    }
    if (s.changes.empty()) continue;
    out += "**" + md(s.selection.label()) + "**\n\n";
    out += "| | Ports | Sources | Before | After | Rule |\n|---|---|---|---|---|---|\n";
    for (const auto& c : s.changes) out += md_row(c);
    out += "\n";
  }
  return out;
}

std::string diff_github(const PolicyDiffReport& r) {
  std::string out;
  for (const auto& s : r.selections) {
    const std::string who = printable(s.selection.label());
    if (s.presence != SelectionDiff::Presence::both) {
      out += "::notice title=fwc diff::" +
             github_escape_data(who + (s.presence == SelectionDiff::Presence::added ? ": only in the new policy"
                                                                                     : ": only in the old policy")) +
             "\n";
      continue;
    }
    for (const auto& c : s.changes) {
      const ir::Origin& at = c.new_origin;
      std::string props;
      if (at.loc.known()) {
        props = " file=" + github_escape_property(printable(*at.loc.file)) + ",line=" + std::to_string(at.loc.line) + ",";
      } else {
        props = " ";
      }
      const char* command = change_sign(c) == '+' ? "warning" : "notice";
      std::string text = who + ": " + change_sign(c) + " " + change_ports(c) + " from " + change_sources(c.sources) +
                         ": " + eval::outcome_name(c.before) + " -> " + eval::outcome_name(c.after) + " (" +
                         printable(at.label) + ")";
      out += "::" + std::string(command) + props + "title=fwc diff::" + github_escape_data(text) + "\n";
    }
  }
  return out;
}

namespace {

nlohmann::json rule_json(const ir::Origin& o, const eval::Outcome& outcome) {
  nlohmann::json j{{"verdict", ir::verdict_name(outcome.verdict)},
                   {"rate_limited", outcome.limited},
                   {"rule", o.label}};
  if (o.loc.file) j["file"] = *o.loc.file;
  if (o.loc.line > 0) j["line"] = o.loc.line;
  return j;
}

// At most kJsonCidrs CIDRs are listed; `count` says how many there are.
constexpr size_t kJsonCidrs = 1000;

nlohmann::json sources_json(const net::AddrSet& s) {
  nlohmann::json cidrs = nlohmann::json::array();
  size_t count = 0;
  for (auto f : {net::Family::v4, net::Family::v6})
    for (const auto& c : s.cidrs(f))
      if (count++ < kJsonCidrs) cidrs.push_back(net::format_cidr(c));
  return {{"cidrs", cidrs}, {"count", count}, {"truncated", count > kJsonCidrs}};
}

nlohmann::json change_json(const RegionChange& c) {
  const char* protocol = c.all_traffic ? "all" : eval::axis_name(c.axis);
  nlohmann::json j{{"change", std::string(1, change_sign(c))}, {"protocol", protocol}};
  if (!c.all_traffic && c.axis != eval::Axis::other) {
    nlohmann::json ports = nlohmann::json::array();
    for (const auto& r : c.ports) ports.push_back({r.lo, r.hi});
    j["ports"] = ports;
  }
  j["sources"] = sources_json(c.sources);
  j["before"] = rule_json(c.old_origin, c.before);
  j["after"] = rule_json(c.new_origin, c.after);
  return j;
}

const char* presence_name(SelectionDiff::Presence p) {
  switch (p) {
    case SelectionDiff::Presence::added: return "added";
    case SelectionDiff::Presence::removed: return "removed";
    case SelectionDiff::Presence::both: break;
  }
  return "both";
}

const char* kind_name(ir::Selection::Kind k) {
  switch (k) {
    case ir::Selection::Kind::node: return "node";
    case ir::Selection::Kind::role: return "role";
    case ir::Selection::Kind::none: break;
  }
  return "all";
}

}  // namespace

std::string diff_json(const PolicyDiffReport& r) {
  nlohmann::json sels = nlohmann::json::array();
  for (const auto& s : r.selections) {
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& c : s.changes) changes.push_back(change_json(c));
    sels.push_back({{"kind", kind_name(s.selection.kind)},
                    {"name", s.selection.name},
                    {"presence", presence_name(s.presence)},
                    {"changes", changes}});
  }
  nlohmann::json j{{"schema", "fwc-policy-diff/1"},
                   {"before", r.before_name},
                   {"after", r.after_name},
                   {"changed", r.changed()},
                   {"selections", sels}};
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace fwc::cli
