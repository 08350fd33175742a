// `ignore: [FWC-W107]` on a rule: every target that approximates the rule
// stays quiet about it, and still reports the rules that do not say so.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "compiler/diag/codes.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"

using namespace fwc;

namespace {

// Rules at lines 8 (a global meter), 12 (a per-source meter that rejects and
// logs) and 21 (a logged block list): constructs some targets approximate.
std::string policy(const std::string& ack) {
  return "fwc: 1\nname: demo\nnetworks:\n  customers: [198.51.100.0/24]\n  bad: [203.0.113.0/28]\n"
         "defaults: {inbound: drop}\nrate_limits:\n"
         "  - name: dns-flood\n    services: [53/udp]\n    rate: 1000/second\n" + ack +
         "  - name: api\n    service: 8443/tcp\n    from: customers\n    rate: 30/minute\n"
         "    per_source: true\n    action: reject\n    log: \"api-rate: \"\n" + ack +
         "block:\n"
         "  - name: bad\n    from: bad\n    log: \"bad: \"\n" + ack +
         "inbound:\n  - allow: [53/udp, 8443/tcp]\n    from: any\n  - allow: [22/tcp]\n    from: customers\n";
}

size_t approximations(const std::string& target, const std::string& text) {
  DiagnosticEngine diags;
  auto p = compile_policy_text(text, "policy.yaml", diags, false);
  INFO(diags.render_all());
  REQUIRE(p);
  REQUIRE(!diags.has_errors());
  auto backend = backend::find_backend(target)->make();
  backend->compile(ir::select(*p, {}), diags);
  size_t n = 0;
  for (const auto& d : diags.all())
    if (d.code == code::approximated) ++n;
  return n;
}

}  // namespace

TEST_CASE("ignore: FWC-W107 silences a target's approximation of that rule only", "[diag]") {
  const std::string ack = "    ignore: [FWC-W107]\n";
  size_t targets_that_approximate = 0;
  for (const auto& info : backend::registry()) {
    INFO("target " << info.name);
    size_t plain = approximations(info.name, policy(""));
    size_t acknowledged = approximations(info.name, policy(ack));
    CHECK(acknowledged == 0);
    if (plain > 0) ++targets_that_approximate;
  }
  // The policy must exercise approximations, or the check above proves nothing.
  CHECK(targets_that_approximate >= 4);
}

TEST_CASE("ignore: only warning codes a rule can acknowledge", "[diag]") {
  DiagnosticEngine diags;
  compile_policy_text(policy("    ignore: [FWC-W101]\n"), "policy.yaml", diags, false);
  REQUIRE(diags.has_errors());
  CHECK(diags.sorted()[0].code == code::bad_value);
  CHECK(diags.sorted()[0].message.find("not a warning a rule can acknowledge") != std::string::npos);
}

TEST_CASE("ignore: the registry says which warnings rules and defaults acknowledge", "[diag]") {
  using Codes = std::vector<std::string>;
  CHECK(acknowledgeable_by(Acknowledger::rule) ==
        Codes{code::shadowed, code::admin_open, code::no_host_addrs, code::redundant, code::approximated});
  CHECK(acknowledgeable_by(Acknowledger::defaults) == Codes{code::lockout, code::published_and_forward});
}
