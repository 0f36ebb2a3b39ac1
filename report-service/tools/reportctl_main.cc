// reportctl: command-line client of report-server for people and scheduled
// jobs. Writes each document atomically.
//
// Exit status: 0 success; 1 the report could not be produced (server or
// registry unreachable, unknown year, write error); 2 wrong usage.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "proto/common/command_line.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "proto/common/errors.h"
#include "report-service/tools/atomic_file.h"
#include "report/v1/report_service.grpc.pb.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50052", "host:port of report-server");
ABSL_FLAG(int, year, 0, "the year reported on, e.g. 2020 (required)");
ABSL_FLAG(std::string, format, "markdown",
          "markdown, annex1-csv, annex2-csv, or all (every format)");
ABSL_FLAG(std::string, language, "nl", "nl, en, or all (both)");
ABSL_FLAG(std::string, output, "",
          "file to write; a directory when --format or --language is 'all' "
          "(files get stable names such as vkm-2020-nl.md). Required.");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(60),
          "deadline of each request, e.g. 60s");

namespace {

namespace rv1 = ::report::v1;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct FormatChoice {
  const char* flag_value;
  rv1::ReportFormat format;
};
constexpr FormatChoice kFormats[] = {
    {"markdown", rv1::REPORT_FORMAT_MARKDOWN},
    {"annex1-csv", rv1::REPORT_FORMAT_ANNEX1_CSV},
    {"annex2-csv", rv1::REPORT_FORMAT_ANNEX2_CSV},
};

int Usage(const std::string& message) {
  std::fprintf(stderr, "reportctl: %s\nRun 'reportctl --help' for usage.\n",
               message.c_str());
  return kExitUsage;
}

// Requests one document and writes it to `path`, or into `directory` under
// the server's file name when `path` is empty.
int GenerateOne(rv1::ReportService::Stub& stub, int year, rv1::ReportFormat format,
                const std::string& language, const std::string& path,
                const std::string& directory, absl::Duration timeout) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(timeout));
  rv1::GenerateReportRequest request;
  request.set_year(year);
  request.set_format(format);
  request.set_language(language);
  rv1::GenerateReportResponse response;
  const grpc::Status status = stub.GenerateReport(&context, request, &response);
  if (!status.ok()) {
    const absl::Status error = missions::FromGrpcStatus(status);
    std::string hint;
    if (absl::IsUnavailable(error) || absl::IsDeadlineExceeded(error)) {
      hint = " (is report-server running at --server, and registry-server behind it?)";
    }
    std::fprintf(stderr, "reportctl: cannot generate %s %s (%s): %s%s\n",
                 rv1::ReportFormat_Name(format).c_str(), language.c_str(),
                 absl::StatusCodeToString(error.code()).c_str(),
                 std::string(error.message()).c_str(), hint.c_str());
    return kExitFailure;
  }
  const std::string target =
      path.empty() ? absl::StrCat(directory, "/", response.file_name()) : path;
  const absl::Status written =
      missions::report::WriteFileAtomically(target, response.content());
  if (!written.ok()) {
    std::fprintf(stderr, "reportctl: %s\n", std::string(written.message()).c_str());
    return kExitFailure;
  }
  std::fprintf(stderr, "reportctl: wrote %s (%zu bytes, %s)\n", target.c_str(),
               response.content().size(), response.media_type().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> positional = missions::ParseCommandLine(
      argc, argv,
      "Generates the yearly progress report on small mission contributions.\n"
      "Usage: reportctl generate --year=YEAR [--format=markdown|annex1-csv|"
      "annex2-csv|all] [--language=nl|en|all] --output=PATH "
      "[--server=HOST:PORT]\n"
      "Exit status: 0 success, 1 failure, 2 wrong usage.");
  if (positional.size() != 2 || std::string(positional[1]) != "generate") {
    return Usage("expected exactly one command: generate");
  }
  const int year = absl::GetFlag(FLAGS_year);
  if (year == 0) return Usage("--year is required, e.g. --year=2020");
  const std::string output = absl::GetFlag(FLAGS_output);
  if (output.empty()) return Usage("--output is required");

  std::vector<rv1::ReportFormat> formats;
  const std::string format_flag = absl::GetFlag(FLAGS_format);
  for (const FormatChoice& choice : kFormats) {
    if (format_flag == "all" || format_flag == choice.flag_value) {
      formats.push_back(choice.format);
    }
  }
  if (formats.empty()) {
    return Usage(absl::StrCat("unknown --format '", format_flag,
                              "'; use markdown, annex1-csv, annex2-csv or all"));
  }
  const std::string language_flag = absl::GetFlag(FLAGS_language);
  std::vector<std::string> languages;
  if (language_flag == "all") {
    languages = {"nl", "en"};
  } else if (language_flag == "nl" || language_flag == "en") {
    languages = {language_flag};
  } else {
    return Usage(absl::StrCat("unknown --language '", language_flag,
                              "'; use nl, en or all"));
  }
  const bool many = formats.size() * languages.size() > 1;

  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  auto channel = grpc::CreateCustomChannel(absl::GetFlag(FLAGS_server),
                                           grpc::InsecureChannelCredentials(), args);
  auto stub = rv1::ReportService::NewStub(channel);
  int exit_code = 0;
  for (const std::string& language : languages) {
    for (rv1::ReportFormat format : formats) {
      const int code = GenerateOne(*stub, year, format, language,
                                   many ? "" : output, many ? output : "",
                                   absl::GetFlag(FLAGS_timeout));
      if (code != 0) exit_code = code;
      if (code != 0) return exit_code;  // the cause is the same for the rest
    }
  }
  return exit_code;
}
