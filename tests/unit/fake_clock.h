// A clock for tests that moves only when told to; safe to read from many
// threads. Pass AsFunction() where a component takes a clock.
#ifndef TESTS_UNIT_FAKE_CLOCK_H_
#define TESTS_UNIT_FAKE_CLOCK_H_

#include <functional>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace missions::test_support {

class FakeClock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1600000000))
      : now_(start) {}

  absl::Time Now() const {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  std::function<absl::Time()> AsFunction() {
    return [this] { return Now(); };
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_;
};

}  // namespace missions::test_support

#endif  // TESTS_UNIT_FAKE_CLOCK_H_
