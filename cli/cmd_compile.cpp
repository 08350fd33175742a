#include <cerrno>
#include <cstring>
#include <cstdio>
#include <filesystem>
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

bool is_directory_output(const std::string& out) {
  std::error_code ec;
  return !out.empty() && (out.back() == '/' || std::filesystem::is_directory(out, ec));
}

// In directory mode every node (and every role without nodes) gets its own
// file, named POLICY.NODE.EXT / POLICY.role-ROLE.EXT, or POLICY.EXT when the
// policy scopes nothing.
std::vector<std::pair<ir::Selection, std::string>> artefacts(const ir::Policy& p, const ir::Selection& chosen,
                                                             const backend::BackendInfo& info) {
  std::vector<ir::Selection> sels;
  if (chosen.kind != ir::Selection::Kind::none) sels.push_back(chosen);
  else sels = ir::all_selections(p);
  std::vector<std::pair<ir::Selection, std::string>> out;
  for (const auto& s : sels) {
    std::string name = p.name;
    if (s.kind == ir::Selection::Kind::node) name += "." + s.name;
    if (s.kind == ir::Selection::Kind::role) name += ".role-" + s.name;
    out.emplace_back(s, name + "." + info.file_extension);
  }
  return out;
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
  const bool to_dir = is_directory_output(o.output);
  if (policy && !(to_dir && sel.kind == ir::Selection::Kind::none)) ir::validate_selection(*policy, sel, diags);
  if (diags.has_errors()) {
    print_diagnostics(diags, stderr);
    return Exit::bad_input;
  }
  auto backend = info->make();
  std::vector<std::pair<std::string, std::string>> files;  // path, text
  std::optional<std::string> text;
  if (to_dir) {
    for (const auto& [s, name] : artefacts(*policy, sel, *info)) {
      auto t = backend->compile(ir::select(*policy, s), diags);
      if (t) files.emplace_back(o.output + (o.output.back() == '/' ? "" : "/") + name, std::move(*t));
    }
  } else {
    text = backend->compile(ir::select(*policy, sel), diags);
  }
  print_diagnostics(diags, stderr);
  if (diags.has_errors() || (!to_dir && !text)) return Exit::bad_input;
  if (o.strict && diags.warning_count() > 0) return Exit::findings;
  if (to_dir) {
    std::error_code ec;
    std::filesystem::create_directories(o.output, ec);
    for (const auto& [path, t] : files) {
      if (!write_atomically(path, t)) {
        std::fprintf(stderr, "fwc: cannot write '%s': %s\n", path.c_str(), std::strerror(errno));
        return Exit::runtime_failure;
      }
      std::printf("%s\n", path.c_str());
    }
    return Exit::ok;
  }
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
  app.add_option("-o,--output", o->output, "Write to FILE; a directory (or a path ending in /) gets one file per node");
  app.add_flag("--strict", o->strict, "Treat warnings (approximations) as failures");
  o->selection.add_to(app);
  return [o] { return run_compile(*o); };
}

}  // namespace fwc::cli
