#pragma once
#include "compiler/ir/cloud.h"
#include "compiler/parse/ast.h"

// The cloud settings and native references of the AST as the IR keeps them:
// values only (the IR does not depend on the AST).
namespace fwc::check {

ir::CloudSettings cloud_settings_of(const ast::CloudSettings& c);
ir::NativeRefs native_refs_of(const ast::NativeRefs& n);

}  // namespace fwc::check
