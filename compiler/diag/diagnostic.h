#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/source_loc.h"

namespace fwc {

enum class Severity { error, warning, note };

// Diagnostic codes, one constant per entry of compiler/diag/codes.def
// (code::yaml_syntax is "FWC-E001", ...).
namespace code {
#define FWC_DIAG_CODE(identifier, id, name, acknowledged_by, summary, description) \
  inline constexpr const char* identifier = id;
#include "compiler/diag/codes.def"
}  // namespace code

struct Diagnostic {
  Severity severity = Severity::error;
  std::string code;
  SourceLoc loc;
  uint32_t length = 1;  // columns to underline
  std::string message;
  std::string hint;
};

// Collects every diagnostic of a run. Stages report into it and the driver
// stops between stages when it holds errors (souffle's ErrorReport shape).
class DiagnosticEngine {
 public:
  void report(Diagnostic d);
  void error(const char* code, const SourceLoc& loc, std::string message, std::string hint = {},
             uint32_t length = 1);
  void warning(const char* code, const SourceLoc& loc, std::string message, std::string hint = {},
               uint32_t length = 1);

  // Forgets the warnings of `code`: for a finding that is moot for the
  // output at hand (a host-only warning on a cloud compile).
  void drop_warnings(std::string_view code);

  // Source text of a file, kept so the renderer can show the offending line.
  void add_source(const std::string& file, std::string text);

  size_t error_count() const { return errors_; }
  size_t warning_count() const { return warnings_; }
  bool has_errors() const { return errors_ > 0; }
  const std::vector<Diagnostic>& all() const { return diags_; }

  // Sorted by file and position; duplicates (same code and place) dropped.
  std::vector<Diagnostic> sorted() const;
  std::string render(const Diagnostic& d, bool colour = false) const;
  // Every diagnostic, at most kShownPerFile per file (then a count).
  std::string render_all(bool colour = false) const;

 private:
  // A file's text and where each of its lines starts, indexed once so that
  // rendering many diagnostics does not rescan the file for each.
  struct Source {
    std::string text;
    std::vector<size_t> line_starts;
  };
  std::string_view source_line(const SourceLoc& loc) const;

  std::vector<Diagnostic> diags_;
  std::map<std::string, Source> sources_;
  size_t errors_ = 0;
  size_t warnings_ = 0;
};

// Text and GitHub output show at most this many diagnostics per file
// (errors first), then one note "N more diagnostics in FILE not shown";
// JSON and SARIF keep every one.
inline constexpr size_t kShownPerFile = 100;

// `sorted` (as sorted() returns it) cut to `per_file` diagnostics per file,
// in the same order, each cut file followed by a note counting the rest.
std::vector<Diagnostic> cap_per_file(const std::vector<Diagnostic>& sorted, size_t per_file = kShownPerFile);

// "did you mean" support: the closest candidate within a small edit distance.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace fwc
