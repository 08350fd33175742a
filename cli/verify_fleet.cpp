#include "cli/verify_fleet.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "cli/commands.h"
#include "cli/name_cache.h"
#include "cli/ruleset_loader.h"
#include "cli/verify_target.h"
#include "cli/verify_tests.h"
#include "compiler/diag/printable.h"
#include "compiler/ir/selection.h"
#include "validator/prober/privileges.h"
#include "validator/prober/shared_rate.h"

namespace fwc::cli::verify {

namespace {

namespace pr = prober;

// Each node of the policy, or each of `role`'s, as a node selection: every
// node is judged against its own rules.
struct NodesOf : DefaultSelection {
  std::string role;
  bool pick(const ir::Policy& p, std::vector<ir::Selection>& out) const override {
    if (!role.empty()) {
      DiagnosticEngine diags;
      if (!ir::validate_selection(p, {ir::Selection::Kind::role, role}, diags)) {
        print_diagnostics(diags, stderr);
        return false;
      }
    }
    out.clear();
    for (const auto& n : p.nodes)
      if (role.empty() || std::find(n.roles.begin(), n.roles.end(), role) != n.roles.end())
        out.push_back({ir::Selection::Kind::node, n.name});
    if (!out.empty()) return true;
    if (role.empty())
      std::fprintf(stderr, "fwc: the policy names no nodes: --all has nothing to probe\n");
    else
      std::fprintf(stderr, "fwc: no node of the policy has role %s: --all has nothing to probe\n",
                   printable(role).c_str());
    return false;
  }
};

std::optional<LoadedRules> load_fleet(const FleetOptions& o) {
  NodesOf nodes;
  nodes.role = o.role;
  DiagnosticEngine diags;
  HostNames hosts("");
  auto rules = load_rules(o.policy, {ir::Selection{}, false, &nodes, hosts.options()}, diags);
  if (std::string ignored; rules) hosts.save(ignored);  // best effort, as explain
  return rules;
}

// A target per address of each chosen node; one that says why for a node
// without any.
std::vector<FleetTarget> targets_of(const LoadedRules& rules) {
  std::vector<FleetTarget> out;
  for (size_t i = 0; i < rules.rulesets.size(); ++i) {
    const std::string& name = rules.rulesets[i].selected.name;
    auto node = std::find_if(rules.policy.nodes.begin(), rules.policy.nodes.end(),
                             [&](const ir::Node& n) { return n.name == name; });
    if (node == rules.policy.nodes.end() || node->addresses.empty()) {
      out.push_back({name, "", i, "no address in the policy", {}});
      continue;
    }
    for (const auto& a : node->addresses) out.push_back({name, net::format_address(a.family, a.value), i, "", {}});
  }
  return out;
}

// What every target needs before the privileges go: its ports and its
// sockets. A target that cannot have them keeps the reason in `error`.
struct Prepared {
  std::vector<PortPlan> ports;
  std::vector<PreparedProbe> probes;
  size_t probe_count = 0;  // ports over all targets
};

void prepare_all(const FleetOptions& o, const LoadedRules& rules, std::vector<FleetTarget>& targets,
                 Prepared& p) {
  p.ports.resize(targets.size());
  p.probes.resize(targets.size());
  for (size_t i = 0; i < targets.size(); ++i) {
    FleetTarget& t = targets[i];
    if (!t.error.empty()) continue;
    auto addr = pr::IpAddr::parse(t.address);
    if (!addr) {
      t.error = "not an IP address";
      continue;
    }
    if (t.error = unprobeable(*addr); !t.error.empty()) {
      t.error = "will not probe it: " + t.error;
      continue;
    }
    auto plan = plan_ports(o.ports, &rules, o.probing.udp, t.ruleset);
    if (!plan) {
      t.error = "no ports to probe";
      continue;
    }
    add_test_ports(rules.policy, rules.rulesets[t.ruleset], o.probing.udp, *plan);
    p.ports[i] = std::move(*plan);
    p.probe_count += p.ports[i].tcp.size() + p.ports[i].udp.size();
    if (prepare_probe(*addr, o.probing, p.probes[i], t.error) != Exit::ok && t.error.empty())
      t.error = "cannot open the probe sockets";
  }
}

// Each scan may take as long as every probe of the fleet at the shared
// rate, with its retries and their timeouts: the others share the budget.
pr::Duration fleet_bound(const ProbeSettings& s, size_t probes) {
  const double send_s = double(probes) * (s.retries + 1) / std::max(1.0, s.rate);
  return std::chrono::duration_cast<pr::Duration>(std::chrono::duration<double>(send_s)) +
         (s.retries + 1) * std::chrono::seconds(2) + std::chrono::seconds(5);
}

struct Progress {
  std::mutex mutex;
  size_t done = 0, total = 0;
  bool shown = isatty(STDERR_FILENO) != 0;
  void tick() {
    if (!shown) return;
    std::lock_guard<std::mutex> lock(mutex);
    std::fprintf(stderr, "\r\033[Kprobing: %zu/%zu targets done", ++done, total);
    std::fflush(stderr);
  }
};

void probe_one(const FleetOptions& o, const LoadedRules& rules, const ProbeSettings& s,
               const std::string& privileges, Prepared& p, size_t i, FleetTarget& t) {
  ProbeRun run;
  run.privileges = privileges;
  if (run_probe(p.probes[i], p.ports[i], s, run, t.error) != Exit::ok) {
    if (t.error.empty()) t.error = "the scan failed";
    return;
  }
  const Judging judging{&rules.policy, &rules.rulesets[t.ruleset], o.policy, o.probing.udp};
  if (!judged_report(std::move(run), t.address, judging, t.report))
    t.error = "the probes' source address is not an address";
}

// Probes the prepared targets, `o.parallel` at a time.
void probe_all(const FleetOptions& o, const LoadedRules& rules, const std::string& privileges, Prepared& p,
               std::vector<FleetTarget>& targets) {
  pr::SharedRate rate(o.probing.rate);
  ProbeSettings s = o.probing;
  s.shared_rate = &rate;
  s.max_runtime = fleet_bound(s, p.probe_count);
  s.progress = false;
  Progress progress;
  progress.total = targets.size();
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < targets.size(); i = next++) {
      if (targets[i].error.empty()) probe_one(o, rules, s, privileges, p, i, targets[i]);
      progress.tick();
    }
  };
  std::vector<std::thread> threads;
  const size_t n = std::clamp<size_t>(o.parallel, 1, std::max<size_t>(1, targets.size()));
  for (size_t k = 0; k < n; ++k) threads.emplace_back(worker);
  for (auto& th : threads) th.join();
  if (progress.shown) std::fprintf(stderr, "\r\033[K");
}

}  // namespace

int run_fleet(const FleetOptions& o) {
  if (std::string bad_rate = pr::rate_problem(o.probing.rate); !bad_rate.empty()) {
    std::fprintf(stderr, "fwc: %s\n", bad_rate.c_str());
    return Exit::bad_input;
  }
  if (!plan_ports(o.ports, nullptr, o.probing.udp)) return Exit::bad_input;
  auto rules = load_fleet(o);
  if (!rules) return Exit::bad_input;
  std::vector<FleetTarget> targets = targets_of(*rules);
  Prepared prepared;
  prepare_all(o, *rules, targets, prepared);
  // Every socket is open: nothing from here on needs privileges.
  pr::Privileges priv = pr::drop_privileges(o.probing.user);
  if (!priv.ok) {
    std::fprintf(stderr, "fwc: cannot drop privileges after opening the sockets: %s\n", priv.error.c_str());
    return Exit::runtime_failure;
  }
  probe_all(o, *rules, priv.done, prepared, targets);
  bool unprobed = false, failed = false;
  for (const auto& t : targets) {
    if (!t.error.empty())
      std::fprintf(stderr, "fwc: node %s (%s): not probed: %s\n", printable(t.node).c_str(),
                   t.address.empty() ? "no address" : t.address.c_str(), printable(t.error).c_str());
    unprobed |= !t.error.empty();
    failed |= t.error.empty() && has_failures(t.report);
  }
  if (o.format == "json") print_fleet_json(targets, stdout);
  else if (o.format == "junit") print_fleet_junit(targets, stdout);
  else print_fleet_text(targets, stdout);
  return unprobed ? Exit::runtime_failure : failed ? Exit::findings : Exit::ok;
}

}  // namespace fwc::cli::verify
