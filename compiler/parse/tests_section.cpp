#include "compiler/parse/tests_section.h"

#include "compiler/diag/codes.h"

namespace fwc::parse {

namespace {

// `to`: a node name, `node:NAME` or `role:NAME`.
void read_target(YamlWalker& w, const YAML::Node& n, const std::string& what, ast::PolicyTest& t) {
  auto text = w.scalar(n, what + " to");
  if (!text) return;
  ast::Text name = *text;
  bool role = name.value.rfind("role:", 0) == 0;
  size_t skip = role ? 5 : name.value.rfind("node:", 0) == 0 ? 5 : 0;
  name.value = name.value.substr(skip);  // located at the whole value
  if (!w.name_ok(name, role ? "role name" : "node name")) return;
  (role ? t.to_role : t.to_node) = name;
}

bool read_entry(YamlWalker& w, const YAML::Node& item, ast::PolicyTest& t) {
  std::string what = t.label();
  size_t errors = w.diags().error_count();
  if (!w.expect_map(item, what, {"name", "from", "to", "port", "expect", "published"})) return false;
  t.loc = w.loc(item);
  if (auto n = item["name"]) {
    if (auto s = w.scalar(n, what + " name"); s && w.name_ok(*s, "test name")) t.name = s->value;
  }
  what = t.label();
  for (const char* key : {"from", "port", "expect"}) w.require(item, key, what);
  if (auto n = item["from"]) {
    if (auto s = w.scalar(n, what + " from")) t.from = *s;
  }
  if (auto n = item["to"]) read_target(w, n, what, t);
  if (auto n = item["port"]) {
    if (auto s = w.scalar(n, what + " port")) t.port = *s;
  }
  if (auto n = item["expect"]) {
    if (auto s = w.word(n, what + " expect", {"accept", "allow", "drop", "reject", "blocked"})) t.expect = *s;
  }
  if (auto n = item["published"]) t.published = w.boolean(n, what + " published").value_or(false);
  return w.diags().error_count() == errors;
}

}  // namespace

void read_tests(YamlWalker& w, const YAML::Node& n, std::vector<ast::PolicyTest>& out) {
  if (!n.IsSequence()) {
    w.type_error(n, "tests", "a list of tests");
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    ast::PolicyTest t;
    t.index = i;
    if (read_entry(w, n[i], t)) out.push_back(std::move(t));
  }
}

}  // namespace fwc::parse
