#pragma once
#include <CLI/CLI.hpp>

#include <string>

namespace fwc::cli {

// Completion scripts generated from the command-line definition itself, so
// every subcommand and option `fwc --help` knows is completed.
std::string bash_completion(const CLI::App& root);
std::string zsh_completion(const CLI::App& root);

}  // namespace fwc::cli
