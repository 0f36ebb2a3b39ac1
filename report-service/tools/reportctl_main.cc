// reportctl: command-line client of report-server for people and scheduled
// jobs (see report-service/docs/README.md).
//
//   reportctl generate --year=2020 [--format=all] [--language=all]
//                      --output=DIR|FILE [--as_of=REVISION|TIME]
//   reportctl check --year=2020 [--language=nl]
//   reportctl reconcile --year=2020 [--language=nl] PUBLISHED.csv
//
// Exit status: 0 success; 1 the work failed (server or registry
// unreachable until --deadline, unknown year, bad file, write error);
// 2 wrong usage; 3 done, but the checks found an error (generate, check)
// or the published table differs (reconcile).
//
// The connection uses TLS and sends a bearer token with every call
// (proto/common/client_channel.h): --ca/--cert/--key, $MISSIONS_CA,
// $MISSIONS_TOKEN_FILE, $MISSIONS_TOKEN, else the checkout's development CA
// and reader token; --plaintext for a server started with --insecure.
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "proto/common/client_flags.h"
#include "proto/common/command_line.h"
#include "report-service/tools/report_client.h"
#include "report-service/tools/reportctl_commands.h"
#include "report-service/tools/retry.h"
#include "report/v1/report_service.grpc.pb.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50052", "host:port of report-server");
ABSL_FLAG(int, year, 0, "the year reported on, e.g. 2020 (required)");
ABSL_FLAG(std::string, format, "markdown",
          "generate: markdown, html, pdf, json, annex1-csv, annex2-csv, a "
          "comma-separated list of these, or all");
ABSL_FLAG(std::string, language, "nl",
          "nl, en, or (generate only) all for both");
ABSL_FLAG(std::string, output, "",
          "generate: the file to write, or an existing directory when "
          "several documents are asked for (stable names such as "
          "vkm-2020-nl.pdf). Required.");
ABSL_FLAG(std::string, generation_time, "",
          "generate: the generation time printed in the documents: now, or "
          "an RFC 3339 time; empty prints none, so that the same registry "
          "state gives the same bytes");
ABSL_FLAG(bool, omit_checks, false,
          "generate: leave the checks annex out of the documents");
ABSL_FLAG(int, expiring_horizon_days, 0,
          "generate: list mandates ending within this many days after "
          "publication (0: the server's default, 365)");
ABSL_FLAG(std::string, as_of, "",
          "read the registry as it was then: a revision (as a report states "
          "it, e.g. 12) or an RFC 3339 time; empty: now. generate builds all "
          "documents of one run from one revision: the first document's");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(60),
          "deadline of each attempt of a request, e.g. 60s");
ABSL_FLAG(absl::Duration, deadline, absl::Minutes(5),
          "the longest the whole command may take, retries of an "
          "unavailable server included, e.g. 5m");

namespace {

using ::missions::report::kExitFailure;
using ::missions::report::kExitUsage;

int Usage(const std::string& message) {
  std::fprintf(stderr, "reportctl: %s\nRun 'reportctl --help' for usage.\n",
               message.c_str());
  return kExitUsage;
}

bool IsDirectory(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> positional = missions::ParseCommandLine(
      argc, argv,
      absl::StrCat(
          "Generates, checks and reconciles the yearly progress report on small "
          "mission contributions through report-server.\n"
          "Usage (every command also takes --as_of=REVISION|TIME):\n"
          "  reportctl generate --year=YEAR [--format=all|markdown,html,...] "
          "[--language=nl|en|all] --output=PATH\n"
          "  reportctl check --year=YEAR [--language=nl|en]\n"
          "  reportctl reconcile --year=YEAR [--language=nl|en] PUBLISHED.csv\n",
          missions::ClientSecurityUsage("reader"),
          "All documents of one generate run are built from one registry "
          "revision (the one the first document states), even while the "
          "registry is written to.\n"
          "Every call of one run carries one W3C trace id (from $TRACEPARENT if "
          "set, else new), written in report-server's and the registry's log "
          "lines of the calls it caused and printed on failure.\n"
          "Exit status: 0 success, 1 failure, 2 wrong usage, 3 the checks found "
          "an error or the published table differs."));
  const std::string command = positional.size() >= 2 ? positional[1] : "";
  if (command != "generate" && command != "check" && command != "reconcile") {
    return Usage("expected a command: generate, check or reconcile");
  }
  const size_t arguments = command == "reconcile" ? 3 : 2;
  if (positional.size() != arguments) {
    return Usage(command == "reconcile"
                     ? "reconcile takes one file: the published annex CSV"
                     : absl::StrCat(command, " takes no arguments"));
  }
  const int year = absl::GetFlag(FLAGS_year);
  if (year == 0) return Usage("--year is required, e.g. --year=2020");
  const std::string language = absl::GetFlag(FLAGS_language);
  absl::StatusOr<missions::report::ReadPoint> as_of =
      missions::report::ParseAsOf(absl::GetFlag(FLAGS_as_of));
  if (!as_of.ok()) return Usage(std::string(as_of.status().message()));

  missions::report::SystemClock clock;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(8 * 1024 * 1024);
  const std::string server = absl::GetFlag(FLAGS_server);
  std::string connection;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      missions::OpenClientChannelFromFlags(server, "reader", args, &connection);
  if (!channel.ok()) {
    std::fprintf(stderr, "reportctl: %s\n",
                 std::string(channel.status().message()).c_str());
    return kExitFailure;
  }
  const missions::report::ReportClient client(
      ::report::v1::ReportService::NewStub(*channel));
  // On failure, say how the connection was made: a refusal is often the
  // wrong CA, token or --plaintext.
  auto finish = [&](int code) {
    if (code == kExitFailure) {
      std::fprintf(stderr, "reportctl: connection to %s: %s; trace id %s (in both servers' logs)\n",
                   server.c_str(), connection.c_str(), client.trace_id().c_str());
    }
    return code;
  };
  missions::report::CommandContext context;
  context.client = &client;
  context.clock = &clock;
  context.retry.attempt_timeout = absl::GetFlag(FLAGS_timeout);
  context.deadline = absl::GetFlag(FLAGS_deadline);

  if (command == "check" || command == "reconcile") {
    if (language != "nl" && language != "en") {
      return Usage(absl::StrCat("unknown --language '", language,
                                "'; use nl or en"));
    }
    return finish(
        command == "check"
            ? missions::report::RunCheck(year, language, *as_of, context)
            : missions::report::RunReconcile(year, language, *as_of,
                                             positional[2], context));
  }

  missions::report::GenerateOptions options;
  options.year = year;
  options.as_of = *as_of;
  absl::StatusOr<std::vector<::report::v1::ReportFormat>> formats =
      missions::report::ParseFormats(absl::GetFlag(FLAGS_format));
  if (!formats.ok()) return Usage(std::string(formats.status().message()));
  options.formats = *formats;
  absl::StatusOr<std::vector<std::string>> languages =
      missions::report::ParseLanguages(language);
  if (!languages.ok()) return Usage(std::string(languages.status().message()));
  options.languages = *languages;
  absl::StatusOr<std::optional<absl::Time>> generation_time =
      missions::report::ParseGenerationTime(
          absl::GetFlag(FLAGS_generation_time), clock.Now());
  if (!generation_time.ok()) {
    return Usage(std::string(generation_time.status().message()));
  }
  options.generation_time = *generation_time;
  options.omit_checks = absl::GetFlag(FLAGS_omit_checks);
  options.expiring_horizon_days = absl::GetFlag(FLAGS_expiring_horizon_days);
  options.output = absl::GetFlag(FLAGS_output);
  if (options.output.empty()) return Usage("--output is required");
  options.output_is_directory =
      options.formats.size() * options.languages.size() > 1;
  if (options.output_is_directory && !IsDirectory(options.output)) {
    return Usage(absl::StrCat("--output '", options.output,
                              "' must be an existing directory when several "
                              "documents are asked for"));
  }
  return finish(missions::report::RunGenerate(options, context));
}
