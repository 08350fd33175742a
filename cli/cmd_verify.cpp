// fwc verify: probe one target address and compare what answers with what
// the policy says this vantage point should see.
#include <memory>

#include "cli/commands.h"
#include "cli/ruleset_loader.h"
#include "cli/verify_plan.h"
#include "cli/verify_probe.h"
#include "cli/verify_report.h"
#include "compiler/eval/explain.h"
#include "cli/name_cache.h"

namespace fwc::cli {

namespace {

namespace pr = prober;

struct VerifyOptions {
  std::string target, policy, ports = "policy", format = "text";
  SelectionOptions selection;
  verify::ProbeSettings probing;
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

// Each probed port judged against the policy; true when any failed.
bool judge(const LoadedRules* rules, const net::Address& vantage, verify::Report& c) {
  bool failed = false;
  c.rows.reserve(c.rep.ports.size());
  for (auto& r : c.rep.ports) {
    verify::Row row{std::move(r), "", "", "", ""};
    if (rules) {
      const pr::PortResult& probed = row.r;  // r itself was moved from
      const net::Proto proto = probed.proto == pr::L4::tcp ? net::Proto::tcp : net::Proto::udp;
      eval::Packet pkt{vantage, proto, probed.port};
      verify::compare(row, eval::explain(rules->ruleset(), pkt));
      failed |= row.verdict == "failure";
    }
    c.rows.push_back(std::move(row));
  }
  return failed;
}

int run_verify(const VerifyOptions& o) {
  auto target = verify::checked_target(o.target, o.probing.rate);
  if (!target) return Exit::bad_input;
  std::optional<LoadedRules> rules;
  if (!load_policy(o, rules)) return Exit::bad_input;
  const LoadedRules* policy = rules ? &*rules : nullptr;
  auto ports = verify::plan_ports(o.ports, policy, o.probing.udp);
  if (!ports) return Exit::bad_input;
  verify::add_test_ports(policy, o.probing.udp, *ports);
  verify::ProbeRun run;
  if (int rc = verify::probe(*target, *ports, o.probing, run)) return rc;
  verify::Report c{target->str(),  run.source,        run.method,         "", "", run.note,
                   run.privileges, policy != nullptr, std::move(run.rep), {}};
  if (policy) {
    c.policy = o.policy;
    c.selection = policy->ruleset().selection;
  }
  net::Address vantage;
  if (policy && !net::parse_address(c.source, vantage)) return Exit::runtime_failure;
  bool failed = judge(policy, vantage, c);  // fills c.rows, which the tests read
  failed |= verify::judge_tests(policy, vantage, o.probing.udp, c.rows, c.tests);
  if (o.format == "json") verify::print_json_report(c, stdout);
  else if (o.format == "junit") verify::print_junit_report(c, stdout);
  else verify::print_text_report(c, stdout);
  return failed ? Exit::findings : Exit::ok;
}

}  // namespace

Run setup_verify(CLI::App& app) {
  auto o = std::make_shared<VerifyOptions>();
  app.add_option("target", o->target, "The address to probe (one IPv4 or IPv6 address)")->required();
  app.add_option("-p,--policy", o->policy, "Compare with what this policy allows from here");
  o->selection.add_to(app, "With -p: the target is this node of the policy",
                       "With -p: the target is a node with this role");
  app.add_option("--ports", o->ports, "policy (default), all, or a list like 22,80,8000-8100");
  app.add_flag("--udp", o->probing.udp, "Probe UDP ports too");
  app.add_option("--rate", o->probing.rate, "Packets per second at most (default 10000, at most 1000000)");
  app.add_option("--retries", o->probing.retries, "Probes repeated for ports that do not answer (default 2)")
      ->check(CLI::Range(0, 10));
  app.add_flag("--connect", o->probing.connect_only, "Use connect() instead of raw packets");
  app.add_option("--user", o->probing.user, "Run as this user once the sockets are open (default nobody)");
  app.add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json", "junit"}));
  return [o] { return run_verify(*o); };
}

}  // namespace fwc::cli
