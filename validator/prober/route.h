#pragma once
// What the local stack would do to reach a target: the source address it
// picks, the interface that holds it, and a source port kept for the
// prober (bound so no local socket uses it meanwhile).
#include <optional>
#include <string>

#include "validator/prober/packet.h"

namespace fwc::prober {

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
