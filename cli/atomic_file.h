#pragma once
#include <sys/types.h>

#include <string>
#include <string_view>

// Files that are either written in full or not at all: a state file or a
// compiled artefact is never seen truncated, even after a full disk or a
// crash mid-write.
namespace fwc::cli {

// Writes `data` to `path` through a temporary file with a random name in
// the same directory (created O_EXCL|O_NOFOLLOW, so a planted symlink or
// file is never followed or reused), with exactly `mode` whatever the
// umask, then fsync, close, rename over `path` and fsync of the directory.
// On any failure the temporary file is removed, `path` is untouched, and
// `err` says what failed.
bool write_file_atomically(const std::string& path, std::string_view data, mode_t mode, std::string& err);

}  // namespace fwc::cli
