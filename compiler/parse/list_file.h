#pragma once
#include <string>

#include "compiler/diag/diagnostic.h"
#include "compiler/net/addrset.h"
#include "compiler/parse/input_file.h"

namespace fwc::parse {

// What the `file:` lists of one policy may still read together.
struct ListBudget {
  size_t bytes_left = kMaxListBytesPerPolicy;
};

// Reads a `file:` address list: one address or CIDR a line, `#` comments,
// blank lines ignored. Entries are added to `out` un-normalized. Only a
// regular file of at most kMaxListFileBytes (and what `budget` has left) is
// read; anything else is FWC-E011 at `referenced_at`. A list names no
// policy text, so its lines are never shown whole: the first bad line is
// quoted as a short escaped excerpt, the others only counted (with their
// line numbers). Returns false when the file cannot be read.
bool read_address_list(const std::string& path, const SourceLoc& referenced_at, DiagnosticEngine& diags,
                       net::AddrSet& out, size_t& entries, ListBudget& budget);

}  // namespace fwc::parse
