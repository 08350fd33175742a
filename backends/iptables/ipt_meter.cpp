#include "backends/iptables/ipt_lowering.h"

namespace fwc::ipt {

namespace {

// 32-bit FNV-1a, for short stable name suffixes.
uint32_t fnv1a(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::string hex4(uint32_t v) {
  static const char* digits = "0123456789abcdef";
  std::string out(4, '0');
  for (int i = 3; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = digits[v & 15];
  return out;
}

}  // namespace

std::string Lowering::hashlimit_name(const ir::Meter& m) {
  // The name carries a digest of the meter's parameters: a reload that
  // changes them gets a fresh table instead of the old one (the kernel
  // shares a table between rules of the same name and keeps its first
  // parameters).
  auto it = hashlimit_by_label_.find(m.origin.label);
  if (it != hashlimit_by_label_.end()) return it->second;
  std::string key = m.origin.label + "|" + m.rate.str() + "|" + std::to_string(m.burst) + "|" +
                    (m.per_source ? "srcip" : "all");
  std::string name = hashlimit_names_.take("", rule_stem(m.origin), "-" + hex4(fnv1a(key)));
  hashlimit_by_label_.emplace(m.origin.label, name);
  return name;
}

HashLimit Lowering::hashlimit(const ir::Meter& m) {
  HashLimit h;
  h.name = hashlimit_name(m);
  h.rate = checked_rate(m.rate, kHashlimitMaxPerSecond, "rate", m.origin);
  h.burst = m.burst;
  h.per_source = m.per_source;
  h.expire_ms = ir::meter_expiry_seconds(m.rate.unit) * 1000;
  return h;
}

void Lowering::meter_rules(const ir::Meter& m) {
  using net::Family;
  if (m.src.addrs.empty(table_->family)) return;
  // A global meter is one hashlimit table shared by name across its rules,
  // but the kernel keeps a table per family: IPv4 and IPv6 count apart.
  if (!m.connections && !m.per_source && !m.src.addrs.empty(Family::v4) && !m.src.addrs.empty(Family::v6))
    approximations_.report(
        m.origin, "global meter",
        "a global meter is one bucket per address family on iptables: IPv4 and IPv6 new "
        "connections are counted apart (up to twice the rate in all)",
        "limit `from` to one family, or use per_source, for the same meaning on every target");
  Rule base;
  base.comment = comment_for(m.origin);
  base.ct_new = true;
  // A connection limit counts each source's connections (connlimit, a
  // full-length mask); a rate meter is a hashlimit table.
  if (m.connections) base.connlimit = m.connections;
  else base.hashlimit = hashlimit(m);
  base.target = target_of(m.action);
  if (m.log) {
    // The meter is evaluated once: its rules jump to a chain that logs
    // every refused packet (not limited), then refuses.
    Rule verdict;
    verdict.comment = base.comment;
    verdict.target = base.target;
    base.target = Target::jump;
    base.jump = sub_chain(m.origin, {log_rule(m.origin, *m.log, false), verdict});
  }
  expand(m.src, false, m.ports, base, "meter_src_" + rule_stem(m.origin));
}

// The SYN proxy: SYNs to the rule's ports from its proxied sources are left
// untracked in the raw table; the SYN and the handshake's ACK (invalid to
// conntrack) meet SYNPROXY before fwc's invalid-state drop.
ir::Flow Lowering::synproxy(ir::Hook, const ir::Allow& a) {
  if (!a.synproxy || a.synproxy->empty(table_->family)) return ir::Flow::next;
  ir::Peer proxied;
  proxied.addrs = *a.synproxy;
  if (*a.synproxy == a.src.addrs) proxied.name = a.src.name;
  std::string hint = rule_stem(a.origin) + "_synproxy";
  Rule untrack;
  untrack.comment = comment_for(a.origin);
  untrack.tcp_syn = true;
  untrack.target = Target::notrack;
  Chain* walked = chain_;
  table_->raw.name = kRawChain;
  chain_ = &table_->raw;
  expand(proxied, false, a.ports, untrack, hint);
  chain_ = walked;
  Rule proxy;
  proxy.comment = untrack.comment;
  proxy.match = "-m conntrack --ctstate INVALID,UNTRACKED";
  proxy.target = Target::synproxy;
  expand(proxied, false, a.ports, proxy, hint);
  return ir::Flow::next;
}

}  // namespace fwc::ipt
