#include "backends/nftables/netlink/nl_foreign.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <unordered_map>

#include "backends/nftables/netlink/nl_internal.h"

namespace fwc::nft::netlink {

namespace {

using coexist::ForeignChain;

using AttrFn = std::function<void(const nlattr*)>;

// Attributes between `a` and `tail`, each checked against the bound.
void each_between(const nlattr* a, const char* tail, const AttrFn& f) {
  for (; mnl_attr_ok(a, static_cast<int>(tail - reinterpret_cast<const char*>(a))); a = mnl_attr_next(a)) f(a);
}
void each_attr(const nlmsghdr* nlh, const AttrFn& f) {
  each_between(static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg))),
               static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh)), f);
}
void each_nested(const nlattr* nest, const AttrFn& f) {
  each_between(static_cast<const nlattr*>(mnl_attr_get_payload(nest)),
               reinterpret_cast<const char*>(nest) + nest->nla_len, f);
}
std::string str_of(const nlattr* a) {
  return std::string(static_cast<const char*>(mnl_attr_get_payload(a)),
                     strnlen(static_cast<const char*>(mnl_attr_get_payload(a)), mnl_attr_get_payload_len(a)));
}
uint32_t u32_of(const nlattr* a) { return mnl_attr_get_payload_len(a) >= 4 ? ntohl(mnl_attr_get_u32(a)) : 0; }

std::string family_name(uint8_t f) {
  switch (f) {
    case NFPROTO_INET:
      return "inet";
    case NFPROTO_IPV4:
      return "ip";
    case NFPROTO_IPV6:
      return "ip6";
    case NFPROTO_ARP:
      return "arp";
    case NFPROTO_BRIDGE:
      return "bridge";
    case NFPROTO_NETDEV:
      return "netdev";
  }
  return "family " + std::to_string(f);
}

std::string hook_name(const std::string& family, uint32_t hook) {
  if (family == "netdev") return hook == 0 ? "ingress" : hook == 1 ? "egress" : std::to_string(hook);
  if (family == "arp") return hook == 0 ? "input" : hook == 1 ? "output" : hook == 2 ? "forward" : std::to_string(hook);
  static const char* const inet[] = {"prerouting", "input", "forward", "output", "postrouting", "ingress"};
  return hook < 6 ? inet[hook] : std::to_string(hook);
}

uint8_t family_of(const nlmsghdr* nlh) { return static_cast<const nfgenmsg*>(mnl_nlmsg_get_payload(nlh))->nfgen_family; }

bool is_fwc(const std::string& family, const std::string& table) { return family == "inet" && table == detail::kTable; }

void add_chain(coexist::ForeignRuleset& out, const nlmsghdr* nlh) {
  ForeignChain c;
  c.family = family_name(family_of(nlh));
  each_attr(nlh, [&](const nlattr* a) {
    switch (mnl_attr_get_type(a)) {
      case NFTA_CHAIN_TABLE:
        c.table = str_of(a);
        break;
      case NFTA_CHAIN_NAME:
        c.name = str_of(a);
        break;
      case NFTA_CHAIN_TYPE:
        c.type = str_of(a);
        break;
      case NFTA_CHAIN_POLICY:
        c.policy_drop = u32_of(a) == NF_DROP;
        break;
      case NFTA_CHAIN_HOOK:
        c.base = true;
        each_nested(a, [&](const nlattr* h) {
          if (mnl_attr_get_type(h) == NFTA_HOOK_HOOKNUM) c.hook = hook_name(c.family, u32_of(h));
          if (mnl_attr_get_type(h) == NFTA_HOOK_PRIORITY) c.priority = static_cast<int32_t>(u32_of(h));
        });
        break;
    }
  });
  if (!is_fwc(c.family, c.table)) out.chains.push_back(c);
}

// A rule's verdicts, jumps and address rewrites.
void read_expr(ForeignChain& c, const nlattr* expr) {
  std::string name;
  const nlattr* data = nullptr;
  each_nested(expr, [&](const nlattr* a) {
    if (mnl_attr_get_type(a) == NFTA_EXPR_NAME) name = str_of(a);
    if (mnl_attr_get_type(a) == NFTA_EXPR_DATA) data = a;
  });
  if (name == "reject") c.drops = true;
  if (name == "nat" || name == "masq" || name == "redir") c.nat = true;
  if (!data) return;
  if (name == "target")  // iptables-nft's x_tables targets
    each_nested(data, [&](const nlattr* a) {
      if (mnl_attr_get_type(a) != NFTA_TARGET_NAME) return;
      const std::string t = str_of(a);
      if (t == "REJECT") c.drops = true;
      if (t == "DNAT" || t == "SNAT" || t == "MASQUERADE" || t == "REDIRECT") c.nat = true;
    });
  if (name != "immediate") return;
  each_nested(data, [&](const nlattr* a) {
    if (mnl_attr_get_type(a) != NFTA_IMMEDIATE_DATA) return;
    each_nested(a, [&](const nlattr* d) {
      if (mnl_attr_get_type(d) != NFTA_DATA_VERDICT) return;
      int32_t code = 0;
      std::string target;
      each_nested(d, [&](const nlattr* v) {
        if (mnl_attr_get_type(v) == NFTA_VERDICT_CODE) code = static_cast<int32_t>(u32_of(v));
        if (mnl_attr_get_type(v) == NFTA_VERDICT_CHAIN) target = str_of(v);
      });
      if (code == NF_DROP) c.drops = true;
      if ((code == NFT_JUMP || code == NFT_GOTO) && !target.empty()) c.jumps.push_back(target);
    });
  });
}

// Chains by family, table and name (kube-proxy makes thousands).
using ChainIndex = std::unordered_map<std::string, size_t>;
std::string chain_key(const std::string& family, const std::string& table, const std::string& chain) {
  return family + '\0' + table + '\0' + chain;
}

void add_rule(coexist::ForeignRuleset& out, const ChainIndex& index, const nlmsghdr* nlh) {
  const std::string family = family_name(family_of(nlh));
  std::string table, chain;
  const nlattr* exprs = nullptr;
  each_attr(nlh, [&](const nlattr* a) {
    if (mnl_attr_get_type(a) == NFTA_RULE_TABLE) table = str_of(a);
    if (mnl_attr_get_type(a) == NFTA_RULE_CHAIN) chain = str_of(a);
    if (mnl_attr_get_type(a) == NFTA_RULE_EXPRESSIONS) exprs = a;
  });
  if (is_fwc(family, table)) return;
  auto at = index.find(chain_key(family, table, chain));
  if (at == index.end()) return;  // a chain added since the chain dump
  ForeignChain& c = out.chains[at->second];
  ++c.rules;
  if (exprs) each_nested(exprs, [&](const nlattr* e) { read_expr(c, e); });
}

void add_set(coexist::ForeignRuleset& out, const nlmsghdr* nlh) {
  coexist::ForeignSet s;
  s.family = family_name(family_of(nlh));
  each_attr(nlh, [&](const nlattr* a) {
    if (mnl_attr_get_type(a) == NFTA_SET_TABLE) s.table = str_of(a);
    if (mnl_attr_get_type(a) == NFTA_SET_NAME) s.name = str_of(a);
  });
  if (!is_fwc(s.family, s.table) && s.name.rfind("__", 0) != 0) out.sets.push_back(s);
}

// Whether a /proc/net/*_tables_names file lists a table.
bool lists_tables(const char* path) {
  std::ifstream f(path);
  std::string line;
  return static_cast<bool>(std::getline(f, line)) && !line.empty();
}

bool dump(Session& s, uint16_t type, const std::function<void(const nlmsghdr*)>& each, Outcome& err) {
  char buf[256];
  nlmsghdr* req = nftnl_nlmsg_build_hdr(buf, type, NFPROTO_UNSPEC, NLM_F_DUMP, 0);
  auto mine = [&](const nlmsghdr* nlh) {
    if ((nlh->nlmsg_type >> 8) == NFNL_SUBSYS_NFTABLES) each(nlh);
  };
  return s.request(req, mine, err);
}

}  // namespace

bool read_foreign(Session& s, coexist::ForeignRuleset& out, Outcome& err) {
  out = coexist::ForeignRuleset{};
  if (!dump(s, NFT_MSG_GETCHAIN, [&](const nlmsghdr* nlh) { add_chain(out, nlh); }, err)) return false;
  if (!dump(s, NFT_MSG_GETSET, [&](const nlmsghdr* nlh) { add_set(out, nlh); }, err)) return false;
  ChainIndex index;
  for (size_t i = 0; i < out.chains.size(); ++i)
    index.emplace(chain_key(out.chains[i].family, out.chains[i].table, out.chains[i].name), i);
  if (!dump(s, NFT_MSG_GETRULE, [&](const nlmsghdr* nlh) { add_rule(out, index, nlh); }, err)) return false;
  out.legacy_v4 = lists_tables("/proc/net/ip_tables_names");
  out.legacy_v6 = lists_tables("/proc/net/ip6_tables_names");
  return true;
}

}  // namespace fwc::nft::netlink
