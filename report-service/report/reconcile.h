// Reconciliation of a published annex table with the registry: which cells
// of the table as it was published (CSV in the annex contract's columns,
// render_csv.h) differ from what the registry yields, and why, where the
// reason is known. Pure functions, no I/O.
//
// Rows are matched to missions by name: the published `mission` cell
// against each mission's short name, its annex-1 label ("EULEX (Kosovo)"),
// its full names and its recorded aliases, compared in the normal form of
// NormalizedName (report_checks.h). The row whose `mission` is "Totaal" or
// "Total" is the totals row.
//
// Cells are compared as the registry's CSV prints them: numbers as
// integers, texts after normalising typography only (curly and straight
// quotes, runs of white space, a final full stop). Differences in letter
// case, hyphens or spaces are reported: they are other spellings.
//
// Reasons known:
// - a combined or pooled cap that the published table printed in both the
//   military and the civilian column (a merged cell), and the totals that
//   therefore count it twice (the published 2020 annex 2: 1093 / 74
//   against the registry's 1063 / 44 with 30 combined);
// - a published total that is not the sum of its column;
// - a mission or region name that is a recorded alias or another spelling;
// - a legal basis or end date that belongs to an earlier decision than
//   the one in force on the publication date.
#ifndef REPORT_SERVICE_REPORT_RECONCILE_H_
#define REPORT_SERVICE_REPORT_RECONCILE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "registry/v1/registry_service.pb.h"
#include "report-service/report/report_model.h"

namespace missions::report {

// One cell of the published table that differs from the registry's.
struct CellDifference {
  // Resource name of the row's mission; empty for the totals row and for
  // a published row that matches no mission.
  std::string mission;
  // The row as the published table names it, or the registry's name for
  // a row the published table lacks.
  std::string row;
  // The column (CSV header name); empty when a whole row is missing on
  // one side.
  std::string column;
  std::string published;
  std::string registry;
  // Why, in the model's language; empty when unknown.
  std::string reason;
};

struct Reconciliation {
  // 1 or 2: the annex the header matched.
  int annex = 0;
  // Published rows compared (without the header).
  int rows_compared = 0;
  // In the published table's row order (within a row, column order), then
  // the registry's rows the published table lacks.
  std::vector<CellDifference> differences;
};

// Parses RFC 4180 CSV: fields separated by commas, records by CRLF or LF,
// fields with commas, quotes or line breaks in double quotes (inner quotes
// doubled); a byte order mark at the start is skipped, a final line end is
// optional. Returns InvalidArgument naming the line of an unterminated
// quote or of text after a closing quote.
absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(
    absl::string_view text);

// Compares the published annex in `published_csv` with annex 1 or annex 2
// (chosen by the header) of `model`, which was assembled from `data`.
// Returns InvalidArgument if the CSV cannot be parsed, is empty, or its
// header is not exactly the columns of annex 1 or annex 2.
absl::StatusOr<Reconciliation> ReconcileAnnex(
    const ::registry::v1::Dataset& data, const ReportModel& model,
    absl::string_view published_csv);

}  // namespace missions::report

#endif  // REPORT_SERVICE_REPORT_RECONCILE_H_
