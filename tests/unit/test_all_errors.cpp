// One run reports every problem: references and values are still checked
// after structural errors, the broken rule is left out, and a section the
// loader lost does not turn every reference to it into another error.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "compiler/frontend.h"

using namespace fwc;

namespace {

std::vector<std::string> located(const DiagnosticEngine& diags) {
  std::vector<std::string> out;
  for (const auto& d : diags.sorted()) out.push_back(d.loc.str() + " " + d.code);
  return out;
}

}  // namespace

TEST_CASE("a missing key, an unknown reference and a bad port in one run", "[loader][all-errors]") {
  DiagnosticEngine diags;
  auto p = compile_policy_text(R"(fwc: 1
name: demo
networks:
  operators: 203.0.113.10
services:
  web: 70000/tcp
inbound:
  - allow: [22/tcp]
  - allow: [22/tcp]
    from: operatros
  - allow: [web]
    from: operators
)",
                               "policy.yaml", diags, true);
  CHECK_FALSE(p);
  INFO(diags.render_all());
  CHECK(located(diags) == std::vector<std::string>{"policy.yaml:6:8 FWC-E006", "policy.yaml:8:5 FWC-E004",
                                                   "policy.yaml:10:11 FWC-E007"});
}

TEST_CASE("the broken rule is left out, not guessed at", "[loader][all-errors]") {
  DiagnosticEngine diags;
  compile_policy_text(R"(fwc: 1
name: demo
block:
  - from: nowhere
    action: dorp
inbound:
  - allow: [22/tcp]
    from: [elsewhere]
    alow: [80/tcp]
  - allow: [443/tcp]
    from: [somewhere]
)",
                      "policy.yaml", diags, true);
  INFO(diags.render_all());
  // The block's bad action and the inbound rule's unknown key; the unknown
  // networks of both broken rules are not checked; the sound rule's is.
  CHECK(located(diags) == std::vector<std::string>{"policy.yaml:5:13 FWC-E010", "policy.yaml:9:5 FWC-E003",
                                                   "policy.yaml:11:12 FWC-E007"});
}

TEST_CASE("a section the loader lost is not reported again at every reference", "[loader][all-errors]") {
  DiagnosticEngine diags;
  compile_policy_text(R"(fwc: 1
name: demo
netwroks:
  operators: 203.0.113.10
services:
  web: [80/tcp, 0/tcp]
inbound:
  - allow: [22/tcp]
    from: operators
  - allow: [web, admin]
    from: 198.51.100.0/24
)",
                      "policy.yaml", diags, true);
  INFO(diags.render_all());
  // `operators` may be in the misspelt section, and `admin` too; the bad
  // port is still found.
  CHECK(located(diags) == std::vector<std::string>{"policy.yaml:3:1 FWC-E003", "policy.yaml:6:17 FWC-E006"});
}

TEST_CASE("a network with a bad entry keeps its name; rules using it raise nothing more",
          "[loader][all-errors]") {
  DiagnosticEngine diags;
  compile_policy_text(R"(fwc: 1
name: demo
networks:
  peers: {adresses: [198.51.100.1]}
inbound:
  - allow: [22/tcp]
    from: peers
)",
                      "policy.yaml", diags, true);
  INFO(diags.render_all());
  for (const auto& d : diags.all()) CHECK(d.code != std::string(code::no_host_addrs));
  for (const auto& d : diags.all()) CHECK(d.code != std::string(code::unknown_ref));
  CHECK(diags.error_count() >= 1);
}
