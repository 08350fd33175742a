#include "validator/prober/shared_rate.h"

#include <algorithm>

namespace fwc::prober {

// As the scanner's own bucket: at most a hundredth of a second's worth in
// one burst.
SharedRate::SharedRate(double rate) : rate_(std::max(1.0, rate)), burst_(std::max(1.0, rate_ / 100)) {}

bool SharedRate::take(TimePoint now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!started_) started_ = true, refilled_ = now;
  // Scans read their clocks at different moments: time never runs back.
  if (now > refilled_) {
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - refilled_).count() * rate_);
    refilled_ = now;
  }
  if (tokens_ < 1 - 1e-6) return false;
  tokens_ -= 1;
  return true;
}

}  // namespace fwc::prober
