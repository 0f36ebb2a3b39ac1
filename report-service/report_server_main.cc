// report-server: builds the yearly report from the registry over gRPC.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "proto/common/command_line.h"
#include "absl/time/time.h"
#include "proto/common/server_runner.h"
#include "report-service/report_server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50052",
          "host:port to serve gRPC on (port 0 picks a free port). The default "
          "accepts local connections only.");
ABSL_FLAG(std::string, registry, "127.0.0.1:50051",
          "host:port of registry-server");
ABSL_FLAG(absl::Duration, registry_timeout, absl::Seconds(30),
          "deadline of each call to the registry, e.g. 30s");

int main(int argc, char** argv) {
  missions::BlockTerminationSignals();
  missions::ParseCommandLine(
      argc, argv,
      "Builds the yearly progress report on small mission contributions "
      "(report.v1.ReportService) from registry-server.\n"
      "Usage: report-server [--listen=HOST:PORT] [--registry=HOST:PORT]");
  missions::report::ReportServerConfig config;
  config.listen_address = absl::GetFlag(FLAGS_listen);
  config.registry_address = absl::GetFlag(FLAGS_registry);
  config.registry_timeout =
      absl::ToChronoMilliseconds(absl::GetFlag(FLAGS_registry_timeout));
  const absl::Status status = missions::report::RunReportServer(config);
  if (!status.ok()) {
    std::fprintf(stderr, "report-server: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
