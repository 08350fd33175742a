#include "backends/nftables/netlink/nl_elements.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <endian.h>

#include <cstring>

#include "backends/nftables/netlink/nl_internal.h"

namespace fwc::nft::netlink {

using detail::kTable;

namespace {

// An element list is a nest with a 16-bit length: stay well below it.
constexpr size_t kListBytes = 60000;
// The most one element can take: two keys, flags, timeouts, a comment.
constexpr size_t kElementMax = 2 * 48 + 2 * 12 + 8 + kElementCommentMax + 16;

void put_key(nlmsghdr* nlh, uint16_t type, net::Family f, net::u128 v) {
  uint8_t be[16];
  const unsigned n = f == net::Family::v4 ? 4 : 16;
  for (unsigned i = 0; i < n; ++i) be[n - 1 - i] = static_cast<uint8_t>(v >> (8 * i));
  nlattr* key = mnl_attr_nest_start(nlh, type);
  mnl_attr_put(nlh, NFTA_DATA_VALUE, n, be);
  mnl_attr_nest_end(nlh, key);
}

// The comment as nft stores it: a user data TLV, NUL included.
void put_comment(nlmsghdr* nlh, const std::string& comment) {
  const std::string text = comment.substr(0, kElementCommentMax - 1);
  uint8_t ud[2 + kElementCommentMax];
  ud[0] = NFTNL_UDATA_SET_ELEM_COMMENT;
  ud[1] = static_cast<uint8_t>(text.size() + 1);
  std::memcpy(ud + 2, text.c_str(), text.size() + 1);
  mnl_attr_put(nlh, NFTA_SET_ELEM_USERDATA, 2 + text.size() + 1, ud);
}

// Writes one interval: its start (with the element's attributes), then
// its end, unless the CIDR reaches the top of the address space.
void put_interval(nlmsghdr* nlh, const Element& e, bool with_attrs) {
  const net::Cidr& c = e.cidr;
  nlattr* start = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
  put_key(nlh, NFTA_SET_ELEM_KEY, c.family, c.addr);
  if (with_attrs) {
    if (e.timeout_ms) mnl_attr_put_u64(nlh, NFTA_SET_ELEM_TIMEOUT, htobe64(*e.timeout_ms));
    if (e.expires_ms) mnl_attr_put_u64(nlh, NFTA_SET_ELEM_EXPIRATION, htobe64(*e.expires_ms));
    if (!e.comment.empty()) put_comment(nlh, e.comment);
  }
  mnl_attr_nest_end(nlh, start);
  const net::u128 last = c.addr | net::host_mask(c.family, c.len);
  if (last == net::family_max(c.family)) return;
  nlattr* end = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
  mnl_attr_put_u32(nlh, NFTA_SET_ELEM_FLAGS, htonl(NFT_SET_ELEM_INTERVAL_END));
  put_key(nlh, NFTA_SET_ELEM_KEY, c.family, last + 1);
  mnl_attr_nest_end(nlh, end);
}

// NEWSETELEM / DELSETELEM messages filled up to kListBytes each.
class ListWriter {
 public:
  ListWriter(Batch& b, const std::string& set, uint16_t type) : b_(b), set_(set), type_(type) {}
  ~ListWriter() { flush(); }
  ListWriter(const ListWriter&) = delete;
  ListWriter& operator=(const ListWriter&) = delete;
  nlmsghdr* room() {
    if (nlh_ && used() + kElementMax > kListBytes) flush();
    if (!nlh_) open();
    ++count_;
    return nlh_;
  }
  void flush() {
    if (!nlh_) return;
    mnl_attr_nest_end(nlh_, list_);
    const char* verb = type_ == NFT_MSG_NEWSETELEM ? "add " : "delete ";
    b_.finish(verb + std::to_string(count_) + " elements of set " + set_);
    nlh_ = nullptr;
    count_ = 0;
  }

 private:
  size_t used() const {
    return static_cast<size_t>(static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh_)) -
                               reinterpret_cast<const char*>(list_));
  }
  void open() {
    const uint16_t flags = type_ == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0;
    nlh_ = nftnl_nlmsg_build_hdr(b_.reserve(kListBytes + 4096), type_, NFPROTO_INET, flags, b_.next_seq());
    mnl_attr_put_strz(nlh_, NFTA_SET_ELEM_LIST_TABLE, kTable);
    mnl_attr_put_strz(nlh_, NFTA_SET_ELEM_LIST_SET, set_.c_str());
    list_ = mnl_attr_nest_start(nlh_, NFTA_SET_ELEM_LIST_ELEMENTS);
  }
  Batch& b_;
  const std::string& set_;
  uint16_t type_;
  nlmsghdr* nlh_ = nullptr;
  nlattr* list_ = nullptr;
  size_t count_ = 0;
};

}  // namespace

void append_elements(Batch& b, const std::string& set, const std::vector<Element>& elements) {
  ListWriter w(b, set, NFT_MSG_NEWSETELEM);
  for (const auto& e : elements) put_interval(w.room(), e, true);
}

void append_removals(Batch& b, const std::string& set, const std::vector<net::Cidr>& cidrs) {
  ListWriter w(b, set, NFT_MSG_DELSETELEM);
  Element e;
  for (const auto& c : cidrs) {
    e.cidr = c;
    put_interval(w.room(), e, false);
  }
}

Batch build_element_changes(const std::vector<ElementChange>& changes, std::optional<uint32_t> genid,
                            uint32_t first_seq) {
  BuildOptions head;
  head.genid = genid;
  Batch b(first_seq);
  size_t n = 0;
  for (const auto& c : changes) n += c.add.size() + c.remove.size();
  b.expect(4096 + n * 64);
  append_batch_begin(b, head);
  for (const auto& c : changes) {
    if (!c.remove.empty()) append_removals(b, c.set, c.remove);
    if (!c.add.empty()) append_elements(b, c.set, c.add);
  }
  append_batch_end(b);
  return b;
}

}  // namespace fwc::nft::netlink
