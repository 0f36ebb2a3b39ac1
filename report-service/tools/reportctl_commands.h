// The commands of reportctl, as a library that tests link: generate
// (write documents), check (print the findings) and reconcile (compare a
// published annex). Each retries a briefly unavailable report-server (or
// registry behind it) with exponential backoff under an overall deadline
// and returns the process's exit status.
#ifndef REPORT_SERVICE_TOOLS_REPORTCTL_COMMANDS_H_
#define REPORT_SERVICE_TOOLS_REPORTCTL_COMMANDS_H_

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "report-service/tools/report_client.h"
#include "report-service/tools/retry.h"
#include "report/v1/report_service.pb.h"

namespace missions::report {

// Exit statuses of reportctl.
inline constexpr int kExitOk = 0;
// The work failed: a server unreachable until the deadline, an unknown
// year, a bad file, a write error.
inline constexpr int kExitFailure = 1;
// Wrong usage: an unknown command, flag value or missing argument.
inline constexpr int kExitUsage = 2;
// The work was done, and the checks found an error (generate, check) or
// the published table differs from the registry's (reconcile).
inline constexpr int kExitFindings = 3;

// What every command needs.
struct CommandContext {
  const ReportClient* client = nullptr;
  Clock* clock = nullptr;
  RetryPolicy retry;
  // The longest the whole command may take, retries included.
  absl::Duration deadline = absl::Minutes(5);
  // Results (check, reconcile) go to `out`, progress and errors to `err`.
  FILE* out = stdout;
  FILE* err = stderr;
};

// Which registry state to read: the current one, or as it was at a
// revision or a moment (--as_of).
struct ReadPoint {
  // 1 or greater; 0: not a revision.
  int64_t revision = 0;
  std::optional<absl::Time> time;
};

struct GenerateOptions {
  int year = 0;
  ReadPoint as_of;
  std::vector<::report::v1::ReportFormat> formats;
  // "nl", "en".
  std::vector<std::string> languages;
  // A file (one document) or an existing directory (several; the files
  // get the server's stable names).
  std::string output;
  bool output_is_directory = false;
  std::optional<absl::Time> generation_time;
  bool omit_checks = false;
  int expiring_horizon_days = 0;
};

// Writes every requested document, each atomically, all from one registry
// revision: the first document is built from `options.as_of` and states its
// revision, the others are asked as of that revision (a document the
// server built from another revision is a failure). Stops at the first
// document that cannot be produced. Returns kExitOk, kExitFailure, or
// kExitFindings when all were written and the checks found an error.
int RunGenerate(const GenerateOptions& options, const CommandContext& context);

// Prints the findings of `year`'s checks; kExitFindings if one is an
// error.
int RunCheck(int year, const std::string& language, const ReadPoint& as_of,
             const CommandContext& context);

// Compares the published annex CSV at `path` with the registry's and
// prints every differing cell with its reason; kExitFindings if any
// differs, kExitFailure if the file cannot be read or is refused.
int RunReconcile(int year, const std::string& language,
                 const ReadPoint& as_of, const std::string& path,
                 const CommandContext& context);

// Parses --format: "all" or a comma-separated list of markdown, html,
// pdf, json, annex1-csv, annex2-csv. InvalidArgument for anything else.
absl::StatusOr<std::vector<::report::v1::ReportFormat>> ParseFormats(
    absl::string_view flag);

// Parses --language: "nl", "en" or "all" (both). InvalidArgument else.
absl::StatusOr<std::vector<std::string>> ParseLanguages(absl::string_view flag);

// Parses --as_of: "" (now), a revision number ("12") or an RFC 3339 time.
// InvalidArgument else.
absl::StatusOr<ReadPoint> ParseAsOf(absl::string_view flag);

// Parses --generation_time: "" (none), "now" (`now`, to the second) or an
// RFC 3339 time ("2021-05-19T07:30:00Z"). InvalidArgument else.
absl::StatusOr<std::optional<absl::Time>> ParseGenerationTime(
    absl::string_view flag, absl::Time now);

}  // namespace missions::report

#endif  // REPORT_SERVICE_TOOLS_REPORTCTL_COMMANDS_H_
