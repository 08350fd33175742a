#pragma once
#include <string>
#include <vector>

namespace fwc::cli::managers {

// Lines of `a` missing from `b` as "- ", of `b` missing from `a` as "+ ",
// counted as multisets, in the order they appear.
std::vector<std::string> line_diff(const std::vector<std::string>& a, const std::vector<std::string>& b);
// The lines of `text`, without their newlines.
std::vector<std::string> split_lines(const std::string& text);

}  // namespace fwc::cli::managers
