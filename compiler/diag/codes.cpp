#include "compiler/diag/codes.h"

namespace fwc {

namespace {

constexpr CodeInfo kCodes[] = {
#define FWC_DIAG_CODE(identifier, id, name, acknowledged_by, summary, description) \
  {id, name, Acknowledger::acknowledged_by, summary, description},
#include "compiler/diag/codes.def"
};

}  // namespace

std::span<const CodeInfo> diagnostic_codes() {
  return kCodes;
}

const CodeInfo* find_code(std::string_view code) {
  for (const auto& c : kCodes)
    if (code == c.code) return &c;
  return nullptr;
}

std::vector<std::string> acknowledgeable_by(Acknowledger who) {
  std::vector<std::string> out;
  for (const auto& c : kCodes)
    if (c.acknowledged_by == who) out.emplace_back(c.code);
  return out;
}

}  // namespace fwc
