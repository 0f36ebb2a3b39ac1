// RateLimiter on a fake clock (rates, bursts, retry delays, eviction) and
// StreamLimiter (limits, leases released on destruction and move), both
// also from 8 threads at once.
#include "proto/common/limits.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "tests/unit/fake_clock.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "proto/common/errors.h"

namespace missions {
namespace {

constexpr int kThreads = 8;

using ::missions::test_support::FakeClock;

RateLimiter::Options Limit(double rate, double burst, FakeClock& clock,
                           size_t max_principals = 100000) {
  RateLimiter::Options options;
  options.rate_per_second = rate;
  options.burst = burst;
  options.max_principals = max_principals;
  options.clock = clock.AsFunction();
  return options;
}

TEST(RateLimiterTest, AllowsTheBurstThenTheRate) {
  FakeClock clock;
  RateLimiter limiter(Limit(50, 100, clock));
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(limiter.Acquire("alice").ok()) << i;
  const absl::Status refused = limiter.Acquire("alice");
  EXPECT_TRUE(absl::IsResourceExhausted(refused)) << refused;
  EXPECT_EQ(refused.message(),
            "rate limit of 50 requests per second for principal alice exceeded; "
            "retry after 20ms");
  EXPECT_EQ(RetryDelayOf(refused), absl::Milliseconds(20));
  // A refused request takes nothing: 20ms later there is exactly one.
  clock.Advance(absl::Milliseconds(19));
  EXPECT_TRUE(absl::IsResourceExhausted(limiter.Acquire("alice")));
  clock.Advance(absl::Milliseconds(1));
  EXPECT_TRUE(limiter.Acquire("alice").ok());
  EXPECT_TRUE(absl::IsResourceExhausted(limiter.Acquire("alice")));
  // One second sustains 50 more, no more.
  clock.Advance(absl::Seconds(1));
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(limiter.Acquire("alice").ok()) << i;
  EXPECT_TRUE(absl::IsResourceExhausted(limiter.Acquire("alice")));
}

TEST(RateLimiterTest, IdleTimeRefillsUpToTheBurstOnly) {
  FakeClock clock;
  RateLimiter limiter(Limit(1, 3, clock));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.Acquire("alice").ok());
  const absl::Status refused = limiter.Acquire("alice");
  EXPECT_EQ(RetryDelayOf(refused), absl::Seconds(1));
  EXPECT_TRUE(absl::EndsWith(refused.message(), "retry after 1s")) << refused;
  clock.Advance(absl::Milliseconds(500));
  EXPECT_EQ(RetryDelayOf(limiter.Acquire("alice")), absl::Milliseconds(500));
  clock.Advance(absl::Hours(1));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.Acquire("alice").ok());
  EXPECT_TRUE(absl::IsResourceExhausted(limiter.Acquire("alice")));
}

TEST(RateLimiterTest, PrincipalsHaveTheirOwnBuckets) {
  FakeClock clock;
  RateLimiter limiter(Limit(1, 2, clock));
  EXPECT_TRUE(limiter.Acquire("alice").ok());
  EXPECT_TRUE(limiter.Acquire("alice").ok());
  EXPECT_TRUE(absl::IsResourceExhausted(limiter.Acquire("alice")));
  EXPECT_TRUE(limiter.Acquire("bob").ok());
  EXPECT_TRUE(limiter.Acquire("").ok());  // e.g. unauthenticated callers
  EXPECT_TRUE(limiter.Acquire("").ok());
  EXPECT_EQ(limiter.Acquire("").message(),
            "rate limit of 1 requests per second for callers without a principal "
            "exceeded; retry after 1s");
  EXPECT_EQ(limiter.principals(), 3u);
}

TEST(RateLimiterTest, FractionalRate) {
  FakeClock clock;
  RateLimiter limiter(Limit(0.5, 1, clock));
  EXPECT_TRUE(limiter.Acquire("alice").ok());
  const absl::Status refused = limiter.Acquire("alice");
  EXPECT_EQ(refused.message(),
            "rate limit of 0.5 requests per second for principal alice exceeded; "
            "retry after 2s");
}

TEST(RateLimiterTest, RateZeroOrLessIsUnlimited) {
  FakeClock clock;
  for (double rate : {0.0, -1.0}) {
    RateLimiter limiter(Limit(rate, 1, clock));
    for (int i = 0; i < 10000; ++i) ASSERT_TRUE(limiter.Acquire("alice").ok());
    EXPECT_EQ(limiter.principals(), 0u);
  }
}

TEST(RateLimiterTest, ClockGoingBackDoesNotGiveRequests) {
  FakeClock clock;
  RateLimiter limiter(Limit(1, 1, clock));
  EXPECT_TRUE(limiter.Acquire("alice").ok());
  clock.Advance(absl::Seconds(-10));
  EXPECT_TRUE(absl::IsResourceExhausted(limiter.Acquire("alice")));
}

TEST(RateLimiterTest, MemoryIsBoundedEvictingIdleFullBucketsFirst) {
  FakeClock clock;
  RateLimiter limiter(Limit(1, 2, clock, /*max_principals=*/2));
  EXPECT_TRUE(limiter.Acquire("alice").ok());  // alice: 1 left
  EXPECT_TRUE(limiter.Acquire("bob").ok());
  EXPECT_TRUE(limiter.Acquire("bob").ok());    // bob: none left
  clock.Advance(absl::Seconds(1));             // alice full again, bob 1
  EXPECT_TRUE(limiter.Acquire("carol").ok());  // evicts alice, not bob
  EXPECT_EQ(limiter.principals(), 2u);
  EXPECT_TRUE(limiter.Acquire("bob").ok());
  EXPECT_TRUE(absl::IsResourceExhausted(limiter.Acquire("bob")));
  // No bucket is full: the least recently used one (carol's) goes.
  EXPECT_TRUE(limiter.Acquire("dave").ok());
  EXPECT_EQ(limiter.principals(), 2u);
  EXPECT_TRUE(absl::IsResourceExhausted(limiter.Acquire("bob")));
}

TEST(RateLimiterTest, ManyPrincipalsStayWithinTheBound) {
  FakeClock clock;
  RateLimiter limiter(Limit(1, 1, clock, /*max_principals=*/100));
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(limiter.Acquire(absl::StrCat("principal-", i)).ok());
    ASSERT_LE(limiter.principals(), 100u);
  }
}

TEST(RateLimiterTest, EightThreadsGetExactlyTheBurst) {
  FakeClock clock;
  RateLimiter limiter(Limit(50, 100, clock));
  std::atomic<int> total = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (limiter.Acquire("alice").ok()) ++total;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(total.load(), 100);
}

TEST(RateLimiterTest, EightThreadsOfNewPrincipalsStayWithinTheBound) {
  FakeClock clock;
  RateLimiter limiter(Limit(50, 100, clock, /*max_principals=*/50));
  std::atomic<int> refused = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        // Every new principal evicts another: each starts with a full
        // bucket, so none is refused.
        if (!limiter.Acquire(absl::StrCat("principal-", t, "-", i)).ok()) ++refused;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(refused.load(), 0);
  EXPECT_EQ(limiter.principals(), 50u);
}

TEST(RateLimiterTest, EightThreadsWithAMovingClock) {
  FakeClock clock;
  RateLimiter limiter(Limit(1000, 10, clock));
  std::atomic<int> total = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        if (t == 0 && i % 10 == 0) clock.Advance(absl::Milliseconds(1));
        if (limiter.Acquire("alice").ok()) ++total;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  // 100 ms passed: the burst and one per millisecond, at most.
  EXPECT_LE(total.load(), 10 + 100);
  EXPECT_GE(total.load(), 10);
}

TEST(StreamLimiterTest, LimitsPerPrincipal) {
  StreamLimiter limiter(/*max_total=*/10, /*max_per_principal=*/2);
  auto a = limiter.Acquire("alice", "WatchChanges streams");
  auto b = limiter.Acquire("alice", "WatchChanges streams");
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = limiter.Acquire("alice", "WatchChanges streams");
  EXPECT_TRUE(absl::IsResourceExhausted(c.status()));
  EXPECT_EQ(c.status().message(),
            "too many concurrent WatchChanges streams: 2 open, the limit per principal is 2");
  EXPECT_TRUE(limiter.Acquire("bob", "WatchChanges streams").ok());
  EXPECT_EQ(limiter.open("alice"), 2);
  EXPECT_EQ(limiter.open_total(), 2);  // bob's lease is gone already
}

TEST(StreamLimiterTest, LimitsInTotal) {
  StreamLimiter limiter(/*max_total=*/3, /*max_per_principal=*/2);
  std::vector<StreamLimiter::Lease> leases;
  for (const char* who : {"alice", "alice", "bob"}) {
    auto lease = limiter.Acquire(who, "WatchChanges streams");
    ASSERT_TRUE(lease.ok()) << lease.status();
    leases.push_back(*std::move(lease));
  }
  auto refused = limiter.Acquire("carol", "WatchChanges streams");
  EXPECT_EQ(refused.status().message(),
            "too many concurrent WatchChanges streams: 3 open, the limit for all "
            "principals together is 3");
  leases.pop_back();
  EXPECT_TRUE(limiter.Acquire("carol", "WatchChanges streams").ok());
}

TEST(StreamLimiterTest, ZeroMeansNoLimit) {
  StreamLimiter limiter(0, 0);
  std::vector<StreamLimiter::Lease> leases;
  for (int i = 0; i < 1000; ++i) {
    auto lease = limiter.Acquire("alice", "streams");
    ASSERT_TRUE(lease.ok());
    leases.push_back(*std::move(lease));
  }
  EXPECT_EQ(limiter.open_total(), 1000);
}

TEST(StreamLimiterTest, LeasesReleaseOnDestructionMoveAndRelease) {
  StreamLimiter limiter(10, 10);
  {
    auto lease = limiter.Acquire("alice", "streams");
    ASSERT_TRUE(lease.ok());
    EXPECT_EQ(limiter.open_total(), 1);
    EXPECT_TRUE(lease->held());
  }
  EXPECT_EQ(limiter.open_total(), 0);
  EXPECT_EQ(limiter.open("alice"), 0);

  auto first = limiter.Acquire("alice", "streams");
  ASSERT_TRUE(first.ok());
  StreamLimiter::Lease moved = *std::move(first);
  EXPECT_FALSE(first->held());  // NOLINT(bugprone-use-after-move): moved from
  EXPECT_TRUE(moved.held());
  EXPECT_EQ(limiter.open_total(), 1);  // moving counts it once
  std::optional<StreamLimiter::Lease> again(std::move(moved));
  EXPECT_EQ(limiter.open_total(), 1);
  again.reset();
  EXPECT_EQ(limiter.open_total(), 0);

  // Move assignment releases what the target held.
  auto x = limiter.Acquire("alice", "streams");
  auto y = limiter.Acquire("bob", "streams");
  ASSERT_TRUE(x.ok() && y.ok());
  EXPECT_EQ(limiter.open_total(), 2);
  *x = *std::move(y);
  EXPECT_EQ(limiter.open_total(), 1);
  EXPECT_EQ(limiter.open("alice"), 0);
  EXPECT_EQ(limiter.open("bob"), 1);
  x->Release();
  x->Release();  // twice is once
  EXPECT_FALSE(x->held());
  EXPECT_EQ(limiter.open_total(), 0);
}

TEST(StreamLimiterTest, EightThreadsNeverExceedTheLimits) {
  constexpr int kMaxTotal = 10;
  constexpr int kMaxPerPrincipal = 3;
  StreamLimiter limiter(kMaxTotal, kMaxPerPrincipal);
  std::atomic<int> held_total = 0;
  std::atomic<int> held[4] = {0, 0, 0, 0};
  std::atomic<int> peak_total = 0;
  std::atomic<bool> over_limit = false;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const int who = t % 4;
      const std::string principal = absl::StrCat("principal-", who);
      std::vector<StreamLimiter::Lease> mine;
      for (int i = 0; i < 2000; ++i) {
        if (i % 3 != 2) {
          auto lease = limiter.Acquire(principal, "streams");
          if (lease.ok()) {
            const int total = ++held_total;
            const int of_principal = ++held[who];
            if (total > kMaxTotal || of_principal > kMaxPerPrincipal) over_limit = true;
            int peak = peak_total.load();
            while (total > peak && !peak_total.compare_exchange_weak(peak, total)) {
            }
            mine.push_back(*std::move(lease));
          }
        } else if (!mine.empty()) {
          // Counted down before the release, so the counters never lag
          // behind the limiter.
          --held[who];
          --held_total;
          mine.pop_back();
        }
      }
      held[who] -= static_cast<int>(mine.size());
      held_total -= static_cast<int>(mine.size());
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_FALSE(over_limit.load());
  EXPECT_LE(peak_total.load(), kMaxTotal);
  EXPECT_EQ(limiter.open_total(), 0);
  for (int who = 0; who < 4; ++who) EXPECT_EQ(limiter.open(absl::StrCat("principal-", who)), 0);
}

TEST(StreamLimiterTest, EightThreadsFillTheTotalExactly) {
  StreamLimiter limiter(/*max_total=*/10, /*max_per_principal=*/3);
  std::atomic<int> granted = 0;
  std::vector<std::vector<StreamLimiter::Lease>> kept(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto lease = limiter.Acquire(absl::StrCat("principal-", t % 4), "streams");
        if (lease.ok()) {
          ++granted;
          kept[t].push_back(*std::move(lease));
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  // 4 principals x 3 would be 12; the total stops it at 10.
  EXPECT_EQ(granted.load(), 10);
  EXPECT_EQ(limiter.open_total(), 10);
  for (int who = 0; who < 4; ++who) {
    EXPECT_LE(limiter.open(absl::StrCat("principal-", who)), 3);
  }
  kept.clear();
  EXPECT_EQ(limiter.open_total(), 0);
}

}  // namespace
}  // namespace missions
