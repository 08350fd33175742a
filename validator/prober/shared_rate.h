#pragma once
// A packet budget several scans draw from at once: `fwc verify --all`
// probes many targets side by side, and --rate caps them all together.
// Each scan keeps its own bucket too; this one only adds the common cap.
#include <mutex>

#include "validator/prober/io.h"

namespace fwc::prober {

class SharedRate {
 public:
  explicit SharedRate(double rate);
  // One packet's token when the common budget has one at `now`.
  bool take(TimePoint now);
  double rate() const { return rate_; }

 private:
  std::mutex mutex_;
  const double rate_, burst_;
  double tokens_ = 1;
  TimePoint refilled_{0};
  bool started_ = false;
};

}  // namespace fwc::prober
