#include "report-service/report/render_pdf.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "report-service/report/deployment_chart.h"
#include "report-service/report/labels.h"
#include "report-service/report/pdf_typesetter.h"

namespace missions::report {
namespace {

using pdf::Colour;
using pdf::Columns;
using pdf::ContentsEntry;
using pdf::Style;
using pdf::TableCell;
using pdf::TableColumn;
using pdf::TableRow;
using pdf::TextSpec;
using pdf::kContentWidth;
using pdf::kMarginLeft;

// Lays the report model out with a Typesetter, part by part, in the order
// of the Markdown and HTML documents.
class ReportPdfWriter {
 public:
  ReportPdfWriter(const ReportModel& model, pdf::Typesetter& typesetter)
      : model_(model), ts_(typesetter) {}

  void LayOut() {
    TitlePage();
    ts_.NewPage();
    ts_.Contents(L(LabelId::kTableOfContents), ContentsEntries());
    Chapter(model_.introduction);
    Expeditionary();
    National();
    Chapter(model_.closing);
    Annex1Table();
    Annex2Table();
    Chart();
    ExpiringMandates();
    if (model_.checks.included) Checks();
  }

 private:
  std::string L(LabelId id) const { return Label(id, model_.language); }

  static std::string Number(const std::optional<int>& value) {
    return value.has_value() ? absl::StrCat(*value) : "";
  }

  static std::string FootnoteMarks(const std::vector<int>& numbers) {
    std::vector<std::string> parts;
    for (int number : numbers) parts.push_back(absl::StrCat(number));
    return absl::StrJoin(parts, ",");
  }

  static std::string SectionAnchor(absl::string_view number) {
    return absl::StrCat("s-", number);
  }

  // "2" -> 2, "2.1" -> 3, "2.4.1.1" -> 5 (at most 6).
  static int LevelOf(absl::string_view number) {
    return std::min(
        6, 2 + static_cast<int>(std::count(number.begin(), number.end(), '.')));
  }

  void NumberedHeading(absl::string_view number, absl::string_view title,
                       int outline_level) {
    ts_.Heading(LevelOf(number), absl::StrCat(number, " ", title),
                SectionAnchor(number), outline_level);
  }

  void Body(const Text& text) {
    if (text.empty()) return;
    if (!text.language_note.empty()) {
      ts_.Paragraph(text.language_note, Style::kItalic);
    }
    for (const std::string& paragraph : text.paragraphs) {
      ts_.Paragraph(paragraph);
    }
  }

  // Footnote texts, small, after the block that refers to them.
  void Footnotes(const std::vector<int>& numbers) {
    for (int number : numbers) {
      for (const Footnote& footnote : model_.footnotes) {
        if (footnote.number != number) continue;
        TextSpec spec;
        spec.text = absl::StrCat(pdf::Superscript(absl::StrCat(number)), " ",
                                 footnote.text);
        spec.style = Style::kFootnote;
        spec.width = kContentWidth;
        ts_.Flow(std::move(spec), kMarginLeft, pdf::kMuted, 3);
      }
    }
    ts_.Space(4);
  }

  // ------------------------------------------------ front matter

  void TitlePage() {
    ts_.NewPage(/*numbered=*/false);
    ts_.set_y(250);
    ts_.Heading(2, model_.title, "top", 0);
    ts_.Space(6);
    ts_.Paragraph(
        absl::StrCat(L(LabelId::kDate), ": ", model_.publication_date_text));
    ts_.Paragraph(model_.provenance.statement, Style::kItalic);
  }

  std::vector<ContentsEntry> ContentsEntries() const {
    std::vector<ContentsEntry> entries;
    const auto section = [&](int depth, absl::string_view number,
                             absl::string_view title) {
      entries.push_back(ContentsEntry{depth, absl::StrCat(number, " ", title),
                                      SectionAnchor(number)});
    };
    section(0, model_.introduction.number, model_.introduction.title);
    const ExpeditionaryChapter& chapter = model_.expeditionary;
    section(0, chapter.number, chapter.title);
    section(1, chapter.coherence.number, chapter.coherence.title);
    for (const RegionSection& region : chapter.regions) {
      section(1, region.number, region.title);
      for (const RegionItem& item : region.items) {
        if (item.mission.has_value()) {
          section(2, item.mission->number, item.mission->title);
        }
        if (item.cluster.has_value()) {
          section(2, item.cluster->number, item.cluster->title);
          for (const MissionSection& mission : item.cluster->missions) {
            section(3, mission.number, mission.title);
          }
        }
      }
    }
    section(0, model_.national.number, model_.national.title);
    for (const MissionSection& mission : model_.national.missions) {
      section(1, mission.number, mission.title);
    }
    section(0, model_.closing.number, model_.closing.title);
    const auto annex = [&](absl::string_view number, absl::string_view title) {
      entries.push_back(ContentsEntry{
          0, absl::StrCat(L(LabelId::kAnnex), " ", number, " ", title),
          absl::StrCat("annex-", number)});
    };
    annex(model_.annex1.number, model_.annex1.title);
    annex(model_.annex2.number, model_.annex2.title);
    annex(model_.expiring_mandates.number, model_.expiring_mandates.title);
    if (model_.checks.included) {
      annex(model_.checks.number, model_.checks.title);
    }
    return entries;
  }

  // ---------------------------------------------------------- chapters

  void Chapter(const ReportChapter& chapter) {
    ts_.NewPage();
    NumberedHeading(chapter.number, chapter.title, 1);
    Body(chapter.text);
  }

  void Mission(const MissionSection& mission, int outline_level) {
    NumberedHeading(mission.number, mission.title, outline_level);
    const int level = std::min(6, LevelOf(mission.number) + 1);
    for (const MissionSubsection& subsection : mission.subsections) {
      ts_.Heading(level, subsection.heading, "", 0);
      Body(subsection.text);
      if (!subsection.postings.empty()) {
        ts_.Paragraph(subsection.postings_intro);
        ts_.List(subsection.postings);
      }
      if (!subsection.financial_contributions.empty()) {
        ts_.Paragraph(subsection.financial_intro);
        ts_.List(subsection.financial_contributions);
      }
    }
    if (!mission.missing_text_note.empty()) {
      ts_.Paragraph(mission.missing_text_note, Style::kItalic);
    }
  }

  void Rationale(absl::string_view number, const std::string& heading,
                 const Text& text) {
    if (text.empty()) return;
    ts_.Heading(std::min(6, LevelOf(number) + 1), heading, "", 0);
    Body(text);
  }

  void Expeditionary() {
    const ExpeditionaryChapter& chapter = model_.expeditionary;
    ts_.NewPage();
    NumberedHeading(chapter.number, chapter.title, 1);
    const CoherenceSection& coherence = chapter.coherence;
    NumberedHeading(coherence.number, coherence.title, 2);
    Body(coherence.text);
    if (!coherence.headline.sentence.empty()) {
      const int footnote = coherence.headline.footnote;
      ts_.Paragraph(coherence.headline.sentence, Style::kBody,
                    footnote > 0 ? absl::StrCat(footnote) : "");
      if (footnote > 0) Footnotes({footnote});
    }
    for (const RegionSection& region : chapter.regions) {
      NumberedHeading(region.number, region.title, 2);
      Rationale(region.number, region.rationale_heading, region.rationale);
      for (const RegionItem& item : region.items) {
        if (item.mission.has_value()) Mission(*item.mission, 3);
        if (item.cluster.has_value()) {
          const ClusterSection& cluster = *item.cluster;
          NumberedHeading(cluster.number, cluster.title, 3);
          Rationale(cluster.number, cluster.rationale_heading,
                    cluster.rationale);
          for (const MissionSection& mission : cluster.missions) {
            Mission(mission, 0);
          }
        }
      }
    }
  }

  void National() {
    const NationalChapter& chapter = model_.national;
    ts_.NewPage();
    NumberedHeading(chapter.number, chapter.title, 1);
    Body(chapter.introduction);
    for (const MissionSection& mission : chapter.missions) Mission(mission, 2);
  }

  // ----------------------------------------------------------- annexes

  void AnnexHeading(const std::string& number, const std::string& title) {
    ts_.NewPage();
    ts_.Heading(2, absl::StrCat(L(LabelId::kAnnex), " ", number, " ", title),
                absl::StrCat("annex-", number), 1);
  }

  static TableRow GroupRow(const std::string& title) {
    return TableRow{TableRow::Kind::kGroup, {TableCell{title, ""}},
                    std::nullopt};
  }

  void Annex1Table() {
    const Annex1& annex = model_.annex1;
    AnnexHeading(annex.number, annex.title);
    ts_.Paragraph(annex.as_of_note);
    const std::vector<TableColumn> columns =
        Columns({{L(LabelId::kColumnMission), 30},
                 {L(LabelId::kColumnLegalBasis), 34},
                 {L(LabelId::kColumnInternationalMandateUntil), 20},
                 {L(LabelId::kColumnNationalMandateUntil), 16}},
                {false, false, false, false});
    std::vector<TableRow> rows;
    std::string previous;
    for (const Annex1Row& row : annex.rows) {
      if (row.region != previous) {
        previous = row.region;
        rows.push_back(GroupRow(row.region_title));
      }
      rows.push_back(TableRow{
          TableRow::Kind::kNormal,
          {TableCell{row.mission_title, ""}, TableCell{row.legal_basis, ""},
           TableCell{row.international_mandate_until.text, ""},
           TableCell{row.national_mandate_until.text, ""}},
          std::nullopt});
    }
    ts_.Table(columns, rows);
  }

  void Annex2Table() {
    const Annex2& annex = model_.annex2;
    AnnexHeading(annex.number, annex.title);
    const std::vector<TableColumn> columns =
        Columns({{L(LabelId::kColumnMission), 20},
                 {L(LabelId::kColumnMandateMilitary), 9},
                 {L(LabelId::kColumnMandateCivilian), 9},
                 {L(LabelId::kColumnMandateCombined), 13},
                 {L(LabelId::kColumnDeployedMilitary), 9},
                 {L(LabelId::kColumnDeployedCivilian), 9},
                 {L(LabelId::kColumnDeployedTotal), 9},
                 {L(LabelId::kColumnNote), 22}},
                {false, true, true, true, true, true, true, false});
    std::vector<TableRow> rows;
    std::vector<int> footnotes;
    std::string previous;
    for (const Annex2Row& row : annex.rows) {
      if (row.region != previous) {
        previous = row.region;
        rows.push_back(GroupRow(row.region_title));
      }
      footnotes.insert(footnotes.end(), row.footnotes.begin(),
                       row.footnotes.end());
      rows.push_back(TableRow{
          TableRow::Kind::kNormal,
          {TableCell{row.short_name, FootnoteMarks(row.footnotes)},
           TableCell{Number(row.mandate_military), ""},
           TableCell{Number(row.mandate_civilian), ""},
           TableCell{Number(row.mandate_combined), ""},
           TableCell{Number(row.deployed_military), ""},
           TableCell{Number(row.deployed_civilian), ""},
           TableCell{Number(row.deployed_total), ""},
           TableCell{absl::StrJoin(row.notes, "; "), ""}},
          std::nullopt});
    }
    const Annex2Totals& totals = annex.totals;
    if (totals.footnote > 0) footnotes.push_back(totals.footnote);
    rows.push_back(TableRow{
        TableRow::Kind::kTotals,
        {TableCell{L(LabelId::kTotal),
                   totals.footnote > 0 ? absl::StrCat(totals.footnote) : ""},
         TableCell{absl::StrCat(totals.mandate_military), ""},
         TableCell{absl::StrCat(totals.mandate_civilian), ""},
         TableCell{absl::StrCat(totals.mandate_combined), ""},
         TableCell{absl::StrCat(totals.deployed_military), ""},
         TableCell{absl::StrCat(totals.deployed_civilian), ""},
         TableCell{absl::StrCat(totals.deployed_total), ""},
         TableCell{"", ""}},
        std::nullopt});
    ts_.Table(columns, rows);
    for (const std::string& paragraph : annex.explanation) {
      ts_.Paragraph(paragraph);
    }
    Footnotes(footnotes);
  }

  // The annex-2 chart: on each page a legend and the value axis, then a
  // pair of bars per mission under its region's name; grid lines under
  // the bars of each page's part.
  void Chart() {
    const DeploymentChart chart = BuildDeploymentChart(model_);
    constexpr double kLabelWidth = 130;
    constexpr double kBarLeft = kMarginLeft + kLabelWidth + 6;
    constexpr double kBarSpan = kContentWidth - kLabelWidth - 6 - 24;
    constexpr double kBarHeight = 6.5;
    constexpr double kRowHeight = 19;
    constexpr double kGroupHeight = 15;
    constexpr auto kLeft = TextSpec::Align::kLeft;
    const auto x_of = [&](int value) {
      return kBarLeft + kBarSpan * value / std::max(chart.axis_max, 1);
    };
    std::vector<double> grid;
    for (int tick : chart.ticks) grid.push_back(x_of(tick));

    size_t part_start = 0;
    double part_top = 0;
    bool open = false;
    const auto close_part = [&] {
      if (!open) return;
      open = false;
      ts_.GridUnder(part_start, grid, part_top, pdf::kGrid);
    };
    const auto open_part = [&] {
      const double y = ts_.y();
      ts_.Rect(kBarLeft, y + 2, 9, kBarHeight, pdf::kLightAccent);
      ts_.Text(chart.mandated_label, Style::kChart, kBarLeft + 12, y + 0.5, 0,
               kLeft, pdf::kInk);
      ts_.Rect(kBarLeft + kBarSpan / 2, y + 2, 9, kBarHeight, pdf::kAccent);
      ts_.Text(chart.deployed_label, Style::kChart,
               kBarLeft + kBarSpan / 2 + 12, y + 0.5, 0, kLeft, pdf::kInk);
      for (int tick : chart.ticks) {
        ts_.Text(absl::StrCat(tick), Style::kChartSmall, x_of(tick) - 15,
                 y + 14, 30, TextSpec::Align::kCenter, pdf::kMuted);
      }
      ts_.set_y(y + 24);
      ts_.Rule(kBarLeft, ts_.y(), kBarLeft + kBarSpan, ts_.y(), 0.6,
               pdf::kMuted);
      part_start = ts_.OpCount();
      part_top = ts_.y();
      open = true;
    };
    const auto next_page_if_short = [&](double height) {
      if (height <= ts_.remaining()) return;
      close_part();
      ts_.NewPage();  // Opens the next part.
    };

    ts_.EnsureSpace(60);
    ts_.Heading(4, chart.title, "", 0);
    open_part();
    ts_.SetOnNewPage(open_part);
    for (const ChartGroup& group : chart.groups) {
      next_page_if_short(kGroupHeight + kRowHeight);
      ts_.Text(group.title, Style::kTableBold, kMarginLeft, ts_.y() + 3,
               kLabelWidth, kLeft, pdf::kAccent);
      ts_.set_y(ts_.y() + kGroupHeight);
      for (const ChartBar& bar : group.bars) {
        next_page_if_short(kRowHeight);
        const double y = ts_.y();
        ts_.Text(bar.label, Style::kChart, kMarginLeft, y + 5, kLabelWidth,
                 TextSpec::Align::kRight, pdf::kInk);
        const double mandated_y = y + 2;
        const double deployed_y = mandated_y + kBarHeight + 1;
        if (bar.mandated.has_value()) {
          const double end = x_of(*bar.mandated);
          ts_.Rect(kBarLeft, mandated_y, end - kBarLeft, kBarHeight,
                   pdf::kLightAccent);
          ts_.Text(absl::StrCat(*bar.mandated), Style::kChartSmall, end + 2,
                   mandated_y - 0.5, 0, kLeft, pdf::kInk);
        } else if (!bar.mandated_note.empty()) {
          ts_.Text(bar.mandated_note, Style::kChartSmall, kBarLeft + 2,
                   mandated_y - 0.5, 0, kLeft, pdf::kMuted);
        }
        const double end = x_of(bar.deployed);
        ts_.Rect(kBarLeft, deployed_y, end - kBarLeft, kBarHeight,
                 pdf::kAccent);
        ts_.Text(absl::StrCat(bar.deployed), Style::kChartSmall, end + 2,
                 deployed_y - 0.5, 0, kLeft, pdf::kInk);
        ts_.set_y(y + kRowHeight);
      }
    }
    ts_.SetOnNewPage(nullptr);
    close_part();
    ts_.Space(10);
  }

  void ExpiringMandates() {
    const ExpiringMandatesAnnex& annex = model_.expiring_mandates;
    AnnexHeading(annex.number, annex.title);
    ts_.Paragraph(annex.intro);
    if (annex.rows.empty()) {
      ts_.Paragraph(annex.empty_note, Style::kItalic);
      return;
    }
    const std::vector<TableColumn> columns =
        Columns({{L(LabelId::kColumnEndsOn), 17},
                 {L(LabelId::kColumnMission), 29},
                 {L(LabelId::kColumnMandateKind), 13},
                 {L(LabelId::kColumnBasis), 30},
                 {L(LabelId::kColumnDaysAfterPublication), 11}},
                {false, false, false, false, true});
    std::vector<TableRow> rows;
    for (const ExpiringMandate& row : annex.rows) {
      rows.push_back(TableRow{
          TableRow::Kind::kNormal,
          {TableCell{row.ends_on_text, ""}, TableCell{row.mission_title, ""},
           TableCell{row.kind_label, ""}, TableCell{row.basis, ""},
           TableCell{absl::StrCat(row.days_after_publication), ""}},
          std::nullopt});
    }
    ts_.Table(columns, rows);
  }

  void Checks() {
    const ChecksAnnex& checks = model_.checks;
    AnnexHeading(checks.number, checks.title);
    ts_.Paragraph(checks.summary);
    if (checks.findings.empty()) return;
    const std::vector<TableColumn> columns =
        Columns({{L(LabelId::kColumnSeverity), 12},
                 {L(LabelId::kColumnFinding), 52},
                 {L(LabelId::kColumnCheck), 16},
                 {L(LabelId::kColumnRecords), 20}},
                {false, false, false, false});
    std::vector<TableRow> rows;
    for (const Finding& finding : checks.findings) {
      TableRow row{TableRow::Kind::kNormal,
                   {TableCell{finding.severity_label, ""},
                    TableCell{finding.message, ""},
                    TableCell{finding.check, ""},
                    TableCell{absl::StrJoin(finding.records, "\n"), ""}},
                   std::nullopt};
      if (finding.severity == Severity::kError) row.first_colour = pdf::kError;
      if (finding.severity == Severity::kWarning) {
        row.first_colour = pdf::kWarning;
      }
      rows.push_back(std::move(row));
    }
    ts_.Table(columns, rows);
  }

  const ReportModel& model_;
  pdf::Typesetter& ts_;
};

}  // namespace

absl::StatusOr<std::string> RenderPdf(const ReportModel& model) {
  absl::StatusOr<std::unique_ptr<pdf::Typesetter>> typesetter =
      pdf::Typesetter::Create(LanguageCode(model.language));
  if (!typesetter.ok()) return typesetter.status();
  ReportPdfWriter(model, **typesetter).LayOut();
  pdf::DocumentInfo info;
  info.title = model.title;
  info.author = model.language == Language::kDutch ? "Ministerie van Defensie"
                                                   : "Ministry of Defence";
  info.subject = model.provenance.statement;
  info.creator = "report-server (missions)";
  info.created = model.provenance.generated_at;
  info.footer_title = model.title;
  const Language language = model.language;
  info.page_label = [language](int page, int pages) {
    return PageOf(page, pages, language);
  };
  return (*typesetter)->Finish(info);
}

}  // namespace missions::report
