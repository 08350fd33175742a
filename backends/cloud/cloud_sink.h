#pragma once
#include <optional>
#include <string>
#include <vector>

#include "backends/cloud/cloud_lowering.h"
#include "compiler/ir/walk.h"

namespace fwc::cloud::detail {

// The cloud view of the evaluation order: inbound is the input chain,
// outbound the output chain, and forwarded traffic is not filtered. Cloud
// firewalls only allow, so each step adds to (or, for blocks, takes out of)
// the union of allow rules of its direction; what they cannot express is a
// warning that only the host firewall enforces it.
class Lowering : public ir::ChainSink {
 public:
  Lowering(const ir::Ruleset& rs, Provider p, DiagnosticEngine& diags)
      : rs_(rs), p_(p), fw_(firewall_noun(p)), diags_(diags), approx_(diags, false), rules_(p, approx_) {}
  std::optional<Group> run();

  void begin(ir::Hook h, const ir::Chain& c) override;
  ir::Flow fixed(ir::Hook h, ir::Step s) override;
  ir::Flow block(ir::Hook h, const ir::Block& b) override;
  ir::Flow meter(ir::Hook h, const ir::Meter& m) override;
  ir::Flow allow(ir::Hook h, const ir::Allow& a) override;
  ir::Flow synproxy(ir::Hook h, const ir::Allow& a) override;
  ir::Flow allows_done(ir::Hook h) override;
  ir::Flow otherwise(ir::Hook h, const ir::Otherwise& o) override;
  void fallback(ir::Hook h, const ir::Chain& c) override;

 private:
  void warn(const ir::Origin& o, const std::string& message) { approx_.report(o, {}, message); }
  // The group's rules for a hook's traffic: inbound for input, outbound for output.
  std::vector<Rule>& direction(ir::Hook h) { return h == ir::Hook::input ? g_.inbound : g_.outbound; }
  void warn_no_reject(const ir::Origin& o, const std::string& label);
  void inbound_default(const ir::Chain& in);
  void accept_but_refused(const ir::Origin& o);
  void outbound_default(const ir::Chain& out);
  void open_outbound(const ir::Origin& o);
  ir::Origin defaults_origin(const char* label) const;

  const ir::Ruleset& rs_;
  Provider p_;
  std::string fw_;
  DiagnosticEngine& diags_;
  backend::ApproximationReporter approx_;
  RuleAdder rules_;
  Group g_;
  const ir::Chain* chain_ = nullptr;
  std::vector<const ir::Block*> blocks_;  // the chain's blocks, taken out once its allows are known
  std::optional<ir::Origin> icmp_;        // the essential ICMP rule, listed after the allow rules
  std::optional<net::PortSet> refused_;   // the ports `otherwise` clauses refuse, when there are any
};

}  // namespace fwc::cloud::detail
