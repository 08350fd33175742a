#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "backends/backend.h"
#include "cli/atomic_file.h"
#include "cli/commands.h"
#include "cli/ruleset_loader.h"
#include "compiler/names/system_lookup.h"

namespace fwc::cli {

namespace {

struct CompileOptions {
  std::string policy, target, output;
  bool strict = false;
  bool resolve = false;
  SelectionOptions selection;
};

struct OutputFile {
  std::string path;
  std::string text;
};

bool is_directory_output(const std::string& out) {
  std::error_code ec;
  return !out.empty() && (out.back() == '/' || std::filesystem::is_directory(out, ec));
}

// Base names in directory mode: POLICY.NODE, POLICY.role-ROLE, or POLICY
// when the policy scopes nothing.
std::string base_name(const ir::Policy& p, const ir::Selection& s) {
  switch (s.kind) {
    case ir::Selection::Kind::node: return p.name + "." + s.name;
    case ir::Selection::Kind::role: return p.name + ".role-" + s.name;
    case ir::Selection::Kind::none: break;
  }
  return p.name;
}

const backend::BackendInfo* find_target(const std::string& target) {
  const backend::BackendInfo* info = backend::find_backend(target);
  if (info) return info;
  std::vector<std::string> names;
  for (const auto& b : backend::registry()) names.push_back(b.name);
  std::string hint = did_you_mean(target, names);
  std::fprintf(stderr, "fwc: unknown target '%s'%s%s (see 'fwc targets')\n", target.c_str(),
               hint.empty() ? "" : "; ", hint.c_str());
  return nullptr;
}

// An existing FIFO, device or /dev/stdout is written to, not replaced.
bool write_stream(const std::string& path, const std::string& text, std::string& err) {
  FILE* out = std::fopen(path.c_str(), "w");
  bool ok = out && std::fwrite(text.data(), 1, text.size(), out) == text.size();
  if (out && std::fclose(out) != 0) ok = false;
  if (!ok) err = "cannot write " + path + ": " + std::strerror(errno);
  return ok;
}

bool is_special_file(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

// Artefacts are written whole or not at all (a full disk never leaves a
// truncated ruleset behind), mode 0644 whatever the umask.
int write_files(const std::vector<OutputFile>& files, bool announce) {
  for (const auto& f : files) {
    std::string err;
    if (is_special_file(f.path) ? !write_stream(f.path, f.text, err)
                                : !write_file_atomically(f.path, f.text, 0644, err)) {
      std::fprintf(stderr, "fwc: error: %s\n", err.c_str());
      return Exit::runtime_failure;
    }
    if (announce) std::printf("%s\n", f.path.c_str());
  }
  return Exit::ok;
}

int run_compile(const CompileOptions& o) {
  const backend::BackendInfo* info = find_target(o.target);
  if (!info) return Exit::bad_input;
  const bool to_dir = is_directory_output(o.output);
  // In directory mode without a selection, every node gets its own files.
  RulesetRequest request{o.selection.get(), info->cloud, to_dir ? &every_node() : nullptr};
  // --resolve looks names up now, without the state directory: the
  // artefact's header says which names it holds answers for.
  names::SystemLookup lookup;
  if (o.resolve) request.names = {names::Mode::resolved, &lookup, nullptr};
  DiagnosticEngine diags;
  auto loaded = load_rules(o.policy, request, diags);
  if (!loaded) return Exit::bad_input;
  auto backend = info->make();
  std::vector<OutputFile> files;
  std::string dir = to_dir ? o.output + (o.output.back() == '/' ? "" : "/") : std::string();
  for (const auto& rs : loaded->rulesets) {
    auto artefacts = backend->compile(rs, diags);
    if (!artefacts) continue;
    for (auto& a : *artefacts)
      files.push_back({dir + base_name(loaded->policy, rs.selected) + "." + a.suffix, std::move(a.text)});
  }
  print_diagnostics(diags, stderr);
  if (diags.has_errors()) return Exit::bad_input;
  if (o.strict && diags.warning_count() > 0) return Exit::findings;
  if (to_dir) {
    std::error_code ec;
    std::filesystem::create_directories(o.output, ec);
    if (ec) {
      std::fprintf(stderr, "fwc: error: cannot create %s: %s\n", o.output.c_str(), ec.message().c_str());
      return Exit::runtime_failure;
    }
    return write_files(files, true);
  }
  if (files.size() != 1) {
    std::fprintf(stderr, "fwc: target '%s' writes %zu files; give a directory with -o DIR/\n", info->name,
                 files.size());
    return Exit::bad_input;
  }
  if (o.output.empty() || o.output == "-") {
    std::fwrite(files[0].text.data(), 1, files[0].text.size(), stdout);
    return Exit::ok;
  }
  if (o.output == "/dev/null") return Exit::ok;
  files[0].path = o.output;
  return write_files(files, false);
}

}  // namespace

Run setup_compile(CLI::App& app) {
  auto o = std::make_shared<CompileOptions>();
  app.add_option("policy", o->policy, "Policy file")->required();
  app.add_option("-t,--target", o->target, "Target (see 'fwc targets')")
      ->required()
      ->type_name(target_type_name());
  app.add_option("-o,--output", o->output,
                 "Write to FILE; a directory (or a path ending in /) gets the files of every node");
  app.add_flag("--strict", o->strict, "Treat warnings (approximations) as failures");
  app.add_flag("--resolve", o->resolve,
               "Resolve the host names of networks now and compile their answers (else they are refused)");
  o->selection.add_to(app, "Compile the rules of this node of the policy",
                       "Compile the rules of a node with this role");
  return [o] { return run_compile(*o); };
}

}  // namespace fwc::cli
