#include "report-service/report/render_csv.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace missions::report {
namespace {

// The word in the totals row, the same in every language so that programs
// can find the row.
constexpr absl::string_view kTotalsMission = "Totaal";

std::string Number(const std::optional<int>& value) {
  return value.has_value() ? absl::StrCat(*value) : "";
}

}  // namespace

std::string CsvField(absl::string_view field) {
  if (field.find_first_of(",\"\r\n") == absl::string_view::npos) {
    return std::string(field);
  }
  return absl::StrCat("\"", absl::StrReplaceAll(field, {{"\"", "\"\""}}), "\"");
}

std::string CsvRecord(const std::vector<std::string>& fields) {
  std::string record;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) record.push_back(',');
    absl::StrAppend(&record, CsvField(fields[i]));
  }
  absl::StrAppend(&record, "\r\n");
  return record;
}

std::string RenderAnnex1Csv(const ReportModel& model) {
  std::string csv =
      CsvRecord({"region", "mission", "legal_basis",
                 "international_mandate_until", "national_mandate_until"});
  for (const Annex1Row& row : model.annex1.rows) {
    absl::StrAppend(
        &csv, CsvRecord({row.region_title, row.mission_title, row.legal_basis,
                         row.international_mandate_until.csv_text,
                         row.national_mandate_until.csv_text}));
  }
  absl::StrAppend(&csv,
                  CsvRecord({"", std::string(kTotalsMission), "", "", ""}));
  return csv;
}

std::string RenderAnnex2Csv(const ReportModel& model) {
  std::string csv =
      CsvRecord({"region", "mission", "mandate_military", "mandate_civilian",
                 "mandate_combined", "deployed_military", "deployed_civilian",
                 "deployed_total", "note"});
  for (const Annex2Row& row : model.annex2.rows) {
    std::vector<std::string> notes = row.notes;
    for (int number : row.footnotes) {
      for (const Footnote& footnote : model.footnotes) {
        if (footnote.number == number) notes.push_back(footnote.text);
      }
    }
    absl::StrAppend(
        &csv,
        CsvRecord({row.region_title, row.short_name,
                   Number(row.mandate_military), Number(row.mandate_civilian),
                   Number(row.mandate_combined), Number(row.deployed_military),
                   Number(row.deployed_civilian), Number(row.deployed_total),
                   absl::StrJoin(notes, "; ")}));
  }
  const Annex2Totals& totals = model.annex2.totals;
  absl::StrAppend(&csv, CsvRecord({"", std::string(kTotalsMission),
                                   absl::StrCat(totals.mandate_military),
                                   absl::StrCat(totals.mandate_civilian),
                                   absl::StrCat(totals.mandate_combined),
                                   absl::StrCat(totals.deployed_military),
                                   absl::StrCat(totals.deployed_civilian),
                                   absl::StrCat(totals.deployed_total), ""}));
  return csv;
}

}  // namespace missions::report
