// What other tools' tables mean for the policy fwc applies (the warnings
// of apply, diff and status).
#include <string>

#include "backends/nftables/coexist/classify.h"
#include "compiler/diag/printable.h"

namespace fwc::nft::coexist {

namespace {

std::string table_of(const Finding& f) { return "table " + printable(f.family) + " " + printable(f.table); }

std::string remedy_for(const Finding& f) {
  switch (f.tool) {
    case Tool::firewalld:
      return "apply through firewalld (fwc apply --backend firewalld) or stop firewalld";
    case Tool::ufw:
      return "apply through ufw (fwc apply --backend ufw) or disable ufw";
    default:
      return "make whatever loads " + table_of(f) + " accept this traffic, or delete that table";
  }
}

// other-firewall: an input base chain that can drop what the policy accepts.
Consequence input_filter(const Finding& f, const std::string& example) {
  const ForeignChain& c = f.base[static_cast<size_t>(f.input_drop)];
  std::string why = c.policy_drop ? "" : ", reaches a drop or reject rule";
  return {"other-firewall", false,
          f.label() + " (" + table_of(f) + ", " + describe_chain(c) + why +
              ") also filters input: traffic the policy accepts can still be dropped there - e.g. " + example +
              ". Remedy: " + remedy_for(f) + "."};
}

// container-nat: once per tool, naming all its tables. With
// defaults.published: govern the published chain decides that traffic by the
// inbound rules, so it is a note; with ignore nothing of the policy does.
Consequence container_nat(const std::vector<Finding>& found, Tool tool, bool governs_published) {
  std::string tables;
  for (const auto& f : found)
    if (f.tool == tool) tables += (tables.empty() ? "" : ", ") + printable(f.family) + " " + printable(f.table);
  const std::string what = std::string(tool_name(tool)) + " (tables " + tables +
                           ") DNATs published container ports and forwards them";
  // kube-proxy also DNATs pods' own traffic to service addresses, which is
  // not sent to this host: the published chain decides it too.
  if (governs_published && tool == Tool::kube_proxy)
    return {"container-nat", false,
            what + "; the policy's inbound rules govern that traffic in chain published (defaults.published: "
                   "govern), and also pods' own connections to service addresses, which kube-proxy DNATs "
                   "too. Remedy: allow the pod network in an inbound rule, or set defaults.published: ignore."};
  if (governs_published)
    return {"container-nat", true,
            what + "; the policy's inbound rules govern that traffic in chain published (defaults.published: "
                   "govern)."};
  return {"container-nat", false,
          what + ": the policy's inbound rules never see that traffic (defaults.published: ignore). Remedy: "
                 "set defaults.published: govern (see \"Published ports\" in fwc(1))."};
}

// blocklist-tool: a note per table of fail2ban or CrowdSec.
Consequence blocklist(const Finding& f) {
  std::string where = table_of(f);
  for (const auto& c : f.base) where += "; " + describe_chain(c);
  return {"blocklist-tool", true,
          f.label() + " (" + where + ") drops the sources it lists, whatever the policy accepts; fwc never "
              "touches its tables, sets or elements."};
}

bool seen_tool(const std::vector<Consequence>& out, Tool t) {
  for (const auto& c : out)
    if (std::string(c.kind) == "container-nat" && c.text.rfind(tool_name(t), 0) == 0) return true;
  return false;
}

}  // namespace

std::vector<Consequence> consequences(const std::vector<Finding>& found, const ForeignRuleset& rs,
                                      const std::string& example, bool governs_published) {
  std::vector<Consequence> out;
  for (const auto& f : found) {
    switch (f.tool) {
      case Tool::firewalld:
      case Tool::ufw:
      case Tool::unknown:
        if (f.input_drop >= 0 && !example.empty()) out.push_back(input_filter(f, example));
        break;
      case Tool::docker:
      case Tool::kube_proxy:
        if (!seen_tool(out, f.tool)) out.push_back(container_nat(found, f.tool, governs_published));
        break;
      case Tool::fail2ban:
      case Tool::crowdsec:
        out.push_back(blocklist(f));
        break;
    }
  }
  if (rs.legacy_v4 || rs.legacy_v6) {
    std::string which = rs.legacy_v4 && rs.legacy_v6 ? "IPv4 and IPv6" : rs.legacy_v4 ? "IPv4" : "IPv6";
    out.push_back({"iptables-legacy", false,
                   "iptables-legacy rules present (" + which +
                       "), not readable over nftables: fwc cannot tell what they drop. Remedy: move them to "
                       "nftables (iptables-legacy-save | iptables-nft-restore) or check them by hand."});
  }
  return out;
}

}  // namespace fwc::nft::coexist
