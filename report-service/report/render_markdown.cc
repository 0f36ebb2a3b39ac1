#include "report-service/report/render_markdown.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "report-service/report/labels.h"

namespace missions::report {
namespace {

// Characters escaped wherever they occur: they open emphasis, code spans,
// links, strikethrough or raw HTML; in table cells also the pipe.
bool EscapedEverywhere(char c, bool cell) {
  switch (c) {
    case '|':
      return cell;
    case '\\':
    case '`':
    case '*':
    case '_':
    case '[':
    case ']':
    case '<':
    case '~':
      return true;
    default:
      return false;
  }
}

// True if `line` has a blank (or nothing) at `pos`.
bool BlankAt(absl::string_view line, size_t pos) {
  return pos >= line.size() || line[pos] == ' ' || line[pos] == '\t';
}

// The position in `line` before which a backslash keeps the line from
// opening a block (heading, block quote, list, thematic break, table), or
// npos if the line start is harmless.
size_t BlockMarkerAt(absl::string_view line, bool cell) {
  if (line.empty()) return absl::string_view::npos;
  const char first = line.front();
  switch (first) {
    case '#':
    case '>':
      return 0;
    case '|':
      return cell ? absl::string_view::npos : 0;
    case '-':
    case '+':
    case '=':
      // "- item", "+ item", "---", "===".
      if (BlankAt(line, 1) || line[1] == first) return 0;
      return absl::string_view::npos;
    default:
      break;
  }
  // "1. item" or "1) item": up to nine digits, a dot or parenthesis, a
  // blank.
  size_t digits = 0;
  while (digits < line.size() && digits < 10 &&
         absl::ascii_isdigit(static_cast<unsigned char>(line[digits]))) {
    ++digits;
  }
  if (digits == 0 || digits > 9 || digits >= line.size()) {
    return absl::string_view::npos;
  }
  if ((line[digits] == '.' || line[digits] == ')') &&
      BlankAt(line, digits + 1)) {
    return digits;
  }
  return absl::string_view::npos;
}

// Appends `line` (no line breaks) escaped, including what would open a
// block at its start.
void AppendEscapedLine(absl::string_view line, bool cell, std::string& out) {
  size_t start = 0;
  while (start < line.size() && line[start] == ' ') ++start;
  out.append(line.data(), start);
  line.remove_prefix(start);
  const size_t marker = BlockMarkerAt(line, cell);
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (i == marker || EscapedEverywhere(c, cell)) out.push_back('\\');
    out.push_back(c);
  }
}

// The renderer's state: the document so far and the footnotes printed.
class MarkdownWriter {
 public:
  explicit MarkdownWriter(const ReportModel& model) : model_(model) {}

  std::string Render() {
    Heading(1, model_.title);
    Paragraph(absl::StrCat(Label(LabelId::kDate, model_.language), ": ",
                           model_.publication_date_text));
    Paragraph(model_.provenance.statement);
    TableOfContents();
    TextChapter(model_.introduction);
    Expeditionary();
    National();
    TextChapter(model_.closing);
    Annex1Table();
    Annex2Table();
    ExpiringMandatesTable();
    if (model_.checks.included) ChecksTable();
    // Footnotes no block referred to (none in a well-formed model).
    for (const Footnote& footnote : model_.footnotes) {
      if (!printed_footnotes_.count(footnote.number)) {
        pending_footnotes_.push_back(footnote.number);
      }
    }
    FlushFootnotes();
    // One line end at the end of the file.
    while (absl::EndsWith(out_, "\n\n")) out_.pop_back();
    return std::move(out_);
  }

 private:
  Language language() const { return model_.language; }

  void Heading(int level, absl::string_view text) {
    absl::StrAppend(&out_, std::string(std::min(level, 6), '#'), " ",
                    EscapeMarkdown(text), "\n\n");
  }

  void NumberedHeading(absl::string_view number, absl::string_view title) {
    Heading(LevelOf(number), absl::StrCat(number, " ", title));
  }

  // "2" -> level 2, "2.1" -> 3, "2.4.1.1" -> 5.
  static int LevelOf(absl::string_view number) {
    return 2 + static_cast<int>(std::count(number.begin(), number.end(), '.'));
  }

  // A paragraph of generated text (escaped here); nothing if empty.
  void Paragraph(absl::string_view text) {
    if (text.empty()) return;
    absl::StrAppend(&out_, EscapeMarkdown(text), "\n\n");
  }

  void Emphasis(absl::string_view text) {
    absl::StrAppend(&out_, "*", EscapeMarkdown(text), "*\n\n");
  }

  void Body(const Text& text) {
    if (text.empty()) return;
    if (!text.language_note.empty()) Emphasis(text.language_note);
    for (const std::string& paragraph : text.paragraphs) Paragraph(paragraph);
  }

  void List(const std::vector<std::string>& items) {
    for (const std::string& item : items) {
      absl::StrAppend(&out_, "- ", EscapeMarkdown(item), "\n");
    }
    out_.push_back('\n');
  }

  std::string FootnoteRef(int number) {
    if (number <= 0) return "";
    pending_footnotes_.push_back(number);
    return absl::StrCat("[^", number, "]");
  }

  // Prints the definitions of the footnotes referred to since the last
  // flush.
  void FlushFootnotes() {
    for (int number : pending_footnotes_) {
      if (!printed_footnotes_.insert(number).second) continue;
      for (const Footnote& footnote : model_.footnotes) {
        if (footnote.number == number) {
          absl::StrAppend(&out_, "[^", number,
                          "]: ", EscapeMarkdown(footnote.text), "\n\n");
        }
      }
    }
    pending_footnotes_.clear();
  }

  // ------------------------------------------------- Table of contents

  void TocLine(int depth, absl::string_view text) {
    absl::StrAppend(&out_, std::string(2 * depth, ' '), "- ",
                    EscapeMarkdown(text), "\n");
  }

  void TocMission(int depth, const MissionSection& mission) {
    TocLine(depth, absl::StrCat(mission.number, " ", mission.title));
  }

  void TableOfContents() {
    Heading(2, Label(LabelId::kTableOfContents, language()));
    const auto chapter = [this](absl::string_view number,
                                absl::string_view title) {
      TocLine(0, absl::StrCat(number, " ", title));
    };
    chapter(model_.introduction.number, model_.introduction.title);
    const ExpeditionaryChapter& expeditionary = model_.expeditionary;
    chapter(expeditionary.number, expeditionary.title);
    TocLine(1, absl::StrCat(expeditionary.coherence.number, " ",
                            expeditionary.coherence.title));
    for (const RegionSection& region : expeditionary.regions) {
      TocLine(1, absl::StrCat(region.number, " ", region.title));
      for (const RegionItem& item : region.items) {
        if (item.mission.has_value()) TocMission(2, *item.mission);
        if (item.cluster.has_value()) {
          const ClusterSection& cluster = *item.cluster;
          TocLine(2, absl::StrCat(cluster.number, " ", cluster.title));
          for (const MissionSection& mission : cluster.missions) {
            TocMission(3, mission);
          }
        }
      }
    }
    chapter(model_.national.number, model_.national.title);
    for (const MissionSection& mission : model_.national.missions) {
      TocMission(1, mission);
    }
    chapter(model_.closing.number, model_.closing.title);
    const std::string annex = Label(LabelId::kAnnex, language());
    TocLine(0, absl::StrCat(annex, " ", model_.annex1.number, " ",
                            model_.annex1.title));
    TocLine(0, absl::StrCat(annex, " ", model_.annex2.number, " ",
                            model_.annex2.title));
    TocLine(0, absl::StrCat(annex, " ", model_.expiring_mandates.number, " ",
                            model_.expiring_mandates.title));
    if (model_.checks.included) {
      TocLine(0, absl::StrCat(annex, " ", model_.checks.number, " ",
                              model_.checks.title));
    }
    out_.push_back('\n');
  }

  // ---------------------------------------------------------- Chapters

  void TextChapter(const ReportChapter& chapter) {
    NumberedHeading(chapter.number, chapter.title);
    Body(chapter.text);
  }

  void Mission(const MissionSection& mission) {
    NumberedHeading(mission.number, mission.title);
    const int level = LevelOf(mission.number) + 1;
    for (const MissionSubsection& subsection : mission.subsections) {
      Heading(level, subsection.heading);
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
      Emphasis(mission.missing_text_note);
    }
  }

  void Rationale(absl::string_view number, absl::string_view heading,
                 const Text& text) {
    if (text.empty()) return;
    Heading(LevelOf(number) + 1, heading);
    Body(text);
  }

  void Expeditionary() {
    const ExpeditionaryChapter& chapter = model_.expeditionary;
    NumberedHeading(chapter.number, chapter.title);
    const CoherenceSection& coherence = chapter.coherence;
    NumberedHeading(coherence.number, coherence.title);
    Body(coherence.text);
    if (!coherence.headline.sentence.empty()) {
      absl::StrAppend(&out_, EscapeMarkdown(coherence.headline.sentence),
                      FootnoteRef(coherence.headline.footnote), "\n\n");
      FlushFootnotes();
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
  }

  void National() {
    const NationalChapter& chapter = model_.national;
    NumberedHeading(chapter.number, chapter.title);
    Body(chapter.introduction);
    for (const MissionSection& mission : chapter.missions) Mission(mission);
  }

  // ------------------------------------------------------------ Annexes

  void AnnexHeading(absl::string_view number, absl::string_view title) {
    Heading(2, absl::StrCat(Label(LabelId::kAnnex, language()), " ", number,
                            " ", title));
  }

  // Appends a table row of already escaped cells.
  void Row(const std::vector<std::string>& cells) {
    absl::StrAppend(&out_, "| ", absl::StrJoin(cells, " | "), " |\n");
  }

  void HeaderRow(const std::vector<LabelId>& labels,
                 const std::vector<bool>& numeric) {
    std::vector<std::string> cells;
    std::vector<std::string> rule;
    for (size_t i = 0; i < labels.size(); ++i) {
      cells.push_back(EscapeMarkdownCell(Label(labels[i], language())));
      rule.push_back(numeric[i] ? "---:" : "---");
    }
    Row(cells);
    Row(rule);
  }

  // The region cell: the region's name on the first row of its group only,
  // as the merged cell of the printed report.
  std::string RegionCell(const std::string& region,
                         const std::string& region_title,
                         std::string& previous_region) {
    if (region == previous_region) return "";
    previous_region = region;
    return EscapeMarkdownCell(region_title);
  }

  void Annex1Table() {
    const Annex1& annex = model_.annex1;
    AnnexHeading(annex.number, annex.title);
    Paragraph(annex.as_of_note);
    HeaderRow(
        {LabelId::kColumnRegion, LabelId::kColumnMission,
         LabelId::kColumnLegalBasis, LabelId::kColumnInternationalMandateUntil,
         LabelId::kColumnNationalMandateUntil},
        {false, false, false, false, false});
    std::string previous_region;
    for (const Annex1Row& row : annex.rows) {
      Row({RegionCell(row.region, row.region_title, previous_region),
           EscapeMarkdownCell(row.mission_title),
           EscapeMarkdownCell(row.legal_basis),
           EscapeMarkdownCell(row.international_mandate_until.text),
           EscapeMarkdownCell(row.national_mandate_until.text)});
    }
    out_.push_back('\n');
  }

  static std::string Number(const std::optional<int>& value) {
    return value.has_value() ? absl::StrCat(*value) : "";
  }

  static std::string Bold(const std::string& text) {
    return absl::StrCat("**", text, "**");
  }

  void Annex2Table() {
    const Annex2& annex = model_.annex2;
    AnnexHeading(annex.number, annex.title);
    HeaderRow(
        {LabelId::kColumnRegion, LabelId::kColumnMission,
         LabelId::kColumnMandateMilitary, LabelId::kColumnMandateCivilian,
         LabelId::kColumnMandateCombined, LabelId::kColumnDeployedMilitary,
         LabelId::kColumnDeployedCivilian, LabelId::kColumnDeployedTotal,
         LabelId::kColumnNote},
        {false, false, true, true, true, true, true, true, false});
    std::string previous_region;
    for (const Annex2Row& row : annex.rows) {
      std::string mission = EscapeMarkdownCell(row.short_name);
      for (int footnote : row.footnotes) {
        absl::StrAppend(&mission, FootnoteRef(footnote));
      }
      Row({RegionCell(row.region, row.region_title, previous_region), mission,
           Number(row.mandate_military), Number(row.mandate_civilian),
           Number(row.mandate_combined), Number(row.deployed_military),
           Number(row.deployed_civilian), Number(row.deployed_total),
           EscapeMarkdownCell(absl::StrJoin(row.notes, "; "))});
    }
    const Annex2Totals& totals = annex.totals;
    Row({"",
         absl::StrCat(
             Bold(EscapeMarkdownCell(Label(LabelId::kTotal, language()))),
             FootnoteRef(totals.footnote)),
         Bold(absl::StrCat(totals.mandate_military)),
         Bold(absl::StrCat(totals.mandate_civilian)),
         Bold(absl::StrCat(totals.mandate_combined)),
         Bold(absl::StrCat(totals.deployed_military)),
         Bold(absl::StrCat(totals.deployed_civilian)),
         Bold(absl::StrCat(totals.deployed_total)), ""});
    out_.push_back('\n');
    for (const std::string& paragraph : annex.explanation) {
      Paragraph(paragraph);
    }
    FlushFootnotes();
  }

  void ExpiringMandatesTable() {
    const ExpiringMandatesAnnex& annex = model_.expiring_mandates;
    AnnexHeading(annex.number, annex.title);
    Paragraph(annex.intro);
    if (annex.rows.empty()) {
      Paragraph(annex.empty_note);
      return;
    }
    HeaderRow({LabelId::kColumnEndsOn, LabelId::kColumnMission,
               LabelId::kColumnMandateKind, LabelId::kColumnBasis,
               LabelId::kColumnDaysAfterPublication},
              {false, false, false, false, true});
    for (const ExpiringMandate& row : annex.rows) {
      Row({EscapeMarkdownCell(row.ends_on_text),
           EscapeMarkdownCell(row.mission_title),
           EscapeMarkdownCell(row.kind_label), EscapeMarkdownCell(row.basis),
           absl::StrCat(row.days_after_publication)});
    }
    out_.push_back('\n');
  }

  void ChecksTable() {
    const ChecksAnnex& checks = model_.checks;
    AnnexHeading(checks.number, checks.title);
    Paragraph(checks.summary);
    if (checks.findings.empty()) return;
    HeaderRow({LabelId::kColumnSeverity, LabelId::kColumnCheck,
               LabelId::kColumnFinding, LabelId::kColumnRecords},
              {false, false, false, false});
    for (const Finding& finding : checks.findings) {
      std::vector<std::string> records;
      for (const std::string& record : finding.records) {
        records.push_back(absl::StrCat("`", record, "`"));
      }
      Row({finding.severity == Severity::kError
               ? Bold(EscapeMarkdownCell(finding.severity_label))
               : EscapeMarkdownCell(finding.severity_label),
           EscapeMarkdownCell(finding.check),
           EscapeMarkdownCell(finding.message), absl::StrJoin(records, " ")});
    }
    out_.push_back('\n');
  }

  const ReportModel& model_;
  std::string out_;
  std::vector<int> pending_footnotes_;
  std::set<int> printed_footnotes_;
};

}  // namespace

std::string EscapeMarkdown(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  size_t start = 0;
  while (true) {
    const size_t end = text.find('\n', start);
    AppendEscapedLine(text.substr(start, end - start), /*cell=*/false, out);
    if (end == absl::string_view::npos) break;
    out.push_back('\n');
    start = end + 1;
  }
  return out;
}

std::string EscapeMarkdownCell(absl::string_view text) {
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t end = text.find_first_of("\r\n", start);
    AppendEscapedLine(text.substr(start, end - start), /*cell=*/true, out);
    if (end == absl::string_view::npos) break;
    out.append("<br>");
    start = end + 1;
    if (text[end] == '\r' && start < text.size() && text[start] == '\n') {
      ++start;
    }
  }
  return out;
}

std::string RenderMarkdown(const ReportModel& model) {
  return MarkdownWriter(model).Render();
}

}  // namespace missions::report
