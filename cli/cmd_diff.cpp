// `fwc diff POLICY`: the live table inet fwc against what the policy installs.
#include <cstdio>

#include "backends/nftables/netlink/nl_snapshot.h"
#include "cli/apply_common.h"
#include "cli/coexist_report.h"
#include "cli/managers/manager_commands.h"
#include "cli/name_cache.h"

namespace fwc::cli {

namespace {

struct DiffOptions {
  std::string policy;
  SelectionOptions selection;
  bool strict = false;
};

// The other firewalls' warnings (stderr); with --strict they are findings.
bool others_warn(nft::netlink::Session& s, const DiffOptions& o, const ir::Ruleset& rs) {
  cli::coexist::Report report;
  nft::netlink::Outcome err;
  if (!cli::coexist::read(s, report, err)) {
    std::fprintf(stderr, "fwc: warning: cannot read the other tables of this host: %s\n", err.message.c_str());
    return o.strict;
  }
  return cli::coexist::print_consequences(report, rs, stderr) > 0 && o.strict;
}

int run_diff(const DiffOptions& o) {
  applying::Prepared pr;
  HostNames hosts("");
  if (int rc = applying::prepare(o.policy, o.selection, hosts.options(), pr)) return rc;
  try {
    nft::netlink::Session s;
    if (!s.ok()) return applying::fail(s.error());
    nft::netlink::Snapshot live;
    nft::netlink::Outcome err;
    std::vector<std::string> lines;
    if (!applying::read_and_diff(s, applying::wanted_model(pr.table), false, true, live, lines, err))
      return applying::fail(err);
    const bool refused = others_warn(s, o, pr.ruleset);
    if (lines.empty()) {
      std::printf("fwc: no change: table inet fwc matches the policy\n");
      return refused ? Exit::findings : Exit::ok;
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
  o->selection.add_to(app, "Compare with the rules of this node (default: the node this host is)",
                       "Compare with the rules of a node with this role");
  app.add_flag("--strict", o->strict, "Exit 1 also when another firewall can drop what the policy accepts");
  auto backend = std::make_shared<std::string>("nftables");
  auto dir = std::make_shared<std::string>();
  managers::add_backend_option(app, *backend, "Compare fwc's table, or this firewall manager's state");
  app.add_option("--state-dir", *dir, "Where fwc keeps its state, for --backend (default /var/lib/fwc)");
  return [o, backend, dir] {
    return *backend == "nftables" ? run_diff(*o)
                                  : managers::run_manager_diff(*backend, o->policy, o->selection, *dir);
  };
}

}  // namespace fwc::cli
