#include <cctype>

#include "backends/aws/aws_backend.h"
#include "backends/common/naming.h"

namespace fwc::aws {

namespace {

using nlohmann::ordered_json;

}  // namespace

std::string placeholder(const std::string& group) {
  std::string var = "SG_" + naming::sanitize(group);
  for (char& c : var) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "${" + var + "}";
}

std::string create_payload(const cloud::Group& g) {
  ordered_json j;
  j["GroupName"] = g.name;
  std::string description = g.settings.aws_description;
  if (description.empty()) description = "fwc policy " + g.policy_name + ", " + g.selection;
  j["Description"] = description_text(description);
  if (!g.settings.aws_vpc_id.empty()) j["VpcId"] = g.settings.aws_vpc_id;
  j["TagSpecifications"] =
      ordered_json::array({{{"ResourceType", "security-group"},
                            {"Tags", ordered_json::array({{{"Key", "Name"}, {"Value", g.name}}})}}});
  return cloud::dump(j);
}

// create-security-group always; the other steps only when they carry rules.
static std::vector<backend::Artifact> artifacts(const cloud::Group& g) {
  std::vector<backend::Artifact> out{{"aws-create.json", create_payload(g)}};
  auto add = [&](const char* suffix, std::string text) {
    if (!text.empty()) out.push_back({suffix, std::move(text)});
  };
  add("aws-revoke-egress.json", revoke_egress_payload(g));
  add("aws-ingress.json", ingress_payload(g));
  add("aws-egress.json", egress_payload(g));
  return out;
}

std::unique_ptr<backend::Backend> make_backend() {
  return cloud::make_backend(cloud::Provider::aws, &artifacts);
}

}  // namespace fwc::aws
