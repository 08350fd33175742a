// The packet budget `verify --all` shares among its scans.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "validator/prober/shared_rate.h"

using namespace fwc::prober;
using namespace std::chrono_literals;

TEST_CASE("the shared budget refills at its rate, at most a burst at once", "[prober][shared-rate]") {
  SharedRate r(1000);  // a burst of 10
  int first = 0;
  while (r.take(TimePoint{0})) ++first;
  CHECK(first == 1);
  int later = 0;
  while (r.take(TimePoint{1s})) ++later;
  CHECK(later == 10);
  // A clock read earlier by another scan does not add tokens.
  CHECK_FALSE(r.take(TimePoint{500ms}));
  int half = 0;
  while (r.take(TimePoint{1s + 5ms})) ++half;
  CHECK(half == 5);
}

TEST_CASE("threads drawing from one budget share its rate", "[prober][shared-rate]") {
  SharedRate r(2000);
  std::atomic<int> taken{0};
  const TimePoint end = SystemClock().now() + TimePoint{300ms};
  auto draw = [&] {
    SystemClock clock;
    for (TimePoint now = clock.now(); now < end; now = clock.now())
      if (r.take(now)) ++taken;
  };
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int i = 0; i < 4; ++i) threads.emplace_back(draw);
  for (auto& t : threads) t.join();
  // 300 ms at 2000 per second: 600, plus the first token and a burst.
  CHECK(taken <= 600 + 1 + 20);
  CHECK(taken >= 100);  // loose: the machine may be busy
}
