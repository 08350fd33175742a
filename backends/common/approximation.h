#pragma once
#include <set>
#include <string>
#include <string_view>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace fwc::backend {

// What a target cannot express exactly is one FWC-W107 warning at the
// policy rule, once per rule and topic (a rule lowered per family or per
// piece hits the same gap several times), and none when the rule
// acknowledges it with `ignore: [FWC-W107]`. Every backend reports through
// this one reporter.
// The FWC-W107 message for a live block set on a target that has none
// (`target`: "ufw", "the DigitalOcean firewall", ...).
std::string live_set_message(const std::string& target, const ir::DynamicSet& d);

class ApproximationReporter;

// The FWC-W107 of a host target whose rules cannot reach published
// container ports (connections DNAT'd from this host's addresses skip its
// input rules); nothing under `defaults.published: ignore` or when the
// policy leaves the key out (the default, said in fwc-policy(5)).
void report_published(ApproximationReporter& r, const ir::Ruleset& rs, const std::string& target);

class ApproximationReporter {
 public:
  // `label_messages`: prefix messages with the rule's label ("inbound[1] web: ...").
  explicit ApproximationReporter(DiagnosticEngine& diags, bool label_messages = true)
      : diags_(diags), label_messages_(label_messages) {}

  // `topic` keys the once-per-rule rule; empty: the message is the topic.
  // True when the warning was issued (not a repeat, not acknowledged).
  bool report(const ir::Origin& o, std::string_view topic, const std::string& message, std::string hint = {});

 private:
  DiagnosticEngine& diags_;
  bool label_messages_;
  std::set<std::string> seen_;
};

}  // namespace fwc::backend
