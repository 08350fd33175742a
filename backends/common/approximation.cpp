#include "backends/common/approximation.h"

namespace fwc::backend {

bool ApproximationReporter::report(const ir::Origin& o, std::string_view topic, const std::string& message,
                                   std::string hint) {
  if (o.ignores(code::approximated)) return false;
  std::string key = o.label + '\n' + o.loc.str() + '\n' + std::string(topic.empty() ? message : topic);
  if (!seen_.insert(std::move(key)).second) return false;
  std::string text = label_messages_ && !o.label.empty() ? o.label + ": " + message : message;
  diags_.warning(code::approximated, o.loc, std::move(text), std::move(hint));
  return true;
}

std::string live_set_message(const std::string& target, const ir::DynamicSet& d) {
  return "dynamic block set '" + d.name + "': " + target +
         " has no live set, so the rule is left out (it holds nothing at compile time; on nftables "
         "'fwc block' fills it, on iptables 'ipset add')";
}

void report_published(ApproximationReporter& r, const ir::Ruleset& rs, const std::string& target) {
  // Only when the policy asks for it: every ufw or firewalld policy would
  // warn otherwise, Docker or not (apply's coexistence check names Docker).
  if (!rs.published || !rs.published_set) return;
  const ir::Origin at{"defaults.published", rs.published_loc, {}, {}};
  r.report(at, "published",
           target + " cannot apply the inbound rules to ports published by Docker or kube-proxy (DNAT'd from "
                    "this host's addresses to a container or pod): those connections skip its inbound rules",
           "compile for the nftables or iptables target to govern them, or set 'defaults.published: ignore' "
           "to acknowledge");
}

}  // namespace fwc::backend
