// The report of the real 2020 data (registry-service/data/vkm-2020.yaml):
// the cross-checks find what a reader of DOMAIN.md expects (and no error),
// and reconciling the published 2020 annex 2 (tests/data/) explains the
// 30-person difference in each mandate column.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry-service/dataset_file/dataset_file.h"
#include "report-service/report/reconcile.h"
#include "report-service/report/render_csv.h"
#include "report-service/report/report_assembly.h"
#include "report-service/report/report_model.h"

#ifndef MISSIONS_SOURCE_DIR
#error "MISSIONS_SOURCE_DIR must name the repository root"
#endif

namespace missions::report {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(absl::StrCat(MISSIONS_SOURCE_DIR, "/", relative),
                   std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const ::registry::v1::Dataset& Data2020() {
  static const ::registry::v1::Dataset* const data = [] {
    auto parsed = registry::ReadDatasetFile(absl::StrCat(
        MISSIONS_SOURCE_DIR, "/registry-service/data/vkm-2020.yaml"));
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    return new ::registry::v1::Dataset(
        parsed.ok() ? parsed->dataset : ::registry::v1::Dataset());
  }();
  return *data;
}

ReportModel Report2020(Language language) {
  absl::StatusOr<ReportModel> model = AssembleReport(Data2020(), 2020, language);
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *std::move(model) : ReportModel{};
}

std::vector<std::string> ChecksOf(const ReportModel& model, Severity severity) {
  std::vector<std::string> checks;
  for (const Finding& finding : model.checks.findings) {
    if (finding.severity == severity) checks.push_back(finding.check);
  }
  return checks;
}

const Finding* FindingAbout(const ReportModel& model, absl::string_view check,
                            absl::string_view record) {
  for (const Finding& finding : model.checks.findings) {
    if (finding.check != check) continue;
    for (const std::string& name : finding.records) {
      if (name == record) return &finding;
    }
  }
  return nullptr;
}

// ----------------------------------------------------------------- checks

TEST(Report2020ChecksTest, NoErrorsOrWarnings) {
  const ReportModel model = Report2020(Language::kDutch);
  EXPECT_THAT(ChecksOf(model, Severity::kError), IsEmpty());
  EXPECT_THAT(ChecksOf(model, Severity::kWarning), IsEmpty());
  EXPECT_EQ(model.checks.error_count, 0);
}

TEST(Report2020ChecksTest, TotalsRecomputedAndCapsCountedOnce) {
  const ReportModel model = Report2020(Language::kDutch);
  const Finding* totals = nullptr;
  for (const Finding& finding : model.checks.findings) {
    if (finding.check == "totals") totals = &finding;
  }
  ASSERT_NE(totals, nullptr);
  EXPECT_THAT(totals->message,
              HasSubstr("mandaat 1063 militair, 44 civiel/IPO en 30 "
                        "gecombineerd"));
  EXPECT_THAT(totals->message, HasSubstr("ingezet 1847 militair, 41 "
                                         "civiel/IPO, 1888 in totaal"));
  const Finding* caps =
      FindingAbout(model, "caps-counted-once", "capPools/eucap-sahel");
  ASSERT_NE(caps, nullptr);
  EXPECT_THAT(caps->message, HasSubstr("EULEX (15)"));
  EXPECT_THAT(caps->message, HasSubstr("30 te hoog"));
}

TEST(Report2020ChecksTest, LegalBasesRenewedDuringTheYear) {
  const ReportModel model = Report2020(Language::kEnglish);
  const Finding* minusma =
      FindingAbout(model, "legal-basis-not-latest", "missions/minusma");
  ASSERT_NE(minusma, nullptr);
  EXPECT_THAT(minusma->message, HasSubstr("UNSC resolution 2480"));
  EXPECT_THAT(minusma->message, HasSubstr("29 June 2020"));
  EXPECT_THAT(minusma->message, HasSubstr("UNSC resolution 2531"));
  EXPECT_NE(FindingAbout(model, "legal-basis-not-latest", "missions/unifil"),
            nullptr);
}

TEST(Report2020ChecksTest, SpellingsAndStatedExceptions) {
  const ReportModel model = Report2020(Language::kDutch);
  const Finding* emasoh =
      FindingAbout(model, "name-variants", "missions/emasoh");
  ASSERT_NE(emasoh, nullptr);
  EXPECT_THAT(emasoh->message, HasSubstr("‘EMASOH’"));
  EXPECT_NE(FindingAbout(model, "name-variants", "missions/eunavfor-med-irini"),
            nullptr);
  // Separately reported missions and headquarters postings: exceptions.
  for (const char* mission :
       {"missions/efp", "missions/resolute-support", "missions/uscentcom"}) {
    EXPECT_NE(FindingAbout(model, "exception", mission), nullptr) << mission;
  }
}

TEST(Report2020ChecksTest, MissingRenewalIsFound) {
  // Without the decision that took resolution 2531, annex 1 would cite
  // 2480 as the published report did; the narrative gives it away.
  ::registry::v1::Dataset data = Data2020();
  for (::registry::v1::MissionRecord& record : *data.mutable_missions()) {
    if (record.mission().name() != "missions/minusma") continue;
    auto* decisions = record.mutable_international_mandates();
    for (int i = 0; i < decisions->size(); ++i) {
      if (absl::EndsWith(decisions->Get(i).name(), "unscr-2531")) {
        decisions->DeleteSubrange(i, 1);
        break;
      }
    }
  }
  absl::StatusOr<ReportModel> model =
      AssembleReport(data, 2020, Language::kDutch);
  ASSERT_TRUE(model.ok());
  const Finding* finding =
      FindingAbout(*model, "legal-basis-not-latest", "missions/minusma");
  ASSERT_NE(finding, nullptr);
  EXPECT_EQ(finding->severity, Severity::kWarning);
  EXPECT_THAT(finding->message, HasSubstr("resolutie 2531"));
  EXPECT_THAT(finding->message, HasSubstr("VNVR resolutie 2480"));
  // And the mandate ran out in June while the mission went on.
  EXPECT_NE(FindingAbout(*model, "international-mandate-lapsed",
                         "missions/minusma"),
            nullptr);
}

// --------------------------------------------------------- reconciliation

TEST(Report2020ReconcileTest, ExplainsThePublishedTotals) {
  const ReportModel model = Report2020(Language::kDutch);
  absl::StatusOr<Reconciliation> result = ReconcileAnnex(
      Data2020(), model,
      ReadSourceFile("tests/data/vkm-2020-published-annex2.csv"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->annex, 2);
  EXPECT_EQ(result->rows_compared, 22);
  const auto totals = [&](absl::string_view column) -> const CellDifference* {
    for (const CellDifference& difference : result->differences) {
      if (difference.row == "Totaal" && difference.column == column) {
        return &difference;
      }
    }
    return nullptr;
  };
  const CellDifference* military = totals("mandate_military");
  ASSERT_NE(military, nullptr);
  EXPECT_EQ(military->published, "1093");
  EXPECT_EQ(military->registry, "1063");
  EXPECT_THAT(military->reason, HasSubstr("1063 + 15 + 15 = 1093"));
  EXPECT_THAT(military->reason, HasSubstr("EULEX (15)"));
  EXPECT_THAT(military->reason, HasSubstr("EUCAP Sahel Mali"));
  const CellDifference* civilian = totals("mandate_civilian");
  ASSERT_NE(civilian, nullptr);
  EXPECT_EQ(civilian->published, "74");
  EXPECT_EQ(civilian->registry, "44");
  EXPECT_THAT(civilian->reason, HasSubstr("44 + 15 + 15 = 74"));
  const CellDifference* combined = totals("mandate_combined");
  ASSERT_NE(combined, nullptr);
  EXPECT_EQ(combined->registry, "30");
  // The deployed totals agree.
  EXPECT_EQ(totals("deployed_military"), nullptr);
  EXPECT_EQ(totals("deployed_total"), nullptr);
  // Every difference has a reason, and the merged cells are explained on
  // their rows.
  for (const CellDifference& difference : result->differences) {
    EXPECT_FALSE(difference.reason.empty())
        << difference.row << " " << difference.column;
  }
  EXPECT_THAT(result->differences,
              Contains(AllOf(Field(&CellDifference::row, "EULEX Kosovo"),
                             Field(&CellDifference::column, "mandate_civilian"),
                             Field(&CellDifference::reason,
                                   HasSubstr("samengevoegde cel")))));
  EXPECT_THAT(result->differences,
              Contains(AllOf(Field(&CellDifference::row, "EMASOH"),
                             Field(&CellDifference::column, "mission"),
                             Field(&CellDifference::reason,
                                   HasSubstr("andere spelling van EMASoH")))));
  // No row is left unmatched on either side.
  for (const CellDifference& difference : result->differences) {
    EXPECT_FALSE(difference.column.empty()) << difference.row;
  }
}

TEST(Report2020ReconcileTest, TheRegistrysOwnAnnexesReconcileWithoutDifferences) {
  const ReportModel model = Report2020(Language::kEnglish);
  for (const std::string& csv :
       {RenderAnnex1Csv(model), RenderAnnex2Csv(model)}) {
    absl::StatusOr<Reconciliation> result =
        ReconcileAnnex(Data2020(), model, csv);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_THAT(result->differences, IsEmpty());
  }
}

TEST(Report2020ReconcileTest, AnOlderLegalBasisIsExplained) {
  const ReportModel model = Report2020(Language::kDutch);
  std::string csv = RenderAnnex1Csv(model);
  const std::string current = "VNVR resolutie 2531";
  csv.replace(csv.find(current), current.size(), "VNVR resolutie 2480");
  absl::StatusOr<Reconciliation> result = ReconcileAnnex(Data2020(), model, csv);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->differences.size(), 1u);
  const CellDifference& difference = result->differences[0];
  EXPECT_EQ(difference.mission, "missions/minusma");
  EXPECT_EQ(difference.column, "legal_basis");
  EXPECT_THAT(difference.reason,
              HasSubstr("missions/minusma/internationalMandates/unscr-2531"));
}

TEST(Report2020ReconcileTest, RejectsAnUnknownHeader) {
  const ReportModel model = Report2020(Language::kDutch);
  absl::StatusOr<Reconciliation> result =
      ReconcileAnnex(Data2020(), model, "a,b\r\n1,2\r\n");
  EXPECT_TRUE(absl::IsInvalidArgument(result.status()));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("annex 2's"));
  EXPECT_TRUE(absl::IsInvalidArgument(
      ReconcileAnnex(Data2020(), model, "region,\"mission\r\n").status()));
}

TEST(ParseCsvTest, QuotedFieldsAndLineEnds) {
  absl::StatusOr<std::vector<std::vector<std::string>>> rows =
      ParseCsv("\xEF\xBB\xBF" "a,\"b,\"\"c\"\"\",\r\n\"x\ny\",z\n,");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0], (std::vector<std::string>{"a", "b,\"c\"", ""}));
  EXPECT_EQ((*rows)[1], (std::vector<std::string>{"x\ny", "z"}));
  EXPECT_EQ((*rows)[2], (std::vector<std::string>{"", ""}));
  EXPECT_FALSE(ParseCsv("\"open").ok());
  EXPECT_FALSE(ParseCsv("\"a\"b,c").ok());
}

}  // namespace
}  // namespace missions::report
