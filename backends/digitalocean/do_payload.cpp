#include <cstdlib>

#include "backends/digitalocean/do_backend.h"

namespace fwc::digitalocean {

namespace {

using nlohmann::ordered_json;

// Tags and droplet ids win over addresses for networks that have them;
// "0" stands for every port (and is what ICMP rules carry).
ordered_json peers_json(const cloud::Peers& p) {
  ordered_json out = ordered_json::object();
  auto addresses = cloud::cidr_texts(p.cidrs);
  if (!addresses.empty()) out["addresses"] = addresses;
  ordered_json tags = ordered_json::array(), droplets = ordered_json::array();
  for (const auto& ref : p.refs) {
    if (ref.kind == cloud::NativeRef::Kind::tag)
      tags.push_back(ref.value);
    else if (ref.kind == cloud::NativeRef::Kind::droplet)
      droplets.push_back(std::strtoll(ref.value.c_str(), nullptr, 10));
  }
  if (!tags.empty()) out["tags"] = tags;
  if (!droplets.empty()) out["droplet_ids"] = droplets;
  return out;
}

ordered_json rules_json(const std::vector<cloud::Rule>& rules, const char* peers_key) {
  ordered_json out = ordered_json::array();
  for (const auto& r : rules) {
    bool every_port = r.proto == cloud::Proto::icmp || r.all_ports();
    out.push_back({{"protocol", cloud::proto_name(r.proto)},
                   {"ports", every_port ? std::string("0") : cloud::port_text(r.ports)},
                   {peers_key, peers_json(r.peers)}});
  }
  return out;
}

}  // namespace

std::string payload(const cloud::Group& g) {
  ordered_json j;
  j["name"] = g.name;
  j["inbound_rules"] = rules_json(g.inbound, "sources");
  j["outbound_rules"] = rules_json(g.outbound, "destinations");
  if (!g.settings.do_droplet_ids.empty()) j["droplet_ids"] = g.settings.do_droplet_ids;
  if (!g.settings.do_tags.empty()) j["tags"] = g.settings.do_tags;
  return cloud::dump(j);
}

std::unique_ptr<backend::Backend> make_backend() {
  return cloud::make_backend(cloud::Provider::digitalocean, [](const cloud::Group& g) {
    return std::vector<backend::Artifact>{{"do.json", payload(g)}};
  });
}

}  // namespace fwc::digitalocean
