// `fwc block` and `fwc unblock`: entries of a dynamic block set added and
// removed over netlink, in one transaction, never touching a never: network.
#include <algorithm>
#include <cerrno>
#include <tuple>
#include <cstdio>
#include <memory>

#include "backends/common/escape.h"
#include "cli/apply_common.h"
#include "cli/apply_state.h"
#include "cli/block_live.h"
#include "compiler/diag/printable.h"
#include "compiler/ir/units.h"

namespace fwc::cli {

namespace {

using blocks::DynamicSet;
namespace nl = nft::netlink;

struct BlockOptions {
  std::vector<std::string> entries;
  std::string set, duration, reason, state_dir;
};

// Notes about entries that are not blocked, at most.
constexpr size_t kMaxNotes = 10;

#ifndef ERESTART
constexpr int ERESTART = 85;
#endif

// The elements to add, split by family, with the options' timeout and reason.
std::vector<nl::ElementChange> additions(const DynamicSet& d, const std::vector<net::Cidr>& entries,
                                         std::optional<uint64_t> timeout, const std::string& reason) {
  nl::ElementChange v4{d.kernel_name(net::Family::v4), {}, {}};
  nl::ElementChange v6{d.kernel_name(net::Family::v6), {}, {}};
  for (const auto& c : entries) {
    nl::Element e;
    e.cidr = c;
    e.timeout_ms = timeout;
    e.comment = reason;
    (c.family == net::Family::v4 ? v4 : v6).add.push_back(std::move(e));
  }
  return {v4, v6};
}

// One attempt: read the set and the never: networks, refuse overlaps, send
// the change checked against the generation read first.
int block_once(nl::Session& s, const BlockOptions& o, const std::vector<net::Cidr>& entries,
               std::optional<uint64_t> timeout, nl::Outcome& res) {
  uint32_t gen = 0;
  if (!s.genid(gen, res)) return applying::fail(res);
  DynamicSet d;
  int rc = block_live::find_set(s, o.set, d);
  if (rc != Exit::ok) return rc;
  std::vector<nl::Element> never;
  rc = block_live::read_never(s, never);
  if (rc != Exit::ok) return rc;
  const auto refused = blocks::overlapping(entries, never);
  for (const auto& r : refused) std::fprintf(stderr, "fwc: error: %s may never be blocked\n", r.c_str());
  if (!refused.empty()) {
    std::fprintf(stderr, "fwc: nothing was blocked\n");
    return Exit::bad_input;
  }
  const std::string reason = escape::nft_string(o.reason, nl::kElementCommentMax - 1);
  res = s.send(nl::build_element_changes(additions(d, entries, timeout, reason), gen, s.next_seq()));
  if (!res.ok) return res.error == ERESTART ? -1 : applying::fail(res);
  std::string err;
  if (!block_live::add_to_counters(o.state_dir, entries.size(), 0, err))
    std::fprintf(stderr, "fwc: warning: blocked, but the counters were not updated: %s\n", err.c_str());
  if (verbosity() != Verbosity::quiet) {
    const uint64_t ms = timeout ? *timeout : d.v4.timeout_ms.value_or(0);
    std::printf("fwc: blocked %zu %s in dynamic set %s (%s)\n", entries.size(),
                entries.size() == 1 ? "entry" : "entries", d.name.c_str(),
                ms ? ("for " + blocks::format_duration(ms)).c_str() : "until unblocked");
  }
  return Exit::ok;
}

// The addresses of the command line (or stdin); false after saying why and
// that nothing was `undone_verb`.
bool entries_or_say(const BlockOptions& o, const char* undone_verb, std::vector<net::Cidr>& entries) {
  std::string err;
  if (blocks::read_entries(o.entries, entries, err)) return true;
  std::fprintf(stderr, "fwc: error: %s; nothing was %s\n", err.c_str(), undone_verb);
  return false;
}

int run_block(const BlockOptions& o) {
  std::vector<net::Cidr> entries;
  if (!entries_or_say(o, "blocked", entries)) return Exit::bad_input;
  std::optional<uint64_t> timeout;  // milliseconds
  if (!o.duration.empty()) {
    auto seconds = ir::parse_duration(o.duration);
    if (!seconds) {
      std::fprintf(stderr, "fwc: error: --for %s: not a duration (30s, 5m, 1h, 2d; at most 366d)\n",
                   printable(o.duration).c_str());
      return Exit::bad_input;
    }
    timeout = *seconds * 1000;
  }
  nl::Session s;
  if (!s.ok()) return applying::fail(s.error());
  nl::Outcome res;
  for (int attempt = 0; attempt < 5; ++attempt) {
    int rc = block_once(s, o, entries, timeout, res);
    if (rc >= 0) return rc;  // else the ruleset changed meanwhile: read it again
  }
  return applying::fail(res);
}

// Live entries equal to the ones given; the others are reported.
int unblock_once(nl::Session& s, const BlockOptions& o, const std::vector<net::Cidr>& entries, nl::Outcome& res) {
  uint32_t gen = 0;
  if (!s.genid(gen, res)) return applying::fail(res);
  DynamicSet d;
  int rc = block_live::find_set(s, o.set, d);
  if (rc != Exit::ok) return rc;
  std::vector<nl::Element> live;
  if ((rc = block_live::read_both(s, d, live)) != Exit::ok) return rc;
  nl::ElementChange v4{d.kernel_name(net::Family::v4), {}, {}};
  nl::ElementChange v6{d.kernel_name(net::Family::v6), {}, {}};
  // Exact matches only, looked up in the sorted live entries.
  auto key = [](const net::Cidr& c) { return std::tuple(c.family, c.addr, c.len); };
  std::vector<std::tuple<net::Family, net::u128, uint8_t>> blocked;
  blocked.reserve(live.size());
  for (const auto& e : live) blocked.push_back(key(e.cidr));
  std::sort(blocked.begin(), blocked.end());
  size_t removed = 0, missing = 0;
  for (const auto& c : entries) {
    if (!std::binary_search(blocked.begin(), blocked.end(), key(c))) {
      if (++missing <= kMaxNotes)
        std::fprintf(stderr, "fwc: note: %s is not blocked in dynamic set %s\n", net::format_cidr(c).c_str(),
                     d.name.c_str());
      continue;
    }
    (c.family == net::Family::v4 ? v4 : v6).remove.push_back(c);
    ++removed;
  }
  if (missing > kMaxNotes) std::fprintf(stderr, "fwc: note: and %zu more not blocked\n", missing - kMaxNotes);
  if (removed > 0) {
    res = s.send(nl::build_element_changes({v4, v6}, gen, s.next_seq()));
    if (!res.ok) return res.error == ERESTART ? -1 : applying::fail(res);
  }
  std::string err;
  if (removed > 0 && !block_live::add_to_counters(o.state_dir, 0, removed, err))
    std::fprintf(stderr, "fwc: warning: unblocked, but the counters were not updated: %s\n", err.c_str());
  if (verbosity() != Verbosity::quiet)
    std::printf("fwc: unblocked %zu %s in dynamic set %s\n", removed, removed == 1 ? "entry" : "entries",
                d.name.c_str());
  return Exit::ok;
}

int run_unblock(const BlockOptions& o) {
  std::vector<net::Cidr> entries;
  if (!entries_or_say(o, "unblocked", entries)) return Exit::bad_input;
  nl::Session s;
  if (!s.ok()) return applying::fail(s.error());
  nl::Outcome res;
  for (int attempt = 0; attempt < 5; ++attempt) {
    int rc = unblock_once(s, o, entries, res);
    if (rc >= 0) return rc;
  }
  return applying::fail(res);
}

void add_common(CLI::App& app, BlockOptions& o, const char* entries_help) {
  app.add_option("entries", o.entries, entries_help)->required();
  app.add_option("--set", o.set, "The dynamic set (default: the only one)");
  app.add_option("--state-dir", o.state_dir, "Where fwc keeps its state (default /var/lib/fwc)");
}

}  // namespace

Run setup_block(CLI::App& app) {
  auto o = std::make_shared<BlockOptions>();
  add_common(app, *o, "Addresses or CIDRs to block; - reads them from standard input, one a line");
  app.add_option("--for", o->duration, "How long the block lasts: 30s, 5m, 1h, 2d (default: the set's timeout)");
  app.add_option("--reason", o->reason, "Why (kept as the entry's comment, at most 127 bytes)");
  return [o] { return run_block(*o); };
}

Run setup_unblock(CLI::App& app) {
  auto o = std::make_shared<BlockOptions>();
  add_common(app, *o, "Blocked addresses or CIDRs to remove; - reads them from standard input");
  return [o] { return run_unblock(*o); };
}

}  // namespace fwc::cli
