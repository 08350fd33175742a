#include <cstdint>

#include "backends/firewalld/firewalld_lowering.h"

// A sink of the chain walk: the input chain becomes the zone, the output
// and forward chains policy objects, each step the rich rules (or zone
// ports) of its priority band.
namespace fwc::firewalld {

namespace {

bool from_anywhere(const ir::Peer& p) {
  return p.any(net::Family::v4) && p.any(net::Family::v6);
}

class Lowering : public ir::ChainSink {
 public:
  Lowering(const ir::Ruleset& rs, DiagnosticEngine& diags) : rs_(rs), b_(diags) {}
  Config run();

  void begin(ir::Hook h, const ir::Chain& c) override;
  ir::Flow fixed(ir::Hook h, ir::Step s) override;
  ir::Flow block(ir::Hook h, const ir::Block& b) override;
  ir::Flow meter(ir::Hook h, const ir::Meter& m) override;
  ir::Flow allow(ir::Hook h, const ir::Allow& a) override;
  ir::Flow synproxy(ir::Hook h, const ir::Allow& a) override;
  ir::Flow otherwise(ir::Hook h, const ir::Otherwise& o) override;
  void fallback(ir::Hook h, const ir::Chain& c) override;

 private:
  // The next priority of a band, or nullopt (and one error) once it is full.
  std::optional<int> next_in(size_t& count, int start, int end, const ir::Origin& o, const char* what);
  // A block rule's or otherwise clause's rich rule, its log rate-limited.
  RichRule refusing(int prio, ir::Verdict action, const ir::Origin& o, const std::optional<ir::Log>& log);
  bool later_allow_logs(const ir::Allow& a) const;
  void inbound_allow(const ir::Allow& a, int prio);
  void outbound_allow(ir::Hook h, const ir::Allow& a, int prio);

  const ir::Ruleset& rs_;
  Builder b_;
  const ir::Chain* chain_ = nullptr;                             // the chain being walked
  Container c_;                                                  // and what it becomes
  size_t blocks_ = 0, meters_ = 0, allows_ = 0, otherwise_ = 0;  // rules of each band so far
  std::vector<const ir::Meter*> enforced_;                       // meters firewalld enforces
};

void Lowering::begin(ir::Hook h, const ir::Chain& c) {
  chain_ = &c;
  blocks_ = meters_ = allows_ = otherwise_ = 0;
  enforced_.clear();
  c_ = container_for(h, rs_);
}

// Established, invalid and loopback traffic firewalld handles itself.
ir::Flow Lowering::fixed(ir::Hook h, ir::Step s) {
  if (s == ir::Step::neighbour_discovery) b_.add_group(c_, neighbour_discovery_group());
  if (s == ir::Step::essential_icmp)
    b_.add_group(c_, h == ir::Hook::input ? inbound_icmp_group(rs_.icmp) : outbound_icmp_group());
  return ir::Flow::next;
}

std::optional<int> Lowering::next_in(size_t& count, int start, int end, const ir::Origin& o,
                                     const char* what) {
  // After the first rule past the band, the rest are left out silently.
  if (count == SIZE_MAX) return std::nullopt;
  int prio = start + static_cast<int>(count);
  if (!b_.band_ok(o, prio, end, what)) {
    count = SIZE_MAX;
    return std::nullopt;
  }
  ++count;
  return prio;
}

RichRule Lowering::refusing(int prio, ir::Verdict action, const ir::Origin& o,
                            const std::optional<ir::Log>& log) {
  RichRule r;
  r.priority = prio;
  r.action = action == ir::Verdict::reject ? Action::reject : Action::drop;
  if (log) r.log = b_.log_of(o, *log, true);
  return r;
}

ir::Flow Lowering::block(ir::Hook h, const ir::Block& b) {
  if (b.dynamic) {
    b_.warn(b.origin, backend::live_set_message("firewalld", *b.dynamic));
    return ir::Flow::next;
  }
  auto prio = next_in(blocks_, band::kBlock, band::kBlockEnd, b.origin, "block rules");
  if (!prio) return ir::Flow::next;
  RichRule base = refusing(*prio, b.action, b.origin, b.log);
  Group g{comment_for(b.origin), {}};
  bool outbound = h == ir::Hook::output;
  Match peer{&b.peer.addrs, b.peer.name.empty() ? rule_stem(b.origin) : b.peer.name};
  std::string set_comment = b.peer.name.empty()
                                ? (outbound ? "destinations of " : "sources of ") + b.origin.label
                                : "network " + b.peer.name;
  if (outbound)
    b_.expand(g, {}, peer, b.ports, base, set_comment);
  else
    b_.expand(g, peer, {}, b.ports, base, set_comment);
  b_.add_group(c_, std::move(g));
  return ir::Flow::next;
}

// firewalld's rich rules count rates, not concurrent connections, and
// have no SYN proxy: both are left out with a warning.
ir::Flow Lowering::synproxy(ir::Hook, const ir::Allow& a) {
  b_.warn(a.origin,
          "firewalld has no SYN proxy: the rule's ports are opened without it, so the listener answers "
          "every SYN itself",
          "use the nftables or iptables target for the SYN proxy");
  return ir::Flow::next;
}

ir::Flow Lowering::meter(ir::Hook, const ir::Meter& m) {
  if (m.connections) {
    b_.warn(m.origin,
            "firewalld cannot limit concurrent connections per source: this limit of " +
                std::to_string(m.connections) + " connections is left out",
            "use the nftables or iptables target, which count connections (ct count, connlimit)");
    return ir::Flow::next;
  }
  lower_meter(b_, c_, *chain_, m, meters_++, enforced_);
  if (!m.per_source) enforced_.push_back(&m);
  return ir::Flow::next;
}

ir::Flow Lowering::allow(ir::Hook h, const ir::Allow& a) {
  auto prio = next_in(allows_, band::kAllow, band::kAllowEnd, a.origin, "allow rules");
  if (!prio) return ir::Flow::next;
  if (h == ir::Hook::input)
    inbound_allow(a, *prio);
  else
    outbound_allow(h, a, *prio);
  return ir::Flow::next;
}

// Zone ports come after every rich rule with a negative priority: fine for
// an allow unless a later allow logs what this one accepts first.
bool Lowering::later_allow_logs(const ir::Allow& a) const {
  for (const ir::Allow* later = &a + 1; later != chain_->allows.data() + chain_->allows.size(); ++later)
    if (later->log && !later->src.addrs.empty() && later->ports.intersects(a.ports)) return true;
  return false;
}

void Lowering::inbound_allow(const ir::Allow& a, int prio) {
  if (from_anywhere(a.src) && !a.log && !a.ports.all && !later_allow_logs(a)) {
    b_.add_ports(c_, a.ports, comment_for(a.origin));
    return;
  }
  RichRule base;
  base.priority = prio;
  base.action = Action::accept;
  if (a.log) base.log = b_.log_of(a.origin, *a.log, false);
  Group g{comment_for(a.origin), {}};
  Match src{&a.src.addrs, a.src.name.empty() ? rule_stem(a.origin) : a.src.name};
  b_.expand(g, src, {}, a.ports, base,
            a.src.name.empty() ? "sources of " + a.origin.label : "network " + a.src.name);
  b_.add_group(c_, std::move(g));
}

// Outbound, the source is the host itself; allow rules there do not log.
void Lowering::outbound_allow(ir::Hook h, const ir::Allow& a, int prio) {
  bool output = h == ir::Hook::output;
  if ((output || from_anywhere(a.src)) && from_anywhere(a.dst) && !a.ports.all) {
    b_.add_ports(c_, a.ports, comment_for(a.origin));
    return;
  }
  RichRule base;
  base.priority = prio;
  base.action = Action::accept;
  Group g{comment_for(a.origin), {}};
  Match src{output ? nullptr : &a.src.addrs, a.src.name.empty() ? rule_stem(a.origin) + "-src" : a.src.name};
  Match dst{&a.dst.addrs, a.dst.name.empty() ? rule_stem(a.origin) + "-dst" : a.dst.name};
  b_.expand(g, src, dst, a.ports, base, "addresses of " + a.origin.label);
  b_.add_group(c_, std::move(g));
}

ir::Flow Lowering::otherwise(ir::Hook, const ir::Otherwise& o) {
  auto prio = next_in(otherwise_, band::kOtherwise, band::kOtherwiseEnd, o.origin, "otherwise clauses");
  if (!prio) return ir::Flow::next;
  RichRule base = refusing(*prio, o.action, o.origin, o.log);
  Group g{comment_for(o.origin), {}};
  b_.expand(g, {}, {}, o.ports, base, "");
  b_.add_group(c_, std::move(g));
  return ir::Flow::next;
}

void Lowering::fallback(ir::Hook h, const ir::Chain& ic) {
  c_.target = ic.policy == ir::Verdict::accept ? "ACCEPT" : "DROP";
  if (ic.policy != ir::Verdict::accept) {
    RichRule r;
    r.priority = band::kDefault;
    if (ic.log)
      r.log = b_.log_of({"defaults.log", ic.log->loc.known() ? ic.log->loc : ic.default_origin.loc, {}, {}},
                        *ic.log, true);
    // firewalld's REJECT target answers admin-prohibited; a rich-rule reject
    // is nft's plain reject (port unreachable), as on the nftables target.
    if (ic.policy == ir::Verdict::reject) r.action = Action::reject;
    if (r.log || r.action != Action::none) b_.add_group(c_, Group{comment_for(ic.default_origin), {r}});
  }
  Config& cfg = b_.config();
  if (h == ir::Hook::input)
    cfg.zone = std::move(c_);
  else
    (h == ir::Hook::output ? cfg.out : cfg.fwd) = std::move(c_);
}

Config Lowering::run() {
  b_.config().header.push_back("fwc: policy " + rs_.policy_name + " (" + rs_.policy_file + "), " +
                               rs_.selection);
  ir::walk(rs_, *this);
  backend::report_published(b_.approximations(), rs_, "firewalld");
  return std::move(b_.config());
}

}  // namespace

Config lower(const ir::Ruleset& rs, DiagnosticEngine& diags) {
  return Lowering(rs, diags).run();
}

}  // namespace fwc::firewalld
