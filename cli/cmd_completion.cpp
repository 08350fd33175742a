#include <cstdio>
#include <set>

#include "cli/commands.h"
#include "cli/completion.h"
#include "compiler/parse/loader.h"

namespace fwc::cli {

Run setup_completion(CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  app.add_option("shell", *shell, "The shell to write a completion script for")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  const CLI::App* self = &app;
  return [shell, self] {
    const CLI::App* root = self;
    while (root->get_parent()) root = root->get_parent();
    std::string script = *shell == "bash" ? bash_completion(*root) : zsh_completion(*root);
    std::fwrite(script.data(), 1, script.size(), stdout);
    return std::fflush(stdout) == 0 ? int(Exit::ok) : int(Exit::runtime_failure);
  };
}

namespace {

// Node or role names a policy defines, sorted; a policy that does not load
// gives what could be read (nothing when it is not YAML).
std::set<std::string> policy_names(const std::string& kind, const std::string& path) {
  DiagnosticEngine quiet;
  auto policy = parse::load_policy_file(path, quiet);
  std::set<std::string> out;
  if (!policy) return out;
  for (const auto& n : policy->nodes) {
    if (kind == "nodes") {
      out.insert(n.name.value);
    } else {
      for (const auto& r : n.roles) out.insert(r.value);
    }
  }
  if (kind == "roles")
    for (const auto& r : policy->roles) out.insert(r.value);
  out.erase("");
  return out;
}

}  // namespace

Run setup_complete_names(CLI::App& app) {
  auto kind = std::make_shared<std::string>();
  auto policy = std::make_shared<std::string>();
  app.add_option("kind", *kind, "nodes or roles")->required()->check(CLI::IsMember({"nodes", "roles"}));
  app.add_option("policy", *policy, "Policy file")->required();
  return [kind, policy] {
    for (const auto& name : policy_names(*kind, *policy)) std::printf("%s\n", name.c_str());
    return int(Exit::ok);
  };
}

}  // namespace fwc::cli
