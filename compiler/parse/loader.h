#pragma once
#include <optional>
#include <string>

#include "compiler/diag/diagnostic.h"
#include "compiler/parse/ast.h"

namespace fwc::parse {

// YAML → AST. Every problem becomes a diagnostic; returns nullopt only when
// the document could not be read at all. The caller stops after this stage
// when the engine holds errors.
std::optional<ast::Policy> load_policy_file(const std::string& path, DiagnosticEngine& diags);
std::optional<ast::Policy> load_policy_text(const std::string& text, const std::string& file_name,
                                            DiagnosticEngine& diags);

std::string directory_of(const std::string& path);
std::string join_path(const std::string& dir, const std::string& rel);

}  // namespace fwc::parse
