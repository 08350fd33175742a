#pragma once
#include <string>

namespace fwc::fuzz {

// Loads `policy_text` as the policy named `policy_path`, then compiles every
// node and role selection with every registered target and explains a few
// packets, host and cloud view. Aborts with a message when an invariant
// breaks (see compile_fuzz.cpp); user errors are not failures.
void compile_everything(const std::string& policy_text, const std::string& policy_path);

}  // namespace fwc::fuzz
