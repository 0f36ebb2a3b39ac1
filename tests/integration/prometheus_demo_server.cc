// A small server for tests/integration/prometheus_test.sh: an echo service
// with the observability interceptor and a metrics endpoint. Makes N calls
// to itself (argv[1], default 3), prints "grpc_port=P metrics_port=M", and
// runs until SIGTERM/SIGINT or 60 s.
#include <signal.h>

#include <cstdio>
#include <ctime>
#include <string>

#include "bench/echo.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "proto/common/observability/grpc_observability.h"
#include "proto/common/observability/metrics_server.h"

namespace {
class EchoImpl final : public bench::Echo::Service {
  grpc::Status Echo(grpc::ServerContext*, const bench::EchoRequest* request,
                    bench::EchoResponse* response) override {
    response->set_payload(request->payload());
    return grpc::Status::OK;
  }
};
}  // namespace

int main(int argc, char** argv) {
  using namespace missions::observability;
  int calls = argc > 1 ? std::stoi(argv[1]) : 3;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  MetricsRegistry registry;
  SetBuildInfo(registry, "0.0.0-test", "demo");
  ServerObservabilityOptions options;
  options.service = "prometheus-demo";
  options.registry = &registry;
  ServerObservability obs(options);
  EchoImpl service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> f;
  f.push_back(obs.NewInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(f));
  auto server = builder.BuildAndStart();
  if (server == nullptr) return 1;
  auto metrics = MetricsServer::Start("127.0.0.1:0", &registry);
  if (!metrics.ok()) {
    std::fprintf(stderr, "%s\n", metrics.status().ToString().c_str());
    return 1;
  }
  auto stub = bench::Echo::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  for (int i = 0; i < calls; ++i) {
    grpc::ClientContext ctx;
    AddTraceparent(&ctx, NewTraceId());
    bench::EchoRequest req;
    bench::EchoResponse resp;
    if (!stub->Echo(&ctx, req, &resp).ok()) return 1;
  }
  std::printf("grpc_port=%d metrics_port=%d\n", port, (*metrics)->port());
  std::fflush(stdout);
  timespec timeout{60, 0};
  sigtimedwait(&set, nullptr, &timeout);
  (*metrics)->Stop();
  server->Shutdown();
  return 0;
}
