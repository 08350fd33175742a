#pragma once
// Fakes of the prober's interfaces. FakeClock only moves when told (or when
// ReplaySource waits); FakeSender records what was sent; ReplaySource plays
// packets back at their recorded times and, through a responder, answers
// what the sender sent as a network would.
#include <deque>
#include <functional>
#include <map>
#include <vector>

#include "validator/prober/io.h"

namespace fwc::prober {

struct FakeClock : Clock {
  TimePoint t{0};
  TimePoint now() override { return t; }
  void advance(Duration d) { t += d; }
};

struct FakeSender : PacketSender {
  struct Sent {
    TimePoint at;
    Bytes packet;
  };
  explicit FakeSender(Clock& c) : clock(c) {}
  bool send(const Bytes& packet) override;
  Clock& clock;
  std::vector<Sent> sent;
  // Called for every packet sent (after recording it).
  std::function<void(const Bytes&, TimePoint)> on_send;
};

struct ReplaySource : PacketSource {
  explicit ReplaySource(FakeClock& c) : clock(c) {}
  // Delivers `packet` once the clock reaches `at`.
  void at(TimePoint when, Bytes packet);
  bool next(Bytes& packet, Duration max_wait) override;
  // Connects a sender: `respond` gets each probe and returns the replies
  // (delay, packet) the network sends back.
  using Responder = std::function<std::vector<std::pair<Duration, Bytes>>(const Bytes& probe)>;
  void answer(FakeSender& sender, const Responder& respond);

  FakeClock& clock;
  std::multimap<TimePoint, Bytes> queue;
};

}  // namespace fwc::prober
