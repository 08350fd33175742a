#include "compiler/diag/diagnostic.h"

#include <algorithm>
#include <tuple>

#include "compiler/diag/printable.h"

namespace fwc {

void DiagnosticEngine::report(Diagnostic d) {
  // Messages quote policy text and file names: escaped once here, so every
  // output format (text, JSON, SARIF, GitHub) echoes no control bytes.
  d.message = printable(d.message);
  d.hint = printable(d.hint);
  if (d.severity == Severity::error) ++errors_;
  if (d.severity == Severity::warning) ++warnings_;
  diags_.push_back(std::move(d));
}

void DiagnosticEngine::error(const char* code, const SourceLoc& loc, std::string message,
                             std::string hint, uint32_t length) {
  report({Severity::error, code, loc, length, std::move(message), std::move(hint)});
}

void DiagnosticEngine::warning(const char* code, const SourceLoc& loc, std::string message,
                               std::string hint, uint32_t length) {
  report({Severity::warning, code, loc, length, std::move(message), std::move(hint)});
}

void DiagnosticEngine::drop_warnings(std::string_view code) {
  auto moot = [&](const Diagnostic& d) { return d.severity == Severity::warning && d.code == code; };
  auto end = std::remove_if(diags_.begin(), diags_.end(), moot);
  warnings_ -= static_cast<size_t>(diags_.end() - end);
  diags_.erase(end, diags_.end());
}

void DiagnosticEngine::add_source(const std::string& file, std::string text) {
  Source& source = sources_[file];
  source.text = std::move(text);
  source.line_starts.assign(1, 0);
  for (size_t i = source.text.find('\n'); i != std::string::npos; i = source.text.find('\n', i + 1))
    source.line_starts.push_back(i + 1);
}

std::vector<Diagnostic> DiagnosticEngine::sorted() const {
  std::vector<Diagnostic> out = diags_;
  static const std::string kNoFile;
  auto key = [](const Diagnostic& d) {
    return std::tie(d.loc.file ? *d.loc.file : kNoFile, d.loc.line, d.loc.col, d.code, d.message);
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  out.erase(std::unique(out.begin(), out.end(),
                        [&](const Diagnostic& a, const Diagnostic& b) { return key(a) == key(b); }),
            out.end());
  return out;
}

std::string_view DiagnosticEngine::source_line(const SourceLoc& loc) const {
  if (!loc.known()) return {};
  auto it = sources_.find(*loc.file);
  if (it == sources_.end() || loc.line > it->second.line_starts.size()) return {};
  std::string_view text = it->second.text;
  size_t start = it->second.line_starts[loc.line - 1];
  size_t end = text.find('\n', start);
  std::string_view line = text.substr(start, end == std::string_view::npos ? text.npos : end - start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

namespace {

// Columns a printable() string takes: one per character (UTF-8 sequence).
size_t width(const std::string& escaped) {
  return static_cast<size_t>(std::count_if(escaped.begin(), escaped.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// The source line (escaped) and a caret line under columns [col, col+length).
std::string quote_line(std::string_view line, uint32_t col, uint32_t length, const std::string& tint_on,
                       const std::string& tint_off) {
  size_t before = std::min<size_t>(col > 0 ? col - 1 : 0, line.size());
  size_t under = std::min<size_t>(std::max<uint32_t>(1, length), line.size() - before);
  std::string caret(width(printable(line.substr(0, before))), ' ');
  caret += '^';
  size_t span = width(printable(line.substr(before, under)));
  if (span > 1) caret += std::string(span - 1, '~');
  return "  " + printable(line) + "\n  " + tint_on + caret + tint_off + "\n";
}

}  // namespace

std::string DiagnosticEngine::render(const Diagnostic& d, bool colour) const {
  const char* sev = d.severity == Severity::error     ? "error"
                    : d.severity == Severity::warning ? "warning"
                                                      : "note";
  const char* tint = d.severity == Severity::error ? "\033[1;31m" : "\033[1;35m";
  auto paint = [&](const std::string& s, const char* c) {
    return colour ? std::string(c) + s + "\033[0m" : s;
  };
  std::string out = paint(printable(d.loc.str()) + ":", "\033[1m") + " " + paint(std::string(sev) + ":", tint) +
                    " " + printable(d.message);
  if (!d.code.empty()) out += " [" + d.code + "]";
  out += "\n";
  std::string_view line = source_line(d.loc);
  if (!line.empty())
    out += quote_line(line, d.loc.col, d.length, colour ? "\033[1;32m" : "", colour ? "\033[0m" : "");
  if (!d.hint.empty()) out += "  hint: " + printable(d.hint) + "\n";
  return out;
}

std::string DiagnosticEngine::render_all(bool colour) const {
  std::string out;
  for (const auto& d : cap_per_file(sorted())) out += render(d, colour);
  return out;
}

namespace {

// Which of one file's diagnostics [begin, end) are shown: errors first,
// then warnings, `limit` in all.
std::vector<bool> chosen(std::vector<Diagnostic>::const_iterator begin,
                         std::vector<Diagnostic>::const_iterator end, size_t limit) {
  std::vector<bool> shown(static_cast<size_t>(end - begin), false);
  size_t taken = 0;
  for (bool errors : {true, false})
    for (size_t i = 0; i < shown.size() && taken < limit; ++i)
      if (!shown[i] && (begin[static_cast<ptrdiff_t>(i)].severity == Severity::error) == errors) {
        shown[i] = true;
        ++taken;
      }
  return shown;
}

}  // namespace

std::vector<Diagnostic> cap_per_file(const std::vector<Diagnostic>& sorted, size_t per_file) {
  std::vector<Diagnostic> out;
  auto file_of = [](const Diagnostic& d) { return d.loc.file ? *d.loc.file : std::string(); };
  for (auto begin = sorted.begin(); begin != sorted.end();) {
    auto end = std::find_if(begin, sorted.end(), [&](const Diagnostic& d) { return file_of(d) != file_of(*begin); });
    std::vector<bool> shown = chosen(begin, end, per_file);
    for (size_t i = 0; i < shown.size(); ++i)
      if (shown[i]) out.push_back(begin[static_cast<ptrdiff_t>(i)]);
    size_t hidden = static_cast<size_t>(std::count(shown.begin(), shown.end(), false));
    if (hidden > 0) {
      Diagnostic note{Severity::note, "", SourceLoc{begin->loc.file, 0, 0}, 1, {}, {}};
      note.message = std::to_string(hidden) + " more diagnostic" + (hidden == 1 ? "" : "s") + " in " +
                     printable(note.loc.str()) + " not shown";
      out.push_back(std::move(note));
    }
    begin = end;
  }
  return out;
}

}  // namespace fwc
