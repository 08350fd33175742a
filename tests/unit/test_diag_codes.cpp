// The diagnostic code registry (compiler/diag/codes.def) against itself and
// against the two places that list the codes for users: fwc(1) "Diagnostic
// codes" and docs/contract.md "Diagnostic codes". Each must list exactly the
// registry's codes, each once.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/diag/codes.h"
#include "compiler/diag/diagnostic.h"

using namespace fwc;

namespace {

std::string source_file(const std::string& path) {
  std::ifstream in(std::string(FWC_SOURCE_DIR) + "/" + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The text from the line `heading` up to the next line starting with `next`.
std::string section(const std::string& text, const std::string& heading, const std::string& next) {
  size_t start = text.find("\n" + heading + "\n");
  if (start == std::string::npos) return {};
  start += heading.size() + 2;
  size_t end = text.find("\n" + next, start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// Every code a listing names, in order, repeats kept; `line` captures the
// part after "FWC-".
std::vector<std::string> listed_codes(const std::string& listing, const std::regex& line) {
  std::vector<std::string> codes;
  for (std::sregex_iterator m(listing.begin(), listing.end(), line), end; m != end; ++m)
    codes.push_back("FWC-" + (*m)[1].str());
  return codes;
}

// Each code of the registry once in `listed`, and nothing else.
void check_lists_each_once(const std::vector<std::string>& listed) {
  for (const auto& c : diagnostic_codes()) {
    INFO(c.code);
    CHECK(std::count(listed.begin(), listed.end(), c.code) == 1);
  }
  for (const auto& code : listed) {
    INFO(code << " is not in compiler/diag/codes.def");
    CHECK(find_code(code) != nullptr);
  }
}

}  // namespace

TEST_CASE("diagnostic codes: one entry per code, each described", "[diag][codes]") {
  std::set<std::string> codes, names;
  for (const auto& c : diagnostic_codes()) {
    INFO(c.code);
    CHECK(std::regex_match(c.code, std::regex("FWC-[EW][0-9]{3}")));
    CHECK(codes.insert(c.code).second);
    CHECK(names.insert(c.name).second);
    CHECK(std::string(c.summary).ends_with("."));
    CHECK(std::string(c.description).ends_with("."));
    CHECK(std::string(c.description) != c.summary);
    CHECK(find_code(c.code) == &c);
    // Only warnings can be acknowledged; an error always stands.
    if (c.code[4] == 'E') CHECK(c.acknowledged_by == Acknowledger::nothing);
  }
  CHECK(find_code(code::target_limit) != nullptr);
  CHECK(find_code("FWC-E999") == nullptr);
}

TEST_CASE("diagnostic codes: fwc(1) lists exactly the registry's codes", "[diag][codes]") {
  std::string listing = section(source_file("man/fwc.1"), ".SS Diagnostic codes", ".SH ");
  REQUIRE_FALSE(listing.empty());
  std::regex entry(R"(^\.B FWC\\-([EW][0-9]{3})$)", std::regex::multiline);
  check_lists_each_once(listed_codes(listing, entry));
}

TEST_CASE("diagnostic codes: docs/contract.md lists exactly the registry's codes", "[diag][codes]") {
  std::string listing = section(source_file("docs/contract.md"), "## Diagnostic codes", "## ");
  REQUIRE_FALSE(listing.empty());
  std::regex row(R"(^\| FWC-([EW][0-9]{3}) \|)", std::regex::multiline);
  check_lists_each_once(listed_codes(listing, row));
}
