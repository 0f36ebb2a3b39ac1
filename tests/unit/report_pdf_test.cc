// The PDF renderer on the small dataset: A4 pages, page numbers, the
// annex-2 totals and every heading in the text that pdftotext (poppler-
// utils) extracts, the same bytes for the same model, metadata.
//
// The PDF's bytes depend on the installed fonts and library versions, so
// the golden files hold the extracted text (tests/golden/small_nl.pdf.txt,
// small_en.pdf.txt), compared after normalising white space; rewrite them
// with UPDATE_GOLDEN=1 as for the other golden files.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "report-service/report/render_pdf.h"
#include "report-service/report/report_assembly.h"

#ifndef MISSIONS_SOURCE_DIR
#error "MISSIONS_SOURCE_DIR must name the repository root"
#endif
#ifndef PDFTOTEXT
#error "PDFTOTEXT must name the pdftotext binary"
#endif

namespace missions::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string GoldenPath(absl::string_view file) {
  return absl::StrCat(MISSIONS_SOURCE_DIR, "/tests/golden/", file);
}

ReportModel SmallReport(Language language, const ReportOptions& options) {
  ::registry::v1::Dataset dataset;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      ReadFile(GoldenPath("small_dataset.textproto")), &dataset));
  absl::StatusOr<ReportModel> model =
      AssembleReport(dataset, 2020, language, options);
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *std::move(model) : ReportModel{};
}

ReportOptions GoldenOptions() {
  ReportOptions options;
  options.registry_revision = 7;
  options.generation_time = absl::FromUnixSeconds(1621409400);
  return options;
}

// Runs `command` through the shell; returns its exit status.
int Shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Writes `pdf` to a temporary file and returns what `pdftotext ARGS`
// extracts from it.
std::string ExtractText(const std::string& pdf, absl::string_view args) {
  char pattern[] = "/tmp/report_pdf_test.XXXXXX";
  const int fd = mkstemp(pattern);
  EXPECT_GE(fd, 0);
  close(fd);
  const std::string path(pattern);
  {
    std::ofstream out(path, std::ios::binary);
    out << pdf;
  }
  const std::string text_path = path + ".txt";
  EXPECT_EQ(Shell(absl::StrCat(PDFTOTEXT, " ", args, " ", path, " ",
                               text_path)),
            0);
  std::string text = ReadFile(text_path);
  std::remove(path.c_str());
  std::remove(text_path.c_str());
  return text;
}

std::string Info(const std::string& pdf) {
  char pattern[] = "/tmp/report_pdf_info.XXXXXX";
  const int fd = mkstemp(pattern);
  close(fd);
  const std::string path(pattern);
  {
    std::ofstream out(path, std::ios::binary);
    out << pdf;
  }
  const std::string info_path = path + ".info";
  const std::string pdfinfo =
      absl::StrCat(absl::string_view(PDFTOTEXT).substr(
                       0, absl::string_view(PDFTOTEXT).rfind('/') + 1),
                   "pdfinfo");
  EXPECT_EQ(Shell(absl::StrCat(pdfinfo, " ", path, " > ", info_path)), 0);
  std::string info = ReadFile(info_path);
  std::remove(path.c_str());
  std::remove(info_path.c_str());
  return info;
}

// Lines with their white space runs collapsed, empty lines dropped.
std::string Normalised(absl::string_view text) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, absl::ByAnyChar("\n\f"))) {
    std::string collapsed;
    for (absl::string_view word :
         absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
      if (!collapsed.empty()) collapsed.push_back(' ');
      absl::StrAppend(&collapsed, word);
    }
    if (!collapsed.empty()) absl::StrAppend(&out, collapsed, "\n");
  }
  return out;
}

bool UpdateGolden() {
  const char* update = std::getenv("UPDATE_GOLDEN");
  return update != nullptr && absl::string_view(update) == "1";
}

void ExpectGoldenText(absl::string_view file, const std::string& actual) {
  const std::string path = GoldenPath(file);
  if (UpdateGolden()) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << actual;
    return;
  }
  EXPECT_EQ(actual, ReadFile(path))
      << path << " differs; if intended, rerun with UPDATE_GOLDEN=1";
}

TEST(RenderPdfTest, GoldenTextDutch) {
  absl::StatusOr<std::string> pdf =
      RenderPdf(SmallReport(Language::kDutch, GoldenOptions()));
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  ExpectGoldenText("small_nl.pdf.txt", Normalised(ExtractText(*pdf, "-layout")));
}

TEST(RenderPdfTest, GoldenTextEnglish) {
  absl::StatusOr<std::string> pdf =
      RenderPdf(SmallReport(Language::kEnglish, GoldenOptions()));
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  ExpectGoldenText("small_en.pdf.txt", Normalised(ExtractText(*pdf, "-layout")));
}

TEST(RenderPdfTest, A4WithPageNumbersAndTheAnnex2Totals) {
  absl::StatusOr<std::string> pdf =
      RenderPdf(SmallReport(Language::kDutch, GoldenOptions()));
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  const std::string info = Info(*pdf);
  EXPECT_THAT(info, HasSubstr("(A4)"));
  EXPECT_THAT(info, HasSubstr("Title:           Jaarlijkse voortgangsrapportage "
                              "kleine missiebijdragen 2020"));
  EXPECT_THAT(info, HasSubstr("CreationDate:    Wed May 19 07:30:00 2021 UTC"));
  const std::string text = Normalised(ExtractText(*pdf, "-layout"));
  int pages = 0;
  for (absl::string_view line : absl::StrSplit(info, '\n')) {
    if (absl::ConsumePrefix(&line, "Pages:")) {
      pages = std::atoi(std::string(line).c_str());
    }
  }
  ASSERT_GT(pages, 3);
  // Every page but the title page is numbered "Pagina N van M".
  for (int page = 2; page <= pages; ++page) {
    EXPECT_THAT(text, HasSubstr(absl::StrCat("Pagina ", page, " van ", pages)));
  }
  EXPECT_THAT(text, Not(HasSubstr("Pagina 1 van")));
  // The totals row of annex 2, each cap counted once, with its footnote
  // mark.
  EXPECT_THAT(text, HasSubstr("\nTotaal³ 409 0 30 769 13 782\n"));
}

TEST(RenderPdfTest, SameModelSameBytesAndNoDateWithoutAGenerationTime) {
  const ReportModel model = SmallReport(Language::kEnglish, {});
  absl::StatusOr<std::string> first = RenderPdf(model);
  absl::StatusOr<std::string> second = RenderPdf(model);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_THAT(Info(*first), Not(HasSubstr("CreationDate")));
  EXPECT_TRUE(absl::StartsWith(*first, "%PDF-1.5"));
}

}  // namespace
}  // namespace missions::report
