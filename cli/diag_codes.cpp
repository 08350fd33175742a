#include "cli/diag_codes.h"

#include "compiler/diag/diagnostic.h"

namespace fwc::cli {

const std::vector<CodeInfo>& diagnostic_codes() {
  static const std::vector<CodeInfo> table = {
      {code::yaml_syntax, "yaml-syntax", "YAML syntax error.",
       "The file is not well-formed YAML; nothing else in it is checked. Unquoted IPv6 addresses ending "
       "in ':' are a common cause: quote them."},
      {code::wrong_type, "wrong-type", "A map, list, string or number was expected.",
       "A key holds a value of the wrong kind (for example a list where a map is expected), or the policy "
       "file is empty. fwc-policy(5) gives the type of every key."},
      {code::unknown_key, "unknown-key", "Unknown key.",
       "A key the policy language does not define at this place; the hint names the closest known key. "
       "Unknown keys are errors so that a misspelt key never silently changes nothing."},
      {code::missing_key, "missing-key", "Missing required key, or an empty list where entries are needed.",
       "A required key is absent (for example a rule without 'from' or 'allow'), or a list that must "
       "hold entries is empty."},
      {code::bad_address, "bad-address", "Bad address or CIDR.",
       "An entry is not an IPv4 or IPv6 address, a CIDR of either family, a network name or one of the "
       "keywords any, any4, any6, node:NAME, role:NAME."},
      {code::bad_port, "bad-port", "Bad port, port range or protocol.",
       "A port spec is not PORT/PROTO or LO-HI/PROTO with ports 1-65535, LO not above HI, and PROTO "
       "tcp or udp."},
      {code::unknown_ref, "unknown-reference", "Unknown reference to a network, service, role or node.",
       "A name used in a rule or definition is not defined in the policy or its includes; the hint names "
       "the closest defined name."},
      {code::ref_cycle, "reference-cycle", "Reference cycle.",
       "Networks or services refer to each other in a loop, so their contents cannot be resolved."},
      {code::duplicate, "duplicate", "Duplicate name or key, or a built-in name redefined.",
       "A key is repeated in one mapping, a name is defined twice (also across include fragments), or a "
       "built-in network name (any, any4, any6) is redefined."},
      {code::bad_value, "bad-value",
       "Bad value: an unknown choice, a malformed rate, name or log prefix, or a number out of range.",
       "A value is outside what its key accepts: an unknown choice, a malformed rate, name or log prefix, "
       "a number out of range, or an 'ignore' entry that is not a warning code."},
      {code::file_error, "file-error", "A file cannot be read, or a directory holds no policy files.",
       "A policy, include fragment or address list file cannot be read, or a directory given to lint "
       "holds no *.yaml or *.yml files."},
      {code::bad_version, "bad-version", "Unsupported fwc language version.",
       "The 'fwc' key is missing or names a language version this fwc does not implement (version 1)."},
      {code::selection, "selection", "A node or role selection is needed or invalid.",
       "The policy scopes rules to nodes or roles, so compiling or explaining it needs --node or --role; "
       "or the node or role given does not exist. The message lists the choices."},
      {code::host_bits, "host-bits", "A CIDR has host bits set; the network part is used.",
       "A CIDR such as 10.0.0.5/24 has bits set past its prefix length; it is taken as 10.0.0.0/24. "
       "Write the network address, or a single address without a prefix length."},
      {code::shadowed, "shadowed-rule", "An allow rule is fully shadowed by block rules.",
       "Every source an allow rule admits is refused earlier by block rules, so the rule never accepts "
       "anything. Reported by lint only; a rule can acknowledge it with 'ignore'."},
      {code::admin_open, "admin-port-open", "An administrative port is open to any source.",
       "An administrative port (22, 8080, 8443, 2375, 6443 or 10250 over TCP) is allowed from any "
       "source. Reported by lint only; a rule can acknowledge it with 'ignore'."},
      {code::lockout, "ssh-lockout", "No SSH path while the inbound default drops or rejects.",
       "No rule lets SSH (defaults.ssh, 22/tcp unless set) reach a node while the inbound default drops or "
       "rejects: applying the policy could lock the operators out. Reported by lint only."},
      {code::no_host_addrs, "no-host-addresses", "A rule's networks hold no addresses for host targets.",
       "The networks of a rule hold only native cloud references, so on a host target (nftables, "
       "iptables, ufw, firewalld) the rule matches nothing."},
      {code::redundant, "redundant", "Reserved; not reported by this version.",
       "This code is reserved and not reported by this version of fwc."},
      {code::approximated, "approximated", "The target can only approximate a construct of the policy.",
       "The compile target cannot express a construct exactly (the message names it and what the "
       "artefact does instead); a rule can acknowledge it with 'ignore'."},
      {code::mapped_address, "ipv4-mapped-address",
       "A block list holds IPv4-mapped IPv6 addresses (::ffff:a.b.c.d), which never match IPv4 traffic.",
       "An entry of a block list (or a network used in one) is an IPv4-mapped IPv6 address or CIDR. "
       "Packets from IPv4 peers arrive as IPv4, so the entry blocks nothing; write the IPv4 address."},
  };
  return table;
}

const CodeInfo* find_code(std::string_view code) {
  for (const auto& c : diagnostic_codes())
    if (code == c.code) return &c;
  return nullptr;
}

}  // namespace fwc::cli
