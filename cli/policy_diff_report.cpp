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
