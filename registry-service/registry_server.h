// Server wiring of registry-server: opens the storage, builds the service
// and serves until told to stop.
#ifndef REGISTRY_SERVICE_REGISTRY_SERVER_H_
#define REGISTRY_SERVICE_REGISTRY_SERVER_H_

#include <string>

#include "absl/status/status.h"
#include "proto/common/lifecycle.h"
#include "proto/common/server_security.h"
#include "proto/common/server_telemetry.h"
#include "registry-service/service/registry_api_service.h"

namespace missions::registry {

struct RegistryServerConfig {
  // host:port to listen on; port 0 picks a free port.
  std::string listen_address = "127.0.0.1:50051";
  // Storage spec, see OpenRecordStore (storage/open_record_store.h).
  std::string storage = "sqlite:registry.db";
  // TLS, authentication and rate limits (proto/common/server_security.h).
  ServerSecurityOptions security;
  WatchLimits watch_limits;
  // Logs and the metrics endpoint (proto/common/server_telemetry.h).
  TelemetryOptions telemetry{.service = "registry-server",
                             .metrics_listen = "127.0.0.1:9451",
                             .log_level = observability::LogLevel::kInfo};
  // Drain and grace after SIGTERM (proto/common/lifecycle.h).
  LifecycleOptions lifecycle;
};

// Checks the security settings, opens the storage, starts the metrics
// endpoint and the server (health, overall and per service: SERVING once
// storage is open; NOT_SERVING while the storage cannot be reached,
// checked every second, SERVING again when it can), logs
// "registry-server listening on HOST:PORT" (a JSON line on stderr, like
// every call) and serves until SIGINT or SIGTERM; then drains
// (NOT_SERVING, calls still served, watch streams ended with where to
// resume), stops and returns OK. SIGHUP re-reads the JWKS and the
// identities file. Returns the error if the settings are unusable, the
// storage cannot be opened or an address bound.
// BlockTerminationSignals() must have been called first.
absl::Status RunRegistryServer(const RegistryServerConfig& config);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_REGISTRY_SERVER_H_
