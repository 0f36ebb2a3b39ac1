#include "report-service/tools/retry.h"

#include <algorithm>

namespace missions::report {

absl::Time SystemClock::Now() { return absl::Now(); }

void SystemClock::SleepFor(absl::Duration duration) {
  absl::SleepFor(duration);
}

bool IsRetryable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
}

absl::Status RetryWithBackoff(
    const std::function<absl::Status(absl::Time attempt_deadline)>& attempt,
    const RetryPolicy& policy, absl::Time deadline, Clock& clock,
    const std::function<void(const absl::Status&, absl::Duration)>& on_retry) {
  if (clock.Now() >= deadline) {
    return absl::DeadlineExceededError("the overall deadline has passed");
  }
  absl::Duration backoff = policy.initial_backoff;
  while (true) {
    const absl::Time now = clock.Now();
    const absl::Status status =
        attempt(std::min(now + policy.attempt_timeout, deadline));
    if (status.ok() || !IsRetryable(status)) return status;
    // Wait only if another attempt can still start before the deadline.
    if (clock.Now() + backoff >= deadline) return status;
    if (on_retry) on_retry(status, backoff);
    clock.SleepFor(backoff);
    backoff = std::min(policy.max_backoff, backoff * policy.multiplier);
  }
}

}  // namespace missions::report
