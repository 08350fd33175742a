#pragma once
#include <string>

#include "compiler/diag/diagnostic.h"
#include "compiler/net/addrset.h"

namespace fwc::parse {

// Reads a `file:` address list: one address or CIDR a line, `#` comments,
// blank lines ignored. Entries are added to `out` un-normalized. Problems
// are reported at their place in the list file (capped per file, with a
// count of the rest). Returns false when the file cannot be read.
bool read_address_list(const std::string& path, const SourceLoc& referenced_at, DiagnosticEngine& diags,
                       net::AddrSet& out, size_t& entries);

}  // namespace fwc::parse
