// The nftables backend: lowering to the table model and emitting the script
// (backends/nftables/nft_backend.h).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "backends/nftables/nft_backend.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"

using namespace fwc;

namespace {

ir::Ruleset ruleset(const std::string& body, const ir::Selection& sel = {}) {
  DiagnosticEngine diags;
  auto p = compile_policy_text("fwc: 1\nname: demo\n" + body, "policy.yaml", diags, false);
  INFO(diags.render_all());
  REQUIRE(p);
  REQUIRE(diags.error_count() == 0);
  return ir::select(*p, sel);
}

nft::Table lower(const ir::Ruleset& rs) {
  DiagnosticEngine diags;
  nft::Table t = nft::lower(rs, diags);
  REQUIRE(diags.error_count() == 0);
  return t;
}

std::string script(const std::string& body, const ir::Selection& sel = {}) { return nft::emit(lower(ruleset(body, sel))); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The rule lines of one chain (between its header and its closing brace).
std::vector<std::string> chain_rules(const std::string& text, const std::string& chain) {
  std::vector<std::string> out;
  bool inside = false;
  for (const auto& line : lines_of(text)) {
    if (line == "\tchain " + chain + " {") {
      inside = true;
      continue;
    }
    if (!inside) continue;
    if (line == "\t}") break;
    if (line.find("type filter hook") != std::string::npos) continue;
    out.push_back(line);
  }
  return out;
}

const nft::Chain* find_chain(const nft::Table& t, const std::string& name) {
  for (const auto& c : t.chains)
    if (c.name == name) return &c;
  return nullptr;
}

const nft::Set* find_set(const nft::Table& t, const std::string& name) {
  for (const auto& s : t.sets)
    if (s.name == name) return &s;
  return nullptr;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

// Five IPv4 addresses that do not merge, and two IPv6 ones.
const std::string kNetworks = R"(networks:
  big: [10.0.0.1, 10.0.0.3, 10.0.0.5, 10.0.0.7, 10.0.0.9, "fd00::1", "fd00::3"]
  four: [10.1.0.1, 10.1.0.3, 10.1.0.5, 10.1.0.7]
)";

}  // namespace

TEST_CASE("nft: output is deterministic", "[nft]") {
  const std::string body = kNetworks + R"(block:
  - from: big
    log: "blocked: "
rate_limits:
  - name: api
    services: [8443/tcp]
    from: four
    rate: 30/minute
    per_source: true
inbound:
  - allow: [22/tcp]
    from: four
  - allow: [443/tcp, 53/udp]
    from: any
)";
  ir::Ruleset rs = ruleset(body);
  std::string a = nft::emit(lower(rs));
  std::string b = nft::emit(lower(rs));
  CHECK(a == b);
  CHECK(script(body) == a);  // compiling again from text gives the same bytes
}

TEST_CASE("nft: the script replaces table inet fwc after the header comments", "[nft]") {
  std::string text = script("inbound:\n  - allow: [22/tcp]\n    from: 192.0.2.10\n");
  auto lines = lines_of(text);
  REQUIRE(!lines.empty());
  CHECK(lines[0] == "#!/usr/sbin/nft -f");
  size_t i = 0;
  while (i < lines.size() && starts_with(lines[i], "#")) ++i;
  CHECK(i >= 2);  // a header names the policy
  REQUIRE(i + 1 < lines.size());
  CHECK(lines[i] == "table inet fwc");
  CHECK(lines[i + 1] == "delete table inet fwc");
  // Equivalently, on the raw text:
  size_t body = text.find("\ntable inet fwc\n");
  REQUIRE(body != std::string::npos);
  CHECK(text.compare(body + 1, 37, "table inet fwc\ndelete table inet fwc\n") == 0);
  CHECK_THAT(text, Catch::Contains("# fwc: policy demo (policy.yaml), all nodes"));
  CHECK_THAT(text, Catch::EndsWith("}\n"));
}

TEST_CASE("nft: more than 4 CIDRs per family become a named interval set", "[nft][sets]") {
  nft::Table t = lower(ruleset(kNetworks + R"(inbound:
  - allow: [22/tcp]
    from: big
  - allow: [443/tcp]
    from: four
)"));
  // big: 5 IPv4 CIDRs → set; 2 IPv6 → inline. four: 4 → inline.
  REQUIRE(t.sets.size() == 1);
  const nft::Set& s = t.sets[0];
  CHECK(s.name == "big_v4");
  CHECK(s.family == net::Family::v4);
  CHECK_FALSE(s.meter);
  std::vector<std::string> elems;
  for (const auto& c : s.addrs.cidrs(s.family)) elems.push_back(net::format_cidr(c));
  CHECK(elems == std::vector<std::string>{"10.0.0.1", "10.0.0.3", "10.0.0.5", "10.0.0.7", "10.0.0.9"});

  std::string text = nft::emit(t);
  CHECK_THAT(text, Catch::Contains("\tset big_v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n"
                                   "\t\telements = {\n\t\t\t10.0.0.1, 10.0.0.3, 10.0.0.5, 10.0.0.7,\n"
                                   "\t\t\t10.0.0.9\n\t\t}\n\t}\n"));
  auto rules = chain_rules(text, "input");
  auto has = [&](const std::string& needle) {
    return std::any_of(rules.begin(), rules.end(), [&](const std::string& l) { return l.find(needle) != std::string::npos; });
  };
  CHECK(has("ip saddr @big_v4 tcp dport 22 counter accept"));
  CHECK(has("ip6 saddr { fd00::1, fd00::3 } tcp dport 22 counter accept"));
  CHECK(has("ip saddr { 10.1.0.1, 10.1.0.3, 10.1.0.5, 10.1.0.7 } tcp dport 443 counter accept"));
  CHECK_FALSE(has("@four"));
}

TEST_CASE("nft: rules using the same network share one set", "[nft][sets]") {
  std::string text = script(kNetworks + R"(block:
  - from: big
    services: [25/tcp]
inbound:
  - allow: [22/tcp]
    from: big
  - allow: [80/tcp]
    from: [big]
)");
  CHECK(count(text, "\tset ") == 1);
  // Three rules in the input chain and the same three in published.
  CHECK(count(text, "ip saddr @big_v4 ") == 6);
}

TEST_CASE("nft: a per-source meter gets a dynamic set and an `add @set` rule", "[nft][meters]") {
  nft::Table t = lower(ruleset(R"(rate_limits:
  - name: api
    services: [8443/tcp]
    from: 198.51.100.0/24
    rate: 30/minute
    burst: 10
    per_source: true
    action: reject
  - name: global
    services: [53/udp]
    rate: 1000/second
inbound:
  - allow: [8443/tcp]
    from: 198.51.100.0/24
)"));
  const nft::Set* s = find_set(t, "meter_api_v4");
  REQUIRE(s);
  CHECK(s->meter);
  CHECK(s->family == net::Family::v4);
  CHECK(find_set(t, "meter_api_v6") == nullptr);  // no IPv6 sources: no IPv6 set

  std::string text = nft::emit(t);
  CHECK_THAT(text, Catch::Contains("\tset meter_api_v4 {\n\t\ttype ipv4_addr\n\t\tsize 65535\n"
                                   "\t\tflags dynamic,timeout\n\t\ttimeout 2m\n"));
  auto rules = chain_rules(text, "input");
  auto meter = std::find_if(rules.begin(), rules.end(),
                            [](const std::string& l) { return l.find("add @meter_api_v4") != std::string::npos; });
  REQUIRE(meter != rules.end());
  CHECK_THAT(*meter, Catch::StartsWith("\t\tip saddr 198.51.100.0/24 tcp dport 8443 ct state new "
                                       "add @meter_api_v4 { ip saddr limit rate over 30/minute burst 10 packets } "
                                       "counter reject comment \"rate_limits[0] api"));
  // The meter comes before the allow rule it protects.
  auto allow = std::find_if(rules.begin(), rules.end(),
                            [](const std::string& l) { return l.find("comment \"inbound[0]") != std::string::npos; });
  REQUIRE(allow != rules.end());
  CHECK(meter < allow);

  // A global meter is one named limit object (one bucket), not a set.
  CHECK(find_set(t, "meter_global_v4") == nullptr);
  REQUIRE(t.limits.size() == 1);
  CHECK(t.limits[0].rate.count == 1000);
  CHECK(std::any_of(rules.begin(), rules.end(), [&](const std::string& l) {
    return l.find("udp dport 53 ct state new limit name \"" + t.limits[0].name + "\" counter drop") !=
           std::string::npos;
  }));
}

TEST_CASE("nft: every rule line has a counter and a comment", "[nft]") {
  std::string text = script(kNetworks + R"(defaults:
  outbound: drop
  forward: drop
  log: {prefix: "fwc-drop: "}
block:
  - from: big
    log: "blocked: "
  - to: 203.0.113.0/24
rate_limits:
  - services: [443/tcp]
    from: four
    rate: 10/second
    per_source: true
inbound:
  - allow: [443/tcp]
    from: any
    log: "web: "
  - allow: [8080/tcp]
    from: four
    otherwise: {action: reject, log: "8080: "}
  - allow: [22/tcp]
    from: four
outbound:
  - allow: [53/udp]
    to: any
forward:
  - allow: [80/tcp]
    from: any
    to: [10.0.1.0/24]
)");
  size_t checked = 0;
  for (const char* chain : {"input", "output", "forward"}) {
    auto rules = chain_rules(text, chain);
    INFO(chain);
    CHECK(rules.size() >= 2);
    for (const auto& line : rules) {
      INFO(line);
      CHECK(starts_with(line, "\t\t"));
      CHECK((line.find(" counter ") != std::string::npos || starts_with(line, "\t\tcounter ")));
      CHECK(line.find("comment \"") != std::string::npos);
      CHECK(line.back() == '"');
      ++checked;
    }
  }
  CHECK(checked > 20);
}

TEST_CASE("nft: neighbour discovery, then blocks, then allows", "[nft][order]") {
  nft::Table t = lower(ruleset(R"(block:
  - from: 203.0.113.0/24
  - from: "2001:db8:bad::/48"
    services: [22/tcp]
inbound:
  - allow: [22/tcp]
    from: any
  - allow: [443/tcp]
    from: any
)"));
  const nft::Chain* in = find_chain(t, "input");
  REQUIRE(in);
  auto index_of = [&](auto pred) -> std::vector<size_t> {
    std::vector<size_t> out;
    for (size_t i = 0; i < in->rules.size(); ++i)
      if (pred(in->rules[i])) out.push_back(i);
    return out;
  };
  auto nd = index_of([](const nft::Rule& r) { return r.icmp && r.icmp->nd_hoplimit; });
  auto blocks = index_of([](const nft::Rule& r) { return starts_with(r.comment, "block["); });
  auto allows = index_of([](const nft::Rule& r) { return starts_with(r.comment, "inbound["); });
  REQUIRE(nd.size() == 1);
  REQUIRE(blocks.size() == 2);
  REQUIRE(allows.size() == 2);
  CHECK(nd.back() < blocks.front());
  CHECK(blocks.back() < allows.front());
  // The chain ends with the default.
  CHECK(starts_with(in->rules.back().comment, "defaults.inbound"));
  CHECK(in->rules.back().verdict == nft::Verdict::drop);
  CHECK(in->policy == nft::Verdict::drop);
  // Blocks keep their policy order.
  CHECK(in->rules[blocks[0]].comment.find("block[0]") == 0);
  CHECK(in->rules[blocks[1]].comment.find("block[1]") == 0);

  // The same order in the text.
  std::string text = nft::emit(t);
  size_t nd_at = text.find("nd-neighbor-solicit");
  size_t block_at = text.find("comment \"block[0]");
  size_t allow_at = text.find("comment \"inbound[0]");
  REQUIRE(nd_at != std::string::npos);
  REQUIRE(block_at != std::string::npos);
  REQUIRE(allow_at != std::string::npos);
  CHECK(nd_at < block_at);
  CHECK(block_at < allow_at);
}

TEST_CASE("nft: the output chain only when outbound is restricted", "[nft][output]") {
  const std::string rules = "inbound:\n  - allow: [22/tcp]\n    from: 192.0.2.10\n";
  nft::Table open = lower(ruleset(rules));
  CHECK(find_chain(open, "output") == nullptr);
  CHECK(find_chain(open, "forward") == nullptr);
  std::string open_text = nft::emit(open);
  CHECK(open_text.find("chain output") == std::string::npos);
  CHECK(open_text.find("hook output") == std::string::npos);

  nft::Table accept = lower(ruleset("defaults:\n  outbound: accept\n" + rules));
  CHECK(find_chain(accept, "output") == nullptr);

  for (const char* v : {"drop", "reject"}) {
    INFO(v);
    nft::Table closed = lower(ruleset(std::string("defaults:\n  outbound: ") + v + "\n" + rules +
                                      "outbound:\n  - allow: [53/udp, 443/tcp]\n    to: any\n"));
    const nft::Chain* out = find_chain(closed, "output");
    REQUIRE(out);
    CHECK(out->policy == nft::Verdict::drop);
    CHECK(out->rules.back().verdict == (std::string(v) == "drop" ? nft::Verdict::drop : nft::Verdict::reject));
    std::string text = nft::emit(closed);
    CHECK_THAT(text, Catch::Contains("\tchain output {\n\t\ttype filter hook output priority filter; policy drop;\n"));
    CHECK_THAT(text, Catch::Contains("udp dport 53 counter accept"));
    CHECK(find_chain(closed, "forward") == nullptr);
  }
}

TEST_CASE("nft: per-source meter sets have distinct names", "[nft][meters]") {
  // Rule names may use '-', '_' and '.'; all three become '_' in nft names.
  nft::Table t = lower(ruleset(R"(rate_limits:
  - name: api-meter
    services: [8443/tcp]
    rate: 30/minute
    per_source: true
  - name: api_meter
    services: [9443/tcp]
    rate: 5/second
    per_source: true
inbound:
  - allow: [8443/tcp, 9443/tcp]
    from: any
)"));
  std::set<std::string> names;
  for (const auto& s : t.sets) {
    INFO(s.name);
    CHECK(names.insert(s.name).second);
  }
  CHECK(names.size() == 4);  // two meters × two families
}

TEST_CASE("nft: a meter set and a network set do not share a name", "[nft][meters]") {
  nft::Table t = lower(ruleset(R"(networks:
  meter_api: [10.0.0.1, 10.0.0.3, 10.0.0.5, 10.0.0.7, 10.0.0.9]
rate_limits:
  - name: api
    services: [8443/tcp]
    from: 10.0.0.0/24
    rate: 30/minute
    per_source: true
inbound:
  - allow: [8443/tcp]
    from: meter_api
)"));
  std::set<std::string> names;
  for (const auto& s : t.sets) {
    INFO(s.name);
    CHECK(names.insert(s.name).second);
  }
  CHECK(names.size() == 2);
}

TEST_CASE("nft: an outbound block keeps its log", "[nft][output]") {
  // docs/contract.md: block rules take `log`, and `to` makes a block outbound.
  std::string text = script(R"(defaults:
  outbound: drop
block:
  - to: 203.0.113.0/24
    log: "out-blocked: "
  - from: 198.51.100.0/24
    log: "in-blocked: "
)");
  CHECK_THAT(text, Catch::Contains("log prefix \"in-blocked: \""));
  auto out = chain_rules(text, "output");
  CHECK(std::any_of(out.begin(), out.end(), [](const std::string& l) {
    return l.find("ip daddr 203.0.113.0/24") != std::string::npos &&
           l.find("log prefix \"out-blocked: \"") != std::string::npos;
  }));
}

TEST_CASE("nft: a meter without per_source is one bucket", "[nft][meters]") {
  // docs/contract.md: `per_source: false` means one global bucket. A meter
  // over two protocols and two families must not become four independent
  // anonymous `limit rate over` statements (four times the rate).
  std::string text = script(R"(rate_limits:
  - name: dns
    services: [53/tcp, 53/udp]
    from: [198.51.100.0/24, "2001:db8::/32"]
    rate: 100/second
)");
  auto rules = chain_rules(text, "input");
  size_t meter_rules = 0, anonymous_limits = 0;
  for (const auto& l : rules) {
    if (l.find("comment \"rate_limits[0] dns") == std::string::npos) continue;
    ++meter_rules;
    if (l.find("limit rate over 100/second") != std::string::npos) ++anonymous_limits;
  }
  CHECK(meter_rules >= 1);
  CHECK(anonymous_limits <= 1);
}
