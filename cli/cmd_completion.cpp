#include <cstdio>

#include "cli/commands.h"
#include "cli/completion.h"

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

}  // namespace fwc::cli
