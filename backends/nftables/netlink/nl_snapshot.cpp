#include "backends/nftables/netlink/nl_snapshot.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <stdexcept>

#include "backends/nftables/netlink/nl_internal.h"

namespace fwc::nft::netlink {

using detail::kTable;

namespace {

const nlattr* first_attr(const nlmsghdr* nlh) {
  return static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)));
}
int attrs_left(const nlmsghdr* nlh, const nlattr* a) {
  return static_cast<int>(static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh)) -
                          reinterpret_cast<const char*>(a));
}

// The string attribute `type` of a message ("" if absent).
std::string str_attr(const nlmsghdr* nlh, uint16_t type) {
  for (const nlattr* a = first_attr(nlh); mnl_attr_ok(a, attrs_left(nlh, a)); a = mnl_attr_next(a))
    if (mnl_attr_get_type(a) == type) return mnl_attr_get_str(a);
  return "";
}
uint32_t u32_attr(const nlmsghdr* nlh, uint16_t type) {
  for (const nlattr* a = first_attr(nlh); mnl_attr_ok(a, attrs_left(nlh, a)); a = mnl_attr_next(a))
    if (mnl_attr_get_type(a) == type) return ntohl(mnl_attr_get_u32(a));
  return 0;
}

nlmsghdr* get_request(char* buf, uint16_t type, uint16_t flags) {
  return nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, flags, 0);
}

// The attribute naming the table of a dumped object (0: not a dump reply).
uint16_t table_attr(const nlmsghdr* nlh) {
  if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES) return 0;
  switch (nlh->nlmsg_type & 0xff) {
    case NFT_MSG_NEWCHAIN:
      return NFTA_CHAIN_TABLE;
    case NFT_MSG_NEWSET:
      return NFTA_SET_TABLE;
    case NFT_MSG_NEWSETELEM:
      return NFTA_SET_ELEM_LIST_TABLE;
    case NFT_MSG_NEWOBJ:
      return NFTA_OBJ_TABLE;
    case NFT_MSG_NEWRULE:
      return NFTA_RULE_TABLE;
  }
  return 0;
}

}  // namespace

void keep_reply(Snapshot& s, const nlmsghdr* nlh) {
  const uint16_t attr = table_attr(nlh);
  if (attr == 0 || str_attr(nlh, attr) != kTable) return;
  size_t at = s.msgs.size();
  s.msgs.resize(at + NLMSG_ALIGN(nlh->nlmsg_len));
  std::memcpy(s.msgs.data() + at, nlh, nlh->nlmsg_len);
}

std::string udata_digest(const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i + 2 <= len; i += 2 + p[i + 1]) {
    uint8_t type = p[i], n = p[i + 1];
    if (i + 2 + n > len) break;
    if (type == kUdataDigest && n > 0) return std::string(reinterpret_cast<const char*>(p + i + 2), n - 1);
  }
  return "";
}

bool read_table(Session& s, Snapshot& out, Outcome& err, bool full, bool meters) {
  out = Snapshot{};
  char buf[512];
  nlmsghdr* req = get_request(buf, NFT_MSG_GETTABLE, NLM_F_ACK);
  mnl_attr_put_strz(req, NFTA_TABLE_NAME, kTable);
  Outcome e;
  const auto ignore = [](const nlmsghdr*) {};
  if (!s.request(req, ignore, e)) {
    if (e.error == ENOENT) return true;  // no table: an empty snapshot
    err = e;
    return false;
  }
  out.exists = true;
  auto mine = [&out](const nlmsghdr* nlh) { keep_reply(out, nlh); };
  struct Dump {
    uint16_t type, table_attr;
  };
  const Dump before[] = {{NFT_MSG_GETCHAIN, NFTA_CHAIN_TABLE}, {NFT_MSG_GETSET, NFTA_SET_TABLE}};
  for (const auto& d : before) {
    req = get_request(buf, d.type, NLM_F_DUMP);
    mnl_attr_put_strz(req, d.table_attr, kTable);
    if (!s.request(req, mine, err)) return false;
  }
  // Elements of each static set (named or anonymous), after all the sets.
  std::vector<std::string> sets;
  out.each([&](const nlmsghdr* nlh) {
    if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWSET) return;
    if (u32_attr(nlh, NFTA_SET_FLAGS) & (NFT_SET_EVAL | NFT_SET_TIMEOUT)) {
      if (meters && full) sets.push_back(str_attr(nlh, NFTA_SET_NAME));
      return;
    }
    if (!full && !(u32_attr(nlh, NFTA_SET_FLAGS) & NFT_SET_ANONYMOUS)) {
      out.complete = false;  // named sets compare by fingerprint
      return;
    }
    sets.push_back(str_attr(nlh, NFTA_SET_NAME));
  });
  for (const auto& name : sets) {
    req = get_request(buf, NFT_MSG_GETSETELEM, NLM_F_DUMP);
    mnl_attr_put_strz(req, NFTA_SET_ELEM_LIST_TABLE, kTable);
    mnl_attr_put_strz(req, NFTA_SET_ELEM_LIST_SET, name.c_str());
    if (!s.request(req, mine, err)) return false;
  }
  const Dump after[] = {{NFT_MSG_GETOBJ, NFTA_OBJ_TABLE}, {NFT_MSG_GETRULE, NFTA_RULE_TABLE}};
  for (const auto& d : after) {
    req = get_request(buf, d.type, NLM_F_DUMP);
    mnl_attr_put_strz(req, d.table_attr, kTable);
    if (!s.request(req, mine, err)) return false;
  }
  return true;
}

namespace {
std::string set_msg_digest(const nlmsghdr* nlh) {
  for (const nlattr* a = first_attr(nlh); mnl_attr_ok(a, attrs_left(nlh, a)); a = mnl_attr_next(a))
    if (mnl_attr_get_type(a) == NFTA_SET_USERDATA)
      return udata_digest(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
  return "";
}
}  // namespace

bool complete_from_batch(Snapshot& snap, const std::string& batch) {
  if (snap.complete) return true;
  std::vector<std::pair<std::string, std::string>> need;  // named static set → live fingerprint
  snap.each([&](const nlmsghdr* nlh) {
    if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWSET) return;
    if (u32_attr(nlh, NFTA_SET_FLAGS) & (NFT_SET_EVAL | NFT_SET_TIMEOUT | NFT_SET_ANONYMOUS)) return;
    need.emplace_back(str_attr(nlh, NFTA_SET_NAME), set_msg_digest(nlh));
  });
  Snapshot from;
  from.msgs.assign(batch.begin(), batch.end());
  std::vector<bool> found(need.size(), false);
  from.each([&](const nlmsghdr* nlh) {
    if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWSET) return;
    for (size_t i = 0; i < need.size(); ++i)
      if (need[i].first == str_attr(nlh, NFTA_SET_NAME) && !need[i].second.empty() &&
          need[i].second == set_msg_digest(nlh))
        found[i] = true;
  });
  for (bool f : found)
    if (!f) return false;
  // Named sets take elements after the rules that use them: append.
  from.each([&](const nlmsghdr* nlh) {
    if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWSETELEM) return;
    const std::string set = str_attr(nlh, NFTA_SET_ELEM_LIST_SET);
    for (const auto& [name, digest] : need)
      if (name == set) keep_reply(snap, nlh);
  });
  snap.complete = true;
  return true;
}

std::string serialize_snapshot(const Snapshot& s) {
  std::string out = std::string("fwc-snapshot 1 ") + (s.exists ? "1" : "0") + "\n";
  out.append(s.msgs.data(), s.msgs.size());
  return out;
}

bool load_snapshot(Snapshot& s, const std::string& path, std::string& err) {
  std::ifstream f(path, std::ios::binary);
  std::string magic, version;
  int exists = 0;
  if (!(f >> magic >> version >> exists) || magic != "fwc-snapshot" || version != "1" || f.get() != '\n') {
    err = "cannot read the saved ruleset " + path;
    return false;
  }
  s.exists = exists == 1;
  s.msgs.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}

namespace {

// The dumped message as a request: same type, and those attributes a
// request may carry (never what the kernel only reports: handles, use
// counts, positions, and whatever newer kernels add to dumps).
void copy_message(Batch& b, const nlmsghdr* src, uint16_t flags, std::initializer_list<uint16_t> keep,
                  const std::string& what, uint32_t set_id = 0) {
  char* dst = b.reserve(src->nlmsg_len + 64);
  nlmsghdr* nlh = mnl_nlmsg_put_header(dst);
  nlh->nlmsg_type = src->nlmsg_type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  nlh->nlmsg_seq = b.next_seq();
  auto* nfg = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
  std::memcpy(nfg, mnl_nlmsg_get_payload(src), sizeof(nfgenmsg));
  nfg->res_id = 0;
  for (const nlattr* a = first_attr(src); mnl_attr_ok(a, attrs_left(src, a)); a = mnl_attr_next(a)) {
    bool wanted = false;
    for (uint16_t k : keep) wanted = wanted || mnl_attr_get_type(a) == k;
    if (!wanted) continue;
    std::memcpy(mnl_nlmsg_get_payload_tail(nlh), a, a->nla_len);
    nlh->nlmsg_len += MNL_ALIGN(a->nla_len);
  }
  if (set_id) mnl_attr_put_u32(nlh, NFTA_SET_ID, htonl(set_id));  // NEWSET requires one
  b.finish(what);
}

}  // namespace

Batch build_restore(const Snapshot& snap, const BuildOptions& o, uint32_t first_seq) {
  if (!snap.exists) return build_remove(o, first_seq);
  if (!snap.complete) throw std::runtime_error("cannot restore a table read without its set elements");
  BuildOptions head = o;
  head.commit = false;
  head.elements = false;
  head.inject_bad_element = false;
  Batch b = build_replace(Table{}, head, first_seq);  // begin, NEWTABLE, DELTABLE, NEWTABLE
  uint32_t set_id = 0;
  snap.each([&](const nlmsghdr* nlh) {
    switch (nlh->nlmsg_type & 0xff) {
      case NFT_MSG_NEWCHAIN:
        copy_message(b, nlh, NLM_F_CREATE,
                     {NFTA_CHAIN_TABLE, NFTA_CHAIN_NAME, NFTA_CHAIN_HOOK, NFTA_CHAIN_POLICY, NFTA_CHAIN_TYPE,
                      NFTA_CHAIN_FLAGS, NFTA_CHAIN_USERDATA},
                     "chain " + str_attr(nlh, NFTA_CHAIN_NAME));
        break;
      case NFT_MSG_NEWSET:
        copy_message(
            b, nlh, NLM_F_CREATE,
            {NFTA_SET_TABLE, NFTA_SET_NAME, NFTA_SET_FLAGS, NFTA_SET_KEY_TYPE, NFTA_SET_KEY_LEN,
             NFTA_SET_DATA_TYPE, NFTA_SET_DATA_LEN, NFTA_SET_POLICY, NFTA_SET_DESC, NFTA_SET_TIMEOUT,
             NFTA_SET_GC_INTERVAL, NFTA_SET_USERDATA, NFTA_SET_OBJ_TYPE, NFTA_SET_EXPR, NFTA_SET_EXPRESSIONS},
            "set " + str_attr(nlh, NFTA_SET_NAME), ++set_id);
        break;
      case NFT_MSG_NEWSETELEM:
        copy_message(b, nlh, NLM_F_CREATE,
                     {NFTA_SET_ELEM_LIST_TABLE, NFTA_SET_ELEM_LIST_SET, NFTA_SET_ELEM_LIST_ELEMENTS},
                     "elements of set " + str_attr(nlh, NFTA_SET_ELEM_LIST_SET));
        break;
      case NFT_MSG_NEWOBJ:
        copy_message(b, nlh, NLM_F_CREATE,
                     {NFTA_OBJ_TABLE, NFTA_OBJ_NAME, NFTA_OBJ_TYPE, NFTA_OBJ_DATA, NFTA_OBJ_USERDATA},
                     "object " + str_attr(nlh, NFTA_OBJ_NAME));
        break;
      case NFT_MSG_NEWRULE:
        copy_message(
            b, nlh, NLM_F_CREATE | NLM_F_APPEND,
            {NFTA_RULE_TABLE, NFTA_RULE_CHAIN, NFTA_RULE_EXPRESSIONS, NFTA_RULE_COMPAT, NFTA_RULE_USERDATA},
            "rule of chain " + str_attr(nlh, NFTA_RULE_CHAIN));
        break;
    }
  });
  if (o.commit) append_batch_end(b);
  return b;
}

}  // namespace fwc::nft::netlink
