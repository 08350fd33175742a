#include "validator/prober/fake_io.h"

namespace fwc::prober {

bool FakeSender::send(const Bytes& packet) {
  sent.push_back({clock.now(), packet});
  if (on_send) on_send(packet, clock.now());
  return true;
}

void ReplaySource::at(TimePoint when, Bytes packet) { queue.emplace(when, std::move(packet)); }

bool ReplaySource::next(Bytes& packet, Duration max_wait) {
  auto it = queue.begin();
  if (it != queue.end() && it->first <= clock.t + max_wait) {
    if (it->first > clock.t) clock.t = it->first;
    packet = std::move(it->second);
    queue.erase(it);
    return true;
  }
  clock.advance(max_wait);
  return false;
}

void ReplaySource::answer(FakeSender& sender, const Responder& respond) {
  sender.on_send = [this, respond](const Bytes& probe, TimePoint t) {
    for (auto& [delay, reply] : respond(probe)) at(t + delay, std::move(reply));
  };
}

}  // namespace fwc::prober
