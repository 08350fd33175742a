#pragma once
#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/parse/ast.h"

namespace fwc::parse {

// Reads yaml-cpp nodes into typed values, reporting every shape problem as a
// located diagnostic instead of throwing. One walker per file.
class YamlWalker {
 public:
  YamlWalker(DiagnosticEngine& diags, std::shared_ptr<const std::string> file)
      : diags_(diags), file_(std::move(file)) {}

  SourceLoc loc(const YAML::Node& n) const;
  // Where `key` itself stands in `map` (the map's position if absent).
  SourceLoc key_loc(const YAML::Node& map, const std::string& key) const;
  DiagnosticEngine& diags() { return diags_; }
  const std::shared_ptr<const std::string>& file() const { return file_; }

  // Checks that n is a map whose keys are all among `allowed` and unique.
  bool expect_map(const YAML::Node& n, const std::string& what,
                  std::initializer_list<const char*> allowed);
  bool expect_map(const YAML::Node& n, const std::string& what);  // any keys, unique
  bool require(const YAML::Node& map, const char* key, const std::string& what);

  std::optional<ast::Text> scalar(const YAML::Node& n, const std::string& what);
  std::optional<ast::Text> key(const YAML::Node& k, const std::string& what);
  // A scalar or a list of scalars.
  std::vector<ast::Text> scalar_list(const YAML::Node& n, const std::string& what);
  // YAML 1.2 core booleans only: plain true/True/TRUE/false/False/FALSE or
  // !!bool; a quoted or !!str value is a string (FWC-E002), and so are the
  // YAML 1.1 words (yes, no, on, off), with a hint.
  std::optional<bool> boolean(const YAML::Node& n, const std::string& what);
  // Whether n is the boolean false (quietly: no diagnostic).
  bool is_false(const YAML::Node& n) const;
  std::optional<int64_t> integer(const YAML::Node& n, const std::string& what, int64_t min,
                                 int64_t max);
  // One of the listed words; reports bad values.
  std::optional<ast::Text> word(const YAML::Node& n, const std::string& what,
                                std::initializer_list<const char*> choices);
  std::optional<ast::Rate> rate(const YAML::Node& n, const std::string& what);
  bool name_ok(const ast::Text& t, const std::string& what);

  void type_error(const YAML::Node& n, const std::string& what, const char* expected);

 private:
  DiagnosticEngine& diags_;
  std::shared_ptr<const std::string> file_;
};

const char* kind_name(const YAML::Node& n);

// How a scalar was written: plain (untagged, unquoted), a string (quoted or
// !!str), or with another explicit tag (!!bool, !!int, ...).
enum class ScalarStyle { plain, string, tagged };
ScalarStyle scalar_style(const YAML::Node& n);
// YAML 1.1 booleans that YAML 1.2 reads as strings (yes, No, ON, ...).
bool is_yaml11_boolean(const std::string& s);

}  // namespace fwc::parse
