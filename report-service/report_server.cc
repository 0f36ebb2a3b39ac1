#include "report-service/report_server.h"

#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "proto/common/health_check.h"
#include "proto/common/server_runner.h"
#include "proto/common/status_macros.h"
#include "proto/common/version.h"
#include "report-service/client/registry_client.h"
#include "report-service/service/report_generator.h"
#include "report-service/service/report_service.h"

namespace missions::report {
namespace {

// How often report-server asks the registry for its health.
constexpr absl::Duration kRegistryProbeInterval = absl::Seconds(1);

// Keeps report-server's health in step with the registry's: NOT_SERVING
// while the registry cannot be reached or says it is not serving, SERVING
// again once it is, until `stop` is notified. The probe also keeps the
// channel connecting, so that the first report after an outage finds it
// ready.
void ProbeRegistry(std::shared_ptr<grpc::ChannelInterface> channel, RunningServer* server,
                   observability::Cell* registry_up, const observability::Logger* log,
                   absl::Notification* stop) {
  bool serving = true;
  bool first = true;
  do {
    const absl::StatusOr<ServingStatus> health =
        CheckHealth(channel, "", kRegistryProbeInterval);
    const bool up = health.ok() && *health == ServingStatus::kServing;
    registry_up->Set(up ? 1 : 0);
    if (up != serving || (first && !up)) {
      serving = up;
      server->SetServing(up);
      if (up) {
        log->Log(observability::LogLevel::kInfo, "registry reachable and serving: SERVING",
                 {{"event", "registry_up"}});
      } else {
        log->Log(observability::LogLevel::kWarning,
                 "registry unreachable or not serving: NOT_SERVING",
                 {{"event", "registry_down"},
                  {"error", health.ok() ? "registry health NOT_SERVING"
                                        : health.status().ToString()}});
      }
    }
    first = false;
  } while (!stop->WaitForNotificationWithTimeout(kRegistryProbeInterval));
}

}  // namespace

absl::Status RunReportServer(const ReportServerConfig& config) {
  ASSIGN_OR_RETURN(std::unique_ptr<ServerTelemetry> telemetry,
                   ServerTelemetry::Start(config.telemetry));
  const observability::Logger& log = telemetry->log();
  ASSIGN_OR_RETURN(ServerSecurity security,
                   SetUpServerSecurity(config.security, config.listen_address));
  WarnIfInsecure(log, config.security);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  // gRPC's default reconnect backoff grows to 120 s: after a registry
  // outage, reports would fail for many seconds after it is back. Retry a
  // lost registry at least twice a second instead.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  std::string registry_security;
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
                   OpenClientChannel(config.registry_address, config.registry_security,
                                     args, &registry_security));
  RegistryClient registry(::registry::v1::RegistryService::NewStub(channel),
                          config.registry_timeout, &telemetry->metrics());
  ReportGenerator generator(&registry);
  ReportServiceImpl service(&generator, security.access.get(), &telemetry->metrics());

  ServerStartOptions start;
  start.credentials = security.credentials;
  start.limits = config.security.message_limits;
  start.health_service_names = {::report::v1::ReportService::service_full_name()};
  start.observability = telemetry->rpc();
  start.health_listen = config.lifecycle.health_listen;
  ASSIGN_OR_RETURN(std::unique_ptr<RunningServer> server,
                   RunningServer::Start(config.listen_address, {&service}, std::move(start)));
  const std::string host =
      config.listen_address.substr(0, config.listen_address.rfind(':'));
  log.Log(observability::LogLevel::kInfo,
          absl::StrCat("report-server listening on ", host, ":", server->port(), " (",
                       security.description, "; registry ", config.registry_address,
                       " over ", registry_security, "; ", telemetry->DescribeEndpoint(),
                       server->health_port() ? absl::StrCat("; health on port ", server->health_port())
                                             : "",
                       ")"),
          {{"event", "listening"},
           {"version", Version()},
           {"source_revision", SourceRevision()}});

  observability::Cell* registry_up =
      telemetry->metrics()
          .Gauge("report_registry_up",
                 "1 while the registry answers its health check with SERVING, else 0.")
          ->WithLabels({});
  absl::Notification stop_probe;
  std::thread probe(ProbeRegistry, channel, server.get(), registry_up, &log, &stop_probe);
  ServeHooks hooks;
  hooks.on_hangup = [&] { ReloadCredentials(log, *security.access); };
  ServeUntilTerminated(*server, log, config.lifecycle, hooks);
  stop_probe.Notify();
  probe.join();
  return absl::OkStatus();
}

}  // namespace missions::report
