#include "compiler/check/resolve.h"

#include <algorithm>
#include <map>
#include <set>

#include "compiler/check/cloud_refs.h"
#include "compiler/names/host_name.h"
#include "compiler/parse/list_file.h"
#include "compiler/parse/loader.h"

namespace fwc::check {

namespace {

using net::AddrSet;
using net::PortSet;

ir::Verdict verdict_of(const std::string& s) {
  if (s == "accept") return ir::Verdict::accept;
  if (s == "reject") return ir::Verdict::reject;
  return ir::Verdict::drop;
}

// The loader accepted only the language's units and levels.
ir::Rate rate_of(const ast::Rate& r) { return {r.count, ir::rate_unit_named(r.unit).value_or(ir::RateUnit::second)}; }

std::optional<ir::Log> log_of(const std::optional<ast::Text>& prefix) {
  if (!prefix) return std::nullopt;
  ir::Log l;
  l.prefix = prefix->value;
  return l;
}

// The first block of `s` inside ::ffff:0:0/96. Dual-stack sockets show
// IPv4 peers in that form, but on the wire such traffic is IPv4: a mapped
// entry matches nothing.
std::optional<net::Interval> mapped_part(const AddrSet& s) {
  constexpr net::u128 lo = net::u128(0xffff) << 32, hi = lo | 0xffffffffu;
  for (const auto& iv : s.intervals(net::Family::v6))
    if (iv.lo >= lo && iv.hi <= hi) return iv;
  return std::nullopt;
}

class Resolver {
 public:
  Resolver(const ast::Policy& a, DiagnosticEngine& d, const names::Resolved& h) : a_(a), diags_(d), hosts_(h) {}
  ir::Policy run();

 private:
  enum class State { unvisited, visiting, done };

  void index_names();
  void resolve_nodes();
  void resolve_defaults();
  void resolve_blocks();
  void resolve_tests();
  std::optional<ir::Log> with_default_rate(std::optional<ir::Log> l) const;
  const AddrSet& network(size_t i);
  const PortSet& service(size_t i);
  // Resolves rule or network entries into one set; `names` collects the
  // network names used (for set naming and messages).
  AddrSet entries(const std::vector<ast::Text>& items, std::vector<std::string>* names);
  bool add_entry(const ast::Text& t, AddrSet& out, std::vector<std::string>* names);
  bool add_host(const ast::Text& t, AddrSet& out);
  void add_lists(const ast::Network& n, AddrSet& set);
  void check_min_entries(const ast::Network& n);
  PortSet services(const std::vector<ast::Text>& items, bool allow_all);
  ir::Peer peer(const std::vector<ast::Text>& items, const ast::RuleBase& rule, bool default_any);
  void warn_mapped(const ast::Text& entry, const AddrSet& addrs, const ast::RuleBase& rule);
  ir::DynamicSet dynamic_set(const ast::DynamicSet& d, std::set<std::string>& seen);
  void check_never(const ast::BlockRule& b, const AddrSet& blocked);
  ir::Scope scope(const ast::Scope& s);
  ir::Origin origin(const ast::RuleBase& r) const;
  void synproxy(const ast::AllowRule& r, ir::Allow& out);
  void unknown(const ast::Text& t, const char* what, const std::vector<std::string>& candidates);
  std::vector<std::string> keys_of(const std::map<std::string, size_t>& m) const;

  const ast::Policy& a_;
  DiagnosticEngine& diags_;
  const names::Resolved& hosts_;
  // While a network's own `addresses` are read: where its host names and
  // lists go (nullptr elsewhere: rules and `except` name no hosts).
  std::vector<ir::AddrSource>* sources_ = nullptr;
  bool refreshable_hit_ = false;  // a network with names or lists was named since last reset
  std::vector<std::vector<ir::AddrSource>> net_sources_;
  std::vector<bool> net_refreshable_;
  ir::Policy p_;
  std::map<std::string, size_t> net_index_, svc_index_, node_index_;
  std::set<std::string> roles_;
  std::vector<State> net_state_, svc_state_;
  std::vector<AddrSet> net_sets_;
  std::vector<PortSet> svc_sets_;
  std::vector<std::string> stack_;  // names being resolved, for cycle messages
  parse::ListBudget list_budget_;   // what the policy's `file:` lists may still read
  std::vector<std::vector<net::Address>> node_addrs_;
};

std::vector<std::string> Resolver::keys_of(const std::map<std::string, size_t>& m) const {
  std::vector<std::string> out;
  out.reserve(m.size());
  for (const auto& [k, v] : m) out.push_back(k);
  return out;
}

void Resolver::unknown(const ast::Text& t, const char* what, const std::vector<std::string>& candidates) {
  const std::string kind = what;
  const ast::Incomplete& lost = a_.incomplete;
  if ((kind == "network" && lost.networks) || (kind == "service" && lost.services) ||
      (kind == "node" && lost.nodes) || (kind == "role" && lost.roles))
    return;  // the name may be one the loader could not read; that error is reported
  diags_.error(code::unknown_ref, t.loc, std::string("unknown ") + what + " '" + t.value + "'",
               did_you_mean(t.value, candidates), t.length());
}

void Resolver::index_names() {
  auto index = [&](const ast::Text& name, std::map<std::string, size_t>& m, size_t i, const char* what) {
    if (!m.emplace(name.value, i).second)
      diags_.error(code::duplicate, name.loc, std::string(what) + " '" + name.value + "' is defined twice",
                   {}, name.length());
  };
  for (size_t i = 0; i < a_.networks.size(); ++i) {
    const auto& n = a_.networks[i].name;
    if (n.value == "any" || n.value == "any4" || n.value == "any6")
      diags_.error(code::duplicate, n.loc, "'" + n.value + "' is built in and cannot be redefined", {}, n.length());
    index(n, net_index_, i, "network");
  }
  for (size_t i = 0; i < a_.services.size(); ++i) index(a_.services[i].name, svc_index_, i, "service");
  for (size_t i = 0; i < a_.nodes.size(); ++i) index(a_.nodes[i].name, node_index_, i, "node");
  std::map<std::string, size_t> declared;
  for (size_t i = 0; i < a_.roles.size(); ++i) index(a_.roles[i], declared, i, "role");
  for (const auto& r : a_.roles) roles_.insert(r.value);
  for (const auto& n : a_.nodes)
    for (const auto& r : n.roles) roles_.insert(r.value);
  net_state_.assign(a_.networks.size(), State::unvisited);
  net_sets_.assign(a_.networks.size(), {});
  net_sources_.assign(a_.networks.size(), {});
  net_refreshable_.assign(a_.networks.size(), false);
  svc_state_.assign(a_.services.size(), State::unvisited);
  svc_sets_.assign(a_.services.size(), {});
}

void Resolver::resolve_nodes() {
  node_addrs_.resize(a_.nodes.size());
  for (size_t i = 0; i < a_.nodes.size(); ++i) {
    const ast::Node& n = a_.nodes[i];
    ir::Node out{n.name.value, n.name.loc, {}, {}, n.hostname};
    for (const auto& t : n.addresses) {
      net::Address addr;
      if (!net::parse_address(t.value, addr))
        diags_.error(code::bad_address, t.loc, "node address '" + t.value + "' is not an IP address",
                     "a node address is a single IPv4 or IPv6 address, without a prefix length", t.length());
      else out.addresses.push_back(addr);
    }
    for (const auto& r : n.roles) out.roles.push_back(r.value);
    node_addrs_[i] = out.addresses;
    p_.nodes.push_back(std::move(out));
  }
}

bool Resolver::add_entry(const ast::Text& t, AddrSet& out, std::vector<std::string>* names) {
  const std::string& s = t.value;
  // Entries are appended; the caller normalizes once for the whole list.
  if (s == "any") return out.append(AddrSet::any()), true;
  if (s == "any4") return out.append(AddrSet::any_of(net::Family::v4)), true;
  if (s == "any6") return out.append(AddrSet::any_of(net::Family::v6)), true;
  auto add_node = [&](size_t i) {
    for (const auto& addr : node_addrs_[i]) out.add({addr.family, addr.value, static_cast<uint8_t>(net::width(addr.family))});
  };
  if (s.rfind("node:", 0) == 0) {
    auto it = node_index_.find(s.substr(5));
    if (it == node_index_.end()) return unknown({s.substr(5), t.loc}, "node", keys_of(node_index_)), false;
    add_node(it->second);
    return true;
  }
  if (s.rfind("role:", 0) == 0) {
    std::string role = s.substr(5);
    if (!roles_.count(role))
      return unknown({role, t.loc}, "role", std::vector<std::string>(roles_.begin(), roles_.end())), false;
    for (size_t i = 0; i < a_.nodes.size(); ++i)
      for (const auto& r : a_.nodes[i].roles)
        if (r.value == role) add_node(i);
    return true;
  }
  if (sources_ && !net_index_.count(s) && names::is_host_name(s)) return add_host(t, out);
  bool looks_like_address = !s.empty() && ((s[0] >= '0' && s[0] <= '9') || s.find(':') != std::string::npos);
  if (looks_like_address) {
    net::CidrParse p = net::parse_cidr(s);
    switch (p.status) {
      case net::CidrStatus::bad_address:
        diags_.error(code::bad_address, t.loc, "'" + s + "' is not an IP address or CIDR", {}, t.length());
        return false;
      case net::CidrStatus::bad_prefix:
        diags_.error(code::bad_address, t.loc, "bad prefix length in '" + s + "'",
                     s.find(':') != std::string::npos ? "IPv6 prefixes are 0-128" : "IPv4 prefixes are 0-32",
                     t.length());
        return false;
      case net::CidrStatus::host_bits_set:
        diags_.warning(code::host_bits, t.loc, "'" + s + "' has host bits set",
                       "write " + net::format_cidr(p.cidr) + " (that is how it is read)", t.length());
        [[fallthrough]];
      case net::CidrStatus::ok:
        out.add(p.cidr);
        return true;
    }
  }
  auto it = net_index_.find(s);
  if (it == net_index_.end()) {
    std::vector<std::string> cands = keys_of(net_index_);
    cands.insert(cands.end(), {"any", "any4", "any6"});
    return unknown(t, "network", cands), false;
  }
  if (net_state_[it->second] == State::visiting) {
    std::string path;
    bool on = false;
    for (const auto& n : stack_) {
      on = on || n == s;
      if (on) path += n + " → ";
    }
    diags_.error(code::ref_cycle, t.loc, "network reference cycle: " + path + s, {}, t.length());
    return false;
  }
  if (names) names->push_back(s);
  out.append(network(it->second));
  if (net_refreshable_[it->second]) refreshable_hit_ = true;
  return true;
}

bool Resolver::add_host(const ast::Text& t, AddrSet& out) {
  const std::string host = names::canonical(t.value);
  if (hosts_.mode == names::Mode::refuse) {
    diags_.error(code::static_names, t.loc, "host name '" + host + "' cannot be compiled into a static artefact",
                 "compile with --resolve to write the addresses it has now, or use `fwc apply` and "
                 "`fwc refresh`, which keep them current",
                 t.length());
    return false;
  }
  ir::AddrSource src{ir::AddrSource::Kind::name, host, t.loc, {}};
  if (auto it = hosts_.hosts.find(host); it != hosts_.hosts.end())
    for (const auto& a : it->second)
      src.addrs.add({a.family, a.value, static_cast<uint8_t>(net::width(a.family))});
  // Without an answer (unresolved mode, or a lookup error already reported)
  // the name adds nothing.
  src.addrs.normalize();
  out.append(src.addrs);
  sources_->push_back(std::move(src));
  return true;
}

// `file:` paths are relative to the file that names them (a fragment's
// lists sit next to the fragment).
void Resolver::add_lists(const ast::Network& n, AddrSet& set) {
  std::string dir = parse::directory_of(n.name.loc.file ? *n.name.loc.file : a_.file);
  for (const auto& f : n.files) {
    size_t count = 0;
    ir::AddrSource src{ir::AddrSource::Kind::file, f.value, f.loc, {}};
    parse::read_address_list(parse::join_path(dir, f.value), f.loc, diags_, src.addrs, count, list_budget_);
    src.addrs.normalize();
    set.append(src.addrs);
    sources_->push_back(std::move(src));
  }
}

// Counts the addresses the network's own names and lists gave (a CIDR
// counts once), each source on its own.
void Resolver::check_min_entries(const ast::Network& n) {
  if (n.min_entries == 0 || sources_->empty()) return;
  if (hosts_.mode != names::Mode::resolved && !n.addresses.empty()) {
    for (const auto& s : *sources_)
      if (s.kind == ir::AddrSource::Kind::name) return;  // names without answers: nothing to count
  }
  size_t count = 0;
  for (const auto& s : *sources_) count += s.addrs.cidr_count(net::Family::v4) + s.addrs.cidr_count(net::Family::v6);
  if (count >= n.min_entries) return;
  diags_.error(code::too_few_entries, n.min_entries_loc,
               "network '" + n.name.value + "' got " + std::to_string(count) + " addresses from its names and lists, "
                   "fewer than its min_entries " + std::to_string(n.min_entries),
               "nothing is applied and the live set stays as it was; check the lists and lookups");
}

AddrSet Resolver::entries(const std::vector<ast::Text>& items, std::vector<std::string>* names) {
  AddrSet out;
  for (const auto& t : items) add_entry(t, out, names);
  out.normalize();
  return out;
}

const AddrSet& Resolver::network(size_t i) {
  if (net_state_[i] != State::unvisited) return net_sets_[i];
  const ast::Network& n = a_.networks[i];
  net_state_[i] = State::visiting;
  stack_.push_back(n.name.value);
  const bool outer_hit = refreshable_hit_;
  refreshable_hit_ = false;
  auto* outer_sources = sources_;
  sources_ = &net_sources_[i];
  AddrSet set = entries(n.addresses, nullptr);
  add_lists(n, set);
  check_min_entries(n);
  sources_ = nullptr;
  set.normalize();
  if (!n.except.empty()) set.subtract(entries(n.except, nullptr));
  sources_ = outer_sources;
  net_refreshable_[i] = refreshable_hit_ || !net_sources_[i].empty();
  refreshable_hit_ = outer_hit || net_refreshable_[i];
  stack_.pop_back();
  net_sets_[i] = std::move(set);
  net_state_[i] = State::done;
  return net_sets_[i];
}

const PortSet& Resolver::service(size_t i) {
  if (svc_state_[i] != State::unvisited) return svc_sets_[i];
  svc_state_[i] = State::visiting;
  stack_.push_back(a_.services[i].name.value);
  PortSet set = services(a_.services[i].items, false);
  stack_.pop_back();
  svc_sets_[i] = std::move(set);
  svc_state_[i] = State::done;
  return svc_sets_[i];
}

PortSet Resolver::services(const std::vector<ast::Text>& items, bool allow_all) {
  PortSet out;
  for (const auto& t : items) {
    if (t.value == "all") {
      if (allow_all) out.all = true;
      else diags_.error(code::bad_value, t.loc, "'all' can only be used in a rule", {}, t.length());
      continue;
    }
    net::PortSpecParse p = net::parse_port_spec(t.value);
    switch (p.status) {
      case net::PortSpecStatus::ok:
        out.add(p.proto, p.range);
        continue;
      case net::PortSpecStatus::missing_proto:
        diags_.error(code::bad_port, t.loc, p.detail, "write " + t.value + "/tcp or " + t.value + "/udp", t.length());
        continue;
      case net::PortSpecStatus::not_a_spec:
        break;
      default:
        diags_.error(code::bad_port, t.loc, p.detail, {}, t.length());
        continue;
    }
    auto it = svc_index_.find(t.value);
    if (it == svc_index_.end()) {
      unknown(t, "service", keys_of(svc_index_));
      continue;
    }
    if (svc_state_[it->second] == State::visiting) {
      std::string path;
      bool on = false;
      for (const auto& n : stack_) {
        on = on || n == t.value;
        if (on) path += n + " → ";
      }
      diags_.error(code::ref_cycle, t.loc, "service reference cycle: " + path + t.value, {}, t.length());
      continue;
    }
    PortSet sub = service(it->second);
    out.unite(sub);
  }
  out.normalize();
  return out;
}

ir::Peer Resolver::peer(const std::vector<ast::Text>& items, const ast::RuleBase& rule, bool default_any) {
  ir::Peer p;
  if (items.empty() && default_any) {
    p.addrs = AddrSet::any();
    p.direct = p.addrs;
    return p;
  }
  std::vector<std::string> names;
  size_t errors = diags_.error_count();
  const bool block = rule.kind == "block";
  refreshable_hit_ = false;
  if (items.size() == 1) {
    p.addrs = entries(items, &names);
    if (names.empty()) p.direct = p.addrs;
    if (block) warn_mapped(items[0], p.addrs, rule);
  } else {
    // Entry by entry, so cloud targets know which addresses came from
    // networks they may name natively.
    for (const auto& t : items) {
      AddrSet one;
      size_t before = names.size();
      add_entry(t, one, &names);
      if (block) {
        one.normalize();
        warn_mapped(t, one, rule);
      }
      if (names.size() == before) p.direct.append(one);
      p.addrs.append(one);
    }
    p.addrs.normalize();
    p.direct.normalize();
  }
  p.networks = names;
  p.refreshable = refreshable_hit_;
  if (items.size() == 1 && names.size() == 1) p.name = names[0];
  bool acknowledged = std::any_of(rule.ignore.begin(), rule.ignore.end(),
                                  [](const ast::Text& t) { return t.value == code::no_host_addrs; });
  // Names that were not looked up (lint) hold nothing yet, which says
  // nothing about what they will hold.
  const bool unlooked = p.refreshable && hosts_.mode == names::Mode::unresolved;
  if (p.addrs.empty() && diags_.error_count() == errors && !acknowledged && !a_.incomplete.networks && !unlooked) {
    std::string what = names.size() == 1 ? "network '" + names[0] + "'" : "the rule's networks";
    diags_.warning(code::no_host_addrs, items.empty() ? rule.loc : items[0].loc,
                   rule.label() + ": " + what + " holds no addresses, so the rule matches nothing on host targets",
                   "give the network 'addresses' (cloud-only references work on cloud targets only)");
  }
  return p;
}

void Resolver::warn_mapped(const ast::Text& entry, const AddrSet& addrs, const ast::RuleBase& rule) {
  auto iv = mapped_part(addrs);
  if (!iv) return;
  std::string first = net::format_address(net::Family::v6, iv->lo);
  std::string v4 = net::format_address(net::Family::v4, iv->lo & 0xffffffffu);
  bool literal = entry.value.find(':') != std::string::npos;
  std::string what =
      literal ? "'" + entry.value + "' is an IPv4-mapped IPv6 address, which never matches"
              : "'" + entry.value + "' holds IPv4-mapped IPv6 addresses (" + first + "), which never match";
  diags_.warning(code::mapped_address, entry.loc, rule.label() + ": " + what + " IPv4 traffic",
                 "block the IPv4 address itself (" + v4 + ")", entry.length());
}

ir::DynamicSet Resolver::dynamic_set(const ast::DynamicSet& d, std::set<std::string>& seen) {
  if (!seen.insert(d.name.value).second)
    diags_.error(code::duplicate, d.name.loc, "dynamic set '" + d.name.value + "' is declared twice",
                 "one block rule per live set; give the other a different name", d.name.length());
  return ir::DynamicSet{d.name.value, d.timeout, d.max};
}

// No static block may refuse what `never:` protects: the same addresses
// `fwc block` refuses to add to a live set.
void Resolver::check_never(const ast::BlockRule& b, const AddrSet& blocked) {
  if (!b.has_from || p_.never.empty() || !blocked.overlaps(p_.never)) return;
  AddrSet both = blocked.intersect(p_.never);
  std::string first;
  for (auto f : {net::Family::v4, net::Family::v6}) {
    auto ivs = both.intervals(f);
    if (first.empty() && !ivs.empty()) first = net::format_address(f, ivs.front().lo);
  }
  const auto& where = b.has_from ? b.from : b.to;
  diags_.error(code::never_blocked, where.empty() ? b.loc : where.front().loc,
               b.label() + " blocks " + first + ", which 'never:' protects",
               "narrow the block (an 'except' on its network), or the never: list", where.empty() ? 1 : where.front().length());
}

ir::Scope Resolver::scope(const ast::Scope& s) {
  ir::Scope out;
  for (const auto& r : s.roles) {
    if (!roles_.count(r.value)) unknown(r, "role", std::vector<std::string>(roles_.begin(), roles_.end()));
    out.roles.push_back(r.value);
  }
  for (const auto& n : s.nodes) {
    if (!node_index_.count(n.value)) unknown(n, "node", keys_of(node_index_));
    out.nodes.push_back(n.value);
  }
  return out;
}

// The SYN proxy completes TCP handshakes only: a rule that also allows UDP
// or all traffic is an error rather than a proxy for part of it.
void Resolver::synproxy(const ast::AllowRule& r, ir::Allow& out) {
  if (out.ports.all || !out.ports.udp.empty() || out.ports.tcp.empty()) {
    diags_.error(code::bad_value, r.synproxy_loc, r.label() + " uses synproxy, which needs TCP ports only",
                 "move the UDP services (or 'all') to a rule of their own");
    return;
  }
  out.synproxy = out.src.addrs;
}

ir::Origin Resolver::origin(const ast::RuleBase& r) const {
  ir::Origin o{r.label(), r.loc, r.comment, {}};
  for (const auto& t : r.ignore) o.ignore.push_back(t.value);
  return o;
}

void Resolver::resolve_defaults() {
  const ast::Defaults& d = a_.defaults;
  p_.defaults.loc = d.loc;
  p_.defaults.inbound_loc = d.inbound_loc.known() ? d.inbound_loc : d.loc;
  p_.defaults.outbound_loc = d.outbound_loc.known() ? d.outbound_loc : d.loc;
  p_.defaults.forward_loc = d.forward_loc.known() ? d.forward_loc : d.loc;
  p_.defaults.icmp_loc = d.icmp_loc.known() ? d.icmp_loc : d.loc;
  p_.defaults.published_loc = d.published_loc.known() ? d.published_loc : d.loc;
  p_.defaults.published = d.published.value != "ignore";
  p_.defaults.published_set = d.published.loc.known();  // the word was read from the policy
  for (const auto& t : d.ignore) p_.defaults.ignore.push_back(t.value);
  p_.defaults.inbound = verdict_of(d.inbound.value);
  p_.defaults.outbound = verdict_of(d.outbound.value);
  if (d.forward) p_.defaults.forward = verdict_of(d.forward->value);
  p_.defaults.icmp = d.icmp.value == "all"       ? ir::IcmpMode::all
                     : d.icmp.value == "no-ping" ? ir::IcmpMode::no_ping
                                                 : ir::IcmpMode::essential;
  if (d.ssh.empty()) p_.defaults.ssh.add(net::Proto::tcp, {22, 22});
  else p_.defaults.ssh = services(d.ssh, false);
  if (d.log) {
    ir::Log l;
    l.loc = d.log_loc.known() ? d.log_loc : d.loc;
    l.prefix = d.log->prefix.value;
    if (d.log->rate) l.rate = rate_of(*d.log->rate);
    l.level = ir::log_level_named(d.log->level).value_or(ir::LogLevel::info);
    p_.defaults.log = l;
  }
}

// Block rules (and `never:`, which static blocks must not cover).
void Resolver::resolve_blocks() {
  p_.never = entries(a_.never, nullptr);
  p_.never.normalize();
  p_.never_loc = a_.never_loc;
  std::set<std::string> dynamic_names;
  for (const auto& b : a_.block) {
    if (b.broken) continue;
    ir::Block out;
    out.origin = origin(b);
    if (b.dynamic) {
      out.dynamic = dynamic_set(*b.dynamic, dynamic_names);
      out.action = verdict_of(b.action.value);
      out.log = with_default_rate(log_of(b.log));
      out.scope = scope(b.scope);
      p_.inbound_blocks.push_back(std::move(out));
      continue;
    }
    out.peer = peer(b.has_from ? b.from : b.to, b, false);
    check_never(b, out.peer.addrs);
    if (!b.services.empty()) out.ports = services(b.services, true);
    out.action = verdict_of(b.action.value);
    out.log = with_default_rate(log_of(b.log));
    out.scope = scope(b.scope);
    (b.has_to && !b.has_from ? p_.outbound_blocks : p_.inbound_blocks).push_back(std::move(out));
  }
}

std::optional<ir::Log> Resolver::with_default_rate(std::optional<ir::Log> l) const {
  if (l && p_.defaults.log) l->rate = p_.defaults.log->rate;
  return l;
}

ir::Expect expect_of(const std::string& s) {
  if (s == "accept" || s == "allow") return ir::Expect::accept;
  if (s == "reject") return ir::Expect::reject;
  if (s == "blocked") return ir::Expect::blocked;
  return ir::Expect::drop;
}

// `tests:` entries name networks, services, nodes and roles like rules do.
void Resolver::resolve_tests() {
  for (const auto& t : a_.tests) {
    size_t errors = diags_.error_count();
    ir::PolicyTest out;
    out.label = t.label();
    out.loc = t.loc;
    out.from_text = t.from.value;
    out.from = entries({t.from}, nullptr);
    // Traffic on lo is always accepted (docs/contract.md, "Evaluation
    // order"): a test speaks of what reaches the node from elsewhere.
    AddrSet loopback;
    loopback.add({net::Family::v4, net::u128(127) << 24, 8});
    loopback.add({net::Family::v6, 1, 128});
    loopback.add({net::Family::v6, (net::u128(0xffff) << 32) | (net::u128(127) << 24), 104});
    loopback.normalize();
    out.from.subtract(loopback);
    // IPv4-mapped addresses are IPv4 peers as a dual-stack socket shows
    // them: `any6` and networks mean IPv6 peers, unless nothing else is named.
    AddrSet mapped;
    mapped.add({net::Family::v6, net::u128(0xffff) << 32, 96});
    if (!mapped.covers(out.from)) out.from.subtract(mapped);
    out.port_text = t.port.value;
    out.ports = services({t.port}, false);
    out.ports.normalize();
    if (t.to_node) {
      if (!node_index_.count(t.to_node->value)) unknown(*t.to_node, "node", keys_of(node_index_));
      out.node = t.to_node->value;
    }
    if (t.to_role) {
      if (!roles_.count(t.to_role->value))
        unknown(*t.to_role, "role", std::vector<std::string>(roles_.begin(), roles_.end()));
      out.role = t.to_role->value;
    }
    out.expect = expect_of(t.expect.value);
    out.published = t.published;
    if (diags_.error_count() == errors) p_.tests.push_back(std::move(out));
  }
}

ir::Policy Resolver::run() {
  p_.name = a_.name.value;
  p_.file = a_.file;
  p_.cloud = a_.cloud;
  index_names();
  resolve_nodes();
  for (const auto& r : roles_) p_.roles.push_back(r);
  for (size_t i = 0; i < a_.networks.size(); ++i) {
    const ast::Network& n = a_.networks[i];
    ir::Network out{n.name.value, n.name.loc, network(i), native_refs_of(n.native), {}, {}, false};
    if (n.native.has_hetzner) out.hetzner_addrs = entries(n.native.hetzner_addresses, nullptr);
    out.sources = net_sources_[i];
    out.refreshable = net_refreshable_[i];
    p_.networks.push_back(std::move(out));
  }
  for (size_t i = 0; i < a_.services.size(); ++i) service(i);

  resolve_defaults();
  resolve_blocks();
  for (const auto& m : a_.rate_limits) {
    if (m.broken) continue;
    ir::Meter out;
    out.origin = origin(m);
    out.src = peer(m.from, m, true);
    out.ports = services(m.services, false);
    if (!m.connections) out.rate = rate_of(m.rate);
    out.connections = m.connections.value_or(0);
    out.burst = m.burst;
    out.per_source = m.per_source;
    out.action = verdict_of(m.action.value);
    out.log = with_default_rate(log_of(m.log));
    out.scope = scope(m.scope);
    p_.meters.push_back(std::move(out));
  }
  auto allows = [&](const std::vector<ast::AllowRule>& in, std::vector<ir::Allow>& out_list) {
    for (const auto& r : in) {
      if (r.broken) continue;
      ir::Allow out;
      out.origin = origin(r);
      out.ports = services(r.allow, true);
      if (r.kind != "outbound") out.src = peer(r.from, r, false);
      if (r.kind != "inbound") out.dst = peer(r.to, r, false);
      out.log = with_default_rate(log_of(r.log));
      out.scope = scope(r.scope);
      if (r.synproxy) synproxy(r, out);
      if (r.otherwise) {
        ir::Otherwise o;
        o.origin = {r.label() + " otherwise", r.otherwise->loc, r.comment, {}};
        o.ports = out.ports;
        o.action = verdict_of(r.otherwise->action.value);
        o.log = with_default_rate(log_of(r.otherwise->log));
        o.scope = out.scope;
        p_.otherwise.push_back(std::move(o));
      }
      out_list.push_back(std::move(out));
    }
  };
  allows(a_.inbound, p_.inbound);
  allows(a_.outbound, p_.outbound);
  allows(a_.forward, p_.forward);
  resolve_tests();
  return std::move(p_);
}

}  // namespace

ir::Policy resolve(const ast::Policy& policy, DiagnosticEngine& diags, const names::Resolved& hosts) {
  return Resolver(policy, diags, hosts).run();
}

}  // namespace fwc::check
