// `fwc status`: the live table inet fwc, each policy rule's counters, and
// whether a --confirm rollback is pending and armed.
#include <cstdio>
#include <memory>
#include <string>

#include "backends/nftables/netlink/nl_snapshot.h"
#include "cli/apply_common.h"
#include "cli/block_live.h"
#include "cli/status_report.h"

namespace fwc::cli {

using namespace status;

namespace {

// Sets up to this size are read to count their entries: the kernel's own
// count includes entries expired but not yet collected, and reading a large
// interval set takes seconds.
constexpr long long kReadUpTo = 20000;

// The live dynamic sets' sizes and the state's block counters.
bool blocks_of(nft::netlink::Session& s, const std::string& dir, Blocks& out, nft::netlink::Outcome& err) {
  std::vector<nft::netlink::SetInfo> sets;
  if (!nft::netlink::read_sets(s, sets, err)) return false;
  uint64_t present = 0;
  for (const auto& d : blocks::dynamic_sets(sets)) {
    DynamicSet row{d.name, 0, d.v4.size};
    for (const auto* half : {&d.v4, &d.v6}) {
      std::vector<nft::netlink::Element> got;
      if (half->count > kReadUpTo)
        row.elements += static_cast<uint64_t>(half->count);
      else if (nft::netlink::read_elements(s, half->name, got, err))
        row.elements += got.size();
      else
        return false;
    }
    present += row.elements;
    out.sets.push_back(row);
  }
  const auto c = block_live::read_counters(dir);
  out.added = c.added;
  const uint64_t gone = c.unblocked + present;
  out.expired = c.added > gone ? c.added - gone : 0;
  return true;
}

}  // namespace

Run setup_status(CLI::App& app) {
  auto format = std::make_shared<std::string>("text");
  auto dir = std::make_shared<std::string>();
  app.add_option("--format", *format, "Output: text, json or prometheus (node_exporter textfile)")
      ->check(CLI::IsMember({"text", "json", "prometheus"}));
  app.add_option("--state-dir", *dir, "Where fwc keeps its state (default /var/lib/fwc)");
  return [format, dir] {
    nft::netlink::Session s;
    if (!s.ok()) return applying::fail(s.error());
    nft::netlink::Snapshot live;
    nft::netlink::Outcome err;
    if (!nft::netlink::read_table(s, live, err, false)) return applying::fail(err);
    const auto m = nft::netlink::model_of(live);
    const Rollback rb = rollback_of(*dir);
    Blocks b;
    if (!blocks_of(s, *dir, b, err)) return applying::fail(err);
    coexist::Report others;
    const bool read_others = coexist::read(s, others, err);
    if (!read_others && *format != "prometheus")
      std::fprintf(stderr, "fwc: warning: cannot read the other tables of this host: %s\n", err.message.c_str());
    if (*format == "json")
      print_json(m, rb, b, read_others ? &others : nullptr);
    else if (*format == "prometheus")
      print_prometheus(m, rb, b);
    else
      print_text(m, rb, b, read_others ? &others : nullptr);
    // A rollback the operator counts on that will not happen is a finding.
    return int(rb.pending && !rb.armed ? Exit::findings : Exit::ok);
  };
}

}  // namespace fwc::cli
