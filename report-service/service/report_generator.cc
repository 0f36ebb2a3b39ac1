#include "report-service/service/report_generator.h"

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "proto/common/errors.h"
#include "proto/common/status_macros.h"
#include "report-service/report/labels.h"
#include "report-service/report/reconcile.h"
#include "report-service/report/render_csv.h"
#include "report-service/report/render_html.h"
#include "report-service/report/render_json.h"
#include "report-service/report/render_markdown.h"
#include "report-service/report/render_pdf.h"
#include "report-service/report/report_assembly.h"

namespace missions::report {

namespace rv1 = ::report::v1;

namespace {

// The first and last year a report can be asked for (the registry's range).
constexpr int kMinYear = 1945;
constexpr int kMaxYear = 2100;

// The largest published table ReconcileAnnex accepts.
constexpr size_t kMaxPublishedCsvBytes = 1024 * 1024;

// The range of google.protobuf.Timestamp: 0001-01-01 to 9999-12-31.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

void CheckYear(int year, ViolationList& violations) {
  if (year < kMinYear || year > kMaxYear) {
    violations.Add("year",
                   absl::StrCat("must be between ", kMinYear, " and ", kMaxYear));
  }
}

std::optional<Language> CheckLanguage(const std::string& code,
                                      ViolationList& violations) {
  absl::StatusOr<Language> language = ParseLanguage(code);
  if (!language.ok()) {
    violations.Add("language", std::string(language.status().message()));
    return std::nullopt;
  }
  return *language;
}

// The registry's read point from a request's `as_of` oneof (`revision`
// 0 and an unset time: now). A negative revision is a violation.
template <typename Request>
::registry::v1::AsOf AsOfOf(const Request& request, ViolationList& violations) {
  ::registry::v1::AsOf as_of;
  if (request.has_as_of_revision()) {
    if (request.as_of_revision() < 1) {
      violations.Add("as_of_revision", "must be 1 or greater");
    } else {
      as_of.set_revision(request.as_of_revision());
    }
  } else if (request.has_as_of_time()) {
    *as_of.mutable_time() = request.as_of_time();
  }
  return as_of;
}

rv1::Severity ToProto(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return rv1::SEVERITY_ERROR;
    case Severity::kWarning:
      return rv1::SEVERITY_WARNING;
    case Severity::kInfo:
      return rv1::SEVERITY_INFO;
  }
  return rv1::SEVERITY_UNSPECIFIED;
}

}  // namespace

std::string ReportFileName(int year, absl::string_view language,
                           rv1::ReportFormat format) {
  const std::string base = absl::StrCat("vkm-", year, "-", language);
  switch (format) {
    case rv1::REPORT_FORMAT_MARKDOWN:
      return absl::StrCat(base, ".md");
    case rv1::REPORT_FORMAT_ANNEX1_CSV:
      return absl::StrCat(base, "-annex1.csv");
    case rv1::REPORT_FORMAT_ANNEX2_CSV:
      return absl::StrCat(base, "-annex2.csv");
    case rv1::REPORT_FORMAT_HTML:
      return absl::StrCat(base, ".html");
    case rv1::REPORT_FORMAT_PDF:
      return absl::StrCat(base, ".pdf");
    case rv1::REPORT_FORMAT_JSON:
      return absl::StrCat(base, ".json");
    default:
      return base;
  }
}

std::string ReportMediaType(rv1::ReportFormat format) {
  switch (format) {
    case rv1::REPORT_FORMAT_MARKDOWN:
      return "text/markdown; charset=utf-8";
    case rv1::REPORT_FORMAT_ANNEX1_CSV:
    case rv1::REPORT_FORMAT_ANNEX2_CSV:
      return "text/csv; charset=utf-8; header=present";
    case rv1::REPORT_FORMAT_HTML:
      return "text/html; charset=utf-8";
    case rv1::REPORT_FORMAT_PDF:
      return "application/pdf";
    case rv1::REPORT_FORMAT_JSON:
      return "application/json";
    default:
      return "application/octet-stream";
  }
}

absl::StatusOr<rv1::GenerateReportResponse> ReportGenerator::Generate(
    const rv1::GenerateReportRequest& request, GenerationTimings* timings,
    const grpc::ServerContextBase* caller) const {
  ViolationList violations;
  CheckYear(request.year(), violations);
  const bool known_format =
      rv1::ReportFormat_IsValid(request.format()) &&
      request.format() != rv1::REPORT_FORMAT_UNSPECIFIED;
  if (!known_format) {
    violations.Add("format",
                   "must be REPORT_FORMAT_MARKDOWN, REPORT_FORMAT_HTML, "
                   "REPORT_FORMAT_PDF, REPORT_FORMAT_JSON, "
                   "REPORT_FORMAT_ANNEX1_CSV or REPORT_FORMAT_ANNEX2_CSV");
  }
  const std::optional<Language> language =
      CheckLanguage(request.language(), violations);
  if (request.expiring_mandates_horizon_days() < 0 ||
      request.expiring_mandates_horizon_days() > kMaxExpiringHorizonDays) {
    violations.Add("expiring_mandates_horizon_days",
                   absl::StrCat("must be 0 (the default, ",
                                kDefaultExpiringHorizonDays, ") to ",
                                kMaxExpiringHorizonDays));
  }
  ReportOptions options;
  if (request.has_generation_time()) {
    const google::protobuf::Timestamp& time = request.generation_time();
    if (time.seconds() < kMinTimestampSeconds ||
        time.seconds() > kMaxTimestampSeconds || time.nanos() < 0 ||
        time.nanos() > 999999999) {
      violations.Add("generation_time",
                     "must be a valid timestamp (0001-01-01 to 9999-12-31)");
    } else {
      options.generation_time = absl::FromUnixSeconds(time.seconds());
    }
  }
  const ::registry::v1::AsOf as_of = AsOfOf(request, violations);
  RETURN_IF_ERROR(violations.ToStatus("invalid GenerateReport request"));

  GenerationTimings local_timings;
  GenerationTimings& timing = timings != nullptr ? *timings : local_timings;
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(YearData data,
                   registry_->FetchYearDataset(request.year(), as_of, caller));
  timing.fetch_ms = MillisSince(start);

  start = std::chrono::steady_clock::now();
  options.registry_revision = data.revision;
  options.expiring_horizon_days = request.expiring_mandates_horizon_days() == 0
                                      ? kDefaultExpiringHorizonDays
                                      : request.expiring_mandates_horizon_days();
  options.include_checks = !request.omit_checks();
  ASSIGN_OR_RETURN(ReportModel model, AssembleReport(data.records, request.year(),
                                                     *language, options));
  timing.assemble_ms = MillisSince(start);

  start = std::chrono::steady_clock::now();
  rv1::GenerateReportResponse response;
  switch (request.format()) {
    case rv1::REPORT_FORMAT_MARKDOWN:
      response.set_content(RenderMarkdown(model));
      break;
    case rv1::REPORT_FORMAT_ANNEX1_CSV:
      response.set_content(RenderAnnex1Csv(model));
      break;
    case rv1::REPORT_FORMAT_ANNEX2_CSV:
      response.set_content(RenderAnnex2Csv(model));
      break;
    case rv1::REPORT_FORMAT_JSON:
      response.set_content(RenderJson(model));
      break;
    case rv1::REPORT_FORMAT_HTML:
      response.set_content(RenderHtml(model));
      break;
    case rv1::REPORT_FORMAT_PDF: {
      ASSIGN_OR_RETURN(std::string pdf, RenderPdf(model));
      response.set_content(std::move(pdf));
      break;
    }
    default:
      return absl::InvalidArgumentError("unknown format");  // Checked above.
  }
  timing.render_ms = MillisSince(start);
  response.set_media_type(ReportMediaType(request.format()));
  response.set_file_name(
      ReportFileName(request.year(), LanguageCode(*language), request.format()));
  response.set_registry_revision(data.revision);
  response.set_error_findings(model.checks.error_count);
  return response;
}

absl::StatusOr<rv1::CheckReportResponse> ReportGenerator::Check(
    const rv1::CheckReportRequest& request,
    const grpc::ServerContextBase* caller) const {
  ViolationList violations;
  CheckYear(request.year(), violations);
  const std::optional<Language> language =
      CheckLanguage(request.language(), violations);
  const ::registry::v1::AsOf as_of = AsOfOf(request, violations);
  RETURN_IF_ERROR(violations.ToStatus("invalid CheckReport request"));

  ASSIGN_OR_RETURN(YearData data,
                   registry_->FetchYearDataset(request.year(), as_of, caller));
  ReportOptions options;
  options.registry_revision = data.revision;
  ASSIGN_OR_RETURN(ReportModel model, AssembleReport(data.records, request.year(),
                                                     *language, options));
  rv1::CheckReportResponse response;
  for (const Finding& finding : model.checks.findings) {
    rv1::Finding* out = response.add_findings();
    out->set_severity(ToProto(finding.severity));
    out->set_check(finding.check);
    for (const std::string& record : finding.records) out->add_records(record);
    out->set_message(finding.message);
  }
  response.set_registry_revision(data.revision);
  response.set_error_count(model.checks.error_count);
  response.set_warning_count(model.checks.warning_count);
  response.set_info_count(model.checks.info_count);
  return response;
}

absl::StatusOr<rv1::ReconcileAnnexResponse> ReportGenerator::Reconcile(
    const rv1::ReconcileAnnexRequest& request,
    const grpc::ServerContextBase* caller) const {
  ViolationList violations;
  CheckYear(request.year(), violations);
  const std::optional<Language> language =
      CheckLanguage(request.language(), violations);
  if (request.published_csv().empty()) {
    violations.Add("published_csv", "is required");
  } else if (request.published_csv().size() > kMaxPublishedCsvBytes) {
    violations.Add("published_csv", "must be at most 1 MiB");
  }
  const ::registry::v1::AsOf as_of = AsOfOf(request, violations);
  RETURN_IF_ERROR(violations.ToStatus("invalid ReconcileAnnex request"));

  ASSIGN_OR_RETURN(YearData data,
                   registry_->FetchYearDataset(request.year(), as_of, caller));
  ReportOptions options;
  options.registry_revision = data.revision;
  ASSIGN_OR_RETURN(ReportModel model, AssembleReport(data.records, request.year(),
                                                     *language, options));
  absl::StatusOr<Reconciliation> reconciliation =
      ReconcileAnnex(data.records, model, request.published_csv());
  if (!reconciliation.ok()) {
    if (!absl::IsInvalidArgument(reconciliation.status())) {
      return reconciliation.status();
    }
    ViolationList csv;
    csv.Add("published_csv", std::string(reconciliation.status().message()));
    return csv.ToStatus("invalid ReconcileAnnex request");
  }
  rv1::ReconcileAnnexResponse response;
  response.set_annex(reconciliation->annex);
  response.set_registry_revision(data.revision);
  response.set_rows_compared(reconciliation->rows_compared);
  for (const CellDifference& difference : reconciliation->differences) {
    rv1::CellDifference* out = response.add_differences();
    out->set_mission(difference.mission);
    out->set_row(difference.row);
    out->set_column(difference.column);
    out->set_published(difference.published);
    out->set_registry(difference.registry);
    out->set_reason(difference.reason);
  }
  return response;
}

}  // namespace missions::report
