// `fwc diff POLICY`: the live table inet fwc against what the policy installs;
// with two policies or --git, the semantic diff of two versions (policy_diff.h).
#include <cstdio>

#include "backends/nftables/netlink/nl_snapshot.h"
#include "cli/apply_common.h"
#include "cli/coexist_report.h"
#include "cli/managers/manager_commands.h"
#include "cli/name_cache.h"
#include "cli/policy_diff.h"

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

int run_semantic(const std::vector<std::string>& files, PolicyDiffOptions o, const SelectionOptions& selection) {
  if (!o.git_rev.empty() && files.size() != 1) {
    std::fprintf(stderr, "fwc: error: --git compares one policy file with its version at a revision\n");
    return Exit::bad_input;
  }
  o.before = files.front();
  o.after = files.back();
  o.only = selection.get();
  return run_policy_diff(o);
}

}  // namespace

Run setup_diff(CLI::App& app) {
  auto o = std::make_shared<DiffOptions>();
  auto files = std::make_shared<std::vector<std::string>>();
  auto semantic = std::make_shared<PolicyDiffOptions>();
  app.add_option("policy", *files, "Policy file; two (OLD NEW): compare two versions of a policy")
      ->required()
      ->expected(1, 2);
  app.add_option("--git", semantic->git_rev, "Compare POLICY with its version at this git revision");
  app.add_option("--format", semantic->format, "Output of a comparison of two versions")
      ->check(CLI::IsMember({"text", "markdown", "github", "json"}));
  o->selection.add_to(app, "Compare with the rules of this node (default: the node this host is)",
                       "Compare with the rules of a node with this role");
  app.add_flag("--strict", o->strict, "Exit 1 also when another firewall can drop what the policy accepts");
  auto backend = std::make_shared<std::string>("nftables");
  auto dir = std::make_shared<std::string>();
  managers::add_backend_option(app, *backend, "Compare fwc's table, or this firewall manager's state");
  app.add_option("--state-dir", *dir, "Where fwc keeps its state, for --backend (default /var/lib/fwc)");
  return [o, files, semantic, backend, dir] {
    if (files->size() == 2 || !semantic->git_rev.empty()) {
      if (o->strict || *backend != "nftables" || !dir->empty()) {
        std::fprintf(stderr, "fwc: error: --strict, --backend and --state-dir concern the live firewall, not "
                             "a comparison of two policy versions\n");
        return static_cast<int>(Exit::bad_input);
      }
      return run_semantic(*files, *semantic, o->selection);
    }
    if (semantic->format != "text") {
      std::fprintf(stderr, "fwc: error: --format applies to a comparison of two policy versions (OLD NEW or --git)\n");
      return static_cast<int>(Exit::bad_input);
    }
    o->policy = files->front();
    return *backend == "nftables" ? run_diff(*o)
                                  : managers::run_manager_diff(*backend, o->policy, o->selection, *dir);
  };
}

}  // namespace fwc::cli
