#pragma once
#include <cstdio>

namespace fwc::cli {

// Standard output that cannot be written (a full disk, a reader gone while
// SIGPIPE is ignored) must fail the command with the reason, whichever
// command wrote it and however it buffered. `stdout` becomes a stream over
// file descriptor 1 that remembers the first write error; call this once,
// before anything is written.
void guard_stdout();
// Flushes every output stream; on a write error prints
// "fwc: cannot write output: REASON" once and returns exit status 3, else `rc`.
int finish_stdout(int rc);
// The file descriptor under `stream` (stdout once guarded has none of its own).
int descriptor_of(FILE* stream);

}  // namespace fwc::cli
