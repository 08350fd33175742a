#include <iterator>
#include <string_view>

#include "backends/common/escape.h"
#include "backends/iptables/ipt_lowering.h"

namespace fwc::ipt {

using net::Family;

Target target_of(ir::Verdict v) {
  switch (v) {
    case ir::Verdict::accept:
      return Target::accept;
    case ir::Verdict::reject:
      return Target::reject;
    case ir::Verdict::drop:
      break;
  }
  return Target::drop;
}

namespace {

// Characters iptables and ipset take in names without quoting, besides
// letters and digits.
constexpr std::string_view kNameChars = "-_.";

size_t index_of(ir::Hook h) {
  return static_cast<size_t>(h);
}

// The built-in chain that jumps to fwc's chain of the hook.
const char* builtin_chain(ir::Hook h) {
  switch (h) {
    case ir::Hook::input:
      return "INPUT";
    case ir::Hook::output:
      return "OUTPUT";
    case ir::Hook::forward:
    case ir::Hook::published:
      break;
  }
  return "FORWARD";
}

}  // namespace

std::string sanitize_name(const std::string& s) {
  return naming::sanitize(s, kNameChars);
}

std::string comment_for(const ir::Origin& o) {
  return escape::ipt_quoted(naming::origin_text(o), kCommentMax);
}

std::string rule_stem(const ir::Origin& o) {
  return naming::rule_stem(o, kNameChars);
}

Lowering::Lowering(const ir::Ruleset& rs, DiagnosticEngine& diags)
    : rs_(rs),
      approximations_(diags),
      chain_names_(kChainNameMax, '-'),
      set_names_(kSetNameMax - std::string_view(kSetStagingSuffix).size(), '-'),
      hashlimit_names_(kHashlimitNameMax, '-') {
  for (const char* c : {kInputChain, kOutputChain, kForwardChain, kPublishedChain}) chain_names_.reserve(c);
}

void Lowering::begin(ir::Hook h, const ir::Chain&) {
  chain_ = &own_[index_of(h)];
  published_ = h == ir::Hook::published;
  table_->hooks.push_back({builtin_chain(h), published_ ? kPublishedMatch : "", chain_->name});
}

ir::Flow Lowering::block(ir::Hook h, const ir::Block& b) {
  if (b.dynamic) {
    live_block(b);
    return ir::Flow::next;
  }
  refuse(b.peer, h == ir::Hook::output, b.ports, b.origin, b.log, b.action);
  return ir::Flow::next;
}

ir::Flow Lowering::meter(ir::Hook, const ir::Meter& m) {
  meter_rules(m);
  return ir::Flow::next;
}

ir::Flow Lowering::allow(ir::Hook h, const ir::Allow& a) {
  if (h == ir::Hook::forward) {
    forward_allow(a);
    return ir::Flow::next;
  }
  bool outbound = h == ir::Hook::output;
  const ir::Peer& peer = outbound ? a.dst : a.src;
  if (a.log && !outbound) {
    Rule l = log_rule(a.origin, *a.log, false);
    l.ct_new = true;
    expand(peer, outbound, a.ports, l, rule_stem(a.origin));
  }
  Rule base;
  base.comment = comment_for(a.origin);
  base.target = Target::accept;
  expand(peer, outbound, a.ports, base, rule_stem(a.origin));
  return ir::Flow::next;
}

// Matches the destination in the rule's family, then expands over the source.
void Lowering::forward_allow(const ir::Allow& a) {
  if (a.src.addrs.empty(table_->family)) return;
  auto dst = addr_match(a.dst, true, rule_stem(a.origin) + "_dst");
  if (!dst) return;
  Rule base;
  base.comment = comment_for(a.origin);
  base.target = Target::accept;
  base.dst = dst;
  expand(a.src, false, a.ports, base, rule_stem(a.origin) + "_src");
}

ir::Flow Lowering::otherwise(ir::Hook, const ir::Otherwise& o) {
  ir::Peer everyone;
  everyone.addrs = net::AddrSet::any();
  refuse(everyone, false, o.ports, o.origin, o.log, o.action);
  return ir::Flow::next;
}

void Lowering::fallback(ir::Hook, const ir::Chain& ic) {
  if (ic.log && ic.policy != ir::Verdict::accept)
    chain_->rules.push_back(log_rule(ic.default_origin, *ic.log, true));
  Rule r;
  r.comment = comment_for(ic.default_origin);
  r.target = target_of(ic.policy);
  chain_->rules.push_back(std::move(r));
}

void Lowering::lower_family(Table& t) {
  // Every fwc chain is declared (and so emptied on a reload), managed or
  // not; only managed ones are jumped to. Rules add chains of their own to
  // the table while they are lowered; those follow fwc's three.
  table_ = &t;
  own_ = {Chain{kInputChain, {}}, Chain{kOutputChain, {}}, Chain{kForwardChain, {}}, Chain{kPublishedChain, {}}};
  ir::walk(rs_, *this);
  ir::walk_published(rs_, *this);
  published_ = false;
  // The published chain accepts by returning: FORWARD's other rules (Docker's
  // own, fwc's forward chain) still meet the connection, as they do on nftables.
  for (Rule& r : own_[index_of(ir::Hook::published)].rules)
    if (r.target == Target::accept) r.target = Target::ret;
  t.chains.insert(t.chains.begin(), std::make_move_iterator(own_.begin()),
                  std::make_move_iterator(own_.end()));
  chain_ = nullptr;
  table_ = nullptr;
}

Model Lowering::run() {
  m_.header.push_back(naming::policy_header(rs_));
  m_.v4.family = Family::v4;
  m_.v6.family = Family::v6;
  lower_family(m_.v4);
  lower_family(m_.v6);
  return std::move(m_);
}

Model lower(const ir::Ruleset& rs, DiagnosticEngine& diags) {
  return Lowering(rs, diags).run();
}

}  // namespace fwc::ipt
