#include "cli/policy_diff_report.h"

#include "compiler/diag/printable.h"
#include "compiler/net/ip.h"

namespace fwc::cli {

using eval::RegionChange;
using eval::SelectionDiff;

bool PolicyDiffReport::changed() const {
  for (const auto& s : selections)
    if (s.presence != SelectionDiff::Presence::both || !s.changes.empty()) return true;
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
  if (c.ports == net::PortRange{0, 65535}) return "all/" + proto;
  return net::format_range(c.ports) + "/" + proto;
}

std::string change_sources(const net::AddrSet& s, size_t limit) {
  if (s.is_all(net::Family::v4) && s.is_all(net::Family::v6)) return "any";
  std::string out;
  size_t shown = 0, total = 0;
  for (auto f : {net::Family::v4, net::Family::v6}) {
    if (s.is_all(f)) {
      ++total;
      if (shown++ < limit) out += (out.empty() ? "" : ", ") + std::string(f == net::Family::v4 ? "any IPv4" : "any IPv6");
      continue;
    }
    for (const auto& c : s.cidrs(f)) {
      ++total;
      if (shown++ < limit) out += (out.empty() ? "" : ", ") + net::format_cidr(c);
    }
  }
  if (total > limit) out += " (+" + std::to_string(total - limit) + " more)";
  return out;
}

namespace {

std::string rule_text(const ir::Origin& o) {
  if (!o.loc.known()) return printable(o.label);
  return printable(o.label) + ", " + printable(o.where());
}

std::string change_line(const RegionChange& c) {
  std::string line = std::string(1, change_sign(c)) + " " + change_ports(c) + " from " + change_sources(c.sources) +
                     ": " + eval::outcome_name(c.before) + " -> " + eval::outcome_name(c.after) + " (" +
                     rule_text(c.new_origin);
  if (!eval::same_rule(c.old_origin, c.new_origin)) line += "; was " + rule_text(c.old_origin);
  return line + ")";
}

std::string presence_text(const SelectionDiff& s) {
  return s.presence == SelectionDiff::Presence::added ? "only in the new policy" : "only in the old policy";
}

}  // namespace

std::string diff_text(const PolicyDiffReport& r) {
  std::string out;
  for (const auto& s : r.selections) {
    if (s.presence != SelectionDiff::Presence::both) {
      out += printable(s.selection.label()) + ": " + presence_text(s) + "\n";
      continue;
    }
    if (s.changes.empty()) continue;
    out += printable(s.selection.label()) + ":\n";
    for (const auto& c : s.changes) out += "  " + change_line(c) + "\n";
  }
  if (out.empty()) out = "no verdict change\n";
  return out;
}

}  // namespace fwc::cli
