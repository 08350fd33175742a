#pragma once
#include <string>
#include <vector>

#include "backends/nftables/coexist/foreign.h"

// Names the other tools whose tables filter this host, and what that means
// for a policy fwc applies: nftables makes a packet pass every base chain of
// its hook, so an accept in table inet fwc does not override their drops.
namespace fwc::nft::coexist {

enum class Tool { firewalld, ufw, docker, kube_proxy, fail2ban, crowdsec, unknown };
const char* tool_name(Tool t);  // "firewalld", "Docker", "CrowdSec", ...

// One table of one tool (a table iptables-nft shares, such as ip filter
// with ufw's and Docker's chains, is a finding of each).
struct Finding {
  Tool tool = Tool::unknown;
  std::string family, table;
  std::vector<ForeignChain> base;  // the table's base chains, in kernel order
  // A base chain on the input hook (of a family that sees IP packets) whose
  // policy is drop, or that reaches a drop or reject rule.
  // Its index in `base`, -1 if none.
  int input_drop = -1;
  bool nat = false;  // some chain of the table rewrites addresses
  // "firewalld", or "unknown table ip foo"; kernel names made printable.
  std::string label() const;
};

std::vector<Finding> classify(const ForeignRuleset& rs);

// "hook input priority filter+10, policy drop" (nft's priority names).
std::string describe_chain(const ForeignChain& c);
std::string priority_name(const std::string& family, int32_t priority);

struct Consequence {
  // other-firewall, container-nat, iptables-legacy or blocklist-tool.
  const char* kind;
  bool note = false;  // informational: never an error with --strict
  std::string text;   // one paragraph, printable
};

// What the findings mean for a policy that accepts `example` on input
// ("8080/tcp from any"; "" when it accepts nothing there) and whose inbound
// rules govern published ports (defaults.published) or not.
std::vector<Consequence> consequences(const std::vector<Finding>& found, const ForeignRuleset& rs,
                                      const std::string& example, bool governs_published);

}  // namespace fwc::nft::coexist
