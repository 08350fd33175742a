#include "compiler/diag/printable.h"

#include <cstdint>

namespace fwc {

namespace {

// Length of the valid UTF-8 sequence at s[i], 0 when the byte there does not
// start one (stray continuation, overlong form, surrogate, beyond U+10FFFF).
size_t utf8_length(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k)
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return 0;
  unsigned char c1 = static_cast<unsigned char>(len > 1 ? s[i + 1] : 0);
  if (len == 2 && c < 0xC2) return 0;
  if (len == 3 && ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0))) return 0;
  if (len == 4 && ((c == 0xF0 && c1 < 0x90) || c > 0xF4 || (c == 0xF4 && c1 >= 0x90))) return 0;
  return len;
}

std::string hex_escape(unsigned value, bool braces) {
  static const char* hex = "0123456789abcdef";
  std::string out = braces ? "\\x{" : "\\x";
  out += hex[(value >> 4) & 15];
  out += hex[value & 15];
  if (braces) out += '}';
  return out;
}

// Code point of the valid 3-byte UTF-8 sequence at s[i].
unsigned code_point3(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(s[i + k])); };
  return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
}

// Bidirectional controls reorder what a terminal or a review tool shows
// (U+200E/F marks, U+202A-E embeddings and overrides, U+2066-9 isolates): a
// comment could make text read differently from what it is.
bool is_direction_control(std::string_view s, size_t i) {
  unsigned cp = code_point3(s, i);
  return cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

std::string unicode_escape(std::string_view s, size_t i) {
  static const char* hex = "0123456789abcdef";
  unsigned cp = code_point3(s, i);
  std::string out = "\\u{";
  for (int shift = 12; shift >= 0; shift -= 4) out += hex[(cp >> shift) & 15];
  return out + '}';
}

// The escaped form of the character at s[i]; `used` is set to its length in bytes.
std::string escape_one(std::string_view s, size_t i, size_t& used) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  used = utf8_length(s, i);
  if (used == 0) {
    used = 1;
    return hex_escape(c, false);  // a byte that is not UTF-8
  }
  if (c == '\n') return "\\n";
  if (c == '\r') return "\\r";
  if (c == '\t') return "\\t";
  if (c < 0x20 || c == 0x7f) return hex_escape(c, false);
  // C1 controls (U+0080-U+009F, e.g. the 8-bit CSI U+009B) are UTF-8 C2 80-9F.
  if (used == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0)
    return hex_escape(static_cast<unsigned char>(s[i + 1]), true);
  if (used == 3 && is_direction_control(s, i)) return unicode_escape(s, i);
  return std::string(s.substr(i, used));
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t used = 0;
  for (size_t i = 0; i < text.size(); i += used) out += escape_one(text, i, used);
  return out;
}

std::string excerpt(std::string_view text, size_t max_chars) {
  std::string out;
  size_t chars = 0, used = 0;
  for (size_t i = 0; i < text.size(); i += used) {
    std::string piece = escape_one(text, i, used);
    // An escape counts as its characters; a UTF-8 sequence as one.
    size_t width = piece.size() == used && static_cast<unsigned char>(piece[0]) >= 0x80 ? 1 : piece.size();
    if (chars + width > max_chars) return out + "...";
    out += piece;
    chars += width;
  }
  return out;
}

}  // namespace fwc
