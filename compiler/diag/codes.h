#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fwc {

// Which `ignore` list may name a warning: none, a rule's or defaults'.
enum class Acknowledger { nothing, rule, defaults };

// What a diagnostic code means, for machine-readable reports (SARIF rules)
// and the documentation checks; one entry per line of codes.def.
struct CodeInfo {
  const char* code;              // "FWC-E001"
  const char* name;              // a short identifier, e.g. "unknown-key"
  Acknowledger acknowledged_by;  // the `ignore` list that may name it
  const char* summary;           // one sentence, as in fwc(1) DIAGNOSTICS
  const char* description;       // what triggers it and how to resolve it
};

// Every code, in the order of codes.def.
std::span<const CodeInfo> diagnostic_codes();
// The entry for `code`; nullptr for a code the registry does not hold.
const CodeInfo* find_code(std::string_view code);
// The codes `who` may acknowledge in its `ignore` list, in registry order.
std::vector<std::string> acknowledgeable_by(Acknowledger who);

}  // namespace fwc
