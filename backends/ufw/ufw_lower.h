#pragma once
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "backends/common/approximation.h"
#include "backends/ufw/ufw_backend.h"
#include "compiler/ir/walk.h"

// The lowering's parts, shared by its files: the expansion of a rule into
// ufw commands (ufw_rules.cpp), the sink of the chain walk (ufw_lower.cpp),
// rate meters (ufw_meter.cpp) and the defaults (ufw_defaults.cpp).
namespace fwc::ufw::lowering {

// ufw's fixed log rate (its `log` rules and `ufw logging low`).
inline constexpr const char* kUfwLogRate = "3/minute (burst 10)";

const char* action_of(ir::Verdict v);

// A rule's ufw comment: its label and place.
std::string comment_for(const ir::Origin& o);

// The group of a rule's commands, headed by its label, place and comment.
Group group_for(const ir::Origin& o);

// The command every ufw rule of a policy rule in hook `h` starts from.
Command command_for(ir::Hook h, const char* action, const ir::Origin& o);

// The ufw commands added so far, across every section: ufw evaluates first
// match wins, and would replace an earlier rule's action for a repeated match.
class Commands {
 public:
  // Adds one ufw rule per source × destination × port group to `g`, `from`
  // and `to` null for anywhere. A rule whose match an earlier rule already
  // has is left out.
  void add(Group& g, const Command& base, const net::AddrSet* from, const net::AddrSet* to,
           const std::optional<net::PortSet>& ports);
  bool log() const { return log_; }
  void log_refusals() { log_ = true; }

 private:
  std::set<std::string> seen_;  // match keys of the rules added so far
  bool log_ = false;            // a rule logs, or a limit rule's refusals are logged
};

// A sink of the chain walk: each step's rules become groups of ufw commands
// in the sections of the hook being walked.
class Lowering : public ir::ChainSink {
 public:
  Lowering(const ir::Ruleset& rs, DiagnosticEngine& diags) : rs_(rs), diags_(diags), approximations_(diags) {}
  Script run();

  void begin(ir::Hook h, const ir::Chain& c) override;
  ir::Flow block(ir::Hook h, const ir::Block& b) override;
  ir::Flow meter(ir::Hook h, const ir::Meter& m) override;
  ir::Flow allow(ir::Hook h, const ir::Allow& a) override;
  ir::Flow synproxy(ir::Hook h, const ir::Allow& a) override;
  ir::Flow otherwise(ir::Hook h, const ir::Otherwise& o) override;
  void fallback(ir::Hook h, const ir::Chain& c) override;

 private:
  void warn(Group& g, const ir::Origin& o, const std::string& message, const std::string& hint = {});
  bool size_ok(Group& g, const ir::Origin& o, const net::AddrSet& addrs);
  void log_warning(Group& g, const ir::Origin& o, const ir::Log& log, bool refuses);
  void reject_warning(Group& g, const ir::Origin& o, ir::Verdict action,
                      const std::optional<net::PortSet>& ports);
  void block_icmp_warning(Group& g, ir::Hook h, const ir::Block& b);
  // Warns how ufw's `limit` differs from meter `m`; false when the meter
  // is left out.
  bool meter_kept(Group& g, const ir::Meter& m);
  void add_group(ir::Hook h, ir::Step s, Group g);
  void icmp_notes();
  void defaults();
  void logging();

  const ir::Ruleset& rs_;
  DiagnosticEngine& diags_;
  backend::ApproximationReporter approximations_;
  Script s_;
  Commands commands_;
  const ir::Chain* chain_ = nullptr;  // the chain being walked
  std::vector<Section> sections_;     // its sections, in the script's order
};

}  // namespace fwc::ufw::lowering
