// fwc verify: probe one target address, or every node of a policy
// (--all), and compare what answers with what the policy says this
// vantage point should see.
#include <memory>

#include "cli/commands.h"
#include "cli/name_cache.h"
#include "cli/ruleset_loader.h"
#include "cli/verify_fleet.h"
#include "cli/verify_plan.h"
#include "cli/verify_probe.h"
#include "cli/verify_target.h"

namespace fwc::cli {

namespace {

struct VerifyOptions {
  std::string target, policy, ports = "policy", format = "text";
  SelectionOptions selection;
  verify::ProbeSettings probing;
  bool all = false;
  size_t parallel = 16;
};

// The policy to compare with, when there is one: `rules` stays empty
// without -p. False, after the message, when it cannot be loaded.
bool load_policy(const VerifyOptions& o, std::optional<LoadedRules>& rules) {
  if (o.policy.empty()) {
    if (o.selection.node.empty() && o.selection.role.empty()) return true;
    std::fprintf(stderr, "fwc: --node and --role need a policy (-p)\n");
    return false;
  }
  DiagnosticEngine diags;
  HostNames hosts("");
  rules = load_rules(o.policy, {o.selection.get(), false, nullptr, hosts.options()}, diags);
  if (std::string ignored; rules) hosts.save(ignored);  // best effort, as explain
  return rules.has_value();
}

int run_verify(const VerifyOptions& o) {
  auto target = verify::checked_target(o.target, o.probing.rate);
  if (!target) return Exit::bad_input;
  std::optional<LoadedRules> rules;
  if (!load_policy(o, rules)) return Exit::bad_input;
  const LoadedRules* policy = rules ? &*rules : nullptr;
  auto ports = verify::plan_ports(o.ports, policy, o.probing.udp);
  if (!ports) return Exit::bad_input;
  if (policy) verify::add_test_ports(policy->policy, policy->ruleset(), o.probing.udp, *ports);
  verify::ProbeRun run;
  if (int rc = verify::probe(*target, *ports, o.probing, run)) return rc;
  verify::Report c;
  verify::Judging judging;
  if (policy) judging = {&policy->policy, &policy->ruleset(), o.policy, o.probing.udp};
  if (!verify::judged_report(std::move(run), target->str(), judging, c)) return Exit::runtime_failure;
  verify::print_report(c, o.format, stdout);
  return verify::has_failures(c) ? Exit::findings : Exit::ok;
}

// --all: the targets come from the policy, none from the command line.
int run_verify_all(const VerifyOptions& o) {
  if (!o.target.empty() || o.policy.empty() || !o.selection.node.empty()) {
    std::fprintf(stderr, "fwc: --all probes the nodes of a policy: it needs -p and takes no target "
                         "address and no --node (--role picks the nodes of one role)\n");
    return Exit::bad_input;
  }
  verify::FleetOptions f{o.policy, o.selection.role, o.ports, o.format, o.probing, o.parallel};
  return verify::run_fleet(f);
}

}  // namespace

Run setup_verify(CLI::App& app) {
  auto o = std::make_shared<VerifyOptions>();
  app.add_option("target", o->target, "The address to probe (one IPv4 or IPv6 address)");
  app.add_flag("--all", o->all, "With -p: probe every node of the policy (or of --role) at its addresses");
  app.add_option("-p,--policy", o->policy, "Compare with what this policy allows from here");
  o->selection.add_to(app, "With -p: the target is this node of the policy",
                       "With -p: the target is a node with this role");
  app.add_option("--ports", o->ports, "policy (default), all, or a list like 22,80,8000-8100");
  app.add_flag("--udp", o->probing.udp, "Probe UDP ports too");
  app.add_option("--rate", o->probing.rate,
                 "Packets per second at most, over all targets (default 10000, at most 1000000)");
  app.add_option("--retries", o->probing.retries, "Probes repeated for ports that do not answer (default 2)")
      ->check(CLI::Range(0, 10));
  app.add_option("--parallel", o->parallel, "With --all: targets probed at once (default 16)")
      ->check(CLI::Range(1, 1024));
  app.add_flag("--connect", o->probing.connect_only, "Use connect() instead of raw packets");
  app.add_option("--user", o->probing.user, "Run as this user once the sockets are open (default nobody)");
  app.add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json", "junit"}));
  return [o]() -> int {
    if (o->all) return run_verify_all(*o);
    if (o->target.empty()) {
      std::fprintf(stderr, "fwc: verify needs a target address, or --all with -p\n");
      return Exit::bad_input;
    }
    return run_verify(*o);
  };
}

}  // namespace fwc::cli
