// WorkerPool: runs scheduled work on its threads, never more threads than
// max_threads, refuses work beyond max_queued waiting, and runs what is
// queued before its destructor returns.
#include "proto/common/worker_pool.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace missions {
namespace {

TEST(WorkerPoolTest, RunsWorkOnItsThreads) {
  WorkerPool pool({.max_threads = 2, .max_queued = 8});
  absl::Notification done;
  std::atomic<int> runs{0};
  ASSERT_TRUE(pool.Schedule([&] {
    ++runs;
    done.Notify();
  }));
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(runs.load(), 1);
}

TEST(WorkerPoolTest, RefusesWorkBeyondItsThreadsAndQueueAndRunsTheQueuedOnes) {
  std::atomic<int> runs{0};
  std::atomic<int> running{0};
  std::atomic<int> most_running{0};
  absl::Notification release;
  {
    WorkerPool pool({.max_threads = 2, .max_queued = 3});
    const auto blocked = [&] {
      const int now = ++running;
      int most = most_running.load();
      while (now > most && !most_running.compare_exchange_weak(most, now)) {
      }
      release.WaitForNotification();
      --running;
      ++runs;
    };
    // Two run (and block), three wait: the sixth is refused.
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(pool.Schedule(blocked)) << i;
    EXPECT_FALSE(pool.Schedule(blocked));
    EXPECT_EQ(runs.load(), 0);
    release.Notify();
    // The destructor runs the queued work to its end.
  }
  EXPECT_EQ(runs.load(), 5);
  EXPECT_LE(most_running.load(), 2);
}

TEST(WorkerPoolTest, AcceptsMoreOnceBusyThreadsAreFree) {
  WorkerPool pool({.max_threads = 1, .max_queued = 0});
  for (int i = 0; i < 20; ++i) {
    absl::Notification done;
    // One thread, no queue: accepted only while that thread is idle.
    const absl::Time until = absl::Now() + absl::Seconds(10);
    bool scheduled = false;
    while (!(scheduled = pool.Schedule([&] { done.Notify(); })) && absl::Now() < until) {
      absl::SleepFor(absl::Milliseconds(1));
    }
    ASSERT_TRUE(scheduled) << i;
    ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10))) << i;
  }
}

}  // namespace
}  // namespace missions
