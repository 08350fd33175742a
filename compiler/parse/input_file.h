#pragma once
#include <cstddef>
#include <string>

namespace fwc::parse {

// Size caps of the files a policy reads (fwc-policy(5)): a `file:` list
// holds well over a million entries; a fragment is hand-written YAML.
inline constexpr size_t kMaxListFileBytes = size_t{64} << 20;
inline constexpr size_t kMaxIncludeBytes = size_t{1} << 20;
inline constexpr size_t kMaxPolicyBytes = size_t{64} << 20;
// All `file:` lists of one policy together (a list named a thousand times
// is read a thousand times).
inline constexpr size_t kMaxListBytesPerPolicy = size_t{256} << 20;

struct InputRead {
  bool ok = false;
  std::string problem;  // why not, e.g. "is a directory", "is larger than 1 MiB"
};

// Reads a file a policy names (`file:`, `include:`): only a regular file,
// at most `max_bytes`. Opened non-blocking and without becoming a
// controlling terminal, and checked with fstat on the opened descriptor, so
// a FIFO, a device or /dev/zero is refused at once instead of hanging or
// filling memory.
InputRead read_regular_file(const std::string& path, size_t max_bytes, std::string& out);

// The policy file itself, as the operator names it: a pipe or a terminal
// (`fwc lint /dev/stdin`, `<(...)`) is read too, a directory or a device
// is not; at most `max_bytes` either way.
InputRead read_policy_input(const std::string& path, size_t max_bytes, std::string& out);

// "64 MiB", "1 MiB": a cap as fwc-policy(5) writes it.
std::string size_text(size_t bytes);

}  // namespace fwc::parse
