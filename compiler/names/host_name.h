#pragma once
#include <string>

// Host names in network entries (`peers: [alpha.example.com]`).
namespace fwc::names {

// Whether `s` is a DNS host name as a network entry may hold one: dot-
// separated labels of letters, digits and hyphens (1-63 characters, no
// hyphen at either end), at least two labels, at most 253 characters, and a
// last label that starts with a letter. The last rule keeps a malformed
// dotted address (`10.0.0.300`) an address error rather than a name.
bool is_host_name(const std::string& s);

// The name as looked up and shown: lower case.
std::string canonical(const std::string& s);

}  // namespace fwc::names
