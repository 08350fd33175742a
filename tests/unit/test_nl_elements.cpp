// Element batches (backends/nftables/netlink/nl_elements.h) built and read
// back without a kernel: what goes in comes out, intervals as the kernel
// wants them, and large batches split below the netlink nest limit.
#include <catch2/catch.hpp>
#include <linux/netfilter/nf_tables.h>

#include <string>
#include <vector>

#include "backends/nftables/netlink/nl_elements.h"
#include "backends/nftables/netlink/nl_snapshot.h"
#include "net_literals.h"

using namespace fwc;
namespace nl = fwc::nft::netlink;

using fwc::test::cidr;

namespace {

std::vector<nl::Element> parse(const nl::Batch& b, const std::string& set) {
  nl::Snapshot s;
  s.msgs.assign(b.data(), b.data() + b.size());
  nl::ElementParser p(set);
  s.each([&](const nlmsghdr* nlh) { p.feed(nlh); });
  return p.result();
}

size_t count_type(const nl::Batch& b, uint8_t type) {
  nl::Snapshot s;
  s.msgs.assign(b.data(), b.data() + b.size());
  size_t n = 0;
  s.each([&](const nlmsghdr* nlh) { n += (nlh->nlmsg_type & 0xff) == type ? 1 : 0; });
  return n;
}

}  // namespace

TEST_CASE("element batches read back as the elements given", "[netlink][elements]") {
  std::vector<nl::Element> add(4);
  add[0].cidr = cidr("198.51.100.7");
  add[0].timeout_ms = 2000;
  add[0].expires_ms = 1500;
  add[0].comment = "ssh brute force";
  add[1].cidr = cidr("203.0.113.0/24");
  add[2].cidr = cidr("255.255.255.0/24");  // reaches the top: no end element
  add[3].cidr = cidr("2001:db8::/32");
  add[3].comment = "v6";
  const nl::Batch b = nl::build_element_changes({{"dyn_abuse_v4", {}, add}}, 42, 1);
  CHECK(count_type(b, NFT_MSG_NEWSETELEM) == 1);
  const auto got = parse(b, "dyn_abuse_v4");
  REQUIRE(got.size() == 4);
  // Sorted by family, then address.
  CHECK(net::format_cidr(got[0].cidr) == "198.51.100.7");
  CHECK(got[0].timeout_ms == 2000u);
  CHECK(got[0].expires_ms == 1500u);
  CHECK(got[0].comment == "ssh brute force");
  CHECK(net::format_cidr(got[1].cidr) == "203.0.113.0/24");
  CHECK_FALSE(got[1].timeout_ms);
  CHECK(got[1].comment.empty());
  CHECK(net::format_cidr(got[2].cidr) == "255.255.255.0/24");
  CHECK(net::format_cidr(got[3].cidr) == "2001:db8::/32");
  CHECK(got[3].comment == "v6");
  CHECK(parse(b, "other").empty());
}

TEST_CASE("element comments are cut to the kernel's comment limit", "[netlink][elements]") {
  std::vector<nl::Element> add(1);
  add[0].cidr = cidr("198.51.100.1");
  add[0].comment = std::string(500, 'x');
  const auto got = parse(nl::build_element_changes({{"s", {}, add}}, {}, 1), "s");
  REQUIRE(got.size() == 1);
  CHECK(got[0].comment.size() == nl::kElementCommentMax - 1);
}

TEST_CASE("removals and additions go in one transaction", "[netlink][elements]") {
  std::vector<nl::Element> add(1);
  add[0].cidr = cidr("198.51.100.9");
  const nl::Batch b =
      nl::build_element_changes({{"dyn_a_v4", {cidr("198.51.100.8"), cidr("198.51.100.16/28")}, add}}, 7, 10);
  CHECK(count_type(b, NFT_MSG_DELSETELEM) == 1);
  CHECK(count_type(b, NFT_MSG_NEWSETELEM) == 1);
  CHECK(b.messages() == 4);  // begin, delete, add, end
  CHECK(b.describe(11).find("delete 2 elements") != std::string::npos);
}

TEST_CASE("100,000 elements split into messages below the nest limit", "[netlink][elements]") {
  std::vector<nl::Element> add(100000);
  for (size_t i = 0; i < add.size(); ++i) {
    add[i].cidr = {net::Family::v4, (net::u128{10} << 24) + net::u128{i} * 2, 32};
    add[i].timeout_ms = 3600000;
    add[i].comment = "incident 1234";
  }
  const nl::Batch b = nl::build_element_changes({{"dyn_a_v4", {}, add}}, 1, 1);
  CHECK(count_type(b, NFT_MSG_NEWSETELEM) > 10);
  nl::Snapshot s;
  s.msgs.assign(b.data(), b.data() + b.size());
  s.each([](const nlmsghdr* nlh) { CHECK(nlh->nlmsg_len < 65535u); });
  const auto got = parse(b, "dyn_a_v4");
  REQUIRE(got.size() == add.size());
  CHECK(got.back().cidr.addr == add.back().cidr.addr);
  CHECK(got.back().comment == "incident 1234");
}
