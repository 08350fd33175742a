#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/net/ip.h"
#include "compiler/parse/ast.h"

// Resolving the host names of a policy's networks: a front-end step between
// load and IR build. The lookup and the last good answers are interfaces, so
// tests run without DNS and without a state directory.
namespace fwc::names {

// What one lookup found: every A and AAAA answer, or why there is none
// (`error` empty with no addresses: the name has no such records).
struct Answer {
  std::vector<net::Address> addrs;
  std::string error;
};

class HostLookup {
 public:
  virtual ~HostLookup() = default;
  // Looks up every name (canonical, see host_name.h) within a bounded time.
  virtual std::map<std::string, Answer> lookup(const std::vector<std::string>& hosts) = 0;
};

// The last non-empty answer per name, kept across runs: a failed or empty
// lookup never empties a set.
class LastGood {
 public:
  virtual ~LastGood() = default;
  virtual std::optional<std::vector<net::Address>> get(const std::string& host) const = 0;
  virtual void put(const std::string& host, const std::vector<net::Address>& addrs) = 0;
};

// What the IR build does with host names: refuse them (a static artefact
// cannot hold them), accept them without addresses (lint), or use answers.
enum class Mode { refuse, unresolved, resolved };

struct Resolved {
  Mode mode = Mode::refuse;
  std::map<std::string, std::vector<net::Address>> hosts;  // canonical name → addresses
};

// The host names the policy's networks list, canonical, each once, with
// where it is first written. A network's own name always wins over a host
// name, so `peers: [edge.internal]` names the network `edge.internal` if
// the policy has one.
std::vector<ast::Text> host_entries(const ast::Policy& policy);

// Looks every name up. A failed or empty answer falls back to `last_good`
// (warning FWC-W109 at the entry, naming the host); without one it is error
// FWC-E018. Good answers are stored in `last_good`.
Resolved resolve_hosts(const ast::Policy& policy, HostLookup& lookup, LastGood* last_good,
                       DiagnosticEngine& diags);

}  // namespace fwc::names
