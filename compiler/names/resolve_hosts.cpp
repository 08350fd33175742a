#include <algorithm>
#include <set>
#include <tuple>

#include "compiler/names/host_name.h"
#include "compiler/names/lookup.h"

namespace fwc::names {

std::vector<ast::Text> host_entries(const ast::Policy& policy) {
  std::set<std::string> networks, seen;
  for (const auto& n : policy.networks) networks.insert(n.name.value);
  std::vector<ast::Text> out;
  for (const auto& n : policy.networks)
    for (const auto& t : n.addresses) {
      if (networks.count(t.value) || !is_host_name(t.value)) continue;
      std::string name = canonical(t.value);
      if (seen.insert(name).second) out.push_back({name, t.loc});
    }
  return out;
}

namespace {

std::string count_text(size_t n) { return std::to_string(n) + (n == 1 ? " address" : " addresses"); }

// A failed or empty answer: the last good one, or nothing (an error).
bool fall_back(const ast::Text& host, const Answer& a, LastGood* last_good, DiagnosticEngine& diags,
               std::vector<net::Address>& out) {
  const std::string why = a.error.empty() ? "has no A or AAAA records" : "failed: " + a.error;
  std::optional<std::vector<net::Address>> kept;
  if (last_good) kept = last_good->get(host.value);
  if (kept && !kept->empty()) {
    diags.warning(code::stale_lookup, host.loc,
                  "lookup of '" + host.value + "' " + why + "; keeping its last good answer (" +
                      count_text(kept->size()) + ")",
                  "check the resolver (/etc/resolv.conf) and the name; `fwc refresh` tries again",
                  host.length());
    out = std::move(*kept);
    return true;
  }
  diags.error(code::lookup_failed, host.loc, "lookup of '" + host.value + "' " + why + ", and no earlier answer is known",
              "nothing is applied: fix the name or the resolver, or write the addresses", host.length());
  return false;
}

}  // namespace

Resolved resolve_hosts(const ast::Policy& policy, HostLookup& lookup, LastGood* last_good,
                       DiagnosticEngine& diags) {
  Resolved out;
  out.mode = Mode::resolved;
  const std::vector<ast::Text> hosts = host_entries(policy);
  if (hosts.empty()) return out;
  std::vector<std::string> names;
  names.reserve(hosts.size());
  for (const auto& h : hosts) names.push_back(h.value);
  const std::map<std::string, Answer> answers = lookup.lookup(names);
  for (const auto& h : hosts) {
    auto it = answers.find(h.value);
    Answer a = it == answers.end() ? Answer{{}, "no answer in time"} : it->second;
    std::sort(a.addrs.begin(), a.addrs.end(), [](const net::Address& x, const net::Address& y) {
      return std::tie(x.family, x.value) < std::tie(y.family, y.value);
    });
    a.addrs.erase(std::unique(a.addrs.begin(), a.addrs.end(),
                              [](const net::Address& x, const net::Address& y) {
                                return x.family == y.family && x.value == y.value;
                              }),
                  a.addrs.end());
    std::vector<net::Address> got;
    if (a.error.empty() && !a.addrs.empty()) {
      got = a.addrs;
      if (last_good) last_good->put(h.value, got);
    } else if (!fall_back(h, a, last_good, diags, got)) {
      continue;
    }
    out.hosts[h.value] = std::move(got);
  }
  return out;
}

}  // namespace fwc::names
