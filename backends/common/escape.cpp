#include "backends/common/escape.h"

#include "compiler/diag/printable.h"

namespace fwc::escape {

namespace {

bool printable(unsigned char c) {
  return c >= 0x20 && c < 0x7f;
}

bool alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Keeps `max` bytes at most; a cut text ends in "..." so it reads as cut.
std::string cut(std::string s, size_t max) {
  if (s.size() <= max) return s;
  return max < 3 ? s.substr(0, max) : s.substr(0, max - 3) + "...";
}

// Printable ASCII without `refused`, cut to `max` bytes.
std::string printable_without(std::string_view text, std::string_view refused, size_t max) {
  std::string out;
  for (unsigned char c : text)
    if (printable(c) && refused.find(static_cast<char>(c)) == std::string_view::npos)
      out += static_cast<char>(c);
  return cut(std::move(out), max);
}

}  // namespace

std::string comment_line(std::string_view text) {
  // Backslashes doubled first, so the escapes printable() adds stay unambiguous.
  std::string doubled;
  doubled.reserve(text.size());
  for (char c : text) {
    if (c == '\\') doubled += '\\';
    doubled += c;
  }
  return fwc::printable(doubled);
}

std::string nft_string(std::string_view text, size_t max) {
  return printable_without(text, "\"\\", max);
}

std::string nft_log_prefix(std::string_view text, size_t max) {
  return printable_without(text, "\"\\$", max);
}

std::string ipt_quoted(std::string_view text, size_t max) {
  return printable_without(text, "\"\\", max);
}

std::string shell_word(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string ufw_comment(std::string_view text, size_t max) {
  return printable_without(text, "'", max);
}

std::string rich_value(std::string_view text) {
  std::string out = printable_without(text, "\"\\", text.size());
  for (char& c : out)
    if (c == '=') c = '_';
  return out;
}

std::string cloud_text(std::string_view text, std::string_view allowed, char replacement, size_t max) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool keep = alnum(c) || (printable(c) && allowed.find(static_cast<char>(c)) != std::string_view::npos);
    out += keep ? static_cast<char>(c) : replacement;
  }
  return cut(std::move(out), max);
}

}  // namespace fwc::escape
