#include "compiler/diag/codes.h"

namespace fwc {

namespace {

constexpr CodeInfo kCodes[] = {
#define FWC_DIAG_CODE(identifier, id, name, summary, description) {id, name, summary, description},
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

}  // namespace fwc
