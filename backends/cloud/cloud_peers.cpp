#include "backends/cloud/cloud_lowering.h"

namespace fwc::cloud::detail {

namespace {

// The native references a network has on provider `p`, added to `out`;
// otherwise the form such a reference takes, for the hint.
std::string add_native(const ir::Network& n, Provider p, Peers& out) {
  const ir::NativeRefs& native = n.native;
  auto ref = [&](NativeRef::Kind kind, const std::string& value) {
    out.refs.push_back({kind, value, n.name, n.addrs});
  };
  switch (p) {
    case Provider::digitalocean:
      for (const auto& t : native.do_tags) ref(NativeRef::Kind::tag, t);
      for (const auto& d : native.do_droplet_ids) ref(NativeRef::Kind::droplet, d);
      if (!native.do_tags.empty() || !native.do_droplet_ids.empty()) return {};
      return "digitalocean: {tags: [...]} or {droplet_ids: [...]}";
    case Provider::aws:
      if (!native.aws_security_group) return "aws: {security_group: ...}";
      ref(NativeRef::Kind::security_group, *native.aws_security_group);
      return {};
    case Provider::hetzner:
      break;
  }
  if (!native.has_hetzner || n.hetzner_addrs.empty()) return "hetzner: {addresses: [...]}";
  out.cidrs.unite(n.hetzner_addrs);
  return {};
}

// A network named by a rule: its native reference for this provider when
// it has one, else its addresses.
bool add_network(const ir::Ruleset& rs, Provider p, const std::string& name, const ir::Origin& o, Peers& out,
                 DiagnosticEngine& diags) {
  const ir::Network* n = nullptr;
  for (const auto& candidate : rs.networks)
    if (candidate.name == name) n = &candidate;
  if (!n) return true;
  std::string reference = add_native(*n, p, out);
  if (reference.empty()) return true;
  if (!n->addrs.empty()) {
    out.cidrs.unite(n->addrs);
    return true;
  }
  diags.error(code::target_limit, o.loc,
              o.label + ": network '" + name + "' has no representation on " + provider_title(p) +
                  ": it holds no addresses and has no " + provider_name(p) + " reference",
              "give '" + name + "' addresses, or " + reference);
  return false;
}

}  // namespace

std::optional<Peers> peers_of(const ir::Ruleset& rs, Provider p, const ir::Peer& peer, const ir::Origin& o,
                              DiagnosticEngine& diags) {
  Peers out;
  if (peer.networks.empty()) {
    out.cidrs = peer.addrs;
    return out;
  }
  bool ok = true;
  for (const auto& name : peer.networks) ok = add_network(rs, p, name, o, out, diags) && ok;
  out.cidrs.unite(peer.direct);
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace fwc::cloud::detail
