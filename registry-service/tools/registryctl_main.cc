// registryctl: command-line client of registry-server for editors and
// operators.
//
//   registryctl validate FILE   checks a data file on its own (no server)
//   registryctl import FILE     checks it, then stores it through the gRPC
//                               API in one transaction
//
// The connection uses TLS and sends a bearer token with every call
// (proto/common/client_channel.h): --ca/--cert/--key, $MISSIONS_CA,
// $MISSIONS_TOKEN_FILE, $MISSIONS_TOKEN, else the checkout's development CA
// and token (admin for import, which needs that role); --plaintext for a
// server started with --insecure.
//
// Exit status: 0 success; 1 the file is invalid or the registry refused or
// could not be reached; 2 wrong usage.
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "proto/common/command_line.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "proto/common/client_flags.h"
#include "proto/common/errors.h"
#include "registry-service/dataset_file/dataset_file.h"
#include "registry-service/domain/validation.h"
#include "registry/v1/registry_service.grpc.pb.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "host:port of registry-server");
ABSL_FLAG(bool, validate_only, false,
          "import: let the server check the file without storing anything");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(60),
          "deadline of each request, e.g. 60s");

namespace {

namespace v1 = ::registry::v1;
using missions::registry::ParsedDataset;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// A lookup that takes every reference for stored.
class AssumeStoredExist final : public missions::registry::ReferenceLookup {
 public:
  bool Exists(absl::string_view) const override { return true; }
};

int Usage(const std::string& message) {
  std::fprintf(stderr, "registryctl: %s\nRun 'registryctl --help' for usage.\n",
               message.c_str());
  return kExitUsage;
}

// Reads and checks the file on its own; prints every error with its
// position. Unless `references_must_resolve`, references to records that
// may exist only in the registry are accepted here (the server checks them
// again on import).
bool ReadAndCheck(const std::string& path, ParsedDataset* parsed,
                  bool references_must_resolve) {
  const AssumeStoredExist assume_stored;
  absl::StatusOr<missions::registry::DatasetFileCheck> check =
      missions::registry::CheckDatasetFile(
          path, references_must_resolve
                    ? missions::registry::NoExistingResources()
                    : static_cast<const missions::registry::ReferenceLookup&>(
                          assume_stored));
  if (!check.ok()) {
    std::fprintf(stderr, "registryctl: %s\n",
                 std::string(check.status().message()).c_str());
    return false;
  }
  if (!check->errors.empty()) {
    std::fprintf(stderr, "registryctl: %s has %zu error(s):\n", path.c_str(),
                 check->errors.size());
    for (const missions::registry::YamlError& error : check->errors) {
      std::fprintf(stderr, "%s\n",
                   missions::registry::FormatYamlError(path, error).c_str());
    }
    return false;
  }
  *parsed = std::move(check->parsed);
  return true;
}

int Validate(const std::string& path) {
  ParsedDataset parsed;
  if (!ReadAndCheck(path, &parsed, /*references_must_resolve=*/true)) {
    return kExitFailure;
  }
  std::fprintf(stderr, "registryctl: %s is valid (%d missions)\n", path.c_str(),
               parsed.dataset.missions_size());
  return 0;
}

int Import(const std::string& path) {
  ParsedDataset parsed;
  if (!ReadAndCheck(path, &parsed, /*references_must_resolve=*/false)) {
    std::fprintf(stderr, "registryctl: nothing was imported\n");
    return kExitFailure;
  }
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 * 1024 * 1024);
  const std::string server = absl::GetFlag(FLAGS_server);
  std::string connection;
  // ImportDataset needs the admin role.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      missions::OpenClientChannelFromFlags(server, "admin", args, &connection);
  if (!channel.ok()) {
    std::fprintf(stderr, "registryctl: %s\nregistryctl: nothing was imported\n",
                 std::string(channel.status().message()).c_str());
    return kExitFailure;
  }
  auto stub = v1::RegistryService::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(absl::GetFlag(FLAGS_timeout)));
  v1::ImportDatasetRequest request;
  *request.mutable_dataset() = parsed.dataset;
  request.set_validate_only(absl::GetFlag(FLAGS_validate_only));
  v1::ImportDatasetResponse response;
  const grpc::Status status = stub->ImportDataset(&context, request, &response);
  if (!status.ok()) {
    const absl::Status error = missions::FromGrpcStatus(status);
    std::vector<missions::FieldViolation> violations =
        missions::FieldViolationsOf(error);
    if (!violations.empty()) {
      // Paths are relative to the request; the file holds request.dataset.
      for (missions::FieldViolation& v : violations) {
        v.field = std::string(absl::StripPrefix(
            absl::StripPrefix(v.field, "dataset"), "."));
      }
      std::fprintf(stderr, "registryctl: the registry rejected %s:\n%s",
                   path.c_str(),
                   missions::registry::FormatViolations(path, parsed, violations)
                       .c_str());
    } else {
      std::fprintf(stderr, "registryctl: import of %s failed (%s): %s\n",
                   path.c_str(), absl::StatusCodeToString(error.code()).c_str(),
                   std::string(error.message()).c_str());
      std::fprintf(stderr, "registryctl: connection to %s: %s\n",
                   server.c_str(), connection.c_str());
    }
    std::fprintf(stderr, "registryctl: nothing was imported\n");
    return kExitFailure;
  }
  int total = 0;
  std::string counts;
  std::map<std::string, int> sorted(response.record_counts().begin(),
                                    response.record_counts().end());
  for (const auto& [kind, count] : sorted) {
    total += count;
    absl::StrAppend(&counts, counts.empty() ? "" : ", ", kind, " ", count);
  }
  std::fprintf(stderr, "registryctl: %s %s: %d records (%s)\n",
               request.validate_only() ? "validated (nothing stored)" : "imported",
               path.c_str(), total, counts.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> positional = missions::ParseCommandLine(
      argc, argv,
      absl::StrCat(
          "Edits and checks the mission registry.\n"
          "Usage:\n"
          "  registryctl validate FILE   check a data file on its own\n"
          "  registryctl import FILE     store a data file through registry-server "
          "(all or nothing)\n",
          missions::ClientSecurityUsage("admin"),
          "Exit status: 0 success, 1 failure, 2 wrong usage."));
  if (positional.size() != 3) {
    return Usage("expected a command and a file: validate FILE | import FILE");
  }
  const std::string command = positional[1];
  const std::string path = positional[2];
  if (command == "validate") return Validate(path);
  if (command == "import") return Import(path);
  return Usage(absl::StrCat("unknown command '", command, "'"));
}
