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

const char* const kTableHead = " | Before | After | Rule |\n|---|---|---|---|---|---|\n";

// The input changes, the outbound changes, and the forward rules and
// settings of one selection: a table each.
std::string md_selection(const SelectionDiff& s) {
  std::string out;
  if (!s.changes.empty()) {
    out += std::string("| | Ports | Sources") + kTableHead;
    for (const auto& c : s.changes) out += md_row(c);
    out += "\n";
  }
  if (!s.outbound.empty()) {
    out += std::string("Outbound:\n\n| | Ports | Destinations") + kTableHead;
    for (const auto& c : s.outbound) out += md_row(c);
    out += "\n";
  }
  if (s.forward.empty() && s.settings.empty()) return out;
  out += "Forward rules and settings:\n\n| | Change | Rule |\n|---|---|---|\n";
  for (const auto& c : s.forward)
    out += "| " + std::string(1, forward_sign(c)) + " | " + md(forward_summary(c)) + " | " + md_rule(forward_origin(c)) + " |\n";
  for (const auto& c : s.settings)
    out += "| " + std::string(1, setting_sign(c)) + " | " + md(setting_summary(c)) + " | " + md_rule(c.origin) + " |\n";
  out += "\n";
  return out;
}

}  // namespace

std::string diff_markdown(const PolicyDiffReport& r) {
  std::string out = "### fwc diff: " + md(r.before_name) + " \\-> " + md(r.after_name) + "\n\n";
  if (!r.changed()) return out + "No verdict changes.\n";
  for (const auto& g : group_selections(r, md_selection)) {
    const auto& first = *g.members.front();
    if (first.presence != SelectionDiff::Presence::both)
      out += "**" + md(g.heading()) + "**: " + presence_text(first) + "\n\n";
    else out += "**" + md(g.heading()) + "**\n\n" + g.body;
  }
  return out;
}

namespace {

// One workflow command: `::warning` for what is newly accepted, else
// `::notice`, anchored at the rule when it has a place.
std::string github_line(char sign, const std::string& text, const ir::Origin& at) {
  std::string props = " ";
  if (at.loc.known())
    props = " file=" + github_escape_property(printable(*at.loc.file)) + ",line=" + std::to_string(at.loc.line) + ",";
  const char* command = sign == '+' ? "warning" : "notice";
  return "::" + std::string(command) + props + "title=fwc diff::" + github_escape_data(text) + "\n";
}

std::string github_selection(const SelectionDiff& s) {
  const std::string who = printable(s.selection.label()) + ": ";
  std::string out;
  for (const auto* list : {&s.changes, &s.outbound})
    for (const auto& c : *list) {
      const std::string text = who + change_sign(c) + " " + change_summary(c, list == &s.outbound) + " (" +
                               printable(c.new_origin.label) + ")";
      out += github_line(change_sign(c), text, c.new_origin);
    }
  for (const auto& c : s.forward) {
    const ir::Origin& at = forward_origin(c);
    out += github_line(forward_sign(c), who + forward_sign(c) + " " + forward_summary(c) + " (" + printable(at.label) + ")", at);
  }
  for (const auto& c : s.settings)
    out += github_line(setting_sign(c), who + setting_sign(c) + " " + setting_summary(c) + " (" + printable(c.origin.label) + ")", c.origin);
  return out;
}

}  // namespace

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
    out += github_selection(s);
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

nlohmann::json change_json(const RegionChange& c, const char* peers = "sources") {
  const char* protocol = c.all_traffic ? "all" : eval::axis_name(c.axis);
  nlohmann::json j{{"change", std::string(1, change_sign(c))}, {"protocol", protocol}};
  if (!c.all_traffic && c.axis != eval::Axis::other) {
    nlohmann::json ports = nlohmann::json::array();
    for (const auto& r : c.ports) ports.push_back({r.lo, r.hi});
    j["ports"] = ports;
  }
  j[peers] = sources_json(c.sources);
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

nlohmann::json forward_rule_json(const ir::Allow& a) {
  nlohmann::json ports = nlohmann::json::array();
  for (auto proto : {net::Proto::tcp, net::Proto::udp})
    for (const auto& r : a.ports.of(proto)) ports.push_back({net::proto_name(proto), r.lo, r.hi});
  nlohmann::json j{{"sources", sources_json(a.src.addrs)},
                   {"destinations", sources_json(a.dst.addrs)},
                   {"all_traffic", a.ports.all},
                   {"ports", ports},
                   {"rule", a.origin.label}};
  if (a.origin.loc.file) j["file"] = *a.origin.loc.file;
  if (a.origin.loc.line > 0) j["line"] = a.origin.loc.line;
  return j;
}

nlohmann::json forward_json(const eval::ForwardRuleChange& c) {
  nlohmann::json j{{"change", std::string(1, forward_sign(c))}};
  if (c.before) j["before"] = forward_rule_json(*c.before);
  if (c.after) j["after"] = forward_rule_json(*c.after);
  return j;
}

nlohmann::json setting_json(const eval::SettingChange& c) {
  nlohmann::json j{{"change", std::string(1, setting_sign(c))},
                   {"setting", c.setting},
                   {"before", c.before},
                   {"after", c.after},
                   {"rule", c.origin.label}};
  if (c.origin.loc.file) j["file"] = *c.origin.loc.file;
  if (c.origin.loc.line > 0) j["line"] = c.origin.loc.line;
  return j;
}

// The selection's changes; the outbound, forward and setting lists only
// when they hold something (a version 1 reader sees what it knew).
nlohmann::json selection_json(const SelectionDiff& s) {
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& c : s.changes) changes.push_back(change_json(c));
  nlohmann::json j{{"kind", kind_name(s.selection.kind)},
                   {"name", s.selection.name},
                   {"presence", presence_name(s.presence)},
                   {"changes", changes}};
  for (const auto& c : s.outbound) j["outbound"].push_back(change_json(c, "destinations"));
  for (const auto& c : s.forward) j["forward"].push_back(forward_json(c));
  for (const auto& c : s.settings) j["settings"].push_back(setting_json(c));
  return j;
}

}  // namespace

std::string diff_json(const PolicyDiffReport& r) {
  nlohmann::json sels = nlohmann::json::array();
  for (const auto& s : r.selections) sels.push_back(selection_json(s));
  nlohmann::json j{{"schema", "fwc-policy-diff/1"},
                   {"before", r.before_name},
                   {"after", r.after_name},
                   {"changed", r.changed()},
                   {"selections", sels}};
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace fwc::cli
