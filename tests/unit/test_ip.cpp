// Address and CIDR parsing (compiler/net/ip.h).
#include <catch2/catch.hpp>

#include "compiler/net/ip.h"

using namespace fwc::net;

namespace {

u128 v6(uint64_t hi, uint64_t lo) { return (u128(hi) << 64) | lo; }

}  // namespace

TEST_CASE("parse_ipv4 accepts strict dotted quads", "[ip]") {
  uint32_t v = 0;
  REQUIRE(parse_ipv4("0.0.0.0", v));
  CHECK(v == 0u);
  REQUIRE(parse_ipv4("255.255.255.255", v));
  CHECK(v == 0xffffffffu);
  REQUIRE(parse_ipv4("10.1.2.3", v));
  CHECK(v == 0x0a010203u);
  REQUIRE(parse_ipv4("192.0.2.100", v));
  CHECK(v == 0xc0000264u);
}

TEST_CASE("parse_ipv4 rejects malformed text", "[ip]") {
  uint32_t v = 0xdeadbeef;
  const char* bad[] = {
      "",            // empty
      "01.2.3.4",    // leading zero
      "1.2.3.04",    // leading zero in the last octet
      "1.2.3.00",    // two zeros
      "256.0.0.1",   // octet too large
      "1.2.3.256",
      "1.2.3.1000",  // four digits
      "1.2.3",       // missing octet
      "1.2.3.",      // empty last octet
      "1..2.3",      // empty middle octet
      ".1.2.3",
      "1.2.3.4.5",   // too many octets
      "1.2.3.4 ",    // trailing space
      " 1.2.3.4",
      "1.2.3.4/24",  // a CIDR is not an address
      "a.b.c.d",
      "1.2.3.-4",
      "::1",
  };
  for (const char* s : bad) {
    INFO("text: '" << s << "'");
    CHECK_FALSE(parse_ipv4(s, v));
  }
  CHECK(v == 0xdeadbeefu);  // untouched on failure
}

TEST_CASE("parse_ipv6 handles compressed, full and mapped forms", "[ip]") {
  u128 v = 0;
  REQUIRE(parse_ipv6("::", v));
  CHECK(v == 0);
  REQUIRE(parse_ipv6("::1", v));
  CHECK(v == 1);
  REQUIRE(parse_ipv6("fd00::2", v));
  CHECK(v == v6(0xfd00000000000000ull, 2));
  REQUIRE(parse_ipv6("2001:db8:0:0:0:0:0:1", v));
  CHECK(v == v6(0x20010db800000000ull, 1));
  REQUIRE(parse_ipv6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", v));
  CHECK(v == ~u128(0));
  // IPv4-mapped: ::ffff:a.b.c.d
  REQUIRE(parse_ipv6("::ffff:192.0.2.1", v));
  CHECK(v == v6(0, 0x0000ffffc0000201ull));

  CHECK_FALSE(parse_ipv6("", v));
  CHECK_FALSE(parse_ipv6("1::2::3", v));          // two "::"
  CHECK_FALSE(parse_ipv6("12345::1", v));         // group too long
  CHECK_FALSE(parse_ipv6("fe80::1%eth0", v));     // zone index
  CHECK_FALSE(parse_ipv6("g::1", v));
  CHECK_FALSE(parse_ipv6("1:2:3:4:5:6:7:8:9", v));
  CHECK_FALSE(parse_ipv6("::ffff:192.0.2.256", v));
  CHECK_FALSE(parse_ipv6(std::string(100, ':'), v));  // longer than any address
}

TEST_CASE("parse_address picks the family", "[ip]") {
  Address a;
  REQUIRE(parse_address("10.0.0.1", a));
  CHECK(a.family == Family::v4);
  CHECK(a.value == 0x0a000001u);
  REQUIRE(parse_address("::ffff:10.0.0.1", a));
  CHECK(a.family == Family::v6);  // mapped addresses stay IPv6
  CHECK(a.value == v6(0, 0x0000ffff0a000001ull));
  CHECK_FALSE(parse_address("10.0.0.01", a));
  CHECK_FALSE(parse_address("example.com", a));
  CHECK_FALSE(parse_address("1234", a));
}

TEST_CASE("parse_cidr: bare addresses are host routes", "[ip][cidr]") {
  CidrParse p = parse_cidr("192.0.2.7");
  REQUIRE(p.status == CidrStatus::ok);
  CHECK(p.cidr.family == Family::v4);
  CHECK(p.cidr.addr == 0xc0000207u);
  CHECK(p.cidr.len == 32);

  p = parse_cidr("fd00::2");
  REQUIRE(p.status == CidrStatus::ok);
  CHECK(p.cidr.family == Family::v6);
  CHECK(p.cidr.len == 128);
  CHECK(p.cidr.addr == v6(0xfd00000000000000ull, 2));
}

TEST_CASE("parse_cidr: IPv4 prefix lengths", "[ip][cidr]") {
  CidrParse p = parse_cidr("0.0.0.0/0");
  REQUIRE(p.status == CidrStatus::ok);
  CHECK(p.cidr.len == 0);
  CHECK(p.cidr.addr == 0);

  p = parse_cidr("10.0.0.1/32");
  REQUIRE(p.status == CidrStatus::ok);
  CHECK(p.cidr.len == 32);
  CHECK(p.cidr.addr == 0x0a000001u);

  p = parse_cidr("10.0.0.0/33");
  CHECK(p.status == CidrStatus::bad_prefix);
  CHECK(p.error_offset == 9);  // just after the slash

  for (const char* s : {"10.0.0.0/", "10.0.0.0/08", "10.0.0.0/-1", "10.0.0.0/2a", "10.0.0.0/1000",
                        "10.0.0.0/24/8", "10.0.0.0/ 8"}) {
    INFO(s);
    CHECK(parse_cidr(s).status == CidrStatus::bad_prefix);
  }
}

TEST_CASE("parse_cidr: IPv6 prefix lengths", "[ip][cidr]") {
  CidrParse p = parse_cidr("::/0");
  REQUIRE(p.status == CidrStatus::ok);
  CHECK(p.cidr.family == Family::v6);
  CHECK(p.cidr.len == 0);

  p = parse_cidr("fd00::1/128");
  REQUIRE(p.status == CidrStatus::ok);
  CHECK(p.cidr.len == 128);
  CHECK(p.cidr.addr == v6(0xfd00000000000000ull, 1));

  p = parse_cidr("fd00::/129");
  CHECK(p.status == CidrStatus::bad_prefix);
  CHECK(p.error_offset == 7);

  // 33 is fine for IPv6 even though it is not for IPv4.
  CHECK(parse_cidr("2001:db8::/33").status == CidrStatus::ok);
}

TEST_CASE("parse_cidr: host bits set are reported and cleared", "[ip][cidr]") {
  CidrParse p = parse_cidr("10.0.0.5/24");
  REQUIRE(p.status == CidrStatus::host_bits_set);
  CHECK(p.cidr.addr == 0x0a000000u);
  CHECK(p.cidr.len == 24);
  CHECK(format_cidr(p.cidr) == "10.0.0.0/24");

  p = parse_cidr("10.1.2.3/0");
  REQUIRE(p.status == CidrStatus::host_bits_set);
  CHECK(p.cidr.addr == 0);
  CHECK(p.cidr.len == 0);

  p = parse_cidr("10.0.0.255/31");
  REQUIRE(p.status == CidrStatus::host_bits_set);
  CHECK(format_cidr(p.cidr) == "10.0.0.254/31");

  p = parse_cidr("fd00::1/64");
  REQUIRE(p.status == CidrStatus::host_bits_set);
  CHECK(p.cidr.addr == v6(0xfd00000000000000ull, 0));
  CHECK(format_cidr(p.cidr) == "fd00::/64");

  p = parse_cidr("2001:db8::1:0:0:1/1");
  REQUIRE(p.status == CidrStatus::host_bits_set);
  CHECK(format_cidr(p.cidr) == "::/1");
}

TEST_CASE("parse_cidr: bad addresses", "[ip][cidr]") {
  for (const char* s : {"", "/24", "256.0.0.0/8", "10.0.0/8", "010.0.0.0/8", "fd00:::/64", "any",
                        "10.0.0.0.0/8", "fe80::1%eth0/64"}) {
    INFO("'" << s << "'");
    CHECK(parse_cidr(s).status == CidrStatus::bad_address);
  }
}

TEST_CASE("host_mask and family_max", "[ip]") {
  CHECK(host_mask(Family::v4, 32) == 0);
  CHECK(host_mask(Family::v4, 24) == 0xff);
  CHECK(host_mask(Family::v4, 0) == 0xffffffffu);
  CHECK(host_mask(Family::v6, 128) == 0);
  CHECK(host_mask(Family::v6, 64) == v6(0, ~0ull));
  CHECK(host_mask(Family::v6, 0) == ~u128(0));
  CHECK(family_max(Family::v4) == 0xffffffffu);
  CHECK(family_max(Family::v6) == ~u128(0));
}

TEST_CASE("format_cidr round trips canonical text", "[ip][cidr]") {
  const char* canonical[] = {
      "0.0.0.0/0",     "10.0.0.0/8",   "192.0.2.7",         "203.0.113.0/24",   "255.255.255.255",
      "::/0",          "::1",          "fd00::/64",         "2001:db8::/32",    "fd00::2",
      "::ffff:192.0.2.1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8:1:2:3:4:5:6",
  };
  for (const char* s : canonical) {
    INFO(s);
    CidrParse p = parse_cidr(s);
    REQUIRE(p.status == CidrStatus::ok);
    CHECK(format_cidr(p.cidr) == s);
    // And parsing the output again gives the same value.
    CidrParse again = parse_cidr(format_cidr(p.cidr));
    CHECK(again.cidr.addr == p.cidr.addr);
    CHECK(again.cidr.len == p.cidr.len);
    CHECK(again.cidr.family == p.cidr.family);
  }
  // Non-canonical IPv6 text is printed in the RFC 5952 form.
  CHECK(format_cidr(parse_cidr("2001:DB8:0:0:0:0:0:0/32").cidr) == "2001:db8::/32");
  CHECK(format_cidr(parse_cidr("fd00:0:0:0:0:0:0:0002").cidr) == "fd00::2");
  CHECK(format_address(Family::v4, 0x7f000001u) == "127.0.0.1");
}
