// WorkerPool: threads for the part of callback-API handlers' work that may
// block (waiting for a revision, asking the store), which must never run
// on gRPC's own callback threads. Threads start as work arrives, up to
// `max_threads`, and stay until the pool is destroyed; work beyond them
// waits in a queue of at most `max_queued`, and Schedule() refuses more, so
// that a burst of slow reads turns into RESOURCE_EXHAUSTED for their callers
// instead of unbounded threads or memory.
//
//   WorkerPool pool({.max_threads = 32});
//   if (!pool.Schedule([=] { reactor->Finish(SlowRead()); })) { ...refuse... }
#ifndef PROTO_COMMON_WORKER_POOL_H_
#define PROTO_COMMON_WORKER_POOL_H_

#include <deque>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace missions {

class WorkerPool {
 public:
  struct Options {
    int max_threads = 32;
    int max_queued = 1024;
  };

  explicit WorkerPool(Options options) : options_(options) {}
  // Runs the queued work to its end, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `work` on a pool thread; false (and `work` dropped unrun) when
  // max_threads are busy and max_queued wait already.
  bool Schedule(absl::AnyInvocable<void() &&> work);

 private:
  void Run();

  const Options options_;
  absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
  // Threads running work.
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace missions

#endif  // PROTO_COMMON_WORKER_POOL_H_
