#include "cli/verify_plan.h"

#include <cstdio>
#include <set>

namespace fwc::cli::verify {

namespace {

namespace pr = prober;

// Ports probed besides those the policy names: services commonly exposed
// by mistake, and both ends of the range.
constexpr uint16_t kSample[] = {1,    7,    21,   22,   23,   25,    53,    80,    110,   111,  123,
                                135,  139,  143,  161,  389,  443,   445,   465,   500,   587,  631,
                                993,  995,  1024, 1433, 1521, 1900,  2049,  2375,  2376,  2379, 3000,
                                3306, 3389, 4500, 5000, 5353, 5432,  5900,  6379,  6443,  8000, 8080,
                                8443, 8888, 9000, 9090, 9200, 10250, 11211, 27017, 49152, 65535};

// One "80" or "8000-8100" of a list; false when it is not one.
bool add_list_item(const std::string& item, std::set<uint16_t>& out) {
  size_t dash = item.find('-');
  try {
    size_t used = 0;
    long lo = std::stol(item.substr(0, dash), &used);
    if (used != item.substr(0, dash).size()) return false;
    long hi = lo;
    if (dash != std::string::npos) {
      std::string rest = item.substr(dash + 1);
      hi = std::stol(rest, &used);
      if (used != rest.size()) return false;
    }
    if (lo < 1 || hi > 65535 || lo > hi) return false;
    for (long p = lo; p <= hi; ++p) out.insert(uint16_t(p));
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

// "22,80,1000-2000"; false on a bad list.
bool parse_port_list(const std::string& text, std::set<uint16_t>& out) {
  size_t i = 0;
  while (i <= text.size()) {
    size_t comma = text.find(',', i);
    if (!add_list_item(text.substr(i, comma == std::string::npos ? std::string::npos : comma - i), out))
      return false;
    if (comma == std::string::npos) break;
    i = comma + 1;
  }
  return !out.empty();
}

// Every port a range names when it is short; its ends and a spread of
// ports in between when it is long.
void add_range(std::set<uint16_t>& out, net::PortRange r) {
  unsigned n = unsigned(r.hi) - r.lo + 1;
  if (n <= 64) {
    for (unsigned p = r.lo; p <= r.hi; ++p) out.insert(uint16_t(p));
    return;
  }
  for (unsigned k = 0; k <= 32; ++k) out.insert(uint16_t(r.lo + (n - 1) * k / 32));
  out.insert(uint16_t(r.lo + 1));
  out.insert(uint16_t(r.hi - 1));
}

void add_portset(std::set<uint16_t>& tcp, std::set<uint16_t>& udp, const net::PortSet& ps) {
  if (ps.all) return;
  for (auto r : ps.tcp) add_range(tcp, r);
  for (auto r : ps.udp) add_range(udp, r);
}

void policy_ports(const ir::Ruleset& rs, const ir::Policy& p, std::set<uint16_t>& tcp,
                  std::set<uint16_t>& udp) {
  const ir::Chain& c = rs.input;
  for (const auto& b : c.blocks)
    if (b.ports) add_portset(tcp, udp, *b.ports);
  for (const auto& m : c.meters) add_portset(tcp, udp, m.ports);
  for (const auto& a : c.allows) add_portset(tcp, udp, a.ports);
  for (const auto& o : c.otherwise) add_portset(tcp, udp, o.ports);
  add_portset(tcp, udp, p.defaults.ssh);
}

}  // namespace

std::optional<PortPlan> plan_ports(const std::string& spec, const LoadedRules* policy, bool udp_too,
                                   size_t ruleset) {
  std::set<uint16_t> tcp, udp;
  if (spec == "all") {
    for (unsigned p = 1; p <= 65535; ++p) tcp.insert(uint16_t(p));
    udp = tcp;
  } else if (spec == "policy") {
    if (policy)
      policy_ports(policy->rulesets.at(ruleset), policy->policy, tcp, udp);
    else
      for (unsigned p = 1; p <= 1024; ++p) tcp.insert(uint16_t(p)), udp.insert(uint16_t(p));
    tcp.insert(std::begin(kSample), std::end(kSample));
    udp.insert(std::begin(kSample), std::end(kSample));
  } else if (parse_port_list(spec, tcp)) {
    udp = tcp;
  } else {
    std::fprintf(stderr, "fwc: --ports '%s': want policy, all, or a list like 22,80,8000-8100\n",
                 spec.c_str());
    return std::nullopt;
  }
  if (!udp_too) udp.clear();
  return PortPlan{{tcp.begin(), tcp.end()}, {udp.begin(), udp.end()}};
}

// A port the policy drops must be filtered: a reset or a port unreachable
// says the host's stack saw the probe, so nothing enforces the drop (no
// firewall at all answers exactly like that). A reject may answer either way.
void compare(Row& row, const eval::Decision& d) {
  const bool allowed = d.verdict == ir::Verdict::accept;
  const bool udp = row.r.proto == pr::L4::udp;
  row.expected = allowed ? "allowed" : "blocked";
  row.rule = d.origin.label;
  row.verdict = "ok";
  // The kernel's SYN proxy answers a SYN with SYN-ACK whether or not a
  // listener is there: open is what the policy expects, and a reset says
  // the proxy is not in place.
  if (d.synproxy && !udp && allowed) {
    if (row.r.state == pr::State::open) {
      row.note = "SYN-ACK from the SYN proxy of " + d.synproxy->label + " (a listener is not proven)";
      return;
    }
    if (row.r.state == pr::State::closed) {
      row.verdict = "warning";
      row.note = "the policy proxies this port's SYNs, but the host answered with a reset: the SYN proxy is "
                 "not in place (or net.netfilter.nf_conntrack_tcp_loose is not 0)";
      return;
    }
  }
  switch (row.r.state) {
    case pr::State::open:
      if (!allowed) row.verdict = "failure", row.note = "exposed: the policy blocks this port but it answers";
      break;
    case pr::State::closed:
      if (allowed) {
        row.verdict = "warning", row.note = "allowed, but nothing is listening";
      } else if (d.verdict == ir::Verdict::drop) {
        row.verdict = "failure";
        row.note = std::string("not filtered: the policy drops this port but the host answered with ") +
                   (udp ? "port unreachable" : "a reset");
      }
      break;
    case pr::State::filtered:
      if (allowed)
        row.verdict = "failure", row.note = "unreachable: the policy allows this port but it is filtered";
      break;
    case pr::State::open_filtered:
      if (allowed) row.note = "no answer: open or filtered, cannot tell";
      break;
    case pr::State::unknown:
      break;
  }
}

}  // namespace fwc::cli::verify
