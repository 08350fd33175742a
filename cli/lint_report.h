#pragma once
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"

namespace fwc::cli {

// `fwc lint --format sarif`: a SARIF 2.1.0 log with one run, a rule per
// diagnostic code that occurs, and a result per diagnostic.
std::string sarif_report(const std::vector<Diagnostic>& diags, const std::string& version);

// `fwc lint --format github`: GitHub Actions workflow commands
// (::error file=F,line=L,col=C,title=CODE::message), one per line.
std::string github_report(const std::vector<Diagnostic>& diags);

// A file path as a URI reference: relative paths stay relative, absolute
// ones become file:// URIs; bytes outside the unreserved set are %-encoded.
std::string path_to_uri(const std::string& path);

// Workflow-command escaping: data escapes % CR LF; properties also : and ,.
std::string github_escape_data(const std::string& s);
std::string github_escape_property(const std::string& s);

}  // namespace fwc::cli
