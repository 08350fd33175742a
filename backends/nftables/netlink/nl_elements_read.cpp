// Reading named sets and their elements back from the kernel (and from
// the element messages nl_elements.cpp builds, for tests).
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <algorithm>
#include <cerrno>
#include <endian.h>

#include "backends/nftables/netlink/nl_elements.h"
#include "backends/nftables/netlink/nl_internal.h"
#include "compiler/net/addrset.h"

namespace fwc::nft::netlink {

using detail::kTable;

namespace {

// Calls f for each attribute from `start` up to `tail`.
template <typename F>
void each_in(const void* start, const void* tail, F f) {
  const auto* a = static_cast<const nlattr*>(start);
  auto left = [&] { return static_cast<int>(static_cast<const char*>(tail) - reinterpret_cast<const char*>(a)); };
  for (; mnl_attr_ok(a, left()); a = mnl_attr_next(a)) f(a);
}

template <typename F>
void each_attr(const nlattr* nest, F f) {
  each_in(mnl_attr_get_payload(nest), reinterpret_cast<const char*>(nest) + nest->nla_len, f);
}

template <typename F>
void each_msg_attr(const nlmsghdr* nlh, F f) {
  each_in(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)), mnl_nlmsg_get_payload_tail(nlh), f);
}

uint64_t be64(const nlattr* a) { return be64toh(mnl_attr_get_u64(a)); }

// The text of a user data TLV of `type` ("" if none).
std::string udata_text(const nlattr* a, uint8_t type) {
  const auto* p = static_cast<const uint8_t*>(mnl_attr_get_payload(a));
  const size_t len = mnl_attr_get_payload_len(a);
  for (size_t i = 0; i + 2 <= len && i + 2 + p[i + 1] <= len; i += 2 + p[i + 1])
    if (p[i] == type && p[i + 1] > 0) {
      std::string s(reinterpret_cast<const char*>(p + i + 2), p[i + 1]);
      return s.substr(0, s.find('\0'));
    }
  return "";
}

bool read_key(const nlattr* key, net::Family& f, net::u128& v) {
  bool ok = false;
  each_attr(key, [&](const nlattr* d) {
    const size_t n = mnl_attr_get_payload_len(d);
    if (mnl_attr_get_type(d) != NFTA_DATA_VALUE || (n != 4 && n != 16)) return;
    const auto* p = static_cast<const uint8_t*>(mnl_attr_get_payload(d));
    f = n == 4 ? net::Family::v4 : net::Family::v6;
    v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    ok = true;
  });
  return ok;
}

bool is_msg(const nlmsghdr* nlh, uint8_t type) {
  return (nlh->nlmsg_type >> 8) == NFNL_SUBSYS_NFTABLES && (nlh->nlmsg_type & 0xff) == type;
}

}  // namespace

void ElementParser::feed(const nlmsghdr* nlh) {
  if (!is_msg(nlh, NFT_MSG_NEWSETELEM)) return;
  std::string table, set;
  const nlattr* list = nullptr;
  each_msg_attr(nlh, [&](const nlattr* a) {
    switch (mnl_attr_get_type(a)) {
      case NFTA_SET_ELEM_LIST_TABLE: table = mnl_attr_get_str(a); break;
      case NFTA_SET_ELEM_LIST_SET: set = mnl_attr_get_str(a); break;
      case NFTA_SET_ELEM_LIST_ELEMENTS: list = a; break;
    }
  });
  if (table != kTable || set != set_ || !list) return;
  each_attr(list, [&](const nlattr* elem) {
    Bound b{net::Family::v4, 0, false, {}};
    bool keyed = false;
    each_attr(elem, [&](const nlattr* a) {
      switch (mnl_attr_get_type(a)) {
        case NFTA_SET_ELEM_KEY: keyed = read_key(a, b.family, b.key); break;
        case NFTA_SET_ELEM_FLAGS: b.end = ntohl(mnl_attr_get_u32(a)) & NFT_SET_ELEM_INTERVAL_END; break;
        case NFTA_SET_ELEM_TIMEOUT: b.attrs.timeout_ms = be64(a); break;
        case NFTA_SET_ELEM_EXPIRATION: b.attrs.expires_ms = be64(a); break;
        case NFTA_SET_ELEM_USERDATA: b.attrs.comment = udata_text(a, NFTNL_UDATA_SET_ELEM_COMMENT); break;
      }
    });
    if (keyed) bounds_.push_back(std::move(b));
  });
}

std::vector<Element> ElementParser::result() const {
  std::vector<Bound> sorted = bounds_;
  // An end and the next start may share a key (adjacent intervals): the end first.
  std::stable_sort(sorted.begin(), sorted.end(), [](const Bound& a, const Bound& b) {
    if (a.family != b.family) return a.family < b.family;
    if (a.key != b.key) return a.key < b.key;
    return a.end && !b.end;
  });
  std::vector<Element> out;
  std::vector<net::Cidr> cidrs;
  const Bound* open = nullptr;
  auto close = [&](net::u128 hi) {
    cidrs.clear();
    net::interval_to_cidrs(open->family, {open->key, hi}, cidrs);
    for (const auto& c : cidrs) {
      out.push_back(open->attrs);
      out.back().cidr = c;
    }
    open = nullptr;
  };
  for (size_t i = 0; i < sorted.size(); ++i) {
    const Bound& b = sorted[i];
    if (open && open->family != b.family) close(net::family_max(open->family));
    if (b.end) {
      if (open && b.key > 0) close(b.key - 1);  // an end with no start before it bounds nothing
      continue;
    }
    if (open) close(b.key - 1);  // two starts: the first ran up to the second
    open = &b;
  }
  if (open) close(net::family_max(open->family));
  return out;
}

namespace {

// NFTA_SET_COUNT, which older kernel headers lack.
constexpr uint16_t kSetCount = 20;

SetInfo parse_set(const nlmsghdr* nlh) {
  SetInfo info;
  each_msg_attr(nlh, [&](const nlattr* a) {
    switch (mnl_attr_get_type(a)) {
      case NFTA_SET_NAME: info.name = mnl_attr_get_str(a); break;
      case NFTA_SET_KEY_LEN:
        info.family = ntohl(mnl_attr_get_u32(a)) == 16 ? net::Family::v6 : net::Family::v4;
        break;
      case NFTA_SET_FLAGS: info.flags = ntohl(mnl_attr_get_u32(a)); break;
      case NFTA_SET_TIMEOUT: info.timeout_ms = be64(a); break;
      case NFTA_SET_USERDATA: info.comment = udata_text(a, NFTNL_UDATA_SET_COMMENT); break;
      case kSetCount: info.count = ntohl(mnl_attr_get_u32(a)); break;
      case NFTA_SET_DESC:
        each_attr(a, [&](const nlattr* d) {
          if (mnl_attr_get_type(d) == NFTA_SET_DESC_SIZE) info.size = ntohl(mnl_attr_get_u32(d));
        });
        break;
    }
  });
  return info;
}

}  // namespace

bool read_sets(Session& s, std::vector<SetInfo>& out, Outcome& err) {
  out.clear();
  char buf[512];
  nlmsghdr* req = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSET, NFPROTO_INET, NLM_F_DUMP, 0);
  mnl_attr_put_strz(req, NFTA_SET_TABLE, kTable);
  bool ok = s.request(
      req,
      [&](const nlmsghdr* nlh) {
        if (!is_msg(nlh, NFT_MSG_NEWSET)) return;
        SetInfo info = parse_set(nlh);
        if (!(info.flags & NFT_SET_ANONYMOUS)) out.push_back(std::move(info));
      },
      err);
  if (!ok && err.error == ENOENT) {  // no table: no sets
    err = {};
    return true;
  }
  return ok;
}

bool read_elements(Session& s, const std::string& set, std::vector<Element>& out, Outcome& err) {
  char buf[512];
  nlmsghdr* req = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP, 0);
  mnl_attr_put_strz(req, NFTA_SET_ELEM_LIST_TABLE, kTable);
  mnl_attr_put_strz(req, NFTA_SET_ELEM_LIST_SET, set.c_str());
  ElementParser parser(set);
  if (!s.request(req, [&](const nlmsghdr* nlh) { parser.feed(nlh); }, err)) {
    if (err.error == ENOENT) err.message = "set " + set + " of table inet fwc does not exist";
    return false;
  }
  out = parser.result();
  return true;
}

}  // namespace fwc::nft::netlink
