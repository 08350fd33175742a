#include "compiler/parse/yaml_walker.h"

#include <algorithm>
#include <set>

namespace fwc::parse {

const char* kind_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null: return "nothing (null)";
    default: return "nothing";
  }
}

namespace {
constexpr const char* kCoreTag = "tag:yaml.org,2002:";

bool is_core_boolean(const std::string& s, bool value) {
  return value ? (s == "true" || s == "True" || s == "TRUE") : (s == "false" || s == "False" || s == "FALSE");
}
}  // namespace

ScalarStyle scalar_style(const YAML::Node& n) {
  const std::string& tag = n.Tag();
  if (tag == "?") return ScalarStyle::plain;
  // yaml-cpp tags quoted scalars "!" (the non-specific tag).
  if (tag == "!" || tag == std::string(kCoreTag) + "str") return ScalarStyle::string;
  return ScalarStyle::tagged;
}

bool is_yaml11_boolean(const std::string& s) {
  static const char* const words[] = {"y",  "Y",  "yes", "Yes", "YES", "n",   "N",   "no",
                                      "No", "NO", "on",  "On",  "ON",  "off", "Off", "OFF"};
  for (const char* w : words)
    if (s == w) return true;
  return false;
}

SourceLoc YamlWalker::loc(const YAML::Node& n) const {
  SourceLoc l{file_, 1, 1};
  YAML::Mark m = n.Mark();
  if (m.line >= 0 && m.column >= 0) {
    l.line = static_cast<uint32_t>(m.line) + 1;
    l.col = static_cast<uint32_t>(m.column) + 1;
  }
  return l;
}

SourceLoc YamlWalker::key_loc(const YAML::Node& map, const std::string& key) const {
  if (map.IsMap())
    for (auto it = map.begin(); it != map.end(); ++it)
      if (it->first.IsScalar() && it->first.Scalar() == key) return loc(it->first);
  return loc(map);
}

void YamlWalker::type_error(const YAML::Node& n, const std::string& what, const char* expected) {
  diags_.error(code::wrong_type, loc(n), what + " must be " + expected + ", not " + kind_name(n));
}

bool YamlWalker::expect_map(const YAML::Node& n, const std::string& what) {
  if (!n.IsMap()) {
    type_error(n, what, "a map");
    return false;
  }
  std::set<std::string> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    if (!seen.insert(it->first.Scalar()).second)
      diags_.error(code::duplicate, loc(it->first),
                   "duplicate key '" + it->first.Scalar() + "' in " + what, {},
                   static_cast<uint32_t>(it->first.Scalar().size()));
  }
  return true;
}

bool YamlWalker::expect_map(const YAML::Node& n, const std::string& what,
                            std::initializer_list<const char*> allowed) {
  if (!expect_map(n, what)) return false;
  std::vector<std::string> names(allowed.begin(), allowed.end());
  auto unknown = [&](const YAML::Node& key, const std::string& k) {
    diags_.error(code::unknown_key, loc(key), "unknown key '" + k + "' in " + what, did_you_mean(k, names),
                 static_cast<uint32_t>(k.size()));
  };
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar()) {
      type_error(it->first, "a key of " + what, "a string");
      continue;
    }
    const std::string& k = it->first.Scalar();
    bool known = false;
    for (const auto& a : names) known = known || a == k;
    if (!known) unknown(it->first, k);
  }
  return true;
}

bool YamlWalker::require(const YAML::Node& map, const char* key, const std::string& what) {
  if (map[key]) return true;
  diags_.error(code::missing_key, loc(map), what + " needs '" + key + "'");
  return false;
}

std::optional<ast::Text> YamlWalker::scalar(const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) {
    type_error(n, what, "a string");
    return std::nullopt;
  }
  if (scalar_style(n) == ScalarStyle::tagged && n.Tag().rfind(kCoreTag, 0) == 0) {
    // !!bool, !!int, ...: the author said it is not a string.
    diags_.error(code::wrong_type, loc(n), what + " must be a string, not !!" + n.Tag().substr(18));
    return std::nullopt;
  }
  return ast::Text{n.Scalar(), loc(n)};
}

std::optional<ast::Text> YamlWalker::key(const YAML::Node& k, const std::string& what) {
  auto t = scalar(k, what);
  if (t && !name_ok(*t, what)) return std::nullopt;
  return t;
}

std::vector<ast::Text> YamlWalker::scalar_list(const YAML::Node& n, const std::string& what) {
  std::vector<ast::Text> out;
  if (n.IsScalar()) {
    out.push_back({n.Scalar(), loc(n)});
  } else if (n.IsSequence()) {
    for (const auto& item : n) {
      if (item.IsScalar()) out.push_back({item.Scalar(), loc(item)});
      else type_error(item, "an entry of " + what, "a string");
    }
  } else {
    type_error(n, what, "a string or a list of strings");
  }
  return out;
}

std::optional<bool> YamlWalker::boolean(const YAML::Node& n, const std::string& what) {
  bool typed =
      n.IsScalar() && (scalar_style(n) == ScalarStyle::plain || n.Tag() == std::string(kCoreTag) + "bool");
  if (typed && is_core_boolean(n.Scalar(), true)) return true;
  if (typed && is_core_boolean(n.Scalar(), false)) return false;
  std::string hint;
  if (n.IsScalar() && scalar_style(n) == ScalarStyle::string)
    hint = "a quoted value (or !!str) is a string: write true or false without quotes";
  else if (n.IsScalar() && is_yaml11_boolean(n.Scalar()))
    hint = "'" + n.Scalar() + "' is a boolean only in YAML 1.1; fwc reads YAML 1.2: write true or false";
  diags_.error(code::wrong_type, loc(n), what + " must be true or false", hint,
               n.IsScalar() ? static_cast<uint32_t>(std::max<size_t>(n.Scalar().size(), 1)) : 1);
  return std::nullopt;
}

bool YamlWalker::is_false(const YAML::Node& n) const {
  bool typed =
      n.IsScalar() && (scalar_style(n) == ScalarStyle::plain || n.Tag() == std::string(kCoreTag) + "bool");
  return typed && is_core_boolean(n.Scalar(), false);
}

std::optional<int64_t> YamlWalker::integer(const YAML::Node& n, const std::string& what,
                                           int64_t min, int64_t max) {
  if (n.IsScalar() && scalar_style(n) == ScalarStyle::string) {
    diags_.error(code::wrong_type, loc(n), what + " must be a whole number, not a quoted string",
                 "write the number without quotes",
                 static_cast<uint32_t>(std::max<size_t>(n.Scalar().size(), 1)));
    return std::nullopt;
  }
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
    bool digits = i < s.size() && s.size() - i <= 18;
    for (size_t j = i; j < s.size() && digits; ++j) digits = s[j] >= '0' && s[j] <= '9';
    if (digits) {
      int64_t v = std::stoll(s);
      if (v >= min && v <= max) return v;
      diags_.error(code::bad_value, loc(n),
                   what + " must be between " + std::to_string(min) + " and " + std::to_string(max),
                   {}, static_cast<uint32_t>(s.size()));
      return std::nullopt;
    }
  }
  diags_.error(code::wrong_type, loc(n), what + " must be a whole number");
  return std::nullopt;
}

std::optional<ast::Text> YamlWalker::word(const YAML::Node& n, const std::string& what,
                                          std::initializer_list<const char*> choices) {
  auto t = scalar(n, what);
  if (!t) return std::nullopt;
  std::vector<std::string> names(choices.begin(), choices.end());
  for (const auto& c : names)
    if (c == t->value) return t;
  std::string list;
  for (const auto& c : names) list += (list.empty() ? "" : ", ") + c;
  std::string hint = did_you_mean(t->value, names);
  diags_.error(code::bad_value, t->loc, "bad " + what + " '" + t->value + "' (expected " + list + ")",
               hint, t->length());
  return std::nullopt;
}

std::optional<ast::Rate> YamlWalker::rate(const YAML::Node& n, const std::string& what) {
  auto t = scalar(n, what);
  if (!t) return std::nullopt;
  const std::string& s = t->value;
  size_t slash = s.find('/');
  ast::Rate r;
  r.loc = t->loc;
  bool ok = slash != std::string::npos && slash > 0 && slash <= 9;
  for (size_t i = 0; ok && i < slash; ++i) ok = s[i] >= '0' && s[i] <= '9';
  if (ok) {
    r.count = std::stoull(s.substr(0, slash));
    r.unit = s.substr(slash + 1);
    ok = r.count > 0 &&
         (r.unit == "second" || r.unit == "minute" || r.unit == "hour" || r.unit == "day");
  }
  if (!ok) {
    diags_.error(code::bad_value, t->loc, "bad " + what + " '" + s + "'",
                 "write N/second, N/minute, N/hour or N/day with N ≥ 1", t->length());
    return std::nullopt;
  }
  return r;
}

bool YamlWalker::name_ok(const ast::Text& t, const std::string& what) {
  const std::string& s = t.value;
  bool ok = !s.empty() && s.size() <= 64 &&
            ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'));
  for (char c : s)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-' || c == '.');
  if (!ok)
    diags_.error(code::bad_value, t.loc, "bad " + what + " '" + s + "'",
                 "names start with a letter and use letters, digits, '_', '-', '.' (at most 64)",
                 t.length());
  return ok;
}

}  // namespace fwc::parse
