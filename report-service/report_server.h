// Server wiring of report-server: connects to the registry, builds the
// service and serves until told to stop.
#ifndef REPORT_SERVICE_REPORT_SERVER_H_
#define REPORT_SERVICE_REPORT_SERVER_H_

#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "proto/common/client_channel.h"
#include "proto/common/lifecycle.h"
#include "proto/common/server_security.h"
#include "proto/common/server_telemetry.h"

namespace missions::report {

struct ReportServerConfig {
  // host:port to listen on; port 0 picks a free port.
  std::string listen_address = "127.0.0.1:50052";
  // host:port of registry-server.
  std::string registry_address = "127.0.0.1:50051";
  // The longest a registry call may take: each call made for a request
  // ends at the earlier of the request's deadline and this, and is
  // cancelled when the request is.
  std::chrono::milliseconds registry_timeout = std::chrono::seconds(30);
  // The listener's TLS, authentication and rate limits
  // (proto/common/server_security.h).
  ServerSecurityOptions security;
  // How it reaches the registry: TLS with the registry's CA, a client
  // certificate (mutual TLS, the registry maps its identity to a role) and/or
  // a bearer token from $MISSIONS_TOKEN_FILE (proto/common/client_channel.h).
  ClientSecurityOptions registry_security;
  // Logs and the metrics endpoint (proto/common/server_telemetry.h).
  TelemetryOptions telemetry{.service = "report-server",
                             .metrics_listen = "127.0.0.1:9452",
                             .log_level = observability::LogLevel::kInfo};
  // Drain and grace after SIGTERM (proto/common/lifecycle.h).
  LifecycleOptions lifecycle;
};

// Checks the security settings, starts the metrics endpoint and the
// server, logs "report-server listening on HOST:PORT" (a JSON line on
// stderr, like every call) and serves until SIGINT or SIGTERM, then drains
// and stops. The registry is contacted per request, so the report server
// starts even while the registry is down (requests then fail with
// UNAVAILABLE); its health check follows the registry's (checked every
// second: NOT_SERVING while the registry cannot be reached or is not
// serving), and the channel retries a lost registry twice a second.
// SIGHUP re-reads the JWKS and the identities file.
// BlockTerminationSignals() must have been called first.
absl::Status RunReportServer(const ReportServerConfig& config);

}  // namespace missions::report

#endif  // REPORT_SERVICE_REPORT_SERVER_H_
