// registry-copy: copies a whole registry from one storage to another
// (SQLite to PostgreSQL or back), with its history, audit log, request ids
// and secrets, and then verifies that both hold the same registry.
//
//   registry-copy --from=sqlite:/var/lib/registry/registry.db
//                 --to=postgresql://registry@db.example/registry
//
// The target must be empty (a new database or file; the schema is created
// on open). Passwords come from PGPASSWORD or ~/.pgpass, never from a
// flag. Stop the registry servers writing to --from while it runs.
// Exit status: 0 copied and verified, 1 failure or mismatch, 2 wrong usage.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "proto/common/command_line.h"
#include "registry-service/storage/open_record_store.h"
#include "registry-service/storage/registry_copy.h"

ABSL_FLAG(std::string, from, "",
          "storage to copy from: sqlite:PATH or postgresql://... (as registry-server "
          "--storage)");
ABSL_FLAG(std::string, to, "",
          "empty storage to copy into: sqlite:PATH or postgresql://...");
ABSL_FLAG(bool, verify_only, false,
          "copy nothing; only compare --from and --to");

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int Usage(const std::string& message) {
  std::fprintf(stderr, "registry-copy: %s\nRun 'registry-copy --help' for usage.\n",
               message.c_str());
  return kExitUsage;
}

int Fail(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "registry-copy: %s: %s\n", what.c_str(),
               std::string(status.message()).c_str());
  return kExitFailure;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> positional = missions::ParseCommandLine(
      argc, argv,
      "Copies a whole registry (history, audit log, request ids, secrets) from one\n"
      "storage to another, empty one, and verifies that both then agree.\n"
      "Usage:\n"
      "  registry-copy --from=SPEC --to=SPEC [--verify_only]\n"
      "  SPEC: sqlite:PATH or postgresql://user@host:port/db (password from\n"
      "        PGPASSWORD or ~/.pgpass)\n"
      "Exit status: 0 copied and verified, 1 failure or mismatch, 2 wrong usage.");
  if (positional.size() != 1) return Usage("unexpected arguments");
  const std::string from_spec = absl::GetFlag(FLAGS_from);
  const std::string to_spec = absl::GetFlag(FLAGS_to);
  if (from_spec.empty() || to_spec.empty()) return Usage("--from and --to are required");
  if (from_spec == to_spec) return Usage("--from and --to name the same storage");

  // Opening an SQLite spec creates the file: a mistyped --from would copy
  // an empty registry.
  if (from_spec.rfind("sqlite:", 0) == 0 &&
      !std::filesystem::exists(from_spec.substr(std::string("sqlite:").size()))) {
    return Fail("--from", absl::NotFoundError(absl::StrCat(from_spec, " does not exist")));
  }
  auto from = missions::registry::OpenRecordStore(from_spec);
  if (!from.ok()) {
    if (absl::IsInvalidArgument(from.status())) {
      return Usage(absl::StrCat("--from: ", from.status().message()));
    }
    return Fail("opening --from", from.status());
  }
  auto to = missions::registry::OpenRecordStore(to_spec);
  if (!to.ok()) {
    if (absl::IsInvalidArgument(to.status())) {
      return Usage(absl::StrCat("--to: ", to.status().message()));
    }
    return Fail("opening --to", to.status());
  }
  absl::StatusOr<missions::registry::CopySummary> summary =
      absl::GetFlag(FLAGS_verify_only)
          ? missions::registry::VerifySameRegistry(**from, **to)
          : missions::registry::CopyRegistry(**from, **to);
  if (!summary.ok()) {
    return Fail(absl::IsDataLoss(summary.status()) ? "MISMATCH" : "copy failed",
                summary.status());
  }
  std::printf("%s%s", absl::GetFlag(FLAGS_verify_only) ? "" : "copied and ",
              "verified: both storages hold the same registry\n");
  std::printf("%s", missions::registry::FormatSummary(*summary).c_str());
  return 0;
}
