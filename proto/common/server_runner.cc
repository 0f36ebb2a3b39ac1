#include "proto/common/server_runner.h"

#include <malloc.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace missions {
namespace {

// Shutdown's deadline once no call is running: for a call that arrived
// between the check and the shutdown.
constexpr std::chrono::milliseconds kLastCallMargin(250);

sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void BlockTerminationSignals() {
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void PrepareServerProcess() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
}

int WaitForTerminationSignal(const std::function<void()>& on_hangup) {
  sigset_t set = TerminationSignals();
  while (true) {
    int signal_number = 0;
    if (sigwait(&set, &signal_number) != 0) continue;
    if (signal_number != SIGHUP) return signal_number;
    if (on_hangup) on_hangup();
  }
}

absl::StatusOr<std::unique_ptr<RunningServer>> RunningServer::Start(
    const std::string& address, const std::vector<grpc::Service*>& services,
    std::shared_ptr<grpc::ServerCredentials> credentials,
    MessageLimits limits) {
  ServerStartOptions options;
  options.credentials = std::move(credentials);
  options.limits = limits;
  return Start(address, services, std::move(options));
}

absl::StatusOr<std::unique_ptr<RunningServer>> RunningServer::Start(
    const std::string& address, const std::vector<grpc::Service*>& services,
    ServerStartOptions options) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  std::shared_ptr<grpc::ServerCredentials> credentials = options.credentials;
  if (credentials == nullptr) credentials = grpc::InsecureServerCredentials();

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, credentials, &port);
  builder.SetMaxReceiveMessageSize(options.limits.max_receive_bytes);
  builder.SetMaxSendMessageSize(options.limits.max_send_bytes);
  for (grpc::Service* service : services) builder.RegisterService(service);
  if (options.observability != nullptr) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        factories;
    factories.push_back(options.observability->NewInterceptorFactory());
    builder.experimental().SetInterceptorCreators(std::move(factories));
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", address,
                     " (address in use, or not a valid host:port)"));
  }
  std::unique_ptr<RunningServer> running(
      new RunningServer(std::move(server), port, std::move(options.health_service_names),
                        options.observability));
  if (!options.health_listen.empty()) {
    // Only the default health service: no other method is reachable here.
    grpc::ServerBuilder health_builder;
    int health_port = 0;
    health_builder.AddListeningPort(options.health_listen, grpc::InsecureServerCredentials(),
                                    &health_port);
    running->health_server_ = health_builder.BuildAndStart();
    if (running->health_server_ == nullptr || health_port == 0) {
      running->health_server_.reset();
      return absl::UnavailableError(absl::StrCat(
          "--health_listen=", options.health_listen,
          ": cannot listen (address in use, or not a valid host:port)"));
    }
    running->health_port_ = health_port;
  }
  running->SetHealth(true);
  return running;
}

RunningServer::~RunningServer() { Shutdown(); }

void RunningServer::SetHealth(bool serving) {
  for (grpc::Server* server : {server_.get(), health_server_.get()}) {
    if (server == nullptr) continue;
    grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
    // The overall status ("") and every service name.
    health->SetServingStatus(serving);
    for (const std::string& name : health_service_names_) {
      health->SetServingStatus(name, serving);
    }
  }
}

void RunningServer::SetServing(bool serving) {
  if (draining_.load()) return;
  SetHealth(serving);
}

void RunningServer::BeginDrain() {
  draining_.store(true);
  SetHealth(false);
}

void RunningServer::Shutdown(std::chrono::milliseconds grace) {
  if (shut_down_) return;
  shut_down_ = true;
  BeginDrain();
  auto deadline = std::chrono::system_clock::now() + grace;
  if (observability_ != nullptr) {
    // Let the running calls finish (up to the grace), then give gRPC a
    // moment for a call that arrived just now, instead of the whole grace.
    while (observability_->InFlight() > 0 && std::chrono::system_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    deadline = std::min(deadline, std::chrono::system_clock::now() + kLastCallMargin);
  }
  server_->Shutdown(deadline);
  server_->Wait();
  if (health_server_ != nullptr) {
    health_server_->Shutdown(std::chrono::system_clock::now());
    health_server_->Wait();
  }
}

}  // namespace missions
