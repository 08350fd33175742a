#include "validator/prober/route.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fwc::prober {

namespace {

socklen_t to_sockaddr(const IpAddr& a, uint16_t port, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof ss);
  if (a.v6) {
    auto* s = reinterpret_cast<sockaddr_in6*>(&ss);
    s->sin6_family = AF_INET6;
    s->sin6_port = htons(port);
    std::memcpy(&s->sin6_addr, a.b.data(), 16);
    return sizeof *s;
  }
  auto* s = reinterpret_cast<sockaddr_in*>(&ss);
  s->sin_family = AF_INET;
  s->sin_port = htons(port);
  std::memcpy(&s->sin_addr, a.b.data(), 4);
  return sizeof *s;
}

bool from_sockaddr(const sockaddr* sa, IpAddr& out) {
  out = IpAddr{};
  if (sa->sa_family == AF_INET) {
    std::memcpy(out.b.data(), &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, 4);
    return true;
  }
  if (sa->sa_family == AF_INET6) {
    out.v6 = true;
    std::memcpy(out.b.data(), &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, 16);
    return true;
  }
  return false;
}

std::string ipv4_problem(const std::array<uint8_t, 16>& b) {
  if (b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0) return "the unspecified address";
  if (b[0] == 0) return "a \"this network\" address (0.0.0.0/8)";
  if (b[0] >= 224 && b[0] <= 239) return "a multicast address";
  if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255) return "the broadcast address";
  if (b[0] >= 240) return "a reserved address (240.0.0.0/4)";
  return {};
}

std::string ipv6_problem(const std::array<uint8_t, 16>& b) {
  if (b[0] == 0xff) return "a multicast address";
  bool zero80 = true;
  for (int i = 0; i < 10; ++i) zero80 &= b[i] == 0;
  if (zero80 && b[10] == 0xff && b[11] == 0xff) {
    IpAddr v4;
    std::memcpy(v4.b.data(), b.data() + 12, 4);
    return "an IPv4-mapped address (probe " + v4.str() + " instead)";
  }
  if (!zero80 || b[10] != 0 || b[11] != 0) return {};
  bool zero120 = true;
  for (int i = 12; i < 15; ++i) zero120 &= b[i] == 0;
  if (zero120 && b[15] == 0) return "the unspecified address";
  if (zero120 && b[15] == 1) return {};  // ::1, loopback
  return "a reserved address (::/96, IPv4-compatible)";
}

}  // namespace

std::string target_problem(const IpAddr& target) {
  return target.v6 ? ipv6_problem(target.b) : ipv4_problem(target.b);
}

bool is_local_broadcast(const IpAddr& target) {
  if (target.v6) return false;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) < 0) return false;
  bool found = false;
  for (ifaddrs* i = list; i && !found; i = i->ifa_next) {
    IpAddr a;
    if (!(i->ifa_flags & IFF_BROADCAST) || !i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    found = i->ifa_broadaddr && from_sockaddr(i->ifa_broadaddr, a) && a == target;
  }
  freeifaddrs(list);
  return found;
}

std::optional<IpAddr> source_for(const IpAddr& target, std::string& error) {
  int fd = socket(target.v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  sockaddr_storage ss;
  socklen_t len = to_sockaddr(target, 9, ss);  // no packet is sent
  std::optional<IpAddr> out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0) {
    error = std::string("no route to ") + target.str() + ": " + std::strerror(errno);
  } else {
    len = sizeof ss;
    IpAddr a;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0 &&
        from_sockaddr(reinterpret_cast<sockaddr*>(&ss), a))
      out = a;
    else
      error = std::strerror(errno);
  }
  close(fd);
  return out;
}

std::string device_for(const IpAddr& source, const IpAddr& target) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) < 0) return {};
  std::string dev, local;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    IpAddr a;
    if (!i->ifa_addr || !from_sockaddr(i->ifa_addr, a)) continue;
    if (a == target) local = i->ifa_name;
    if (a == source && dev.empty()) dev = i->ifa_name;
  }
  freeifaddrs(list);
  if (!local.empty()) return "lo";  // traffic to a local address stays on loopback
  return dev;
}

PortReservation::~PortReservation() {
  if (tcp_ >= 0) close(tcp_);
  if (udp_ >= 0) close(udp_);
}

uint16_t PortReservation::reserve(const IpAddr& source, uint16_t preferred) {
  for (int i = 0; i < 64; ++i) {
    uint16_t port = uint16_t(61000 + (preferred - 61000 + i) % 4000);
    sockaddr_storage ss;
    socklen_t len = to_sockaddr(source, port, ss);
    int t = socket(source.v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    int u = socket(source.v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
    if (t >= 0 && u >= 0 && bind(t, reinterpret_cast<sockaddr*>(&ss), len) == 0 &&
        bind(u, reinterpret_cast<sockaddr*>(&ss), len) == 0) {
      tcp_ = t, udp_ = u;
      return port;
    }
    if (t >= 0) close(t);
    if (u >= 0) close(u);
  }
  return 0;
}

}  // namespace fwc::prober
