#include "backends/nftables/netlink/nl_batch.h"

#include <arpa/inet.h>
#include <cstdio>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <cstring>
#include <memory>
#include <stdexcept>

#include "backends/nftables/netlink/nl_internal.h"

namespace fwc::nft::netlink {

using detail::kTable;

// One message at most this large, elements aside (rules, sets, chains).
constexpr size_t kMaxMessage = size_t{64} * 1024;
// Element lists are a nest with a 16-bit length: stay well below it.
constexpr size_t kElementBytes = 60000;

char* Batch::reserve(size_t max) {
  if (!started_) {
    first_seq_ = next_seq_;
    started_ = true;
  }
  if (buf_.size() < len_ + max) {
    if (buf_.capacity() < len_ + max) buf_.reserve(std::max(buf_.capacity() * 2, len_ + max));
    buf_.resize(buf_.capacity());
  }
  std::memset(buf_.data() + len_, 0, max < 256 ? max : 256);
  return buf_.data() + len_;
}

void Batch::finish(const std::string& what) {
  auto* nlh = reinterpret_cast<nlmsghdr*>(buf_.data() + len_);
  len_ += NLMSG_ALIGN(nlh->nlmsg_len);
  what_.push_back(what);
  ++next_seq_;
}

std::string Batch::describe(uint32_t seq) const {
  if (!started_ || seq < first_seq_ || seq - first_seq_ >= what_.size()) return "";
  return what_[seq - first_seq_];
}

namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const { Free(p); }
};
using TablePtr = std::unique_ptr<nftnl_table, Deleter<nftnl_table_free>>;
using ChainPtr = std::unique_ptr<nftnl_chain, Deleter<nftnl_chain_free>>;
using SetPtr = std::unique_ptr<nftnl_set, Deleter<nftnl_set_free>>;
using RulePtr = std::unique_ptr<nftnl_rule, Deleter<nftnl_rule_free>>;
using ObjPtr = std::unique_ptr<nftnl_obj, Deleter<nftnl_obj_free>>;
using UdataPtr = std::unique_ptr<nftnl_udata_buf, Deleter<nftnl_udata_buf_free>>;

nlmsghdr* header(Batch& b, uint16_t type, uint16_t flags, size_t max = kMaxMessage) {
  return nftnl_nlmsg_build_hdr(b.reserve(max), type, NFPROTO_INET, flags, b.next_seq());
}

void batch_begin(Batch& b, const BuildOptions& o) {
  char* buf = b.reserve(256);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = NFNL_MSG_BATCH_BEGIN;
  nlh->nlmsg_flags = NLM_F_REQUEST;
  nlh->nlmsg_seq = b.next_seq();
  auto* nfg = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
  nfg->nfgen_family = AF_UNSPEC;
  nfg->version = NFNETLINK_V0;
  nfg->res_id = htons(NFNL_SUBSYS_NFTABLES);
  if (o.genid) mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(*o.genid));
  b.finish("batch begin");
}

void batch_end(Batch& b) {
  char* buf = b.reserve(256);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = NFNL_MSG_BATCH_END;
  nlh->nlmsg_flags = NLM_F_REQUEST;
  nlh->nlmsg_seq = b.next_seq();
  auto* nfg = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
  nfg->nfgen_family = AF_UNSPEC;
  nfg->version = NFNETLINK_V0;
  nfg->res_id = htons(NFNL_SUBSYS_NFTABLES);
  b.finish("batch end");
}

void table_msg(Batch& b, uint16_t type, uint16_t flags, const std::string& what) {
  TablePtr t(nftnl_table_alloc());
  nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, kTable);
  nftnl_table_set_u32(t.get(), NFTNL_TABLE_FAMILY, NFPROTO_INET);
  nftnl_table_nlmsg_build_payload(header(b, type, flags), t.get());
  b.finish(what);
}

// nft's `priority raw`: before connection tracking (NF_IP_PRI_RAW).
constexpr int32_t kPriorityRaw = -300;

uint32_t hook_of(const std::string& chain) {
  if (chain == "output") return NF_INET_LOCAL_OUT;
  if (chain == "forward") return NF_INET_FORWARD;
  if (chain == "prerouting") return NF_INET_PRE_ROUTING;
  return NF_INET_LOCAL_IN;
}

void chain_msg(Batch& b, const Chain& c) {
  ChainPtr ch(nftnl_chain_alloc());
  nftnl_chain_set_str(ch.get(), NFTNL_CHAIN_TABLE, kTable);
  nftnl_chain_set_str(ch.get(), NFTNL_CHAIN_NAME, c.name.c_str());
  nftnl_chain_set_u32(ch.get(), NFTNL_CHAIN_FAMILY, NFPROTO_INET);
  nftnl_chain_set_u32(ch.get(), NFTNL_CHAIN_HOOKNUM, hook_of(nft::hook_of(c)));
  nftnl_chain_set_s32(ch.get(), NFTNL_CHAIN_PRIO, c.raw ? kPriorityRaw : c.priority);
  nftnl_chain_set_str(ch.get(), NFTNL_CHAIN_TYPE, "filter");
  nftnl_chain_set_u32(ch.get(), NFTNL_CHAIN_POLICY, c.policy == Verdict::accept ? NF_ACCEPT : NF_DROP);
  nftnl_chain_nlmsg_build_payload(header(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE), ch.get());
  b.finish("chain " + c.name);
}

// nft keeps a set's key byte order and comment in its user data.
void set_userdata(nftnl_set* s, const std::string& comment, const std::string& digest = "") {
  UdataPtr ud(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));
  nftnl_udata_put_u32(ud.get(), NFTNL_UDATA_SET_KEYBYTEORDER, 2 /* big endian */);
  if (!comment.empty()) nftnl_udata_put_strz(ud.get(), NFTNL_UDATA_SET_COMMENT, comment.c_str());
  if (!digest.empty()) nftnl_udata_put_strz(ud.get(), kUdataDigest, digest.c_str());
  nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud.get()), nftnl_udata_buf_len(ud.get()));
}

uint64_t timeout_ms(const std::string& t) {
  uint64_t n = std::stoull(t);
  switch (t.back()) {
    case 's': return n * 1000;
    case 'm': return n * 60 * 1000;
    case 'h': return n * 3600 * 1000;
    case 'd': return n * 86400 * 1000;
  }
  return n * 1000;
}

void set_msg(Batch& b, const Set& s, uint32_t id) {
  SetPtr ns(nftnl_set_alloc());
  const bool v4 = s.family == net::Family::v4;
  nftnl_set_set_str(ns.get(), NFTNL_SET_TABLE, kTable);
  nftnl_set_set_str(ns.get(), NFTNL_SET_NAME, s.name.c_str());
  nftnl_set_set_u32(ns.get(), NFTNL_SET_FAMILY, NFPROTO_INET);
  nftnl_set_set_u32(ns.get(), NFTNL_SET_KEY_TYPE, v4 ? 7 : 8);  // ipv4_addr, ipv6_addr
  nftnl_set_set_u32(ns.get(), NFTNL_SET_KEY_LEN, v4 ? 4 : 16);
  nftnl_set_set_u32(ns.get(), NFTNL_SET_ID, id);
  if (s.meter && s.timeout.empty()) {  // a connection count: conntrack ends its entries
    nftnl_set_set_u32(ns.get(), NFTNL_SET_FLAGS, NFT_SET_EVAL);
    nftnl_set_set_u32(ns.get(), NFTNL_SET_DESC_SIZE, 65535);
  } else if (s.meter) {
    nftnl_set_set_u32(ns.get(), NFTNL_SET_FLAGS, NFT_SET_TIMEOUT | NFT_SET_EVAL);
    nftnl_set_set_u64(ns.get(), NFTNL_SET_TIMEOUT, timeout_ms(s.timeout));
    nftnl_set_set_u32(ns.get(), NFTNL_SET_DESC_SIZE, 65535);
  } else if (s.live) {
    nftnl_set_set_u32(ns.get(), NFTNL_SET_FLAGS, NFT_SET_INTERVAL | NFT_SET_TIMEOUT);
    if (!s.timeout.empty()) nftnl_set_set_u64(ns.get(), NFTNL_SET_TIMEOUT, timeout_ms(s.timeout));
    nftnl_set_set_u32(ns.get(), NFTNL_SET_DESC_SIZE, static_cast<uint32_t>(s.size));
  } else {
    nftnl_set_set_u32(ns.get(), NFTNL_SET_FLAGS, NFT_SET_INTERVAL);
  }
  set_userdata(ns.get(), s.comment, s.meter || s.live ? "" : set_digest(s));
  nftnl_set_nlmsg_build_payload(header(b, NFT_MSG_NEWSET, NLM_F_CREATE), ns.get());
  b.finish("set " + s.name);
}

char* put_attr_header(char* p, size_t len, uint16_t type) {
  nlattr a;
  a.nla_len = static_cast<uint16_t>(len);
  a.nla_type = type;
  std::memcpy(p, &a, sizeof a);
  return p + MNL_ATTR_HDRLEN;
}

// Writes elements into NEWSETELEM messages of at most kElementBytes each.
class ElementWriter {
 public:
  ElementWriter(Batch& b, std::string set, uint32_t id, std::string what)
      : b_(b), set_(std::move(set)), id_(id), what_(std::move(what)) {}
  ~ElementWriter() { flush(); }
  // A group of elements that stays in one message (both ends of an interval).
  void add_group(const uint8_t* const* keys, const bool* ends, size_t n, uint32_t key_len) {
    size_t need = n * (32 + key_len);
    if (nlh_ && used() + need > kElementBytes) flush();
    if (!nlh_) open();
    // The attributes libmnl's nest/put calls would write, laid out directly
    // (a million-entry set is two million of these).
    char* p = static_cast<char*>(mnl_nlmsg_get_payload_tail(nlh_));
    char* const begin = p;
    const uint32_t padded = MNL_ALIGN(key_len);  // ports are 2 bytes: padded to 4
    const uint16_t value_len = static_cast<uint16_t>(MNL_ATTR_HDRLEN + padded);
    for (size_t i = 0; i < n; ++i) {
      const uint16_t flags_len = ends[i] ? MNL_ATTR_HDRLEN + 4 : 0;
      p = put_attr_header(p, MNL_ATTR_HDRLEN + flags_len + MNL_ATTR_HDRLEN + value_len, NLA_F_NESTED | NFTA_LIST_ELEM);
      if (ends[i]) {
        p = put_attr_header(p, flags_len, NFTA_SET_ELEM_FLAGS);
        const uint32_t flag = htonl(NFT_SET_ELEM_INTERVAL_END);
        std::memcpy(p, &flag, 4);
        p += 4;
      }
      p = put_attr_header(p, MNL_ATTR_HDRLEN + value_len, NLA_F_NESTED | NFTA_SET_ELEM_KEY);
      p = put_attr_header(p, MNL_ATTR_HDRLEN + key_len, NFTA_DATA_VALUE);
      std::memset(p, 0, padded);
      std::memcpy(p, keys[i], key_len);
      p += padded;
    }
    nlh_->nlmsg_len += static_cast<uint32_t>(p - begin);
    count_ += n;
  }
  void flush() {
    if (!nlh_) return;
    mnl_attr_nest_end(nlh_, list_);
    b_.finish(what_ + " (" + std::to_string(first_) + "-" + std::to_string(first_ + count_ - 1) + ")");
    first_ += count_;
    count_ = 0;
    nlh_ = nullptr;
  }

 private:
  size_t used() const { return reinterpret_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh_)) -
                               reinterpret_cast<const char*>(list_); }
  void open() {
    nlh_ = header(b_, NFT_MSG_NEWSETELEM, NLM_F_CREATE, kElementBytes + 4096);
    mnl_attr_put_strz(nlh_, NFTA_SET_ELEM_LIST_TABLE, kTable);
    mnl_attr_put_strz(nlh_, NFTA_SET_ELEM_LIST_SET, set_.c_str());
    mnl_attr_put_u32(nlh_, NFTA_SET_ELEM_LIST_SET_ID, htonl(id_));
    list_ = mnl_attr_nest_start(nlh_, NFTA_SET_ELEM_LIST_ELEMENTS);
  }
  Batch& b_;
  std::string set_;
  uint32_t id_;
  std::string what_;
  nlmsghdr* nlh_ = nullptr;
  nlattr* list_ = nullptr;
  size_t first_ = 1, count_ = 0;
};

void put_be(uint8_t* out, net::Family f, net::u128 v) {
  unsigned n = f == net::Family::v4 ? 4 : 16;
  for (unsigned i = 0; i < n; ++i) out[n - 1 - i] = static_cast<uint8_t>(v >> (8 * i));
}

// Each CIDR is its own interval, as nft loads it: start, then the address
// after its end flagged as an interval end (none when it reaches the top of
// the address space). An interval end at zero leads when the first CIDR
// does not start there.
void interval_elements(Batch& b, const Set& s, uint32_t id) {
  const net::Family f = s.family;
  const uint32_t key_len = f == net::Family::v4 ? 4 : 16;
  ElementWriter w(b, s.name, id, "elements of set " + s.name);
  uint8_t start[16], end[16];
  const uint8_t* keys[2] = {start, end};
  bool first = true;
  std::vector<net::Cidr> chunk;
  for (const auto& iv : s.addrs.intervals(f)) {
    chunk.clear();
    net::interval_to_cidrs(f, iv, chunk);
    for (const auto& c : chunk) {
      if (first && c.addr != 0) {
        std::memset(start, 0, sizeof start);
        const bool flag[1] = {true};
        w.add_group(keys, flag, 1, key_len);
      }
      first = false;
      net::u128 size = net::host_mask(f, c.len);
      bool open_end = c.addr + size == net::family_max(f);
      put_be(start, f, c.addr);
      if (!open_end) put_be(end, f, c.addr + size + 1);
      const bool flags[2] = {false, true};
      w.add_group(keys, flags, open_end ? 1 : 2, key_len);
    }
  }
}

}  // namespace

std::string set_digest(const Set& s) {
  const net::Family f = s.family;
  // Copies of one address set share their storage: compute once per process.
  static std::vector<std::pair<std::pair<const void*, size_t>, std::string>> cache;
  const std::pair<const void*, size_t> key{s.addrs.identity(f), s.addrs.intervals(f).size()};
  for (const auto& [k, v] : cache)
    if (k == key && key.first) return v;
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&h](net::u128 v) {
    for (int i = 0; i < 16; ++i) {
      h ^= static_cast<uint8_t>(v >> (8 * i));
      h *= 1099511628211ull;
    }
  };
  for (const auto& iv : s.addrs.intervals(f)) {
    mix(iv.lo);
    mix(iv.hi);
  }
  const size_t cidrs = s.addrs.cidr_count(f);  // the kernel counts interval starts: one per CIDR
  char buf[48];
  std::snprintf(buf, sizeof buf, "%016llx/%zu", static_cast<unsigned long long>(h), cidrs);
  cache.emplace_back(key, buf);
  return buf;
}

namespace {

void limit_msg(Batch& b, const LimitObject& l) {
  ObjPtr o(nftnl_obj_alloc());
  nftnl_obj_set_str(o.get(), NFTNL_OBJ_TABLE, kTable);
  nftnl_obj_set_str(o.get(), NFTNL_OBJ_NAME, l.name.c_str());
  nftnl_obj_set_u32(o.get(), NFTNL_OBJ_FAMILY, NFPROTO_INET);
  nftnl_obj_set_u32(o.get(), NFTNL_OBJ_TYPE, NFT_OBJECT_LIMIT);
  nftnl_obj_set_u64(o.get(), NFTNL_OBJ_LIMIT_RATE, l.rate.count);
  nftnl_obj_set_u64(o.get(), NFTNL_OBJ_LIMIT_UNIT, l.rate.unit_seconds());
  nftnl_obj_set_u32(o.get(), NFTNL_OBJ_LIMIT_BURST, l.burst);
  nftnl_obj_set_u32(o.get(), NFTNL_OBJ_LIMIT_TYPE, NFT_LIMIT_PKTS);
  nftnl_obj_set_u32(o.get(), NFTNL_OBJ_LIMIT_FLAGS, NFT_LIMIT_F_INV);
  if (!l.comment.empty()) {
    UdataPtr ud(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));
    nftnl_udata_put_strz(ud.get(), NFTNL_UDATA_OBJ_COMMENT, l.comment.c_str());
    nftnl_obj_set_data(o.get(), NFTNL_OBJ_USERDATA, nftnl_udata_buf_data(ud.get()), nftnl_udata_buf_len(ud.get()));
  }
  nftnl_obj_nlmsg_build_payload(header(b, NFT_MSG_NEWOBJ, NLM_F_CREATE), o.get());
  b.finish("limit " + l.name);
}

void rule_msg(Batch& b, const Chain& c, const Rule& r, detail::RuleContext& ctx, size_t index) {
  RulePtr nr(nftnl_rule_alloc());
  nftnl_rule_set_str(nr.get(), NFTNL_RULE_TABLE, kTable);
  nftnl_rule_set_str(nr.get(), NFTNL_RULE_CHAIN, c.name.c_str());
  nftnl_rule_set_u32(nr.get(), NFTNL_RULE_FAMILY, NFPROTO_INET);
  ctx.what = "rule " + std::to_string(index + 1) + " of chain " + c.name + " \"" + r.comment + "\"";
  detail::add_rule_exprs(nr.get(), r, ctx);
  UdataPtr ud(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));
  nftnl_udata_put_strz(ud.get(), NFTNL_UDATA_RULE_COMMENT, r.comment.c_str());
  nftnl_rule_set_data(nr.get(), NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud.get()), nftnl_udata_buf_len(ud.get()));
  nftnl_rule_nlmsg_build_payload(header(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND), nr.get());
  b.finish(ctx.what);
}

}  // namespace

namespace detail {


uint32_t set_id_of(const RuleContext& ctx, const std::string& name) {
  for (const auto& [n, id] : ctx.set_ids)
    if (n == name) return id;
  throw std::runtime_error("rule refers to unknown set " + name);
}

void add_anon_set(Batch& b, const AnonSet& s, const std::string& what) {
  SetPtr ns(nftnl_set_alloc());
  nftnl_set_set_str(ns.get(), NFTNL_SET_TABLE, kTable);
  nftnl_set_set_str(ns.get(), NFTNL_SET_NAME, "__set%d");
  nftnl_set_set_u32(ns.get(), NFTNL_SET_FAMILY, NFPROTO_INET);
  nftnl_set_set_u32(ns.get(), NFTNL_SET_KEY_TYPE, s.key_type);
  nftnl_set_set_u32(ns.get(), NFTNL_SET_KEY_LEN, s.key_len);
  nftnl_set_set_u32(ns.get(), NFTNL_SET_ID, s.id);
  nftnl_set_set_u32(ns.get(), NFTNL_SET_FLAGS,
                    NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | (s.interval ? NFT_SET_INTERVAL : 0));
  nftnl_set_set_u32(ns.get(), NFTNL_SET_DESC_SIZE, static_cast<uint32_t>(s.keys.size()));
  set_userdata(ns.get(), "");
  nftnl_set_nlmsg_build_payload(header(b, NFT_MSG_NEWSET, NLM_F_CREATE), ns.get());
  b.finish("anonymous set of " + what);
  ElementWriter w(b, "__set%d", s.id, "elements for " + what);
  for (size_t i = 0; i < s.keys.size(); ++i) {
    const uint8_t* k[1] = {s.keys[i].data()};
    const bool e[1] = {i < s.ends.size() && s.ends[i]};
    w.add_group(k, e, 1, s.key_len);
  }
}

}  // namespace detail

Batch build_replace(const Table& t, const BuildOptions& o, uint32_t first_seq) {
  Batch b(first_seq);
  if (o.elements) {
    // About 40 bytes per interval element pair, as sent.
    size_t intervals = 0;
    for (const auto& s : t.sets) intervals += s.addrs.intervals(s.family).size();
    b.expect(size_t{256} * 1024 + intervals * 48);
  }
  batch_begin(b, o);
  table_msg(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, "table inet fwc");
  table_msg(b, NFT_MSG_DELTABLE, 0, "delete of the previous table inet fwc");
  table_msg(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, "table inet fwc");
  for (const auto& c : t.chains) chain_msg(b, c);
  std::vector<std::pair<std::string, uint32_t>> ids;
  uint32_t next_id = 1;
  for (const auto& s : t.sets) {
    ids.emplace_back(s.name, next_id);
    set_msg(b, s, next_id);
    if (!s.meter && !s.live && o.elements) interval_elements(b, s, next_id);
    ++next_id;
  }
  for (const auto& l : t.limits) limit_msg(b, l);
  detail::RuleContext ctx{b, next_id, ids, ""};
  for (const auto& c : t.chains)
    for (size_t i = 0; i < c.rules.size(); ++i) rule_msg(b, c, c.rules[i], ctx, i);
  if (o.inject_bad_element) {
    // An element for a set that does not exist: the kernel refuses it.
    ElementWriter w(b, "fwc_injected_missing_set", 0, "injected invalid element");
    uint8_t key[4] = {192, 0, 2, 1};
    const uint8_t* k[1] = {key};
    const bool e[1] = {false};
    w.add_group(k, e, 1, 4);
  }
  if (o.commit) batch_end(b);
  return b;
}

void append_batch_end(Batch& b) { batch_end(b); }
void append_batch_begin(Batch& b, const BuildOptions& o) { batch_begin(b, o); }

Batch build_remove(const BuildOptions& o, uint32_t first_seq) {
  Batch b(first_seq);
  batch_begin(b, o);
  table_msg(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, "table inet fwc");
  table_msg(b, NFT_MSG_DELTABLE, 0, "delete of table inet fwc");
  if (o.commit) batch_end(b);
  return b;
}

}  // namespace fwc::nft::netlink
