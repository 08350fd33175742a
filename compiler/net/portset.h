#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fwc::net {

enum class Proto : uint8_t { tcp, udp };
const char* proto_name(Proto p);

struct PortRange {
  uint16_t lo = 0;
  uint16_t hi = 0;
  bool operator==(const PortRange&) const = default;
};

// The ports a rule applies to: per protocol sorted, merged ranges, or all
// traffic (every protocol, every port) when `all` is set.
struct PortSet {
  bool all = false;
  std::vector<PortRange> tcp, udp;

  std::vector<PortRange>& of(Proto p) { return p == Proto::tcp ? tcp : udp; }
  const std::vector<PortRange>& of(Proto p) const { return p == Proto::tcp ? tcp : udp; }
  bool empty() const { return !all && tcp.empty() && udp.empty(); }
  void add(Proto p, PortRange r) { of(p).push_back(r); }
  void unite(const PortSet& other);
  void normalize();
  bool contains(Proto p, uint16_t port) const;
  bool covers(const PortSet& other) const;
  bool intersects(const PortSet& other) const;
  PortSet intersect(const PortSet& other) const;
  // The ports of this set not in `other`. Ports only: a set of all traffic
  // stands for every TCP and UDP port here (other protocols have none).
  PortSet subtract(const PortSet& other) const;
  bool operator==(const PortSet&) const = default;
};

enum class PortSpecStatus { ok, not_a_spec, bad_port, reversed, bad_proto, missing_proto };

struct PortSpecParse {
  PortSpecStatus status = PortSpecStatus::not_a_spec;
  Proto proto = Proto::tcp;
  PortRange range;
  std::string detail;
};

// "80/tcp", "4646-4648/udp". Text that does not start with a digit is
// not_a_spec (it is a service name).
PortSpecParse parse_port_spec(std::string_view text);

std::string format_range(PortRange r, char sep = '-');

}  // namespace fwc::net
