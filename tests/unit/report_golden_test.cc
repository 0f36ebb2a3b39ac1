// Golden tests of report_core: the 2020 report of the small dataset
// tests/golden/small_dataset.textproto, rendered as Markdown (Dutch and
// English), both annex CSVs, HTML and JSON, compared byte for byte with the files
// in tests/golden/. The HTML and JSON goldens are built with a registry revision
// and a generation time (kGoldenOptions), so that they show both.
//
// After a deliberate change of the output, rewrite the golden files and
// review the diff before committing it:
//
//   UPDATE_GOLDEN=1 build-report/tests/report_core_tests
//   --gtest_filter='ReportGolden*'
//
// With UPDATE_GOLDEN=1 the tests write the files instead of comparing them.
// MISSIONS_SOURCE_DIR (a compile definition) is the repository root.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "registry/v1/registry_service.pb.h"
#include "report-service/report/labels.h"
#include "report-service/report/render_csv.h"
#include "report-service/report/render_html.h"
#include "report-service/report/render_json.h"
#include "report-service/report/render_markdown.h"
#include "report-service/report/report_assembly.h"

#ifndef MISSIONS_SOURCE_DIR
#error "MISSIONS_SOURCE_DIR must name the repository root"
#endif

namespace missions::report {
namespace {

std::string GoldenPath(absl::string_view file) {
  return absl::StrCat(MISSIONS_SOURCE_DIR, "/tests/golden/", file);
}

bool ReadFile(const std::string& path, std::string& contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  contents = buffer.str();
  return true;
}

bool UpdateGolden() {
  const char* update = std::getenv("UPDATE_GOLDEN");
  return update != nullptr && absl::string_view(update) == "1";
}

::registry::v1::Dataset SmallDataset() {
  std::string text;
  EXPECT_TRUE(ReadFile(GoldenPath("small_dataset.textproto"), text));
  ::registry::v1::Dataset dataset;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &dataset));
  return dataset;
}

ReportModel SmallReport(Language language) {
  absl::StatusOr<ReportModel> model =
      AssembleReport(SmallDataset(), 2020, language);
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *std::move(model) : ReportModel{};
}

// Revision 7, generated on 19 May 2021 at 07:30:00 UTC.
ReportOptions GoldenOptions() {
  ReportOptions options;
  options.registry_revision = 7;
  options.generation_time = absl::FromUnixSeconds(1621409400);
  return options;
}

ReportModel SmallReportWithProvenance(Language language) {
  absl::StatusOr<ReportModel> model =
      AssembleReport(SmallDataset(), 2020, language, GoldenOptions());
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *std::move(model) : ReportModel{};
}

// Compares `actual` with the golden file, or rewrites it with
// UPDATE_GOLDEN=1.
void ExpectGolden(absl::string_view file, const std::string& actual) {
  const std::string path = GoldenPath(file);
  if (UpdateGolden()) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << actual;
    ASSERT_TRUE(out.good()) << "cannot write " << path;
    return;
  }
  std::string expected;
  ASSERT_TRUE(ReadFile(path, expected))
      << "missing " << path << "; create it with UPDATE_GOLDEN=1";
  EXPECT_EQ(actual, expected)
      << path << " differs; if the change is intended, rerun with "
      << "UPDATE_GOLDEN=1 and review the diff";
}

TEST(ReportGoldenTest, MarkdownDutch) {
  ExpectGolden("small_nl.md", RenderMarkdown(SmallReport(Language::kDutch)));
}

TEST(ReportGoldenTest, MarkdownEnglish) {
  ExpectGolden("small_en.md", RenderMarkdown(SmallReport(Language::kEnglish)));
}

TEST(ReportGoldenTest, Annex1Csv) {
  ExpectGolden("small_annex1.csv",
               RenderAnnex1Csv(SmallReport(Language::kDutch)));
}

TEST(ReportGoldenTest, Annex2Csv) {
  ExpectGolden("small_annex2.csv",
               RenderAnnex2Csv(SmallReport(Language::kDutch)));
}

TEST(ReportGoldenTest, Annex2CsvEnglish) {
  ExpectGolden("small_annex2_en.csv",
               RenderAnnex2Csv(SmallReport(Language::kEnglish)));
}

TEST(ReportGoldenTest, HtmlDutch) {
  ExpectGolden("small_nl.html",
               RenderHtml(SmallReportWithProvenance(Language::kDutch)));
}

TEST(ReportGoldenTest, HtmlEnglish) {
  ExpectGolden("small_en.html",
               RenderHtml(SmallReportWithProvenance(Language::kEnglish)));
}

TEST(ReportGoldenTest, JsonDutch) {
  ExpectGolden("small_nl.json",
               RenderJson(SmallReportWithProvenance(Language::kDutch)));
}

TEST(ReportGoldenTest, JsonEnglish) {
  ExpectGolden("small_en.json",
               RenderJson(SmallReportWithProvenance(Language::kEnglish)));
}

// The renderers are deterministic: the same model renders the same bytes.
TEST(ReportGoldenTest, RenderingIsDeterministic) {
  const ReportModel model = SmallReport(Language::kDutch);
  EXPECT_EQ(RenderMarkdown(model), RenderMarkdown(model));
  EXPECT_EQ(RenderAnnex2Csv(model), RenderAnnex2Csv(model));
  EXPECT_EQ(RenderJson(model), RenderJson(model));
  EXPECT_EQ(RenderHtml(model), RenderHtml(model));
}

// The same inputs give the same bytes, from assembly on: two assemblies of
// the same dataset with the same options render identically in every
// format.
TEST(ReportGoldenTest, SameInputsGiveIdenticalDocuments) {
  for (Language language : {Language::kDutch, Language::kEnglish}) {
    const ReportModel first = SmallReportWithProvenance(language);
    const ReportModel second = SmallReportWithProvenance(language);
    EXPECT_EQ(RenderMarkdown(first), RenderMarkdown(second));
    EXPECT_EQ(RenderAnnex1Csv(first), RenderAnnex1Csv(second));
    EXPECT_EQ(RenderAnnex2Csv(first), RenderAnnex2Csv(second));
    EXPECT_EQ(RenderJson(first), RenderJson(second));
    EXPECT_EQ(RenderHtml(first), RenderHtml(second));
  }
}

}  // namespace
}  // namespace missions::report
