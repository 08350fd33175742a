// Port specs and port sets (compiler/net/portset.h).
#include <catch2/catch.hpp>

#include "compiler/net/portset.h"

using namespace fwc::net;

namespace {

PortSet ports(std::initializer_list<const char*> specs) {
  PortSet s;
  for (const char* spec : specs) {
    PortSpecParse p = parse_port_spec(spec);
    INFO(spec);
    REQUIRE(p.status == PortSpecStatus::ok);
    s.add(p.proto, p.range);
  }
  s.normalize();
  return s;
}

PortSet all_traffic() {
  PortSet s;
  s.all = true;
  return s;
}

using Ranges = std::vector<PortRange>;

}  // namespace

TEST_CASE("parse_port_spec: valid specs", "[ports]") {
  PortSpecParse p = parse_port_spec("80/tcp");
  REQUIRE(p.status == PortSpecStatus::ok);
  CHECK(p.proto == Proto::tcp);
  CHECK(p.range == PortRange{80, 80});

  p = parse_port_spec("4646-4648/udp");
  REQUIRE(p.status == PortSpecStatus::ok);
  CHECK(p.proto == Proto::udp);
  CHECK(p.range == PortRange{4646, 4648});

  p = parse_port_spec("1-65535/tcp");
  REQUIRE(p.status == PortSpecStatus::ok);
  CHECK(p.range == PortRange{1, 65535});

  p = parse_port_spec("53-53/udp");
  REQUIRE(p.status == PortSpecStatus::ok);
  CHECK(p.range == PortRange{53, 53});
}

TEST_CASE("parse_port_spec: statuses of bad specs", "[ports]") {
  CHECK(parse_port_spec("0/tcp").status == PortSpecStatus::bad_port);
  CHECK(parse_port_spec("65536/tcp").status == PortSpecStatus::bad_port);
  CHECK(parse_port_spec("99999999/tcp").status == PortSpecStatus::bad_port);
  CHECK(parse_port_spec("0-80/tcp").status == PortSpecStatus::bad_port);
  CHECK(parse_port_spec("80-65536/udp").status == PortSpecStatus::bad_port);
  CHECK(parse_port_spec("80-/tcp").status == PortSpecStatus::bad_port);
  CHECK(parse_port_spec("8o/tcp").status == PortSpecStatus::bad_port);
  CHECK(parse_port_spec("90-80/tcp").status == PortSpecStatus::reversed);
  CHECK(parse_port_spec("80/icmp").status == PortSpecStatus::bad_proto);
  CHECK(parse_port_spec("80/TCP").status == PortSpecStatus::bad_proto);
  CHECK(parse_port_spec("80/").status == PortSpecStatus::bad_proto);
  CHECK(parse_port_spec("80").status == PortSpecStatus::missing_proto);
  CHECK(parse_port_spec("4646-4648").status == PortSpecStatus::missing_proto);
  CHECK(parse_port_spec("http").status == PortSpecStatus::not_a_spec);
  CHECK(parse_port_spec("").status == PortSpecStatus::not_a_spec);
  CHECK(parse_port_spec("cluster-rpc").status == PortSpecStatus::not_a_spec);
}

TEST_CASE("parse_port_spec: details name the problem", "[ports]") {
  CHECK_THAT(parse_port_spec("65536/tcp").detail, Catch::Contains("65536"));
  CHECK_THAT(parse_port_spec("80/icmp").detail, Catch::Contains("icmp"));
  CHECK_THAT(parse_port_spec("90-80/tcp").detail, Catch::Contains("90-80"));
  CHECK_THAT(parse_port_spec("80").detail, Catch::Contains("protocol"));
}

TEST_CASE("PortSet::normalize sorts and merges per protocol", "[ports]") {
  PortSet s;
  s.add(Proto::tcp, {100, 200});
  s.add(Proto::tcp, {81, 90});
  s.add(Proto::tcp, {80, 80});     // adjacent to 81-90
  s.add(Proto::tcp, {150, 160});   // inside 100-200
  s.add(Proto::tcp, {195, 300});   // overlaps the end
  s.add(Proto::udp, {53, 53});
  s.add(Proto::udp, {53, 53});
  s.add(Proto::udp, {65535, 65535});
  s.add(Proto::udp, {1000, 65534});  // adjacent at the top: no 16-bit overflow
  s.normalize();
  CHECK(s.tcp == Ranges{{80, 90}, {100, 300}});
  CHECK(s.udp == Ranges{{53, 53}, {1000, 65535}});
  // Protocols stay separate.
  CHECK(s.contains(Proto::udp, 53));
  CHECK_FALSE(s.contains(Proto::tcp, 53));
}

TEST_CASE("PortSet::contains", "[ports]") {
  PortSet s = ports({"22/tcp", "4646-4648/udp"});
  CHECK(s.contains(Proto::tcp, 22));
  CHECK_FALSE(s.contains(Proto::tcp, 21));
  CHECK_FALSE(s.contains(Proto::tcp, 23));
  CHECK_FALSE(s.contains(Proto::udp, 22));
  CHECK(s.contains(Proto::udp, 4646));
  CHECK(s.contains(Proto::udp, 4648));
  CHECK_FALSE(s.contains(Proto::udp, 4649));
  CHECK_FALSE(PortSet{}.contains(Proto::tcp, 22));
}

TEST_CASE("PortSet::covers", "[ports]") {
  PortSet wide = ports({"1-1024/tcp", "53/udp"});
  CHECK(wide.covers(ports({"22/tcp"})));
  CHECK(wide.covers(ports({"22/tcp", "80/tcp", "53/udp"})));
  CHECK(wide.covers(PortSet{}));
  CHECK_FALSE(wide.covers(ports({"22/udp"})));           // other protocol
  CHECK_FALSE(wide.covers(ports({"1000-2000/tcp"})));    // straddles
  CHECK_FALSE(wide.covers(ports({"22/tcp", "54/udp"})));
  CHECK_FALSE(wide.covers(all_traffic()));
  // Pieces that merge cover a range spanning both.
  CHECK(ports({"1-50/tcp", "51-100/tcp"}).covers(ports({"40-60/tcp"})));
  CHECK_FALSE(ports({"1-50/tcp", "52-100/tcp"}).covers(ports({"40-60/tcp"})));
}

TEST_CASE("PortSet::intersects", "[ports]") {
  PortSet web = ports({"80/tcp", "443/tcp"});
  CHECK(web.intersects(ports({"443/tcp"})));
  CHECK(web.intersects(ports({"1-80/tcp"})));
  CHECK_FALSE(web.intersects(ports({"81-442/tcp"})));
  CHECK_FALSE(web.intersects(ports({"443/udp"})));
  CHECK_FALSE(web.intersects(PortSet{}));
  CHECK_FALSE(PortSet{}.intersects(web));
  CHECK(ports({"1000-2000/udp"}).intersects(ports({"2000-3000/udp"})));
}

TEST_CASE("PortSet `all`: every protocol and port", "[ports][all]") {
  PortSet all = all_traffic();
  CHECK_FALSE(all.empty());
  CHECK(all.contains(Proto::tcp, 1));
  CHECK(all.contains(Proto::udp, 65535));
  CHECK(all.covers(ports({"22/tcp", "1-65535/udp"})));
  CHECK(all.covers(all_traffic()));
  CHECK(all.intersects(ports({"9/udp"})));
  CHECK(ports({"9/udp"}).intersects(all));
  CHECK_FALSE(all.intersects(PortSet{}));
  CHECK_FALSE(ports({"1-65535/tcp", "1-65535/udp"}).covers(all));  // `all` is more than tcp+udp

  // unite: `all` absorbs the lists.
  PortSet s = ports({"80/tcp"});
  s.unite(all);
  CHECK(s.all);
  CHECK(s.tcp.empty());
  CHECK(s == all_traffic());

  PortSet t = ports({"80/tcp"});
  t.unite(ports({"81/tcp", "53/udp"}));
  CHECK_FALSE(t.all);
  CHECK(t.tcp == Ranges{{80, 81}});
  CHECK(t.udp == Ranges{{53, 53}});
}

TEST_CASE("format_range", "[ports]") {
  CHECK(format_range({80, 80}) == "80");
  CHECK(format_range({4646, 4648}) == "4646-4648");
  CHECK(format_range({1, 65535}, ':') == "1:65535");
  CHECK(std::string(proto_name(Proto::udp)) == "udp");
}

TEST_CASE("intersect keeps the ports both sets hold", "[portset][algebra]") {
  PortSet a = ports({"20-30/tcp", "80/tcp", "53/udp", "1000-2000/udp"});
  PortSet b = ports({"25-90/tcp", "1500-3000/udp"});
  PortSet both = a.intersect(b);
  CHECK(both.tcp == Ranges{{25, 30}, {80, 80}});
  CHECK(both.udp == Ranges{{1500, 2000}});
  CHECK(a.intersect(all_traffic()) == a);
  CHECK(all_traffic().intersect(b) == b);
  CHECK(a.intersect(ports({"443/tcp"})).empty());
}

TEST_CASE("subtract removes ports, splitting ranges", "[portset][algebra]") {
  PortSet a = ports({"20-30/tcp", "53/udp"});
  PortSet rest = a.subtract(ports({"22/tcp", "25-40/tcp"}));
  CHECK(rest.tcp == Ranges{{20, 21}, {23, 24}});
  CHECK(rest.udp == Ranges{{53, 53}});
  CHECK(a.subtract(all_traffic()).empty());
  CHECK(a.subtract(a).empty());
  PortSet everything_but_ssh = all_traffic().subtract(ports({"22/tcp"}));
  CHECK_FALSE(everything_but_ssh.all);
  CHECK(everything_but_ssh.tcp == Ranges{{0, 21}, {23, 65535}});
  CHECK(everything_but_ssh.udp == Ranges{{0, 65535}});
}
