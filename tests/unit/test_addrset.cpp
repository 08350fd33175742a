// Address set algebra (compiler/net/addrset.h).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "compiler/net/addrset.h"
#include "net_literals.h"

using namespace fwc::net;

using fwc::test::cidr;

namespace {

Address addr(const std::string& text) {
  Address a;
  REQUIRE(parse_address(text, a));
  return a;
}

AddrSet set_of(std::initializer_list<const char*> items) {
  AddrSet s;
  for (const char* i : items) s.add(cidr(i));
  s.normalize();
  return s;
}

std::vector<std::string> texts(const AddrSet& s, Family f) {
  std::vector<std::string> out;
  for (const Cidr& c : s.cidrs(f)) out.push_back(format_cidr(c));
  return out;
}

using Strings = std::vector<std::string>;

// The representation invariant: sorted, disjoint, non-adjacent, within the family.
void check_invariant(const AddrSet& s) {
  for (Family f : {Family::v4, Family::v6}) {
    const auto& v = s.intervals(f);
    for (size_t i = 0; i < v.size(); ++i) {
      REQUIRE(v[i].lo <= v[i].hi);
      REQUIRE(v[i].hi <= family_max(f));
      if (i > 0) REQUIRE(v[i - 1].hi + 1 < v[i].lo);
    }
  }
}

bool in_cidr(const Cidr& c, const Address& a) {
  return c.family == a.family && (a.value & ~host_mask(c.family, c.len)) == c.addr;
}

// Independent reference for interval_to_cidrs: split the whole family space
// top-down and keep the largest aligned blocks lying inside [lo, hi].
void reference_cidrs(Family f, u128 base, unsigned len, const Interval& iv, std::vector<Cidr>& out) {
  u128 last = base | host_mask(f, len);
  if (last < iv.lo || base > iv.hi) return;
  if (iv.lo <= base && last <= iv.hi) {
    out.push_back({f, base, static_cast<uint8_t>(len)});
    return;
  }
  u128 half = host_mask(f, len + 1) + 1;
  reference_cidrs(f, base, len + 1, iv, out);
  reference_cidrs(f, base + half, len + 1, iv, out);
}

bool same_cidrs(const std::vector<Cidr>& a, const std::vector<Cidr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].family != b[i].family || a[i].addr != b[i].addr || a[i].len != b[i].len) return false;
  return true;
}

}  // namespace

TEST_CASE("adjacent blocks merge into their parent", "[addrset]") {
  AddrSet s = set_of({"10.0.0.0/25", "10.0.0.128/25"});
  CHECK(texts(s, Family::v4) == Strings{"10.0.0.0/24"});
  CHECK(s.intervals(Family::v4).size() == 1);

  // Adjacent but not buddies: one interval, two CIDRs.
  AddrSet t = set_of({"10.0.0.128/25", "10.0.1.0/25"});
  CHECK(t.intervals(Family::v4).size() == 1);
  CHECK(texts(t, Family::v4) == Strings{"10.0.0.128/25", "10.0.1.0/25"});

  // Four /26 in any order → one /24.
  AddrSet u = set_of({"10.0.0.192/26", "10.0.0.0/26", "10.0.0.128/26", "10.0.0.64/26"});
  CHECK(texts(u, Family::v4) == Strings{"10.0.0.0/24"});

  // Single addresses next to each other.
  AddrSet w = set_of({"10.0.0.3", "10.0.0.2"});
  CHECK(texts(w, Family::v4) == Strings{"10.0.0.2/31"});
}

TEST_CASE("overlapping and duplicate blocks collapse", "[addrset]") {
  AddrSet s = set_of({"10.0.0.0/24", "10.0.0.0/16", "10.0.5.7", "10.0.0.0/24"});
  CHECK(texts(s, Family::v4) == Strings{"10.0.0.0/16"});

  AddrSet t = set_of({"192.168.1.0/24", "192.168.0.0/23", "192.168.2.0/24"});
  // 192.168.0.0-192.168.2.255 is not a power of two: /23 + /24.
  CHECK(texts(t, Family::v4) == Strings{"192.168.0.0/23", "192.168.2.0/24"});

  AddrSet v = set_of({"fd00::/64", "fd00::1", "fd00::/48"});
  CHECK(texts(v, Family::v6) == Strings{"fd00::/48"});
  check_invariant(s);
  check_invariant(t);
  check_invariant(v);
}

TEST_CASE("families are kept apart", "[addrset]") {
  AddrSet s = set_of({"10.0.0.1", "::a00:1"});  // same low bits, different family
  CHECK(texts(s, Family::v4) == Strings{"10.0.0.1"});
  REQUIRE(s.intervals(Family::v6).size() == 1);
  CHECK(s.intervals(Family::v6)[0] == Interval{0x0a000001u, 0x0a000001u});
  CHECK(s.contains(addr("10.0.0.1")));
  CHECK(s.contains(addr("::a00:1")));
  CHECK_FALSE(s.contains(addr("10.0.0.2")));
  CHECK_FALSE(s.empty(Family::v4));
  CHECK_FALSE(s.empty(Family::v6));
}

TEST_CASE("/0 of both families", "[addrset]") {
  AddrSet s = set_of({"0.0.0.0/0", "::/0"});
  CHECK(s == AddrSet::any());
  CHECK(s.is_all(Family::v4));
  CHECK(s.is_all(Family::v6));
  CHECK(texts(s, Family::v4) == Strings{"0.0.0.0/0"});
  CHECK(texts(s, Family::v6) == Strings{"::/0"});
  CHECK(s.contains(addr("255.255.255.255")));
  CHECK(s.contains(addr("0.0.0.0")));
  CHECK(s.contains(addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
  CHECK(s.contains(addr("::")));

  AddrSet only4 = AddrSet::any_of(Family::v4);
  CHECK(only4.is_all(Family::v4));
  CHECK(only4.empty(Family::v6));
  CHECK_FALSE(only4.is_all(Family::v6));
  CHECK(s.covers(only4));
  CHECK_FALSE(only4.covers(s));

  // Something inside /0 adds nothing.
  AddrSet more = s;
  more.unite(set_of({"10.0.0.0/8", "fd00::/8"}));
  CHECK(more == s);
}

TEST_CASE("single host routes", "[addrset]") {
  AddrSet s = set_of({"192.0.2.7", "2001:db8::7"});
  CHECK(texts(s, Family::v4) == Strings{"192.0.2.7"});
  CHECK(texts(s, Family::v6) == Strings{"2001:db8::7"});
  CHECK(s.cidr_count(Family::v4) == 1);
  CHECK(s.cidr_count(Family::v6) == 1);
  CHECK(s.contains(addr("192.0.2.7")));
  CHECK_FALSE(s.contains(addr("192.0.2.6")));
  CHECK_FALSE(s.contains(addr("192.0.2.8")));
  CHECK(s.contains(addr("2001:db8::7")));
  CHECK_FALSE(s.contains(addr("2001:db8::8")));
}

TEST_CASE("subtract splits a block into the minimal CIDR list", "[addrset][subtract]") {
  AddrSet s = set_of({"10.0.0.0/24"});
  s.subtract(set_of({"10.0.0.250"}));
  // 0-249 and 251-255.
  CHECK(texts(s, Family::v4) == Strings{"10.0.0.0/25", "10.0.0.128/26", "10.0.0.192/27", "10.0.0.224/28",
                                        "10.0.0.240/29", "10.0.0.248/31", "10.0.0.251", "10.0.0.252/30"});
  CHECK(s.cidr_count(Family::v4) == 8);
  CHECK(s.intervals(Family::v4).size() == 2);
  CHECK_FALSE(s.contains(addr("10.0.0.250")));
  CHECK(s.contains(addr("10.0.0.249")));
  CHECK(s.contains(addr("10.0.0.251")));
  check_invariant(s);
}

TEST_CASE("subtract edge cases", "[addrset][subtract]") {
  SECTION("everything → empty") {
    AddrSet s = set_of({"10.0.0.0/24", "fd00::/64"});
    s.subtract(AddrSet::any());
    CHECK(s.empty());
    CHECK(s.cidrs(Family::v4).empty());
  }
  SECTION("itself → empty") {
    AddrSet s = set_of({"10.0.0.0/24", "10.2.0.0/16", "fd00::/64"});
    AddrSet copy = s;
    s.subtract(copy);
    CHECK(s.empty());
  }
  SECTION("disjoint → unchanged") {
    AddrSet s = set_of({"10.0.0.0/24"});
    AddrSet before = s;
    s.subtract(set_of({"10.0.1.0/24", "fd00::/8"}));
    CHECK(s == before);
  }
  SECTION("only one family is touched") {
    AddrSet s = AddrSet::any();
    s.subtract(AddrSet::any_of(Family::v6));
    CHECK(s == AddrSet::any_of(Family::v4));
  }
  SECTION("several holes in several intervals") {
    AddrSet s = set_of({"10.0.0.0/30", "10.0.1.0/30"});
    s.subtract(set_of({"10.0.0.0", "10.0.0.3", "10.0.1.1/32", "10.0.1.2"}));
    CHECK(texts(s, Family::v4) == Strings{"10.0.0.1", "10.0.0.2", "10.0.1.0", "10.0.1.3"});
    check_invariant(s);
  }
  SECTION("a hole spanning two intervals") {
    AddrSet s = set_of({"10.0.0.0/24", "10.0.2.0/24"});
    s.subtract(set_of({"10.0.0.128/25", "10.0.1.0/24", "10.0.2.0/25"}));
    CHECK(texts(s, Family::v4) == Strings{"10.0.0.0/25", "10.0.2.128/25"});
  }
  SECTION("the lowest and highest addresses of IPv4") {
    AddrSet s = AddrSet::any_of(Family::v4);
    s.subtract(set_of({"0.0.0.0", "255.255.255.255"}));
    REQUIRE(s.intervals(Family::v4).size() == 1);
    CHECK(s.intervals(Family::v4)[0] == Interval{1, 0xfffffffeu});
    CHECK(s.cidr_count(Family::v4) == 62);  // 2 × (32 − 1)
  }
}

TEST_CASE("IPv6 at the top of the address space", "[addrset][ipv6]") {
  const u128 top = ~u128(0);
  SECTION("::/0 minus the last address") {
    AddrSet s = AddrSet::any_of(Family::v6);
    s.subtract(set_of({"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}));
    REQUIRE(s.intervals(Family::v6).size() == 1);
    CHECK(s.intervals(Family::v6)[0] == Interval{0, top - 1});
    CHECK(s.cidr_count(Family::v6) == 128);  // ::/1, 8000::/2, …, the /128 just below the top
    CHECK(s.contains(addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")));
    CHECK_FALSE(s.contains(addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
    CHECK(texts(s, Family::v6).front() == "::/1");
    CHECK(texts(s, Family::v6).back() == "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
  }
  SECTION("blocks ending at the top merge without overflow") {
    AddrSet s = set_of({"ffff::/16", "fffe::/16", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/1"});
    CHECK(texts(s, Family::v6) == Strings{"::/1", "fffe::/15"});
    check_invariant(s);
    CHECK(s.contains(addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
  }
  SECTION("two halves make ::/0") {
    AddrSet s = set_of({"8000::/1", "::/1"});
    CHECK(s.is_all(Family::v6));
    CHECK(texts(s, Family::v6) == Strings{"::/0"});
  }
  SECTION("subtracting the top half") {
    AddrSet s = AddrSet::any_of(Family::v6);
    s.subtract(set_of({"8000::/1"}));
    CHECK(texts(s, Family::v6) == Strings{"::/1"});
  }
  SECTION("the last address alone") {
    AddrSet s = set_of({"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"});
    CHECK(s.intervals(Family::v6)[0] == Interval{top, top});
    CHECK(texts(s, Family::v6) == Strings{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"});
  }
}

TEST_CASE("covers and contains", "[addrset]") {
  AddrSet big = set_of({"10.0.0.0/16", "fd00::/48"});
  CHECK(big.covers(set_of({"10.0.3.0/24"})));
  CHECK(big.covers(set_of({"10.0.3.0/24", "fd00:0:0:1::/64"})));
  CHECK(big.covers(AddrSet{}));  // the empty set is a subset of anything
  CHECK(AddrSet{}.covers(AddrSet{}));
  CHECK_FALSE(AddrSet{}.covers(big));
  CHECK_FALSE(big.covers(set_of({"10.0.0.0/15"})));        // larger
  CHECK_FALSE(big.covers(set_of({"10.0.255.255/32", "10.1.0.0"})));  // straddles the end
  CHECK_FALSE(big.covers(set_of({"10.0.3.0/24", "fd01::1"})));  // one family fails
  CHECK_FALSE(big.covers(set_of({"10.0.0.1", "11.0.0.1"})));
  // Two intervals of the outer set do not cover a range across their gap.
  AddrSet gappy = set_of({"10.0.0.0/24", "10.0.2.0/24"});
  CHECK_FALSE(gappy.covers(set_of({"10.0.0.0/22"})));
  CHECK(gappy.covers(set_of({"10.0.0.5", "10.0.2.9"})));
  CHECK(big.covers(big));

  CHECK(big.contains(addr("10.0.0.0")));
  CHECK(big.contains(addr("10.0.255.255")));
  CHECK_FALSE(big.contains(addr("10.1.0.0")));
  CHECK_FALSE(big.contains(addr("9.255.255.255")));
  CHECK(big.contains(addr("fd00::abcd")));
  CHECK_FALSE(big.contains(addr("fd00:0:1::")));
  CHECK_FALSE(AddrSet{}.contains(addr("10.0.0.1")));
}

TEST_CASE("interval_to_cidrs produces the minimal list", "[addrset][cidrs]") {
  SECTION("an odd range inside a /24") {
    std::vector<Cidr> out;
    interval_to_cidrs(Family::v4, {0x0a000001u, 0x0a0000feu}, out);  // 10.0.0.1 - 10.0.0.254
    // 2 × (8 − 1) blocks: 1, 2/31, 4/30, … 128/26 … 252/31, 254.
    CHECK(out.size() == 14);
    std::vector<std::string> t;
    t.reserve(out.size());
    for (const auto& c : out) t.push_back(format_cidr(c));
    CHECK(t.front() == "10.0.0.1");
    CHECK(t[1] == "10.0.0.2/31");
    CHECK(t[6] == "10.0.0.64/26");
    CHECK(t[7] == "10.0.0.128/26");
    CHECK(t.back() == "10.0.0.254");
  }
  SECTION("a single address and a whole family") {
    std::vector<Cidr> out;
    interval_to_cidrs(Family::v4, {5, 5}, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].len == 32);
    out.clear();
    interval_to_cidrs(Family::v4, {0, 0xffffffffu}, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].len == 0);
    out.clear();
    interval_to_cidrs(Family::v6, {0, ~u128(0)}, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].len == 0);
  }
  SECTION("random intervals agree with a top-down reference") {
    std::mt19937_64 rng(12345);
    for (int i = 0; i < 2000; ++i) {
      Family f = i % 2 ? Family::v6 : Family::v4;
      u128 a, b;
      if (f == Family::v4) {
        a = rng() & 0xffffffffu;
        b = rng() & 0xffffffffu;
      } else {
        a = (u128(rng()) << 64) | rng();
        b = (u128(rng()) << 64) | rng();
        if (i % 4 == 1) b = a + (rng() % 100000);  // short ranges too (a+… may wrap: fine either way)
      }
      if (a > b) std::swap(a, b);
      Interval iv{a, b};
      std::vector<Cidr> got, want;
      interval_to_cidrs(f, iv, got);
      reference_cidrs(f, 0, 0, iv, want);
      INFO("interval " << i);
      REQUIRE(same_cidrs(got, want));
    }
  }
}

TEST_CASE("property: AddrSet membership equals membership in the raw list", "[addrset][property]") {
  std::mt19937_64 rng(20240601);
  for (int round = 0; round < 200; ++round) {
    // CIDRs inside 10.0.0.0/16 and fd00::/112, so that overlaps and
    // adjacency are frequent.
    std::vector<Cidr> raw;
    size_t n = 1 + rng() % 40;
    for (size_t i = 0; i < n; ++i) {
      if (rng() % 3 == 0) {
        unsigned len = 112 + rng() % 17;
        u128 value = (u128(0xfd00000000000000ull) << 64) | (rng() & 0xffff);
        raw.push_back({Family::v6, value & ~host_mask(Family::v6, len), static_cast<uint8_t>(len)});
      } else {
        unsigned len = 16 + rng() % 17;
        u128 value = 0x0a000000u | (rng() & 0xffff);
        raw.push_back({Family::v4, value & ~host_mask(Family::v4, len), static_cast<uint8_t>(len)});
      }
    }
    AddrSet s;
    for (const auto& c : raw) s.add(c);
    s.normalize();
    check_invariant(s);

    for (int probe = 0; probe < 300; ++probe) {
      Address a;
      if (probe % 2) a = {Family::v6, (u128(0xfd00000000000000ull) << 64) | (rng() & 0x1ffff)};
      else a = {Family::v4, 0x0a000000u + (rng() % 0x18000)};  // some beyond 10.0.255.255
      bool expected = false;
      for (const auto& c : raw) expected = expected || in_cidr(c, a);
      INFO("round " << round << " address " << format_address(a.family, a.value));
      REQUIRE(s.contains(a) == expected);
    }

    // cidrs() re-added give the same set, and are no more than the input.
    AddrSet again;
    for (Family f : {Family::v4, Family::v6})
      for (const Cidr& c : s.cidrs(f)) again.add(c);
    again.normalize();
    REQUIRE(again == s);
    REQUIRE(s.cidr_count(Family::v4) + s.cidr_count(Family::v6) <= raw.size());
    REQUIRE(s.cidr_count(Family::v4) == s.cidrs(Family::v4).size());

    // unite is order-independent; covers agrees with subtract.
    AddrSet half1, half2;
    for (size_t i = 0; i < raw.size(); ++i) (i % 2 ? half1 : half2).add(raw[i]);
    half1.normalize();
    half2.normalize();
    AddrSet u1 = half1, u2 = half2;
    u1.unite(half2);
    u2.unite(half1);
    REQUIRE(u1 == s);
    REQUIRE(u2 == s);
    REQUIRE(s.covers(half1));
    AddrSet rest = half1;
    rest.subtract(half2);
    REQUIRE(half2.covers(half1) == rest.empty());
  }
}

TEST_CASE("scale: a million random IPv4 CIDRs normalize", "[addrset][scale]") {
  std::mt19937_64 rng(7);
  const size_t n = 1000000;
  std::vector<Cidr> raw;
  raw.reserve(n);
  AddrSet s;
  for (size_t i = 0; i < n; ++i) {
    // Mostly long prefixes (like block lists), a few short ones.
    unsigned len = (i % 1000 == 0) ? 12 + rng() % 8 : 20 + rng() % 13;
    u128 value = rng() & 0xffffffffu;
    Cidr c{Family::v4, value & ~host_mask(Family::v4, len), static_cast<uint8_t>(len)};
    raw.push_back(c);
    s.add(c);
  }
  s.normalize();
  check_invariant(s);
  CHECK(s.empty(Family::v6));

  // Every input address is a member (start and end of each block).
  for (size_t i = 0; i < n; i += 97) {
    const Cidr& c = raw[i];
    REQUIRE(s.contains({Family::v4, c.addr}));
    REQUIRE(s.contains({Family::v4, c.addr | host_mask(Family::v4, c.len)}));
  }
  // Random probes agree with a linear scan of the raw list.
  for (int probe = 0; probe < 100; ++probe) {
    Address a{Family::v4, rng() & 0xffffffffu};
    bool expected = false;
    for (const auto& c : raw)
      if (in_cidr(c, a)) {
        expected = true;
        break;
      }
    REQUIRE(s.contains(a) == expected);
  }
  // Re-adding the derived CIDRs gives the same set.
  std::vector<Cidr> out = s.cidrs(Family::v4);
  CHECK(out.size() <= n);
  AddrSet again;
  for (const auto& c : out) again.add(c);
  again.normalize();
  CHECK(again == s);
  // Total size is at most the sum of the inputs.
  u128 covered = 0, total = 0;
  for (const auto& iv : s.intervals(Family::v4)) covered += iv.hi - iv.lo + 1;
  for (const auto& c : raw) total += host_mask(Family::v4, c.len) + 1;
  CHECK(covered <= total);
  CHECK(covered > 0);
}

TEST_CASE("copies are independent (copy on write)", "[addrset][cow]") {
  const AddrSet original = set_of({"10.0.0.0/24", "fd00::/64"});
  const std::vector<std::string> v4_before = texts(original, Family::v4);

  AddrSet a = original;
  CHECK(a.identity(Family::v4) == original.identity(Family::v4));  // shared until changed
  a.add(cidr("10.0.1.0/24"));
  a.normalize();
  CHECK(texts(a, Family::v4) == Strings{"10.0.0.0/23"});

  AddrSet b = original;
  b.subtract(set_of({"10.0.0.128/25"}));
  CHECK(texts(b, Family::v4) == Strings{"10.0.0.0/25"});

  AddrSet c;
  c.append(original);
  c.append(set_of({"10.0.0.0/8"}));
  c.normalize();
  CHECK(texts(c, Family::v4) == Strings{"10.0.0.0/8"});

  AddrSet d = original;
  d.reserve(Family::v4, 100);
  d.add_interval(Family::v4, {0, 0});
  d.normalize();
  CHECK(d.intervals(Family::v4).size() == 2);

  // None of that touched the original.
  CHECK(texts(original, Family::v4) == v4_before);
  CHECK(texts(original, Family::v6) == Strings{"fd00::/64"});
  CHECK(texts(a, Family::v6) == Strings{"fd00::/64"});
}

TEST_CASE("normalizing an already normal copy keeps sharing its storage", "[addrset][cow]") {
  // What lets a million-entry network flow into rules without copies, and
  // what the nftables backend relies on to give rules naming the same
  // network one set.
  const AddrSet network = set_of({"10.0.0.1", "10.0.0.3", "10.0.0.5", "10.0.0.7", "10.0.0.9"});
  AddrSet rule_peer;
  rule_peer.append(network);
  rule_peer.normalize();
  CHECK(rule_peer == network);
  CHECK(rule_peer.identity(Family::v4) == network.identity(Family::v4));
}

TEST_CASE("intersect keeps what both sets hold, per family", "[addrset][algebra]") {
  AddrSet a = set_of({"10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32"});
  AddrSet b = set_of({"10.1.0.0/16", "10.200.0.0/16", "192.0.2.128/25", "198.51.100.0/24", "2001:db8:5::/48"});
  AddrSet both = a.intersect(b);
  check_invariant(both);
  CHECK(texts(both, Family::v4) == Strings{"10.1.0.0/16", "10.200.0.0/16", "192.0.2.128/25"});
  CHECK(texts(both, Family::v6) == Strings{"2001:db8:5::/48"});
  CHECK(both == b.intersect(a));
  CHECK(a.overlaps(b));
  CHECK(a.intersect(AddrSet::any()) == a);
  CHECK(a.intersect(AddrSet::any_of(Family::v6)) == set_of({"2001:db8::/32"}));
}

TEST_CASE("overlaps is false for disjoint and adjacent sets", "[addrset][algebra]") {
  AddrSet a = set_of({"192.0.2.0/25"});
  CHECK_FALSE(a.overlaps(set_of({"192.0.2.128/25"})));                 // adjacent
  CHECK_FALSE(a.overlaps(set_of({"2001:db8::/32"})));                  // other family
  CHECK_FALSE(a.overlaps(AddrSet{}));                                  // empty
  CHECK(a.overlaps(set_of({"192.0.2.127/32"})));                       // one address
  CHECK(a.intersect(set_of({"192.0.2.128/25"})).empty());
}

TEST_CASE("intersect agrees with membership on random sets", "[addrset][algebra]") {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    AddrSet a, b;
    for (int i = 0; i < 20; ++i) {
      a.add({Family::v4, (0xC6336400u | (rng() & 0xff)) & ~0x3u, 30});
      b.add({Family::v4, 0xC6336400u | (rng() & 0xff), 32});
    }
    a.normalize();
    b.normalize();
    AddrSet both = a.intersect(b);
    check_invariant(both);
    for (uint32_t host = 0; host < 256; ++host) {
      Address x{Family::v4, 0xC6336400u | host};
      REQUIRE(both.contains(x) == (a.contains(x) && b.contains(x)));
    }
    CHECK(a.overlaps(b) == !both.empty());
  }
}
