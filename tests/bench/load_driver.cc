#include "tests/bench/load_driver.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace missions::load {
namespace {

using Clock = std::chrono::steady_clock;

// One of the N x M call slots: at most one call in flight at a time, so
// its fields are only touched by that call's chain of callbacks (each
// callback happens after the previous one, through gRPC's completion).
struct Slot {
  size_t channel = 0;
  std::unique_ptr<grpc::ClientContext> context;
  // The context of the call before, kept until the next call ends: a
  // context is never destroyed inside its own call's callback.
  std::unique_ptr<grpc::ClientContext> previous;
  Clock::time_point started;
  std::vector<double> latencies_us;
  int64_t errors = 0;
  std::string first_error;
};

// What a phase's callbacks share. Held by shared_ptr from every callback,
// so that a phase abandoned after a timeout cannot leave a callback with
// freed state.
struct Phase {
  PhaseOptions options;
  CallStarter start;
  Clock::time_point begin;
  Clock::time_point stop_at;
  std::atomic<int64_t> started{0};
  std::vector<Slot> slots;

  std::mutex mutex;
  std::condition_variable idle;
  size_t active = 0;             // slots with a call in flight
  Clock::time_point last_end;    // guarded by mutex
};

// Starts the next call of slot `index`, or retires the slot when the
// phase's time or call budget is spent.
void Launch(const std::shared_ptr<Phase>& phase, size_t index) {
  Slot& slot = phase->slots[index];
  const Clock::time_point now = Clock::now();
  if (now >= phase->stop_at || phase->started.fetch_add(1) >= phase->options.max_calls) {
    std::lock_guard<std::mutex> lock(phase->mutex);
    phase->last_end = std::max(phase->last_end, now);
    if (--phase->active == 0) phase->idle.notify_all();
    return;
  }
  slot.previous = std::move(slot.context);
  slot.context = std::make_unique<grpc::ClientContext>();
  slot.context->set_deadline(absl::ToChronoTime(absl::Now() + phase->options.call_deadline));
  if (!phase->options.authorization.empty()) {
    slot.context->AddMetadata("authorization", phase->options.authorization);
  }
  slot.started = now;
  phase->start(slot.channel, slot.context.get(), [phase, index](const grpc::Status& status) {
    Slot& done = phase->slots[index];
    if (status.ok()) {
      done.latencies_us.push_back(
          std::chrono::duration<double, std::micro>(Clock::now() - done.started).count());
    } else if (done.errors++ == 0) {
      done.first_error = absl::StrCat(status.error_code(), ": ", status.error_message());
    }
    Launch(phase, index);
  });
}

}  // namespace

absl::StatusOr<PhaseResult> RunClosedLoop(const PhaseOptions& options,
                                          const CallStarter& start) {
  auto phase = std::make_shared<Phase>();
  phase->options = options;
  phase->start = start;
  phase->slots.resize(options.channels * options.outstanding);
  for (size_t i = 0; i < phase->slots.size(); ++i) {
    phase->slots[i].channel = i % options.channels;
  }
  phase->active = phase->slots.size();
  phase->begin = Clock::now();
  phase->last_end = phase->begin;
  phase->stop_at = phase->begin + absl::ToChronoNanoseconds(options.duration);
  for (size_t i = 0; i < phase->slots.size(); ++i) Launch(phase, i);

  std::unique_lock<std::mutex> lock(phase->mutex);
  const Clock::time_point give_up =
      phase->stop_at + absl::ToChronoNanoseconds(options.call_deadline) + std::chrono::seconds(5);
  if (!phase->idle.wait_until(lock, give_up, [&] { return phase->active == 0; })) {
    return absl::DeadlineExceededError(
        absl::StrCat(phase->active, " call slots still busy long after the phase's end"));
  }
  PhaseResult result;
  std::vector<double> latencies;
  for (Slot& slot : phase->slots) {
    latencies.insert(latencies.end(), slot.latencies_us.begin(), slot.latencies_us.end());
    result.errors += slot.errors;
    if (result.first_error.empty()) result.first_error = slot.first_error;
  }
  std::sort(latencies.begin(), latencies.end());
  result.calls = static_cast<int64_t>(latencies.size()) + result.errors;
  result.seconds = std::chrono::duration<double>(phase->last_end - phase->begin).count();
  if (result.seconds > 0) result.qps = static_cast<double>(latencies.size()) / result.seconds;
  result.p50_us = Percentile(latencies, 0.50);
  result.p99_us = Percentile(latencies, 0.99);
  return result;
}

std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(
    const std::string& target, const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    size_t count) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (size_t i = 0; i < count; ++i) {
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    arguments.SetInt("missions.bench_channel", static_cast<int>(i));
    arguments.SetMaxReceiveMessageSize(64 * 1024 * 1024);
    channels.push_back(grpc::CreateCustomChannel(target, credentials, arguments));
  }
  return channels;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

double Percentile(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(fraction * static_cast<double>(sorted.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

}  // namespace missions::load
