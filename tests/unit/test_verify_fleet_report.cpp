// `fwc verify --all`: the one report of many targets, from made-up runs
// (no probes): the summary by node, and JSON and JUnit that parse.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/verify_fleet.h"

using namespace fwc::cli::verify;
namespace pr = fwc::prober;

namespace {

Report judged(const std::string& target, bool failing) {
  Report c;
  c.target = target;
  c.source = "198.51.100.1";
  c.method = "raw SYN scan";
  c.policy = "fleet.yaml";
  c.selection = "node x";
  c.with_policy = true;
  c.rows.push_back({{22, pr::L4::tcp, pr::State::open, "syn-ack", 1}, "allowed", "ssh", "ok", ""});
  c.rows.push_back({{9100, pr::L4::tcp, failing ? pr::State::open : pr::State::filtered,
                     failing ? "syn-ack" : "no-response", 1},
                    "blocked", "default", failing ? "failure" : "ok", failing ? "exposed" : ""});
  return c;
}

std::vector<FleetTarget> fleet() {
  std::vector<FleetTarget> t;
  t.push_back({"web1", "198.51.100.11", 0, "", judged("198.51.100.11", false)});
  t.push_back({"web2", "198.51.100.12", 1, "", judged("198.51.100.12", false)});
  t.push_back({"web2", "2001:db8::12", 1, "", judged("2001:db8::12", true)});
  t.push_back({"db<1>", "", 2, "no address in the policy", {}});
  return t;
}

template <class Print>
std::string printed(const std::vector<FleetTarget>& t, Print print) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* mem = open_memstream(&buf, &len);
  REQUIRE(mem);
  print(t, mem);
  std::fclose(mem);
  std::string out(buf, len);
  std::free(buf);
  return out;
}

}  // namespace

TEST_CASE("fleet text: a section per target, nodes counted once", "[verify-fleet]") {
  const std::string out = printed(fleet(), print_fleet_text);
  CHECK(out.find("== node web2 (2001:db8::12)\n") != std::string::npos);
  CHECK(out.find("== node db<1> (no address)\nnot probed: no address in the policy\n") != std::string::npos);
  CHECK(out.find("3 nodes: 1 ok, 1 failing, 1 not probed\nfailing: web2\nnot probed: db<1>\n") !=
        std::string::npos);
}

TEST_CASE("fleet JSON: one document, each target's report with its node", "[verify-fleet]") {
  auto j = nlohmann::json::parse(printed(fleet(), print_fleet_json));
  CHECK(j["counts"] == nlohmann::json({{"failing", 1}, {"ok", 1}, {"not_probed", 1}}));
  REQUIRE(j["nodes"].size() == 4);
  CHECK(j["nodes"][2]["node"] == "web2");
  CHECK(j["nodes"][2]["target"] == "2001:db8::12");
  CHECK(j["nodes"][2]["failures"] == 1);
  CHECK(j["nodes"][2]["ports"][1]["verdict"] == "failure");
  CHECK(j["nodes"][0]["failures"] == 0);
  CHECK(j["nodes"][3] == nlohmann::json({{"node", "db<1>"}, {"target", ""}, {"error", "no address in the policy"}}));
}

TEST_CASE("fleet JUnit: a testsuite per target in one testsuites", "[verify-fleet]") {
  const std::string out = printed(fleet(), print_fleet_junit);
  CHECK(out.rfind("<?xml", 0) == 0);
  CHECK(out.find("<?xml", 1) == std::string::npos);  // one declaration
  CHECK(out.find("<testsuites name=\"fwc verify --all\" failures=\"1\" errors=\"1\">") != std::string::npos);
  size_t suites = 0;
  for (size_t at = out.find("<testsuite "); at != std::string::npos; at = out.find("<testsuite ", at + 1)) ++suites;
  CHECK(suites == 4);
  CHECK(out.find("name=\"fwc verify node db&lt;1&gt;\"") != std::string::npos);
  CHECK(out.find("<error message=\"no address in the policy\"/>") != std::string::npos);
  CHECK(out.rfind("</testsuites>\n") == out.size() - 14);
}
