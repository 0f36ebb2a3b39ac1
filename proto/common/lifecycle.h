// The life of a server process after start-up, shared by registry-server
// and report-server: tell systemd it is ready, serve, re-read credentials
// on SIGHUP, and on SIGTERM/SIGINT drain (NOT_SERVING first, calls still
// served), end long-lived streams, stop within a bounded grace and exit 0.
#ifndef PROTO_COMMON_LIFECYCLE_H_
#define PROTO_COMMON_LIFECYCLE_H_

#include <functional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "proto/common/observability/json_log.h"
#include "proto/common/server_runner.h"

namespace missions {

struct LifecycleOptions {
  // After SIGTERM, how long the server answers NOT_SERVING on its health
  // check while still serving every call, so that load balancers and
  // Kubernetes take it out of rotation before it stops accepting calls.
  absl::Duration drain = absl::Seconds(5);
  // Then how long calls still running may take before they are cancelled.
  absl::Duration grace = absl::Seconds(5);
  // host:port of the health-only plaintext listener (ServerStartOptions);
  // empty: none.
  std::string health_listen;
};

// The settings of the shared --drain and --shutdown_grace flags
// (server_flags.cc).
LifecycleOptions LifecycleOptionsFromFlags();

// Sends a state change to systemd's notify socket (Type=notify units:
// "READY=1", "STOPPING=1", "RELOADING=1", "STATUS=..."). A no-op when the
// process was not started by systemd ($NOTIFY_SOCKET unset).
void NotifySystemd(std::string_view state);

struct ServeHooks {
  // On each SIGHUP (e.g. re-read the JWKS and identities).
  std::function<void()> on_hangup;
  // When the drain begins, after the health check turned NOT_SERVING (e.g.
  // end open watch streams so that their clients move to another replica).
  std::function<void()> on_drain_start;
};

// Tells systemd the server is ready, then blocks until SIGINT or SIGTERM
// (BlockTerminationSignals() must have been called first). Then: systemd
// STOPPING, health NOT_SERVING, `drain` of serving as usual, server
// shutdown waiting up to `grace` for running calls. Logs each step.
// Returns the signal number.
int ServeUntilTerminated(RunningServer& server, const observability::Logger& log,
                         const LifecycleOptions& options, const ServeHooks& hooks);

}  // namespace missions

#endif  // PROTO_COMMON_LIFECYCLE_H_
