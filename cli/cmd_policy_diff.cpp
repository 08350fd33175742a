#include <cstdio>
#include <filesystem>

#include "cli/managers/tool_run.h"
#include "cli/policy_diff.h"
#include "cli/policy_diff_report.h"
#include "compiler/diag/printable.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"
#include "compiler/parse/input_file.h"

namespace fwc::cli {

namespace {

// The policy file's text at a git revision, read with `git show REV:PATH`
// where PATH is the file's path from the repository root.
bool read_at_revision(const std::string& rev, const std::string& path, std::string& text) {
  namespace fs = std::filesystem;
  const fs::path file(path);
  const std::string dir = file.parent_path().empty() ? "." : file.parent_path().string();
  auto prefix = managers::run_tool({"git", "-C", dir, "rev-parse", "--show-prefix"});
  if (!prefix.started || prefix.status != 0) {
    std::fprintf(stderr, "fwc: error: %s is not in a git work tree: %s\n", printable(path).c_str(),
                 managers::tool_failure({"git", "rev-parse"}, prefix).c_str());
    return false;
  }
  while (!prefix.out.empty() && (prefix.out.back() == '\n' || prefix.out.back() == '\r')) prefix.out.pop_back();
  const std::string spec = rev + ":" + prefix.out + file.filename().string();
  // "--" ends the options: a revision never reads as one.
  auto shown = managers::run_tool({"git", "-C", dir, "show", "--no-textconv", spec, "--"});
  if (!shown.started || shown.status != 0) {
    std::fprintf(stderr, "fwc: error: cannot read %s: %s\n", printable(spec).c_str(),
                 managers::tool_failure({"git", "show"}, shown).c_str());
    return false;
  }
  if (shown.out.size() > parse::kMaxPolicyBytes || shown.truncated) {
    std::fprintf(stderr, "fwc: error: %s is larger than the policy size limit\n", printable(spec).c_str());
    return false;
  }
  text = std::move(shown.out);
  return true;
}

std::optional<ir::Policy> load(const std::string& path, const std::string* text, const std::string& name) {
  DiagnosticEngine diags;
  auto policy = text ? compile_policy_text(*text, name, diags, false) : compile_policy(path, diags, false);
  if (!policy || diags.has_errors()) {
    print_diagnostics(diags, stderr);
    return std::nullopt;
  }
  return policy;
}

bool known_selection(const ir::Policy& a, const ir::Policy& b, const ir::Selection& s) {
  if (s.kind == ir::Selection::Kind::none) return true;
  DiagnosticEngine da, db;
  if (ir::validate_selection(a, s, da) || ir::validate_selection(b, s, db)) return true;
  print_diagnostics(db, stderr);
  return false;
}

std::string render(const PolicyDiffReport& r, const std::string& format) {
  if (format == "markdown") return diff_markdown(r);
  if (format == "github") return diff_github(r);
  if (format == "json") return diff_json(r);
  return diff_text(r);
}

}  // namespace

int run_policy_diff(const PolicyDiffOptions& o) {
  std::string old_text;
  const bool from_git = !o.git_rev.empty();
  if (from_git && !read_at_revision(o.git_rev, o.after, old_text)) return Exit::bad_input;
  // The old version's name anchors its relative `file:` and `include` paths
  // next to the file on disk.
  const std::string before_name = from_git ? o.after + "@" + o.git_rev : o.before;
  auto before = load(o.before, from_git ? &old_text : nullptr, before_name);
  if (!before) return Exit::bad_input;
  auto after = load(o.after, nullptr, o.after);
  if (!after) return Exit::bad_input;
  if (!known_selection(*before, *after, o.only)) return Exit::bad_input;
  PolicyDiffReport report{before_name, o.after, eval::diff_policies(*before, *after, o.only)};
  const std::string out = render(report, o.format);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return report.changed() ? Exit::findings : Exit::ok;
}

}  // namespace fwc::cli
