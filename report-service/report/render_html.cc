#include "report-service/report/render_html.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "report-service/report/labels.h"

namespace missions::report {
namespace {

// The style sheet: screen first, then print (A4, page breaks, headers
// repeated on every page).
constexpr absl::string_view kStyle = R"css(
:root { --ink: #1b1b1b; --muted: #555; --rule: #c9ced6; --accent: #1f4e79;
        --band: #eef2f7; }
html { font-family: "DejaVu Serif", Georgia, "Times New Roman", serif;
       color: var(--ink); line-height: 1.45; }
body { margin: 0 auto; max-width: 52em; padding: 2em 1.5em 4em; }
h1, h2, h3, h4, h5, h6 { font-family: "DejaVu Sans", Helvetica, Arial,
       sans-serif; line-height: 1.25; color: var(--accent);
       break-after: avoid; page-break-after: avoid; }
h1 { font-size: 1.9em; margin: 0 0 .6em; }
h2 { font-size: 1.45em; margin-top: 2.2em; padding-bottom: .2em;
     border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.2em; margin-top: 1.8em; }
h4 { font-size: 1.05em; margin-top: 1.5em; }
h5, h6 { font-size: 1em; margin-top: 1.2em; }
p { margin: .45em 0 .8em; orphans: 3; widows: 3; }
ul { margin: .3em 0 .9em; }
.date, .provenance { color: var(--muted); }
.language-note { color: var(--muted); font-style: italic; }
.note { font-style: italic; }
nav.toc ol { list-style: none; margin: 0; padding-left: 1.4em; }
nav.toc > ol { padding-left: 0; }
nav.toc li { margin: .15em 0; }
nav.toc a { color: inherit; text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
table { border-collapse: collapse; width: 100%; margin: 1em 0 1.2em;
        font-family: "DejaVu Sans", Helvetica, Arial, sans-serif;
        font-size: .8em; }
th, td { padding: .3em .45em; text-align: left; vertical-align: top;
         border-bottom: 1px solid var(--rule); }
thead th { background: var(--band); border-bottom: 2px solid var(--accent); }
thead { display: table-header-group; }
tfoot { display: table-row-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th.num, td.num { text-align: right; white-space: nowrap;
                 font-variant-numeric: tabular-nums; }
tr.group th { background: #f7f7f7; color: var(--accent); }
tr.totals td { font-weight: bold; border-top: 2px solid var(--accent); }
td.severity-error { color: #a40000; font-weight: bold; }
td.severity-warning { color: #8a5a00; font-weight: bold; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: .9em; }
figure.chart { margin: 1.5em 0; break-inside: avoid; }
figure.chart svg { display: block; width: 100%; height: auto; }
figcaption { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif;
             font-size: .9em; color: var(--muted); margin-bottom: .4em; }
sup.fn a, a.back { text-decoration: none; }
section.footnotes { font-size: .85em; margin-top: 2.5em;
                    border-top: 1px solid var(--rule); }
@page { size: A4; margin: 20mm 18mm 22mm;
        @bottom-center { content: counter(page) " / " counter(pages);
                         font: 9pt "DejaVu Sans", sans-serif; } }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
  header.title-page { padding-top: 35%; break-after: page;
                      page-break-after: always; }
  nav.toc { break-after: page; page-break-after: always; }
  section.chapter + section.chapter, section.annex { break-before: page;
                      page-break-before: always; }
  section.footnotes { break-before: page; page-break-before: always; }
  h2 { margin-top: 0; }
}
)css";

// The element id of a numbered section: "2.4.1" -> "s-2-4-1".
std::string SectionId(absl::string_view number) {
  return absl::StrCat("s-", absl::StrReplaceAll(number, {{".", "-"}}));
}

// "2" -> h2, "2.1" -> h3, "2.4.1.1" -> h5 (at most h6).
int HeadingLevel(absl::string_view number) {
  return std::min(
      6, 2 + static_cast<int>(std::count(number.begin(), number.end(), '.')));
}

// At most `limit` characters of UTF-8 `text`, with "…" when cut.
std::string Truncated(absl::string_view text, size_t limit) {
  size_t characters = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (characters == limit) {
      return absl::StrCat(text.substr(0, i), "…");
    }
    ++characters;
  }
  return std::string(text);
}

std::string Coordinate(double value) { return absl::StrFormat("%.1f", value); }

class HtmlWriter {
 public:
  explicit HtmlWriter(const ReportModel& model) : model_(model) {}

  std::string Render() {
    const std::string language(LanguageCode(model_.language));
    absl::StrAppend(&out_, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"",
                    language, "\" xml:lang=\"", language, "\">\n<head>\n",
                    "<meta charset=\"utf-8\"/>\n",
                    "<meta name=\"viewport\" content=\"width=device-width, "
                    "initial-scale=1\"/>\n",
                    "<title>", EscapeHtml(model_.title), "</title>\n");
    if (!model_.provenance.generated_at.empty()) {
      absl::StrAppend(&out_, "<meta name=\"dcterms.created\" content=\"",
                      EscapeHtml(model_.provenance.generated_at), "\"/>\n");
    }
    absl::StrAppend(&out_, "<style>", kStyle, "</style>\n</head>\n<body>\n");
    TitlePage();
    TableOfContents();
    absl::StrAppend(&out_, "<main>\n");
    TextChapter(model_.introduction);
    Expeditionary();
    National();
    TextChapter(model_.closing);
    Annex1Table();
    Annex2Table();
    ExpiringMandates();
    if (model_.checks.included) Checks();
    absl::StrAppend(&out_, "</main>\n");
    Footnotes();
    absl::StrAppend(&out_, "</body>\n</html>\n");
    return std::move(out_);
  }

 private:
  Language language() const { return model_.language; }

  void Line(absl::string_view html) { absl::StrAppend(&out_, html, "\n"); }

  void Heading(int level, absl::string_view id, absl::string_view text) {
    absl::StrAppend(&out_, "<h", level);
    if (!id.empty()) absl::StrAppend(&out_, " id=\"", id, "\"");
    absl::StrAppend(&out_, ">", EscapeHtml(text), "</h", level, ">\n");
  }

  void NumberedHeading(absl::string_view number, absl::string_view title) {
    Heading(HeadingLevel(number), SectionId(number),
            absl::StrCat(number, " ", title));
  }

  void Paragraph(absl::string_view text, absl::string_view css_class = "") {
    if (text.empty()) return;
    absl::StrAppend(&out_, "<p");
    if (!css_class.empty()) absl::StrAppend(&out_, " class=\"", css_class, "\"");
    absl::StrAppend(&out_, ">", EscapeHtml(text), "</p>\n");
  }

  void Body(const Text& text) {
    if (text.empty()) return;
    const bool foreign = !text.language_note.empty();
    if (foreign) Paragraph(text.language_note, "language-note");
    for (const std::string& paragraph : text.paragraphs) {
      if (foreign) {
        absl::StrAppend(&out_, "<p lang=\"", EscapeHtml(text.language), "\">",
                        EscapeHtml(paragraph), "</p>\n");
      } else {
        Paragraph(paragraph);
      }
    }
  }

  void List(const std::vector<std::string>& items) {
    Line("<ul>");
    for (const std::string& item : items) {
      absl::StrAppend(&out_, "<li>", EscapeHtml(item), "</li>\n");
    }
    Line("</ul>");
  }

  // A footnote reference; the footnote is listed at the end.
  std::string FootnoteRef(int number) {
    if (number <= 0) return "";
    std::string id;
    if (referenced_.insert(number).second) {
      id = absl::StrCat(" id=\"fnref-", number, "\"");
    }
    return absl::StrCat("<sup class=\"fn\"><a href=\"#fn-", number, "\"", id,
                        ">", number, "</a></sup>");
  }

  // --------------------------------------------------- front matter

  void TitlePage() {
    Line("<header class=\"title-page\">");
    Heading(1, "top", model_.title);
    Paragraph(absl::StrCat(Label(LabelId::kDate, language()), ": ",
                           model_.publication_date_text),
              "date");
    Paragraph(model_.provenance.statement, "provenance");
    Line("</header>");
  }

  void TocEntry(absl::string_view id, absl::string_view text) {
    absl::StrAppend(&out_, "<li><a href=\"#", id, "\">", EscapeHtml(text),
                    "</a>");
  }

  void TocNumbered(absl::string_view number, absl::string_view title) {
    TocEntry(SectionId(number), absl::StrCat(number, " ", title));
  }

  void TableOfContents() {
    const std::string toc = Label(LabelId::kTableOfContents, language());
    Line("<nav class=\"toc\" aria-labelledby=\"toc\">");
    Heading(2, "toc", toc);
    Line("<ol>");
    TocNumbered(model_.introduction.number, model_.introduction.title);
    Line("</li>");
    const ExpeditionaryChapter& chapter = model_.expeditionary;
    TocNumbered(chapter.number, chapter.title);
    Line("\n<ol>");
    TocNumbered(chapter.coherence.number, chapter.coherence.title);
    Line("</li>");
    for (const RegionSection& region : chapter.regions) {
      TocNumbered(region.number, region.title);
      Line("\n<ol>");
      for (const RegionItem& item : region.items) {
        if (item.mission.has_value()) {
          TocNumbered(item.mission->number, item.mission->title);
          Line("</li>");
        }
        if (item.cluster.has_value()) {
          TocNumbered(item.cluster->number, item.cluster->title);
          Line("\n<ol>");
          for (const MissionSection& mission : item.cluster->missions) {
            TocNumbered(mission.number, mission.title);
            Line("</li>");
          }
          Line("</ol></li>");
        }
      }
      Line("</ol></li>");
    }
    Line("</ol></li>");
    TocNumbered(model_.national.number, model_.national.title);
    if (!model_.national.missions.empty()) {
      Line("\n<ol>");
      for (const MissionSection& mission : model_.national.missions) {
        TocNumbered(mission.number, mission.title);
        Line("</li>");
      }
      Line("</ol>");
    }
    Line("</li>");
    TocNumbered(model_.closing.number, model_.closing.title);
    Line("</li>");
    const std::string annex = Label(LabelId::kAnnex, language());
    const auto annex_entry = [&](absl::string_view number,
                                 absl::string_view title) {
      TocEntry(absl::StrCat("annex-", number),
               absl::StrCat(annex, " ", number, " ", title));
      Line("</li>");
    };
    annex_entry(model_.annex1.number, model_.annex1.title);
    annex_entry(model_.annex2.number, model_.annex2.title);
    annex_entry(model_.expiring_mandates.number, model_.expiring_mandates.title);
    if (model_.checks.included) {
      annex_entry(model_.checks.number, model_.checks.title);
    }
    Line("</ol>\n</nav>");
  }

  // -------------------------------------------------------- chapters

  void TextChapter(const ReportChapter& chapter) {
    absl::StrAppend(&out_, "<section class=\"chapter\">\n");
    NumberedHeading(chapter.number, chapter.title);
    Body(chapter.text);
    Line("</section>");
  }

  void Mission(const MissionSection& mission) {
    NumberedHeading(mission.number, mission.title);
    const int level = std::min(6, HeadingLevel(mission.number) + 1);
    for (const MissionSubsection& subsection : mission.subsections) {
      Heading(level, "", subsection.heading);
      Body(subsection.text);
      if (!subsection.postings.empty()) {
        Paragraph(subsection.postings_intro);
        List(subsection.postings);
      }
      if (!subsection.financial_contributions.empty()) {
        Paragraph(subsection.financial_intro);
        List(subsection.financial_contributions);
      }
    }
    if (!mission.missing_text_note.empty()) {
      Paragraph(mission.missing_text_note, "note");
    }
  }

  void Rationale(absl::string_view number, absl::string_view heading,
                 const Text& text) {
    if (text.empty()) return;
    Heading(std::min(6, HeadingLevel(number) + 1), "", heading);
    Body(text);
  }

  void Expeditionary() {
    const ExpeditionaryChapter& chapter = model_.expeditionary;
    Line("<section class=\"chapter\">");
    NumberedHeading(chapter.number, chapter.title);
    const CoherenceSection& coherence = chapter.coherence;
    NumberedHeading(coherence.number, coherence.title);
    Body(coherence.text);
    if (!coherence.headline.sentence.empty()) {
      absl::StrAppend(&out_, "<p class=\"headline\">",
                      EscapeHtml(coherence.headline.sentence),
                      FootnoteRef(coherence.headline.footnote), "</p>\n");
    }
    for (const RegionSection& region : chapter.regions) {
      NumberedHeading(region.number, region.title);
      Rationale(region.number, region.rationale_heading, region.rationale);
      for (const RegionItem& item : region.items) {
        if (item.mission.has_value()) Mission(*item.mission);
        if (item.cluster.has_value()) {
          const ClusterSection& cluster = *item.cluster;
          NumberedHeading(cluster.number, cluster.title);
          Rationale(cluster.number, cluster.rationale_heading,
                    cluster.rationale);
          for (const MissionSection& mission : cluster.missions) {
            Mission(mission);
          }
        }
      }
    }
    Line("</section>");
  }

  void National() {
    const NationalChapter& chapter = model_.national;
    Line("<section class=\"chapter\">");
    NumberedHeading(chapter.number, chapter.title);
    Body(chapter.introduction);
    for (const MissionSection& mission : chapter.missions) Mission(mission);
    Line("</section>");
  }

  // --------------------------------------------------------- annexes

  void AnnexStart(absl::string_view number, absl::string_view title) {
    absl::StrAppend(&out_, "<section class=\"annex\">\n");
    Heading(2, absl::StrCat("annex-", number),
            absl::StrCat(Label(LabelId::kAnnex, language()), " ", number, " ",
                         title));
  }

  // The header row of a table: `numeric` columns are right-aligned.
  void TableHead(const std::vector<LabelId>& labels,
                 const std::vector<bool>& numeric) {
    Line("<table>\n<thead>\n<tr>");
    for (size_t i = 0; i < labels.size(); ++i) {
      absl::StrAppend(&out_, "<th scope=\"col\"",
                      numeric[i] ? " class=\"num\"" : "", ">",
                      EscapeHtml(Label(labels[i], language())), "</th>");
    }
    Line("\n</tr>\n</thead>");
  }

  // Starts a region's rows: a tbody headed by the region's name, as the
  // merged region cell of the printed report.
  void RegionGroup(const std::string& region, const std::string& title,
                   size_t columns, std::string& previous) {
    if (region == previous) return;
    if (!previous.empty()) Line("</tbody>");
    previous = region;
    absl::StrAppend(&out_, "<tbody>\n<tr class=\"group\"><th colspan=\"",
                    columns, "\" scope=\"rowgroup\">", EscapeHtml(title),
                    "</th></tr>\n");
  }

  static std::string Cell(absl::string_view html,
                          absl::string_view css_class = "") {
    return absl::StrCat("<td", css_class.empty() ? "" : " class=\"",
                        css_class, css_class.empty() ? "" : "\"", ">", html,
                        "</td>");
  }

  static std::string Number(const std::optional<int>& value) {
    return Cell(value.has_value() ? absl::StrCat(*value) : "", "num");
  }

  void Annex1Table() {
    const Annex1& annex = model_.annex1;
    AnnexStart(annex.number, annex.title);
    Paragraph(annex.as_of_note);
    TableHead({LabelId::kColumnMission, LabelId::kColumnLegalBasis,
               LabelId::kColumnInternationalMandateUntil,
               LabelId::kColumnNationalMandateUntil},
              {false, false, false, false});
    std::string previous;
    for (const Annex1Row& row : annex.rows) {
      RegionGroup(row.region, row.region_title, 4, previous);
      Line(absl::StrCat("<tr>", Cell(EscapeHtml(row.mission_title)),
                        Cell(EscapeHtml(row.legal_basis)),
                        Cell(EscapeHtml(row.international_mandate_until.text)),
                        Cell(EscapeHtml(row.national_mandate_until.text)),
                        "</tr>"));
    }
    if (!previous.empty()) Line("</tbody>");
    Line("</table>\n</section>");
  }

  void Annex2Table() {
    const Annex2& annex = model_.annex2;
    AnnexStart(annex.number, annex.title);
    TableHead({LabelId::kColumnMission, LabelId::kColumnMandateMilitary,
               LabelId::kColumnMandateCivilian,
               LabelId::kColumnMandateCombined,
               LabelId::kColumnDeployedMilitary,
               LabelId::kColumnDeployedCivilian,
               LabelId::kColumnDeployedTotal, LabelId::kColumnNote},
              {false, true, true, true, true, true, true, false});
    const Annex2Totals& totals = annex.totals;
    // The totals row, in a tfoot that follows the body.
    std::string previous;
    for (const Annex2Row& row : annex.rows) {
      RegionGroup(row.region, row.region_title, 8, previous);
      std::string mission = EscapeHtml(row.short_name);
      for (int footnote : row.footnotes) {
        absl::StrAppend(&mission, FootnoteRef(footnote));
      }
      Line(absl::StrCat(
          "<tr>", Cell(mission), Number(row.mandate_military),
          Number(row.mandate_civilian), Number(row.mandate_combined),
          Number(row.deployed_military), Number(row.deployed_civilian),
          Number(row.deployed_total),
          Cell(EscapeHtml(absl::StrJoin(row.notes, "; "))), "</tr>"));
    }
    if (!previous.empty()) Line("</tbody>");
    Line(absl::StrCat(
        "<tfoot>\n<tr class=\"totals\">",
        Cell(absl::StrCat(EscapeHtml(Label(LabelId::kTotal, language())),
                          FootnoteRef(totals.footnote))),
        Number(totals.mandate_military), Number(totals.mandate_civilian),
        Number(totals.mandate_combined), Number(totals.deployed_military),
        Number(totals.deployed_civilian), Number(totals.deployed_total),
        Cell(""), "</tr>\n</tfoot>\n</table>"));
    for (const std::string& paragraph : annex.explanation) {
      Paragraph(paragraph);
    }
    const DeploymentChart chart = BuildDeploymentChart(model_);
    absl::StrAppend(&out_, "<figure class=\"chart\">\n<figcaption>",
                    EscapeHtml(chart.title), "</figcaption>\n",
                    RenderChartSvg(chart), "</figure>\n</section>\n");
  }

  void ExpiringMandates() {
    const ExpiringMandatesAnnex& annex = model_.expiring_mandates;
    AnnexStart(annex.number, annex.title);
    Paragraph(annex.intro);
    if (annex.rows.empty()) {
      Paragraph(annex.empty_note, "note");
      Line("</section>");
      return;
    }
    TableHead({LabelId::kColumnEndsOn, LabelId::kColumnMission,
               LabelId::kColumnMandateKind, LabelId::kColumnBasis,
               LabelId::kColumnDaysAfterPublication},
              {false, false, false, false, true});
    Line("<tbody>");
    for (const ExpiringMandate& row : annex.rows) {
      Line(absl::StrCat(
          "<tr>",
          Cell(absl::StrCat("<time datetime=\"", EscapeHtml(row.ends_on),
                            "\">", EscapeHtml(row.ends_on_text), "</time>")),
          Cell(EscapeHtml(row.mission_title)), Cell(EscapeHtml(row.kind_label)),
          Cell(EscapeHtml(row.basis)),
          Number(std::optional<int>(row.days_after_publication)), "</tr>"));
    }
    Line("</tbody>\n</table>\n</section>");
  }

  void Checks() {
    const ChecksAnnex& checks = model_.checks;
    AnnexStart(checks.number, checks.title);
    Paragraph(checks.summary);
    if (checks.findings.empty()) {
      Line("</section>");
      return;
    }
    TableHead({LabelId::kColumnSeverity, LabelId::kColumnFinding,
               LabelId::kColumnCheck, LabelId::kColumnRecords},
              {false, false, false, false});
    Line("<tbody>");
    for (const Finding& finding : checks.findings) {
      std::vector<std::string> records;
      for (const std::string& record : finding.records) {
        records.push_back(absl::StrCat("<code>", EscapeHtml(record), "</code>"));
      }
      const absl::string_view css = finding.severity == Severity::kError
                                        ? "severity-error"
                                    : finding.severity == Severity::kWarning
                                        ? "severity-warning"
                                        : "severity-info";
      Line(absl::StrCat("<tr>", Cell(EscapeHtml(finding.severity_label), css),
                        Cell(EscapeHtml(finding.message)),
                        Cell(absl::StrCat("<code>", EscapeHtml(finding.check),
                                          "</code>")),
                        Cell(absl::StrJoin(records, "<br/>")), "</tr>"));
    }
    Line("</tbody>\n</table>\n</section>");
  }

  void Footnotes() {
    if (model_.footnotes.empty()) return;
    Line("<section class=\"footnotes\">");
    Heading(2, "footnotes", Label(LabelId::kFootnotes, language()));
    Line("<ol>");
    for (const Footnote& footnote : model_.footnotes) {
      absl::StrAppend(&out_, "<li id=\"fn-", footnote.number, "\" value=\"",
                      footnote.number, "\">", EscapeHtml(footnote.text));
      if (referenced_.count(footnote.number)) {
        absl::StrAppend(&out_, " <a class=\"back\" href=\"#fnref-",
                        footnote.number, "\">↩</a>");
      }
      Line("</li>");
    }
    Line("</ol>\n</section>");
  }

  const ReportModel& model_;
  std::string out_;
  std::set<int> referenced_;
};

}  // namespace

std::string EscapeHtml(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (const char c : text) {
    switch (c) {
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      case '"':
        out.append("&quot;");
        break;
      case '\'':
        out.append("&#39;");
        break;
      default:
        // Control characters other than tab and line ends are not allowed
        // in XML; they cannot come from the registry, but drop them here
        // so that the page stays well-formed whatever the model holds.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' &&
            c != '\r') {
          break;
        }
        out.push_back(c);
    }
  }
  return out;
}

std::string RenderChartSvg(const DeploymentChart& chart) {
  // Geometry in SVG user units (about a pixel at 100 %).
  constexpr double kWidth = 760;
  constexpr double kLabelRight = 196;
  constexpr double kBarLeft = 204;
  constexpr double kBarSpan = 490;
  constexpr double kLegendHeight = 30;
  constexpr double kGroupHeight = 24;
  constexpr double kRowHeight = 28;
  constexpr double kBarHeight = 10;
  constexpr double kAxisHeight = 26;
  constexpr size_t kLabelCharacters = 30;
  const char* const kMandatedColour = "#9ab7d3";
  const char* const kDeployedColour = "#1f4e79";

  size_t rows = 0;
  for (const ChartGroup& group : chart.groups) rows += group.bars.size();
  const double plot_top = kLegendHeight;
  const double plot_bottom = plot_top +
                             kGroupHeight * static_cast<double>(chart.groups.size()) +
                             kRowHeight * static_cast<double>(rows);
  const double height = plot_bottom + kAxisHeight;
  const auto x_of = [&](int value) {
    return kBarLeft + kBarSpan * value / std::max(chart.axis_max, 1);
  };

  std::string svg = absl::StrCat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ",
      Coordinate(kWidth), " ", Coordinate(height), "\" width=\"",
      Coordinate(kWidth), "\" height=\"", Coordinate(height),
      "\" role=\"img\" aria-labelledby=\"chart-title\" "
      "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
      "font-size=\"11\">\n<title id=\"chart-title\">",
      EscapeHtml(chart.title), "</title>\n");
  // Legend.
  absl::StrAppend(
      &svg, "<rect x=\"", Coordinate(kBarLeft), "\" y=\"6\" width=\"14\" "
      "height=\"", Coordinate(kBarHeight), "\" fill=\"", kMandatedColour,
      "\"/>\n<text x=\"", Coordinate(kBarLeft + 20), "\" y=\"15\">",
      EscapeHtml(chart.mandated_label), "</text>\n<rect x=\"",
      Coordinate(kBarLeft + 250), "\" y=\"6\" width=\"14\" height=\"",
      Coordinate(kBarHeight), "\" fill=\"", kDeployedColour,
      "\"/>\n<text x=\"", Coordinate(kBarLeft + 270), "\" y=\"15\">",
      EscapeHtml(chart.deployed_label), "</text>\n");
  // Grid lines and the axis.
  for (int tick : chart.ticks) {
    const double x = x_of(tick);
    absl::StrAppend(&svg, "<line x1=\"", Coordinate(x), "\" y1=\"",
                    Coordinate(plot_top), "\" x2=\"", Coordinate(x),
                    "\" y2=\"", Coordinate(plot_bottom),
                    "\" stroke=\"#d9dde3\" stroke-width=\"1\"/>\n<text x=\"",
                    Coordinate(x), "\" y=\"", Coordinate(plot_bottom + 16),
                    "\" text-anchor=\"middle\" fill=\"#555\">", tick,
                    "</text>\n");
  }
  absl::StrAppend(&svg, "<line x1=\"", Coordinate(kBarLeft), "\" y1=\"",
                  Coordinate(plot_bottom), "\" x2=\"",
                  Coordinate(kBarLeft + kBarSpan), "\" y2=\"",
                  Coordinate(plot_bottom),
                  "\" stroke=\"#555\" stroke-width=\"1\"/>\n");
  double y = plot_top;
  for (const ChartGroup& group : chart.groups) {
    absl::StrAppend(&svg, "<text x=\"4\" y=\"", Coordinate(y + 16),
                    "\" font-weight=\"bold\" fill=\"#1f4e79\">",
                    EscapeHtml(group.title), "</text>\n");
    y += kGroupHeight;
    for (const ChartBar& bar : group.bars) {
      const std::string label = Truncated(bar.label, kLabelCharacters);
      absl::StrAppend(&svg, "<g>\n<title>", EscapeHtml(bar.label), ": ",
                      EscapeHtml(chart.mandated_label), " ",
                      bar.mandated.has_value() ? absl::StrCat(*bar.mandated)
                                               : std::string("–"),
                      ", ", EscapeHtml(chart.deployed_label), " ",
                      bar.deployed, "</title>\n<text x=\"",
                      Coordinate(kLabelRight), "\" y=\"",
                      Coordinate(y + 17), "\" text-anchor=\"end\">",
                      EscapeHtml(label), "</text>\n");
      const double mandated_y = y + 3;
      const double deployed_y = y + 4 + kBarHeight;
      if (bar.mandated.has_value()) {
        const double end = x_of(*bar.mandated);
        absl::StrAppend(&svg, "<rect x=\"", Coordinate(kBarLeft), "\" y=\"",
                        Coordinate(mandated_y), "\" width=\"",
                        Coordinate(end - kBarLeft), "\" height=\"",
                        Coordinate(kBarHeight), "\" fill=\"", kMandatedColour,
                        "\"/>\n<text x=\"", Coordinate(end + 4), "\" y=\"",
                        Coordinate(mandated_y + 9), "\" font-size=\"9\">",
                        *bar.mandated, "</text>\n");
      } else if (!bar.mandated_note.empty()) {
        absl::StrAppend(&svg, "<text x=\"", Coordinate(kBarLeft + 2),
                        "\" y=\"", Coordinate(mandated_y + 9),
                        "\" font-size=\"9\" font-style=\"italic\" "
                        "fill=\"#555\">",
                        EscapeHtml(bar.mandated_note), "</text>\n");
      }
      const double end = x_of(bar.deployed);
      absl::StrAppend(&svg, "<rect x=\"", Coordinate(kBarLeft), "\" y=\"",
                      Coordinate(deployed_y), "\" width=\"",
                      Coordinate(end - kBarLeft), "\" height=\"",
                      Coordinate(kBarHeight), "\" fill=\"", kDeployedColour,
                      "\"/>\n<text x=\"", Coordinate(end + 4), "\" y=\"",
                      Coordinate(deployed_y + 9), "\" font-size=\"9\">",
                      bar.deployed, "</text>\n</g>\n");
      y += kRowHeight;
    }
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

std::string RenderHtml(const ReportModel& model) {
  return HtmlWriter(model).Render();
}

}  // namespace missions::report
