#pragma once
#include <string>
#include <string_view>

namespace fwc {

// Text that came from a policy or a file, made safe to echo to a terminal
// or a CI log: C0 and C1 control characters, DEL, bytes that are not
// UTF-8 and bidirectional controls become visible escapes (\n, \t, \x1b,
// \x{9b}, \u{202e}); everything else is kept. Idempotent: the escapes are
// printable ASCII.
std::string printable(std::string_view text);

// At most `max_chars` characters of printable(text), with "..." appended
// when cut: the part of a line a diagnostic may quote.
std::string excerpt(std::string_view text, size_t max_chars = 40);

}  // namespace fwc
