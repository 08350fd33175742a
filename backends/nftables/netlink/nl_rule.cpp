// One nft::Rule as kernel expressions, the bytecode nft itself generates for
// the same text (so that `nft list` prints both alike).
#include <arpa/inet.h>
#include <cstdio>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_synproxy.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>

#include <cstring>
#include <stdexcept>

#include "backends/nftables/netlink/nl_internal.h"

namespace fwc::nft::netlink::detail {

namespace {

// nft's datatype numbers for set keys.
constexpr uint32_t kTypeInetService = 13, kTypeIcmpType = 14, kTypeIcmp6Type = 29;
constexpr uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoIcmp6 = 58;

class Exprs {
 public:
  explicit Exprs(nftnl_rule* r) : r_(r) {}

  nftnl_expr* add(const char* name) {
    nftnl_expr* e = nftnl_expr_alloc(name);
    if (!e) throw std::runtime_error(std::string("libnftnl has no expression ") + name);
    nftnl_rule_add_expr(r_, e);
    return e;
  }
  void meta(uint32_t key) {
    nftnl_expr* e = add("meta");
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
  }
  void payload(uint32_t base, uint32_t offset, uint32_t len) {
    nftnl_expr* e = add("payload");
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
  }
  void cmp(uint32_t op, const void* data, uint32_t len) {
    nftnl_expr* e = add("cmp");
    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
    nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
  }
  void cmp_u8(uint8_t v) { cmp(NFT_CMP_EQ, &v, 1); }
  void bitwise(const void* mask, const void* xor_, uint32_t len) {
    nftnl_expr* e = add("bitwise");
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
    nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
    nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor_, len);
  }
  void lookup(const char* set, uint32_t id, bool negate = false) {
    nftnl_expr* e = add("lookup");
    nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
    nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
    nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
    if (negate) nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
  }
  void ct_state(uint32_t bits) {
    nftnl_expr* e = add("ct");
    nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
    nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
    uint32_t zero = 0;
    bitwise(&bits, &zero, 4);
    cmp(NFT_CMP_NEQ, &zero, 4);
  }

 private:
  nftnl_rule* r_;
};

uint8_t nfproto(net::Family f) { return f == net::Family::v4 ? NFPROTO_IPV4 : NFPROTO_IPV6; }

void put_be(uint8_t* out, net::Family f, net::u128 v) {
  unsigned n = f == net::Family::v4 ? 4 : 16;
  for (unsigned i = 0; i < n; ++i) out[n - 1 - i] = static_cast<uint8_t>(v >> (8 * i));
}


class RuleWriter {
 public:
  RuleWriter(nftnl_rule* r, RuleContext& ctx) : x_(r), ctx_(ctx) {}

  void write(const Rule& r) {
    if (r.not_dnat) not_dnat();
    if (r.ct_state) x_.ct_state(r.ct_state);
    if (!r.iif.empty()) interface(NFT_META_IIF, r.iif);
    if (!r.oif.empty()) interface(NFT_META_OIF, r.oif);
    if (r.icmp) icmp(*r.icmp);
    if (r.addr) addr(*r.addr);
    if (r.addr2) addr(*r.addr2);
    if (r.port) port(*r.port);
    if (r.tcp_syn) tcp_syn();
    if (r.ct_new) x_.ct_state(ct_new_bit);
    if (r.meter) meter(*r.meter);
    if (!r.limit_object.empty()) {
      nftnl_expr* e = x_.add("objref");
      nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_LIMIT);
      nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, r.limit_object.c_str());
    }
    if (r.limit) limit(x_.add("limit"), r.limit->rate, r.limit->burst ? r.limit->burst : 5, r.limit->over);
    x_.add("counter");
    if (r.notrack) x_.add("notrack");
    if (r.synproxy) synproxy();
    if (r.log) {
      nftnl_expr* e = x_.add("log");
      nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, r.log->prefix.c_str());
      nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_LEVEL, static_cast<uint32_t>(r.log->level));
    }
    verdict(r.verdict);
  }

 private:
  // The network-layer dependency (`meta nfproto`) once per rule.
  void need_family(net::Family f) {
    if (family_ && *family_ == f) return;
    x_.meta(NFT_META_NFPROTO);
    x_.cmp_u8(nfproto(f));
    family_ = f;
  }

  void interface(uint32_t key, const std::string& name) {
    unsigned idx = if_nametoindex(name.c_str());
    if (idx == 0) throw std::runtime_error("interface \"" + name + "\" does not exist here");
    x_.meta(key);
    uint32_t v = idx;
    x_.cmp(NFT_CMP_EQ, &v, 4);
  }

  void icmp(const IcmpMatch& m) {
    const bool v4 = m.family == net::Family::v4;
    if (!m.types.empty()) need_family(m.family);
    x_.meta(NFT_META_L4PROTO);
    x_.cmp_u8(v4 ? kProtoIcmp : kProtoIcmp6);
    if (!m.types.empty()) {
      x_.payload(NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1);
      if (m.types.size() == 1) {
        x_.cmp_u8(m.types[0]);
      } else {
        AnonSet s;
        s.key_type = v4 ? kTypeIcmpType : kTypeIcmp6Type;
        s.key_len = 1;
        for (uint8_t t : m.types) s.keys.push_back({t});
        anon_lookup(s);
      }
    }
    if (m.nd_hoplimit) {
      x_.payload(NFT_PAYLOAD_NETWORK_HEADER, 7, 1);
      x_.cmp_u8(255);
    }
  }

  void addr(const AddrMatch& m) {
    need_family(m.family);
    if (m.set.empty() && m.elems.empty()) return;
    const bool v4 = m.family == net::Family::v4;
    const uint32_t len = v4 ? 4 : 16;
    const uint32_t offset = v4 ? (m.daddr ? 16 : 12) : (m.daddr ? 24 : 8);
    if (!m.set.empty()) {
      x_.payload(NFT_PAYLOAD_NETWORK_HEADER, offset, len);
      x_.lookup(m.set.c_str(), set_id_of(ctx_, m.set), m.negate);
      return;
    }
    if (m.elems.size() == 1) {
      const net::Cidr& c = m.elems[0];
      uint32_t bytes = (c.len + 7) / 8;
      uint8_t value[16];
      put_be(value, m.family, c.addr);
      x_.payload(NFT_PAYLOAD_NETWORK_HEADER, offset, bytes);
      if (c.len % 8) {
        uint8_t mask[16], zero[16] = {};
        put_be(mask, m.family, net::family_max(m.family) & ~net::host_mask(m.family, c.len));
        x_.bitwise(mask, zero, bytes);
      }
      x_.cmp(NFT_CMP_EQ, value, bytes);
      return;
    }
    x_.payload(NFT_PAYLOAD_NETWORK_HEADER, offset, len);
    AnonSet s;
    s.key_type = v4 ? 7 : 8;
    s.key_len = len;
    for (const auto& c : m.elems)
      if (c.len != net::width(m.family)) s.interval = true;
    if (!s.interval) {
      for (const auto& c : m.elems) {
        std::vector<uint8_t> k(len);
        put_be(k.data(), m.family, c.addr);
        s.keys.push_back(std::move(k));
      }
    } else {
      // nft merges adjacent elements of an anonymous interval set.
      std::vector<std::pair<net::u128, net::u128>> ranges;
      for (const auto& c : m.elems) {
        net::u128 last = c.addr + net::host_mask(m.family, c.len);
        if (!ranges.empty() && ranges.back().second + 1 == c.addr) ranges.back().second = last;
        else ranges.emplace_back(c.addr, last);
      }
      for (const auto& [first, last] : ranges) {
        if (s.keys.empty() && first != 0) {
          s.keys.emplace_back(len, 0);
          s.ends.push_back(true);
        }
        std::vector<uint8_t> k(len);
        put_be(k.data(), m.family, first);
        s.keys.push_back(k);
        s.ends.push_back(false);
        if (last != net::family_max(m.family)) {
          put_be(k.data(), m.family, last + 1);
          s.keys.push_back(k);
          s.ends.push_back(true);
        }
      }
    }
    anon_lookup(s);
  }

  // `ct status & dnat == 0`
  void not_dnat() {
    nftnl_expr* e = x_.add("ct");
    nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATUS);
    nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
    uint32_t mask = IPS_DST_NAT, zero = 0;
    x_.bitwise(&mask, &zero, 4);
    x_.cmp(NFT_CMP_EQ, &zero, 4);
  }

  void port(const PortMatch& p) {
    x_.meta(NFT_META_L4PROTO);
    x_.cmp_u8(p.proto == net::Proto::tcp ? kProtoTcp : kProtoUdp);
    if (p.original) {
      nftnl_expr* e = x_.add("ct");
      nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_PROTO_DST);
      nftnl_expr_set_u8(e, NFTNL_EXPR_CT_DIR, 0);  // IP_CT_DIR_ORIGINAL
      nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
    } else {
      x_.payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
    }
    auto be16 = [](uint32_t v) { return htons(static_cast<uint16_t>(v)); };
    if (p.ports.size() == 1) {
      uint16_t lo = be16(p.ports[0].lo), hi = be16(p.ports[0].hi);
      if (p.ports[0].lo == p.ports[0].hi) {
        x_.cmp(NFT_CMP_EQ, &lo, 2);
      } else {
        x_.cmp(NFT_CMP_GTE, &lo, 2);
        x_.cmp(NFT_CMP_LTE, &hi, 2);
      }
      return;
    }
    AnonSet s;
    s.key_type = kTypeInetService;
    s.key_len = 2;
    for (const auto& r : p.ports)
      if (r.lo != r.hi) s.interval = true;
    auto key = [&](uint32_t v) {
      uint16_t b = be16(v);
      std::vector<uint8_t> k(2);
      std::memcpy(k.data(), &b, 2);
      return k;
    };
    std::vector<std::pair<uint32_t, uint32_t>> ranges;
    for (const auto& r : p.ports) {
      if (s.interval && !ranges.empty() && ranges.back().second + 1 == r.lo) ranges.back().second = r.hi;
      else ranges.emplace_back(r.lo, r.hi);
    }
    for (const auto& [lo, hi] : ranges) {
      if (s.interval && s.keys.empty() && lo != 0) {
        s.keys.push_back(key(0));
        s.ends.push_back(true);
      }
      s.keys.push_back(key(lo));
      s.ends.push_back(false);
      if (s.interval && hi != 65535) {
        s.keys.push_back(key(hi + 1));
        s.ends.push_back(true);
      }
    }
    anon_lookup(s);
  }

  // `tcp flags & (fin | syn | rst | ack) == syn`, after the port match's
  // `meta l4proto tcp`.
  void tcp_syn() {
    constexpr uint8_t kFinSynRstAck = 0x17, kSyn = 0x02, kZero = 0;
    x_.payload(NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1);
    x_.bitwise(&kFinSynRstAck, &kZero, 1);
    x_.cmp_u8(kSyn);
  }

  void synproxy() {
    nftnl_expr* e = x_.add("synproxy");
    nftnl_expr_set_u16(e, NFTNL_EXPR_SYNPROXY_MSS, kSynproxyMss);
    nftnl_expr_set_u8(e, NFTNL_EXPR_SYNPROXY_WSCALE, kSynproxyWscale);
    nftnl_expr_set_u32(e, NFTNL_EXPR_SYNPROXY_FLAGS,
                       NF_SYNPROXY_OPT_MSS | NF_SYNPROXY_OPT_WSCALE | NF_SYNPROXY_OPT_TIMESTAMP |
                           NF_SYNPROXY_OPT_SACK_PERM);
  }

  void meter(const MeterStmt& m) {
    const bool v4 = m.family == net::Family::v4;
    need_family(m.family);
    x_.payload(NFT_PAYLOAD_NETWORK_HEADER, v4 ? 12 : 8, v4 ? 4 : 16);
    nftnl_expr* d = x_.add("dynset");
    nftnl_expr_set_u32(d, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
    nftnl_expr_set_u32(d, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_ADD);
    nftnl_expr_set_str(d, NFTNL_EXPR_DYNSET_SET_NAME, m.set.c_str());
    nftnl_expr_set_u32(d, NFTNL_EXPR_DYNSET_SET_ID, set_id_of(ctx_, m.set));
    if (m.connections) {
      nftnl_expr* c = nftnl_expr_alloc("connlimit");
      nftnl_expr_set_u32(c, NFTNL_EXPR_CONNLIMIT_COUNT, m.connections);
      nftnl_expr_set_u32(c, NFTNL_EXPR_CONNLIMIT_FLAGS, NFT_CONNLIMIT_F_INV);
      nftnl_expr_set(d, NFTNL_EXPR_DYNSET_EXPR, c, 0);
      return;
    }
    nftnl_expr* l = nftnl_expr_alloc("limit");
    limit(l, m.rate, m.burst, true);
    nftnl_expr_set(d, NFTNL_EXPR_DYNSET_EXPR, l, 0);
  }

  void limit(nftnl_expr* e, const ir::Rate& rate, uint32_t burst, bool over) {
    nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, rate.count);
    nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, rate.unit_seconds());
    nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, burst);
    nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
    nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, over ? NFT_LIMIT_F_INV : 0);
  }

  void verdict(Verdict v) {
    if (v == Verdict::none) return;
    if (v == Verdict::reject) {
      nftnl_expr* e = x_.add("reject");
      if (family_) {
        nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_ICMP_UNREACH);
        nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, *family_ == net::Family::v4 ? 3 : 4);  // port unreachable
      } else {
        nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_ICMPX_UNREACH);
        nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, NFT_REJECT_ICMPX_PORT_UNREACH);
      }
      return;
    }
    nftnl_expr* e = x_.add("immediate");
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, v == Verdict::accept ? NF_ACCEPT : NF_DROP);
  }

  void anon_lookup(AnonSet& s) {
    s.id = ctx_.next_set_id++;
    add_anon_set(ctx_.batch, s, ctx_.what);
    x_.lookup("__set%d", s.id);
  }

  Exprs x_;
  RuleContext& ctx_;
  std::optional<net::Family> family_;
};

}  // namespace

void add_rule_exprs(nftnl_rule* r, const Rule& rule, RuleContext& ctx) {
  RuleWriter w(r, ctx);
  w.write(rule);
}

}  // namespace fwc::nft::netlink::detail
