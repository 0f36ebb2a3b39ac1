#include "registry-service/registry_server.h"

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "proto/common/server_runner.h"
#include "proto/common/status_macros.h"
#include "registry-service/domain/registry.h"
#include "registry-service/domain/resource_api.h"
#include "registry-service/service/registry_api_service.h"
#include "registry-service/service/registry_service.h"
#include "registry-service/storage/open_record_store.h"

namespace missions::registry {

absl::Status RunRegistryServer(const RegistryServerConfig& config) {
  ASSIGN_OR_RETURN(std::unique_ptr<RecordStore> store,
                   OpenRecordStore(config.storage));
  Registry registry(store.get());
  RegistryServiceImpl bulk_service(&registry);
  ResourceApi api(store.get());
  RegistryApiService api_service(&api);
  ASSIGN_OR_RETURN(std::unique_ptr<RunningServer> server,
                   RunningServer::Start(config.listen_address, {&bulk_service, &api_service}));
  const std::string host =
      config.listen_address.substr(0, config.listen_address.rfind(':'));
  std::fprintf(stderr, "registry-server listening on %s:%d (storage %s)\n",
               host.c_str(), server->port(), config.storage.c_str());
  const int signal_number = WaitForTerminationSignal();
  std::fprintf(stderr, "registry-server: signal %d, shutting down\n",
               signal_number);
  server->Shutdown();
  return absl::OkStatus();
}

}  // namespace missions::registry
