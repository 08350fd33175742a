#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace fwc::cli {

// Exit status shared by every command (fwc(1), EXIT STATUS).
enum Exit : int { ok = 0, findings = 1, bad_input = 2, runtime_failure = 3 };

// A subcommand declares its options on `app` and returns what runs it.
using Run = std::function<int()>;
struct Command {
  const char* name;
  const char* help;
  Run (*setup)(CLI::App& app);
};

Run setup_lint(CLI::App& app);
Run setup_compile(CLI::App& app);
Run setup_explain(CLI::App& app);
Run setup_targets(CLI::App& app);
Run setup_verify(CLI::App& app);
Run setup_apply(CLI::App& app);
Run setup_remove(CLI::App& app);
Run setup_diff(CLI::App& app);
Run setup_refresh(CLI::App& app);
Run setup_status(CLI::App& app);
Run setup_confirm(CLI::App& app);
Run setup_block(CLI::App& app);
Run setup_unblock(CLI::App& app);
Run setup_blocked(CLI::App& app);
Run setup_schema(CLI::App& app);
Run setup_init(CLI::App& app);
Run setup_completion(CLI::App& app);
// Hidden `fwc __complete nodes|roles POLICY`: the names the completion
// scripts offer after --node and --role, one a line, quiet on errors.
Run setup_complete_names(CLI::App& app);

// "TARGET:{nftables,iptables,...}": the type name of a --target option,
// which --help shows and the completion scripts read the targets from.
std::string target_type_name();

// The global --quiet / --verbose convention (fwc(1)): quiet drops progress
// and summary lines, verbose adds them on standard error.
enum class Verbosity { quiet, normal, verbose };
Verbosity verbosity();

// --node / --role, shared by the commands that pick what to compile; each
// command says what the choice means for it.
struct SelectionOptions {
  std::string node, role;
  void add_to(CLI::App& app, const char* node_help, const char* role_help);
  ir::Selection get() const;
};

bool use_colour(int fd);
void print_diagnostics(const DiagnosticEngine& diags, FILE* to);

}  // namespace fwc::cli
