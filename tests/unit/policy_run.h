#pragma once
// What the loader and check tests share: a compile run with its diagnostics,
// and a temporary directory for list files and fragments.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "compiler/frontend.h"
#include "compiler/ir/selection.h"

namespace fwc::test {

struct Run {
  DiagnosticEngine diags;
  std::optional<ir::Policy> policy;

  std::vector<Diagnostic> with(const std::string& code) const {
    std::vector<Diagnostic> out;
    for (const auto& d : diags.all())
      if (d.code == code) out.push_back(d);
    return out;
  }
  // The only diagnostic with this code (fails the test otherwise).
  Diagnostic one(const std::string& code) const {
    auto v = with(code);
    INFO(diags.render_all());
    REQUIRE(v.size() == 1);
    return v[0];
  }
};

inline Run compile(const std::string& text, const std::string& file = "policy.yaml") {
  Run r;
  r.policy = compile_policy_text(text, file, r.diags);
  return r;
}

// `body` under a "fwc: 1, name: demo" header, compiled without the lint
// checks; it must have no errors.
inline ir::Policy demo_policy(const std::string& body) {
  DiagnosticEngine diags;
  auto p = compile_policy_text("fwc: 1\nname: demo\n" + body, "policy.yaml", diags, false);
  INFO(diags.render_all());
  REQUIRE(p);
  REQUIRE(diags.error_count() == 0);
  return *p;
}

// The ruleset of every node of a policy that must compile without errors.
inline ir::Ruleset ruleset(const std::string& text) {
  auto r = compile(text);
  INFO(r.diags.render_all());
  REQUIRE(r.policy);
  REQUIRE(r.diags.error_count() == 0);
  return ir::select(*r.policy, {});
}

// A fresh temporary directory, removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "fwc-unit-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& rel, const std::string& text) const {
    std::filesystem::path p = path / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  // A sparse file of `size` bytes starting with `head`.
  std::string sized(const std::string& rel, const std::string& head, uintmax_t size) const {
    std::string p = write(rel, head);
    std::filesystem::resize_file(p, size);
    return p;
  }
  std::string file(const std::string& rel) const { return (path / rel).string(); }
};

}  // namespace fwc::test
