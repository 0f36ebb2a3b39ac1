#include "proto/common/server_telemetry.h"

#include "absl/strings/str_cat.h"
#include "proto/common/version.h"

namespace missions {

ServerTelemetry::ServerTelemetry(const TelemetryOptions& options)
    : options_(options), log_(options.service, options.log_level) {
  observability::ServerObservabilityOptions rpc;
  rpc.service = options.service;
  rpc.registry = &metrics_;
  rpc.level = options.log_level;
  rpc_ = std::make_unique<observability::ServerObservability>(std::move(rpc));
  observability::SetBuildInfo(metrics_, Version(), SourceRevision());
}

absl::StatusOr<std::unique_ptr<ServerTelemetry>> ServerTelemetry::Start(
    const TelemetryOptions& options) {
  std::unique_ptr<ServerTelemetry> telemetry(new ServerTelemetry(options));
  if (!options.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<observability::MetricsServer>> endpoint =
        observability::MetricsServer::Start(options.metrics_listen, &telemetry->metrics_);
    if (!endpoint.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "--metrics_listen=", options.metrics_listen, ": ", endpoint.status().message(),
          " (another process on that port? give another port, or --metrics_listen= "
          "to serve no metrics)"));
    }
    telemetry->endpoint_ = *std::move(endpoint);
  }
  return telemetry;
}

std::string ServerTelemetry::DescribeEndpoint() const {
  if (endpoint_ == nullptr) return "no metrics endpoint";
  const std::string& address = options_.metrics_listen;
  return absl::StrCat("metrics on http://", address.substr(0, address.rfind(':')), ":",
                      endpoint_->port(), "/metrics");
}

}  // namespace missions
