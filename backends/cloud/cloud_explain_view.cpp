// The cloud view of `explain --target`: what the group's payload implies
// (cloud firewalls only allow; a packet no payload rule admits is dropped).
#include <nlohmann/json.hpp>

#include "backends/cloud/cloud_model.h"
#include "backends/explain_view.h"
#include "compiler/diag/printable.h"

namespace fwc::cloud {

namespace {

class CloudExplainView final : public backend::ExplainView {
 public:
  explicit CloudExplainView(Group g) : g_(std::move(g)) {}
  std::string text(const eval::Packet& pkt) const override;
  std::string json(const eval::Packet& pkt) const override;

 private:
  ir::Origin origin(const Decision& d) const {
    if (d.rule) return d.rule->origins.front();
    return {std::string(provider_name(g_.provider)) + " default", {}, {}, {}};
  }
  Group g_;
};

std::string CloudExplainView::text(const eval::Packet& pkt) const {
  const Decision d = explain(g_, pkt);
  const ir::Origin o = origin(d);
  std::string out = backend::verdict_line(d.verdict, o);
  out += "  evaluated for " + printable(g_.selection) + " on " + provider_name(g_.provider) + ", group " +
         printable(g_.name) + "; stage: " + (d.rule ? "allow" : "default") + "\n";
  if (!d.rule)
    return out + "  no payload rule admits the packet: cloud firewalls drop what they do not allow\n";
  if (!o.comment.empty()) out += "  comment: " + printable(o.comment) + "\n";
  out += "  payload rule: inbound " + printable(d.rule->what()) + ", admitting " + printable(d.via) + "\n";
  if (d.assumed)
    out += "  the provider decides " + printable(d.via) +
           " by membership; explain takes the addresses of network '" + printable(d.network) +
           "' as its members\n";
  for (size_t i = 1; i < d.rule->origins.size(); ++i) out += backend::also_allowed_line(d.rule->origins[i]);
  return out;
}

std::string CloudExplainView::json(const eval::Packet& pkt) const {
  const Decision d = explain(g_, pkt);
  const ir::Origin o = origin(d);
  nlohmann::json out = {{"verdict", ir::verdict_name(d.verdict)},
                        {"rate_limited", false},
                        {"rule", o.label},
                        {"stage", d.rule ? "allow" : "default"},
                        {"location", backend::location(o)},
                        {"logged", false},
                        {"selection", g_.selection},
                        {"meters", nlohmann::json::array()},
                        {"target", provider_name(g_.provider)},
                        {"group", g_.name},
                        {"payload_rule", d.rule ? "inbound " + d.rule->what() : std::string()},
                        {"via", d.via}};
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace

std::unique_ptr<backend::ExplainView> make_explain_view(Group g) {
  return std::make_unique<CloudExplainView>(std::move(g));
}

}  // namespace fwc::cloud
