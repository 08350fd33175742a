#pragma once
// The unprivileged fallback: ordinary sockets instead of raw packets.
// TCP: a non-blocking connect() (connected → open, refused → closed, no
// answer or an unreachable error → filtered). UDP: a connected datagram
// socket (reply → open, refused → closed, else open|filtered). Coarser than
// the raw scanner: ICMP details are reduced to an errno.
#include "validator/prober/scanner.h"

namespace fwc::prober {

struct ConnectOptions {
  IpAddr target;
  std::vector<uint16_t> tcp_ports, udp_ports;
  double rate = 10000;
  int retries = 1;
  Duration timeout = std::chrono::milliseconds(1500);
  size_t parallel = 512;  // sockets open at once
  SharedRate* shared_rate = nullptr;  // as ScanOptions::shared_rate
  std::function<void(size_t, size_t)> progress;
};

ScanReport connect_scan(const ConnectOptions& opt);

}  // namespace fwc::prober
