#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/ir.h"

// Which node of a policy this host is, and where the operator's SSH session
// comes from: pure functions over what the CLI gathers from the system.
namespace fwc::host {

// SSH_CONNECTION: "client_ip client_port server_ip server_port".
struct SshConnection {
  net::Address client, server;
  uint16_t client_port = 0, server_port = 0;
};
std::optional<SshConnection> parse_ssh_connection(std::string_view text);

struct Identity {
  std::vector<net::Address> addresses;
  std::string hostname;
};

struct NodeMatch {
  std::string node;
  std::string why;  // "address 203.0.113.7" or "hostname web1"
};

// The lock-out guard: why a new TCP connection from the SSH client to the
// SSH port would not be accepted by `rs` ("" when it would be).
std::string lockout_problem(const ir::Ruleset& rs, const SshConnection& c);

// The lock-out guard for `never:`: why a new SSH connection (defaults.ssh)
// from the first address of a never: range would not be accepted ("" when
// every one would be). never: names the operators' networks.
std::string never_lockout_problem(const ir::Ruleset& rs);

// The guard's answer for an SSH_CONNECTION value: no problem when the
// session survives; else why not (or why it cannot be checked: a value that
// does not parse is refused, not skipped) and what to do.
struct SessionCheck {
  std::string problem, hint;
};
SessionCheck check_session(const ir::Ruleset& rs, std::string_view ssh_connection);

// Nodes of `p` this host is: a node address among the host's addresses,
// or its hostname (the node's `hostname`, else its name) equal to the host
// name or its first label.
std::vector<NodeMatch> match_nodes(const ir::Policy& p, const Identity& self);

}  // namespace fwc::host
