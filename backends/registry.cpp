#include "backends/backend.h"
#include "backends/aws/aws_backend.h"
#include "backends/digitalocean/do_backend.h"
#include "backends/hetzner/hetzner_backend.h"
#include "backends/firewalld/firewalld_backend.h"
#include "backends/iptables/ipt_backend.h"
#include "backends/nftables/nft_backend.h"
#include "backends/ufw/ufw_backend.h"

namespace fwc::backend {

const std::vector<BackendInfo>& registry() {
  static const std::vector<BackendInfo> targets = {
      {"nftables", "one 'table inet fwc' script for nft -f, replaced atomically", &nft::make_backend},
      {"iptables", "iptables-restore and ip6tables-restore files for fwc's own chains, and an ipset restore file",
       &ipt::make_backend},
      {"firewalld", "a firewall-offline-cmd script: zone fwc, ipsets fwc-*, rich rules in evaluation order",
       &firewalld::make_backend},
      {"ufw", "a shell script of ufw commands: defaults, rules in evaluation order, comments", &ufw::make_backend},
      {"digitalocean", "the POST /v2/firewalls body per node or role (tags and droplet ids from cloud:)",
       &digitalocean::make_backend, true},
      {"aws", "aws ec2 --cli-input-json files per security group: create, revoke default egress, ingress, egress",
       &aws::make_backend, true},
      {"hetzner", "the POST /v1/firewalls body per node or role, with apply_to from cloud:", &hetzner::make_backend, true},
  };
  return targets;
}

const BackendInfo* find_backend(std::string_view name) {
  for (const auto& b : registry())
    if (name == b.name) return &b;
  return nullptr;
}

}  // namespace fwc::backend
