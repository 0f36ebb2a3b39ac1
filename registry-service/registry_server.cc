#include "registry-service/registry_server.h"

#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "proto/common/server_runner.h"
#include "proto/common/status_macros.h"
#include "proto/common/version.h"
#include "registry-service/domain/registry.h"
#include "registry-service/domain/resource_api.h"
#include "registry-service/service/registry_api_service.h"
#include "registry-service/service/registry_service.h"
#include "registry-service/storage/metered_record_store.h"
#include "registry-service/storage/open_record_store.h"

namespace missions::registry {
namespace {

// How often the health service re-checks the storage.
constexpr absl::Duration kStorageProbeInterval = absl::Seconds(1);

// Keeps the health status in step with the storage: NOT_SERVING while it
// cannot be reached (e.g. PostgreSQL is down), SERVING again once it
// answers, until `stop` is notified; and registry_revision current with
// the other replicas' commits, registry_view_revision with the view.
void ProbeStorage(MeteredRecordStore* store, const ViewKeeper* views, RunningServer* server,
                  observability::Cell* storage_up, observability::Cell* view_revision,
                  const observability::Logger* log, absl::Notification* stop) {
  bool serving = true;
  storage_up->Set(1);
  view_revision->Set(static_cast<double>(views->Current()->revision()));
  while (!stop->WaitForNotificationWithTimeout(kStorageProbeInterval)) {
    const absl::Status status = store->Ping();
    storage_up->Set(status.ok() ? 1 : 0);
    if (status.ok()) store->RefreshRevision();
    view_revision->Set(static_cast<double>(views->Current()->revision()));
    if (status.ok() != serving) {
      serving = status.ok();
      server->SetServing(serving);
      if (serving) {
        log->Log(observability::LogLevel::kInfo, "storage reachable again, SERVING",
                 {{"event", "storage_up"}});
      } else {
        log->Log(observability::LogLevel::kError, "storage unreachable, NOT_SERVING",
                 {{"event", "storage_down"}, {"error", status.ToString()}});
      }
    }
  }
}

}  // namespace

absl::Status RunRegistryServer(const RegistryServerConfig& config) {
  ASSIGN_OR_RETURN(std::unique_ptr<ServerTelemetry> telemetry,
                   ServerTelemetry::Start(config.telemetry));
  const observability::Logger& log = telemetry->log();
  ASSIGN_OR_RETURN(ServerSecurity security,
                   SetUpServerSecurity(config.security, config.listen_address));
  WarnIfInsecure(log, config.security);
  ASSIGN_OR_RETURN(std::unique_ptr<RecordStore> opened, OpenRecordStore(config.storage));
  MeteredRecordStore store(opened.get(), &telemetry->metrics());
  store.RefreshRevision();
  // Reads come from the in-memory view; on a database shared with other
  // replicas it follows their commits.
  ViewKeeper::Options view_options;
  view_options.follow_store = StorageIsShared(config.storage);
  ViewKeeper views(&store, view_options);
  RETURN_IF_ERROR(views.Start());
  Registry registry(&views);
  RegistryServiceImpl bulk_service(&registry, security.access.get());
  ResourceApi api(&views);
  RegistryApiService api_service(&api, security.access.get(), config.watch_limits);

  ServerStartOptions start;
  start.credentials = security.credentials;
  start.limits = config.security.message_limits;
  start.health_service_names = {::registry::v1::RegistryService::service_full_name(),
                                ::registry::v1::RegistryApi::service_full_name()};
  start.observability = telemetry->rpc();
  start.health_listen = config.lifecycle.health_listen;
  ASSIGN_OR_RETURN(std::unique_ptr<RunningServer> server,
                   RunningServer::Start(config.listen_address, {&bulk_service, &api_service},
                                        std::move(start)));
  const std::string host =
      config.listen_address.substr(0, config.listen_address.rfind(':'));
  log.Log(observability::LogLevel::kInfo,
          absl::StrCat("registry-server listening on ", host, ":", server->port(),
                       " (storage ", RedactStorageSpec(config.storage), "; ",
                       security.description, "; ", telemetry->DescribeEndpoint(),
                       server->health_port() ? absl::StrCat("; health on port ", server->health_port())
                                             : "",
                       ")"),
          {{"event", "listening"},
           {"version", Version()},
           {"source_revision", SourceRevision()}});

  observability::Cell* storage_up =
      telemetry->metrics()
          .Gauge("registry_storage_up", "1 while the storage answers, 0 while it cannot be reached.")
          ->WithLabels({});
  absl::Notification stop_probe;
  // How far this replica's view is behind: registry_revision -
  // registry_view_revision (0 on SQLite; milliseconds of other replicas'
  // commits on PostgreSQL).
  observability::Cell* view_revision =
      telemetry->metrics()
          .Gauge("registry_view_revision",
                 "The revision of the in-memory view reads are answered from.")
          ->WithLabels({});
  std::thread probe(ProbeStorage, &store, &views, server.get(), storage_up, view_revision,
                    &log, &stop_probe);
  ServeHooks hooks;
  hooks.on_hangup = [&] { ReloadCredentials(log, *security.access); };
  // Watch streams end at the start of the drain, naming where to resume,
  // so their clients reconnect to a replica that is staying.
  hooks.on_drain_start = [&] { api_service.EndStreams(); };
  ServeUntilTerminated(*server, log, config.lifecycle, hooks);
  stop_probe.Notify();
  probe.join();
  return absl::OkStatus();
}

}  // namespace missions::registry
