#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

// What the bash and zsh completion scripts are generated from: the options
// and subcommands of the command-line definition, and the quoting both need.
namespace fwc::cli::completion {

struct OptionInfo {
  std::vector<std::string> names;    // -o, --output
  std::vector<std::string> choices;  // from an IsMember check
  std::string description;
  std::string policy_names;  // "nodes" or "roles": names read from the policy on the line
  bool takes_value = false;
  bool positional = false;
};

std::vector<OptionInfo> options_of(const CLI::App& app);
// The subcommands --help shows.
std::vector<const CLI::App*> subcommands_of(const CLI::App& app);
// Every command path, depth first: "" (fwc itself), "lint", ...
void walk(const CLI::App& app, const std::string& path,
          const std::function<void(const CLI::App&, const std::string&)>& visit);
// The shell function completing subcommand `sub` of the one named `parent`.
std::string function_name(const std::string& parent, const std::string& sub);
std::string join(const std::vector<std::string>& words, const char* sep = " ");
// Inside single quotes in a shell script.
std::string shell_quote(const std::string& s);

}  // namespace fwc::cli::completion
