#include "backends/cloud/cloud_sink.h"

namespace fwc::cloud::detail {

// The rules a default stands for point at its own key (defaults.icmp at
// `icmp:`); an outbound default with no output chain has no key of its own.
ir::Origin Lowering::defaults_origin(const char* label) const {
  SourceLoc at = rs_.input.default_origin.loc;
  if (std::string(label) == "defaults.icmp" && rs_.icmp_loc.known()) at = rs_.icmp_loc;
  if (std::string(label) == "defaults.outbound" && rs_.output) at = rs_.output->default_origin.loc;
  return {label, at, {}, {}};
}

void Lowering::warn_no_reject(const ir::Origin& o, const std::string& label) {
  warn(o, label + ": " + fw_ +
              " cannot reject, it drops what it does not allow; only the host firewall rejects");
}

void Lowering::begin(ir::Hook, const ir::Chain& c) {
  chain_ = &c;
  blocks_.clear();
  icmp_.reset();
  refused_.reset();
}

// Cloud firewalls match ICMP as a whole: inbound, `essential` and `all`
// admit every ICMP type there, `no-ping` none (the host firewall picks
// types); the host output chain always lets essential ICMP out.
ir::Flow Lowering::fixed(ir::Hook h, ir::Step s) {
  if (s != ir::Step::essential_icmp) return ir::Flow::next;
  if (h == ir::Hook::input && rs_.icmp != ir::IcmpMode::no_ping) icmp_ = defaults_origin("defaults.icmp");
  if (h == ir::Hook::output && chain_->policy != ir::Verdict::accept)
    icmp_ = defaults_origin("defaults.outbound");
  return ir::Flow::next;
}

// Cloud firewalls cannot deny: a block takes its addresses out of the allow
// rules, so it waits until the chain's allows and default are lowered.
ir::Flow Lowering::block(ir::Hook h, const ir::Block& b) {
  if (b.dynamic) {
    warn(b.origin, b.origin.label + ": " + backend::live_set_message(fw_, *b.dynamic));
    return ir::Flow::next;
  }
  if (h != ir::Hook::forward) blocks_.push_back(&b);
  return ir::Flow::next;
}

ir::Flow Lowering::meter(ir::Hook, const ir::Meter& m) {
  const char* what = m.connections ? " cannot limit concurrent connections" : " cannot limit connection rates";
  warn(m.origin, m.origin.label + ": " + fw_ + what + (m.log ? " or log" : "") +
                     "; only the host firewall enforces this meter");
  return ir::Flow::next;
}

ir::Flow Lowering::synproxy(ir::Hook, const ir::Allow& a) {
  warn(a.origin, a.origin.label + ": " + fw_ +
                     " has no SYN proxy: the rule's ports are opened without it; only the host firewall "
                     "answers their handshakes with the SYN proxy");
  return ir::Flow::next;
}

ir::Flow Lowering::allow(ir::Hook h, const ir::Allow& a) {
  const ir::Origin& o = a.origin;
  if (h == ir::Hook::forward) {
    warn(o, o.label + ": " + fw_ +
                " does not filter forwarded traffic; only the host firewall enforces forward rules");
    return ir::Flow::next;
  }
  // An outbound default of accept lets everything out already.
  if (h == ir::Hook::output && chain_->policy == ir::Verdict::accept) return ir::Flow::next;
  auto peers = peers_of(rs_, p_, h == ir::Hook::input ? a.src : a.dst, o, diags_);
  if (!peers) return ir::Flow::next;
  if (h == ir::Hook::input && a.log)
    warn(o, o.label + ": " + fw_ + " does not log; only the host firewall logs these connections");
  rules_.add_ports(direction(h), a.ports, *peers, o);
  return ir::Flow::next;
}

ir::Flow Lowering::allows_done(ir::Hook h) {
  if (icmp_) rules_.add(direction(h), Proto::icmp, kAllPorts, anywhere(), *icmp_);
  return ir::Flow::next;
}

ir::Flow Lowering::otherwise(ir::Hook, const ir::Otherwise& o) {
  if (o.action == ir::Verdict::reject) warn_no_reject(o.origin, o.origin.label);
  if (o.log)
    warn(o.origin,
         o.origin.label + ": " + fw_ + " does not log; only the host firewall logs what this clause refuses");
  if (!refused_) refused_.emplace();
  refused_->unite(o.ports);
  return ir::Flow::next;
}

void Lowering::fallback(ir::Hook h, const ir::Chain& c) {
  if (h == ir::Hook::input) {
    inbound_default(c);
    apply_blocks(g_, false, blocks_, approx_);
  }
  if (h == ir::Hook::output) outbound_default(c);
}

}  // namespace fwc::cloud::detail
