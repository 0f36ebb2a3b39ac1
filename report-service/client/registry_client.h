// RegistryClient: how the report service reads the registry. Wraps the
// generated stub interface (so tests can substitute it) and puts a deadline
// on every call: the earlier of its own timeout and the deadline of the
// report-server call it serves, whose cancellation it passes on.
#ifndef REPORT_SERVICE_CLIENT_REGISTRY_CLIENT_H_
#define REPORT_SERVICE_CLIENT_REGISTRY_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "proto/common/observability/metrics.h"
#include "registry/v1/registry_service.grpc.pb.h"

namespace missions::report {

// The records of one report year as the registry holds them.
struct YearData {
  ::registry::v1::Dataset records;
  // The registry revision they were read at.
  int64_t revision = 0;
};

class RegistryClient {
 public:
  // `stub` is shared; `timeout` bounds each call from start to last byte
  // (the upper bound: a caller's earlier deadline ends it sooner).
  // With `metrics` (not owned), every call is counted by outcome
  // (report_registry_calls_total{method,code}) and timed
  // (report_registry_call_seconds{method}).
  RegistryClient(std::shared_ptr<::registry::v1::RegistryService::StubInterface> stub,
                 std::chrono::milliseconds timeout,
                 observability::MetricsRegistry* metrics = nullptr);

  // Fetches everything the report of `year` needs in one streamed call and
  // merges the parts; with `as_of` set, as the registry was then. Returns
  // the registry's error (NotFound for an unknown year, InvalidArgument
  // for a bad year, its error for a revision or time it cannot serve),
  // Unavailable if it cannot be reached, DeadlineExceeded after `timeout`
  // or at `caller`'s deadline, Cancelled when `caller` cancels, Internal if
  // the registry refuses report-server's own credentials.
  // `caller` is the report-server call this fetch is made for (null: none):
  // the registry call is its child (grpc::ClientContext::FromServerContext),
  // so it ends at the earlier of the caller's deadline and `timeout`, and
  // is cancelled when the caller cancels or goes away.
  // The call carries the trace of the calling thread's scope
  // (observability::CurrentTraceId), else starts a new trace.
  absl::StatusOr<YearData> FetchYearDataset(
      int year, const ::registry::v1::AsOf& as_of = {},
      const grpc::ServerContextBase* caller = nullptr) const;

 private:
  std::shared_ptr<::registry::v1::RegistryService::StubInterface> stub_;
  std::chrono::milliseconds timeout_;
  observability::Family* calls_ = nullptr;
  observability::Family* seconds_ = nullptr;
};

}  // namespace missions::report

#endif  // REPORT_SERVICE_CLIENT_REGISTRY_CLIENT_H_
