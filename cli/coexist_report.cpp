#include "cli/coexist_report.h"

#include <set>

#include "backends/nftables/netlink/nl_foreign.h"
#include "backends/nftables/netlink/nl_foreign_rules.h"
#include "compiler/diag/printable.h"
#include "compiler/net/ip.h"

namespace fwc::cli::coexist {

namespace nc = nft::coexist;

bool read(nft::netlink::Session& s, Report& out, nft::netlink::Outcome& err) {
  out = Report{};
  if (!nft::netlink::read_foreign(s, out.rules, err)) return false;
  out.found = nc::classify(out.rules);
  return true;
}

namespace {

std::string peer_text(const ir::Peer& p) {
  if (!p.name.empty()) return printable(p.name);
  if (p.any(net::Family::v4) && p.any(net::Family::v6)) return "any";
  for (auto f : {net::Family::v4, net::Family::v6}) {
    auto cidrs = p.addrs.cidrs(f);
    if (!cidrs.empty()) return net::format_cidr(cidrs.front()) + (cidrs.size() > 1 ? " and more" : "");
  }
  return "nowhere";
}

std::string ports_text(const net::PortSet& ports) {
  if (ports.all) return "all traffic";
  for (auto proto : {net::Proto::tcp, net::Proto::udp})
    if (!ports.of(proto).empty())
      return net::format_range(ports.of(proto).front()) + "/" + net::proto_name(proto);
  return "";
}

}  // namespace

std::string accepted_example(const ir::Ruleset& rs) {
  for (const auto& a : rs.input.allows) {
    if (a.src.addrs.empty() || a.ports.empty()) continue;
    return ports_text(a.ports) + " from " + peer_text(a.src);
  }
  if (rs.input.policy == ir::Verdict::accept) return "all traffic (inbound default accept)";
  return "";
}

size_t print_consequences(const Report& r, const ir::Ruleset& rs, FILE* to) {
  size_t warnings = 0;
  for (const auto& c : nc::consequences(r.found, r.rules, accepted_example(rs), rs.published)) {
    std::fprintf(to, "fwc: %s: %s\n", c.note ? "note" : "warning", c.text.c_str());
    warnings += c.note ? 0 : 1;
  }
  return warnings;
}

void print_section(const Report& r, FILE* to) {
  if (r.found.empty() && !r.rules.legacy_v4 && !r.rules.legacy_v6) return;
  std::fprintf(to, "\nAlso filtering this host:\n");
  for (const auto& f : r.found) {
    std::fprintf(to, "  %s: table %s %s\n", f.label().c_str(), printable(f.family).c_str(),
                 printable(f.table).c_str());
    for (const auto& c : f.base) std::fprintf(to, "    %s\n", nc::describe_chain(c).c_str());
  }
  if (r.rules.legacy_v4 || r.rules.legacy_v6)
    std::fprintf(to, "  iptables-legacy rules present, not readable over nftables\n");
}

namespace {

// The verdict of one chain for `p`, or why fwc cannot tell.
bool chain_verdict(nft::netlink::Session& s, const nc::ForeignChain& c, const eval::Packet& p, std::string& out,
                   nft::netlink::Outcome& err) {
  if ((c.family == "ip" && p.src.family != net::Family::v4) || (c.family == "ip6" && p.src.family != net::Family::v6)) {
    out = "does not see this packet (other address family)";
    return true;
  }
  std::vector<nc::SimpleRule> rules;
  bool modelled = false;
  if (!nft::netlink::read_simple_rules(s, c, rules, modelled, err)) return false;
  out = modelled ? nc::evaluate(rules, c.policy_drop, p)
                 : "cannot evaluate: table " + printable(c.table) + " chain " + printable(c.name) + " has " +
                       std::to_string(rules.size()) + " rules fwc does not model";
  return true;
}

}  // namespace

bool print_explain(nft::netlink::Session& s, const Report& r, const eval::Packet& p, FILE* to,
                   nft::netlink::Outcome& err) {
  bool any = false;
  std::set<std::string> seen;  // a table iptables-nft shares is a finding of each tool
  for (const auto& f : r.found)
    for (const auto& c : f.base) {
      if (c.hook != "input" || !(c.family == "inet" || c.family == "ip" || c.family == "ip6")) continue;
      if (!seen.insert(c.family + " " + c.table + " " + c.name).second) continue;
      if (!any) std::fprintf(to, "\nAlso on this host's input hook:\n");
      any = true;
      std::string verdict;
      if (!chain_verdict(s, c, p, verdict, err)) return false;
      std::fprintf(to, "  %s, table %s %s, %s: %s\n", f.label().c_str(), printable(f.family).c_str(),
                   printable(f.table).c_str(), nc::describe_chain(c).c_str(), verdict.c_str());
    }
  if (!any) std::fprintf(to, "\nNo other table filters this host's input hook.\n");
  if (r.rules.legacy_v4 || r.rules.legacy_v6)
    std::fprintf(to, "  iptables-legacy rules present, not readable over nftables: cannot evaluate\n");
  return true;
}

}  // namespace fwc::cli::coexist
