#include "backends/common/escape.h"
#include "backends/hetzner/hetzner_backend.h"

namespace fwc::hetzner {

namespace {

using nlohmann::ordered_json;

constexpr size_t kDescriptionMax = 255;

std::string description(const cloud::Rule& r) {
  return escape::cloud_text(r.labels(), escape::kPrintablePunctuation, ' ', kDescriptionMax);
}

// Hetzner firewalls have no self-reference: every peer is a CIDR (a
// network's `hetzner: {addresses}` when it has them). Ports only for tcp
// and udp.
void add_rules(ordered_json& out, const std::vector<cloud::Rule>& rules, bool outbound) {
  for (const auto& r : rules) {
    ordered_json rule;
    rule["direction"] = outbound ? "out" : "in";
    rule["protocol"] = cloud::proto_name(r.proto);
    if (r.proto == cloud::Proto::tcp || r.proto == cloud::Proto::udp)
      rule["port"] = cloud::port_text(r.ports);
    rule[outbound ? "destination_ips" : "source_ips"] = cloud::cidr_texts(r.peers.cidrs);
    rule["description"] = description(r);
    out.push_back(std::move(rule));
  }
}

}  // namespace

std::string payload(const cloud::Group& g) {
  ordered_json j;
  j["name"] = g.name;
  ordered_json rules = ordered_json::array();
  add_rules(rules, g.inbound, false);
  // No outbound rule lets everything out; once there is one, only what the
  // outbound rules allow leaves.
  if (!g.outbound_open) add_rules(rules, g.outbound, true);
  j["rules"] = rules;
  ordered_json apply = ordered_json::array();
  if (!g.settings.hetzner_label_selector.empty())
    apply.push_back(
        {{"type", "label_selector"}, {"label_selector", {{"selector", g.settings.hetzner_label_selector}}}});
  for (int64_t id : g.settings.hetzner_server_ids)
    apply.push_back({{"type", "server"}, {"server", {{"id", id}}}});
  if (!apply.empty()) j["apply_to"] = apply;
  return cloud::dump(j);
}

std::unique_ptr<backend::Backend> make_backend() {
  return cloud::make_backend(cloud::Provider::hetzner, [](const cloud::Group& g) {
    return std::vector<backend::Artifact>{{"hetzner.json", payload(g)}};
  });
}

}  // namespace fwc::hetzner
