// Server wiring of registry-server: opens the storage, builds the service
// and serves until told to stop.
#ifndef REGISTRY_SERVICE_REGISTRY_SERVER_H_
#define REGISTRY_SERVICE_REGISTRY_SERVER_H_

#include <string>

#include "absl/status/status.h"
#include "proto/common/server_security.h"
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
};

// Checks the security settings, opens the storage, starts the server
// (health: SERVING once storage is open; NOT_SERVING while the storage
// cannot be reached, checked every second, SERVING again when it can),
// prints "registry-server listening on HOST:PORT" to stderr and serves
// until SIGINT or SIGTERM; then drains calls and returns OK. SIGHUP re-reads
// the JWKS and the identities file. Returns the error if the settings are
// unusable, the storage cannot be opened or the address bound.
// BlockTerminationSignals() must have been called first.
absl::Status RunRegistryServer(const RegistryServerConfig& config);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_REGISTRY_SERVER_H_
