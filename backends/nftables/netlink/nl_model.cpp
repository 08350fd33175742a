// Netlink messages (a kernel dump, or a batch fwc would send) turned into
// the canonical model the diff and status commands compare and print.
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "backends/nftables/netlink/nl_snapshot.h"

namespace fwc::nft::netlink {

namespace {

std::string hex(const void* data, size_t len) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < len; ++i) out += {digits[p[i] >> 4], digits[p[i] & 15]};
  return out;
}

// A set as rules refer to it: by name, or by id while its name is a template.
std::string set_ref(const char* name, uint32_t id) {
  std::string n = name ? name : "";
  return n.find('%') == std::string::npos ? n : "id:" + std::to_string(id);
}

template <typename F>
void each_nested(const nlattr* nest, F f) {
  const char* end = static_cast<const char*>(mnl_attr_get_payload(nest)) + mnl_attr_get_payload_len(nest);
  for (auto* a = static_cast<const nlattr*>(mnl_attr_get_payload(nest));
       mnl_attr_ok(a, static_cast<int>(end - reinterpret_cast<const char*>(a))); a = mnl_attr_next(a))
    f(a);
}

// NFTA_SET_COUNT (newer kernels): about the number of intervals, -1 if absent.
long long kernel_count(const nlmsghdr* nlh) {
  constexpr uint16_t kSetCount = 20;
  const auto* a = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)));
  const char* end = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  for (; mnl_attr_ok(a, static_cast<int>(end - reinterpret_cast<const char*>(a))); a = mnl_attr_next(a))
    if (mnl_attr_get_type(a) == kSetCount && mnl_attr_get_payload_len(a) == 4) return ntohl(mnl_attr_get_u32(a));
  return -1;
}

struct Element {
  std::vector<uint8_t> key;
  bool end = false;
};

class Builder {
 public:
  void feed(const nlmsghdr* nlh);
  live::Model finish();
  bool exists = false;
  bool elements_read = true;  // false: fingerprinted sets come without elements

 private:
  void chain(const nlmsghdr* nlh);
  void set(const nlmsghdr* nlh);
  void elements(const nlmsghdr* nlh);
  void object(const nlmsghdr* nlh);
  void rule(const nlmsghdr* nlh);

  live::Model m_;
  std::map<std::string, std::string> named_;  // set ref → name, for named sets
  std::map<std::string, std::vector<Element>> elems_;
  std::set<std::string> state_;  // sets with timeouts: their elements are state, not compared
  std::map<std::string, bool> anon_;
  std::vector<std::vector<std::string>> rule_refs_;
};

void Builder::feed(const nlmsghdr* nlh) {
  if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES) return;
  switch (nlh->nlmsg_type & 0xff) {
    case NFT_MSG_NEWCHAIN: return chain(nlh);
    case NFT_MSG_NEWSET: return set(nlh);
    case NFT_MSG_NEWSETELEM: return elements(nlh);
    case NFT_MSG_NEWOBJ: return object(nlh);
    case NFT_MSG_NEWRULE: return rule(nlh);
  }
}

void Builder::chain(const nlmsghdr* nlh) {
  nftnl_chain* c = nftnl_chain_alloc();
  if (nftnl_chain_nlmsg_parse(nlh, c) == 0) {
    live::ChainEntry e;
    e.name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
    if (nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM))
      e.sig = "hook " + std::to_string(nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM)) + " prio " +
              std::to_string(nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO)) + " type " +
              (nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE) ? nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE) : "");
    if (nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY))
      e.sig += " policy " + std::to_string(nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY));
    m_.chains.push_back(std::move(e));
  }
  nftnl_chain_free(c);
}

void Builder::set(const nlmsghdr* nlh) {
  nftnl_set* s = nftnl_set_alloc();
  if (nftnl_set_nlmsg_parse(nlh, s) == 0) {
    const char* name = nftnl_set_get_str(s, NFTNL_SET_NAME);
    uint32_t flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
    std::string ref = set_ref(name, nftnl_set_get_u32(s, NFTNL_SET_ID));
    if (flags & NFT_SET_ANONYMOUS) {
      anon_[ref] = true;
    } else {
      live::SetEntry e;
      e.name = name;
      uint32_t key_len = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
      e.sig = "type " + std::to_string(nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE)) + " len " +
              std::to_string(key_len) + " flags " + std::to_string(flags);
      if (nftnl_set_is_set(s, NFTNL_SET_TIMEOUT))
        e.sig += " timeout " + std::to_string(nftnl_set_get_u64(s, NFTNL_SET_TIMEOUT));
      uint32_t len = 0;
      if (const void* ud = nftnl_set_get_data(s, NFTNL_SET_USERDATA, &len)) {
        e.digest = udata_digest(ud, len);
        e.sig += " udata " + hex(ud, len);
        if (!e.digest.empty()) e.sig.resize(e.sig.size() - 2 * (e.digest.size() + 3));  // the fingerprint TLV is last
      }
      // Elements of dynamic sets (meters) are state: never read, never compared.
      e.elements_known = elements_read || (flags & (NFT_SET_EVAL | NFT_SET_TIMEOUT));
      e.count = kernel_count(nlh);  // a size hint only: kernels count intervals their own way
      e.addresses = (flags & NFT_SET_INTERVAL) && !(flags & (NFT_SET_EVAL | NFT_SET_TIMEOUT)) &&
                    (key_len == 4 || key_len == 16);
      if (flags & NFT_SET_TIMEOUT) state_.insert(ref);
      e.family = key_len == 16 ? net::Family::v6 : net::Family::v4;
      named_[ref] = e.name;
      m_.sets.push_back(std::move(e));
    }
  }
  nftnl_set_free(s);
}

void Builder::elements(const nlmsghdr* nlh) {
  std::string name;
  uint32_t id = 0;
  const nlattr* list = nullptr;
  const auto* a = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)));
  auto left = [&] {
    return static_cast<int>(static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh)) -
                            reinterpret_cast<const char*>(a));
  };
  for (; mnl_attr_ok(a, left()); a = mnl_attr_next(a)) {
    switch (mnl_attr_get_type(a)) {
      case NFTA_SET_ELEM_LIST_SET: name = mnl_attr_get_str(a); break;
      case NFTA_SET_ELEM_LIST_SET_ID: id = ntohl(mnl_attr_get_u32(a)); break;
      case NFTA_SET_ELEM_LIST_ELEMENTS: list = a; break;
    }
  }
  if (!list) return;
  auto& out = elems_[set_ref(name.c_str(), id)];
  each_nested(list, [&](const nlattr* e) {
    Element el;
    each_nested(e, [&](const nlattr* f) {
      if (mnl_attr_get_type(f) == NFTA_SET_ELEM_FLAGS) el.end = ntohl(mnl_attr_get_u32(f)) & NFT_SET_ELEM_INTERVAL_END;
      if (mnl_attr_get_type(f) != NFTA_SET_ELEM_KEY) return;
      each_nested(f, [&](const nlattr* v) {
        if (mnl_attr_get_type(v) != NFTA_DATA_VALUE) return;
        const auto* p = static_cast<const uint8_t*>(mnl_attr_get_payload(v));
        el.key.assign(p, p + mnl_attr_get_payload_len(v));
      });
    });
    out.push_back(std::move(el));
  });
}

void Builder::object(const nlmsghdr* nlh) {
  nftnl_obj* o = nftnl_obj_alloc();
  if (nftnl_obj_nlmsg_parse(nlh, o) == 0) {
    live::ObjEntry e;
    e.name = nftnl_obj_get_str(o, NFTNL_OBJ_NAME);
    uint32_t type = nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE);
    e.sig = "type " + std::to_string(type);
    if (type == NFT_OBJECT_LIMIT)
      e.sig += " rate " + std::to_string(nftnl_obj_get_u64(o, NFTNL_OBJ_LIMIT_RATE)) + "/" +
               std::to_string(nftnl_obj_get_u64(o, NFTNL_OBJ_LIMIT_UNIT)) + " burst " +
               std::to_string(nftnl_obj_get_u32(o, NFTNL_OBJ_LIMIT_BURST)) + " type " +
               std::to_string(nftnl_obj_get_u32(o, NFTNL_OBJ_LIMIT_TYPE)) + " flags " +
               std::to_string(nftnl_obj_get_u32(o, NFTNL_OBJ_LIMIT_FLAGS));
    uint32_t len = 0;
    if (const void* ud = nftnl_obj_get_data(o, NFTNL_OBJ_USERDATA, &len)) e.sig += " udata " + hex(ud, len);
    m_.objects.push_back(std::move(e));
  }
  nftnl_obj_free(o);
}

int comment_cb(const nftnl_udata* attr, void* data) {
  if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT) {
    const char* s = static_cast<const char*>(nftnl_udata_get(attr));
    uint32_t n = nftnl_udata_len(attr);
    *static_cast<std::string*>(data) = std::string(s, strnlen(s, n));
  }
  return 0;
}

void Builder::rule(const nlmsghdr* nlh) {
  nftnl_rule* r = nftnl_rule_alloc();
  if (nftnl_rule_nlmsg_parse(nlh, r) == 0) {
    live::RuleEntry e;
    e.chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
    uint32_t len = 0;
    if (const void* ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len))
      nftnl_udata_parse(ud, len, comment_cb, &e.comment);
    std::vector<std::string> refs;
    nftnl_expr_iter* it = nftnl_expr_iter_create(r);
    char buf[1024];
    for (nftnl_expr* x = nftnl_expr_iter_next(it); x; x = nftnl_expr_iter_next(it)) {
      std::string name = nftnl_expr_get_str(x, NFTNL_EXPR_NAME);
      e.sig += "[" + name;
      if (name == "counter") {
        e.packets = nftnl_expr_get_u64(x, NFTNL_EXPR_CTR_PACKETS);
        e.bytes = nftnl_expr_get_u64(x, NFTNL_EXPR_CTR_BYTES);
      } else if (name == "lookup") {
        refs.push_back(set_ref(nftnl_expr_get_str(x, NFTNL_EXPR_LOOKUP_SET),
                               nftnl_expr_get_u32(x, NFTNL_EXPR_LOOKUP_SET_ID)));
        e.sig += " sreg " + std::to_string(nftnl_expr_get_u32(x, NFTNL_EXPR_LOOKUP_SREG)) + " flags " +
                 std::to_string(nftnl_expr_get_u32(x, NFTNL_EXPR_LOOKUP_FLAGS)) + " set @" +
                 std::to_string(refs.size() - 1);
      } else {
        nftnl_expr_snprintf(buf, sizeof buf, x, NFTNL_OUTPUT_DEFAULT, 0);
        std::string text = buf;
        // The kernel reports defaults fwc leaves unset.
        if (auto at = text.find(" timeout 0ms"); at != std::string::npos) text.erase(at, 12);
        e.sig += " " + text;
      }
      e.sig += "]";
    }
    nftnl_expr_iter_destroy(it);
    m_.rules.push_back(std::move(e));
    rule_refs_.push_back(std::move(refs));
  }
  nftnl_rule_free(r);
}

net::u128 key_value(const std::vector<uint8_t>& k) {
  net::u128 v = 0;
  for (uint8_t b : k) v = (v << 8) | b;
  return v;
}

// Interval elements (start, and end+1 flagged) back to address ranges.
net::AddrSet intervals_of(net::Family f, std::vector<Element>& els) {
  std::vector<std::pair<net::u128, bool>> keys;  // (key, is start)
  keys.reserve(els.size());
  for (const auto& e : els) keys.emplace_back(key_value(e.key), !e.end);
  std::sort(keys.begin(), keys.end());  // at one key, an end sorts before a start
  net::AddrSet out;
  bool open = false;
  net::u128 start = 0;
  for (const auto& [k, is_start] : keys) {
    if (open && k > start) out.add_interval(f, {start, k - 1});
    open = is_start;
    start = k;
  }
  if (open) out.add_interval(f, {start, net::family_max(f)});
  out.normalize();
  return out;
}

live::Model Builder::finish() {
  m_.exists = exists;
  std::map<std::string, std::string> anon_text;
  for (auto& [ref, els] : elems_) {
    if (anon_.count(ref)) {
      std::vector<std::string> items;
      for (const auto& e : els) items.push_back((e.end ? "end:" : "") + hex(e.key.data(), e.key.size()));
      std::sort(items.begin(), items.end());
      std::string text;
      for (const auto& i : items) text += i + ",";
      anon_text[ref] = text;
      continue;
    }
    auto n = named_.find(ref);
    if (n == named_.end() || state_.count(ref)) continue;  // meters, live block sets: state
    for (auto& s : m_.sets) {
      if (s.name != n->second) continue;
      if (s.addresses) {
        s.addrs = intervals_of(s.family, els);
      } else {
        for (const auto& e : els) s.other.push_back((e.end ? "end:" : "") + hex(e.key.data(), e.key.size()));
        std::sort(s.other.begin(), s.other.end());
      }
    }
  }
  for (size_t i = 0; i < m_.rules.size(); ++i)
    for (size_t j = 0; j < rule_refs_[i].size(); ++j) {
      const std::string& ref = rule_refs_[i][j];
      auto a = anon_text.find(ref);
      m_.rules[i].sig += " @" + std::to_string(j) + "=" + (a != anon_text.end() ? "{" + a->second + "}" : ref);
    }
  return std::move(m_);
}

}  // namespace

live::Model model_of(const Snapshot& snap) {
  Builder b;
  b.exists = snap.exists;
  b.elements_read = snap.complete;
  snap.each([&](const nlmsghdr* nlh) { b.feed(nlh); });
  return b.finish();
}

live::Model model_of(const Batch& batch) {
  Builder b;
  b.exists = true;
  b.elements_read = false;
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(batch.data());
  int len = static_cast<int>(batch.size());
  for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) b.feed(nlh);
  return b.finish();
}

void attach_sets(live::Model& m, const Table& t) {
  for (const auto& s : t.sets) {
    if (s.meter || s.live) continue;
    for (auto& e : m.sets) {
      if (e.name != s.name) continue;
      const net::Family other = s.family == net::Family::v4 ? net::Family::v6 : net::Family::v4;
      e.addrs = s.addrs;  // shared storage, not copied
      if (!s.addrs.empty(other)) e.addrs.subtract(net::AddrSet::any_of(other));
      e.digest = set_digest(s);
      e.elements_known = true;
    }
  }
}

}  // namespace fwc::nft::netlink
