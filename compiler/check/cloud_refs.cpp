#include "compiler/check/cloud_refs.h"

namespace fwc::check {

namespace {

std::vector<std::string> values(const std::vector<ast::Text>& items) {
  std::vector<std::string> out;
  out.reserve(items.size());
  for (const auto& t : items) out.push_back(t.value);
  return out;
}

}  // namespace

ir::CloudSettings cloud_settings_of(const ast::CloudSettings& c) {
  ir::CloudSettings out;
  out.present = c.present;
  out.do_name = c.do_name;
  out.do_tags = c.do_tags;
  out.do_droplet_ids = c.do_droplet_ids;
  out.aws_vpc_id = c.aws_vpc_id;
  out.aws_group_name = c.aws_group_name;
  out.aws_description = c.aws_description;
  out.hetzner_name = c.hetzner_name;
  out.hetzner_label_selector = c.hetzner_label_selector;
  out.hetzner_server_ids = c.hetzner_server_ids;
  return out;
}

ir::NativeRefs native_refs_of(const ast::NativeRefs& n) {
  ir::NativeRefs out;
  out.do_tags = values(n.do_tags);
  out.do_droplet_ids = values(n.do_droplet_ids);
  if (n.aws_security_group) out.aws_security_group = n.aws_security_group->value;
  out.has_hetzner = n.has_hetzner;
  return out;
}

}  // namespace fwc::check
