#include "backends/nftables/netlink/nl_foreign_rules.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <cstring>
#include <functional>
#include <string>

namespace fwc::nft::netlink {

namespace {

using coexist::SimpleRule;
using AttrFn = std::function<void(const nlattr*)>;

void each_between(const nlattr* a, const char* tail, const AttrFn& f) {
  for (; mnl_attr_ok(a, static_cast<int>(tail - reinterpret_cast<const char*>(a))); a = mnl_attr_next(a)) f(a);
}
void each_nested(const nlattr* nest, const AttrFn& f) {
  each_between(static_cast<const nlattr*>(mnl_attr_get_payload(nest)),
               reinterpret_cast<const char*>(nest) + nest->nla_len, f);
}
uint32_t u32_of(const nlattr* a) { return mnl_attr_get_payload_len(a) >= 4 ? ntohl(mnl_attr_get_u32(a)) : 0; }

// What the last load put in a register (one rule compares what it loaded
// just before; registers are not tracked further).
enum class Load { none, nfproto, l4proto, saddr4, saddr6, dport };

struct RuleReader {
  SimpleRule rule;
  Load load = Load::none;
  bool ok = true;

  void meta(const nlattr* data) {
    uint32_t key = ~0U;
    each_nested(data, [&](const nlattr* a) {
      if (mnl_attr_get_type(a) == NFTA_META_KEY) key = u32_of(a);
    });
    load = key == NFT_META_NFPROTO ? Load::nfproto : key == NFT_META_L4PROTO ? Load::l4proto : Load::none;
    ok = ok && load != Load::none;
  }
  void payload(const nlattr* data) {
    uint32_t base = 0, offset = 0, len = 0;
    each_nested(data, [&](const nlattr* a) {
      if (mnl_attr_get_type(a) == NFTA_PAYLOAD_BASE) base = u32_of(a);
      if (mnl_attr_get_type(a) == NFTA_PAYLOAD_OFFSET) offset = u32_of(a);
      if (mnl_attr_get_type(a) == NFTA_PAYLOAD_LEN) len = u32_of(a);
    });
    load = Load::none;
    if (base == NFT_PAYLOAD_NETWORK_HEADER && offset == 12 && len == 4) load = Load::saddr4;
    if (base == NFT_PAYLOAD_NETWORK_HEADER && offset == 8 && len == 16) load = Load::saddr6;
    if (base == NFT_PAYLOAD_TRANSPORT_HEADER && offset == 2 && len == 2) load = Load::dport;
    ok = ok && load != Load::none;
  }
  void cmp(const nlattr* data) {
    uint32_t op = ~0U;
    std::string value;
    each_nested(data, [&](const nlattr* a) {
      if (mnl_attr_get_type(a) == NFTA_CMP_OP) op = u32_of(a);
      if (mnl_attr_get_type(a) == NFTA_CMP_DATA)
        each_nested(a, [&](const nlattr* v) {
          if (mnl_attr_get_type(v) == NFTA_DATA_VALUE)
            value.assign(static_cast<const char*>(mnl_attr_get_payload(v)), mnl_attr_get_payload_len(v));
        });
    });
    if (op != NFT_CMP_EQ) ok = false;
    compare(value);
    load = Load::none;
  }
  void compare(const std::string& v) {
    auto byte = [&](size_t i) { return static_cast<uint8_t>(v[i]); };
    if (load == Load::nfproto && v.size() == 1 && (byte(0) == NFPROTO_IPV4 || byte(0) == NFPROTO_IPV6))
      rule.family = byte(0) == NFPROTO_IPV4 ? net::Family::v4 : net::Family::v6;
    else if (load == Load::l4proto && v.size() == 1)
      rule.l4proto = byte(0);
    else if (load == Load::dport && v.size() == 2)
      rule.dport = static_cast<uint16_t>(byte(0) << 8 | byte(1));
    else if ((load == Load::saddr4 && v.size() == 4) || (load == Load::saddr6 && v.size() == 16)) {
      net::Address a;
      a.family = v.size() == 4 ? net::Family::v4 : net::Family::v6;
      for (size_t i = 0; i < v.size(); ++i) a.value = a.value << 8 | byte(i);
      rule.saddr = a;
    } else
      ok = false;
  }
  void immediate(const nlattr* data) {
    int32_t code = 1;
    bool verdict = false;
    each_nested(data, [&](const nlattr* a) {
      if (mnl_attr_get_type(a) != NFTA_IMMEDIATE_DATA) return;
      each_nested(a, [&](const nlattr* d) {
        if (mnl_attr_get_type(d) != NFTA_DATA_VERDICT) return;
        verdict = true;
        each_nested(d, [&](const nlattr* c) {
          if (mnl_attr_get_type(c) == NFTA_VERDICT_CODE) code = static_cast<int32_t>(u32_of(c));
        });
      });
    });
    if (verdict && code == NF_ACCEPT) rule.verdict = SimpleRule::Verdict::accept;
    else if (verdict && code == NF_DROP) rule.verdict = SimpleRule::Verdict::drop;
    else ok = false;
  }
  void expr(const nlattr* e) {
    std::string name;
    const nlattr* data = nullptr;
    each_nested(e, [&](const nlattr* a) {
      if (mnl_attr_get_type(a) == NFTA_EXPR_NAME) name = mnl_attr_get_str(a);
      if (mnl_attr_get_type(a) == NFTA_EXPR_DATA) data = a;
    });
    if (name == "counter") return;
    if (name == "reject") {
      rule.verdict = SimpleRule::Verdict::reject;
      return;
    }
    const bool known = data && (name == "meta" || name == "payload" || name == "cmp" || name == "immediate");
    if (!known) {
      ok = false;
      return;
    }
    if (name == "meta") meta(data);
    if (name == "payload") payload(data);
    if (name == "cmp") cmp(data);
    if (name == "immediate") immediate(data);
  }
};

}  // namespace

bool read_simple_rules(Session& s, const coexist::ForeignChain& c, std::vector<SimpleRule>& out, bool& modelled,
                       Outcome& err) {
  out.clear();
  modelled = true;
  const uint8_t family = c.family == "inet" ? NFPROTO_INET : c.family == "ip" ? NFPROTO_IPV4 : NFPROTO_IPV6;
  char buf[1024];
  nlmsghdr* req = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, family, NLM_F_DUMP, 0);
  mnl_attr_put_strz(req, NFTA_RULE_TABLE, c.table.c_str());
  mnl_attr_put_strz(req, NFTA_RULE_CHAIN, c.name.c_str());
  auto each = [&](const nlmsghdr* nlh) {
    if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES || (nlh->nlmsg_type & 0xff) != NFT_MSG_NEWRULE) return;
    RuleReader r;
    each_between(static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg))),
                 static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh)), [&](const nlattr* a) {
                   if (mnl_attr_get_type(a) == NFTA_RULE_EXPRESSIONS) each_nested(a, [&](const nlattr* e) { r.expr(e); });
                 });
    modelled = modelled && r.ok;
    out.push_back(r.rule);
  };
  return s.request(req, each, err);
}

}  // namespace fwc::nft::netlink
