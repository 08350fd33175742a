#include <cerrno>
#include <cstring>
#include <cstdio>
#include <fstream>

#include "backends/backend.h"
#include "cli/commands.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"

namespace fwc::cli {

namespace {

struct CompileOptions {
  std::string policy, target, output;
  bool strict = false;
  SelectionOptions selection;
};

// Writes next to the destination, then renames: a failed run never leaves
// a half-written ruleset behind.
bool write_atomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out.write(text.data(), static_cast<std::streamsize>(text.size()))) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int run_compile(const CompileOptions& o) {
  const backend::BackendInfo* info = backend::find_backend(o.target);
  if (!info) {
    std::vector<std::string> names;
    for (const auto& b : backend::registry()) names.push_back(b.name);
    std::string hint = did_you_mean(o.target, names);
    std::fprintf(stderr, "fwc: unknown target '%s'%s%s (see 'fwc targets')\n", o.target.c_str(),
                 hint.empty() ? "" : "; ", hint.c_str());
    return Exit::bad_input;
  }
  DiagnosticEngine diags;
  auto policy = compile_policy(o.policy, diags, false);
  ir::Selection sel = o.selection.get();
  if (policy) ir::validate_selection(*policy, sel, diags);
  std::optional<std::string> text;
  if (!diags.has_errors()) text = info->make()->compile(ir::select(*policy, sel), diags);
  print_diagnostics(diags, stderr);
  if (diags.has_errors() || !text) return Exit::bad_input;
  if (o.strict && diags.warning_count() > 0) return Exit::findings;
  if (o.output.empty() || o.output == "-") {
    std::fwrite(text->data(), 1, text->size(), stdout);
    return Exit::ok;
  }
  if (o.output == "/dev/null") return Exit::ok;
  if (!write_atomically(o.output, *text)) {
    std::fprintf(stderr, "fwc: cannot write '%s': %s\n", o.output.c_str(), std::strerror(errno));
    return Exit::runtime_failure;
  }
  return Exit::ok;
}

}  // namespace

Run setup_compile(CLI::App& app) {
  auto o = std::make_shared<CompileOptions>();
  app.add_option("policy", o->policy, "Policy file")->required();
  app.add_option("-t,--target", o->target, "Target (see 'fwc targets')")->required();
  app.add_option("-o,--output", o->output, "Write to FILE instead of standard output");
  app.add_flag("--strict", o->strict, "Treat warnings (approximations) as failures");
  o->selection.add_to(app);
  return [o] { return run_compile(*o); };
}

}  // namespace fwc::cli
