// Renders the annex tables of the report model as CSV for spreadsheets and
// analysis.
//
// Contract: UTF-8 without byte order mark; RFC 4180 (CRLF line ends; a
// field containing a comma, a double quote, CR or LF is quoted, inner
// quotes doubled); a header row; one row per mission in report order; then
// a totals row whose `mission` is `Totaal` (in every language). An empty
// cell means "not applicable" or "not known". Region cells hold the
// region's name in the report's language.
#ifndef REPORT_SERVICE_REPORT_RENDER_CSV_H_
#define REPORT_SERVICE_REPORT_RENDER_CSV_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "report-service/report/report_model.h"

namespace missions::report {

// Annex 1, columns
// `region,mission,legal_basis,international_mandate_until,national_mandate_until`.
// `mission` is the short name with the location ("EULEX (Kosovo)"); end
// dates are ISO dates ("2021-06-14"), other ends are words in the report's
// language ("Onbepaald"), a qualifier follows in parentheses. Annex 1 has
// no numbers: its totals row is empty except for `mission`.
std::string RenderAnnex1Csv(const ReportModel& model);

// Annex 2, columns `region,mission,mandate_military,mandate_civilian,
// mandate_combined,deployed_military,deployed_civilian,deployed_total,note`.
// `mission` is the short name. Numbers are plain integers. `note` joins the
// row's notes and the texts of its footnotes (capacity notes) with "; ".
// The totals row counts every cap once and leaves `region` and `note`
// empty.
std::string RenderAnnex2Csv(const ReportModel& model);

// One CSV record: the fields, quoted where RFC 4180 requires it, separated
// by commas and ended by CRLF.
std::string CsvRecord(const std::vector<std::string>& fields);

// One field, quoted if it contains a comma, a double quote, CR or LF.
std::string CsvField(absl::string_view field);

}  // namespace missions::report

#endif  // REPORT_SERVICE_REPORT_RENDER_CSV_H_
