// What a server tells its operators, set up once at start-up: the JSON
// logger (lifecycle events), the metrics registry with build_info, the
// Prometheus endpoint (--metrics_listen) and the gRPC interceptor that
// counts, times and logs every call with its trace id.
#ifndef PROTO_COMMON_SERVER_TELEMETRY_H_
#define PROTO_COMMON_SERVER_TELEMETRY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "proto/common/observability/grpc_observability.h"
#include "proto/common/observability/json_log.h"
#include "proto/common/observability/metrics.h"
#include "proto/common/observability/metrics_server.h"

namespace missions {

struct TelemetryOptions {
  // "registry-server", "report-server": the "service" of every log line.
  std::string service;
  // host:port of the Prometheus endpoint (/metrics, /healthz); port 0 picks
  // a free port; empty: no endpoint.
  std::string metrics_listen;
  observability::LogLevel log_level = observability::LogLevel::kInfo;
};

// The --log_level setting (server_flags.cc); --metrics_listen is each
// binary's own flag because the default port differs.
TelemetryOptions TelemetryOptionsFromFlags(std::string service, std::string metrics_listen);

class ServerTelemetry {
 public:
  // Starts the metrics endpoint (UNAVAILABLE if it cannot listen; the
  // message names the flag) and registers build_info.
  static absl::StatusOr<std::unique_ptr<ServerTelemetry>> Start(const TelemetryOptions& options);

  observability::MetricsRegistry& metrics() { return metrics_; }
  const observability::Logger& log() const { return log_; }
  // For ServerStartOptions::observability.
  observability::ServerObservability* rpc() { return rpc_.get(); }
  // The bound metrics port; 0 without an endpoint.
  int metrics_port() const { return endpoint_ ? endpoint_->port() : 0; }
  // "metrics on http://127.0.0.1:9451/metrics" or "no metrics endpoint".
  std::string DescribeEndpoint() const;

 private:
  explicit ServerTelemetry(const TelemetryOptions& options);

  const TelemetryOptions options_;
  observability::MetricsRegistry metrics_;
  observability::Logger log_;
  std::unique_ptr<observability::ServerObservability> rpc_;
  std::unique_ptr<observability::MetricsServer> endpoint_;
};

}  // namespace missions

#endif  // PROTO_COMMON_SERVER_TELEMETRY_H_
