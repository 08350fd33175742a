#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// What the cloud targets read beyond the rules: the policy's `cloud:`
// settings and each network's native references, resolved from the AST.
namespace fwc::ir {

// Names and attachments of the cloud firewall group (`cloud:`).
struct CloudSettings {
  bool present = false;
  std::string do_name;
  std::vector<std::string> do_tags;
  std::vector<int64_t> do_droplet_ids;
  std::string aws_vpc_id, aws_group_name, aws_description;
  std::string hetzner_name, hetzner_label_selector;
  std::vector<int64_t> hetzner_server_ids;
};

// A network as a provider names it natively (its Hetzner addresses are
// resolved into ir::Network::hetzner_addrs).
struct NativeRefs {
  std::vector<std::string> do_tags;
  std::vector<std::string> do_droplet_ids;
  std::optional<std::string> aws_security_group;
  bool has_hetzner = false;
};

}  // namespace fwc::ir
