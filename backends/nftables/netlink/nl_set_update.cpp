#include "backends/nftables/netlink/nl_set_update.h"

#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <memory>

#include "backends/nftables/netlink/nl_internal.h"

namespace fwc::nft::netlink {

namespace {

// Elements per message: two per CIDR, well inside one message.
constexpr size_t kCidrsPerMessage = 400;
constexpr size_t kMessageBytes = size_t{64} * 1024;

struct SetFree {
  void operator()(nftnl_set* s) const { nftnl_set_free(s); }
};

void add_key(nftnl_set* s, net::Family f, net::u128 v, bool end) {
  const unsigned n = f == net::Family::v4 ? 4 : 16;
  uint8_t key[16] = {};
  for (unsigned i = 0; i < n; ++i) key[n - 1 - i] = static_cast<uint8_t>(v >> (8 * i));
  nftnl_set_elem* e = nftnl_set_elem_alloc();
  nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, n);
  if (end) nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
  nftnl_set_elem_add(s, e);
}

// One message for cidrs[from, to) of set `name`.
void element_msg(Batch& b, uint16_t type, const live::SetChange& c, const std::vector<net::Cidr>& cidrs,
                 size_t from, size_t to) {
  std::unique_ptr<nftnl_set, SetFree> s(nftnl_set_alloc());
  nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, detail::kTable);
  nftnl_set_set_str(s.get(), NFTNL_SET_NAME, c.set.c_str());
  for (size_t i = from; i < to; ++i) {
    const net::Cidr& cidr = cidrs[i];
    const net::u128 last = cidr.addr + net::host_mask(c.family, cidr.len);
    add_key(s.get(), c.family, cidr.addr, false);
    if (last != net::family_max(c.family)) add_key(s.get(), c.family, last + 1, true);
  }
  const uint16_t flags = type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0;
  nlmsghdr* nlh = nftnl_nlmsg_build_hdr(b.reserve(kMessageBytes), type, NFPROTO_INET, flags, b.next_seq());
  nftnl_set_elems_nlmsg_build_payload(nlh, s.get());
  b.finish(std::string(type == NFT_MSG_NEWSETELEM ? "elements added to set " : "elements deleted from set ") +
           c.set);
}

void element_msgs(Batch& b, uint16_t type, const live::SetChange& c, const std::vector<net::Cidr>& cidrs) {
  for (size_t i = 0; i < cidrs.size(); i += kCidrsPerMessage)
    element_msg(b, type, c, cidrs, i, std::min(cidrs.size(), i + kCidrsPerMessage));
}

}  // namespace

Batch build_set_update(const std::vector<live::SetChange>& changes, uint32_t genid, uint32_t first_seq) {
  Batch b(first_seq);
  BuildOptions o;
  o.genid = genid;
  append_batch_begin(b, o);
  for (const auto& c : changes) {
    element_msgs(b, NFT_MSG_DELSETELEM, c, c.remove);
    element_msgs(b, NFT_MSG_NEWSETELEM, c, c.add);
  }
  append_batch_end(b);
  return b;
}

}  // namespace fwc::nft::netlink
