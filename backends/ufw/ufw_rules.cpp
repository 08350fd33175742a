#include "backends/common/escape.h"
#include "backends/common/naming.h"
#include "backends/common/multiport.h"
#include "backends/ufw/ufw_lower.h"

namespace fwc::ufw::lowering {

using net::Family;

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

std::string comment_for(const ir::Origin& o) {
  return escape::ufw_comment(naming::origin_text(o), kCommentMax);
}

Group group_for(const ir::Origin& o) {
  Group g;
  g.notes.push_back(o.comment.empty() ? comment_for(o) : comment_for(o) + ": " + o.comment);
  return g;
}

Command command_for(ir::Hook h, const char* action, const ir::Origin& o) {
  Command c;
  c.dir = h == ir::Hook::input    ? Command::Dir::in
          : h == ir::Hook::output ? Command::Dir::out
                                  : Command::Dir::route;
  c.action = action;
  c.comment = comment_for(o);
  return c;
}

namespace {

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
  for (net::Proto p : {net::Proto::tcp, net::Proto::udp})
    for (const auto& group : backend::multiport_groups(ports->of(p))) {
      std::string list;
      for (const net::PortRange& r : group) {
        if (!list.empty()) list += ',';
        list += r.lo == r.hi ? std::to_string(r.lo) : net::format_range(r, ':');
      }
      out.push_back({list, net::proto_name(p)});
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

const char* dir_name(Command::Dir d) {
  switch (d) {
    case Command::Dir::in:
      return "in";
    case Command::Dir::out:
      return "out";
    case Command::Dir::route:
      break;
  }
  return "route";
}

// The families a rule from `f` to `t` covers.
std::vector<Family> families_of(const Side& f, const Side& t) {
  if (f.both && t.both) return {Family::v4, Family::v6};
  return {f.both ? t.family : f.family};
}

// Which of `families` command `c` matches where no earlier command does
// (recording those).
std::vector<Family> fresh_families(std::set<std::string>& seen, const Command& c, const Side& f,
                                   const Side& t, const std::vector<Family>& families) {
  std::vector<Family> fresh;
  for (Family fam : families) {
    std::string key = std::string(dir_name(c.dir)) + "|" + (fam == Family::v4 ? "4" : "6") + "|" + c.proto +
                      "|" + c.port + "|" + (f.both ? family_any(fam) : f.text) + "|" +
                      (t.both ? family_any(fam) : t.text);
    if (seen.insert(key).second) fresh.push_back(fam);
  }
  return fresh;
}

}  // namespace

void Commands::add(Group& g, const Command& base, const net::AddrSet* from, const net::AddrSet* to,
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
        const std::vector<Family> families = families_of(f, t);
        std::vector<Family> fresh = fresh_families(seen_, c, f, t, families);
        if (fresh.empty()) {
          ++skipped;
          continue;
        }
        if (fresh.size() < families.size()) c.from = family_any(fresh[0]);  // "any" of one family only
        if (c.log) log_ = true;
        g.commands.push_back(std::move(c));
      }
    }
  if (skipped)
    g.notes.push_back(std::to_string(skipped) + " of its ufw rules would repeat the match of a rule above " +
                      "(first match wins): left out");
}

}  // namespace fwc::ufw::lowering
