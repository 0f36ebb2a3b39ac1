#include "report-service/service/report_generator.h"

#include "absl/strings/str_cat.h"
#include "proto/common/errors.h"
#include "proto/common/status_macros.h"
#include "report-service/report/labels.h"
#include "report-service/report/render_csv.h"
#include "report-service/report/render_markdown.h"
#include "report-service/report/report_assembly.h"

namespace missions::report {

namespace rv1 = ::report::v1;

namespace {

// The first and last year a report can be asked for (the registry's range).
constexpr int kMinYear = 1945;
constexpr int kMaxYear = 2100;

}  // namespace

absl::StatusOr<rv1::GenerateReportResponse> ReportGenerator::Generate(
    const rv1::GenerateReportRequest& request) const {
  ViolationList violations;
  if (request.year() < kMinYear || request.year() > kMaxYear) {
    violations.Add("year", absl::StrCat("must be between ", kMinYear, " and ",
                                        kMaxYear));
  }
  if (request.format() == rv1::REPORT_FORMAT_UNSPECIFIED ||
      !rv1::ReportFormat_IsValid(request.format())) {
    violations.Add("format",
                   "must be REPORT_FORMAT_MARKDOWN, REPORT_FORMAT_ANNEX1_CSV or "
                   "REPORT_FORMAT_ANNEX2_CSV");
  }
  absl::StatusOr<Language> language = ParseLanguage(request.language());
  if (!language.ok()) {
    violations.Add("language", std::string(language.status().message()));
  }
  RETURN_IF_ERROR(violations.ToStatus("invalid GenerateReport request"));

  ASSIGN_OR_RETURN(YearData data, registry_->FetchYearDataset(request.year()));
  ASSIGN_OR_RETURN(ReportModel model,
                   AssembleReport(data.records, request.year(), *language));

  const std::string lang = *language == Language::kEnglish ? "en" : "nl";
  rv1::GenerateReportResponse response;
  switch (request.format()) {
    case rv1::REPORT_FORMAT_MARKDOWN:
      response.set_content(RenderMarkdown(model));
      response.set_media_type("text/markdown; charset=utf-8");
      response.set_file_name(absl::StrCat("vkm-", request.year(), "-", lang, ".md"));
      break;
    case rv1::REPORT_FORMAT_ANNEX1_CSV:
      response.set_content(RenderAnnex1Csv(model));
      response.set_media_type("text/csv; charset=utf-8; header=present");
      response.set_file_name(
          absl::StrCat("vkm-", request.year(), "-", lang, "-annex1.csv"));
      break;
    case rv1::REPORT_FORMAT_ANNEX2_CSV:
      response.set_content(RenderAnnex2Csv(model));
      response.set_media_type("text/csv; charset=utf-8; header=present");
      response.set_file_name(
          absl::StrCat("vkm-", request.year(), "-", lang, "-annex2.csv"));
      break;
    default:
      return absl::InvalidArgumentError("unknown format");  // checked above
  }
  return response;
}

}  // namespace missions::report
