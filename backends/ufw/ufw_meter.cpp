#include "backends/ufw/ufw_lower.h"

namespace fwc::ufw::lowering {

namespace {

// ufw's `limit`: a source's 6th new connection within 30 seconds is refused,
// so at most 5 get through per 30 seconds (10/minute).
constexpr double kLimitPerMinute = 10.0;
constexpr uint32_t kLimitBurst = 5;

double per_minute(const ir::Rate& r) {
  return static_cast<double>(r.count) * 60.0 / static_cast<double>(r.unit_seconds());
}

}  // namespace

bool Lowering::meter_kept(Group& g, const ir::Meter& m) {
  if (m.connections) {
    warn(g, m.origin,
         "ufw cannot limit concurrent connections per source: this limit of " +
             std::to_string(m.connections) + " connections is left out",
         "use the nftables or iptables target, which count connections (ct count, connlimit)");
    return false;
  }
  std::string what = m.rate.str() + " (burst " + std::to_string(m.burst) + ")";
  if (!m.per_source) {
    warn(g, m.origin,
         "ufw has no shared rate meter (its 'limit' counts per source): this meter of " + what +
             " is left out",
         "rate-limit this service in front of the node, or use the nftables or iptables target");
    return false;
  }
  if (per_minute(m.rate) > kLimitPerMinute || m.burst > kLimitBurst) {
    warn(g, m.origin,
         "ufw's only rate limit, 'limit', refuses a source's 6th new connection within 30 seconds, "
         "stricter than this meter's " +
             what + ": it would refuse connections the policy accepts, so the meter is left out",
         "rate-limit this service in front of the node, or use the nftables or iptables target");
    return false;
  }
  std::string msg =
      "ufw's 'limit' is fixed: it rejects a source's 6th new connection within 30 seconds "
      "(counted over every limit rule) and accepts the others; the meter's rate " +
      m.rate.str() + ", burst " + std::to_string(m.burst) + " and action " + ir::verdict_name(m.action) +
      " are not kept";
  if (m.log) msg += ", and refusals are logged as '[UFW LIMIT BLOCK] ', not as '" + m.log->prefix + "'";
  warn(g, m.origin, msg);
  return true;
}

// ufw's only meter is `limit`: per source, a 6th new connection within 30
// seconds is refused (REJECT), otherwise the connection is accepted. Since it
// accepts, a limit rule is written only for what allow rules accept anyway
// (the meter's sources and ports intersected with each allow rule's), and
// only when it refuses no more than the meter would: a meter with a higher
// rate is left out rather than turned into one that refuses connections the
// policy accepts.
ir::Flow Lowering::meter(ir::Hook h, const ir::Meter& m) {
  Group g = group_for(m.origin);
  if (meter_kept(g, m)) {
    const Command base = command_for(h, "limit", m.origin);
    size_t before = g.commands.size();
    for (const auto& a : chain_->allows) {
      net::AddrSet src = m.src.addrs.intersect(a.src.addrs);
      net::PortSet ports = m.ports.intersect(a.ports);
      if (src.empty() || ports.empty()) continue;
      if (!size_ok(g, m.origin, src)) continue;
      g.notes.push_back("limits what " + comment_for(a.origin) + " accepts");
      Command c = base;
      c.log = a.log.has_value();  // the allow rule's log would not see these
      commands_.add(g, c, &src, nullptr, ports);
    }
    if (g.commands.size() == before)
      g.notes.push_back("no allow rule accepts what this meter covers: nothing to limit");
    else if (m.log)
      commands_.log_refusals();  // ufw logs refusals of 'limit' only with logging on
  }
  add_group(h, ir::Step::meters, std::move(g));
  return ir::Flow::next;
}

// ufw has no SYN proxy: the allow rule stays, the proxy is lost.
ir::Flow Lowering::synproxy(ir::Hook, const ir::Allow& a) {
  approximations_.report(a.origin, "synproxy",
                         "ufw has no SYN proxy: the rule's ports are opened without it, so the "
                         "listener answers every SYN itself",
                         "use the nftables or iptables target for the SYN proxy");
  return ir::Flow::next;
}

}  // namespace fwc::ufw::lowering
