// Inputs a policy names that are hostile or merely wrong: files that are not
// regular files, oversized files, lists and fragments that must not be
// echoed, aliases and includes that would amplify, many diagnostics
// (docs/contract.md, fwc-policy(5) "Limits").
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/printable.h"
#include "compiler/frontend.h"
#include "tests/unit/policy_run.h"

using namespace fwc;
using test::compile;
using test::Run;
using test::TempDir;

namespace {

std::string list_policy(const std::string& list) {
  return "fwc: 1\nname: demo\nnetworks:\n  blocked: {file: '" + list + "'}\n";
}

// The E011 a `file:` naming `list` gives, at the `file:` value.
Diagnostic list_refused(const TempDir& dir, const std::string& list) {
  Run r = compile(list_policy(list), dir.file("policy.yaml"));
  CHECK_FALSE(r.policy);
  Diagnostic d = r.one(code::file_error);
  CHECK(d.loc.str() == dir.file("policy.yaml") + ":4:19");
  return d;
}

bool has_control_bytes(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\n') || u == 0x7f;
  });
}

}  // namespace

// ------------------------------------------------- item: only regular files

TEST_CASE("file: lists must be regular files", "[inputs][E011]") {
  TempDir dir;
  std::filesystem::create_directories(dir.path / "lists/blocked.d");
  SECTION("a directory") {
    CHECK_THAT(list_refused(dir, "lists/blocked.d").message, Catch::Contains("is a directory"));
  }
  SECTION("a FIFO without a writer is refused at once, not waited on") {
    REQUIRE(mkfifo(dir.file("fifo").c_str(), 0600) == 0);
    CHECK_THAT(list_refused(dir, "fifo").message, Catch::Contains("is a FIFO"));
  }
  SECTION("/dev/zero and /dev/null are devices") {
    CHECK_THAT(list_refused(dir, "/dev/zero").message, Catch::Contains("is a character device"));
    CHECK_THAT(list_refused(dir, "/dev/null").message, Catch::Contains("is a character device"));
  }
  SECTION("larger than the cap") {
    dir.sized("big.txt", "10.0.0.1\n", (uintmax_t{64} << 20) + 1);
    Diagnostic d = list_refused(dir, "big.txt");
    CHECK_THAT(d.message, Catch::Contains("is larger than 64 MiB"));
    CHECK_THAT(d.hint, Catch::Contains("64 MiB"));
  }
  SECTION("exactly the cap is read") {
    dir.sized("cap.txt", "10.0.0.1\n#", uintmax_t{64} << 20);
    Run r = compile(list_policy("cap.txt"), dir.file("policy.yaml"));
    INFO(r.diags.render_all());
    CHECK(r.diags.error_count() == 0);
  }
}

TEST_CASE("the lists of one policy share a read budget", "[inputs][E011]") {
  TempDir dir;
  dir.sized("big.txt", "#", uintmax_t{60} << 20);
  std::string text = "fwc: 1\nname: demo\nnetworks:\n  blocked: {file: [";
  for (int i = 0; i < 5; ++i) text += std::string(i ? ", " : "") + "big.txt";
  Run r = compile(text + "]}\n", dir.file("policy.yaml"));
  Diagnostic d = r.one(code::file_error);
  CHECK(d.loc.col == 20 + 4 * 9);  // the fifth: four of 60 MiB fit in 256 MiB
  CHECK_THAT(d.hint, Catch::Contains("256 MiB"));
}

TEST_CASE("include: must name a regular file of bounded size", "[inputs][E011]") {
  TempDir dir;
  std::filesystem::create_directories(dir.path / "fragments.d");
  REQUIRE(mkfifo(dir.file("fifo.yaml").c_str(), 0600) == 0);
  dir.sized("big.yaml", "networks: {}\n#", (uintmax_t{1} << 20) + 1);
  auto refused = [&](const std::string& target) {
    Run r = compile("fwc: 1\nname: demo\ninclude: " + target + "\n", dir.file("policy.yaml"));
    Diagnostic d = r.one(code::file_error);
    CHECK(d.loc.str() == dir.file("policy.yaml") + ":3:10");
    return d.message;
  };
  CHECK_THAT(refused("fragments.d"), Catch::Contains("is a directory"));
  CHECK_THAT(refused("fifo.yaml"), Catch::Contains("is a FIFO"));
  CHECK_THAT(refused("/dev/zero"), Catch::Contains("is a character device"));
  CHECK_THAT(refused("big.yaml"), Catch::Contains("is larger than 1 MiB"));
}

TEST_CASE("the policy file itself: a directory or a device is refused", "[inputs][E011]") {
  TempDir dir;
  DiagnosticEngine diags;
  CHECK_FALSE(compile_policy(dir.path.string(), diags));
  CHECK_THAT(diags.render_all(), Catch::Contains("cannot read policy file: is a directory"));
  DiagnosticEngine zero;
  CHECK_FALSE(compile_policy("/dev/zero", zero));
  CHECK_THAT(zero.render_all(), Catch::Contains("is a character device"));
}

// --------------------------------------------- item: nothing disclosed

TEST_CASE("printable escapes control characters, DEL and bytes that are not UTF-8", "[inputs][escape]") {
  CHECK(printable("plain é → text") == "plain é → text");
  CHECK(printable("a\x1b[31mred") == "a\\x1b[31mred");
  CHECK(printable("a\nb\tc\rd") == "a\\nb\\tc\\rd");
  CHECK(printable(std::string("nul\0del\x7f", 8)) == "nul\\x00del\\x7f");
  CHECK(printable("\xff\xc3") == "\\xff\\xc3");
  CHECK(printable("csi\xc2\x9b"
                  "1m") == "csi\\x{9b}1m");
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a surrogate is not UTF-8
  std::string once = printable("\x1b]0;title\x07");
  CHECK(printable(once) == once);
}

TEST_CASE("excerpt keeps at most 40 characters of the escaped text", "[inputs][escape]") {
  CHECK(excerpt("short") == "short");
  CHECK(excerpt(std::string(41, 'x')) == std::string(40, 'x') + "...");
  CHECK(excerpt(std::string(40, 'x')) == std::string(40, 'x'));
  std::string esc = excerpt(std::string(30, 'x') + "\x1b\x1b\x1b");
  CHECK(esc == std::string(30, 'x') + "\\x1b\\x1b...");
  CHECK(excerpt(std::string(50, '\xe2')).size() <= 43);
}

TEST_CASE("a list that is not a list is quoted once, briefly, never rendered", "[inputs][disclosure]") {
  TempDir dir;
  std::string secret = "root:$y$j9T$SECRETSECRETSECRETSECRETSECRETSECRET:19700:0:99999:7:::\n";
  std::string shadow =
      dir.write("shadow", secret + "daemon:*:19700:0:99999:7:::\nbin:*:19700:0:99999:7:::\n");
  Run r = compile(list_policy(shadow), dir.file("policy.yaml"));
  auto v = r.with(code::bad_address);
  REQUIRE(v.size() == 2);
  CHECK(v[0].loc.str() == shadow + ":1:1");
  CHECK(v[0].message == "not an IP address or CIDR: 'root:$y$j9T$SECRETSECRETSECRETSECRETSECR...'");
  CHECK(v[1].loc.str() == shadow + ":2:1");
  CHECK(v[1].message == "2 more bad lines in this list (lines 2, 3)");
  std::string text = r.diags.render_all();
  CHECK(text.find("SECRETSECRETSECRETSECRETSECRETSECRET") == std::string::npos);
  CHECK(text.find("daemon") == std::string::npos);
}

TEST_CASE("an include that is not a fragment is refused without its content", "[inputs][disclosure]") {
  TempDir dir;
  std::string secret = dir.write("secret.yaml", "password: hunter2-SECRET\ntoken: abcdef-SECRET\n");
  dir.write("shadow", "root:$y$j9T$SECRET:19700:0:99999:7:::\n");
  dir.write("broken.yaml", "networks: {a: [10.0.0.1\n  token: SECRET-SECRET-SECRET-SECRET-SECRET-SECRET\n");
  for (const std::string target : {"secret.yaml", "shadow", "broken.yaml"}) {
    Run r = compile("fwc: 1\nname: demo\ninclude: " + target + "\n", dir.file("policy.yaml"));
    INFO(target);
    CHECK_FALSE(r.policy);
    CHECK(r.diags.error_count() == 1);
    std::string text = r.diags.render_all();
    INFO(text);
    CHECK(text.find("hunter2") == std::string::npos);
    CHECK(text.find("SECRET-SECRET-SECRET-SECRET-SECRET") == std::string::npos);
    CHECK(text.find("$y$") == std::string::npos);
  }
  (void)secret;
}

TEST_CASE("control characters in messages and source lines are escaped", "[inputs][escape]") {
  TempDir dir;
  dir.write("evil.txt", "\x1b]0;pwned\x07\x1b[2J\n");
  Run r = compile(list_policy("evil.txt"), dir.file("policy.yaml"));
  Diagnostic d = r.one(code::bad_address);
  CHECK_THAT(d.message, Catch::Contains("\\x1b]0;pwned\\x07\\x1b[2J"));
  CHECK_FALSE(has_control_bytes(r.diags.render_all()));

  // A policy line (rendered as the source line) and a path with ESC.
  Run p = compile("fwc: 1\nname: demo\nnetworks:\n  ops: \"\x1b[1m10.0.0.300\"\n", "po\x1b[2Jlicy.yaml");
  std::string text = p.diags.render_all();
  INFO(text);
  CHECK_FALSE(has_control_bytes(text));
  CHECK_THAT(text, Catch::Contains("po\\x1b[2Jlicy.yaml:4:8: error: unknown network '\\x1b[1m10.0.0.300'"));
  // The caret still sits under the quoted value: "\x1b" takes four columns.
  CHECK_THAT(text, Catch::Contains("\n    ops: \"\\x1b[1m10.0.0.300\"\n" + std::string(2 + 7, ' ') + "^"));
}

// ------------------------------------------------ item: no amplification

TEST_CASE("YAML aliases cannot amplify the policy", "[inputs][E010]") {
  // Nine levels of ten aliases: a billion nodes from a few hundred bytes.
  std::string text = "fwc: 1\nname: demo\nx0: &a0 [10.0.0.1]\n";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "x" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 1; k < 10; ++k) text += ", " + prev;
    text += "]\n";
  }
  text += "networks:\n  bomb: *a9\n";
  TempDir dir;
  Run r = compile(text, dir.file("policy.yaml"));
  CHECK_FALSE(r.policy);
  Diagnostic d = r.one(code::bad_value);
  CHECK(d.loc.line > 0);
  CHECK_THAT(d.message, Catch::Contains("more than 1000000 YAML nodes"));
  CHECK(r.diags.error_count() == 1);
}

TEST_CASE("included files count at every inclusion", "[inputs][E010]") {
  TempDir dir;
  // About 457,000 nodes after expansion, from a few hundred bytes.
  std::string frag = "networks:\n  n: [10.0.0.1]\nbig: &b0 [1, 2, 3]\n";
  for (int i = 1; i <= 5; ++i) {
    std::string prev = "*b" + std::to_string(i - 1);
    frag += "l" + std::to_string(i) + ": &b" + std::to_string(i) + " [" + prev;
    for (int k = 1; k < 10; ++k) frag += ", " + prev;
    frag += "]\n";
  }
  for (int i = 1; i <= 3; ++i) dir.write("f" + std::to_string(i) + ".yaml", frag);
  Run r = compile("fwc: 1\nname: demo\ninclude:\n  - f1.yaml\n  - f2.yaml\n  - f3.yaml\n",
                  dir.file("policy.yaml"));
  CHECK_FALSE(r.policy);
  auto v = r.with(code::bad_value);
  REQUIRE(v.size() == 1);
  CHECK(v[0].loc.str() == dir.file("policy.yaml") + ":6:5");  // the third inclusion passes the limit
}

TEST_CASE("an include listed twice is read once", "[inputs][E009]") {
  TempDir dir;
  dir.write("f.yaml", "networks:\n  n: 10.0.0.1\n");
  Run r = compile("fwc: 1\nname: demo\ninclude: [f.yaml, f.yaml]\n", dir.file("policy.yaml"));
  Diagnostic d = r.one(code::duplicate);
  CHECK(d.loc.str() == dir.file("policy.yaml") + ":3:19");
  CHECK_THAT(d.message, Catch::Contains("included twice"));
}

TEST_CASE("text output shows 100 diagnostics per file, errors first, then a count", "[inputs][cap]") {
  DiagnosticEngine e;
  auto file = std::make_shared<const std::string>("p.yaml");
  for (uint32_t i = 1; i <= 150; ++i) e.warning(code::host_bits, SourceLoc{file, i, 1}, "w");
  for (uint32_t i = 200; i < 300; ++i) e.error(code::bad_address, SourceLoc{file, i, 1}, "e");
  auto other = std::make_shared<const std::string>("q.yaml");
  e.error(code::bad_address, SourceLoc{other, 1, 1}, "e");
  std::string text = e.render_all();
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  };
  CHECK(count(": error: e [FWC-E005]") == 101);
  CHECK(count(": warning: w") == 0);
  CHECK_THAT(text, Catch::EndsWith("p.yaml: note: 150 more diagnostics in p.yaml not shown\n"
                                   "q.yaml:1:1: error: e [FWC-E005]\n"));
  CHECK(e.error_count() == 101);
  CHECK(e.warning_count() == 150);
}

// Old rendering rescanned the policy text for every diagnostic: 80,000 bad
// entries took ~20 s. Run by ctest as `diag-render-scale` under a TIMEOUT.
TEST_CASE("80,000 bad entries render in linear time", "[.render-scale]") {
  std::string text = "fwc: 1\nname: demo\nnetworks:\n  blocked:\n";
  for (int i = 0; i < 80000; ++i)
    text += "    - 10.0." + std::to_string(i % 256) + "." + std::to_string(300 + i) + "\n";
  Run r = compile(text, "policy.yaml");
  CHECK(r.diags.error_count() == 80000);
  DiagnosticEngine& d = r.diags;
  std::string all;
  for (const auto& x : d.sorted()) all += d.render(x);  // uncapped, as the worst case
  CHECK(all.size() > size_t{80000} * 40);
  CHECK_THAT(d.render_all(), Catch::Contains("79900 more diagnostics in policy.yaml not shown"));
}

TEST_CASE("printable shows bidirectional controls escaped", "[inputs][escape]") {
  // U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE, U+200F RLM.
  CHECK(printable("allow \xE2\x80\xAEtxt.exe") == "allow \\u{202e}txt.exe");
  CHECK(printable("a\xE2\x81\xA6" "b\xE2\x80\x8F") == "a\\u{2066}b\\u{200f}");
  CHECK(printable("\xE2\x80\x94 dash") == "\xE2\x80\x94 dash");  // U+2014 stays
  CHECK(excerpt("\xE2\x80\xAE", 40) == "\\u{202e}");
}
