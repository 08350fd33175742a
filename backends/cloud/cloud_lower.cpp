#include <cctype>
#include <set>

#include "backends/cloud/cloud_lowering.h"
#include "backends/common/escape.h"

namespace fwc::cloud {

namespace detail {

std::string firewall_noun(Provider p) {
  return std::string("the ") + provider_title(p) + (p == Provider::aws ? " security group" : " firewall");
}

}  // namespace detail

namespace {

constexpr net::PortRange kAllPorts{1, 65535};

std::string group_name(const ir::Ruleset& rs, Provider p) {
  const ir::CloudSettings& c = rs.cloud;
  std::string name = p == Provider::digitalocean ? c.do_name
                     : p == Provider::aws        ? c.aws_group_name
                                                 : c.hetzner_name;
  if (name.empty()) name = rs.policy_name;
  if (rs.selected.kind != ir::Selection::Kind::none) name += "-" + rs.selected.name;
  // DigitalOcean names take letters, digits, dots and dashes only; AWS
  // group names the characters of its descriptions; Hetzner printable text.
  // Lengths are not cut: name_check refuses a name that is too long.
  constexpr size_t kUncut = std::string::npos;
  if (p == Provider::digitalocean) return escape::cloud_text(name, ".-", '-', kUncut);
  if (p == Provider::aws) return escape::cloud_text(name, escape::kAwsTextChars, ' ', kUncut);
  return escape::cloud_text(name, escape::kPrintablePunctuation, ' ', kUncut);
}

class Lowering {
 public:
  Lowering(const ir::Ruleset& rs, Provider p, DiagnosticEngine& diags)
      : rs_(rs), p_(p), fw_(detail::firewall_noun(p)), diags_(diags) {}
  std::optional<Group> run();

 private:
  void warn(const ir::Origin& o, const std::string& message, const std::string& hint = {});
  std::optional<Peers> peers_of(const ir::Peer& peer, const ir::Origin& o);
  bool add_network(const std::string& name, const ir::Origin& o, Peers& out);
  void add(std::vector<Rule>& rules, Proto proto, net::PortRange ports, const Peers& peers,
           const ir::Origin& o);
  void add_ports(std::vector<Rule>& rules, const net::PortSet& ports, const Peers& peers,
                 const ir::Origin& o);
  void add_all(std::vector<Rule>& rules, const Peers& peers, const ir::Origin& o, bool warn_protocols);
  void inbound();
  void inbound_default(const ir::Chain& in);
  void outbound();
  void open_outbound(const ir::Origin& o);
  ir::Origin defaults_origin(const char* label) const;
  void name_check();
  void tag_check();

  const ir::Ruleset& rs_;
  Provider p_;
  std::string fw_;
  DiagnosticEngine& diags_;
  Group g_;
  std::set<std::pair<std::string, std::string>> warned_;
};

void Lowering::warn(const ir::Origin& o, const std::string& message, const std::string& hint) {
  if (o.ignores(code::approximated) || !warned_.emplace(o.loc.str(), message).second) return;
  diags_.warning(code::approximated, o.loc, message, hint);
}

// Names the providers refuse; the group name comes from the cloud settings
// (or the policy name) and the selection.
void Lowering::name_check() {
  const std::string& n = g_.name;
  std::string problem, key;
  if (p_ == Provider::aws && n.rfind("sg-", 0) == 0)
    problem = "AWS security group names cannot start with 'sg-'";
  if (p_ == Provider::aws && n.size() > 255) problem = "AWS security group names are at most 255 characters";
  if (p_ == Provider::hetzner && n.size() > 128)
    problem = "Hetzner firewall names are at most 128 characters";
  if (p_ == Provider::digitalocean && (n.size() < 2 || !std::isalnum(static_cast<unsigned char>(n[0]))))
    problem = "DigitalOcean firewall names start with a letter or digit and have at least 2 characters";
  if (problem.empty()) return;
  std::string setting =
      p_ == Provider::aws ? "cloud.aws.group_name" : std::string("cloud.") + provider_name(p_) + ".name";
  diags_.error(code::target_limit, SourceLoc{std::make_shared<const std::string>(rs_.policy_file), 0, 0},
               problem + " ('" + n + "')", "set " + setting + " to another name");
}

// DigitalOcean tag names select droplets: one the provider refuses is an
// error, never rewritten into another tag.
void Lowering::tag_check() {
  if (p_ != Provider::digitalocean) return;
  for (const auto& tag : rs_.cloud.do_tags) {
    bool ok = !tag.empty() && tag.size() <= 255;
    for (unsigned char c : tag) ok = ok && (std::isalnum(c) || c == '_' || c == '-' || c == ':');
    if (ok) continue;
    diags_.error(code::target_limit, SourceLoc{std::make_shared<const std::string>(rs_.policy_file), 0, 0},
                 "DigitalOcean tag names are 1-255 letters, digits, '_', '-' and ':' (cloud.digitalocean tag '" +
                     escape::comment_line(tag) + "')",
                 "rename the tag");
  }
}

// The rules a default stands for point at its own key (defaults.icmp at
// `icmp:`); an outbound default with no output chain has no key of its own.
ir::Origin Lowering::defaults_origin(const char* label) const {
  SourceLoc at = rs_.input.default_origin.loc;
  if (std::string(label) == "defaults.icmp" && rs_.icmp_loc.known()) at = rs_.icmp_loc;
  if (std::string(label) == "defaults.outbound" && rs_.output) at = rs_.output->default_origin.loc;
  return {label, at, {}, {}};
}

// A network named by a rule: its native reference for this provider when
// it has one, else its addresses.
bool Lowering::add_network(const std::string& name, const ir::Origin& o, Peers& out) {
  const ir::Network* n = nullptr;
  for (const auto& candidate : rs_.networks)
    if (candidate.name == name) n = &candidate;
  if (!n) return true;
  const ir::NativeRefs& native = n->native;
  auto ref = [&](NativeRef::Kind kind, const std::string& value) {
    out.refs.push_back({kind, value, n->name, n->addrs});
  };
  std::string reference;
  switch (p_) {
    case Provider::digitalocean:
      for (const auto& t : native.do_tags) ref(NativeRef::Kind::tag, t);
      for (const auto& d : native.do_droplet_ids) ref(NativeRef::Kind::droplet, d);
      if (!native.do_tags.empty() || !native.do_droplet_ids.empty()) return true;
      reference = "digitalocean: {tags: [...]} or {droplet_ids: [...]}";
      break;
    case Provider::aws:
      if (native.aws_security_group) {
        ref(NativeRef::Kind::security_group, *native.aws_security_group);
        return true;
      }
      reference = "aws: {security_group: ...}";
      break;
    case Provider::hetzner:
      if (native.has_hetzner && !n->hetzner_addrs.empty()) {
        out.cidrs.unite(n->hetzner_addrs);
        return true;
      }
      reference = "hetzner: {addresses: [...]}";
      break;
  }
  if (!n->addrs.empty()) {
    out.cidrs.unite(n->addrs);
    return true;
  }
  diags_.error(code::target_limit, o.loc,
               o.label + ": network '" + name + "' has no representation on " + provider_title(p_) +
                   ": it holds no addresses and has no " + provider_name(p_) + " reference",
               "give '" + name + "' addresses, or " + reference);
  return false;
}

std::optional<Peers> Lowering::peers_of(const ir::Peer& peer, const ir::Origin& o) {
  Peers out;
  if (peer.networks.empty()) {
    out.cidrs = peer.addrs;
    return out;
  }
  bool ok = true;
  for (const auto& name : peer.networks) ok = add_network(name, o, out) && ok;
  out.cidrs.unite(peer.direct);
  if (!ok) return std::nullopt;
  return out;
}

// Rules for the same protocol and ports merge (one payload rule with the
// union of their peers) while the merged field stays within the limit.
void Lowering::add(std::vector<Rule>& rules, Proto proto, net::PortRange ports, const Peers& peers,
                   const ir::Origin& o) {
  if (peers.empty()) return;
  if (proto == Proto::icmp || proto == Proto::all) ports = kAllPorts;
  const size_t limit = limits_of(p_).addresses;
  for (Rule& r : rules) {
    if (r.proto != proto || !(r.ports == ports)) continue;
    Peers merged = r.peers;
    merged.unite(peers);
    if (limit && merged.address_count() > limit) continue;
    r.peers = std::move(merged);
    auto same = [&](const ir::Origin& x) { return x.label == o.label && x.loc.line == o.loc.line; };
    if (std::none_of(r.origins.begin(), r.origins.end(), same)) r.origins.push_back(o);
    return;
  }
  rules.push_back({proto, ports, peers, {o}});
}

void Lowering::add_all(std::vector<Rule>& rules, const Peers& peers, const ir::Origin& o,
                       bool warn_protocols) {
  if (p_ == Provider::aws) return add(rules, Proto::all, kAllPorts, peers, o);
  add(rules, Proto::tcp, kAllPorts, peers, o);
  add(rules, Proto::udp, kAllPorts, peers, o);
  add(rules, Proto::icmp, kAllPorts, peers, o);
  if (warn_protocols)
    warn(o, o.label + ": " + fw_ +
                " gets tcp, udp and icmp rules only; other protocols that 'all' allows stay blocked there");
}

void Lowering::add_ports(std::vector<Rule>& rules, const net::PortSet& ports, const Peers& peers,
                         const ir::Origin& o) {
  if (ports.all) return add_all(rules, peers, o, true);
  for (const auto& r : ports.tcp) add(rules, Proto::tcp, r, peers, o);
  for (const auto& r : ports.udp) add(rules, Proto::udp, r, peers, o);
}

void Lowering::inbound() {
  const ir::Chain& in = rs_.input;
  for (const auto& a : in.allows) {
    auto peers = peers_of(a.src, a.origin);
    if (!peers) continue;
    if (a.log)
      warn(a.origin,
           a.origin.label + ": " + fw_ + " does not log; only the host firewall logs these connections");
    add_ports(g_.inbound, a.ports, *peers, a.origin);
  }
  // Cloud firewalls match ICMP as a whole: `essential` and `all` admit
  // every ICMP type there, `no-ping` none (the host firewall picks types).
  if (rs_.icmp != ir::IcmpMode::no_ping)
    add(g_.inbound, Proto::icmp, kAllPorts, Peers{net::AddrSet::any(), {}}, defaults_origin("defaults.icmp"));
  for (const auto& m : in.meters)
    warn(m.origin, m.origin.label + ": " + fw_ + " cannot limit connection rates" + (m.log ? " or log" : "") +
                       "; only the host firewall enforces this meter");
  for (const auto& o : in.otherwise) {
    if (o.action == ir::Verdict::reject)
      warn(o.origin, o.origin.label + ": " + fw_ +
                         " cannot reject, it drops what it does not allow; only the host firewall rejects");
    if (o.log)
      warn(o.origin, o.origin.label + ": " + fw_ +
                         " does not log; only the host firewall logs what this clause refuses");
  }
  inbound_default(in);
  detail::apply_blocks(
      g_, false, in.blocks,
      [this](const ir::Origin& at, const std::string& m, const std::string& h) { warn(at, m, h); });
}

void Lowering::inbound_default(const ir::Chain& in) {
  const ir::Origin& o = in.default_origin;
  if (in.policy != ir::Verdict::accept) {
    if (in.policy == ir::Verdict::reject)
      warn(o, o.label + ": " + fw_ +
                  " cannot reject, it drops what it does not allow; only the host firewall rejects");
    if (in.log)
      warn({"defaults.log", in.log->loc.known() ? in.log->loc : o.loc, {}, {}},
           "defaults.log: " + fw_ + " does not log what it drops; only the host firewall logs it");
    return;
  }
  Peers any{net::AddrSet::any(), {}};
  if (in.otherwise.empty()) return add_all(g_.inbound, any, o, true);
  // Everything but the ports `otherwise` clauses refuse (their sources
  // come from the allow rules).
  net::PortSet refused;
  for (const auto& ow : in.otherwise) refused.unite(ow.ports);
  if (refused.all) return;
  for (net::Proto proto : {net::Proto::tcp, net::Proto::udp}) {
    uint32_t next = 1;
    for (const auto& r : refused.of(proto)) {
      if (r.lo > next)
        add(g_.inbound, proto == net::Proto::tcp ? Proto::tcp : Proto::udp,
            {static_cast<uint16_t>(next), static_cast<uint16_t>(r.lo - 1)}, any, o);
      next = uint32_t(r.hi) + 1;
    }
    if (next <= 65535)
      add(g_.inbound, proto == net::Proto::tcp ? Proto::tcp : Proto::udp,
          {static_cast<uint16_t>(next), 65535}, any, o);
  }
  add(g_.inbound, Proto::icmp, kAllPorts, any, o);
  warn(o, o.label + ": " + fw_ +
              " gets tcp, udp and icmp rules only; other protocols the default accepts stay blocked there");
}

void Lowering::open_outbound(const ir::Origin& o) {
  g_.outbound_open = true;
  g_.outbound.clear();
  // DigitalOcean refuses all outbound traffic that no rule allows.
  if (p_ == Provider::digitalocean) add_all(g_.outbound, Peers{net::AddrSet::any(), {}}, o, false);
}

void Lowering::outbound() {
  auto warn_fn = [this](const ir::Origin& at, const std::string& m, const std::string& h) { warn(at, m, h); };
  if (!rs_.output) return open_outbound(defaults_origin("defaults.outbound"));
  const ir::Chain& oc = *rs_.output;
  if (oc.policy == ir::Verdict::accept) {
    // Everything out but what `to` blocks refuse.
    add_all(g_.outbound, Peers{net::AddrSet::any(), {}}, oc.default_origin, false);
    if (!detail::apply_blocks(g_, true, oc.blocks, warn_fn)) return open_outbound(oc.default_origin);
    g_.outbound_open = false;
    return;
  }
  g_.outbound_open = false;
  for (const auto& a : oc.allows) {
    auto peers = peers_of(a.dst, a.origin);
    if (peers) add_ports(g_.outbound, a.ports, *peers, a.origin);
  }
  // The host output chain always lets essential ICMP out; cloud firewalls
  // match ICMP as a whole.
  add(g_.outbound, Proto::icmp, kAllPorts, Peers{net::AddrSet::any(), {}},
      defaults_origin("defaults.outbound"));
  if (oc.policy == ir::Verdict::reject)
    warn(oc.default_origin,
         "defaults.outbound: " + fw_ +
             " cannot reject, it drops what it does not allow; only the host firewall rejects");
  detail::apply_blocks(g_, true, oc.blocks, warn_fn);
}

std::optional<Group> Lowering::run() {
  g_.provider = p_;
  g_.name = group_name(rs_, p_);
  g_.policy_name = rs_.policy_name;
  g_.policy_file = rs_.policy_file;
  g_.selection = rs_.selection;
  g_.settings = rs_.cloud;
  g_.inbound_default = rs_.input.default_origin;
  const size_t errors = diags_.error_count();
  name_check();
  tag_check();
  inbound();
  outbound();
  if (rs_.forward)
    for (const auto& a : rs_.forward->allows)
      warn(a.origin, a.origin.label + ": " + fw_ +
                         " does not filter forwarded traffic; only the host firewall enforces forward rules");
  if (diags_.error_count() > errors) return std::nullopt;
  for (const auto& issue : check_limits(g_)) {
    std::string at = issue.origin.loc.line > 0 ? issue.origin.label + ": " : std::string();
    diags_.error(code::target_limit, issue.origin.loc, at + issue.message, issue.hint);
  }
  if (diags_.error_count() > errors) return std::nullopt;
  return std::move(g_);
}

}  // namespace

std::optional<Group> lower(const ir::Ruleset& rs, Provider p, DiagnosticEngine& diags) {
  return Lowering(rs, p, diags).run();
}

}  // namespace fwc::cloud
