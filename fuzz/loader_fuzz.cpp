// libFuzzer entry point for the policy front end: any byte string must give
// diagnostics, never a crash, hang or uncaught exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/diag/diagnostic.h"
#include "compiler/frontend.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  fwc::DiagnosticEngine diags;
  // Relative `file:`/`include:` paths resolve against a directory that holds
  // nothing, so inputs cannot make the fuzzer read the file system.
  fwc::compile_policy_text(text, "/nonexistent/fuzz.yaml", diags);
  (void)diags.render_all();
  return 0;
}
