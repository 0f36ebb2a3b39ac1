// Retrying calls to a briefly unavailable service: exponential backoff
// under an overall deadline. Time comes from a Clock so that tests run
// without waiting.
#ifndef REPORT_SERVICE_TOOLS_RETRY_H_
#define REPORT_SERVICE_TOOLS_RETRY_H_

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace missions::report {

// The time source of RetryWithBackoff. Thread-compatible.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
  virtual void SleepFor(absl::Duration duration) = 0;
};

// The real clock: absl::Now() and absl::SleepFor().
class SystemClock final : public Clock {
 public:
  absl::Time Now() override;
  void SleepFor(absl::Duration duration) override;
};

struct RetryPolicy {
  // The wait before the second attempt; each following wait is
  // `multiplier` times longer, up to `max_backoff`.
  absl::Duration initial_backoff = absl::Milliseconds(250);
  absl::Duration max_backoff = absl::Seconds(8);
  double multiplier = 2;
  // The longest a single attempt may take (its gRPC deadline), cut to the
  // overall deadline.
  absl::Duration attempt_timeout = absl::Seconds(60);
};

// True for the codes worth retrying: UNAVAILABLE (the server or the
// registry behind it is down or restarting) and DEADLINE_EXCEEDED (an
// attempt ran out of time).
bool IsRetryable(const absl::Status& status);

// Calls `attempt(attempt_deadline)` until it returns OK or a status that is
// not retryable, waiting with exponential backoff between attempts, and
// gives up when the next attempt could not start before `deadline`.
// `on_retry(status, wait)` is called before each wait (e.g. to log).
// Returns the last attempt's status; DeadlineExceeded if `deadline` has
// passed before the first attempt.
absl::Status RetryWithBackoff(
    const std::function<absl::Status(absl::Time attempt_deadline)>& attempt,
    const RetryPolicy& policy, absl::Time deadline, Clock& clock,
    const std::function<void(const absl::Status&, absl::Duration)>& on_retry =
        nullptr);

}  // namespace missions::report

#endif  // REPORT_SERVICE_TOOLS_RETRY_H_
