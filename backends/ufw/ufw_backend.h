#pragma once
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"

// ufw: the ruleset as a small model of a ufw configuration (lowering), and
// the POSIX shell script of `ufw` commands printed from it (emitting).
//
// ufw evaluates its user rules first match wins, per family, after its own
// before.rules (loopback, established/related, invalid, essential ICMP). The
// script adds the rules in fwc's evaluation order, so block lists come before
// rate limits, allows and `otherwise` clauses. What ufw cannot express is
// written in its closest faithful form, with a warning at the policy rule.
namespace fwc::ufw {

// ufw keeps rule comments; fwc's are kept short like the nftables ones.
inline constexpr size_t kCommentMax = 120;

// Diagnostic codes of this target: an approximation (a warning; --strict
// makes it a failure) and a rule too large for ufw (an error).
inline constexpr const char* kApproximation = code::approximated;
inline constexpr const char* kTooLarge = code::target_limit;

// Networks with more CIDRs than this in one rule get a warning (ufw has no
// address sets: one ufw rule per CIDR); more than kMaxCidrs is an error.
constexpr size_t kManyCidrs = 100;
constexpr size_t kMaxCidrs = 10000;

// One ufw rule: `ufw [route] ACTION [out] [log] from FROM to TO [port PORT]
// [proto PROTO] comment 'COMMENT'`.
struct Command {
  enum class Dir { in, out, route } dir = Dir::in;
  std::string action;  // allow | deny | reject | limit
  bool log = false;
  std::string from = "any", to = "any";  // "any", a CIDR, 0.0.0.0/0 or ::/0
  std::string port;                      // "", "80", "80,443", "4646:4647"
  std::string proto;                     // "", tcp, udp
  std::string comment;
};

// The commands of one policy rule, with the comment lines printed above them.
struct Group {
  std::vector<std::string> notes;
  std::vector<Command> commands;
};

struct Section {
  std::string title;
  std::vector<std::string> notes;
  std::vector<Group> groups;
};

struct Script {
  std::vector<std::string> header;
  std::string incoming = "deny", outgoing = "allow", routed;  // routed "": not managed
  std::string logging = "off";                                // off | low
  std::vector<std::string> default_notes;
  std::vector<Section> sections;
};

Script lower(const ir::Ruleset& rs, DiagnosticEngine& diags);
std::string emit(const Script& s);
std::string command_text(const Command& c);  // "ufw allow from ... comment '...'"
std::unique_ptr<backend::Backend> make_backend();

}  // namespace fwc::ufw
