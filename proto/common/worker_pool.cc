#include "proto/common/worker_pool.h"

#include <utility>

namespace missions {

WorkerPool::~WorkerPool() {
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  for (std::thread& thread : threads) thread.join();
}

bool WorkerPool::Schedule(absl::AnyInvocable<void() &&> work) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return false;
  // Threads not running work (idle, or started and not yet waiting) take
  // the queued work first.
  const int free_threads = static_cast<int>(threads_.size()) - busy_;
  const int waiting = static_cast<int>(queue_.size()) - free_threads;
  if (waiting >= 0) {
    if (static_cast<int>(threads_.size()) < options_.max_threads) {
      threads_.emplace_back([this] { Run(); });
    } else if (waiting >= options_.max_queued) {
      return false;
    }
  }
  queue_.push_back(std::move(work));
  return true;
}

void WorkerPool::Run() {
  for (;;) {
    absl::AnyInvocable<void() &&> work;
    {
      absl::MutexLock lock(&mu_);
      const auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !queue_.empty() || stopping_;
      };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping, and nothing left to run
      work = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
    }
    std::move(work)();
    absl::MutexLock lock(&mu_);
    --busy_;
  }
}

}  // namespace missions
