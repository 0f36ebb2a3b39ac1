#include "proto/common/limits.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "proto/common/errors.h"

namespace missions {
namespace {

// How many of the least recently used buckets a new principal looks at for
// an idle full one to evict before it evicts the least recently used. The
// least recently used are the likeliest to be full; looking at a few keeps
// a new principal O(1) even when all buckets are busy.
constexpr int kEvictionScan = 32;

}  // namespace

RateLimiter::RateLimiter(Options options)
    : rate_per_second_(options.rate_per_second),
      interval_(options.rate_per_second > 0
                    ? absl::Seconds(1 / options.rate_per_second)
                    : absl::ZeroDuration()),
      capacity_(interval_ * std::max(options.burst, 1.0)),
      max_principals_(std::max<size_t>(options.max_principals, 1)),
      clock_(options.clock ? std::move(options.clock) : [] { return absl::Now(); }) {}

absl::Status RateLimiter::Acquire(absl::string_view principal) {
  if (rate_per_second_ <= 0) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_();
  Lru::iterator bucket;
  if (auto found = buckets_.find(principal); found != buckets_.end()) {
    bucket = found->second;
    lru_.splice(lru_.begin(), lru_, bucket);  // iterators stay valid
  } else {
    if (buckets_.size() >= max_principals_) EvictOne(now);
    lru_.push_front(Bucket{std::string(principal), now});
    bucket = lru_.begin();
    buckets_.emplace(bucket->principal, bucket);
  }
  // A bucket that has been idle long enough is full; time it was idle
  // beyond that earns nothing.
  const absl::Time start = std::max(bucket->full_at, now);
  const absl::Duration ahead = start + interval_ - now;
  if (ahead <= capacity_) {
    bucket->full_at = start + interval_;
    return absl::OkStatus();
  }
  const absl::Duration wait = absl::Ceil(ahead - capacity_, absl::Milliseconds(1));
  return WithRetryDelay(
      absl::ResourceExhaustedError(absl::StrCat(
          "rate limit of ", rate_per_second_, " requests per second for ",
          principal.empty() ? "callers without a principal"
                            : absl::StrCat("principal ", principal),
          " exceeded; retry after ", absl::FormatDuration(wait))),
      wait);
}

void RateLimiter::EvictOne(absl::Time now) {
  if (lru_.empty()) return;
  auto victim = std::prev(lru_.end());
  auto candidate = victim;
  for (int i = 0; i < kEvictionScan; ++i) {
    if (candidate->full_at <= now) {
      victim = candidate;
      break;
    }
    if (candidate == lru_.begin()) break;
    --candidate;
  }
  buckets_.erase(absl::string_view(victim->principal));
  lru_.erase(victim);
}

size_t RateLimiter::principals() const {
  absl::MutexLock lock(&mu_);
  return buckets_.size();
}

StreamLimiter::Lease::Lease(Lease&& other) noexcept
    : limiter_(std::exchange(other.limiter_, nullptr)),
      principal_(std::move(other.principal_)) {}

StreamLimiter::Lease& StreamLimiter::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    Release();
    limiter_ = std::exchange(other.limiter_, nullptr);
    principal_ = std::move(other.principal_);
  }
  return *this;
}

StreamLimiter::Lease::~Lease() { Release(); }

void StreamLimiter::Lease::Release() {
  if (limiter_ == nullptr) return;
  std::exchange(limiter_, nullptr)->Release(principal_);
}

StreamLimiter::StreamLimiter(int max_total, int max_per_principal)
    : max_total_(max_total), max_per_principal_(max_per_principal) {}

absl::StatusOr<StreamLimiter::Lease> StreamLimiter::Acquire(
    absl::string_view principal, absl::string_view what) {
  absl::MutexLock lock(&mu_);
  auto found = open_.find(principal);
  const int of_principal = found == open_.end() ? 0 : found->second;
  // The principal's own limit first: it is the one the caller can act on.
  if (max_per_principal_ > 0 && of_principal >= max_per_principal_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("too many concurrent ", what, ": ", of_principal,
                     " open, the limit per principal is ", max_per_principal_));
  }
  if (max_total_ > 0 && open_total_ >= max_total_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("too many concurrent ", what, ": ", open_total_,
                     " open, the limit for all principals together is ", max_total_));
  }
  ++open_total_;
  if (found == open_.end()) {
    open_.emplace(std::string(principal), 1);
  } else {
    ++found->second;
  }
  return Lease(this, std::string(principal));
}

void StreamLimiter::Release(const std::string& principal) {
  absl::MutexLock lock(&mu_);
  --open_total_;
  auto found = open_.find(principal);
  if (found != open_.end() && --found->second == 0) open_.erase(found);
}

int StreamLimiter::open_total() const {
  absl::MutexLock lock(&mu_);
  return open_total_;
}

int StreamLimiter::open(absl::string_view principal) const {
  absl::MutexLock lock(&mu_);
  auto found = open_.find(principal);
  return found == open_.end() ? 0 : found->second;
}

}  // namespace missions
