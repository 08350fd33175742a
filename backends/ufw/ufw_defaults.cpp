#include "backends/ufw/ufw_lower.h"

// ufw's defaults, logging and before.rules, as comments above the rules.
namespace fwc::ufw::lowering {

void Lowering::icmp_notes() {
  const ir::Origin d{{}, rs_.icmp_loc.known() ? rs_.icmp_loc : rs_.input.default_origin.loc, {}, {}};
  Group g;  // collects notes; printed with the defaults
  switch (rs_.icmp) {
    case ir::IcmpMode::essential:
      s_.default_notes.push_back(
          "defaults.icmp essential: ufw's before.rules already accept ICMP destination-unreachable, "
          "time-exceeded, parameter-problem and echo-request (and the ICMPv6 equivalents, packet-too-big "
          "and neighbour discovery) ahead of the rules below.");
      break;
    case ir::IcmpMode::no_ping:
      warn(g, d,
           "defaults.icmp no-ping: ufw's before.rules accept ICMP echo-request ahead of its user rules, "
           "so the node still answers pings",
           "delete the echo-request lines of ufw-before-input in /etc/ufw/before.rules and "
           "ufw6-before-input in /etc/ufw/before6.rules");
      break;
    case ir::IcmpMode::all:
      warn(g, d,
           "defaults.icmp all: ufw accepts only the essential ICMP types (its before.rules); other ICMP "
           "messages meet the incoming default",
           "add ACCEPT rules for '-p icmp' and '-p icmpv6' to /etc/ufw/before.rules and before6.rules");
      break;
  }
  for (auto& n : g.notes) s_.default_notes.push_back(n);
}

void Lowering::defaults() {
  const ir::Chain& in = rs_.input;
  Group g;
  s_.incoming = action_of(in.policy);
  s_.outgoing = rs_.output ? action_of(rs_.output->policy) : "allow";
  if (rs_.forward) s_.routed = action_of(rs_.forward->policy);
  if (in.log && in.policy != ir::Verdict::accept)
    warn(g, {"defaults.log", in.log->loc.known() ? in.log->loc : in.default_origin.loc, {}, {}},
         "ufw logs what its default refuses as '[UFW BLOCK] ' at " + std::string(kUfwLogRate) + ", not as '" +
             in.log->prefix + "' at " + in.log->rate.str() + " level " + ir::level_name(in.log->level),
         "ufw's log prefixes and rates are fixed ('ufw logging low')");
  if (rs_.output && rs_.output->policy != ir::Verdict::accept)
    warn(
        g, rs_.output->default_origin,
        "ufw's before.rules let no new outgoing ICMP through (ICMPv6 excepted): with the outgoing default '" +
            s_.outgoing + "', the node's IPv4 pings and ICMP errors that are not replies are refused",
        "add ACCEPT rules for '-p icmp' to ufw-before-output in /etc/ufw/before.rules");
  if (rs_.forward)
    warn(g, rs_.forward->default_origin,
         "ufw's before.rules accept forwarded ICMP destination-unreachable, time-exceeded, parameter-problem "
         "and echo-request (and the ICMPv6 equivalents) ahead of its route rules",
         "delete those lines of ufw-before-forward in /etc/ufw/before.rules and before6.rules");
  for (auto& n : g.notes) s_.default_notes.push_back(n);
  icmp_notes();
}

// `ufw logging off` also silences the rules' own logs: logging is on when the
// default or any rule logs.
void Lowering::logging() {
  const ir::Chain& in = rs_.input;
  bool default_logs = in.log && in.policy != ir::Verdict::accept;
  s_.logging = default_logs || commands_.log() ? "low" : "off";
  if (commands_.log() && !default_logs && in.policy != ir::Verdict::accept)
    s_.default_notes.push_back(
        "Rule logs need 'ufw logging low', which also logs what the incoming default refuses.");
}

}  // namespace fwc::ufw::lowering
