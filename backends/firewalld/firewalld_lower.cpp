#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>

#include "backends/common/escape.h"
#include "backends/firewalld/firewalld_backend.h"

namespace fwc::firewalld {

namespace {

using net::AddrSet;
using net::Family;
using net::PortRange;
using net::PortSet;
using net::Proto;

// Networks with more CIDRs than this (per family) become ipsets; smaller
// ones give one rich rule per CIDR.
constexpr size_t kInlineLimit = 4;
// nft's limit statement, which firewalld's `limit` becomes, has a burst of 5.
constexpr uint32_t kFirewalldBurst = 5;

std::string sanitize_name(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
  return out;
}

// The comment over a rule's commands: its label and place (the emitter
// keeps it on one '#' line).
std::string comment_for(const ir::Origin& o) {
  std::string text = o.label;
  if (o.loc.line > 0) text += " (" + o.where() + ")";
  return text;
}

// A readable stem for ipsets a rule needs: its name, or "inbound_2".
std::string rule_stem(const ir::Origin& o) {
  size_t space = o.label.find(' ');
  if (space != std::string::npos) {
    std::string rest = o.label.substr(space + 1);
    size_t next = rest.find(' ');  // "inbound[0] web otherwise"
    return sanitize_name(rest.substr(0, next));
  }
  return sanitize_name(o.label.substr(0, o.label.find(']')));
}


AddrSet intersect(const AddrSet& a, const AddrSet& b) {
  AddrSet outside = AddrSet::any();
  outside.subtract(b);
  AddrSet out = a;
  out.subtract(outside);
  return out;
}

PortSet single(Proto p, PortRange r) {
  PortSet s;
  s.add(p, r);
  return s;
}

std::vector<PortRange> subtract_ranges(const std::vector<PortRange>& from,
                                       const std::vector<PortRange>& minus) {
  std::vector<PortRange> out;
  for (PortRange r : from) {
    uint32_t lo = r.lo;
    for (const PortRange& m : minus) {  // `minus` is sorted and merged
      if (m.hi < lo || m.lo > r.hi) continue;
      if (m.lo > lo) out.push_back({static_cast<uint16_t>(lo), static_cast<uint16_t>(m.lo - 1)});
      lo = static_cast<uint32_t>(m.hi) + 1;
      if (lo > r.hi) break;
    }
    if (lo <= r.hi) out.push_back({static_cast<uint16_t>(lo), r.hi});
  }
  return out;
}

// One side of a rich rule: its family (none: both) and address (none: any).
struct Side {
  std::optional<Family> family;
  std::optional<Addr> addr;
};

class Lowering {
 public:
  Lowering(const ir::Ruleset& rs, DiagnosticEngine& diags) : rs_(rs), diags_(diags) {}
  Config run();

 private:
  struct Piece {  // part of a meter's ports and sources that the allow rules accept
    Proto proto = Proto::tcp;
    PortRange range;
    AddrSet allowed;
    const ir::Allow* logged_by = nullptr;
  };

  // Once per rule and message, however many families or pieces hit it.
  void warn(const ir::Origin& o, const std::string& message, std::string hint = {}) {
    if (o.ignores(kApproximation) || !warned_.insert(o.label + "\n" + message).second) return;
    diags_.warning(kApproximation, o.loc, o.label + ": " + message, std::move(hint));
  }
  bool band_ok(const ir::Origin& o, int priority, int end, const char* what);
  std::optional<RichLog> log_of(const ir::Origin& o, const ir::Log& l, bool limited);
  std::string limit_of(const ir::Origin& o, const ir::Rate& r);
  std::string ipset_for(Family f, const AddrSet& addrs, const std::string& hint, const std::string& comment);
  std::vector<Side> sides(const AddrSet& addrs, const std::string& hint, const std::string& comment,
                          size_t inline_limit = kInlineLimit);
  // Rich rules for every family/address combination of src and dst (either
  // may be absent) and every port range of `ports` (absent or all: none).
  void expand(Group& g, const AddrSet* src, const std::string& src_hint, const AddrSet* dst,
              const std::string& dst_hint, const std::optional<PortSet>& ports, const RichRule& base,
              const std::string& set_comment, size_t inline_limit = kInlineLimit);
  void add_ports(Container& c, const PortSet& ports, const std::string& comment);
  void add_group(Container& c, Group g);

  Container input_zone();
  void meter(Container& z, const ir::Meter& m, size_t index, const std::vector<const ir::Meter*>& earlier);
  std::vector<Piece> meter_pieces(const ir::Meter& m, bool& refused_region);
  Container policy_object(const ir::Chain& c, bool output);
  void fallback(Container& c, const ir::Chain& ic);

  const ir::Ruleset& rs_;
  DiagnosticEngine& diags_;
  Config cfg_;
  std::map<std::pair<Family, const void*>, std::string> set_by_storage_;
  std::set<std::string> set_names_;
  std::map<std::string, std::set<std::string>> rule_texts_;  // per container: no duplicates
  std::map<std::string, std::map<Proto, std::vector<PortRange>>> port_done_;
  std::set<std::string> warned_;
};

bool Lowering::band_ok(const ir::Origin& o, int priority, int end, const char* what) {
  if (priority < end) return true;
  diags_.error(
      code::bad_value, o.loc,
      std::string("firewalld: too many ") + what + " for its rich-rule priority band (" + o.label + ")");
  return false;
}

std::string Lowering::limit_of(const ir::Origin& o, const ir::Rate& r) {
  uint64_t count = r.count;
  if (count == 1 && r.unit == ir::RateUnit::day) {
    warn(o, "firewalld refuses the rate 1/day; written as 2/day",
         "choose a rate of at least 2/day, or 1/hour, for the same meaning on every target");
    count = 2;
  }
  return std::to_string(count) + "/" + ir::unit_name(r.unit)[0];
}

std::optional<RichLog> Lowering::log_of(const ir::Origin& o, const ir::Log& l, bool limited) {
  RichLog out;
  out.prefix = escape::rich_value(l.prefix);
  if (out.prefix != l.prefix) {
    warn(o,
         "firewalld's rich-rule parser cannot carry '=' in a log prefix; written as \"" + out.prefix + "\"",
         "use a log prefix without '='");
  }
  out.level = ir::level_long_name(l.level);
  if (limited) out.limit = limit_of(o, l.rate);
  return out;
}

// Rules naming the same network share its ipset (same interval storage).
std::string Lowering::ipset_for(Family f, const AddrSet& addrs, const std::string& hint,
                                const std::string& comment) {
  auto key = std::make_pair(f, addrs.identity(f));
  if (auto it = set_by_storage_.find(key); it != set_by_storage_.end()) return it->second;
  const std::string suffix = f == Family::v4 ? "-4" : "-6";
  std::string base = kIpsetPrefix + sanitize_name(hint);
  auto fit = [&](const std::string& counter) {
    size_t room = kIpsetNameMax - suffix.size() - counter.size();
    std::string head = base.substr(0, room);
    while (head.size() > 4 && (head.back() == '-' || head.back() == '_' || head.back() == '.'))
      head.pop_back();
    return head + counter + suffix;
  };
  std::string name = fit("");
  for (int n = 2; set_names_.count(name); ++n) name = fit("-" + std::to_string(n));
  set_names_.insert(name);
  IpSet s;
  s.name = name;
  s.family = f;
  s.addrs = addrs;
  s.comment = comment;
  cfg_.ipsets.push_back(std::move(s));
  set_by_storage_.emplace(key, name);
  return name;
}

std::vector<Side> Lowering::sides(const AddrSet& addrs, const std::string& hint, const std::string& comment,
                                  size_t inline_limit) {
  if (addrs.is_all(Family::v4) && addrs.is_all(Family::v6)) return {Side{}};
  std::vector<Side> out;
  for (Family f : {Family::v4, Family::v6}) {
    if (addrs.empty(f)) continue;
    if (addrs.is_all(f)) {
      out.push_back({f, std::nullopt});
      continue;
    }
    if (addrs.intervals(f).size() > inline_limit || addrs.cidr_count(f) > inline_limit) {
      out.push_back({f, Addr{"", ipset_for(f, addrs, hint, comment)}});
      continue;
    }
    for (const auto& c : addrs.cidrs(f)) out.push_back({f, Addr{net::format_cidr(c), ""}});
  }
  return out;
}

void Lowering::expand(Group& g, const AddrSet* src, const std::string& src_hint, const AddrSet* dst,
                      const std::string& dst_hint, const std::optional<PortSet>& ports, const RichRule& base,
                      const std::string& set_comment, size_t inline_limit) {
  std::vector<Side> srcs = src ? sides(*src, src_hint, set_comment, inline_limit) : std::vector<Side>{Side{}};
  std::vector<Side> dsts = dst ? sides(*dst, dst_hint, set_comment, inline_limit) : std::vector<Side>{Side{}};
  for (const Side& s : srcs) {
    for (const Side& d : dsts) {
      if (s.family && d.family && *s.family != *d.family) continue;
      RichRule r = base;
      r.family = s.family ? s.family : d.family;
      r.source = s.addr;
      r.destination = d.addr;
      if (!ports || ports->all) {
        g.rules.push_back(r);
        continue;
      }
      for (Proto p : {Proto::tcp, Proto::udp}) {
        for (const PortRange& range : ports->of(p)) {
          RichRule pr = r;
          pr.element = Element::port;
          pr.proto = p;
          pr.ports = range;
          g.rules.push_back(std::move(pr));
        }
      }
    }
  }
}

void Lowering::add_group(Container& c, Group g) {
  auto& seen = rule_texts_[c.name];
  std::vector<RichRule> kept;
  for (auto& r : g.rules)
    if (seen.insert(rich_text(r)).second) kept.push_back(std::move(r));
  if (kept.empty()) return;
  g.rules = std::move(kept);
  c.groups.push_back(std::move(g));
}

// Ports open to every source: only what earlier entries do not cover yet.
void Lowering::add_ports(Container& c, const PortSet& ports, const std::string& comment) {
  auto& done = port_done_[c.name];
  for (Proto p : {Proto::tcp, Proto::udp}) {
    std::vector<PortRange>& have = done[p];
    for (PortRange r : subtract_ranges(ports.of(p), have)) c.ports.push_back({comment, p, r});
    PortSet merged;
    for (PortRange r : have) merged.add(p, r);
    for (PortRange r : ports.of(p)) merged.add(p, r);
    merged.normalize();
    have = merged.of(p);
  }
}

// The meter's ports, cut where the allow rules' ports start or end, each
// piece with the sources the allow rules accept there (a default `accept`
// accepts from anywhere on the ports no otherwise clause claims).
std::vector<Lowering::Piece> Lowering::meter_pieces(const ir::Meter& m, bool& refused_region) {
  struct Cover {
    AddrSet src;
    PortSet ports;
    const ir::Allow* allow = nullptr;
  };
  const ir::Chain& in = rs_.input;
  std::vector<Cover> covers;
  for (const auto& a : in.allows) covers.push_back({a.src.addrs, a.ports, &a});
  if (in.policy == ir::Verdict::accept) {
    PortSet claimed;
    for (const auto& o : in.otherwise) claimed.unite(o.ports);
    Cover c;
    c.src = AddrSet::any();
    for (Proto p : {Proto::tcp, Proto::udp})
      c.ports.of(p) = claimed.all ? std::vector<PortRange>{} : subtract_ranges(m.ports.of(p), claimed.of(p));
    covers.push_back(std::move(c));
  }
  std::vector<Piece> out;
  for (Proto p : {Proto::tcp, Proto::udp}) {
    std::set<uint32_t> cuts;
    for (const Cover& c : covers)
      for (const PortRange& r : c.ports.of(p)) {
        cuts.insert(r.lo);
        cuts.insert(static_cast<uint32_t>(r.hi) + 1);
      }
    for (const PortRange& mr : m.ports.of(p)) {
      uint32_t lo = mr.lo;
      while (lo <= mr.hi) {
        auto next = cuts.upper_bound(lo);
        uint32_t hi = std::min<uint32_t>(mr.hi, next == cuts.end() ? mr.hi : *next - 1);
        Piece piece;
        piece.proto = p;
        piece.range = {static_cast<uint16_t>(lo), static_cast<uint16_t>(hi)};
        AddrSet srcs;
        for (const Cover& c : covers) {
          if (!c.ports.contains(p, piece.range.lo)) continue;
          AddrSet part = intersect(c.src, m.src.addrs);
          if (part.empty()) continue;
          srcs.unite(part);
          if (c.allow && c.allow->log && !piece.logged_by) piece.logged_by = c.allow;
        }
        AddrSet refused = m.src.addrs;
        refused.subtract(srcs);
        if (!refused.empty()) refused_region = true;
        piece.allowed = std::move(srcs);
        if (!out.empty() && out.back().proto == p && out.back().range.hi + 1u == lo &&
            out.back().logged_by == piece.logged_by && out.back().allowed == piece.allowed) {
          out.back().range.hi = piece.range.hi;
        } else if (!piece.allowed.empty()) {
          out.push_back(std::move(piece));
        }
        lo = hi + 1;
      }
    }
  }
  return out;
}

// firewalld's `limit` accepts under the rate and lets the rest continue: a
// meter becomes a limit-accept rule for what the allow rules accept, then
// the meter's action for the same traffic (what is left is over the rate).
void Lowering::meter(Container& z, const ir::Meter& m, size_t index,
                     const std::vector<const ir::Meter*>& earlier) {
  int prio = band::kMeter + 2 * static_cast<int>(index);
  if (!band_ok(m.origin, prio + 1, band::kMeterEnd, "rate meters")) return;
  const std::string rate = m.rate.str();
  if (m.per_source) {
    warn(m.origin,
         "firewalld cannot keep a meter per source address; this meter is not enforced (one shared " + rate +
             " bucket would throttle every source together)",
         "use the nftables or iptables target for per-source meters, or set per_source: false for a shared "
         "limit");
    return;
  }
  if (m.burst != kFirewalldBurst)
    warn(m.origin, "firewalld's limit has no burst setting; the burst of " + std::to_string(m.burst) +
                       " packets becomes nftables' default of " + std::to_string(kFirewalldBurst));
  for (const ir::Meter* e : earlier) {
    if (!intersect(e->src.addrs, m.src.addrs).empty() && e->ports.intersects(m.ports))
      warn(m.origin,
           "overlaps " + e->origin.label +
               ": firewalld accepts what is under that meter's rate without counting it here",
           "give overlapping meters disjoint sources or services");
  }
  bool refused_region = false;
  std::vector<Piece> pieces = meter_pieces(m, refused_region);
  if (refused_region)
    warn(m.origin,
         "firewalld's limit only counts connections the allow rules accept: connections to the metered "
         "services from other sources use no share of the " +
             rate + " rate, and over it they meet the otherwise/default action instead of the meter's",
         "narrow `from:` to the sources the allow rules accept on these services");
  const std::string label = comment_for(m.origin);
  Group under{label + ": under " + rate + ", accepted", {}};
  Group over{label + ": over " + rate + ", " + ir::verdict_name(m.action), {}};
  std::string limit = limit_of(m.origin, m.rate);
  std::string stem = "meter-" + rule_stem(m.origin);
  std::set<std::string> logged_prefixes;
  for (const Piece& piece : pieces) {
    PortSet ports = single(piece.proto, piece.range);
    RichRule acc;
    acc.priority = prio;
    acc.action = Action::accept;
    acc.action_limit = limit;
    if (piece.logged_by) {
      acc.log = log_of(piece.logged_by->origin, *piece.logged_by->log, false);
      logged_prefixes.insert(piece.logged_by->log->prefix);
    }
    // Sources of more than one CIDR become an ipset: one rule, one bucket, per family.
    expand(under, &piece.allowed, stem, nullptr, "", ports, acc, "sources " + m.origin.label + " meters", 1);
    RichRule act;
    act.priority = prio + 1;
    act.action = m.action == ir::Verdict::reject ? Action::reject : Action::drop;
    if (m.log) act.log = log_of(m.origin, *m.log, false);
    expand(over, &piece.allowed, stem, nullptr, "", ports, act, "sources " + m.origin.label + " meters", 1);
  }
  for (const auto& p : logged_prefixes)
    warn(m.origin, "over-rate connections are also logged with the allow rule's prefix \"" + p + "\"");
  // nftables draws every rule of a global meter from one bucket.
  if (under.rules.size() > 1)
    warn(m.origin,
         "firewalld keeps one " + rate + " bucket per rich rule; this meter needs " +
             std::to_string(under.rules.size()) +
             " rules (per family, protocol, port range and source group), each with its own bucket",
         "meter one port range of one protocol from one family, or use the nftables target for a shared "
         "bucket");
  add_group(z, std::move(under));
  add_group(z, std::move(over));
}

void Lowering::fallback(Container& c, const ir::Chain& ic) {
  c.target = ic.policy == ir::Verdict::accept ? "ACCEPT" : "DROP";
  if (ic.policy == ir::Verdict::accept) return;
  RichRule r;
  r.priority = band::kDefault;
  if (ic.log)
    r.log = log_of({"defaults.log", ic.log->loc.known() ? ic.log->loc : ic.default_origin.loc, {}, {}},
                   *ic.log, true);
  // firewalld's REJECT target answers admin-prohibited; a rich-rule reject
  // is nft's plain reject (port unreachable), as on the nftables target.
  if (ic.policy == ir::Verdict::reject) r.action = Action::reject;
  if (!r.log && r.action == Action::none) return;
  Group g{comment_for(ic.default_origin), {r}};
  add_group(c, std::move(g));
}

Container Lowering::input_zone() {
  const ir::Chain& in = rs_.input;
  Container z;
  z.is_zone = true;
  z.name = kZone;
  z.short_text = "fwc: policy " + rs_.policy_name + ", " + rs_.selection;

  Group nd{"IPv6 neighbour discovery, before the block lists", {}};
  for (const char* type : {"router-solicitation", "router-advertisement", "neighbour-solicitation",
                           "neighbour-advertisement", "redirect"}) {
    RichRule r;
    r.priority = band::kNeighbour;
    r.family = Family::v6;
    r.element = Element::icmp_type;
    r.name = type;
    r.action = Action::accept;
    nd.rules.push_back(r);
  }
  add_group(z, std::move(nd));

  for (size_t i = 0; i < in.blocks.size(); ++i) {
    const ir::Block& b = in.blocks[i];
    int prio = band::kBlock + static_cast<int>(i);
    if (!band_ok(b.origin, prio, band::kBlockEnd, "block rules")) break;
    RichRule base;
    base.priority = prio;
    base.action = b.action == ir::Verdict::reject ? Action::reject : Action::drop;
    if (b.log) base.log = log_of(b.origin, *b.log, true);
    Group g{comment_for(b.origin), {}};
    std::string hint = b.peer.name.empty() ? rule_stem(b.origin) : b.peer.name;
    expand(g, &b.peer.addrs, hint, nullptr, "", b.ports, base,
           b.peer.name.empty() ? "sources of " + b.origin.label : "network " + b.peer.name);
    add_group(z, std::move(g));
  }

  {
    Group g{"ICMPv6 packet-too-big; defaults.icmp ", {}};
    RichRule r;
    r.priority = band::kIcmp;
    r.action = Action::accept;
    r.element = Element::icmp_type;
    RichRule ptb = r;
    ptb.family = Family::v6;
    ptb.name = "packet-too-big";
    g.rules.push_back(ptb);
    if (rs_.icmp == ir::IcmpMode::all) {
      g.comment += "all";
      r.element = Element::protocol;
      r.family = Family::v4;
      r.name = "icmp";
      g.rules.push_back(r);
      r.family = Family::v6;
      r.name = "ipv6-icmp";
      g.rules.push_back(r);
    } else {
      g.comment += rs_.icmp == ir::IcmpMode::essential ? "essential" : "no-ping";
      std::vector<const char*> types{"destination-unreachable", "time-exceeded", "parameter-problem"};
      if (rs_.icmp == ir::IcmpMode::essential) types.insert(types.begin(), "echo-request");
      for (const char* t : types) {
        r.name = t;
        g.rules.push_back(r);
      }
    }
    add_group(z, std::move(g));
  }

  std::vector<const ir::Meter*> enforced;
  for (size_t i = 0; i < in.meters.size(); ++i) {
    meter(z, in.meters[i], i, enforced);
    if (!in.meters[i].per_source) enforced.push_back(&in.meters[i]);
  }

  for (size_t i = 0; i < in.allows.size(); ++i) {
    const ir::Allow& a = in.allows[i];
    int prio = band::kAllow + static_cast<int>(i);
    if (!band_ok(a.origin, prio, band::kAllowEnd, "allow rules")) break;
    bool from_any = a.src.any(Family::v4) && a.src.any(Family::v6);
    // Zone ports come after every rich rule with a negative priority: fine
    // for an allow unless a later allow logs what this one accepts first.
    bool later_log = false;
    for (size_t j = i + 1; j < in.allows.size(); ++j)
      if (in.allows[j].log && !in.allows[j].src.addrs.empty() && in.allows[j].ports.intersects(a.ports))
        later_log = true;
    if (from_any && !a.log && !a.ports.all && !later_log) {
      add_ports(z, a.ports, comment_for(a.origin));
      continue;
    }
    RichRule base;
    base.priority = prio;
    base.action = Action::accept;
    if (a.log) base.log = log_of(a.origin, *a.log, false);
    Group g{comment_for(a.origin), {}};
    std::string hint = a.src.name.empty() ? rule_stem(a.origin) : a.src.name;
    expand(g, &a.src.addrs, hint, nullptr, "", a.ports, base,
           a.src.name.empty() ? "sources of " + a.origin.label : "network " + a.src.name);
    add_group(z, std::move(g));
  }

  for (size_t i = 0; i < in.otherwise.size(); ++i) {
    const ir::Otherwise& o = in.otherwise[i];
    int prio = band::kOtherwise + static_cast<int>(i);
    if (!band_ok(o.origin, prio, band::kOtherwiseEnd, "otherwise clauses")) break;
    RichRule base;
    base.priority = prio;
    base.action = o.action == ir::Verdict::reject ? Action::reject : Action::drop;
    if (o.log) base.log = log_of(o.origin, *o.log, true);
    Group g{comment_for(o.origin), {}};
    expand(g, nullptr, "", nullptr, "", o.ports, base, "");
    add_group(z, std::move(g));
  }
  fallback(z, in);
  return z;
}

Container Lowering::policy_object(const ir::Chain& ch, bool output) {
  Container c;
  c.is_zone = false;
  c.name = output ? kOutPolicy : kFwdPolicy;
  c.short_text =
      "fwc: policy " + rs_.policy_name + ", " + rs_.selection + (output ? ", outbound" : ", forward");
  c.ingress = output ? "HOST" : "ANY";
  c.egress = "ANY";
  if (output) {
    Group g{"IPv6 neighbour discovery, essential ICMP and ICMPv6", {}};
    RichRule r;
    r.priority = band::kNeighbour;
    r.element = Element::icmp_type;
    r.action = Action::accept;
    r.family = Family::v6;
    for (const char* t : {"router-solicitation", "router-advertisement", "neighbour-solicitation",
                          "neighbour-advertisement", "redirect", "packet-too-big"}) {
      r.name = t;
      g.rules.push_back(r);
    }
    r.family.reset();
    for (const char* t :
         {"destination-unreachable", "time-exceeded", "parameter-problem", "echo-request", "echo-reply"}) {
      r.name = t;
      g.rules.push_back(r);
    }
    add_group(c, std::move(g));
    for (size_t i = 0; i < ch.blocks.size(); ++i) {
      const ir::Block& b = ch.blocks[i];
      int prio = band::kBlock + static_cast<int>(i);
      if (!band_ok(b.origin, prio, band::kBlockEnd, "block rules")) break;
      RichRule base;
      base.priority = prio;
      base.action = b.action == ir::Verdict::reject ? Action::reject : Action::drop;
      if (b.log) base.log = log_of(b.origin, *b.log, true);
      Group bg{comment_for(b.origin), {}};
      std::string hint = b.peer.name.empty() ? rule_stem(b.origin) : b.peer.name;
      expand(bg, nullptr, "", &b.peer.addrs, hint, b.ports, base,
             b.peer.name.empty() ? "destinations of " + b.origin.label : "network " + b.peer.name);
      add_group(c, std::move(bg));
    }
  }
  for (size_t i = 0; i < ch.allows.size(); ++i) {
    const ir::Allow& a = ch.allows[i];
    int prio = band::kAllow + static_cast<int>(i);
    if (!band_ok(a.origin, prio, band::kAllowEnd, "allow rules")) break;
    bool src_any = output || (a.src.any(Family::v4) && a.src.any(Family::v6));
    bool dst_any = a.dst.any(Family::v4) && a.dst.any(Family::v6);
    if (src_any && dst_any && !a.ports.all) {
      add_ports(c, a.ports, comment_for(a.origin));
      continue;
    }
    RichRule base;
    base.priority = prio;
    base.action = Action::accept;
    Group g{comment_for(a.origin), {}};
    std::string src_hint = a.src.name.empty() ? rule_stem(a.origin) + "-src" : a.src.name;
    std::string dst_hint = a.dst.name.empty() ? rule_stem(a.origin) + "-dst" : a.dst.name;
    expand(g, output ? nullptr : &a.src.addrs, src_hint, &a.dst.addrs, dst_hint, a.ports, base,
           "addresses of " + a.origin.label);
    add_group(c, std::move(g));
  }
  fallback(c, ch);
  return c;
}

Config Lowering::run() {
  cfg_.header.push_back("fwc: policy " + rs_.policy_name + " (" + rs_.policy_file + "), " + rs_.selection);
  cfg_.zone = input_zone();
  if (rs_.output) cfg_.out = policy_object(*rs_.output, true);
  if (rs_.forward) cfg_.fwd = policy_object(*rs_.forward, false);
  return std::move(cfg_);
}

}  // namespace

Config lower(const ir::Ruleset& rs, DiagnosticEngine& diags) {
  return Lowering(rs, diags).run();
}

}  // namespace fwc::firewalld
