#include "cli/policy_diff_report.h"

#include <algorithm>

#include "compiler/diag/printable.h"
#include "compiler/net/ip.h"

namespace fwc::cli {

using eval::RegionChange;
using eval::SelectionDiff;

bool PolicyDiffReport::changed() const {
  for (const auto& s : selections)
    if (s.changed()) return true;
  return false;
}

char change_sign(const RegionChange& c) {
  const bool was = c.before.verdict == ir::Verdict::accept, is = c.after.verdict == ir::Verdict::accept;
  return is && !was ? '+' : was && !is ? '-' : '~';
}

std::string change_ports(const RegionChange& c) {
  if (c.all_traffic) return "all traffic";
  if (c.axis == eval::Axis::other) return "other protocols";
  const std::string proto = eval::axis_name(c.axis);
  if (c.ports == std::vector<net::PortRange>{{0, 65535}}) return "all/" + proto;
  std::string out;
  for (const auto& r : c.ports) out += (out.empty() ? "" : ", ") + net::format_range(r) + "/" + proto;
  return out;
}

namespace {

std::string cidr_list(const net::AddrSet& s, size_t limit) {
  std::string out;
  size_t shown = 0;
  for (auto f : {net::Family::v4, net::Family::v6}) {
    if (s.is_all(f)) {
      if (shown++ < limit) out += (out.empty() ? "" : ", ") + std::string(f == net::Family::v4 ? "any IPv4" : "any IPv6");
      continue;
    }
    for (const auto& c : s.cidrs(f))
      if (shown++ < limit) out += (out.empty() ? "" : ", ") + net::format_cidr(c);
  }
  if (shown > limit) out += " (+" + std::to_string(shown - limit) + " more)";
  return out;
}

size_t cidr_total(const net::AddrSet& s) { return s.cidr_count(net::Family::v4) + s.cidr_count(net::Family::v6); }

}  // namespace

// Loopback sources never change (lo is always accepted), so a set that
// lacks only them, or is shorter as a complement, prints as "any except".
std::string change_sources(const net::AddrSet& s, size_t limit) {
  net::AddrSet rest = net::AddrSet::any();
  rest.subtract(s);
  rest.subtract(eval::loopback_sources());
  if (rest.empty()) return "any";
  if (cidr_total(rest) < cidr_total(s)) return "any except " + cidr_list(rest, limit);
  return cidr_list(s, limit);
}

std::string change_summary(const RegionChange& c, bool outbound) {
  return std::string(outbound ? "outbound " : "") + change_ports(c) + (outbound ? " to " : " from ") +
         change_sources(c.sources) + ": " + eval::outcome_name(c.before) + " -> " + eval::outcome_name(c.after);
}

namespace {

std::string ports_text(const net::PortSet& p) {
  if (p.all) return "all traffic";
  std::string out;
  for (auto proto : {net::Proto::tcp, net::Proto::udp})
    for (const auto& r : p.of(proto))
      out += (out.empty() ? "" : ", ") + net::format_range(r) + "/" + net::proto_name(proto);
  return out;
}

std::string forward_rule_text(const ir::Allow& a) {
  return ports_text(a.ports) + " from " + change_sources(a.src.addrs) + " to " + change_sources(a.dst.addrs);
}

std::string rule_text(const ir::Origin& o) {
  if (!o.loc.known()) return printable(o.label);
  return printable(o.label) + ", " + printable(o.where());
}

std::string change_line(const RegionChange& c, bool outbound) {
  std::string line =
      std::string(1, change_sign(c)) + " " + change_summary(c, outbound) + " (" + rule_text(c.new_origin);
  if (!eval::same_rule(c.old_origin, c.new_origin)) line += "; was " + rule_text(c.old_origin);
  return line + ")";
}

std::string other_line(char sign, const std::string& summary, const ir::Origin& origin) {
  const std::string rule = rule_text(origin);
  return std::string(1, sign) + " " + printable(summary) + (rule.empty() ? "" : " (" + rule + ")");
}

std::string text_body(const SelectionDiff& s) {
  std::string out;
  for (const auto& c : s.changes) out += "  " + change_line(c, false) + "\n";
  for (const auto& c : s.outbound) out += "  " + change_line(c, true) + "\n";
  for (const auto& c : s.forward) out += "  " + other_line(forward_sign(c), forward_summary(c), forward_origin(c)) + "\n";
  for (const auto& c : s.settings) out += "  " + other_line(setting_sign(c), setting_summary(c), c.origin) + "\n";
  return out;
}

}  // namespace

const char* presence_text(const SelectionDiff& s) {
  return s.presence == SelectionDiff::Presence::added ? "only in the new policy" : "only in the old policy";
}

std::string SelectionGroup::heading() const {
  bool nodes = members.size() > 1;
  for (const auto* s : members) nodes &= s->selection.kind == ir::Selection::Kind::node;
  std::string out = nodes ? "nodes " : "";
  for (const auto* s : members)
    out += (out.empty() || out == "nodes " ? "" : ", ") + (nodes ? s->selection.name : s->selection.label());
  return out;
}

std::vector<SelectionGroup> group_selections(const PolicyDiffReport& r, std::string (*body)(const SelectionDiff&)) {
  std::vector<SelectionGroup> groups;
  for (const auto& s : r.selections) {
    if (!s.changed()) continue;
    // A selection only one version has is a group of its own kind.
    std::string b = s.presence == SelectionDiff::Presence::both ? body(s) : std::string();
    auto same = [&](const SelectionGroup& g) {
      return g.body == b && g.members.front()->presence == s.presence;
    };
    auto it = std::find_if(groups.begin(), groups.end(), same);
    if (it == groups.end()) groups.push_back({{&s}, std::move(b)});
    else it->members.push_back(&s);
  }
  return groups;
}

std::string diff_text(const PolicyDiffReport& r) {
  std::string out;
  for (const auto& g : group_selections(r, text_body)) {
    const auto& first = *g.members.front();
    if (first.presence != SelectionDiff::Presence::both) out += printable(g.heading()) + ": " + presence_text(first) + "\n";
    else out += printable(g.heading()) + ":\n" + g.body;
  }
  if (out.empty()) out = "no verdict change\n";
  return out;
}

char forward_sign(const eval::ForwardRuleChange& c) { return !c.before ? '+' : !c.after ? '-' : '~'; }

std::string forward_summary(const eval::ForwardRuleChange& c) {
  if (!c.before) return "forward rule added: " + forward_rule_text(*c.after);
  if (!c.after) return "forward rule removed: " + forward_rule_text(*c.before);
  return "forward rule changed: " + forward_rule_text(*c.before) + " -> " + forward_rule_text(*c.after);
}

const ir::Origin& forward_origin(const eval::ForwardRuleChange& c) { return c.after ? c.after->origin : c.before->origin; }

char setting_sign(const eval::SettingChange& c) { return c.more_accepted ? '+' : c.less_accepted ? '-' : '~'; }

std::string setting_summary(const eval::SettingChange& c) { return c.setting + ": " + c.before + " -> " + c.after; }

}  // namespace fwc::cli
