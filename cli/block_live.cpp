#include "cli/block_live.h"

#include <cerrno>
#include <cstdio>

#include "cli/apply_common.h"
#include "cli/apply_state.h"

namespace fwc::cli::block_live {

namespace {

// A set or table that is not there is the caller's mistake (exit 2); any
// other failure is the kernel's (exit 3).
int failed(const nl::Outcome& err) {
  if (err.error != ENOENT) return applying::fail(err);
  std::fprintf(stderr, "fwc: error: %s\n", err.message.c_str());
  return Exit::bad_input;
}

int read_into(nl::Session& s, const std::string& set, std::vector<nl::Element>& out) {
  std::vector<nl::Element> got;
  nl::Outcome err;
  if (!nl::read_elements(s, set, got, err)) return failed(err);
  out.insert(out.end(), got.begin(), got.end());
  return Exit::ok;
}

}  // namespace

int read_dynamic(nl::Session& s, std::vector<blocks::DynamicSet>& out) {
  std::vector<nl::SetInfo> sets;
  nl::Outcome err;
  if (!nl::read_sets(s, sets, err)) return failed(err);
  out = blocks::dynamic_sets(sets);
  return Exit::ok;
}

int find_set(nl::Session& s, const std::string& name, blocks::DynamicSet& out) {
  std::vector<blocks::DynamicSet> sets;
  int rc = read_dynamic(s, sets);
  if (rc != Exit::ok) return rc;
  std::string why;
  const blocks::DynamicSet* d = blocks::pick(sets, name, why);
  if (!d) {
    std::fprintf(stderr, "fwc: error: %s\n", why.c_str());
    return Exit::bad_input;
  }
  out = *d;
  return Exit::ok;
}

int read_never(nl::Session& s, std::vector<nl::Element>& out) {
  out.clear();
  int rc = read_into(s, "never_v4", out);
  return rc == Exit::ok ? read_into(s, "never_v6", out) : rc;
}

int read_both(nl::Session& s, const blocks::DynamicSet& d, std::vector<nl::Element>& out) {
  out.clear();
  int rc = read_into(s, d.kernel_name(net::Family::v4), out);
  return rc == Exit::ok ? read_into(s, d.kernel_name(net::Family::v6), out) : rc;
}

Counters read_counters(const std::string& state_dir) {
  Counters c;
  std::string text;
  if (!state::read_file(state::paths(state_dir).file("blocks.counters"), text)) return c;
  unsigned long long added = 0, unblocked = 0;
  if (std::sscanf(text.c_str(), "added %llu unblocked %llu", &added, &unblocked) == 2) {
    c.added = added;
    c.unblocked = unblocked;
  }
  return c;
}

bool add_to_counters(const std::string& state_dir, uint64_t added, uint64_t unblocked, std::string& err) {
  const state::Paths p = state::paths(state_dir);
  if (!state::ensure_dir(p.dir, err)) return false;
  Counters c = read_counters(state_dir);
  c.added += added;
  c.unblocked += unblocked;
  return state::write_file(p.file("blocks.counters"),
                           "added " + std::to_string(c.added) + " unblocked " + std::to_string(c.unblocked) + "\n",
                           err);
}

}  // namespace fwc::cli::block_live
