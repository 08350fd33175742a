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
  if (!net::parse_peer_address(f[0], c.client) || !parse_port(f[1], c.client_port) ||
      !net::parse_peer_address(f[2], c.server) || !parse_port(f[3], c.server_port))
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

std::string never_lockout_problem(const ir::Ruleset& rs) {
  for (auto f : {net::Family::v4, net::Family::v6})
    for (const auto& iv : rs.never.intervals(f))
      for (const auto& ports : rs.ssh.tcp) {
        net::Address from{f, iv.lo};
        eval::Decision d = eval::explain(rs, {from, net::Proto::tcp, ports.lo});
        if (d.verdict == ir::Verdict::accept) continue;
        std::string rule = d.origin.label;
        if (d.origin.loc.line > 0) rule += " (" + d.origin.where() + ")";
        return "the policy would " + std::string(ir::verdict_name(d.verdict)) + " SSH from " +
               net::format_address(f, iv.lo) + " (never:, the operators' networks) to port " +
               std::to_string(ports.lo) + "/tcp: decided by " + rule;
      }
  return "";
}

SessionCheck check_session(const ir::Ruleset& rs, std::string_view ssh_connection) {
  auto c = parse_ssh_connection(ssh_connection);
  if (!c) {
    std::string shown;  // printable and short: it is echoed to a terminal
    for (char ch : ssh_connection.substr(0, 80)) shown += (ch >= 0x20 && ch < 0x7f) ? ch : '?';
    return {
        "SSH_CONNECTION \"" + shown +
            "\" is not 'CLIENT_ADDRESS CLIENT_PORT SERVER_ADDRESS SERVER_PORT': the lock-out guard cannot "
            "check your session",
        "unset SSH_CONNECTION if this is not an SSH session, or use --force"};
  }
  std::string why = lockout_problem(rs, *c);
  if (why.empty()) return {};
  return {why, "fix the policy, or use --force"};
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
