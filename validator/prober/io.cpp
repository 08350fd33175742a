#include "validator/prober/io.h"

namespace fwc::prober {

TimePoint SystemClock::now() {
  return std::chrono::duration_cast<TimePoint>(std::chrono::steady_clock::now().time_since_epoch());
}

}  // namespace fwc::prober
