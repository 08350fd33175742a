#pragma once
#include <string_view>
#include <vector>

namespace fwc::cli {

// What a diagnostic code means, for machine-readable reports (SARIF rules).
struct CodeInfo {
  const char* code;
  const char* name;         // a short identifier, e.g. "unknown-key"
  const char* summary;      // one sentence, as in fwc(1) DIAGNOSTICS
  const char* description;  // what triggers it and how to resolve it
};

const std::vector<CodeInfo>& diagnostic_codes();
// The entry for `code`; nullptr for a code the table does not describe.
const CodeInfo* find_code(std::string_view code);

}  // namespace fwc::cli
