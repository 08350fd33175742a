#include "cli/block_carry.h"

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <algorithm>
#include <cstring>

#include "cli/blocks.h"

namespace fwc::cli::block_carry {

namespace {

// The string attribute `type` of an nf_tables message ("" if absent).
std::string str_attr(const nlmsghdr* nlh, uint16_t type) {
  const auto* a = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)));
  const char* end = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  for (; mnl_attr_ok(a, static_cast<int>(end - reinterpret_cast<const char*>(a))); a = mnl_attr_next(a))
    if (mnl_attr_get_type(a) == type) return mnl_attr_get_str(a);
  return "";
}

uint8_t msg_type(const nlmsghdr* nlh) {
  if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES) return 0;
  return static_cast<uint8_t>(nlh->nlmsg_type & 0xff);
}

}  // namespace

bool read_live(nl::Session& s, std::vector<LiveSet>& out, nl::Outcome& err) {
  out.clear();
  std::vector<nl::SetInfo> sets;
  if (!nl::read_sets(s, sets, err)) return false;
  for (const auto& info : sets) {
    if (!blocks::is_dynamic(info.name)) continue;
    LiveSet l{info.name, {}};
    if (!nl::read_elements(s, info.name, l.elements, err)) return false;
    out.push_back(std::move(l));  // empty too: a rollback restores it empty
  }
  return true;
}

size_t carry(nl::Batch& b, const std::vector<LiveSet>& live, const std::vector<std::string>& creates, FILE* notes) {
  size_t carried = 0;
  for (const auto& l : live) {
    if (l.elements.empty()) continue;
    if (std::find(creates.begin(), creates.end(), l.set) == creates.end()) {
      std::fprintf(notes, "fwc: note: the policy has no set %s any more: its %zu live %s dropped\n", l.set.c_str(),
                   l.elements.size(), l.elements.size() == 1 ? "entry is" : "entries are");
      continue;
    }
    std::vector<nl::Element> again = l.elements;
    for (auto& e : again)
      if (e.expires_ms && *e.expires_ms == 0) e.expires_ms = 1;  // due now: the kernel takes no 0
    nl::append_elements(b, l.set, again);
    carried += again.size();
  }
  return carried;
}

std::vector<std::string> created_sets(const nl::Snapshot& s) {
  std::vector<std::string> out;
  s.each([&](const nlmsghdr* nlh) {
    if (msg_type(nlh) == NFT_MSG_NEWSET) out.push_back(str_attr(nlh, NFTA_SET_NAME));
  });
  return out;
}

std::vector<LiveSet> saved(const nl::Snapshot& s) {
  std::vector<LiveSet> out;
  for (const auto& name : created_sets(s)) {
    if (!blocks::is_dynamic(name)) continue;
    nl::ElementParser p(name);
    s.each([&](const nlmsghdr* nlh) { p.feed(nlh); });
    out.push_back({name, p.result()});
  }
  return out;
}

nl::Snapshot without_dynamic_elements(const nl::Snapshot& s) {
  nl::Snapshot out;
  out.exists = s.exists;
  out.complete = s.complete;
  s.each([&](const nlmsghdr* nlh) {
    if (msg_type(nlh) == NFT_MSG_NEWSETELEM && blocks::is_dynamic(str_attr(nlh, NFTA_SET_ELEM_LIST_SET))) return;
    const size_t at = out.msgs.size();
    out.msgs.resize(at + NLMSG_ALIGN(nlh->nlmsg_len));
    std::memcpy(out.msgs.data() + at, nlh, nlh->nlmsg_len);
  });
  return out;
}

}  // namespace fwc::cli::block_carry
