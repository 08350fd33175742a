#include "cli/managers/line_diff.h"

#include <map>

namespace fwc::cli::managers {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t eol = text.find('\n', at);
    if (eol == std::string::npos) eol = text.size();
    out.push_back(text.substr(at, eol - at));
    at = eol + 1;
  }
  return out;
}

std::vector<std::string> line_diff(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::map<std::string, long> left;  // copies in b minus copies in a
  for (const auto& l : b) ++left[l];
  for (const auto& l : a) --left[l];
  std::vector<std::string> out;
  for (const auto& l : a)
    if (left[l] < 0) {
      out.push_back("- " + l);
      ++left[l];
    }
  for (const auto& l : b)
    if (left[l] > 0) {
      out.push_back("+ " + l);
      --left[l];
    }
  return out;
}

}  // namespace fwc::cli::managers
