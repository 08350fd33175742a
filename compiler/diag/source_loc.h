#pragma once
#include <cstdint>
#include <memory>
#include <string>

namespace fwc {

// A position in a policy or list file. Lines and columns are 1-based;
// line 0 means "no position" (e.g. a problem with the whole file).
struct SourceLoc {
  std::shared_ptr<const std::string> file;
  uint32_t line = 0;
  uint32_t col = 0;

  bool known() const { return file && line > 0; }
  std::string str() const;  // "file:line:col" or "file" or "<input>"
};

inline std::string SourceLoc::str() const {
  std::string out = file ? *file : std::string("<input>");
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(col);
  return out;
}

}  // namespace fwc
