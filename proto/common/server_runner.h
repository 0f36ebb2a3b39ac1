// Server start-up shared by registry-server and report-server: binds the
// listening address, enables the standard health service (overall and per
// service name) and server reflection, installs the observability
// interceptor, and drains and shuts down gracefully (lifecycle.h).
#ifndef PROTO_COMMON_SERVER_RUNNER_H_
#define PROTO_COMMON_SERVER_RUNNER_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/server.h"
#include "grpcpp/security/server_credentials.h"
#include "proto/common/observability/grpc_observability.h"

namespace missions {

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and every thread
// started after it, so that WaitForTerminationSignal can receive them. Call
// first thing in main(), before any thread exists.
void BlockTerminationSignals();

// Process-wide settings of a server, first thing in main() after
// BlockTerminationSignals(), each decided by a measurement:
// - Abseil's mutex deadlock detection off: Debian's Abseil is built with it
//   on, and it costs 53 ns instead of 12 ns per nested lock pair (a loop of
//   3 million pairs on this machine).
// - glibc malloc limited to 2 arenas (unless MALLOC_ARENA_MAX is set): with
//   one arena per thread, report-server held 143-149 MB after each of four
//   runs of every document for a 1,000-mission registry; with 2 arenas,
//   92-97 MB; the 12 documents took 14.6-15.6 s either way.
void PrepareServerProcess();

// Waits until SIGINT or SIGTERM arrives; returns the signal number. Each
// SIGHUP before that calls `on_hangup` (if set) and goes on waiting.
int WaitForTerminationSignal(const std::function<void()>& on_hangup = nullptr);

// Message size limits of a server. A request larger than
// max_receive_bytes is refused by gRPC with RESOURCE_EXHAUSTED.
struct MessageLimits {
  int max_receive_bytes = 16 * 1024 * 1024;
  int max_send_bytes = 16 * 1024 * 1024;
};

// How a server is started (RunningServer::Start).
struct ServerStartOptions {
  // Transport security; null: insecure (plaintext).
  std::shared_ptr<grpc::ServerCredentials> credentials;
  MessageLimits limits;
  // The service names the health service answers for, besides the overall
  // "" (e.g. "registry.v1.RegistryApi"); each follows SetServing.
  std::vector<std::string> health_service_names;
  // If set, host:port of a second, plaintext listener that serves only
  // the health service, with the same statuses: for probes that cannot
  // speak TLS (Kubernetes' native gRPC probes). Port 0 picks a free port.
  std::string health_listen;
  // Metrics, RPC log lines and trace context of every call (not owned;
  // must outlive the server); null: none.
  observability::ServerObservability* observability = nullptr;
};

// A started gRPC server.
class RunningServer {
 public:
  // Starts a server on `address` ("host:port"; port 0 picks a free port)
  // with `services` (not owned; must outlive the server), the gRPC health
  // service (reporting SERVING for "" and for every service) and server
  // reflection. `credentials` defaults to insecure (plaintext) transport.
  // Returns UNAVAILABLE if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<RunningServer>> Start(
      const std::string& address, const std::vector<grpc::Service*>& services,
      std::shared_ptr<grpc::ServerCredentials> credentials = nullptr,
      MessageLimits limits = {});
  static absl::StatusOr<std::unique_ptr<RunningServer>> Start(
      const std::string& address, const std::vector<grpc::Service*>& services,
      ServerStartOptions options);

  ~RunningServer();

  // The port actually bound.
  int port() const { return port_; }
  // The port of the health-only listener; 0 without one.
  int health_port() const { return health_port_; }
  grpc::Server* server() { return server_.get(); }

  // Sets the health status of "" and of every health service name
  // (e.g. NOT_SERVING while the storage is unreachable). Ignored once the
  // drain has begun: a draining server stays NOT_SERVING.
  void SetServing(bool serving);

  // Starts the drain: NOT_SERVING for "" and every service name from now
  // on, while calls (in flight and new) are still served, so that load
  // balancers and orchestrators stop sending calls before the server stops.
  void BeginDrain();

  // Marks the server NOT_SERVING in the health service, stops accepting
  // calls and waits up to `grace` for running calls; calls still running
  // then are cancelled. Idempotent. With observability, returns as soon as
  // the running calls are done: gRPC alone would also wait (up to `grace`)
  // for idle client connections to close, seconds for nothing.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  RunningServer(std::unique_ptr<grpc::Server> server, int port,
                std::vector<std::string> health_service_names,
                const observability::ServerObservability* observability)
      : server_(std::move(server)), port_(port),
        health_service_names_(std::move(health_service_names)),
        observability_(observability) {}
  void SetHealth(bool serving);

  std::unique_ptr<grpc::Server> server_;
  int port_;
  std::unique_ptr<grpc::Server> health_server_;
  int health_port_ = 0;
  const std::vector<std::string> health_service_names_;
  const observability::ServerObservability* observability_;
  std::atomic<bool> draining_{false};
  bool shut_down_ = false;
};

}  // namespace missions

#endif  // PROTO_COMMON_SERVER_RUNNER_H_
