#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/lint_report.h"
#include "compiler/check/policy_tests.h"
#include "compiler/diag/printable.h"
#include "compiler/frontend.h"

namespace fwc::cli {

namespace {

struct LintOptions {
  std::vector<std::string> paths;
  bool strict = false;
  std::string format = "text";
};

bool is_policy_name(const std::filesystem::path& p) {
  return p.extension() == ".yaml" || p.extension() == ".yml";
}

// Files as given; directories contribute the policies directly inside them
// (include fragments and lists belong in subdirectories).
std::vector<std::string> expand_paths(const std::vector<std::string>& paths, DiagnosticEngine& diags) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& e : std::filesystem::directory_iterator(p, ec))
        if (e.is_regular_file() && is_policy_name(e.path())) found.push_back(e.path().string());
      std::sort(found.begin(), found.end());
      if (found.empty())
        diags.error(code::file_error, SourceLoc{std::make_shared<const std::string>(p), 0, 0},
                    "no policy files (*.yaml, *.yml) in this directory");
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(p);
    }
  }
  return out;
}

nlohmann::json to_json(const Diagnostic& d) {
  // Messages are escaped when reported; the file name is escaped here alike.
  return {{"file", d.loc.file ? printable(*d.loc.file) : ""},
          {"line", d.loc.line},
          {"column", d.loc.col},
          {"severity", d.severity == Severity::error ? "error" : "warning"},
          {"code", d.code},
          {"message", d.message},
          {"hint", d.hint}};
}

int run_lint(const LintOptions& o) {
  DiagnosticEngine diags;
  std::vector<std::string> files = expand_paths(o.paths, diags);
  check::PolicyTestTally tests;
  for (const auto& f : files) {
    if (verbosity() == Verbosity::verbose) std::fprintf(stderr, "fwc: checking %s\n", f.c_str());
    // Names are checked, not looked up: lint needs no network.
    auto policy = compile_policy(f, diags, true, {names::Mode::unresolved, nullptr, nullptr});
    if (!policy) continue;
    check::PolicyTestTally tally = check::check_policy_tests(*policy, diags);
    tests.passed += tally.passed;
    tests.failed += tally.failed;
  }
  if (verbosity() == Verbosity::verbose && tests.passed + tests.failed > 0)
    std::fprintf(stderr, "fwc: %zu policy test%s passed, %zu failed\n", tests.passed, tests.passed == 1 ? "" : "s",
                 tests.failed);
  if (o.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : diags.sorted()) out.push_back(to_json(d));
    // Bytes of the policy that are not UTF-8 are replaced, not fatal.
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else if (o.format == "sarif") {
    std::string out = sarif_report(diags.sorted(), FWC_VERSION);
    std::fwrite(out.data(), 1, out.size(), stdout);
  } else if (o.format == "github") {
    std::string out = github_report(cap_per_file(diags.sorted()));  // as text: 100 per file
    std::fwrite(out.data(), 1, out.size(), stdout);
  } else {
    print_diagnostics(diags, stdout);
    if (verbosity() != Verbosity::quiet)
      std::printf("%zu file%s checked: %zu error%s, %zu warning%s\n", files.size(), files.size() == 1 ? "" : "s",
                diags.error_count(), diags.error_count() == 1 ? "" : "s", diags.warning_count(),
                diags.warning_count() == 1 ? "" : "s");
  }
  if (diags.has_errors()) return Exit::bad_input;
  if (o.strict && diags.warning_count() > 0) return Exit::findings;
  return Exit::ok;
}

}  // namespace

Run setup_lint(CLI::App& app) {
  auto o = std::make_shared<LintOptions>();
  app.add_option("paths", o->paths, "Policy files or directories")->required();
  app.add_flag("--strict", o->strict, "Exit 1 when there are warnings");
  app.add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json", "sarif", "github"}));
  return [o] { return run_lint(*o); };
}

}  // namespace fwc::cli
