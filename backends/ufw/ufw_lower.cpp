#include <set>

#include "backends/common/escape.h"
#include "backends/ufw/ufw_backend.h"

namespace fwc::ufw {

namespace {

using net::Family;

// ufw's fixed log rate (its `log` rules and `ufw logging low`).
constexpr const char* kUfwLogRate = "3/minute (burst 10)";

// ufw's `limit`: a source's 6th new connection within 30 seconds is refused,
// so at most 5 get through per 30 seconds (10/minute).
constexpr double kLimitPerMinute = 10.0;
constexpr uint32_t kLimitBurst = 5;

const char* action_of(ir::Verdict v) {
  switch (v) {
    case ir::Verdict::accept:
      return "allow";
    case ir::Verdict::reject:
      return "reject";
    case ir::Verdict::drop:
      break;
  }
  return "deny";
}

// A rule's ufw comment: its label and place.
std::string comment_for(const ir::Origin& o) {
  std::string text = o.label;
  if (o.loc.line > 0) text += " (" + o.where() + ")";
  return escape::ufw_comment(text, kCommentMax);
}

// The first comment line of a rule's group: label, place and the policy's comment.
std::string heading(const ir::Origin& o) {
  std::string text = comment_for(o);
  if (!o.comment.empty()) text += ": " + o.comment;
  return text;
}

double per_minute(const ir::Rate& r) {
  return static_cast<double>(r.count) * 60.0 / static_cast<double>(r.unit_seconds());
}

struct PortGroup {
  std::string port, proto;
};

// The `port`/`proto` pairs of ufw rules covering `ports`: one rule without
// proto when TCP and UDP share one single port (ufw expands it to both),
// else per protocol, ports joined with ',' and ranges written lo:hi, within
// multiport's 15 slots (a range takes two).
std::vector<PortGroup> port_groups(const std::optional<net::PortSet>& ports) {
  if (!ports || ports->all) return {PortGroup{}};
  if (ports->tcp == ports->udp && ports->tcp.size() == 1 && ports->tcp[0].lo == ports->tcp[0].hi)
    return {PortGroup{std::to_string(ports->tcp[0].lo), ""}};
  std::vector<PortGroup> out;
  for (net::Proto p : {net::Proto::tcp, net::Proto::udp}) {
    std::string list;
    int slots = 0;
    for (const net::PortRange& r : ports->of(p)) {
      int cost = r.lo == r.hi ? 1 : 2;
      if (slots + cost > 15) {
        out.push_back({list, net::proto_name(p)});
        list.clear();
        slots = 0;
      }
      if (!list.empty()) list += ',';
      list += r.lo == r.hi ? std::to_string(r.lo) : net::format_range(r, ':');
      slots += cost;
    }
    if (!list.empty()) out.push_back({list, net::proto_name(p)});
  }
  return out;
}

// One side of a rule in ufw's terms.
struct Side {
  std::string text;  // "any", a CIDR, "0.0.0.0/0" or "::/0"
  Family family = Family::v4;
  bool both = false;  // "any": both families
};

std::vector<Side> sides(const net::AddrSet& s) {
  if (s.is_all(Family::v4) && s.is_all(Family::v6)) return {Side{"any", Family::v4, true}};
  std::vector<Side> out;
  for (Family f : {Family::v4, Family::v6}) {
    if (s.is_all(f)) {
      out.push_back({f == Family::v4 ? "0.0.0.0/0" : "::/0", f, false});
      continue;
    }
    for (const net::Cidr& c : s.cidrs(f)) out.push_back({net::format_cidr(c), f, false});
  }
  return out;
}

const std::string& family_any(Family f) {
  static const std::string v4 = "0.0.0.0/0", v6 = "::/0";
  return f == Family::v4 ? v4 : v6;
}

net::AddrSet intersect(const net::AddrSet& a, const net::AddrSet& b) {
  net::AddrSet only_a = a;
  only_a.subtract(b);
  net::AddrSet out = a;
  out.subtract(only_a);
  return out;
}

std::vector<net::PortRange> intersect(const std::vector<net::PortRange>& a,
                                      const std::vector<net::PortRange>& b) {
  std::vector<net::PortRange> out;
  for (const auto& x : a)
    for (const auto& y : b) {
      uint16_t lo = std::max(x.lo, y.lo), hi = std::min(x.hi, y.hi);
      if (lo <= hi) out.push_back({lo, hi});
    }
  return out;
}

// Ports of a meter (never `all`) that an allow rule also covers.
net::PortSet intersect(const net::PortSet& meter, const net::PortSet& allow) {
  if (allow.all) return meter;
  net::PortSet out;
  out.tcp = intersect(meter.tcp, allow.tcp);
  out.udp = intersect(meter.udp, allow.udp);
  out.normalize();
  return out;
}

class Lowering {
 public:
  Lowering(const ir::Ruleset& rs, DiagnosticEngine& diags) : rs_(rs), diags_(diags) {}
  Script run();

 private:
  Group group_for(const ir::Origin& o);
  void warn(Group& g, const ir::Origin& o, const std::string& message, const std::string& hint = {});
  bool size_ok(Group& g, const ir::Origin& o, const net::AddrSet& addrs);
  // Adds one ufw rule per source × destination × port group. A rule whose
  // match an earlier rule already has is left out: ufw evaluates first
  // match wins, and would replace the earlier rule's action instead.
  void add(Group& g, const Command& base, const net::AddrSet* from, const net::AddrSet* to,
           const std::optional<net::PortSet>& ports);
  void log_warning(Group& g, const ir::Origin& o, const ir::Log& log, bool refuses);
  void reject_warning(Group& g, const ir::Origin& o, ir::Verdict action,
                      const std::optional<net::PortSet>& ports);
  void blocks(Section& s, const std::vector<ir::Block>& blocks, Command::Dir dir);
  void meter(Section& s, const ir::Meter& m);
  void icmp_notes();
  void defaults();
  void logging();

  const ir::Ruleset& rs_;
  DiagnosticEngine& diags_;
  Script s_;
  std::set<std::string> seen_;  // match keys of the rules added so far
  bool uses_logging_ = false;   // a rule logs, or a limit rule's refusals are logged
};

Group Lowering::group_for(const ir::Origin& o) {
  Group g;
  g.notes.push_back(heading(o));
  return g;
}

void Lowering::warn(Group& g, const ir::Origin& o, const std::string& message, const std::string& hint) {
  std::string text =
      o.label.empty() ? message : o.label + ": " + message;  // unlabelled: the message names it
  if (!o.ignores(kApproximation)) diags_.warning(kApproximation, o.loc, text, hint);
  g.notes.push_back("approximation: " + message);
}

bool Lowering::size_ok(Group& g, const ir::Origin& o, const net::AddrSet& addrs) {
  size_t n = addrs.cidr_count(Family::v4) + addrs.cidr_count(Family::v6);
  if (n > kMaxCidrs) {
    diags_.error(kTooLarge, o.loc,
                 o.label + ": ufw has no address sets: " + std::to_string(n) + " CIDRs would be " + std::to_string(n) +
                     " separate ufw rules (at most " + std::to_string(kMaxCidrs) + " per policy rule)",
                 "compile this policy for the nftables or iptables target, which use sets");
    return false;
  }
  if (n > kManyCidrs)
    warn(g, o,
         "ufw has no address sets: these " + std::to_string(n) +
             " CIDRs become one ufw rule each, added one command at a time and matched one by one",
         "the nftables and iptables targets hold large networks in sets");
  return true;
}

void Lowering::add(Group& g, const Command& base, const net::AddrSet* from, const net::AddrSet* to,
                   const std::optional<net::PortSet>& ports) {
  static const net::AddrSet everything = net::AddrSet::any();
  const net::AddrSet& from_addrs = from ? *from : everything;
  const net::AddrSet& to_addrs = to ? *to : everything;
  if (from_addrs.empty() || to_addrs.empty()) {
    g.notes.push_back("its networks hold no addresses for host targets: no ufw rule");
    return;
  }
  const std::vector<Side> froms = sides(from_addrs);
  const std::vector<Side> tos = sides(to_addrs);
  const std::vector<PortGroup> groups = port_groups(ports);
  const char* dir = base.dir == Command::Dir::in ? "in" : base.dir == Command::Dir::out ? "out" : "route";
  size_t skipped = 0;
  for (const Side& f : froms)
    for (const Side& t : tos) {
      if (!f.both && !t.both && f.family != t.family) continue;
      for (const PortGroup& pg : groups) {
        Command c = base;
        c.from = f.text;
        c.to = t.text;
        c.port = pg.port;
        c.proto = pg.proto;
        // The families this rule covers, and which of them are new.
        std::vector<Family> families;
        if (f.both && t.both)
          families = {Family::v4, Family::v6};
        else
          families = {f.both ? t.family : f.family};
        std::vector<Family> fresh;
        for (Family fam : families) {
          std::string key = std::string(dir) + "|" + (fam == Family::v4 ? "4" : "6") + "|" + c.proto + "|" +
                            c.port + "|" + (f.both ? family_any(fam) : f.text) + "|" +
                            (t.both ? family_any(fam) : t.text);
          if (seen_.insert(key).second) fresh.push_back(fam);
        }
        if (fresh.empty()) {
          ++skipped;
          continue;
        }
        if (fresh.size() < families.size()) c.from = family_any(fresh[0]);  // "any" of one family only
        if (c.log) uses_logging_ = true;
        g.commands.push_back(std::move(c));
      }
    }
  if (skipped)
    g.notes.push_back(std::to_string(skipped) + " of its ufw rules would repeat the match of a rule above " +
                      "(first match wins): left out");
}

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

void Lowering::blocks(Section& s, const std::vector<ir::Block>& list, Command::Dir dir) {
  for (const auto& b : list) {
    Group g = group_for(b.origin);
    if (!size_ok(g, b.origin, b.peer.addrs)) continue;
    Command base;
    base.dir = dir;
    base.action = action_of(b.action);
    base.comment = comment_for(b.origin);
    if (b.log) {
      base.log = true;
      log_warning(g, b.origin, *b.log, true);
    }
    // ICMP is decided in ufw's before.rules, ahead of the user rules, not
    // where fwc's chains decide it (contract: after inbound block lists,
    // before outbound ones).
    bool all_traffic = !b.ports || b.ports->all;
    if (all_traffic && dir == Command::Dir::in)
      warn(g, b.origin,
           "ufw accepts essential ICMP (ping included) in its before.rules, ahead of its user rules: "
           "sources in this block list still get ICMP answers",
           "to refuse them too, add DROP rules for these sources at the top of /etc/ufw/before.rules and "
           "before6.rules");
    if (all_traffic && dir == Command::Dir::out)
      warn(g, b.origin,
           "ufw lets no outgoing ICMP through ahead of its user rules (ICMPv6 excepted): this block also "
           "refuses the node's pings to these destinations, which fwc lets out",
           "to let them out, add ACCEPT rules for '-p icmp' to ufw-before-output in /etc/ufw/before.rules");
    reject_warning(g, b.origin, b.action, b.ports);
    if (dir == Command::Dir::in)
      add(g, base, &b.peer.addrs, nullptr, b.ports);
    else
      add(g, base, nullptr, &b.peer.addrs, b.ports);
    s.groups.push_back(std::move(g));
  }
}

// ufw's only meter is `limit`: per source, a 6th new connection within 30
// seconds is refused (REJECT), otherwise the connection is accepted. Since it
// accepts, a limit rule is written only for what allow rules accept anyway
// (the meter's sources and ports intersected with each allow rule's), and
// only when it refuses no more than the meter would: a meter with a higher
// rate is left out rather than turned into one that refuses connections the
// policy accepts.
void Lowering::meter(Section& s, const ir::Meter& m) {
  Group g = group_for(m.origin);
  std::string what = m.rate.str() + " (burst " + std::to_string(m.burst) + ")";
  if (!m.per_source) {
    warn(g, m.origin,
         "ufw has no shared rate meter (its 'limit' counts per source): this meter of " + what +
             " is left out",
         "rate-limit this service in front of the node, or use the nftables or iptables target");
    s.groups.push_back(std::move(g));
    return;
  }
  if (per_minute(m.rate) > kLimitPerMinute || m.burst > kLimitBurst) {
    warn(g, m.origin,
         "ufw's only rate limit, 'limit', refuses a source's 6th new connection within 30 seconds, "
         "stricter than this meter's " +
             what + ": it would refuse connections the policy accepts, so the meter is left out",
         "rate-limit this service in front of the node, or use the nftables or iptables target");
    s.groups.push_back(std::move(g));
    return;
  }
  std::string msg =
      "ufw's 'limit' is fixed: it rejects a source's 6th new connection within 30 seconds "
      "(counted over every limit rule) and accepts the others; the meter's rate " +
      m.rate.str() + ", burst " + std::to_string(m.burst) + " and action " + ir::verdict_name(m.action) +
      " are not kept";
  if (m.log) msg += ", and refusals are logged as '[UFW LIMIT BLOCK] ', not as '" + m.log->prefix + "'";
  warn(g, m.origin, msg);
  Command base;
  base.action = "limit";
  base.comment = comment_for(m.origin);
  size_t before = g.commands.size();
  for (const auto& a : rs_.input.allows) {
    net::AddrSet src = intersect(m.src.addrs, a.src.addrs);
    net::PortSet ports = intersect(m.ports, a.ports);
    if (src.empty() || ports.empty()) continue;
    if (!size_ok(g, m.origin, src)) continue;
    g.notes.push_back("limits what " + comment_for(a.origin) + " accepts");
    Command c = base;
    c.log = a.log.has_value();  // the allow rule's log would not see these
    add(g, c, &src, nullptr, ports);
  }
  if (g.commands.size() == before)
    g.notes.push_back("no allow rule accepts what this meter covers: nothing to limit");
  else if (m.log)
    uses_logging_ = true;  // ufw logs refusals of 'limit' only with logging on
  s.groups.push_back(std::move(g));
}

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
  s_.logging = default_logs || uses_logging_ ? "low" : "off";
  if (uses_logging_ && !default_logs && in.policy != ir::Verdict::accept)
    s_.default_notes.push_back(
        "Rule logs need 'ufw logging low', which also logs what the incoming default refuses.");
}

Script Lowering::run() {
  const ir::Chain& in = rs_.input;
  s_.header.push_back("fwc: policy " + rs_.policy_name + " (" + rs_.policy_file + "), " + rs_.selection);
  s_.header.push_back("Generated by fwc; do not edit. Run it as root on the node.");
  defaults();

  Section blocked{"Inbound block lists: first, so that deny beats allow", {}, {}};
  blocks(blocked, in.blocks, Command::Dir::in);
  Section metered{"Inbound rate meters (ufw 'limit')", {}, {}};
  for (const auto& m : in.meters) meter(metered, m);
  Section allowed{"Inbound allow rules", {}, {}};
  for (const auto& a : in.allows) {
    Group g = group_for(a.origin);
    if (!size_ok(g, a.origin, a.src.addrs)) continue;
    Command base;
    base.action = "allow";
    base.comment = comment_for(a.origin);
    if (a.log) {
      base.log = true;
      log_warning(g, a.origin, *a.log, false);
    }
    add(g, base, &a.src.addrs, nullptr, a.ports);
    allowed.groups.push_back(std::move(g));
  }
  Section otherwise{"Inbound 'otherwise' clauses: their ports, from anywhere else", {}, {}};
  for (const auto& o : in.otherwise) {
    Group g = group_for(o.origin);
    Command base;
    base.action = action_of(o.action);
    base.comment = comment_for(o.origin);
    if (o.log) {
      base.log = true;
      log_warning(g, o.origin, *o.log, true);
    }
    reject_warning(g, o.origin, o.action, o.ports);
    add(g, base, nullptr, nullptr, o.ports);
    otherwise.groups.push_back(std::move(g));
  }
  for (Section* sec : {&blocked, &metered, &allowed, &otherwise})
    if (!sec->groups.empty()) s_.sections.push_back(std::move(*sec));

  if (rs_.output) {
    Section out{"Outbound: block lists, then allow rules", {}, {}};
    blocks(out, rs_.output->blocks, Command::Dir::out);
    for (const auto& a : rs_.output->allows) {
      Group g = group_for(a.origin);
      if (!size_ok(g, a.origin, a.dst.addrs)) continue;
      Command base;
      base.dir = Command::Dir::out;
      base.action = "allow";
      base.comment = comment_for(a.origin);
      add(g, base, nullptr, &a.dst.addrs, a.ports);
      out.groups.push_back(std::move(g));
    }
    if (!out.groups.empty()) s_.sections.push_back(std::move(out));
  }
  if (rs_.forward) {
    Section fwd{"Forwarded traffic (ufw route rules)", {}, {}};
    for (const auto& a : rs_.forward->allows) {
      Group g = group_for(a.origin);
      if (!size_ok(g, a.origin, a.src.addrs) || !size_ok(g, a.origin, a.dst.addrs)) continue;
      Command base;
      base.dir = Command::Dir::route;
      base.action = "allow";
      base.comment = comment_for(a.origin);
      add(g, base, &a.src.addrs, &a.dst.addrs, a.ports);
      fwd.groups.push_back(std::move(g));
    }
    if (!fwd.groups.empty()) s_.sections.push_back(std::move(fwd));
  }
  logging();
  return std::move(s_);
}

}  // namespace

Script lower(const ir::Ruleset& rs, DiagnosticEngine& diags) {
  return Lowering(rs, diags).run();
}

}  // namespace fwc::ufw
