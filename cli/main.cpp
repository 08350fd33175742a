#include <unistd.h>
#include <cstdlib>
#include <cstdio>
#include <exception>

#include "cli/commands.h"

namespace fwc::cli {

namespace {
// Every subcommand, in the order `fwc --help` lists them.
constexpr Command kCommands[] = {
    {"lint", "Check policies: syntax, references, safety warnings", &setup_lint},
    {"compile", "Compile a policy for one target", &setup_compile},
    {"explain", "Show which rule decides a packet, and why", &setup_explain},
    {"targets", "List the compile targets", &setup_targets},
    {"apply", "Install a policy's nftables ruleset on this host, atomically", &setup_apply},
    {"remove", "Delete fwc's nftables table (and nothing else)", &setup_remove},
    {"diff", "Compare the live nftables table with what a policy installs", &setup_diff},
    {"status", "Show the live rules with their counters", &setup_status},
    {"confirm", "Keep a ruleset applied with --confirm (cancel its rollback)", &setup_confirm},
    {"verify", "Probe a host and compare what answers with the policy", &setup_verify},
    {"init", "Write a commented starter policy", &setup_init},
    {"schema", "Print the JSON Schema of the policy language", &setup_schema},
    {"completion", "Print a bash or zsh completion script", &setup_completion},
};
Verbosity g_verbosity = Verbosity::normal;
}  // namespace

Verbosity verbosity() { return g_verbosity; }

void SelectionOptions::add_to(CLI::App& app) {
  auto* n = app.add_option("--node", node, "Compile for this node of the policy");
  auto* r = app.add_option("--role", role, "Compile for a node with this role");
  n->excludes(r);
}

ir::Selection SelectionOptions::get() const {
  if (!node.empty()) return {ir::Selection::Kind::node, node};
  if (!role.empty()) return {ir::Selection::Kind::role, role};
  return {};
}

bool use_colour(int fd) {
  const char* no = std::getenv("NO_COLOR");
  return (!no || !*no) && isatty(fd);
}

void print_diagnostics(const DiagnosticEngine& diags, FILE* to) {
  std::string text = diags.render_all(use_colour(fileno(to)));
  std::fwrite(text.data(), 1, text.size(), to);
}

}  // namespace fwc::cli

int main(int argc, char** argv) {
  using namespace fwc::cli;
  CLI::App app{"fwc: firewall policy compiler and validator", "fwc"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("fwc ") + FWC_VERSION);
  bool quiet = false, verbose = false;
  app.add_flag("-q,--quiet", quiet, "Print only errors and results");
  app.add_flag("-v,--verbose", verbose, "Also print progress on standard error");
  app.fallthrough();  // the global flags may follow the subcommand too
  std::vector<std::pair<CLI::App*, Run>> runs;
  for (const auto& c : kCommands) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    runs.emplace_back(sub, c.setup(*sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? Exit::ok : Exit::bad_input;
  }
  g_verbosity = quiet ? Verbosity::quiet : verbose ? Verbosity::verbose : Verbosity::normal;
  try {
    for (auto& [sub, run] : runs)
      if (sub->parsed()) return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fwc: internal error: %s\n", e.what());
    return Exit::runtime_failure;
  }
  return Exit::bad_input;
}
