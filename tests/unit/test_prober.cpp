// The prober's scanner against recorded and simulated replies: fake clock,
// sender and packet source, no sockets.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "validator/prober/fake_io.h"
#include "validator/prober/route.h"
#include "validator/prober/scanner.h"
#include "validator/prober/shared_rate.h"

using namespace fwc::prober;
using namespace std::chrono_literals;

namespace {

IpAddr ip(const char* s) { return *IpAddr::parse(s); }

const IpAddr kSrc4 = ip("198.51.100.7"), kDst4 = ip("203.0.113.254"), kRouter4 = ip("192.0.2.1");
const IpAddr kSrc6 = ip("2001:db8:1::10"), kDst6 = ip("2001:db8:ffff::1"), kRouter6 = ip("2001:db8::1");

// How the simulated target answers a probe to a port.
enum class Answer { syn_ack, reset, icmp_admin, icmp_router, silence, udp_reply, port_unreach, twice, late,
                    stale, forged_icmp };

struct Net {
  FakeClock clock;
  FakeSender sender{clock};
  ReplaySource source{clock};
  std::map<uint16_t, Answer> answers;
  Duration rtt = 2ms;
};

std::vector<std::pair<Duration, Bytes>> respond(Net& n, const Bytes& probe) {
  Parsed p = parse(probe);
  auto it = n.answers.find(p.dport);
  Answer a = it == n.answers.end() ? Answer::silence : it->second;
  const bool v6 = p.src.v6;
  const uint8_t unreach = v6 ? 1 : 3;
  std::vector<std::pair<Duration, Bytes>> out;
  auto tcp = [&](uint8_t flags, uint32_t ack) {
    return build_tcp(p.dst, p.src, p.dport, p.sport, 12345, ack, flags);
  };
  switch (a) {
    case Answer::syn_ack: out.push_back({n.rtt, tcp(tcpflag::syn | tcpflag::ack, p.seq + 1)}); break;
    case Answer::reset: out.push_back({n.rtt, tcp(tcpflag::rst | tcpflag::ack, p.seq + 1)}); break;
    case Answer::twice:
      out.push_back({n.rtt, tcp(tcpflag::syn | tcpflag::ack, p.seq + 1)});
      out.push_back({n.rtt + 1ms, tcp(tcpflag::syn | tcpflag::ack, p.seq + 1)});
      break;
    case Answer::late: out.push_back({150ms, tcp(tcpflag::syn | tcpflag::ack, p.seq + 1)}); break;
    case Answer::stale: out.push_back({n.rtt, tcp(tcpflag::syn | tcpflag::ack, p.seq + 77)}); break;
    case Answer::icmp_admin: out.push_back({n.rtt, build_icmp_error(p.dst, probe, unreach, v6 ? 1 : 13)}); break;
    case Answer::icmp_router:
      out.push_back({n.rtt, build_icmp_error(v6 ? kRouter6 : kRouter4, probe, unreach, v6 ? 0 : 1)});
      break;
    case Answer::forged_icmp: {
      Bytes other = build_tcp(p.src, p.dst, p.sport, p.dport, p.seq ^ 0x5a5a5a5a, 0, tcpflag::syn);
      out.push_back({n.rtt, build_icmp_error(p.dst, other, unreach, v6 ? 1 : 13)});
      break;
    }
    case Answer::udp_reply: out.push_back({n.rtt, build_udp(p.dst, p.src, p.dport, p.sport, {'o', 'k'})}); break;
    case Answer::port_unreach: out.push_back({n.rtt, build_icmp_error(p.dst, probe, unreach, v6 ? 4 : 3)}); break;
    case Answer::silence: break;
  }
  return out;
}

ScanOptions options(bool v6) {
  ScanOptions o;
  o.source = v6 ? kSrc6 : kSrc4;
  o.target = v6 ? kDst6 : kDst4;
  o.key = {0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  o.source_port = 61234;
  return o;
}

std::map<std::pair<L4, uint16_t>, PortResult> run(Net& n, const ScanOptions& o, ScanReport* out = nullptr) {
  n.source.answer(n.sender, [&n](const Bytes& probe) { return respond(n, probe); });
  ScanReport rep = scan(o, n.sender, n.source, n.clock);
  std::map<std::pair<L4, uint16_t>, PortResult> m;
  for (auto& r : rep.ports) m[{r.proto, r.port}] = r;
  if (out) *out = rep;
  return m;
}

uint16_t sum16(const uint8_t* p, size_t n, uint32_t s) {
  for (; n > 1; p += 2, n -= 2) s += uint32_t(p[0] << 8 | p[1]);
  if (n) s += uint32_t(p[0] << 8);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return uint16_t(s);
}

}  // namespace

TEST_CASE("probe packets parse back with valid checksums", "[prober]") {
  Bytes syn = build_tcp(kSrc4, kDst4, 61234, 443, 0xdeadbeef, 0, tcpflag::syn, 7);
  REQUIRE(syn.size() == 20 + 24);
  CHECK(sum16(syn.data(), 20, 0) == 0xffff);  // IPv4 header checksum
  // TCP checksum over the pseudo header.
  uint32_t ps = sum16(syn.data() + 12, 8, 0) + 6 + 24;
  CHECK(sum16(syn.data() + 20, 24, ps) == 0xffff);
  Parsed p = parse(syn);
  CHECK(p.kind == Parsed::Kind::tcp);
  CHECK(p.src == kSrc4);
  CHECK(p.dst == kDst4);
  CHECK(p.sport == 61234);
  CHECK(p.dport == 443);
  CHECK(p.seq == 0xdeadbeef);
  CHECK(p.flags == tcpflag::syn);

  Bytes syn6 = build_tcp(kSrc6, kDst6, 61234, 22, 1, 0, tcpflag::syn);
  REQUIRE(syn6.size() == 40 + 24);
  uint32_t ps6 = sum16(syn6.data() + 8, 32, 0) + 6 + 24;
  CHECK(sum16(syn6.data() + 40, 24, ps6) == 0xffff);
  Parsed p6 = parse(syn6);
  CHECK(p6.kind == Parsed::Kind::tcp);
  CHECK(p6.src == kSrc6);
  CHECK(p6.dport == 22);

  Bytes icmp = build_icmp_error(kDst6, syn6, 1, 4);
  Parsed e = parse(icmp);
  REQUIRE(e.kind == Parsed::Kind::icmp_error);
  CHECK(e.icmp6);
  CHECK(e.quoted_src == kSrc6);
  CHECK(e.quoted_dport == 22);
  CHECK(e.quoted_has_seq);
  CHECK(e.quoted_seq == 1);
  uint32_t psi = sum16(icmp.data() + 8, 32, 0) + 58 + uint32_t(icmp.size() - 40);
  CHECK(sum16(icmp.data() + 40, icmp.size() - 40, psi) == 0xffff);

  CHECK(IpAddr::parse("2001:db8::1")->str() == "2001:db8::1");
  CHECK_FALSE(IpAddr::parse("example.com"));
}

TEST_CASE("the cookie depends on the whole tuple and the key", "[prober]") {
  CookieKey k{1, 2}, k2{1, 3};
  uint32_t c = cookie(k, kSrc4, kDst4, 61234, 80, L4::tcp);
  CHECK(c == cookie(k, kSrc4, kDst4, 61234, 80, L4::tcp));
  CHECK(c != cookie(k, kSrc4, kDst4, 61234, 81, L4::tcp));
  CHECK(c != cookie(k, kSrc4, kDst4, 61235, 80, L4::tcp));
  CHECK(c != cookie(k, kSrc4, kRouter4, 61234, 80, L4::tcp));
  CHECK(c != cookie(k2, kSrc4, kDst4, 61234, 80, L4::tcp));
}

TEST_CASE("TCP SYN scan classifies every kind of answer", "[prober]") {
  for (bool v6 : {false, true}) {
    DYNAMIC_SECTION((v6 ? "IPv6" : "IPv4")) {
      Net n;
      n.answers = {{80, Answer::syn_ack},     {81, Answer::reset},      {82, Answer::icmp_admin},
                   {83, Answer::silence},     {84, Answer::icmp_router}, {85, Answer::forged_icmp},
                   {86, Answer::stale}};
      ScanOptions o = options(v6);
      o.tcp_ports = {80, 81, 82, 83, 84, 85, 86};
      ScanReport rep;
      auto m = run(n, o, &rep);
      CHECK(m[{L4::tcp, 80}].state == State::open);
      CHECK(m[{L4::tcp, 80}].reason == "syn-ack");
      CHECK(m[{L4::tcp, 80}].attempts == 1);
      CHECK(m[{L4::tcp, 81}].state == State::closed);
      CHECK(m[{L4::tcp, 81}].reason == "reset");
      CHECK(m[{L4::tcp, 82}].state == State::filtered);
      CHECK(m[{L4::tcp, 82}].reason == (v6 ? "icmp6 1/1 from 2001:db8:ffff::1" : "icmp 3/13 from 203.0.113.254"));
      CHECK(m[{L4::tcp, 83}].state == State::filtered);
      CHECK(m[{L4::tcp, 83}].reason == "no-response");
      CHECK(m[{L4::tcp, 83}].attempts == 3);  // the probe and two retries
      CHECK(m[{L4::tcp, 84}].state == State::filtered);
      CHECK(m[{L4::tcp, 84}].reason == std::string(v6 ? "icmp6 1/0 from 2001:db8::1" : "icmp 3/1 from 192.0.2.1"));
      // An ICMP error quoting a sequence number we never sent, and a reply
      // with the wrong ack, belong to no probe of ours.
      CHECK(m[{L4::tcp, 85}].reason == "no-response");
      CHECK(m[{L4::tcp, 85}].attempts == 3);
      CHECK(m[{L4::tcp, 86}].reason == "no-response");
      CHECK(rep.sent == 4 + 3 * 3);
      CHECK(rep.duplicates == 0);
    }
  }
}

TEST_CASE("duplicate replies count once; late replies still classify", "[prober]") {
  Net n;
  n.answers = {{80, Answer::twice}, {443, Answer::late}};
  ScanOptions o = options(false);
  o.tcp_ports = {80, 443};
  ScanReport rep;
  auto m = run(n, o, &rep);
  CHECK(m[{L4::tcp, 80}].state == State::open);
  CHECK(m[{L4::tcp, 80}].attempts == 1);
  // 443 answers 150 ms after each probe, later than the timeout learnt from
  // port 80 (100 ms at least): a retry went out, then the late answer to the
  // first probe classifies the port.
  CHECK(m[{L4::tcp, 443}].state == State::open);
  CHECK(m[{L4::tcp, 443}].attempts >= 2);
  CHECK(rep.duplicates >= 1);
}

TEST_CASE("an answer from the port outranks an earlier ICMP error", "[prober]") {
  Net n;
  ScanOptions o = options(false);
  o.tcp_ports = {8080};
  n.source.answer(n.sender, [&](const Bytes& probe) {
    Parsed p = parse(probe);
    std::vector<std::pair<Duration, Bytes>> out;
    out.push_back({1ms, build_icmp_error(kRouter4, probe, 3, 13)});
    out.push_back({3ms, build_tcp(p.dst, p.src, p.dport, p.sport, 9, p.seq + 1, tcpflag::syn | tcpflag::ack)});
    return out;
  });
  ScanReport rep = scan(o, n.sender, n.source, n.clock);
  REQUIRE(rep.ports.size() == 1);
  CHECK(rep.ports[0].state == State::open);
}

TEST_CASE("recorded replies replay against a fixed key", "[prober]") {
  // Replies captured from an earlier run of the same key and source port.
  Net n;
  ScanOptions o = options(false);
  o.tcp_ports = {22, 25};
  uint32_t c22 = cookie(o.key, kSrc4, kDst4, 61234, 22, L4::tcp);
  uint32_t c25 = cookie(o.key, kSrc4, kDst4, 61234, 25, L4::tcp);
  n.source.at(5ms, build_tcp(kDst4, kSrc4, 22, 61234, 1, c22 + 1, tcpflag::syn | tcpflag::ack));
  n.source.at(6ms, build_tcp(kDst4, kSrc4, 25, 61234, 0, c25 + 1, tcpflag::rst | tcpflag::ack));
  n.source.at(7ms, build_tcp(kDst4, kSrc4, 25, 61000, 0, c25 + 1, tcpflag::syn | tcpflag::ack));  // other port
  n.source.at(8ms, build_tcp(kRouter4, kSrc4, 25, 61234, 0, c25 + 1, tcpflag::syn | tcpflag::ack));  // other host
  ScanReport rep = scan(o, n.sender, n.source, n.clock);
  REQUIRE(rep.ports.size() == 2);
  CHECK(rep.ports[0].state == State::open);
  CHECK(rep.ports[1].state == State::closed);
  CHECK(rep.matched == 2);
  CHECK(rep.received == 4);
  REQUIRE(n.sender.sent.size() == 2);
  CHECK(parse(n.sender.sent[0].packet).seq == c22);
}

TEST_CASE("UDP probes: reply; port unreachable; other unreachable; silence", "[prober]") {
  for (bool v6 : {false, true}) {
    DYNAMIC_SECTION((v6 ? "IPv6" : "IPv4")) {
      Net n;
      n.answers = {{53, Answer::udp_reply}, {123, Answer::port_unreach}, {161, Answer::icmp_admin},
                   {51820, Answer::silence}};
      ScanOptions o = options(v6);
      o.udp_ports = {53, 123, 161, 51820};
      auto m = run(n, o);
      CHECK(m[{L4::udp, 53}].state == State::open);
      CHECK(m[{L4::udp, 123}].state == State::closed);
      CHECK(m[{L4::udp, 123}].reason == "port-unreach");
      CHECK(m[{L4::udp, 161}].state == State::filtered);
      CHECK(m[{L4::udp, 51820}].state == State::open_filtered);
      CHECK(m[{L4::udp, 51820}].attempts == 3);
      // Protocol payloads where a service is likely.
      for (auto& s : n.sender.sent) {
        Parsed p = parse(s.packet);
        size_t hdr = (v6 ? 40 : 20) + 8;
        if (p.dport == 53) CHECK(s.packet.size() == hdr + 17);
        if (p.dport == 123) CHECK(s.packet.size() == hdr + 48);
        if (p.dport == 51820) CHECK(s.packet.size() == hdr + 148);
      }
    }
  }
}

TEST_CASE("the packet rate stays under the cap", "[prober]") {
  Net n;
  ScanOptions o = options(false);
  for (uint16_t p = 1; p <= 1000; ++p) o.tcp_ports.push_back(p);
  o.rate = 200;
  o.retries = 0;
  o.max_runtime = 60s;
  ScanReport rep;
  run(n, o, &rep);
  REQUIRE(n.sender.sent.size() == 1000);
  // 1000 probes at 200 per second: about five seconds of sending.
  Duration span = n.sender.sent.back().at - n.sender.sent.front().at;
  CHECK(span >= 4900ms);
  // No one-second window holds more than the rate (plus one burst).
  size_t j = 0;
  for (size_t i = 0; i < n.sender.sent.size(); ++i) {
    while (n.sender.sent[i].at - n.sender.sent[j].at >= 1s) ++j;
    CHECK(i - j + 1 <= 200 + 2);
  }
}

TEST_CASE("a shared budget slows a scan below its own rate and loses no port", "[prober]") {
  Net n;
  ScanOptions o = options(false);
  for (uint16_t p = 1; p <= 300; ++p) o.tcp_ports.push_back(p);
  o.rate = 10000;  // its own cap would send these in 30 ms
  o.retries = 0;
  o.max_runtime = 60s;
  SharedRate shared(100);
  o.shared_rate = &shared;
  auto got = run(n, o);
  REQUIRE(n.sender.sent.size() == 300);
  REQUIRE(got.size() == 300);
  for (auto& [key, r] : got) CHECK(r.state != State::unknown);
  Duration span = n.sender.sent.back().at - n.sender.sent.front().at;
  CHECK(span >= 2900ms);
  CHECK(span < 4s);
}

TEST_CASE("the retransmission timeout adapts to the round-trip time", "[prober]") {
  Net n;
  n.rtt = 1ms;
  ScanOptions o = options(false);
  for (uint16_t p = 1; p <= 50; ++p) n.answers[p] = Answer::reset;
  for (uint16_t p = 1; p <= 60; ++p) o.tcp_ports.push_back(p);  // 51-60 stay silent
  ScanReport rep;
  auto m = run(n, o, &rep);
  CHECK(m[{L4::tcp, 60}].state == State::filtered);
  CHECK(rep.srtt > 0ms);
  CHECK(rep.srtt < 5ms);
  // Three probes of a silent port with a 100 ms timeout, not 1 s.
  CHECK(rep.elapsed < 1s);
  // Silence everywhere: the initial timeout (1 s) applies.
  Net quiet;
  ScanOptions q = options(false);
  q.tcp_ports = {1, 2};
  ScanReport qrep;
  run(quiet, q, &qrep);
  CHECK(qrep.elapsed >= 3s);
  CHECK(qrep.srtt == 0ms);
}

TEST_CASE("the run-time bound stops a scan", "[prober]") {
  Net n;
  ScanOptions o = options(true);
  for (uint16_t p = 1; p <= 100; ++p) o.tcp_ports.push_back(p);
  o.rate = 10;
  o.max_runtime = 2s;
  ScanReport rep;
  auto m = run(n, o, &rep);
  CHECK(rep.timed_out);
  CHECK(rep.ports.size() == 100);
  CHECK(rep.sent < 40);
}

namespace {

// A network whose every probe gets `reply(probe)` after 2 ms.
ScanReport scan_with(const ScanOptions& o, std::function<std::vector<Bytes>(const Bytes&)> reply,
                     Net& n) {
  n.source.answer(n.sender, [&](const Bytes& probe) {
    std::vector<std::pair<Duration, Bytes>> out;
    for (auto& b : reply(probe)) out.push_back({2ms, std::move(b)});
    return out;
  });
  return scan(o, n.sender, n.source, n.clock);
}

}  // namespace

TEST_CASE("ICMP unreachable codes: the filtering ones classify a TCP port, the rest are ignored",
          "[prober]") {
  for (bool v6 : {false, true}) {
    DYNAMIC_SECTION((v6 ? "IPv6" : "IPv4")) {
      Net n;
      ScanOptions o = options(v6);
      for (uint16_t code = 0; code < 16; ++code) o.tcp_ports.push_back(uint16_t(1000 + code));
      ScanReport rep = scan_with(o, [&](const Bytes& probe) -> std::vector<Bytes> {
        Parsed p = parse(probe);
        return {build_icmp_error(p.dst, probe, v6 ? 1 : 3, uint8_t(p.dport - 1000))};
      }, n);
      REQUIRE(rep.ports.size() == 16);
      for (auto& r : rep.ports) {
        uint8_t code = uint8_t(r.port - 1000);
        INFO("code " << int(code));
        const bool nmap_filtered = v6 ? code <= 6 : (code <= 3 || code == 9 || code == 10 || code == 13);
        CHECK(filtering_unreachable(v6, code) == nmap_filtered);
        CHECK(r.state == State::filtered);
        if (filtering_unreachable(v6, code)) {
          CHECK(r.reason == std::string(v6 ? "icmp6 1/" : "icmp 3/") + std::to_string(code) + " from " +
                                (v6 ? "2001:db8:ffff::1" : "203.0.113.254"));
          CHECK(r.attempts == 1);
        } else {
          CHECK(r.reason == "no-response");  // e.g. 3/4 fragmentation needed
          CHECK(r.attempts == 3);
        }
      }
    }
  }
}

TEST_CASE("ICMP quoting: a minimal quote classifies; other errors and foreign quotes do not", "[prober]") {
  for (bool v6 : {false, true}) {
    DYNAMIC_SECTION((v6 ? "IPv6" : "IPv4")) {
      Net n;
      ScanOptions o = options(v6);
      o.tcp_ports = {21, 22, 23, 24, 25};
      const size_t ip = v6 ? 40 : 20;
      ScanReport rep = scan_with(o, [&](const Bytes& probe) -> std::vector<Bytes> {
        Parsed p = parse(probe);
        const uint8_t unreach = v6 ? 1 : 3, admin = v6 ? 1 : 13;
        switch (p.dport) {
          case 21:  // RFC 792: the IP header and the first 8 bytes of TCP only
            return {build_icmp_error(v6 ? kRouter6 : kRouter4,
                                     Bytes(probe.begin(), probe.begin() + long(ip + 8)), unreach, admin)};
          case 22:  // 4 bytes of TCP: ports but no sequence number to check
            return {
                build_icmp_error(p.dst, Bytes(probe.begin(), probe.begin() + long(ip + 4)), unreach, admin)};
          case 23:  // time exceeded: not an answer about the port
            return {build_icmp_error(p.dst, probe, v6 ? 3 : 11, 0)};
          case 24: {  // quoting another source port of ours
            Bytes other = build_tcp(p.src, p.dst, uint16_t(p.sport + 1), p.dport, p.seq, 0, tcpflag::syn);
            return {build_icmp_error(p.dst, other, unreach, admin)};
          }
          default: {  // quoting a probe to another target
            Bytes other =
                build_tcp(p.src, v6 ? kRouter6 : kRouter4, p.sport, p.dport, p.seq, 0, tcpflag::syn);
            return {build_icmp_error(p.dst, other, unreach, admin)};
          }
        }
      }, n);
      std::map<uint16_t, PortResult> m;
      for (auto& r : rep.ports) m[r.port] = r;
      CHECK(m[21].state == State::filtered);
      CHECK(m[21].reason == (v6 ? "icmp6 1/1 from 2001:db8::1" : "icmp 3/13 from 192.0.2.1"));
      for (uint16_t p : {22, 23, 24, 25}) {
        INFO("port " << p);
        CHECK(m[p].state == State::filtered);
        CHECK(m[p].reason == "no-response");
        CHECK(m[p].attempts == 3);
      }
    }
  }
}

TEST_CASE("UDP: duplicate and late replies; an unreachable from a router is not closed", "[prober]") {
  for (bool v6 : {false, true}) {
    DYNAMIC_SECTION((v6 ? "IPv6" : "IPv4")) {
      Net n;
      ScanOptions o = options(v6);
      o.udp_ports = {53, 123, 161, 500, 4500};
      o.initial_timeout = 100ms;
      n.source.answer(n.sender, [&](const Bytes& probe) {
        Parsed p = parse(probe);
        Bytes reply = build_udp(p.dst, p.src, p.dport, p.sport, {'o', 'k'});
        std::vector<std::pair<Duration, Bytes>> out;
        switch (p.dport) {
          case 53: out = {{2ms, reply}, {3ms, reply}}; break;  // answered twice
          case 123: out = {{250ms, reply}}; break;             // after the timeout
          case 161:  // port unreachable, but from a router: filtered
            out = {{2ms, build_icmp_error(v6 ? kRouter6 : kRouter4, probe, v6 ? 1 : 3, v6 ? 4 : 3)}};
            break;
          case 500:  // from the target, but from another port than the probed one
            out = {{2ms, build_udp(p.dst, p.src, 9999, p.sport, {'x'})}};
            break;
          default:  // port unreachable, then a late reply from the port itself
            out = {{2ms, build_icmp_error(p.dst, probe, v6 ? 1 : 3, v6 ? 4 : 3)},
                   {5ms, reply}};
        }
        return out;
      });
      ScanReport rep = scan(o, n.sender, n.source, n.clock);
      std::map<uint16_t, PortResult> m;
      for (auto& r : rep.ports) m[r.port] = r;
      CHECK(m[53].state == State::open);
      CHECK(m[53].attempts == 1);
      CHECK(m[123].state == State::open);  // the late reply still counts
      CHECK(m[123].attempts >= 2);
      CHECK(m[161].state == State::filtered);
      CHECK(m[161].reason == (v6 ? "icmp6 1/4 from 2001:db8::1" : "icmp 3/3 from 192.0.2.1"));
      CHECK(m[500].state == State::open_filtered);
      CHECK(m[500].reason == "no-response");
      CHECK(m[4500].state == State::open);  // an answer from the port outranks the ICMP error
      CHECK(rep.duplicates >= 2);
    }
  }
}

TEST_CASE("UDP: only a reply to a port probed recently counts", "[prober]") {
  for (bool v6 : {false, true}) {
    DYNAMIC_SECTION((v6 ? "IPv6" : "IPv4")) {
      Net n;
      ScanOptions o = options(v6);
      // One probe a second, no retries: 53 at 0 s, 123 at 1 s, 161 at 2 s,
      // 5353 at 3 s; only 5353 really answers.
      o.udp_ports = {53, 123, 161, 5353};
      o.rate = 1;
      o.retries = 0;
      const IpAddr src = o.source, dst = o.target;
      auto reply = [&](uint16_t from_port, uint16_t to_port) {
        return build_udp(dst, src, from_port, to_port, {'x'});
      };
      auto unreach = [&](uint16_t port) {
        return build_icmp_error(dst, build_udp(src, dst, o.source_port, port, {}), v6 ? 1 : 3,
                                v6 ? 4 : 3);
      };
      n.source.at(100ms, reply(53, uint16_t(o.source_port + 1)));  // to another source port
      n.source.at(200ms, reply(9999, o.source_port));              // a port never probed
      n.source.at(500ms, reply(161, o.source_port));               // before 161 is probed
      n.source.at(600ms, unreach(123));                            // quoting a probe not yet sent
      n.source.at(2500ms, reply(53, o.source_port));  // 2.5 s after 53's only probe: past the window
      n.source.answer(n.sender, [&](const Bytes& probe) {
        Parsed p = parse(probe);
        std::vector<std::pair<Duration, Bytes>> out;
        if (p.dport == 5353) out.push_back({2ms, reply(5353, p.sport)});
        return out;
      });
      ScanReport rep = scan(o, n.sender, n.source, n.clock);
      std::map<uint16_t, PortResult> m;
      for (auto& r : rep.ports) m[r.port] = r;
      for (uint16_t port : {53, 123, 161}) {
        INFO("port " << port);
        CHECK(m[port].state == State::open_filtered);
        CHECK(m[port].reason == "no-response");
      }
      CHECK(m[5353].state == State::open);
      CHECK(rep.matched == 1);
      CHECK(rep.received == 6);
      CHECK(rep.sent == 4);
    }
  }
}

TEST_CASE("UDP: the reply window can be set; an ICMP error inside it classifies", "[prober]") {
  Net n;
  ScanOptions o = options(false);
  o.udp_ports = {123, 161};
  o.retries = 0;
  o.udp_reply_window = 50ms;
  n.source.answer(n.sender, [&](const Bytes& probe) {
    Parsed p = parse(probe);
    std::vector<std::pair<Duration, Bytes>> out;
    if (p.dport == 123) out.push_back({20ms, build_icmp_error(p.dst, probe, 3, 3)});
    if (p.dport == 161) out.push_back({80ms, build_udp(p.dst, p.src, p.dport, p.sport, {'x'})});
    return out;
  });
  ScanReport rep = scan(o, n.sender, n.source, n.clock);
  REQUIRE(rep.ports.size() == 2);
  CHECK(rep.ports[0].state == State::closed);
  CHECK(rep.ports[1].state == State::open_filtered);  // 80 ms: past the 50 ms window
}

TEST_CASE("verify refuses targets that are not one host", "[prober]") {
  const std::map<std::string, std::string> refused = {
      {"0.0.0.0", "the unspecified address"},
      {"0.1.2.3", "a \"this network\" address (0.0.0.0/8)"},
      {"224.0.0.1", "a multicast address"},
      {"239.255.255.250", "a multicast address"},
      {"255.255.255.255", "the broadcast address"},
      {"240.0.0.1", "a reserved address (240.0.0.0/4)"},
      {"::", "the unspecified address"},
      {"ff02::1", "a multicast address"},
      {"FF05::2", "a multicast address"},
      {"::ffff:203.0.113.9", "an IPv4-mapped address (probe 203.0.113.9 instead)"},
      {"::203.0.113.9", "a reserved address (::/96, IPv4-compatible)"},
  };
  for (auto& [text, why] : refused) {
    INFO(text);
    CHECK(target_problem(ip(text.c_str())) == why);
  }
  for (const char* ok : {"203.0.113.254", "198.51.100.7", "127.0.0.1", "223.255.255.254", "1.0.0.1", "::1",
                         "2001:db8::1", "fe80::1", "::1:0:0:1"}) {
    INFO(ok);
    CHECK(target_problem(ip(ok)).empty());
  }
  CHECK_FALSE(is_local_broadcast(ip("203.0.113.254")));
  CHECK_FALSE(is_local_broadcast(ip("2001:db8::1")));
}

TEST_CASE("the probe rate is a finite number from 1 to the ceiling", "[prober]") {
  for (double bad : {std::nan(""), HUGE_VAL, -HUGE_VAL, 0.0, -5.0, 0.5, kMaxRate + 1, 1e12}) {
    INFO(bad);
    CHECK_FALSE(rate_problem(bad).empty());
  }
  for (double good : {1.0, 200.0, 10000.0, kMaxRate}) {
    INFO(good);
    CHECK(rate_problem(good).empty());
  }
  CHECK(rate_problem(std::nan("")) == "--rate must be a finite number of packets per second");
  CHECK(rate_problem(2e6) == "--rate must be at most 1000000 packets per second");
}
