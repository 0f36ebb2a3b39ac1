#include "registry-service/registry_server.h"

#include <cstdio>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "grpcpp/health_check_service_interface.h"
#include "proto/common/server_runner.h"
#include "proto/common/status_macros.h"
#include "registry-service/domain/registry.h"
#include "registry-service/domain/resource_api.h"
#include "registry-service/service/registry_api_service.h"
#include "registry-service/service/registry_service.h"
#include "registry-service/storage/open_record_store.h"

namespace missions::registry {
namespace {

// How often the health service re-checks the storage.
constexpr absl::Duration kStorageProbeInterval = absl::Seconds(1);

// Keeps the health status in step with the storage: NOT_SERVING while it
// cannot be reached (e.g. PostgreSQL is down), SERVING again once it
// answers, until `stop` is notified.
void ProbeStorage(RecordStore* store, grpc::Server* server, absl::Notification* stop) {
  bool serving = true;
  while (!stop->WaitForNotificationWithTimeout(kStorageProbeInterval)) {
    const absl::Status status = store->Ping();
    if (status.ok() != serving) {
      serving = status.ok();
      server->GetHealthCheckService()->SetServingStatus(serving);
      std::fprintf(stderr, "registry-server: storage %s%s\n",
                   serving ? "reachable again, SERVING" : "unreachable, NOT_SERVING: ",
                   serving ? "" : status.ToString().c_str());
    }
  }
}

}  // namespace

absl::Status RunRegistryServer(const RegistryServerConfig& config) {
  ASSIGN_OR_RETURN(ServerSecurity security,
                   SetUpServerSecurity(config.security, config.listen_address));
  WarnIfInsecure("registry-server", config.security);
  ASSIGN_OR_RETURN(std::unique_ptr<RecordStore> store,
                   OpenRecordStore(config.storage));
  Registry registry(store.get());
  RegistryServiceImpl bulk_service(&registry, security.access.get());
  ResourceApi api(store.get());
  RegistryApiService api_service(&api, security.access.get(), config.watch_limits);
  ASSIGN_OR_RETURN(std::unique_ptr<RunningServer> server,
                   RunningServer::Start(config.listen_address, {&bulk_service, &api_service},
                                        security.credentials,
                                        config.security.message_limits));
  const std::string host =
      config.listen_address.substr(0, config.listen_address.rfind(':'));
  std::fprintf(stderr, "registry-server listening on %s:%d (storage %s; %s)\n",
               host.c_str(), server->port(),
               RedactStorageSpec(config.storage).c_str(), security.description.c_str());
  absl::Notification stop_probe;
  std::thread probe(ProbeStorage, store.get(), server->server(), &stop_probe);
  const int signal_number = WaitForTerminationSignal(
      [&] { ReloadCredentials("registry-server", *security.access); });
  std::fprintf(stderr, "registry-server: signal %d, shutting down\n",
               signal_number);
  stop_probe.Notify();
  probe.join();
  api_service.EndStreams();
  server->Shutdown();
  return absl::OkStatus();
}

}  // namespace missions::registry
