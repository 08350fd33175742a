#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "cli/apply_run.h"
#include "cli/commands.h"
#include "cli/managers/manager_commands.h"

namespace fwc::cli {

namespace {

#ifdef FWC_TEST_HOOKS
// Test hooks, compiled only into fwc-testhooks (never installed): the
// shipped fwc reads no such variables.
bool test_flag(const char* name) {
  const char* v = std::getenv(name);
  return v && *v == '1';
}

struct TestHooks : ApplyHooks {
  bool inject_bad_element() const override { return test_flag("FWC_TEST_INJECT_BAD_ELEMENT"); }
  // Hold the batch until a file exists (a concurrent change goes in between).
  void pause_before_commit() const override {
    const char* path = std::getenv("FWC_TEST_PAUSE_BEFORE_COMMIT");
    if (!path || !*path) return;
    std::fprintf(stderr, "fwc: waiting for %s before committing\n", path);
    std::fclose(std::fopen((std::string(path) + ".waiting").c_str(), "w"));
    for (int i = 0; i < 1200 && access(path, F_OK) != 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
};

const ApplyHooks& hooks() {
  static const TestHooks test_hooks;
  return test_hooks;
}
#else
const ApplyHooks& hooks() {
  static const ApplyHooks none;
  return none;
}
#endif

}  // namespace

Run setup_apply(CLI::App& app) {
  auto o = std::make_shared<ApplyOptions>();
  app.add_option("policy", o->policy, "Policy file")->required();
  app.add_flag("--dry-run", o->dry_run,
               "Print the diff and let the kernel validate the ruleset, applying nothing");
  app.add_flag("--force", o->force, "Apply even if it would cut your SSH session, or nothing changed");
  app.add_flag("--always", o->always, "Apply even when the live table already matches");
  app.add_flag("--strict", o->strict,
               "Refuse when another firewall on this host can drop what the policy accepts (nothing applied)");
  app.add_option("--confirm", o->confirm, "Roll back after SECONDS unless 'fwc confirm' runs")
      ->check(CLI::Range(1u, 86400u));
  app.add_option("--state-dir", o->state_dir, "Where fwc keeps its state (default /var/lib/fwc)");
  o->selection.add_to(app, "Apply the rules of this node (default: this host's node, by address or name)",
                      "Apply the rules of a node with this role");
  auto backend = std::make_shared<std::string>("nftables");
  managers::add_backend_option(app, *backend,
                               "Install through nftables (fwc's own table) or through this firewall manager");
  return [o, backend] {
    return *backend == "nftables" ? run_apply(*o, hooks()) : managers::run_manager_apply(*backend, *o);
  };
}

Run setup_remove(CLI::App& app) {
  auto dry = std::make_shared<bool>(false);
  auto dir = std::make_shared<std::string>();
  app.add_flag("--dry-run", *dry, "Validate the removal without doing it");
  app.add_option("--state-dir", *dir, "Where fwc keeps its state (default /var/lib/fwc)");
  auto backend = std::make_shared<std::string>("nftables");
  managers::add_backend_option(app, *backend, "Remove fwc's table, or restore this firewall manager's state");
  return [dry, dir, backend] {
    return *backend == "nftables" ? run_remove(*dry, *dir, hooks())
                                  : managers::run_manager_remove(*backend, *dry, *dir);
  };
}

}  // namespace fwc::cli
