#pragma once
#include <span>
#include <string_view>

namespace fwc {

// What a diagnostic code means, for machine-readable reports (SARIF rules)
// and the documentation checks; one entry per line of codes.def.
struct CodeInfo {
  const char* code;         // "FWC-E001"
  const char* name;         // a short identifier, e.g. "unknown-key"
  const char* summary;      // one sentence, as in fwc(1) DIAGNOSTICS
  const char* description;  // what triggers it and how to resolve it
};

// Every code, in the order of codes.def.
std::span<const CodeInfo> diagnostic_codes();
// The entry for `code`; nullptr for a code the registry does not hold.
const CodeInfo* find_code(std::string_view code);

}  // namespace fwc
