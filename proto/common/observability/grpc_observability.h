// A gRPC server interceptor that records go-grpc-prometheus metrics,
// writes one JSON log line per RPC and carries the W3C trace context; and
// per-call annotations the handlers set (principal, request_id, revision).
//
//   auto obs = std::make_shared<ServerObservability>(options);
//   std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> f;
//   f.push_back(obs->NewInterceptorFactory());
//   builder.experimental().SetInterceptorCreators(std::move(f));
#ifndef PROTO_COMMON_OBSERVABILITY_GRPC_OBSERVABILITY_H_
#define PROTO_COMMON_OBSERVABILITY_GRPC_OBSERVABILITY_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_interceptor.h"
#include "proto/common/observability/json_log.h"
#include "proto/common/observability/metrics.h"
#include "proto/common/observability/trace_context.h"

namespace missions::observability {

struct ServerObservabilityOptions {
  std::string service = "server";              // "service" field of log lines
  MetricsRegistry* registry = nullptr;         // null: MetricsRegistry::Default()
  LogSink sink = StderrSink();                 // null: no RPC log lines
  LogLevel level = LogLevel::kInfo;            // RPC lines are info (errors: code != OK
                                               // are still "info" unless INTERNAL/UNKNOWN/
                                               // DATA_LOSS, which are "error")
};

// Owns the metric families; must outlive the server that uses its factory.
class ServerObservability {
 public:
  explicit ServerObservability(ServerObservabilityOptions options);
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  NewInterceptorFactory();

  // Internals used by the interceptor.
  void Record(std::string_view full_method, const char* type, const grpc::Status& status,
              double seconds, const std::string& peer, const std::string& trace_id,
              const std::vector<std::pair<std::string, std::string>>& annotations);
  void Started(std::string_view full_method, const char* type);
  const ServerObservabilityOptions& options() const { return options_; }

  // Calls started and not yet finished (streams included).
  int64_t InFlight() const { return in_flight_.load(std::memory_order_acquire); }
  void CallCreated() { in_flight_.fetch_add(1, std::memory_order_acq_rel); }
  void CallDestroyed() { in_flight_.fetch_sub(1, std::memory_order_acq_rel); }

 private:
  // The cells of one method and call type, looked up once: a call then
  // costs no label look-up.
  struct MethodCells {
    Cell* started = nullptr;
    HistogramCell* seconds = nullptr;
    // grpc_server_handled_total by status code (0..16), made on first use.
    std::array<std::atomic<Cell*>, 17> handled{};
  };
  MethodCells& CellsOf(std::string_view full_method, const char* type);

  ServerObservabilityOptions options_;
  Family* started_;
  Family* handled_;
  Family* handling_seconds_;
  std::atomic<int64_t> in_flight_{0};
  absl::Mutex cells_mu_;
  absl::flat_hash_map<std::pair<std::string, std::string>, std::unique_ptr<MethodCells>>
      cells_ ABSL_GUARDED_BY(cells_mu_);
};

// Sets an annotation of the current call, written in its log line (e.g.
// "principal", "request_id", "revision"). Thread-safe; a no-op for a call
// that is not intercepted. Never put secrets or bodies there.
void AnnotateCall(const grpc::ServerContextBase* context, std::string_view key,
                  std::string_view value);

// The trace context of the current call: the client's traceparent (with the
// client's span id as parent) or a new trace if absent or invalid. For a
// call that is not intercepted, parsed from its metadata or new each time.
TraceContext TraceContextOf(const grpc::ServerContextBase& context);

// "OK", "NOT_FOUND", ... and go-grpc-prometheus' "OK", "NotFound", ...
const char* StatusCodeName(grpc::StatusCode code);
const char* PrometheusCodeName(grpc::StatusCode code);

// "/pkg.Service/Method" -> {"pkg.Service", "Method"}.
std::pair<std::string, std::string> SplitMethod(std::string_view full_method);

}  // namespace missions::observability

#endif  // PROTO_COMMON_OBSERVABILITY_GRPC_OBSERVABILITY_H_
