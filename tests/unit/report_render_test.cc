// Tests of the renderers on hand-built report models.

// The registry service's code lives in namespace missions::registry; the
// report headers name the registry protos as ::registry::v1 so that they
// compile next to it. Declared first so that the includes below prove it.
namespace missions::registry {}

#include <optional>
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "report-service/report/render_csv.h"
#include "report-service/report/render_markdown.h"
#include "report-service/report/report_assembly.h"  // Namespace check only.
#include "report-service/report/report_model.h"
#include "report-service/report/report_rules.h"  // Namespace check only.

namespace missions::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// ---------------------------------------------------------------- CSV

TEST(CsvFieldTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("EULEX (Kosovo)"), "EULEX (Kosovo)");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("Libië; Niger"), "Libië; Niger");
  EXPECT_EQ(CsvField("VNVR 2531, 2480"), "\"VNVR 2531, 2480\"");
  EXPECT_EQ(CsvField("de \"VPD\""), "\"de \"\"VPD\"\"\"");
  EXPECT_EQ(CsvField("regel 1\nregel 2"), "\"regel 1\nregel 2\"");
  EXPECT_EQ(CsvField("regel 1\r"), "\"regel 1\r\"");
  EXPECT_EQ(CsvField("\""), "\"\"\"\"");
}

TEST(CsvRecordTest, CommaSeparatedWithCrlf) {
  EXPECT_EQ(CsvRecord({"a", "", "b,c"}), "a,,\"b,c\"\r\n");
  EXPECT_EQ(CsvRecord({""}), "\r\n");
}

ReportModel SmallModel(Language language) {
  ReportModel model;
  model.year = 2020;
  model.language = language;
  model.title = "Titel";
  Annex1Row row1;
  row1.region = "regions/europe";
  row1.region_title = "Europa";
  row1.mission = "missions/eulex";
  row1.mission_title = "EULEX (Kosovo)";
  row1.legal_basis = "VNVR resolutie 1244; \"Overeenkomst\"";
  row1.international_mandate_until.kind = MandateEnd::Kind::kDate;
  row1.international_mandate_until.text =
      "14 juni 2021 (EU-mandaat, afgeleid van VNVR 1244)";
  row1.international_mandate_until.csv_text =
      "2021-06-14 (EU-mandaat, afgeleid van VNVR 1244)";
  row1.national_mandate_until.kind = MandateEnd::Kind::kIndefinite;
  row1.national_mandate_until.text = "Onbepaald";
  row1.national_mandate_until.csv_text = "Onbepaald";
  model.annex1.rows.push_back(row1);

  Annex2Row row2;
  row2.region = "regions/europe";
  row2.region_title = "Europa";
  row2.mission = "missions/eulex";
  row2.short_name = "EULEX";
  row2.mandate_combined = 15;
  row2.deployed_military = 0;
  row2.deployed_civilian = 6;
  row2.deployed_total = 6;
  row2.notes = {"militair en civiel gezamenlijk", "a|b"};
  row2.footnotes = {2};
  model.annex2.rows.push_back(row2);
  Annex2Row row3;
  row3.region = "regions/national";
  row3.region_title = "Nationaal";
  row3.mission = "missions/x";
  row3.short_name = "X";
  model.annex2.rows.push_back(row3);
  model.annex2.totals.mandate_combined = 15;
  model.annex2.totals.mandate_persons = 15;
  model.annex2.totals.deployed_civilian = 6;
  model.annex2.totals.deployed_total = 6;
  model.annex2.totals.footnote = 3;
  model.footnotes = {
      {1, "Kop."}, {2, "Capaciteit, per jaar."}, {3, "Totalen."}};
  return model;
}

TEST(RenderAnnex1CsvTest, HeaderRowsAndTotalsRow) {
  EXPECT_EQ(RenderAnnex1Csv(SmallModel(Language::kDutch)),
            "region,mission,legal_basis,international_mandate_until,"
            "national_mandate_until\r\n"
            "Europa,EULEX (Kosovo),\"VNVR resolutie 1244; \"\"Overeenkomst\"\""
            "\",\"2021-06-14 (EU-mandaat, afgeleid van VNVR 1244)\","
            "Onbepaald\r\n"
            ",Totaal,,,\r\n");
}

TEST(RenderAnnex2CsvTest, NumbersEmptyCellsNotesAndTotals) {
  EXPECT_EQ(RenderAnnex2Csv(SmallModel(Language::kDutch)),
            "region,mission,mandate_military,mandate_civilian,"
            "mandate_combined,deployed_military,deployed_civilian,"
            "deployed_total,note\r\n"
            "Europa,EULEX,,,15,0,6,6,\"militair en civiel gezamenlijk; a|b; "
            "Capaciteit, per jaar.\"\r\n"
            "Nationaal,X,,,,,,,\r\n"
            ",Totaal,0,0,15,0,6,6,\r\n");
}

TEST(RenderAnnex2CsvTest, TotalsRowIsTotaalInEnglishToo) {
  const std::string csv = RenderAnnex2Csv(SmallModel(Language::kEnglish));
  EXPECT_THAT(csv, HasSubstr("\r\n,Totaal,0,0,15,0,6,6,\r\n"));
  EXPECT_THAT(RenderAnnex1Csv(SmallModel(Language::kEnglish)),
              HasSubstr("\r\n,Totaal,,,\r\n"));
}

TEST(RenderCsvTest, NoByteOrderMark) {
  const std::string csv = RenderAnnex1Csv(SmallModel(Language::kDutch));
  ASSERT_GE(csv.size(), 3u);
  EXPECT_NE(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(csv.substr(0, 7), "region,");
}

// ----------------------------------------------------------- Markdown

TEST(EscapeMarkdownTest, InlineMarkup) {
  EXPECT_EQ(EscapeMarkdown("plain text, (with) punctuation: 1.5"),
            "plain text, (with) punctuation: 1.5");
  EXPECT_EQ(EscapeMarkdown("*bold* _em_ `code` [link] <b> ~~x~~ a\\b"),
            "\\*bold\\* \\_em\\_ \\`code\\` \\[link\\] \\<b> \\~\\~x\\~\\~ "
            "a\\\\b");
}

TEST(EscapeMarkdownTest, BlockStarts) {
  EXPECT_EQ(EscapeMarkdown("# kop"), "\\# kop");
  EXPECT_EQ(EscapeMarkdown("> citaat"), "\\> citaat");
  EXPECT_EQ(EscapeMarkdown("- item"), "\\- item");
  EXPECT_EQ(EscapeMarkdown("+ item"), "\\+ item");
  EXPECT_EQ(EscapeMarkdown("---"), "\\---");
  EXPECT_EQ(EscapeMarkdown("2020. Een jaar"), "2020\\. Een jaar");
  EXPECT_EQ(EscapeMarkdown("1) punt"), "1\\) punt");
  EXPECT_EQ(EscapeMarkdown("| cel |"), "\\| cel |");
  // Not block starts.
  EXPECT_EQ(EscapeMarkdown("2.1 Samenhang"), "2.1 Samenhang");
  EXPECT_EQ(EscapeMarkdown("-5 graden"), "-5 graden");
  EXPECT_EQ(EscapeMarkdown("1 april 2020"), "1 april 2020");
  EXPECT_EQ(EscapeMarkdown("a\n- b"), "a\n\\- b");
}

TEST(EscapeMarkdownCellTest, PipesAndLineBreaks) {
  EXPECT_EQ(EscapeMarkdownCell("a|b"), "a\\|b");
  EXPECT_EQ(EscapeMarkdownCell("| a"), "\\| a");
  EXPECT_EQ(EscapeMarkdownCell("regel 1\nregel 2"), "regel 1<br>regel 2");
  EXPECT_EQ(EscapeMarkdownCell("regel 1\r\nregel 2\rregel 3"),
            "regel 1<br>regel 2<br>regel 3");
  EXPECT_EQ(EscapeMarkdownCell("a\\|b"), "a\\\\\\|b");
}

TEST(RenderMarkdownTest, TablesEscapeCellsAndCarryFootnotes) {
  const std::string markdown = RenderMarkdown(SmallModel(Language::kDutch));
  EXPECT_THAT(markdown,
              HasSubstr("| Europa | EULEX[^2] |  |  | 15 | 0 | 6 | 6 | "
                        "militair en civiel gezamenlijk; a\\|b |\n"));
  EXPECT_THAT(markdown, HasSubstr("| Nationaal | X |  |  |  |  |  |  |  |\n"));
  EXPECT_THAT(markdown, HasSubstr("|  | **Totaal**[^3] | **0** | **0** | "
                                  "**15** | **0** | **6** | **6** |  |\n"));
  EXPECT_THAT(markdown, HasSubstr("\n[^2]: Capaciteit, per jaar.\n"));
  EXPECT_THAT(markdown, HasSubstr("\n[^3]: Totalen.\n"));
  // Footnote 1 is defined although no block referred to it.
  EXPECT_THAT(markdown, HasSubstr("\n[^1]: Kop.\n"));
  EXPECT_EQ(markdown.back(), '\n');
  EXPECT_THAT(markdown, Not(HasSubstr("\n\n\n")));
}

TEST(RenderMarkdownTest, LanguageNoteBeforeForeignText) {
  ReportModel model = SmallModel(Language::kEnglish);
  model.introduction.number = "1";
  model.introduction.title = "Introduction";
  model.introduction.text.paragraphs = {"Eerste alinea.", "Tweede alinea."};
  model.introduction.text.language = "nl";
  model.introduction.text.language_note = "(text in Dutch)";
  const std::string markdown = RenderMarkdown(model);
  EXPECT_THAT(markdown, HasSubstr("## 1 Introduction\n\n*(text in Dutch)*\n\n"
                                  "Eerste alinea.\n\nTweede alinea.\n\n"));
  EXPECT_THAT(markdown, HasSubstr("## Contents\n"));
  EXPECT_THAT(markdown, HasSubstr("| Region | Mission | Cap military |"));
  EXPECT_THAT(markdown, HasSubstr("**Total**[^3]"));
}

// The renderer prints a region's items in the model's order: a cluster
// between two unclustered missions stays between them, in the table of
// contents and in the chapter.
TEST(RenderMarkdownTest, RegionItemsInModelOrder) {
  ReportModel model = SmallModel(Language::kDutch);
  const auto mission = [](std::string number, std::string title) {
    MissionSection section;
    section.number = std::move(number);
    section.title = std::move(title);
    section.missing_text_note = "Geen tekst.";
    return section;
  };
  RegionSection region;
  region.number = "2.2";
  region.title = "Midden-Oosten";
  region.items.push_back({mission("2.2.1", "UNIFIL (Libanon)"), std::nullopt});
  ClusterSection gulf;
  gulf.number = "2.2.2";
  gulf.title = "Golfregio";
  gulf.missions.push_back(mission("2.2.2.1", "EMASoH"));
  region.items.push_back({std::nullopt, gulf});
  region.items.push_back({mission("2.2.3", "USSC"), std::nullopt});
  model.expeditionary.regions.push_back(region);

  const std::string markdown = RenderMarkdown(model);
  EXPECT_THAT(markdown, HasSubstr("  - 2.2 Midden-Oosten\n"
                                  "    - 2.2.1 UNIFIL (Libanon)\n"
                                  "    - 2.2.2 Golfregio\n"
                                  "      - 2.2.2.1 EMASoH\n"
                                  "    - 2.2.3 USSC\n"));
  EXPECT_THAT(markdown, HasSubstr("### 2.2 Midden-Oosten\n\n"
                                  "#### 2.2.1 UNIFIL (Libanon)\n\n"
                                  "*Geen tekst.*\n\n"
                                  "#### 2.2.2 Golfregio\n\n"
                                  "##### 2.2.2.1 EMASoH\n\n"
                                  "*Geen tekst.*\n\n"
                                  "#### 2.2.3 USSC\n\n"
                                  "*Geen tekst.*\n\n"));
}

}  // namespace
}  // namespace missions::report
