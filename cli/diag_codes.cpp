#include "cli/diag_codes.h"

#include "compiler/diag/diagnostic.h"

namespace fwc::cli {

const std::vector<CodeInfo>& diagnostic_codes() {
  static const std::vector<CodeInfo> table = {
      {code::yaml_syntax, "yaml-syntax", "YAML syntax error."},
      {code::wrong_type, "wrong-type", "A map, list, string or number was expected."},
      {code::unknown_key, "unknown-key", "Unknown key."},
      {code::missing_key, "missing-key", "Missing required key, or an empty list where entries are needed."},
      {code::bad_address, "bad-address", "Bad address or CIDR."},
      {code::bad_port, "bad-port", "Bad port, port range or protocol."},
      {code::unknown_ref, "unknown-reference", "Unknown reference to a network, service, role or node."},
      {code::ref_cycle, "reference-cycle", "Reference cycle."},
      {code::duplicate, "duplicate", "Duplicate name or key, or a built-in name redefined."},
      {code::bad_value, "bad-value",
       "Bad value: an unknown choice, a malformed rate, name or log prefix, or a number out of range."},
      {code::file_error, "file-error", "A file cannot be read, or a directory holds no policy files."},
      {code::bad_version, "bad-version", "Unsupported fwc language version."},
      {code::selection, "selection", "A node or role selection is needed or invalid."},
      {code::host_bits, "host-bits", "A CIDR has host bits set; the network part is used."},
      {code::shadowed, "shadowed-rule", "An allow rule is fully shadowed by block rules."},
      {code::admin_open, "admin-port-open", "An administrative port is open to any source."},
      {code::lockout, "ssh-lockout", "No SSH path while the inbound default drops or rejects."},
      {code::no_host_addrs, "no-host-addresses", "A rule's networks hold no addresses for host targets."},
      {code::redundant, "redundant", "Reserved; not reported by this version."},
      {code::approximated, "approximated", "The target can only approximate a construct of the policy."},
      {code::mapped_address, "ipv4-mapped-address",
       "A block list holds IPv4-mapped IPv6 addresses (::ffff:a.b.c.d), which never match IPv4 traffic."},
  };
  return table;
}

const CodeInfo* find_code(std::string_view code) {
  for (const auto& c : diagnostic_codes())
    if (code == c.code) return &c;
  return nullptr;
}

}  // namespace fwc::cli
