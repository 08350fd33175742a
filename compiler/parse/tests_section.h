#pragma once
#include <yaml-cpp/yaml.h>

#include <vector>

#include "compiler/parse/ast.h"
#include "compiler/parse/yaml_walker.h"

namespace fwc::parse {

// The `tests:` section: a list of maps {from, to, port, expect, name,
// published}. Every problem is a located diagnostic; entries with one are
// left out, so resolution does not report them again.
void read_tests(YamlWalker& w, const YAML::Node& n, std::vector<ast::PolicyTest>& out);

}  // namespace fwc::parse
