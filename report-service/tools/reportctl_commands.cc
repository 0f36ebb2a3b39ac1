#include "report-service/tools/reportctl_commands.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "report-service/tools/atomic_file.h"

namespace missions::report {
namespace {

namespace rv1 = ::report::v1;

struct FormatName {
  absl::string_view name;
  rv1::ReportFormat format;
};
constexpr FormatName kFormats[] = {
    {"markdown", rv1::REPORT_FORMAT_MARKDOWN},
    {"html", rv1::REPORT_FORMAT_HTML},
    {"pdf", rv1::REPORT_FORMAT_PDF},
    {"json", rv1::REPORT_FORMAT_JSON},
    {"annex1-csv", rv1::REPORT_FORMAT_ANNEX1_CSV},
    {"annex2-csv", rv1::REPORT_FORMAT_ANNEX2_CSV},
};

absl::string_view FormatFlagName(rv1::ReportFormat format) {
  for (const FormatName& name : kFormats) {
    if (name.format == format) return name.name;
  }
  return "?";
}

// Prints why a request failed, with a hint for the codes that mean "the
// service is not there".
void ReportFailure(FILE* err, absl::string_view what,
                   const absl::Status& status) {
  std::string hint;
  if (absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status)) {
    hint =
        " (is report-server running at --server, and registry-server behind "
        "it? gave up at the --deadline)";
  }
  std::fprintf(err, "reportctl: cannot %.*s (%s): %s%s\n",
               static_cast<int>(what.size()), what.data(),
               absl::StatusCodeToString(status.code()).c_str(),
               std::string(status.message()).c_str(), hint.c_str());
}

std::function<void(const absl::Status&, absl::Duration)> RetryLogger(
    FILE* err, std::string what) {
  return [err, what = std::move(what)](const absl::Status& status,
                                      absl::Duration wait) {
    std::fprintf(err, "reportctl: %s: %s (%s); retrying in %s\n", what.c_str(),
                 absl::StatusCodeToString(status.code()).c_str(),
                 std::string(status.message()).c_str(),
                 absl::FormatDuration(wait).c_str());
  };
}

// A file name from the server is used only if it is a plain name.
bool IsPlainFileName(absl::string_view name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find('/') == absl::string_view::npos &&
         name.find('\0') == absl::string_view::npos;
}

absl::string_view SeverityName(rv1::Severity severity) {
  switch (severity) {
    case rv1::SEVERITY_ERROR:
      return "ERROR";
    case rv1::SEVERITY_WARNING:
      return "WARNING";
    case rv1::SEVERITY_INFO:
      return "NOTE";
    default:
      return "?";
  }
}

// Sets a request's `as_of` oneof from `as_of`.
template <typename Request>
void SetAsOf(const ReadPoint& as_of, Request& request) {
  if (as_of.revision > 0) {
    request.set_as_of_revision(as_of.revision);
  } else if (as_of.time.has_value()) {
    const absl::Duration since = *as_of.time - absl::UnixEpoch();
    const int64_t seconds = absl::ToInt64Seconds(since);
    request.mutable_as_of_time()->set_seconds(seconds);
    request.mutable_as_of_time()->set_nanos(static_cast<int32_t>(
        absl::ToInt64Nanoseconds(since - absl::Seconds(seconds))));
  }
}

std::string OrEmpty(const std::string& value) {
  return value.empty() ? "(empty)" : absl::StrCat("\"", value, "\"");
}

}  // namespace

int RunGenerate(const GenerateOptions& options, const CommandContext& context) {
  const absl::Time deadline = context.clock->Now() + context.deadline;
  int error_findings = 0;
  // Every document of the run is built from one registry revision: the
  // first from `options.as_of` (now, a time or a revision), the others as
  // of the revision the first states, whatever is written meanwhile.
  ReadPoint read_point = options.as_of;
  for (const std::string& language : options.languages) {
    for (const rv1::ReportFormat format : options.formats) {
      rv1::GenerateReportRequest request;
      request.set_year(options.year);
      request.set_format(format);
      request.set_language(language);
      request.set_omit_checks(options.omit_checks);
      request.set_expiring_mandates_horizon_days(options.expiring_horizon_days);
      SetAsOf(read_point, request);
      if (options.generation_time.has_value()) {
        request.mutable_generation_time()->set_seconds(
            absl::ToUnixSeconds(*options.generation_time));
      }
      const std::string what =
          absl::StrCat("generate ", FormatFlagName(format), " ", language);
      std::unique_ptr<AtomicFileWriter> writer;
      rv1::ReportDocumentInfo info;
      const absl::Status status = RetryWithBackoff(
          [&](absl::Time attempt_deadline) -> absl::Status {
            writer.reset();  // A failed attempt's part is thrown away.
            absl::StatusOr<rv1::ReportDocumentInfo> received =
                context.client->StreamDocument(
                    request, attempt_deadline,
                    [&](const rv1::ReportDocumentInfo& document,
                        absl::string_view chunk) -> absl::Status {
                      if (writer == nullptr) {
                        std::string path = options.output;
                        if (options.output_is_directory) {
                          if (!IsPlainFileName(document.file_name())) {
                            return absl::InternalError(absl::StrCat(
                                "the server proposed the file name '",
                                document.file_name(), "'"));
                          }
                          path = absl::StrCat(options.output, "/",
                                              document.file_name());
                        }
                        absl::StatusOr<std::unique_ptr<AtomicFileWriter>>
                            opened = AtomicFileWriter::Open(path);
                        if (!opened.ok()) return opened.status();
                        writer = *std::move(opened);
                      }
                      return writer->Append(chunk);
                    });
            if (!received.ok()) return received.status();
            info = *std::move(received);
            return absl::OkStatus();
          },
          context.retry, deadline, *context.clock,
          RetryLogger(context.err, what));
      absl::Status written = status;
      if (written.ok() && writer == nullptr) {
        written = absl::InternalError("the server sent no document");
      }
      if (written.ok() && read_point.revision > 0 &&
          info.registry_revision() != read_point.revision) {
        written = absl::InternalError(absl::StrCat(
            "the server built it from registry revision ", info.registry_revision(),
            ", not from revision ", read_point.revision, " as asked"));
      }
      if (written.ok()) written = writer->Commit();
      if (!written.ok()) {
        ReportFailure(context.err, what, written);
        return kExitFailure;
      }
      std::fprintf(context.err,
                   "reportctl: wrote %s (%zu bytes, %s, registry revision "
                   "%lld)\n",
                   writer->path().c_str(), writer->size(),
                   info.media_type().c_str(),
                   static_cast<long long>(info.registry_revision()));
      error_findings = std::max(error_findings, info.error_findings());
      if (read_point.revision == 0 && info.registry_revision() > 0) {
        read_point.revision = info.registry_revision();
        read_point.time.reset();
      }
    }
  }
  if (error_findings > 0) {
    std::fprintf(context.err,
                 "reportctl: the checks of %d found %d error(s); see the "
                 "checks annex or run 'reportctl check --year=%d'\n",
                 options.year, error_findings, options.year);
    return kExitFindings;
  }
  return kExitOk;
}

int RunCheck(int year, const std::string& language, const ReadPoint& as_of,
             const CommandContext& context) {
  const absl::Time deadline = context.clock->Now() + context.deadline;
  rv1::CheckReportRequest request;
  request.set_year(year);
  request.set_language(language);
  SetAsOf(as_of, request);
  rv1::CheckReportResponse response;
  const absl::Status status = RetryWithBackoff(
      [&](absl::Time attempt_deadline) -> absl::Status {
        absl::StatusOr<rv1::CheckReportResponse> result =
            context.client->Check(request, attempt_deadline);
        if (!result.ok()) return result.status();
        response = *std::move(result);
        return absl::OkStatus();
      },
      context.retry, deadline, *context.clock,
      RetryLogger(context.err, "check"));
  if (!status.ok()) {
    ReportFailure(context.err, absl::StrCat("check ", year), status);
    return kExitFailure;
  }
  std::fprintf(context.out,
               "Checks of %d at registry revision %lld: %d error(s), %d "
               "warning(s), %d note(s).\n",
               year, static_cast<long long>(response.registry_revision()),
               response.error_count(), response.warning_count(),
               response.info_count());
  for (const rv1::Finding& finding : response.findings()) {
    const absl::string_view severity = SeverityName(finding.severity());
    std::fprintf(context.out, "\n%.*s %s\n  %s\n",
                 static_cast<int>(severity.size()), severity.data(),
                 finding.check().c_str(), finding.message().c_str());
    if (!finding.records().empty()) {
      std::fprintf(context.out, "  records: %s\n",
                   absl::StrJoin(finding.records(), ", ").c_str());
    }
  }
  return response.error_count() > 0 ? kExitFindings : kExitOk;
}

int RunReconcile(int year, const std::string& language,
                 const ReadPoint& as_of, const std::string& path,
                 const CommandContext& context) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(context.err, "reportctl: cannot read %s\n", path.c_str());
    return kExitFailure;
  }
  std::ostringstream content;
  content << in.rdbuf();
  const absl::Time deadline = context.clock->Now() + context.deadline;
  rv1::ReconcileAnnexRequest request;
  request.set_year(year);
  request.set_language(language);
  request.set_published_csv(content.str());
  SetAsOf(as_of, request);
  rv1::ReconcileAnnexResponse response;
  const absl::Status status = RetryWithBackoff(
      [&](absl::Time attempt_deadline) -> absl::Status {
        absl::StatusOr<rv1::ReconcileAnnexResponse> result =
            context.client->Reconcile(request, attempt_deadline);
        if (!result.ok()) return result.status();
        response = *std::move(result);
        return absl::OkStatus();
      },
      context.retry, deadline, *context.clock,
      RetryLogger(context.err, "reconcile"));
  if (!status.ok()) {
    ReportFailure(context.err, absl::StrCat("reconcile ", path), status);
    return kExitFailure;
  }
  std::fprintf(context.out,
               "%s compared with annex %d of %d at registry revision %lld: "
               "%d row(s), %d cell(s) differ.\n",
               path.c_str(), response.annex(), year,
               static_cast<long long>(response.registry_revision()),
               response.rows_compared(), response.differences_size());
  for (const rv1::CellDifference& difference : response.differences()) {
    if (difference.column().empty()) {
      std::fprintf(context.out, "\n%s: %s\n",
                   difference.row().c_str(),
                   difference.published().empty()
                       ? "row missing from the published table"
                       : "row not in the registry's annex");
    } else {
      std::fprintf(context.out, "\n%s, %s: published %s, registry %s\n",
                   difference.row().c_str(), difference.column().c_str(),
                   OrEmpty(difference.published()).c_str(),
                   OrEmpty(difference.registry()).c_str());
    }
    if (!difference.reason().empty()) {
      std::fprintf(context.out, "  %s\n", difference.reason().c_str());
    }
  }
  return response.differences().empty() ? kExitOk : kExitFindings;
}

absl::StatusOr<std::vector<rv1::ReportFormat>> ParseFormats(
    absl::string_view flag) {
  std::vector<rv1::ReportFormat> formats;
  if (flag == "all") {
    for (const FormatName& name : kFormats) formats.push_back(name.format);
    return formats;
  }
  for (absl::string_view part : absl::StrSplit(flag, ',')) {
    part = absl::StripAsciiWhitespace(part);
    bool known = false;
    for (const FormatName& name : kFormats) {
      if (name.name == part) {
        known = true;
        if (std::find(formats.begin(), formats.end(), name.format) ==
            formats.end()) {
          formats.push_back(name.format);
        }
      }
    }
    if (!known) {
      std::vector<std::string> names;
      for (const FormatName& name : kFormats) names.emplace_back(name.name);
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown --format '", part, "'; use ", absl::StrJoin(names, ", "),
          " (several separated by commas) or all"));
    }
  }
  return formats;
}

absl::StatusOr<std::vector<std::string>> ParseLanguages(absl::string_view flag) {
  if (flag == "all") return std::vector<std::string>{"nl", "en"};
  if (flag == "nl" || flag == "en") {
    return std::vector<std::string>{std::string(flag)};
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown --language '", flag, "'; use nl, en or all"));
}

absl::StatusOr<ReadPoint> ParseAsOf(absl::string_view flag) {
  ReadPoint point;
  if (flag.empty()) return point;
  if (absl::SimpleAtoi(flag, &point.revision)) {
    if (point.revision < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("--as_of revision ", flag, " must be 1 or greater"));
    }
    return point;
  }
  point.revision = 0;
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, flag, &time, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--as_of '", flag,
        "' is neither a revision number nor an RFC 3339 time such as "
        "2021-05-19T07:30:00Z: ",
        error));
  }
  point.time = time;
  return point;
}

absl::StatusOr<std::optional<absl::Time>> ParseGenerationTime(
    absl::string_view flag, absl::Time now) {
  if (flag.empty()) return std::optional<absl::Time>();
  if (flag == "now") {
    return std::optional<absl::Time>(
        absl::FromUnixSeconds(absl::ToUnixSeconds(now)));
  }
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, flag, &time, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--generation_time '", flag,
        "' is not now or an RFC 3339 time such as 2021-05-19T07:30:00Z: ",
        error));
  }
  return std::optional<absl::Time>(time);
}

}  // namespace missions::report
