// Server start-up shared by registry-server and report-server: binds the
// listening address, enables the standard health service and server
// reflection, and shuts down gracefully on SIGINT/SIGTERM.
#ifndef PROTO_COMMON_SERVER_RUNNER_H_
#define PROTO_COMMON_SERVER_RUNNER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/server.h"
#include "grpcpp/security/server_credentials.h"

namespace missions {

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and every thread
// started after it, so that WaitForTerminationSignal can receive them. Call
// first thing in main(), before any thread exists.
void BlockTerminationSignals();

// Waits until SIGINT or SIGTERM arrives; returns the signal number. Each
// SIGHUP before that calls `on_hangup` (if set) and goes on waiting.
int WaitForTerminationSignal(const std::function<void()>& on_hangup = nullptr);

// Message size limits of a server. A request larger than
// max_receive_bytes is refused by gRPC with RESOURCE_EXHAUSTED.
struct MessageLimits {
  int max_receive_bytes = 16 * 1024 * 1024;
  int max_send_bytes = 16 * 1024 * 1024;
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

  ~RunningServer();

  // The port actually bound.
  int port() const { return port_; }
  grpc::Server* server() { return server_.get(); }

  // Marks the server NOT_SERVING in the health service, stops accepting
  // calls and waits up to `grace` for running calls. Idempotent.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  RunningServer(std::unique_ptr<grpc::Server> server, int port)
      : server_(std::move(server)), port_(port) {}

  std::unique_ptr<grpc::Server> server_;
  int port_;
  bool shut_down_ = false;
};

}  // namespace missions

#endif  // PROTO_COMMON_SERVER_RUNNER_H_
