#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "backends/backend.h"
#include "cli/commands.h"
#include "cli/stdout_guard.h"

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
    {"diff", "Compare the live table with a policy, or two versions of a policy by what they decide", &setup_diff},
    {"refresh", "Resolve host names and reread list files; update those sets of the live table in place",
     &setup_refresh},
    {"status", "Show the live rules with their counters", &setup_status},
    {"confirm", "Keep a ruleset applied with --confirm (cancel its rollback)", &setup_confirm},
    {"block", "Block addresses now, in a dynamic block set of the live table", &setup_block},
    {"unblock", "Remove addresses from a dynamic block set", &setup_unblock},
    {"blocked", "List the entries of the dynamic block sets, with time left and reason", &setup_blocked},
    {"verify", "Probe a host and compare what answers with the policy", &setup_verify},
    {"init", "Write a commented starter policy", &setup_init},
    {"schema", "Print the JSON Schema of the policy language", &setup_schema},
    {"completion", "Print a bash or zsh completion script", &setup_completion},
};
// Not listed by --help: what the completion scripts call.
constexpr Command kHiddenCommand = {"__complete", "Names for shell completion", &setup_complete_names};
Verbosity g_verbosity = Verbosity::normal;

// The first word that is not a global flag names the command; a word no
// command has gets the project's own message and a suggestion, not CLI11's
// generic one.
bool unknown_command(int argc, char** argv) {
  std::vector<std::string> names;
  for (const auto& c : kCommands) names.emplace_back(c.name);
  names.emplace_back(kHiddenCommand.name);
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (!word.empty() && word[0] == '-') {
      if (word == "-q" || word == "-v" || word == "--quiet" || word == "--verbose") continue;
      return false;  // --help, --version, or a usage error CLI11 reports
    }
    if (std::find(names.begin(), names.end(), word) != names.end()) return false;
    std::string msg = "fwc: unknown command '" + word + "'";
    std::string close = closest_match(word, names);
    if (!close.empty()) msg += " (did you mean '" + close + "'?)";
    std::fprintf(stderr, "%s\nRun with --help for more information.\n", msg.c_str());
    return true;
  }
  return false;
}

// -q/-v are accepted before the command and after it; declaring them on
// each subcommand too makes its --help show them.
void add_verbosity_flags(CLI::App& app, bool& quiet, bool& verbose) {
  app.add_flag("-q,--quiet", quiet, "Print only errors and results");
  app.add_flag("-v,--verbose", verbose, "Also print progress on standard error");
}

int parse_and_run(int argc, char** argv) {
  CLI::App app{"fwc: firewall policy compiler and validator", "fwc"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("fwc ") + FWC_VERSION);
  bool quiet = false, verbose = false;
  add_verbosity_flags(app, quiet, verbose);
  app.fallthrough();  // the global flags may follow the subcommand too
  std::vector<std::pair<CLI::App*, Run>> runs;
  for (const auto& c : kCommands) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    add_verbosity_flags(*sub, quiet, verbose);
    runs.emplace_back(sub, c.setup(*sub));
  }
  CLI::App* hidden = app.add_subcommand(kHiddenCommand.name, kHiddenCommand.help)->group("");
  runs.emplace_back(hidden, kHiddenCommand.setup(*hidden));
  if (unknown_command(argc, argv)) return Exit::bad_input;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? Exit::ok : Exit::bad_input;
  }
  g_verbosity = quiet ? Verbosity::quiet : verbose ? Verbosity::verbose : Verbosity::normal;
  for (auto& [sub, run] : runs)
    if (sub->parsed()) return run();
  return Exit::bad_input;
}

}  // namespace

Verbosity verbosity() { return g_verbosity; }

std::string target_type_name() {
  std::string names;
  for (const auto& b : backend::registry()) names += (names.empty() ? "" : ",") + std::string(b.name);
  return "TARGET:{" + names + "}";
}

void SelectionOptions::add_to(CLI::App& app, const char* node_help, const char* role_help) {
  auto* n = app.add_option("--node", node, node_help);
  auto* r = app.add_option("--role", role, role_help);
  n->excludes(r);
}

ir::Selection SelectionOptions::get() const {
  if (!node.empty()) return {ir::Selection::Kind::node, node};
  if (!role.empty()) return {ir::Selection::Kind::role, role};
  return {};
}

// Colour only on a terminal that can show it: NO_COLOR (no-color.org) set
// and not empty, or TERM=dumb, turn it off.
bool use_colour(int fd) {
  const char* no = std::getenv("NO_COLOR");
  if (no && *no) return false;
  const char* term = std::getenv("TERM");
  if (term && std::strcmp(term, "dumb") == 0) return false;
  return isatty(fd);
}

void print_diagnostics(const DiagnosticEngine& diags, FILE* to) {
  std::string text = diags.render_all(use_colour(descriptor_of(to)));
  std::fwrite(text.data(), 1, text.size(), to);
}

}  // namespace fwc::cli

int main(int argc, char** argv) {
  using namespace fwc::cli;
  guard_stdout();
  int rc;
  try {
    rc = parse_and_run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fwc: internal error: %s\n", e.what());
    rc = Exit::runtime_failure;
  }
  // With SIGPIPE at its default a closed pipe has ended fwc quietly by now,
  // as it ends other Unix tools.
  return finish_stdout(rc);
}
