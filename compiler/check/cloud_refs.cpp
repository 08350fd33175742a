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

ir::NativeRefs native_refs_of(const ast::NativeRefs& n) {
  ir::NativeRefs out;
  out.do_tags = values(n.do_tags);
  out.do_droplet_ids = values(n.do_droplet_ids);
  if (n.aws_security_group) out.aws_security_group = n.aws_security_group->value;
  out.has_hetzner = n.has_hetzner;
  return out;
}

}  // namespace fwc::check
