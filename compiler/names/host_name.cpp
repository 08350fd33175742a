#include "compiler/names/host_name.h"

namespace fwc::names {

namespace {
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool valid_label(const std::string& s, size_t begin, size_t end) {
  size_t n = end - begin;
  if (n == 0 || n > 63 || s[begin] == '-' || s[end - 1] == '-') return false;
  for (size_t i = begin; i < end; ++i)
    if (!is_letter(s[i]) && !is_digit(s[i]) && s[i] != '-') return false;
  return true;
}
}  // namespace

bool is_host_name(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  size_t begin = 0, labels = 0, last = 0;
  while (true) {
    size_t dot = s.find('.', begin);
    size_t end = dot == std::string::npos ? s.size() : dot;
    if (!valid_label(s, begin, end)) return false;
    ++labels;
    last = begin;
    if (dot == std::string::npos) break;
    begin = dot + 1;
  }
  return labels >= 2 && is_letter(s[last]);
}

std::string canonical(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace fwc::names
