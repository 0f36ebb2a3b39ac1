// A closed-loop load generator on gRPC's callback client API: N channels
// (each its own TCP connection) with M calls outstanding on each; every
// completed call starts the next one at once, until the phase's time or
// call count runs out. The same driver calls the registry and the echo
// baselines (load_bench_main.cc), so both pay the same client costs.
#ifndef TESTS_BENCH_LOAD_DRIVER_H_
#define TESTS_BENCH_LOAD_DRIVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/status.h"

namespace missions::load {

// Called once when a call ends.
using CallDone = std::function<void(const grpc::Status&)>;

// Starts one asynchronous call on channel number `channel` with `context`
// (owned by the driver and valid until `done` has run) and arranges for
// `done` to run once when the call ends. Must not block.
using CallStarter =
    std::function<void(size_t channel, grpc::ClientContext* context, CallDone done)>;

// How one phase is driven.
struct PhaseOptions {
  size_t channels = 8;          // N: channels, each its own connection
  size_t outstanding = 16;      // M: calls in flight on each channel
  absl::Duration duration = absl::Seconds(3);  // no call starts after this
  int64_t max_calls = 2'000'000;               // nor after this many
  absl::Duration call_deadline = absl::Seconds(10);  // of every call
  // If set, sent as the `authorization` metadata of every call.
  std::string authorization;
};

// What one phase measured. Latencies are of successful calls only.
struct PhaseResult {
  int64_t calls = 0;      // calls that ended
  int64_t errors = 0;     // ... of which not OK
  std::string first_error;
  double seconds = 0;     // from the first start to the last end
  double qps = 0;         // successful calls per second
  double p50_us = 0;
  double p99_us = 0;
};

// Runs one closed-loop phase of `start` on `options.channels` channels.
// Returns DeadlineExceeded if calls are still running well past the
// phase's end (every call has a deadline, so this means a broken server).
absl::StatusOr<PhaseResult> RunClosedLoop(const PhaseOptions& options,
                                          const CallStarter& start);

// `count` channels to `target`, each with its own connection (a local
// subchannel pool and a distinct argument keep gRPC from sharing one).
std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(
    const std::string& target, const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    size_t count);

// The median of `values` (0 when empty).
double Median(std::vector<double> values);

// The value below which `fraction` of `sorted` lies (nearest rank).
double Percentile(const std::vector<double>& sorted, double fraction);

}  // namespace missions::load

#endif  // TESTS_BENCH_LOAD_DRIVER_H_
