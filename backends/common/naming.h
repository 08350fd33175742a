#pragma once
#include <cstddef>
#include <limits>
#include <set>
#include <string>
#include <string_view>

#include "compiler/ir/ir.h"

// Names and comments every backend derives from a policy rule.
namespace fwc::naming {

// A rule's label and place, "inbound[1] public-web (policy.yaml:12)",
// before the artefact's own escaping.
std::string origin_text(const ir::Origin& o);

// The first header line of every host artefact:
// "fwc: policy NAME (FILE), SELECTION" (escaped by the emitter), and the
// host names whose answers it holds.
std::string policy_header(const ir::Ruleset& rs);

// `s` with every character other than ASCII letters, digits and those in
// `keep` replaced by '_'.
std::string sanitize(std::string_view s, std::string_view keep = "");

// A readable stem for the objects a rule needs (sets, chains): the rule's
// name ("public-web"; with `first_word`, "web" of "web otherwise"), or its
// position ("inbound_2"), sanitized.
std::string rule_stem(const ir::Origin& o, std::string_view keep = "", bool first_word = false);

// Names unique within one namespace (sets, chains, limits), each at most
// `max` characters: prefix + stem, shortened to leave room, + a counter
// from the second use on (separator + n) + suffix. Characters of `trim` are
// dropped from the end of the stem, so that a shortened word does not end
// in a dangling separator before the counter or suffix.
class UniqueNames {
 public:
  explicit UniqueNames(size_t max = std::numeric_limits<size_t>::max(), char separator = '_',
                       std::string_view trim = "")
      : max_(max), separator_(separator), trim_(trim) {}
  void reserve(const std::string& name) { used_.insert(name); }
  std::string take(std::string_view prefix, std::string_view stem, std::string_view suffix = "");

 private:
  size_t max_;
  char separator_;
  std::string trim_;
  std::set<std::string> used_;
};

}  // namespace fwc::naming
