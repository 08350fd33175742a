#pragma once
// What the local stack would do to reach a target: the source address it
// picks, the interface that holds it, and a source port kept for the
// prober (bound so no local socket uses it meanwhile).
#include <optional>
#include <string>

#include "validator/prober/packet.h"

namespace fwc::prober {

// Why `target` is not one host the prober may probe: empty when it is;
// else "a multicast address" and the like. Refused: unspecified (0.0.0.0,
// ::), "this network" 0.0.0.0/8, multicast (224.0.0.0/4, ff00::/8), the
// broadcast address and the rest of 240.0.0.0/4, IPv4-mapped and
// IPv4-compatible IPv6 (::ffff:0:0/96, ::/96). Loopback is allowed: a
// host may check itself.
std::string target_problem(const IpAddr& target);

// Whether `target` is the broadcast address of a local IPv4 interface.
bool is_local_broadcast(const IpAddr& target);

// The source address the kernel picks for `target` (a connected UDP
// socket's local address); nullopt with `error` set when there is no route.
std::optional<IpAddr> source_for(const IpAddr& target, std::string& error);

// The interface to capture on: the one holding `source`, "lo" when the
// target is a local address; empty when none is found.
std::string device_for(const IpAddr& source, const IpAddr& target);

// Binds TCP and UDP sockets to source:port for the scan's duration, trying
// the ports after `preferred` when it is taken. Returns the port, 0 if none.
class PortReservation {
 public:
  PortReservation() = default;
  PortReservation(const PortReservation&) = delete;
  PortReservation& operator=(const PortReservation&) = delete;
  ~PortReservation();
  uint16_t reserve(const IpAddr& source, uint16_t preferred);

 private:
  int tcp_ = -1, udp_ = -1;
};

}  // namespace fwc::prober
