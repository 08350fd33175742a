#include "backends/cloud/cloud_model.h"

namespace fwc::cloud {

namespace {

size_t groups_needed(size_t n, size_t per_group) {
  return (n + per_group - 1) / per_group;
}

std::string over(size_t needed, size_t limit) {
  return thousands(needed) + " (" + thousands(needed - limit) + " over)";
}

const char* applies_all(Provider p) {
  return p == Provider::hetzner ? "Hetzner applies every firewall a server has"
                                : "DigitalOcean applies every firewall a droplet is in";
}

// DigitalOcean and Hetzner: rules per firewall and addresses per field.
void firewall_limits(const Group& g, const Limits& lim, std::vector<LimitIssue>& out) {
  const std::string title = provider_title(g.provider);
  for (bool outbound : {false, true}) {
    for (const Rule& r : outbound ? g.outbound : g.inbound) {
      size_t n = r.peers.address_count();
      if (n <= lim.addresses) continue;
      size_t parts = groups_needed(n, lim.addresses);
      out.push_back({r.origins.front(),
                     title + " allows " + thousands(lim.addresses) + " " + lim.unit + " per " +
                         (outbound ? lim.out_field : lim.in_field) + "; " + r.what() + " needs " +
                         thousands(n) + " after aggregation (" + thousands(n - lim.addresses) + " over)",
                     "split the addresses into " + std::to_string(parts) + " networks of at most " +
                         thousands(lim.addresses) + " " + lim.unit + ", each in a rule of its own",
                     n - lim.addresses});
    }
  }
  size_t total = g.inbound.size() + g.outbound.size();
  if (total > lim.rules) {
    const Rule& first_over =
        lim.rules < g.inbound.size() ? g.inbound[lim.rules] : g.outbound[lim.rules - g.inbound.size()];
    out.push_back(
        {first_over.origins.front(),
         title + " allows " + std::to_string(lim.rules) + " rules per firewall; firewall '" + g.name +
             "' needs " + over(total, lim.rules),
         std::to_string(groups_needed(total, lim.rules)) + " firewalls of at most " +
             std::to_string(lim.rules) +
             " rules would hold them: scope rules to roles or nodes and compile one firewall per role (" +
             applies_all(g.provider) + ")",
         total - lim.rules});
  }
  if (g.provider != Provider::digitalocean) return;
  ir::Origin settings{
      "cloud.digitalocean", SourceLoc{std::make_shared<const std::string>(g.policy_file), 0, 0}, {}, {}};
  if (g.settings.do_tags.size() > 5)
    out.push_back({settings,
                   "DigitalOcean allows 5 tags per firewall; cloud.digitalocean lists " +
                       over(g.settings.do_tags.size(), 5),
                   "tag the droplets with fewer, shared tags", g.settings.do_tags.size() - 5});
  if (g.settings.do_droplet_ids.size() > 10)
    out.push_back({settings,
                   "DigitalOcean allows 10 droplets per firewall; cloud.digitalocean lists " +
                       over(g.settings.do_droplet_ids.size(), 10),
                   "give the droplets a tag and list the tag instead",
                   g.settings.do_droplet_ids.size() - 10});
}

// AWS: rules per security group and direction, IPv4 and IPv6 apart; each
// CIDR is a rule, a security group reference one rule of each family.
void group_limits(const Group& g, const Limits& lim, std::vector<LimitIssue>& out) {
  for (bool outbound : {false, true}) {
    if (outbound && g.outbound_open) continue;  // the default egress rules only
    for (net::Family f : {net::Family::v4, net::Family::v6}) {
      size_t total = 0;
      const Rule* first_over = nullptr;
      for (const Rule& r : outbound ? g.outbound : g.inbound) {
        size_t refs = r.peers.refs.size() * (r.proto == Proto::icmp ? 2 : 1);
        total += r.peers.cidrs.cidr_count(f) + refs;
        if (total > lim.rules_per_family && !first_over) first_over = &r;
      }
      if (!first_over) continue;
      size_t groups = groups_needed(total, lim.rules_per_family);
      std::string hint = groups <= lim.groups_per_target
                             ? std::to_string(groups) + " security groups of at most " +
                                   std::to_string(lim.rules_per_family) +
                                   " rules would hold them (an instance takes up to " +
                                   std::to_string(lim.groups_per_target) +
                                   "): scope rules to roles or nodes and compile one group per role"
                             : "that is more than the " + std::to_string(lim.groups_per_target) +
                                   " security groups an instance takes: aggregate the networks into fewer, "
                                   "larger CIDRs, or have "
                                   "AWS raise the rules quota";
      out.push_back({first_over->origins.front(),
                     "AWS allows " + std::to_string(lim.rules_per_family) + " " +
                         (outbound ? "outbound " : "inbound ") + (f == net::Family::v4 ? "IPv4" : "IPv6") +
                         " rules per security group; group '" + g.name + "' needs " +
                         over(total, lim.rules_per_family),
                     hint, total - lim.rules_per_family});
    }
  }
}

}  // namespace

std::vector<LimitIssue> check_limits(const Group& g) {
  const Limits& lim = limits_of(g.provider);
  std::vector<LimitIssue> out;
  if (lim.rules_per_family)
    group_limits(g, lim, out);
  else
    firewall_limits(g, lim, out);
  return out;
}

}  // namespace fwc::cloud
