#include "compiler/diag/diagnostic.h"

#include <algorithm>
#include <tuple>

namespace fwc {

void DiagnosticEngine::report(Diagnostic d) {
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
  sources_[file] = std::move(text);
}

std::vector<Diagnostic> DiagnosticEngine::sorted() const {
  std::vector<Diagnostic> out = diags_;
  auto key = [](const Diagnostic& d) {
    return std::tuple(d.loc.file ? *d.loc.file : std::string(), d.loc.line, d.loc.col, d.code,
                      d.message);
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
  if (it == sources_.end()) return {};
  std::string_view text = it->second;
  size_t start = 0;
  for (uint32_t line = 1; line < loc.line; ++line) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  std::string_view line = text.substr(start, end == std::string_view::npos ? text.npos : end - start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string DiagnosticEngine::render(const Diagnostic& d, bool colour) const {
  const char* sev = d.severity == Severity::error     ? "error"
                    : d.severity == Severity::warning ? "warning"
                                                      : "note";
  const char* tint = d.severity == Severity::error ? "\033[1;31m" : "\033[1;35m";
  auto paint = [&](const std::string& s, const char* c) {
    return colour ? std::string(c) + s + "\033[0m" : s;
  };
  std::string out = paint(d.loc.str() + ":", "\033[1m") + " " + paint(std::string(sev) + ":", tint) +
                    " " + d.message;
  if (!d.code.empty()) out += " [" + d.code + "]";
  out += "\n";
  std::string_view line = source_line(d.loc);
  if (!line.empty()) {
    // Tabs are kept so the caret lines up with the text as the terminal shows it.
    std::string caret;
    for (uint32_t i = 1; i < d.loc.col && i - 1 < line.size(); ++i)
      caret += line[i - 1] == '\t' ? '\t' : ' ';
    uint32_t len = std::max<uint32_t>(1, d.length);
    if (d.loc.col - 1 + len > line.size() && line.size() >= d.loc.col)
      len = static_cast<uint32_t>(line.size() - (d.loc.col - 1));
    caret += '^';
    if (len > 1) caret += std::string(len - 1, '~');
    out += "  " + std::string(line) + "\n  " + paint(caret, "\033[1;32m") + "\n";
  }
  if (!d.hint.empty()) out += "  hint: " + d.hint + "\n";
  return out;
}

std::string DiagnosticEngine::render_all(bool colour) const {
  std::string out;
  for (const auto& d : sorted()) out += render(d, colour);
  return out;
}

}  // namespace fwc
