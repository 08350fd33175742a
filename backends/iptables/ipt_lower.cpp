#include <cctype>
#include <iterator>
#include <map>
#include <set>
#include <string_view>

#include "backends/common/escape.h"
#include "backends/iptables/ipt_backend.h"

namespace fwc::ipt {

namespace {

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

// Characters iptables and ipset take in names without quoting.
std::string sanitize_name(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    out += ok ? c : '_';
  }
  return out;
}

std::string comment_for(const ir::Origin& o) {
  std::string text = o.label;
  if (o.loc.line > 0) text += " (" + o.where() + ")";
  return escape::ipt_quoted(text, kCommentMax);
}

// A readable stem for names a rule needs: its name ("public-web",
// "peers_otherwise"), or its position ("inbound_2").
std::string rule_stem(const ir::Origin& o) {
  size_t space = o.label.find(' ');
  if (space != std::string::npos) return sanitize_name(o.label.substr(space + 1));
  return sanitize_name(o.label.substr(0, o.label.find(']')));
}

uint64_t expire_ms(const ir::Rate& r) { return ir::meter_expiry_seconds(r.unit) * 1000; }

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

// Names unique within one namespace (chains, sets, hashlimit tables), each
// at most `max` characters: the stem is shortened to make room for the
// suffix, and a clash gets "-2", "-3", ...
class Names {
 public:
  explicit Names(size_t max) : max_(max) {}
  void reserve(const std::string& name) { used_.insert(name); }
  std::string take(const std::string& prefix, const std::string& stem, const std::string& suffix) {
    for (int n = 1;; ++n) {
      std::string tail = (n == 1 ? std::string() : "-" + std::to_string(n)) + suffix;
      size_t room = max_ > prefix.size() + tail.size() ? max_ - prefix.size() - tail.size() : 0;
      std::string name = prefix;
      name.append(stem, 0, room).append(tail);
      if (used_.insert(name).second) return name;
    }
  }

 private:
  size_t max_;
  std::set<std::string> used_;
};

class Lowering {
 public:
  Lowering(const ir::Ruleset& rs, DiagnosticEngine& diags)
      : rs_(rs),
        diags_(diags),
        chain_names_(kChainNameMax),
        set_names_(kSetNameMax - std::string_view(kSetStagingSuffix).size()),
        hashlimit_names_(kHashlimitNameMax) {
    for (const char* c : {kInputChain, kOutputChain, kForwardChain}) chain_names_.reserve(c);
  }
  Model run();

 private:
  void lower_family(Table& t);
  Chain input_chain(Table& t);
  Chain output_chain(Table& t, const ir::Chain& c);
  Chain forward_chain(Table& t, const ir::Chain& c);
  void fixed(Chain& c, const std::string& match, Target target, const std::string& comment);
  void icmp_rules(Chain& c, Family f, bool outbound);
  // The rules matching `peer` (in the table's family) and `ports`, one per
  // protocol and multiport group, each a copy of `base`.
  void expand(Chain& c, Family f, const ir::Peer& peer, bool dst, const std::optional<net::PortSet>& ports,
              const Rule& base, const std::string& set_hint);
  std::optional<AddrMatch> addr_match(const ir::Peer& peer, Family f, bool dst, const std::string& hint);
  std::string set_for(Family f, const net::AddrSet& addrs, const std::string& hint);
  // A refusing rule: jumps to a chain of its own that logs and refuses when
  // it logs (one log bucket however many rules match), else the verdict.
  void refuse(Table& t, Chain& c, const ir::Peer& peer, bool dst, const std::optional<net::PortSet>& ports,
              const ir::Origin& origin, const std::optional<ir::Log>& log, ir::Verdict action);
  void meter_rules(Table& t, Chain& c, const ir::Meter& m);
  void fallback(Chain& c, const ir::Chain& ic);
  Rule log_rule(const ir::Origin& origin, const ir::Log& log, bool rate_limited);
  std::string sub_chain(Table& t, const ir::Origin& origin, std::vector<Rule> rules);
  std::string hashlimit_name(const ir::Meter& m);
  ir::Rate checked_rate(const ir::Rate& r, uint64_t max_per_second, const char* what,
                        const ir::Origin& origin);
  void approximated(const ir::Origin& origin, const std::string& what, const std::string& message,
                    std::string hint);

  const ir::Ruleset& rs_;
  DiagnosticEngine& diags_;
  Model m_;
  Names chain_names_, set_names_, hashlimit_names_;
  std::map<std::string, std::string> chain_by_label_, hashlimit_by_label_;
  std::map<std::pair<Family, const void*>, std::string> set_by_storage_;
  std::set<std::string> warned_;
};

void Lowering::approximated(const ir::Origin& origin, const std::string& what, const std::string& message,
                            std::string hint) {
  if (origin.ignores(kApproximated)) return;  // acknowledged with `ignore:` on the rule
  if (!warned_.insert(origin.label + "\n" + what).second) return;  // once, not once per family
  diags_.warning(kApproximated, origin.loc, origin.label + ": " + message, std::move(hint));
}

void Lowering::fixed(Chain& c, const std::string& match, Target target, const std::string& comment) {
  Rule r;
  r.match = match;
  r.target = target;
  r.comment = comment;
  c.rules.push_back(std::move(r));
}

// Rules naming the same network share its set (same interval storage).
std::string Lowering::set_for(Family f, const net::AddrSet& addrs, const std::string& hint) {
  auto k = std::make_pair(f, addrs.identity(f));
  if (auto it = set_by_storage_.find(k); it != set_by_storage_.end()) return it->second;
  // Room is left for the staging suffix the ipset file loads the set under.
  std::string name = set_names_.take("fwc-", sanitize_name(hint), f == Family::v4 ? "-4" : "-6");
  IpSet s;
  s.name = name;
  s.family = f;
  s.addrs = addrs;
  s.entries = addrs.cidr_count(f);
  m_.sets.push_back(std::move(s));
  set_by_storage_.emplace(k, name);
  return name;
}

std::optional<AddrMatch> Lowering::addr_match(const ir::Peer& peer, Family f, bool dst,
                                              const std::string& hint) {
  if (peer.addrs.empty(f)) return std::nullopt;
  AddrMatch m;
  m.dst = dst;
  if (peer.any(f)) return m;  // the whole family: no address match
  if (peer.addrs.intervals(f).size() > kInlineLimit || peer.addrs.cidr_count(f) > kInlineLimit)
    m.set = set_for(f, peer.addrs, peer.name.empty() ? hint : peer.name);
  else
    m.cidrs = peer.addrs.cidrs(f);
  return m;
}

void Lowering::expand(Chain& c, Family f, const ir::Peer& peer, bool dst,
                      const std::optional<net::PortSet>& ports, const Rule& base,
                      const std::string& set_hint) {
  auto a = addr_match(peer, f, dst, set_hint);
  if (!a) return;  // nothing of this family
  auto emit_one = [&](std::optional<PortMatch> pm) {
    Rule r = base;
    (dst ? r.dst : r.src) = a;
    r.port = std::move(pm);
    c.rules.push_back(std::move(r));
  };
  if (!ports || ports->all) {
    emit_one(std::nullopt);
    return;
  }
  for (net::Proto p : {net::Proto::tcp, net::Proto::udp})
    for (auto& group : multiport_groups(ports->of(p))) emit_one(PortMatch{p, std::move(group)});
}

Rule Lowering::log_rule(const ir::Origin& origin, const ir::Log& log, bool rate_limited) {
  Rule r;
  r.comment = comment_for(origin);
  r.target = Target::log;
  r.log_prefix = log.prefix;
  if (r.log_prefix.size() > kLogPrefixMax) {
    r.log_prefix = log.prefix.substr(0, kLogPrefixMax);
    approximated(origin, "log prefix",
                 "log prefix \"" + log.prefix + "\" is longer than the " + std::to_string(kLogPrefixMax) +
                     " characters iptables keeps; written as \"" + r.log_prefix + "\"",
                 "shorten the prefix to at most " + std::to_string(kLogPrefixMax) + " characters");
  }
  // LOG knows the syslog levels by their long names.
  r.log_level = ir::level_long_name(log.level);
  if (rate_limited) r.limit = checked_rate(log.rate, kLimitMaxPerSecond, "log rate", origin);
  return r;
}

// A rate beyond what the match accepts is written as its maximum.
ir::Rate Lowering::checked_rate(const ir::Rate& r, uint64_t max_per_second, const char* what,
                                const ir::Origin& origin) {
  uint64_t max = max_per_second * r.unit_seconds();
  if (r.count <= max) return r;
  ir::Rate out{max, r.unit};
  approximated(
      origin, what,
      std::string(what) + " " + r.str() + " is faster than iptables accepts; written as " + out.str(), "");
  return out;
}

// A chain of the rule's own (the same name in both families).
std::string Lowering::sub_chain(Table& t, const ir::Origin& origin, std::vector<Rule> rules) {
  auto it = chain_by_label_.find(origin.label);
  if (it == chain_by_label_.end())
    it = chain_by_label_.emplace(origin.label, chain_names_.take("FWC-", rule_stem(origin), "")).first;
  t.chains.push_back(Chain{it->second, std::move(rules)});
  return it->second;
}

void Lowering::refuse(Table& t, Chain& c, const ir::Peer& peer, bool dst,
                      const std::optional<net::PortSet>& ports, const ir::Origin& origin,
                      const std::optional<ir::Log>& log, ir::Verdict action) {
  Rule base;
  base.comment = comment_for(origin);
  base.target = target_of(action);
  if (peer.addrs.empty(t.family)) return;  // nothing of this family
  if (log) {
    std::vector<Rule> body{log_rule(origin, *log, true), base};
    base.target = Target::jump;
    base.jump = sub_chain(t, origin, std::move(body));
  }
  expand(c, t.family, peer, dst, ports, base, rule_stem(origin));
}

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

void Lowering::meter_rules(Table& t, Chain& c, const ir::Meter& m) {
  Family f = t.family;
  if (m.src.addrs.empty(f)) return;
  // A global meter is one hashlimit table shared by name across its rules,
  // but the kernel keeps a table per family: IPv4 and IPv6 count apart.
  if (!m.per_source && !m.src.addrs.empty(Family::v4) && !m.src.addrs.empty(Family::v6))
    approximated(m.origin, "global meter",
                 "a global meter is one bucket per address family on iptables: IPv4 and IPv6 new "
                 "connections are counted apart (up to twice the rate in all)",
                 "limit `from` to one family, or use per_source, for the same meaning on every target");
  Rule base;
  base.comment = comment_for(m.origin);
  base.ct_new = true;
  HashLimit h;
  h.name = hashlimit_name(m);
  h.rate = checked_rate(m.rate, kHashlimitMaxPerSecond, "rate", m.origin);
  h.burst = m.burst;
  h.per_source = m.per_source;
  h.expire_ms = expire_ms(m.rate);
  base.hashlimit = h;
  base.target = target_of(m.action);
  if (m.log) {
    // The meter is evaluated once: its rules jump to a chain that logs
    // every refused packet (not limited), then refuses.
    Rule verdict;
    verdict.comment = base.comment;
    verdict.target = base.target;
    base.target = Target::jump;
    base.jump = sub_chain(t, m.origin, {log_rule(m.origin, *m.log, false), verdict});
  }
  expand(c, f, m.src, false, m.ports, base, "meter_src_" + rule_stem(m.origin));
}

void Lowering::icmp_rules(Chain& c, Family f, bool outbound) {
  auto icmp = [&](const char* type, const std::string& comment) {
    fixed(c, std::string("-p icmp -m icmp --icmp-type ") + type, Target::accept, comment);
  };
  auto icmp6 = [&](const char* type, const std::string& comment) {
    fixed(c, std::string("-p ipv6-icmp -m icmp6 --icmpv6-type ") + type, Target::accept, comment);
  };
  if (outbound) {
    if (f == Family::v6) {
      for (const char* type : {"router-solicitation", "router-advertisement", "neighbour-solicitation",
                               "neighbour-advertisement", "redirect"})
        icmp6(type, "IPv6 neighbour discovery");
      for (const char* type : {"packet-too-big", "destination-unreachable", "time-exceeded",
                               "parameter-problem", "echo-request", "echo-reply"})
        icmp6(type, "essential ICMPv6");
    } else {
      for (const char* type :
           {"destination-unreachable", "time-exceeded", "parameter-problem", "echo-request", "echo-reply"})
        icmp(type, "essential ICMP");
    }
    return;
  }
  if (f == Family::v6) icmp6("packet-too-big", "ICMPv6 packet-too-big");
  if (rs_.icmp == ir::IcmpMode::all) {
    fixed(c, f == Family::v4 ? "-p icmp" : "-p ipv6-icmp", Target::accept, "defaults.icmp all");
    return;
  }
  std::vector<const char*> types = {"destination-unreachable", "time-exceeded", "parameter-problem"};
  if (rs_.icmp == ir::IcmpMode::essential) types.push_back("echo-request");
  std::string label =
      rs_.icmp == ir::IcmpMode::essential ? "defaults.icmp essential" : "defaults.icmp no-ping";
  for (const char* type : types) {
    if (f == Family::v4)
      icmp(type, label);
    else
      icmp6(type, label);
  }
}

void Lowering::fallback(Chain& c, const ir::Chain& ic) {
  if (ic.log && ic.policy != ir::Verdict::accept)
    c.rules.push_back(log_rule(ic.default_origin, *ic.log, true));
  Rule r;
  r.comment = comment_for(ic.default_origin);
  r.target = target_of(ic.policy);
  c.rules.push_back(std::move(r));
}

Chain Lowering::input_chain(Table& t) {
  const ir::Chain& in = rs_.input;
  Family f = t.family;
  Chain c;
  c.name = kInputChain;
  fixed(c, "-m conntrack --ctstate RELATED,ESTABLISHED", Target::accept, "established, related");
  // Neighbour discovery is never dropped: it comes before block lists and
  // before the invalid-state check.
  if (f == Family::v6)
    for (const char* type : {"router-solicitation", "router-advertisement", "neighbour-solicitation",
                             "neighbour-advertisement", "redirect"})
      fixed(c, std::string("-p ipv6-icmp -m icmp6 --icmpv6-type ") + type + " -m hl --hl-eq 255",
            Target::accept, "IPv6 neighbour discovery");
  fixed(c, "-m conntrack --ctstate INVALID", Target::drop, "invalid state");
  fixed(c, "-i lo", Target::accept, "loopback");
  for (const auto& b : in.blocks) refuse(t, c, b.peer, false, b.ports, b.origin, b.log, b.action);
  icmp_rules(c, f, false);
  for (const auto& m : in.meters) meter_rules(t, c, m);
  for (const auto& a : in.allows) {
    Rule base;
    base.comment = comment_for(a.origin);
    if (a.log) {
      Rule l = log_rule(a.origin, *a.log, false);
      l.ct_new = true;
      expand(c, f, a.src, false, a.ports, l, rule_stem(a.origin));
    }
    base.target = Target::accept;
    expand(c, f, a.src, false, a.ports, base, rule_stem(a.origin));
  }
  ir::Peer everyone;
  everyone.addrs = net::AddrSet::any();
  for (const auto& o : in.otherwise) refuse(t, c, everyone, false, o.ports, o.origin, o.log, o.action);
  fallback(c, in);
  return c;
}

Chain Lowering::output_chain(Table& t, const ir::Chain& oc) {
  Chain c;
  c.name = kOutputChain;
  fixed(c, "-m conntrack --ctstate RELATED,ESTABLISHED", Target::accept, "established, related");
  fixed(c, "-o lo", Target::accept, "loopback");
  icmp_rules(c, t.family, true);
  for (const auto& b : oc.blocks) refuse(t, c, b.peer, true, b.ports, b.origin, b.log, b.action);
  for (const auto& a : oc.allows) {
    Rule base;
    base.comment = comment_for(a.origin);
    base.target = Target::accept;
    expand(c, t.family, a.dst, true, a.ports, base, rule_stem(a.origin));
  }
  fallback(c, oc);
  return c;
}

Chain Lowering::forward_chain(Table& t, const ir::Chain& fc) {
  Family f = t.family;
  Chain c;
  c.name = kForwardChain;
  fixed(c, "-m conntrack --ctstate RELATED,ESTABLISHED", Target::accept, "established, related");
  for (const auto& a : fc.allows) {
    if (a.src.addrs.empty(f)) continue;
    auto dst = addr_match(a.dst, f, true, rule_stem(a.origin) + "_dst");
    if (!dst) continue;
    Rule base;
    base.comment = comment_for(a.origin);
    base.target = Target::accept;
    base.dst = dst;
    expand(c, f, a.src, false, a.ports, base, rule_stem(a.origin) + "_src");
  }
  fallback(c, fc);
  return c;
}

void Lowering::lower_family(Table& t) {
  // Every fwc chain is declared (and so emptied on a reload), managed or
  // not; only managed ones are jumped to. Rules add chains of their own to
  // the table while they are lowered; those follow fwc's three.
  std::vector<Chain> own;
  own.push_back(input_chain(t));
  t.hooks.push_back("INPUT");
  if (rs_.output) {
    own.push_back(output_chain(t, *rs_.output));
    t.hooks.push_back("OUTPUT");
  } else {
    own.push_back(Chain{kOutputChain, {}});
  }
  if (rs_.forward) {
    own.push_back(forward_chain(t, *rs_.forward));
    t.hooks.push_back("FORWARD");
  } else {
    own.push_back(Chain{kForwardChain, {}});
  }
  t.chains.insert(t.chains.begin(), std::make_move_iterator(own.begin()), std::make_move_iterator(own.end()));
}

Model Lowering::run() {
  m_.header.push_back("fwc: policy " + rs_.policy_name + " (" + rs_.policy_file + "), " + rs_.selection);
  m_.v4.family = Family::v4;
  m_.v6.family = Family::v6;
  lower_family(m_.v4);
  lower_family(m_.v6);
  return std::move(m_);
}

}  // namespace

std::vector<std::vector<net::PortRange>> multiport_groups(const std::vector<net::PortRange>& ports) {
  std::vector<std::vector<net::PortRange>> out;
  size_t used = kMultiportSlots;
  for (const auto& r : ports) {
    size_t slots = r.lo == r.hi ? 1 : 2;
    if (used + slots > kMultiportSlots) {
      out.emplace_back();
      used = 0;
    }
    out.back().push_back(r);
    used += slots;
  }
  return out;
}

uint64_t ipset_maxelem(size_t entries) {
  // Powers of 16 from ipset's default: `create -exist` refuses a set whose
  // maxelem differs, so the size changes as rarely as possible.
  uint64_t m = 65536;
  while (m < entries) m *= 16;
  return m;
}

uint64_t ipset_hashsize(size_t entries) {
  uint64_t h = 1024;
  while (h * 4 < entries) h *= 2;
  return h;
}

Model lower(const ir::Ruleset& rs, DiagnosticEngine& diags) {
  return Lowering(rs, diags).run();
}

}  // namespace fwc::ipt
