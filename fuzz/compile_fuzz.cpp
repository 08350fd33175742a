// libFuzzer entry point for the whole compiler: any byte string is loaded
// as a policy, every node and role of it is compiled with every target in
// the registry, and a few packets are explained. Only invariants are
// checked: no crash, no undefined behaviour, no escaping exception, and a
// target either returns artefacts (without NUL bytes, the same when
// compiled again) and no errors, or returns none and reports an error.
//
// Input: the policy, optionally followed by the files it references, each
// introduced by a line "#>> RELATIVE/PATH" (the policy is the text before
// the first such line):
//   networks: {bad: {file: lists/bad.txt}}
//   #>> lists/bad.txt
//   203.0.113.0/24
// Those files are written to a private temporary directory next to the
// policy's name; inputs that name a file outside it (a scalar starting with
// '/' or holding "..") are skipped, so the run never reads the machine's
// files and never blocks on a device or FIFO.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/compile_checks.h"
#include "fuzz/fuzz_sandbox.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fwc::fuzz::Input input =
      fwc::fuzz::split_input(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!fwc::fuzz::stays_in_sandbox(input)) return -1;  // not worth keeping in the corpus
  const std::string policy_path = fwc::fuzz::Sandbox::instance().prepare(input.files);
  fwc::fuzz::compile_everything(input.policy, policy_path);
  return 0;
}
