#pragma once
#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/nftables/netlink/nl_batch.h"
#include "backends/nftables/netlink/nl_session.h"
#include "compiler/net/ip.h"

// Elements of the named interval sets of table inet fwc changed in place:
// addresses blocked and unblocked at runtime (dynamic sets), network sets
// refreshed, and live elements carried into a replaced table. Each element
// is one CIDR, sent as the kernel keeps intervals: its start, then the
// address after its end flagged NFT_SET_ELEM_INTERVAL_END (none when the
// CIDR reaches the top of the address space).
namespace fwc::nft::netlink {

// The longest element comment kept (nft's own limit for comments).
constexpr size_t kElementCommentMax = 128;

struct Element {
  net::Cidr cidr;
  std::optional<uint64_t> timeout_ms;  // the element's lifetime (absent: the set's default)
  std::optional<uint64_t> expires_ms;  // time left: read from a dump, or given when adding
  std::string comment;                 // nft's element comment (user data)
};

// One set's changes: `remove` is applied before `add`.
struct ElementChange {
  std::string set;
  std::vector<net::Cidr> remove;
  std::vector<Element> add;
};

// NEWSETELEM (or DELSETELEM) messages for `elements` of set `set`, at most
// one netlink attribute nest's worth each, appended to a batch between its
// begin and end (build_replace with commit = false takes them too).
void append_elements(Batch& b, const std::string& set, const std::vector<Element>& elements);
void append_removals(Batch& b, const std::string& set, const std::vector<net::Cidr>& cidrs);

// A whole transaction: BATCH_BEGIN (with `genid` when given: a stale one
// fails it), the changes, BATCH_END.
Batch build_element_changes(const std::vector<ElementChange>& changes, std::optional<uint32_t> genid,
                            uint32_t first_seq);

// A named set of table inet fwc as the kernel reports it.
struct SetInfo {
  std::string name;
  net::Family family = net::Family::v4;
  uint32_t flags = 0;                  // NFT_SET_*
  uint32_t size = 0;                   // 0: unbounded
  std::optional<uint64_t> timeout_ms;  // the set's default element timeout
  std::string comment;
  long long count = -1;  // elements (interval starts) newer kernels report; -1: not reported
};

// The named sets of table inet fwc (none without the table; false with
// `err` when the kernel refused the dump).
bool read_sets(Session& s, std::vector<SetInfo>& out, Outcome& err);
// One set's elements, with time left, timeout and comment.
bool read_elements(Session& s, const std::string& set, std::vector<Element>& out, Outcome& err);

// The elements that element messages (dump replies, or requests this file
// builds) of set `set` hold, intervals paired up again and each given as
// the CIDRs covering it. Messages of other sets are skipped.
class ElementParser {
 public:
  explicit ElementParser(std::string set) : set_(std::move(set)) {}
  void feed(const nlmsghdr* nlh);
  std::vector<Element> result() const;

 private:
  struct Bound {
    net::Family family;
    net::u128 key;
    bool end;
    Element attrs;  // starts only
  };
  std::string set_;
  std::vector<Bound> bounds_;
};

}  // namespace fwc::nft::netlink
