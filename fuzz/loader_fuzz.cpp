// libFuzzer entry point for the policy front end: any byte string must give
// diagnostics, never a crash, hang or uncaught exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/diag/diagnostic.h"
#include "compiler/frontend.h"
#include "fuzz/fuzz_sandbox.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  // Relative `file:`/`include:` paths resolve against a directory that holds
  // nothing, and inputs naming an absolute path or climbing with ".." are
  // skipped, so inputs cannot make the fuzzer read the file system (or
  // block on a device).
  if (!fwc::fuzz::stays_in_sandbox(fwc::fuzz::Input{text, {}})) return -1;
  fwc::DiagnosticEngine diags;
  fwc::compile_policy_text(text, "/nonexistent/fuzz.yaml", diags);
  (void)diags.render_all();
  return 0;
}
