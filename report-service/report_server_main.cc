// report-server: builds the yearly report from the registry over gRPC.
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "proto/common/command_line.h"
#include "absl/time/time.h"
#include "proto/common/server_runner.h"
#include "report-service/report_server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50052",
          "host:port to serve gRPC on (port 0 picks a free port). The default "
          "accepts local connections only.");
ABSL_FLAG(std::string, metrics_listen, "127.0.0.1:9452",
          "host:port of the Prometheus metrics endpoint (http://HOST:PORT/metrics; "
          "/healthz answers ok); port 0 picks a free port; empty: no endpoint. The "
          "default accepts local scrapes only");
ABSL_FLAG(std::string, registry, "127.0.0.1:50051",
          "host:port of registry-server");
ABSL_FLAG(absl::Duration, registry_timeout, absl::Seconds(30),
          "the longest a call to the registry may take, e.g. 30s: the upper "
          "bound, a caller's earlier deadline ends it sooner, and a caller's "
          "cancellation cancels it");
ABSL_FLAG(std::string, registry_ca, "",
          "PEM CA bundle that signs registry-server's certificate (default: "
          "$MISSIONS_CA, else the checkout's var/local/pki/ca.pem, else the "
          "system's roots)");
ABSL_FLAG(std::string, registry_cert, "",
          "PEM client certificate presented to registry-server (mutual TLS; its "
          "identity maps to a role in the registry's --identities file)");
ABSL_FLAG(std::string, registry_key, "",
          "PEM private key of --registry_cert (owner-only permissions)");
ABSL_FLAG(bool, registry_plaintext, false,
          "reach registry-server without TLS (only a registry started with "
          "--insecure); a bearer token from $MISSIONS_TOKEN_FILE is otherwise "
          "sent with every registry call");

int main(int argc, char** argv) {
  missions::BlockTerminationSignals();
  missions::PrepareServerProcess();
  missions::ParseCommandLine(
      argc, argv,
      "Builds the yearly progress report on small mission contributions "
      "(report.v1.ReportService) from registry-server.\n"
      "Every call is authenticated (a bearer token, or a client certificate "
      "with --client_ca and --identities) and needs the reader role.\n"
      "Usage: report-server --tls_cert=PEM --tls_key=PEM --jwks=FILE "
      "--jwt_issuer=ISS --jwt_audience=AUD [--listen=HOST:PORT] "
      "[--registry=HOST:PORT --registry_ca=PEM --registry_cert=PEM "
      "--registry_key=PEM]\n"
      "       report-server --insecure --listen=127.0.0.1:PORT "
      "--registry_plaintext ...   (plaintext, local debugging only)\n"
      "deploy/local/run.sh shows a complete local set-up.");
  missions::report::ReportServerConfig config;
  config.listen_address = absl::GetFlag(FLAGS_listen);
  config.registry_address = absl::GetFlag(FLAGS_registry);
  config.registry_timeout =
      absl::ToChronoMilliseconds(absl::GetFlag(FLAGS_registry_timeout));
  config.security = missions::ServerSecurityOptionsFromFlags();
  config.registry_security.ca_path = absl::GetFlag(FLAGS_registry_ca);
  config.registry_security.cert_path = absl::GetFlag(FLAGS_registry_cert);
  config.registry_security.key_path = absl::GetFlag(FLAGS_registry_key);
  config.registry_security.plaintext = absl::GetFlag(FLAGS_registry_plaintext);
  config.telemetry = missions::TelemetryOptionsFromFlags("report-server",
                                                         absl::GetFlag(FLAGS_metrics_listen));
  config.lifecycle = missions::LifecycleOptionsFromFlags();
  const absl::Status status = missions::report::RunReportServer(config);
  if (!status.ok()) {
    missions::observability::Logger(config.telemetry.service,
                                    missions::observability::LogLevel::kInfo)
        .Log(missions::observability::LogLevel::kError,
             absl::StrCat("cannot start: ", status.ToString()), {{"event", "fatal"}});
    return 1;
  }
  return 0;
}
