// `fwc status`: the live table inet fwc, each policy rule's counters, and
// whether a --confirm rollback is pending and armed.
#include <memory>
#include <string>

#include "backends/nftables/netlink/nl_snapshot.h"
#include "cli/apply_common.h"
#include "cli/status_report.h"

namespace fwc::cli {

using namespace status;

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
    if (*format == "json")
      print_json(m, rb);
    else if (*format == "prometheus")
      print_prometheus(m, rb);
    else
      print_text(m, rb);
    // A rollback the operator counts on that will not happen is a finding.
    return int(rb.pending && !rb.armed ? Exit::findings : Exit::ok);
  };
}

}  // namespace fwc::cli
