// `fwc diff POLICY`: the live table inet fwc against what the policy installs.
#include <cstdio>

#include "backends/nftables/netlink/nl_snapshot.h"
#include "cli/apply_common.h"

namespace fwc::cli {

namespace {

struct DiffOptions {
  std::string policy;
  SelectionOptions selection;
  size_t max_elements = 8;
};

int run_diff(const DiffOptions& o) {
  applying::Prepared pr;
  if (int rc = applying::prepare(o.policy, o.selection, pr)) return rc;
  try {
    nft::netlink::Session s;
    if (!s.ok()) return applying::fail(s.error());
    nft::netlink::Snapshot live;
    nft::netlink::Outcome err;
    if (!nft::netlink::read_table(s, live, err)) return applying::fail(err);
    nft::live::DiffOptions d;
    d.max_elements = o.max_elements;
    const auto lm = nft::netlink::model_of(live);
    const auto wm = applying::wanted_model(pr.table);
    const auto lines = nft::live::diff(lm, wm, d);
    if (lines.empty()) {
      std::printf("fwc: no change: table inet fwc matches the policy\n");
      return Exit::ok;
    }
    applying::print_diff(lines, stdout);
    return Exit::findings;
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "fwc: %s\n", e.what());
    return Exit::runtime_failure;
  }
}

}  // namespace

Run setup_diff(CLI::App& app) {
  auto o = std::make_shared<DiffOptions>();
  app.add_option("policy", o->policy, "Policy file")->required();
  app.add_option("--max-elements", o->max_elements, "Set elements listed per set before summarising (default 8)");
  o->selection.add_to(app);
  return [o] { return run_diff(*o); };
}

}  // namespace fwc::cli
