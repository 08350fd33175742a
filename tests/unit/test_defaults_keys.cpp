// What is said about `defaults` points at the key it is about; FWC-W104 can
// be acknowledged there and names the nodes; ufw's TCP reset for `reject`
// is a FWC-W107 at the rule.
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "backends/cloud/cloud_model.h"
#include "backends/ufw/ufw_backend.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"

using namespace fwc;

namespace {

ir::Policy compile(const std::string& text, DiagnosticEngine& diags, bool lint = false) {
  auto p = compile_policy_text(text, "policy.yaml", diags, lint);
  INFO(diags.render_all());
  REQUIRE(p);
  REQUIRE(diags.error_count() == 0);
  return *p;
}

std::vector<Diagnostic> with(const DiagnosticEngine& diags, const char* code) {
  std::vector<Diagnostic> out;
  for (const auto& d : diags.sorted())
    if (d.code == std::string(code)) out.push_back(d);
  return out;
}

// Every key of `defaults` on its own line, `inbound` not first.
const char* kDefaults = R"(fwc: 1
name: demo
defaults:
  ssh: 22/tcp
  icmp: no-ping
  outbound: drop
  forward: drop
  log: {prefix: "fwc-drop: "}
  inbound: reject
inbound:
  - allow: [22/tcp]
    from: 203.0.113.0/24
)";

std::vector<Diagnostic> ufw_warnings(const std::string& text) {
  DiagnosticEngine diags;
  auto rs = ir::select(compile(text, diags), {});
  auto artefacts = ufw::make_backend()->compile(rs, diags);
  REQUIRE(artefacts);
  return with(diags, code::approximated);
}

}  // namespace

TEST_CASE("defaults: the default rules carry their own key's line", "[defaults][lines]") {
  DiagnosticEngine diags;
  auto rs = ir::select(compile(kDefaults, diags), {});
  CHECK(rs.input.default_origin.loc.line == 9);
  REQUIRE(rs.output);
  CHECK(rs.output->default_origin.loc.line == 6);
  REQUIRE(rs.forward);
  CHECK(rs.forward->default_origin.loc.line == 7);
  CHECK(rs.icmp_loc.line == 5);
  REQUIRE(rs.input.log);
  CHECK(rs.input.log->loc.line == 8);
}

TEST_CASE("defaults: ufw's warnings point at outbound, log and icmp", "[defaults][lines][ufw]") {
  auto w = ufw_warnings(kDefaults);
  auto find = [&](const char* part) -> std::optional<Diagnostic> {
    for (const auto& d : w)
      if (d.message.find(part) != std::string::npos) return d;
    return std::nullopt;
  };
  auto icmp = find("no-ping");
  auto outbound = find("outgoing default");
  auto log = find("[UFW BLOCK]");
  REQUIRE(icmp);
  REQUIRE(outbound);
  REQUIRE(log);
  CHECK(icmp->loc.str() == "policy.yaml:5:3");
  CHECK(outbound->loc.str() == "policy.yaml:6:3");
  CHECK(log->loc.str() == "policy.yaml:8:3");
  CHECK_THAT(log->message, Catch::StartsWith("defaults.log: "));
  CHECK_THAT(icmp->message, Catch::StartsWith("defaults.icmp no-ping: "));
}

TEST_CASE("defaults: a cloud target's defaults.log warning points at log", "[defaults][lines][cloud]") {
  DiagnosticEngine diags;
  auto rs = ir::select(compile(kDefaults, diags), {});
  cloud::lower(rs, cloud::Provider::digitalocean, diags);
  bool seen = false;
  for (const auto& d : with(diags, code::approximated))
    if (d.message.rfind("defaults.log:", 0) == 0) {
      seen = true;
      CHECK(d.loc.str() == "policy.yaml:8:3");
    }
  CHECK(seen);
}

TEST_CASE("FWC-W104 names the nodes and can be acknowledged on defaults", "[lint][W104]") {
  const std::string body = R"(fwc: 1
name: demo
nodes:
  db1: {address: 198.51.100.1}
  db2: {address: 198.51.100.2}
defaults:
  icmp: all
  inbound: drop
inbound:
  - allow: [5432/tcp]
    from: 198.51.100.0/24
)";
  DiagnosticEngine loud;
  compile(body, loud, true);
  auto w = with(loud, code::lockout);
  REQUIRE(w.size() == 1);
  CHECK(w[0].loc.str() == "policy.yaml:8:3");  // inbound: drop
  CHECK_THAT(w[0].message, Catch::StartsWith("nodes db1, db2: "));
  CHECK_THAT(w[0].hint, Catch::Contains("ignore: [FWC-W104]"));

  std::string acknowledged = body;
  acknowledged.replace(acknowledged.find("  inbound: drop"), 0, "  ignore: [FWC-W104]\n");
  DiagnosticEngine quiet;
  compile(acknowledged, quiet, true);
  CHECK(with(quiet, code::lockout).empty());
}

TEST_CASE("defaults ignore: only FWC-W104", "[lint][W104][E010]") {
  DiagnosticEngine diags;
  auto p = compile_policy_text("fwc: 1\nname: demo\ndefaults:\n  ignore: [FWC-W103, FWC-W14]\n",
                               "policy.yaml", diags, true);
  CHECK_FALSE(p);
  auto e = with(diags, code::bad_value);
  REQUIRE(e.size() == 2);
  CHECK(e[0].loc.str() == "policy.yaml:4:12");
  CHECK_THAT(e[0].message, Catch::Contains("defaults can acknowledge"));
  CHECK_THAT(e[1].hint, Catch::Contains("FWC-W104"));
}

TEST_CASE("ufw: reject on TCP ports is a TCP reset, a W107 at the rule", "[ufw][W107]") {
  auto w = ufw_warnings(R"(fwc: 1
name: demo
block:
  - from: 198.51.100.0/24
    services: [22/tcp]
    action: reject
  - from: 198.51.100.7
    services: [53/udp]
    action: reject
  - from: 198.51.100.8
    action: reject
inbound:
  - allow: [22/tcp, 443/tcp]
    from: 203.0.113.0/24
    otherwise: {action: reject}
)");
  std::vector<std::string> resets;
  for (const auto& d : w)
    if (d.message.find("TCP reset") != std::string::npos) resets.push_back(d.loc.str());
  // The TCP block and the otherwise clause; not UDP, not all traffic.
  CHECK(resets == std::vector<std::string>{"policy.yaml:4:5", "policy.yaml:15:16"});

  auto quiet = ufw_warnings(R"(fwc: 1
name: demo
block:
  - from: 198.51.100.0/24
    services: [22/tcp]
    action: reject
    ignore: [FWC-W107]
inbound:
  - allow: [22/tcp]
    from: 203.0.113.0/24
)");
  for (const auto& d : quiet) CHECK(d.message.find("TCP reset") == std::string::npos);
}
