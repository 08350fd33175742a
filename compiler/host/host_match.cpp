#include "compiler/host/host_match.h"

#include <charconv>

#include "compiler/eval/explain.h"

namespace fwc::host {

namespace {

bool parse_port(std::string_view s, uint16_t& out) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v == 0 || v > 65535) return false;
  out = static_cast<uint16_t>(v);
  return true;
}

// An address as sshd prints it; IPv4-mapped IPv6 becomes IPv4, a zone
// index ("%eth0") is dropped.
bool parse_addr(std::string_view s, net::Address& out) {
  if (auto pct = s.find('%'); pct != std::string_view::npos) s = s.substr(0, pct);
  constexpr std::string_view mapped = "::ffff:";
  if (s.size() > mapped.size() && s.substr(0, mapped.size()) == mapped && s.find('.') != std::string_view::npos) {
    uint32_t v4 = 0;
    if (!net::parse_ipv4(s.substr(mapped.size()), v4)) return false;
    out = {net::Family::v4, v4};
    return true;
  }
  return net::parse_address(s, out);
}

std::vector<std::string_view> fields(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool same(const net::Address& a, const net::Address& b) { return a.family == b.family && a.value == b.value; }

std::string first_label(const std::string& h) { return h.substr(0, h.find('.')); }

}  // namespace

std::optional<SshConnection> parse_ssh_connection(std::string_view text) {
  auto f = fields(text);
  if (f.size() != 4) return std::nullopt;
  SshConnection c;
  if (!parse_addr(f[0], c.client) || !parse_port(f[1], c.client_port) || !parse_addr(f[2], c.server) ||
      !parse_port(f[3], c.server_port))
    return std::nullopt;
  return c;
}

std::string lockout_problem(const ir::Ruleset& rs, const SshConnection& c) {
  eval::Decision d = eval::explain(rs, {c.client, net::Proto::tcp, c.server_port});
  if (d.verdict == ir::Verdict::accept) return "";
  std::string rule = d.origin.label;
  if (d.origin.loc.line > 0) rule += " (" + d.origin.where() + ")";
  return "the policy would " + std::string(ir::verdict_name(d.verdict)) + " your SSH session from " +
         net::format_address(c.client.family, c.client.value) + " to port " + std::to_string(c.server_port) +
         "/tcp: decided by " + rule;
}

std::vector<NodeMatch> match_nodes(const ir::Policy& p, const Identity& self) {
  std::vector<NodeMatch> out;
  for (const auto& n : p.nodes) {
    std::string why;
    for (const auto& a : n.addresses) {
      for (const auto& mine : self.addresses)
        if (same(a, mine)) why = "address " + net::format_address(a.family, a.value);
      if (!why.empty()) break;
    }
    const std::string& want = n.hostname.empty() ? n.name : n.hostname;
    if (why.empty() && !self.hostname.empty() &&
        (want == self.hostname || want == first_label(self.hostname) || first_label(want) == self.hostname))
      why = "hostname " + self.hostname;
    if (!why.empty()) out.push_back({n.name, why});
  }
  return out;
}

}  // namespace fwc::host
