// Building blocks for abuse limits: per-principal request rates and caps on
// concurrent long-lived streams. Both answer with an absl::Status
// (RESOURCE_EXHAUSTED when a limit is reached) for the service to convert
// with ToGrpcStatus like any other error.
#ifndef PROTO_COMMON_LIMITS_H_
#define PROTO_COMMON_LIMITS_H_

#include <cstddef>
#include <functional>
#include <list>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace missions {

// Per-principal token buckets: each principal may make `rate_per_second`
// requests per second sustained and `burst` at once. Thread-safe.
//
// Memory is bounded: at most `max_principals` buckets. A new principal
// beyond that evicts a bucket: an idle full one among the least recently
// used (forgetting it loses nothing, a new bucket starts full), else the
// least recently used one (which forgives what that principal owed).
class RateLimiter {
 public:
  struct Options {
    // Requests per second sustained; <= 0 means unlimited.
    double rate_per_second = 50;
    // Requests at once (the bucket's size); at least 1 is used.
    double burst = 100;
    size_t max_principals = 100000;
    // The time; default absl::Now. Called with the limiter's lock held.
    std::function<absl::Time()> clock;
  };

  explicit RateLimiter(Options options);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one request of `principal` from its bucket: OK, or
  // RESOURCE_EXHAUSTED "rate limit of 50 requests per second for principal
  // alice exceeded; retry after 20ms" carrying the delay as a
  // google.rpc.RetryInfo payload (RetryDelayOf, errors.h), which
  // ToGrpcStatus sends along. A refused request takes nothing. The empty
  // principal (callers without one) shares one bucket.
  absl::Status Acquire(absl::string_view principal);

  // The number of principals with a bucket now (at most max_principals).
  size_t principals() const;

 private:
  // A bucket kept as the time at which it is full again (the "theoretical
  // arrival time" of the generic cell rate algorithm): each request moves
  // it one interval later, and a request is refused when that would put it
  // more than `burst` intervals ahead of now. Durations are exact integers,
  // so no rounding lets extra requests through.
  struct Bucket {
    std::string principal;
    absl::Time full_at;
  };
  using Lru = std::list<Bucket>;  // most recently used first

  // Makes room for one more bucket.
  void EvictOne(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const double rate_per_second_;
  // 1 / rate: the time one request takes from its bucket.
  const absl::Duration interval_;
  // burst * interval_: how far ahead of now full_at may run.
  const absl::Duration capacity_;
  const size_t max_principals_;
  const std::function<absl::Time()> clock_;
  mutable absl::Mutex mu_;
  Lru lru_ ABSL_GUARDED_BY(mu_);
  // Keys point into the Bucket::principal strings of lru_, whose nodes
  // never move.
  absl::flat_hash_map<absl::string_view, Lru::iterator> buckets_ ABSL_GUARDED_BY(mu_);
};

// Caps concurrent long-lived streams (e.g. WatchChanges), in total and per
// principal. Thread-safe. A limit <= 0 means no limit.
class StreamLimiter {
 public:
  // One open stream, counted until the lease is destroyed, released or
  // moved from. Must not outlive its StreamLimiter.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    // Stops counting the stream now (nothing if already released).
    void Release();
    // Whether the stream is still counted.
    bool held() const { return limiter_ != nullptr; }

   private:
    friend class StreamLimiter;
    Lease(StreamLimiter* limiter, std::string principal)
        : limiter_(limiter), principal_(std::move(principal)) {}

    StreamLimiter* limiter_;
    std::string principal_;
  };

  StreamLimiter(int max_total, int max_per_principal);
  StreamLimiter(const StreamLimiter&) = delete;
  StreamLimiter& operator=(const StreamLimiter&) = delete;

  // Counts one more stream of `principal`: a lease, or RESOURCE_EXHAUSTED
  // "too many concurrent WatchChanges streams: 64 open, the limit per
  // principal is 64" (`what` is "WatchChanges streams"), or "...: 256 open,
  // the limit for all principals together is 256".
  absl::StatusOr<Lease> Acquire(absl::string_view principal, absl::string_view what);

  // Streams open now, of all principals.
  int open_total() const;
  // Streams of `principal` open now.
  int open(absl::string_view principal) const;

 private:
  void Release(const std::string& principal);

  const int max_total_;
  const int max_per_principal_;
  mutable absl::Mutex mu_;
  int open_total_ ABSL_GUARDED_BY(mu_) = 0;
  // Only principals with open streams, so bounded by open_total_.
  absl::flat_hash_map<std::string, int> open_ ABSL_GUARDED_BY(mu_);
};

}  // namespace missions

#endif  // PROTO_COMMON_LIMITS_H_
