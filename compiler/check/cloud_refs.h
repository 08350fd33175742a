#pragma once
#include "compiler/ir/cloud.h"
#include "compiler/parse/ast.h"

// A network's native references as the IR keeps them: values only (the IR
// does not depend on the AST).
namespace fwc::check {

ir::NativeRefs native_refs_of(const ast::NativeRefs& n);

}  // namespace fwc::check
