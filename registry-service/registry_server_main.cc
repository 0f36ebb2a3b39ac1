// registry-server: serves the mission registry over gRPC.
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "proto/common/command_line.h"
#include "proto/common/server_runner.h"
#include "registry-service/registry_server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "host:port to serve gRPC on (port 0 picks a free port). The default "
          "accepts local connections only; use 0.0.0.0:50051 to serve other "
          "hosts.");
ABSL_FLAG(std::string, storage, "sqlite:registry.db",
          "where the records live: sqlite:PATH (an SQLite file, created if "
          "missing) or postgresql://USER@HOST:PORT/DATABASE?PARAMS (a libpq "
          "connection URI; give the password in PGPASSWORD or ~/.pgpass, not "
          "in the URI, which ps shows)");
ABSL_FLAG(std::string, metrics_listen, "127.0.0.1:9451",
          "host:port of the Prometheus metrics endpoint (http://HOST:PORT/metrics; "
          "/healthz answers ok); port 0 picks a free port; empty: no endpoint. The "
          "default accepts local scrapes only");

ABSL_FLAG(int, max_watch_streams, 256,
          "WatchChanges streams open at once, of all callers together (each holds "
          "a server thread; 0: no limit); more fail with RESOURCE_EXHAUSTED");
ABSL_FLAG(int, max_watch_streams_per_principal, 16,
          "WatchChanges streams open at once per principal (0: no limit)");
ABSL_FLAG(absl::Duration, max_stream_duration, absl::Hours(1),
          "longest a WatchChanges stream lasts whatever deadline the client sets; "
          "then it ends with RESOURCE_EXHAUSTED naming where to resume (0: no limit)");

int main(int argc, char** argv) {
  missions::BlockTerminationSignals();
  missions::PrepareServerProcess();
  missions::ParseCommandLine(
      argc, argv,
      "Serves the registry of mission contributions over gRPC "
      "(registry.v1.RegistryService, registry.v1.RegistryApi, gRPC health, "
      "server reflection). Every call is authenticated (a bearer token, or a "
      "client certificate with --client_ca and --identities) and needs a role: "
      "reader, editor or admin.\n"
      "Usage: registry-server --tls_cert=PEM --tls_key=PEM --jwks=FILE "
      "--jwt_issuer=ISS --jwt_audience=AUD [--client_ca=PEM --identities=FILE] "
      "[--listen=HOST:PORT] [--storage=sqlite:PATH|postgresql://...]\n"
      "       registry-server --insecure --listen=127.0.0.1:PORT ...   "
      "(plaintext, local debugging only)\n"
      "deploy/local/run.sh shows a complete local set-up.");
  missions::registry::RegistryServerConfig config;
  config.listen_address = absl::GetFlag(FLAGS_listen);
  config.storage = absl::GetFlag(FLAGS_storage);
  config.security = missions::ServerSecurityOptionsFromFlags();
  config.watch_limits.max_streams = absl::GetFlag(FLAGS_max_watch_streams);
  config.watch_limits.max_streams_per_principal =
      absl::GetFlag(FLAGS_max_watch_streams_per_principal);
  config.watch_limits.max_duration = absl::GetFlag(FLAGS_max_stream_duration);
  config.telemetry = missions::TelemetryOptionsFromFlags("registry-server",
                                                         absl::GetFlag(FLAGS_metrics_listen));
  config.lifecycle = missions::LifecycleOptionsFromFlags();
  const absl::Status status = missions::registry::RunRegistryServer(config);
  if (!status.ok()) {
    missions::observability::Logger(config.telemetry.service,
                                    missions::observability::LogLevel::kInfo)
        .Log(missions::observability::LogLevel::kError,
             absl::StrCat("cannot start: ", status.ToString()), {{"event", "fatal"}});
    return 1;
  }
  return 0;
}
