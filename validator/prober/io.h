#pragma once
// The scanner's view of the world: a clock, a way to send packets and a
// source of captured packets. The real implementations use the system
// clock, raw sockets and libpcap; the fakes (fake_io.h) replay recorded
// packets so the scanner runs in tests without privileges.
#include <chrono>
#include <cstdint>
#include <string>

#include "validator/prober/packet.h"

namespace fwc::prober {

using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::nanoseconds;  // since an arbitrary epoch

struct Clock {
  virtual ~Clock() = default;
  virtual TimePoint now() = 0;
};

struct PacketSender {
  virtual ~PacketSender() = default;
  // Sends one layer-3 packet (IPv4 or IPv6 header first). False on failure,
  // with a reason in `error`.
  virtual bool send(const Bytes& packet) = 0;
  // Pushes out packets a batching sender still holds (call before waiting
  // for replies). False on failure, with a reason in `error`.
  virtual bool flush() { return true; }
  std::string error;
};

struct PacketSource {
  virtual ~PacketSource() = default;
  // The next captured layer-3 packet, waiting at most `max_wait` for one.
  // False when none arrived in time.
  virtual bool next(Bytes& packet, Duration max_wait) = 0;
};

// steady_clock.
struct SystemClock : Clock {
  TimePoint now() override;
};

}  // namespace fwc::prober
