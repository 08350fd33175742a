#include "backends/ufw/ufw_lower.h"

// The approximations of rules that ufw writes in their closest form.
namespace fwc::ufw::lowering {

void Lowering::log_warning(Group& g, const ir::Origin& o, const ir::Log& log, bool refuses) {
  std::string ufw_prefix = refuses ? "[UFW BLOCK] " : "[UFW ALLOW] ";
  std::string msg = "ufw cannot set log prefixes or rates: this rule logs new connections as '" + ufw_prefix +
                    "' at " + kUfwLogRate + ", not as '" + log.prefix + "'";
  if (refuses) msg += " at " + log.rate.str();
  std::string hint = "ufw logs rule matches only with logging on ('ufw logging low')";
  if (!rs_.input.log && rs_.input.policy != ir::Verdict::accept)
    hint += ", which also logs what the incoming default refuses";
  warn(g, o, msg, hint);
}

// ufw writes a TCP rule's reject as REJECT --reject-with tcp-reset (ufw's
// common.py "follow TCP's default"); nftables and iptables answer with ICMP
// port-unreachable. Rules over all traffic keep ICMP.
void Lowering::reject_warning(Group& g, const ir::Origin& o, ir::Verdict action,
                              const std::optional<net::PortSet>& ports) {
  if (action != ir::Verdict::reject || !ports || ports->all || ports->tcp.empty()) return;
  warn(g, o,
       "ufw rejects TCP connections to these ports with a TCP reset, where the nftables and iptables "
       "targets answer ICMP port-unreachable",
       "both refuse the connection; acknowledge with 'ignore: [FWC-W107]', or use 'action: drop' for the "
       "same answer (none) on every target");
}

// ICMP is decided in ufw's before.rules, ahead of the user rules, not where
// fwc's chains decide it (contract: after inbound block lists, before
// outbound ones).
void Lowering::block_icmp_warning(Group& g, ir::Hook h, const ir::Block& b) {
  if (b.ports && !b.ports->all) return;
  if (h == ir::Hook::input)
    warn(g, b.origin,
         "ufw accepts essential ICMP (ping included) in its before.rules, ahead of its user rules: "
         "sources in this block list still get ICMP answers",
         "to refuse them too, add DROP rules for these sources at the top of /etc/ufw/before.rules and "
         "before6.rules");
  if (h == ir::Hook::output)
    warn(g, b.origin,
         "ufw lets no outgoing ICMP through ahead of its user rules (ICMPv6 excepted): this block also "
         "refuses the node's pings to these destinations, which fwc lets out",
         "to let them out, add ACCEPT rules for '-p icmp' to ufw-before-output in /etc/ufw/before.rules");
}

}  // namespace fwc::ufw::lowering
