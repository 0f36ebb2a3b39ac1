// registry-server: serves the mission registry over gRPC.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
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

int main(int argc, char** argv) {
  missions::BlockTerminationSignals();
  missions::ParseCommandLine(
      argc, argv,
      "Serves the registry of mission contributions over gRPC "
      "(registry.v1.RegistryService, gRPC health, server reflection).\n"
      "Usage: registry-server [--listen=HOST:PORT] "
      "[--storage=sqlite:PATH|postgresql://...]");
  missions::registry::RegistryServerConfig config;
  config.listen_address = absl::GetFlag(FLAGS_listen);
  config.storage = absl::GetFlag(FLAGS_storage);
  const absl::Status status = missions::registry::RunRegistryServer(config);
  if (!status.ok()) {
    std::fprintf(stderr, "registry-server: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
