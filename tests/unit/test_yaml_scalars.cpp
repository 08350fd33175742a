// How the loader reads YAML scalars: YAML 1.2 core booleans, quoting and
// explicit tags honoured, the YAML 1.1 words (yes, no, on, off) refused where
// a boolean or a log prefix is meant, as schema/fwc-policy.schema.json does.
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "compiler/frontend.h"
#include "tests/unit/policy_run.h"

using namespace fwc;
using test::Run;

namespace {

// A meter whose per_source is `value` (line 8 of policy.yaml).
Run meter(const std::string& value) {
  Run r;
  r.policy = compile_policy_text(R"(fwc: 1
name: demo
inbound:
  - allow: [443/tcp]
    from: any
rate_limits:
  - services: [443/tcp]
    per_source: )" + value + R"(
    rate: 10/second
)",
                                 "policy.yaml", r.diags);
  return r;
}

Run policy(const std::string& body) {
  Run r;
  r.policy = compile_policy_text("fwc: 1\nname: demo\n" + body, "policy.yaml", r.diags);
  return r;
}

}  // namespace

TEST_CASE("booleans: the YAML 1.2 core forms", "[loader][yaml]") {
  for (const char* yes : {"true", "True", "TRUE", "!!bool true"}) {
    Run r = meter(yes);
    INFO(yes << "\n" << r.diags.render_all());
    REQUIRE(r.policy);
    CHECK(r.policy->meters.at(0).per_source);
  }
  for (const char* no : {"false", "False", "FALSE", "!!bool FALSE"}) {
    Run r = meter(no);
    INFO(no << "\n" << r.diags.render_all());
    REQUIRE(r.policy);
    CHECK_FALSE(r.policy->meters.at(0).per_source);
  }
}

TEST_CASE("booleans: quoted, !!str and YAML 1.1 words are FWC-E002", "[loader][yaml][E002]") {
  struct Case {
    const char* value;
    const char* hint;
  };
  for (Case c : {Case{"\"true\"", "quoted"}, Case{"'false'", "quoted"}, Case{"!!str true", "quoted"},
                 Case{"yes", "YAML 1.1"}, Case{"no", "YAML 1.1"}, Case{"on", "YAML 1.1"},
                 Case{"Off", "YAML 1.1"}, Case{"\"yes\"", "quoted"}, Case{"1", ""}}) {
    Run r = meter(c.value);
    INFO(c.value << "\n" << r.diags.render_all());
    CHECK_FALSE(r.policy);
    auto e = r.with(code::wrong_type);
    REQUIRE(e.size() == 1);
    CHECK(e[0].loc.str() == "policy.yaml:8:17");
    CHECK_THAT(e[0].message, Catch::Contains("per_source must be true or false"));
    CHECK_THAT(e[0].hint, Catch::Contains(c.hint));
    CHECK(r.diags.error_count() == 1);
  }
}

TEST_CASE("numbers: a quoted number is a string", "[loader][yaml][E002]") {
  Run r = policy(R"(rate_limits:
  - services: [443/tcp]
    rate: 10/second
    burst: "20"
)");
  CHECK_FALSE(r.policy);
  auto e = r.with(code::wrong_type);
  REQUIRE(e.size() == 1);
  CHECK(e[0].loc.str() == "policy.yaml:6:12");
  Run ok = policy("rate_limits:\n  - services: [443/tcp]\n    rate: 10/second\n    burst: !!int 20\n");
  INFO(ok.diags.render_all());
  REQUIRE(ok.policy);
  CHECK(ok.policy->meters.at(0).burst == 20);
}

TEST_CASE("strings: quoting keeps a word a string; other tags are refused", "[loader][yaml]") {
  // A quoted "yes" where a string belongs is the string.
  Run r =
      policy("description: \"yes\"\nroles: [\"on\"]\nnodes:\n  n1: {address: 198.51.100.1, roles: ['on']}\n");
  INFO(r.diags.render_all());
  REQUIRE(r.policy);
  CHECK(r.policy->roles == std::vector<std::string>{"on"});
  Run tagged = policy("description: !!bool true\n");
  auto e = tagged.with(code::wrong_type);
  REQUIRE(e.size() == 1);
  CHECK_THAT(e[0].message, Catch::Contains("!!bool"));
}

TEST_CASE("log prefixes: a boolean word is not a prefix", "[loader][yaml]") {
  for (const char* value : {"yes", "on", "true", "off", "No"}) {
    Run r = policy(std::string("block:\n  - from: 198.51.100.1\n    log: ") + value + "\n");
    INFO(value << "\n" << r.diags.render_all());
    auto e = r.with(code::wrong_type);
    REQUIRE(e.size() == 1);
    CHECK(e[0].loc.str() == "policy.yaml:5:10");
    CHECK_THAT(e[0].hint, Catch::Contains("quote it"));
  }
  Run quoted = policy("block:\n  - from: 198.51.100.1\n    log: \"off\"\n");
  INFO(quoted.diags.render_all());
  REQUIRE(quoted.policy);
  REQUIRE(quoted.policy->inbound_blocks.at(0).log);
  CHECK(quoted.policy->inbound_blocks.at(0).log->prefix == "off");
}

TEST_CASE("defaults.log: false (1.2 forms) is no log; off is refused", "[loader][yaml]") {
  for (const char* value : {"false", "False", "FALSE", "!!bool false"}) {
    Run r = policy(std::string("defaults:\n  log: ") + value +
                   "\ninbound:\n  - allow: [22/tcp]\n    from: any\n");
    INFO(value << "\n" << r.diags.render_all());
    REQUIRE(r.policy);
    CHECK_FALSE(r.policy->defaults.log);
  }
  Run off = policy("defaults:\n  log: off\n");
  auto e = off.with(code::wrong_type);
  REQUIRE(e.size() == 1);
  CHECK(e[0].loc.str() == "policy.yaml:4:8");
  CHECK_THAT(e[0].hint, Catch::Contains("write false"));
}
