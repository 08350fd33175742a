// Connection limits (`rate_limits` with `connections:`) and the SYN proxy
// (`synproxy: true` on inbound rules): loading, the walk, the nftables and
// iptables lowerings, and explain.
#include <catch2/catch.hpp>
#include <string>

#include "backends/iptables/ipt_backend.h"
#include "backends/nftables/nft_backend.h"
#include "compiler/eval/explain.h"
#include "compiler/ir/selection.h"
#include "policy_run.h"

using namespace fwc;
using fwc::test::ruleset;
using fwc::test::compile;

namespace {

const std::string kHead = "fwc: 1\nname: demo\n";

const std::string kPolicy = kHead + R"(networks:
  scanners: [203.0.113.66]
block:
  - from: scanners
rate_limits:
  - name: ssh-conns
    services: [22/tcp]
    connections: 3
    action: reject
inbound:
  - name: web
    allow: [80/tcp, 443/tcp]
    from: any
    synproxy: true
  - allow: [22/tcp]
    from: any
)";

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

net::Address addr(const char* text) {
  net::Address a;
  REQUIRE(net::parse_address(text, a));
  return a;
}

eval::Decision explain(const ir::Ruleset& rs, const char* src, uint16_t port) {
  return eval::explain(rs, eval::Packet{addr(src), net::Proto::tcp, port});
}

}  // namespace

TEST_CASE("connections: is exclusive with rate, burst and per_source", "[conn-flood][loader]") {
  auto both = compile(kHead + "rate_limits:\n  - services: [22/tcp]\n    connections: 3\n    rate: 5/second\n");
  CHECK(both.one("FWC-E010").message.find("'rate' belongs to rate meters") != std::string::npos);
  auto burst = compile(kHead + "rate_limits:\n  - services: [22/tcp]\n    connections: 3\n    burst: 5\n");
  CHECK(burst.with("FWC-E010").size() == 1);
  auto neither = compile(kHead + "rate_limits:\n  - services: [22/tcp]\n");
  CHECK(neither.one("FWC-E004").message.find("'rate' or 'connections'") != std::string::npos);
  auto zero = compile(kHead + "rate_limits:\n  - services: [22/tcp]\n    connections: 0\n");
  CHECK(zero.with("FWC-E010").size() == 1);
}

TEST_CASE("synproxy: TCP services of inbound rules only", "[conn-flood][loader]") {
  auto udp = compile(kHead + "inbound:\n  - allow: [53/udp, 53/tcp]\n    from: any\n    synproxy: true\n");
  CHECK(udp.one("FWC-E010").message.find("TCP ports only") != std::string::npos);
  auto all = compile(kHead + "inbound:\n  - allow: [all]\n    from: any\n    synproxy: true\n");
  CHECK(all.with("FWC-E010").size() == 1);
  auto out = compile(kHead + "outbound:\n  - allow: [80/tcp]\n    to: any\n    synproxy: true\n");
  CHECK(out.with("FWC-E003").size() == 1);
  auto word = compile(kHead + "inbound:\n  - allow: [80/tcp]\n    from: any\n    synproxy: \"yes\"\n");
  CHECK(word.with("FWC-E002").size() == 1);
}

TEST_CASE("the SYN proxy leaves out sources a block rule or meter covers", "[conn-flood][walk]") {
  ir::Ruleset rs = ruleset(kPolicy);
  REQUIRE(rs.input.allows[0].synproxy);
  const auto& proxied = *rs.input.allows[0].synproxy;
  CHECK_FALSE(proxied.contains(addr("203.0.113.66")));
  CHECK(proxied.contains(addr("198.51.100.7")));
  CHECK(proxied.is_all(net::Family::v6));
  CHECK_FALSE(rs.input.allows[1].synproxy);
}

TEST_CASE("nft: ct count per family and a raw prerouting chain for the SYN proxy", "[conn-flood][nft]") {
  DiagnosticEngine diags;
  std::string text = nft::emit(nft::lower(ruleset(kPolicy), diags));
  CHECK(has(text, "add @meter_ssh_conns_v4 { ip saddr ct count over 3 } counter reject"));
  CHECK(has(text, "add @meter_ssh_conns_v6 { ip6 saddr ct count over 3 } counter reject"));
  CHECK(has(text, "\t\tsize 65535\n\t\tflags dynamic\n\t\tcomment"));
  CHECK(has(text, "type filter hook prerouting priority raw; policy accept;"));
  CHECK(has(text, "tcp flags & (fin | syn | rst | ack) == syn counter notrack"));
  CHECK(has(text, "synproxy mss 1460 wscale 7 timestamp sack-perm"));
  // The proxy comes before the invalid drop, the prerouting chain first.
  CHECK(text.find("synproxy mss") < text.find("ct state invalid counter drop"));
  CHECK(text.find("chain prerouting") < text.find("chain input"));
}

TEST_CASE("iptables: connlimit and SYNPROXY with a raw table section", "[conn-flood][iptables]") {
  DiagnosticEngine diags;
  ipt::Model m = ipt::lower(ruleset(kPolicy), diags);
  std::string v4 = ipt::emit_rules(m, net::Family::v4), v6 = ipt::emit_rules(m, net::Family::v6);
  CHECK(has(v4, "-m connlimit --connlimit-above 3 --connlimit-mask 32"));
  CHECK(has(v6, "-m connlimit --connlimit-above 3 --connlimit-mask 128"));
  CHECK(has(v4, "*raw\n:FWC-PREROUTING - [0:0]\n-I PREROUTING 1 -j FWC-PREROUTING\n"));
  CHECK(has(v4, "-m tcp --syn"));
  CHECK(has(v4, "-j CT --notrack"));
  CHECK(has(v4, "-m conntrack --ctstate INVALID,UNTRACKED"));
  CHECK(has(v4, "-j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460"));
}

TEST_CASE("explain: connection limits and the SYN proxy", "[conn-flood][explain]") {
  ir::Ruleset rs = ruleset(kPolicy);
  auto ssh = explain(rs, "198.51.100.7", 22);
  CHECK(ssh.verdict == ir::Verdict::accept);
  REQUIRE(ssh.meters.size() == 1);
  CHECK(ssh.meter_connections == std::vector<uint32_t>{3});
  CHECK_FALSE(ssh.synproxy);
  auto web = explain(rs, "198.51.100.7", 443);
  CHECK(web.verdict == ir::Verdict::accept);
  REQUIRE(web.synproxy);
  CHECK(web.synproxy->label == "inbound[0] web");
  auto blocked = explain(rs, "203.0.113.66", 443);
  CHECK(blocked.verdict == ir::Verdict::drop);
  CHECK_FALSE(blocked.synproxy);
}
