// Escaping of the strings a policy or its path puts into an artefact
// (backends/common/escape.h), and every target compiled from a hostile
// policy path and hostile free text.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/common/escape.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"

using namespace fwc;

namespace {

// Newline, CR, quotes, backslash, command substitution, backticks, ESC,
// DEL and a byte that is not UTF-8.
const std::string kHostile = "a\nflush ruleset\r\"'\\$(touch /tmp/x)`id`\x1b[31m\x7f\xff;#";

bool has_control(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c >= 0x7f) return true;
  return false;
}

}  // namespace

TEST_CASE("escape: a comment line keeps printable text and shows the rest", "[escape]") {
  CHECK(escape::comment_line("fwc: policy web (p.yaml), all nodes") == "fwc: policy web (p.yaml), all nodes");
  CHECK(escape::comment_line("a\nb\rc\td") == "a\\nb\\rc\\td");
  CHECK(escape::comment_line("back\\slash") == "back\\\\slash");
  CHECK(escape::comment_line("\x1b[31m\x7f\xff\x01") == "\\x1b[31m\\x7f\\xff\\x01");
  CHECK(escape::comment_line("$(x) `y` \"q\" 'r'") == "$(x) `y` \"q\" 'r'");
  const std::string line = escape::comment_line(kHostile);
  CHECK_FALSE(has_control(line));
  CHECK(line.find("\nflush") == std::string::npos);
}

TEST_CASE("escape: nft and iptables-restore strings drop quotes, backslashes and control bytes", "[escape]") {
  for (auto* fn : {&escape::nft_string, &escape::ipt_quoted}) {
    CHECK(fn("web (p.yaml:3)", 120) == "web (p.yaml:3)");
    const std::string s = fn(kHostile, 120);
    CHECK(s == "aflush ruleset'$(touch /tmp/x)`id`[31m;#");
    CHECK_FALSE(has_control(s));
    CHECK(fn(std::string(200, 'x'), 120) == std::string(117, 'x') + "...");
    CHECK(fn(std::string(120, 'x'), 120) == std::string(120, 'x'));
  }
}

TEST_CASE("escape: an nft log prefix has no '$'", "[escape]") {
  CHECK(escape::nft_log_prefix("fwc-drop: ", 127) == "fwc-drop: ");
  CHECK(escape::nft_log_prefix("a$(id)$HOME\"\\\n", 127) == "a(id)HOME");
}

TEST_CASE("escape: a shell word is one single-quoted word", "[escape]") {
  CHECK(escape::shell_word("plain") == "'plain'");
  CHECK(escape::shell_word("it's") == "'it'\\''s'");
  CHECK(escape::shell_word("$(touch x) `id`") == "'$(touch x) `id`'");
  CHECK(escape::shell_word("") == "''");
}

TEST_CASE("escape: ufw comments have no single quote or control byte", "[escape]") {
  const std::string s = escape::ufw_comment(kHostile, 120);
  CHECK(s == "aflush ruleset\"\\$(touch /tmp/x)`id`[31m;#");
  CHECK(escape::ufw_comment(std::string(130, 'y'), 120).size() == 120);
}

TEST_CASE("escape: rich-rule values carry no quote, backslash, '=' or control byte", "[escape]") {
  CHECK(escape::rich_value("fwc-drop: ") == "fwc-drop: ");
  CHECK(escape::rich_value("a=b") == "a_b");
  CHECK(escape::rich_value(kHostile) == "aflush ruleset'$(touch /tmp/x)`id`[31m;#");
}

TEST_CASE("escape: cloud text keeps the provider's characters", "[escape]") {
  CHECK(escape::cloud_text("web-1.example", ".-", '-', 255) == "web-1.example");
  CHECK(escape::cloud_text("a b\nc", ".-", '-', 255) == "a-b-c");
  const std::string aws = escape::cloud_text(kHostile, escape::kAwsTextChars, ' ', 255);
  CHECK(aws == "a flush ruleset    $(touch /tmp/x) id  [31m  ;#");
  CHECK(escape::cloud_text(std::string(300, 'z'), "", ' ', 255) == std::string(252, 'z') + "...");
  CHECK_FALSE(has_control(escape::cloud_text(kHostile, escape::kPrintablePunctuation, ' ', 128)));
}

namespace {

// Free text in every place the language takes it, a rule named so that its
// stems reach set and chain names, and a block list big enough for sets.
std::string hostile_policy() {
  nlohmann::json q = kHostile;  // a YAML double-quoted scalar reads JSON escapes
  const std::string text = q.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return "fwc: 1\nname: web\ndescription: " + text +
         "\nnetworks:\n  bad: {addresses: [203.0.113.1, 203.0.113.3, 203.0.113.5, 203.0.113.7, 203.0.113.9],"
         " description: " +
         text +
         "}\n"
         "nodes:\n  n1: {address: 198.51.100.1, hostname: " +
         text +
         "}\n"
         "defaults: {log: {prefix: \"x'`touch /tmp/y`;=#\"}}\n"
         "block:\n  - {name: bad-actors, from: bad, comment: " +
         text +
         ", log: \"b'`id`(id)= \"}\n"
         "inbound:\n  - {name: web, allow: [443/tcp], from: any, comment: " +
         text +
         "}\n"
         "rate_limits:\n  - {services: [443/tcp], rate: 10/second, per_source: true}\n"
         "cloud:\n  digitalocean: {name: \"n\\n$(id)\"}\n  aws: {group_name: \"n\\n$(id)\", description: " +
         text + "}\n  hetzner: {name: \"n\\n$(id)\"}\n";
}

std::vector<backend::Artifact> compile_to(const backend::BackendInfo& b, const std::string& path) {
  DiagnosticEngine diags;
  auto p = compile_policy_text(hostile_policy(), path, diags, false);
  INFO(diags.render_all());
  REQUIRE(p);
  auto artefacts = b.make()->compile(ir::select(*p, {}), diags);
  INFO(diags.render_all());
  REQUIRE(artefacts);
  return *artefacts;
}

// Whether any string in a JSON document holds a control byte.
bool json_has_control(const nlohmann::json& j) {
  if (j.is_string()) return has_control(j.get<std::string>());
  if (!j.is_structured()) return false;
  for (const auto& item : j)
    if (json_has_control(item)) return true;
  return false;
}

// Lines that are not '#' comments (a longer comment may wrap into more).
size_t code_lines(const std::string& s) {
  size_t n = 0;
  for (size_t pos = 0; pos < s.size();) {
    size_t end = s.find('\n', pos);
    if (end == std::string::npos) end = s.size();
    if (s[pos] != '#') ++n;
    pos = end + 1;
  }
  return n;
}

}  // namespace

TEST_CASE("escape: a hostile path and free text add nothing to any artefact", "[escape][targets]") {
  const std::string hostile_path =
      "/tmp/p\nflush ruleset\n-A INPUT -j ACCEPT\n$(touch /tmp/z)`id`\x1b'\".yaml";
  for (const auto& b : backend::registry()) {
    INFO("target " << b.name);
    auto plain = compile_to(b, "/tmp/p.yaml");
    auto hostile = compile_to(b, hostile_path);
    REQUIRE(plain.size() == hostile.size());
    for (size_t i = 0; i < plain.size(); ++i) {
      INFO("artefact " << hostile[i].suffix);
      const std::string& text = hostile[i].text;
      // Escaping never adds a line outside a comment.
      CHECK(code_lines(text) == code_lines(plain[i].text));
      for (char c : text) {
        if (c == '\n' || c == '\t') continue;
        CHECK_FALSE((static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f));
      }
      CHECK(text.find("\nflush ruleset") == std::string::npos);
      CHECK(text.find("\n-A INPUT -j ACCEPT") == std::string::npos);
      CHECK(text.find("\n$(touch") == std::string::npos);
      if (b.cloud) CHECK_FALSE(json_has_control(nlohmann::json::parse(text)));
    }
  }
}

TEST_CASE("escape: names that become set, chain and zone names stay restricted at load", "[escape]") {
  // Rule, network, node and policy names reach nft/ipset/chain names (after
  // the backends' own sanitising): the loader refuses anything else.
  for (const std::string bad : {"\"web;flush ruleset\"", "\"a b\"", "\"x$(id)\"", "\"n\\nm\"", "\"-web\""}) {
    INFO("name " << bad);
    for (const std::string& policy :
         {"fwc: 1\nname: " + bad + "\n", "fwc: 1\nname: p\nnetworks:\n  " + bad + ": 203.0.113.1\n",
          "fwc: 1\nname: p\ninbound:\n  - {name: " + bad + ", allow: [22/tcp], from: any}\n",
          "fwc: 1\nname: p\nnodes:\n  " + bad + ": {address: 198.51.100.1}\n"}) {
      DiagnosticEngine diags;
      compile_policy_text(policy, "policy.yaml", diags, false);
      bool refused = false;
      for (const auto& d : diags.sorted()) refused = refused || d.code == std::string("FWC-E010");
      CHECK(refused);
    }
  }
}

TEST_CASE("escape: a DigitalOcean tag the provider refuses is an error, not rewritten", "[escape]") {
  DiagnosticEngine diags;
  auto p = compile_policy_text(
      "fwc: 1\nname: p\ninbound:\n  - {allow: [22/tcp], from: any}\n"
      "cloud:\n  digitalocean: {tags: [web, \"web\\nx$(id)\"]}\n",
      "policy.yaml", diags, false);
  REQUIRE(p);
  auto artefacts = backend::find_backend("digitalocean")->make()->compile(ir::select(*p, {}), diags);
  CHECK_FALSE(artefacts);
  bool named = false;
  for (const auto& d : diags.sorted()) named = named || d.message.find("'web\\nx$(id)'") != std::string::npos;
  CHECK(named);
}
