#include "report-service/report/render_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "report-service/report/deployment_chart.h"
#include "report-service/report/labels.h"

namespace missions::report {
namespace {

// ------------------------------------------------------------ geometry

// A4 in PostScript points (1/72 inch), the unit of PDF user space.
constexpr double kPageWidth = 595.2756;
constexpr double kPageHeight = 841.8898;
constexpr double kMarginLeft = 62;
constexpr double kMarginRight = 56;
constexpr double kMarginTop = 56;
constexpr double kMarginBottom = 62;
constexpr double kContentWidth = kPageWidth - kMarginLeft - kMarginRight;
constexpr double kBottom = kPageHeight - kMarginBottom;
constexpr double kFooterBaseline = kPageHeight - 32;
constexpr double kCellPad = 2.5;

struct Colour {
  double r, g, b;
};
constexpr Colour kInk = {0.1, 0.1, 0.1};
constexpr Colour kAccent = {0.122, 0.306, 0.475};
constexpr Colour kMuted = {0.35, 0.35, 0.35};
constexpr Colour kRuleColour = {0.79, 0.81, 0.84};
constexpr Colour kBand = {0.933, 0.949, 0.969};
constexpr Colour kGroupBand = {0.969, 0.969, 0.969};
constexpr Colour kMandatedBar = {0.604, 0.718, 0.827};
constexpr Colour kGrid = {0.85, 0.87, 0.89};
constexpr Colour kError = {0.64, 0, 0};
constexpr Colour kWarning = {0.54, 0.35, 0};

// The type styles.
enum class Style {
  kTitle,
  kSubtitle,
  kH2,
  kH3,
  kH4,
  kH5,
  kH6,
  kBody,
  kItalic,
  kFootnote,
  kTable,
  kTableBold,
  kTableHeader,
  kFooter,
  kToc,
  kTocBold,
  kChart,
  kChartSmall,
  kCount,
};

constexpr const char* kFonts[] = {
    "DejaVu Sans Bold 20",   // kTitle
    "DejaVu Sans 10",        // kSubtitle
    "DejaVu Sans Bold 14",   // kH2
    "DejaVu Sans Bold 11.5", // kH3
    "DejaVu Sans Bold 10",   // kH4
    "DejaVu Sans Bold 9.5",  // kH5
    "DejaVu Sans Bold 8.5",  // kH6
    "DejaVu Serif 9.5",      // kBody
    "DejaVu Serif Italic 9.5",  // kItalic
    "DejaVu Serif 7.5",      // kFootnote
    "DejaVu Sans 7",         // kTable
    "DejaVu Sans Bold 7",    // kTableBold
    "DejaVu Sans Bold 6.5",  // kTableHeader
    "DejaVu Sans 7",         // kFooter
    "DejaVu Sans 8.5",       // kToc
    "DejaVu Sans Bold 8.5",  // kTocBold
    "DejaVu Sans 7",         // kChart
    "DejaVu Sans 6",         // kChartSmall
};
static_assert(std::size(kFonts) == static_cast<size_t>(Style::kCount));

// A text to lay out: what, in which style, how wide.
struct TextSpec {
  std::string text;
  Style style = Style::kBody;
  // Wrap width in points; 0 or less: one line, no wrapping.
  double width = 0;
  PangoAlignment align = PANGO_ALIGN_LEFT;
  // Cut a too long single line with "…" (with `width`).
  bool ellipsize = false;
  // Break inside words when a word is wider than `width`.
  bool break_words = false;
  // Indentation of the first line (negative: a hanging indent).
  double indent = 0;
};

// `text` (digits and commas: footnote numbers) in superscript
// characters, so that the marks stay on their line for text extraction.
std::string Superscript(absl::string_view text) {
  static constexpr const char* kDigits[] = {"⁰", "¹", "²", "³", "⁴",
                                            "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string out;
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      out.append(kDigits[c - '0']);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The vertical metrics of one line of a laid-out text, relative to the
// text's top.
struct LineMetrics {
  double top;
  double height;
  double baseline;
  double x;  // left edge of the line's logical extents
};

// What a page shows, in drawing order.
struct Op {
  enum class Kind { kText, kRect, kRule, kTocEntry };
  Kind kind = Kind::kText;
  // kText, kTocEntry: the text, and the lines [first_line, last_line) of
  // it drawn with the top of line `first_line` at (x, y).
  size_t spec = 0;
  int first_line = 0;
  int last_line = 0;
  double x = 0;
  double y = 0;
  // kRect: a filled rectangle; kRule: a line from (x, y) to (x2, y2).
  double width = 0;
  double height = 0;
  double x2 = 0;
  double y2 = 0;
  double line_width = 0;
  Colour colour = kInk;
  // kTocEntry: the anchor whose page number is printed at the right.
  std::string anchor;
};

struct Page {
  std::vector<Op> ops;
  bool numbered = true;
};

// Where an anchor (a heading) is: its page (from 1) and the y of its top.
struct Destination {
  int page = 0;
  double y = 0;
};

struct OutlineEntry {
  int level = 0;  // 1: chapter or annex, 2: section, 3: subsection
  std::string title;
  std::string anchor;
};

// One cell of a table row.
struct TableCell {
  std::string text;
  // Footnote numbers printed as a superscript after the text.
  std::string superscript;
};

struct TableColumn {
  std::string label;
  double width = 0;
  bool numeric = false;
};

// ------------------------------------------------------------- typesetter

// Lays the report out into pages (measuring every text with Pango), then
// draws the pages with cairo. Owns the Pango objects.
class Typesetter {
 public:
  explicit Typesetter(const ReportModel& model) : model_(model) {}

  ~Typesetter() {
    for (PangoFontDescription* font : fonts_) {
      if (font != nullptr) pango_font_description_free(font);
    }
    if (context_ != nullptr) g_object_unref(context_);
    if (font_map_ != nullptr) g_object_unref(font_map_);
  }

  absl::StatusOr<std::string> Render() {
    if (absl::Status status = Init(); !status.ok()) return status;
    LayOut();
    return Draw();
  }

 private:
  // --------------------------------------------------------- set-up

  absl::Status Init() {
    font_map_ = pango_cairo_font_map_new();
    if (font_map_ == nullptr) {
      return absl::InternalError("PDF: cannot create a Pango font map");
    }
    context_ = pango_font_map_create_context(font_map_);
    // Points are PDF units; no hinting, so that measuring and drawing
    // agree and the layout does not depend on a screen.
    pango_cairo_context_set_resolution(context_, 72);
    cairo_font_options_t* options = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(context_, options);
    cairo_font_options_destroy(options);
    const std::string language(LanguageCode(model_.language));
    PangoLanguage* pango_language =
        pango_language_from_string(language.c_str());
    pango_context_set_language(context_, pango_language);
    for (size_t i = 0; i < std::size(kFonts); ++i) {
      fonts_.push_back(pango_font_description_from_string(kFonts[i]));
    }
    PangoFont* font = pango_context_load_font(
        context_, fonts_[static_cast<size_t>(Style::kBody)]);
    if (font == nullptr) {
      return absl::InternalError(
          "PDF: no font found through fontconfig (install fonts-dejavu-core)");
    }
    g_object_unref(font);
    return absl::OkStatus();
  }

  // A new layout of `spec`; the caller unrefs it.
  PangoLayout* NewLayout(const TextSpec& spec) const {
    PangoLayout* layout = pango_layout_new(context_);
    pango_layout_set_font_description(
        layout, fonts_[static_cast<size_t>(spec.style)]);
    if (spec.width > 0) {
      pango_layout_set_width(layout,
                             static_cast<int>(spec.width * PANGO_SCALE));
      pango_layout_set_wrap(layout, spec.break_words ? PANGO_WRAP_WORD_CHAR
                                                     : PANGO_WRAP_WORD);
      if (spec.ellipsize) {
        pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
        pango_layout_set_height(layout, -1);  // One line.
      }
    }
    pango_layout_set_alignment(layout, spec.align);
    if (spec.indent != 0) {
      pango_layout_set_indent(layout,
                              static_cast<int>(spec.indent * PANGO_SCALE));
    }
    pango_layout_set_text(layout, spec.text.data(),
                          static_cast<int>(spec.text.size()));
    return layout;
  }

  // Lays `spec` out and returns its lines' metrics.
  std::vector<LineMetrics> Measure(const TextSpec& spec) const {
    PangoLayout* layout = NewLayout(spec);
    std::vector<LineMetrics> lines = LinesOf(layout);
    g_object_unref(layout);
    return lines;
  }

  // The width of `text` in `style` on one line.
  double TextWidth(const std::string& text, Style style) const {
    TextSpec spec;
    spec.text = text;
    spec.style = style;
    PangoLayout* layout = NewLayout(spec);
    PangoRectangle logical;
    pango_layout_get_extents(layout, nullptr, &logical);
    g_object_unref(layout);
    return static_cast<double>(logical.width) / PANGO_SCALE;
  }

  static std::vector<LineMetrics> LinesOf(PangoLayout* layout) {
    std::vector<LineMetrics> lines;
    PangoLayoutIter* iter = pango_layout_get_iter(layout);
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(iter, nullptr, &logical);
      lines.push_back(LineMetrics{
          static_cast<double>(logical.y) / PANGO_SCALE,
          static_cast<double>(logical.height) / PANGO_SCALE,
          static_cast<double>(pango_layout_iter_get_baseline(iter)) /
              PANGO_SCALE,
          static_cast<double>(logical.x) / PANGO_SCALE});
    } while (pango_layout_iter_next_line(iter));
    pango_layout_iter_free(iter);
    return lines;
  }

  static double Height(const std::vector<LineMetrics>& lines) {
    if (lines.empty()) return 0;
    return lines.back().top + lines.back().height - lines.front().top;
  }

  size_t AddSpec(TextSpec spec) {
    specs_.push_back(std::move(spec));
    return specs_.size() - 1;
  }

  // --------------------------------------------------------- pages

  Page& page() { return pages_.back(); }
  int page_number() const { return static_cast<int>(pages_.size()); }
  double remaining() const { return kBottom - y_; }

  void NewPage(bool numbered = true) {
    pages_.push_back(Page{{}, numbered});
    y_ = kMarginTop;
    at_page_top_ = true;
    if (on_new_page_) on_new_page_();
  }

  // Starts a new page unless `height` still fits on this one (or nothing
  // is on this page yet).
  void EnsureSpace(double height) {
    if (height > remaining() && !at_page_top_) NewPage();
  }

  void Space(double points) {
    if (!at_page_top_) y_ += points;
  }

  void Anchor(const std::string& anchor) {
    destinations_[anchor] = Destination{page_number(), y_};
  }

  void AddOp(Op op) {
    page().ops.push_back(std::move(op));
    at_page_top_ = false;
  }

  void Rect(double x, double y, double width, double height, Colour colour) {
    Op op;
    op.kind = Op::Kind::kRect;
    op.x = x;
    op.y = y;
    op.width = width;
    op.height = height;
    op.colour = colour;
    AddOp(std::move(op));
  }

  void Rule(double x, double y, double x2, double y2, double line_width,
            Colour colour) {
    Op op;
    op.kind = Op::Kind::kRule;
    op.x = x;
    op.y = y;
    op.x2 = x2;
    op.y2 = y2;
    op.line_width = line_width;
    op.colour = colour;
    AddOp(std::move(op));
  }

  // Places the whole of a measured text with its top at (x, y), no page
  // break.
  void PlaceText(size_t spec, const std::vector<LineMetrics>& lines, double x,
                 double y, Colour colour) {
    Op op;
    op.kind = Op::Kind::kText;
    op.spec = spec;
    op.first_line = 0;
    op.last_line = static_cast<int>(lines.size());
    op.x = x;
    op.y = y;
    op.colour = colour;
    AddOp(std::move(op));
  }

  // Flows a text at the cursor, breaking it between lines across pages
  // (never leaving a single line of a longer text at a page's bottom).
  void FlowText(TextSpec text, double x, Colour colour, double space_after) {
    const std::vector<LineMetrics> lines = Measure(text);
    const size_t spec = AddSpec(std::move(text));
    size_t next = 0;
    while (next < lines.size()) {
      const double base = lines[next].top;
      size_t end = next;
      while (end < lines.size() &&
             lines[end].top + lines[end].height - base <= remaining()) {
        ++end;
      }
      const bool lone_first_line =
          next == 0 && end == 1 && lines.size() > 1;
      if ((end == next || lone_first_line) && !at_page_top_) {
        NewPage();
        continue;
      }
      if (end == next) end = next + 1;  // Taller than a page: place anyway.
      Op op;
      op.kind = Op::Kind::kText;
      op.spec = spec;
      op.first_line = static_cast<int>(next);
      op.last_line = static_cast<int>(end);
      op.x = x;
      op.y = y_;
      op.colour = colour;
      AddOp(std::move(op));
      y_ += lines[end - 1].top + lines[end - 1].height - base;
      next = end;
      if (next < lines.size()) NewPage();
    }
    y_ += space_after;
  }

  // ------------------------------------------------------ blocks

  Style HeadingStyle(int level) const {
    switch (level) {
      case 1:
      case 2:
        return Style::kH2;
      case 3:
        return Style::kH3;
      case 4:
        return Style::kH4;
      case 5:
        return Style::kH5;
      default:
        return Style::kH6;
    }
  }

  // A heading kept together with at least three lines of what follows;
  // with an anchor and an outline entry at `outline_level` (0: none).
  void Heading(int level, const std::string& text, const std::string& anchor,
               int outline_level) {
    TextSpec spec;
    spec.text = text;
    spec.style = HeadingStyle(level);
    spec.width = kContentWidth;
    const std::vector<LineMetrics> lines = Measure(spec);
    const double space_before = level <= 2 ? 0 : (level == 3 ? 12 : 8);
    EnsureSpace(space_before + Height(lines) + 3 * 12);
    Space(space_before);
    if (!anchor.empty()) {
      Anchor(anchor);
      if (outline_level > 0) {
        outline_.push_back(OutlineEntry{outline_level, text, anchor});
      }
    }
    const size_t index = AddSpec(std::move(spec));
    PlaceText(index, lines, kMarginLeft, y_, level <= 5 ? kAccent : kInk);
    y_ += Height(lines) + (level <= 2 ? 10 : 4);
  }

  void Paragraph(const std::string& text, Style style = Style::kBody,
                 const std::string& superscript = "", double indent = 0) {
    if (text.empty()) return;
    TextSpec spec;
    spec.text = absl::StrCat(text, Superscript(superscript));
    spec.style = style;
    spec.width = kContentWidth - indent;
    FlowText(std::move(spec), kMarginLeft + indent,
             style == Style::kItalic ? kMuted : kInk, 5);
  }

  void Body(const Text& text) {
    if (text.empty()) return;
    if (!text.language_note.empty()) Paragraph(text.language_note, Style::kItalic);
    for (const std::string& paragraph : text.paragraphs) Paragraph(paragraph);
  }

  // A bulleted list: the bullet hangs in the indentation.
  void List(const std::vector<std::string>& items) {
    constexpr double kIndent = 14;
    constexpr absl::string_view kBullet = "•  ";
    const double bullet_width = TextWidth(std::string(kBullet), Style::kBody);
    for (const std::string& item : items) {
      TextSpec spec;
      spec.text = absl::StrCat(kBullet, item);
      spec.style = Style::kBody;
      spec.width = kContentWidth - kIndent;
      spec.indent = -bullet_width;
      FlowText(std::move(spec), kMarginLeft + kIndent, kInk, 2);
    }
    y_ += 4;
  }

  // Footnote texts, small, after the block that refers to them.
  void Footnotes(const std::vector<int>& numbers) {
    for (int number : numbers) {
      for (const Footnote& footnote : model_.footnotes) {
        if (footnote.number != number) continue;
        TextSpec spec;
        spec.text = absl::StrCat(Superscript(absl::StrCat(number)), " ",
                                 footnote.text);
        spec.style = Style::kFootnote;
        spec.width = kContentWidth;
        FlowText(std::move(spec), kMarginLeft, kMuted, 3);
      }
    }
    y_ += 4;
  }

  // ------------------------------------------------------- tables

  // A table: header row (repeated on each page), then rows; a row whose
  // first cell is `group` spans the table (a region's name).
  struct TableRow {
    enum class Kind { kNormal, kGroup, kTotals };
    Kind kind = Kind::kNormal;
    std::vector<TableCell> cells;
    // Colour of the first cell's text (severities).
    std::optional<Colour> first_colour;
  };

  void TableHeader(const std::vector<TableColumn>& columns) {
    std::vector<size_t> specs;
    std::vector<std::vector<LineMetrics>> measured;
    double height = 0;
    for (const TableColumn& column : columns) {
      TextSpec spec;
      spec.text = column.label;
      spec.style = Style::kTableHeader;
      spec.width = column.width - 2 * kCellPad;
      spec.align = column.numeric ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT;
      spec.break_words = true;
      measured.push_back(Measure(spec));
      height = std::max(height, Height(measured.back()));
      specs.push_back(AddSpec(std::move(spec)));
    }
    height += 2 * kCellPad;
    Rect(kMarginLeft, y_, kContentWidth, height, kBand);
    double x = kMarginLeft;
    for (size_t i = 0; i < columns.size(); ++i) {
      PlaceText(specs[i], measured[i], x + kCellPad, y_ + kCellPad, kInk);
      x += columns[i].width;
    }
    y_ += height;
    Rule(kMarginLeft, y_, kMarginLeft + kContentWidth, y_, 1.2, kAccent);
  }

  double HeaderHeight(const std::vector<TableColumn>& columns) const {
    double height = 0;
    for (const TableColumn& column : columns) {
      TextSpec spec;
      spec.text = column.label;
      spec.style = Style::kTableHeader;
      spec.width = column.width - 2 * kCellPad;
      spec.break_words = true;
      height = std::max(height, Height(Measure(spec)));
    }
    return height + 2 * kCellPad;
  }

  void Table(const std::vector<TableColumn>& columns,
             const std::vector<TableRow>& rows) {
    const double header_height = HeaderHeight(columns);
    // The header and the first two rows stay together.
    EnsureSpace(header_height + 40);
    TableHeader(columns);
    for (size_t r = 0; r < rows.size(); ++r) {
      const TableRow& row = rows[r];
      std::vector<TextSpec> specs;
      std::vector<std::vector<LineMetrics>> measured;
      double height = 0;
      const bool group = row.kind == TableRow::Kind::kGroup;
      for (size_t i = 0; i < row.cells.size() && i < columns.size(); ++i) {
        TextSpec spec;
        spec.text = absl::StrCat(row.cells[i].text,
                                 Superscript(row.cells[i].superscript));
        spec.style = row.kind == TableRow::Kind::kNormal ? Style::kTable
                                                         : Style::kTableBold;
        spec.width =
            (group ? kContentWidth : columns[i].width) - 2 * kCellPad;
        spec.align = columns[i].numeric && !group ? PANGO_ALIGN_RIGHT
                                                  : PANGO_ALIGN_LEFT;
        spec.break_words = true;
        measured.push_back(Measure(spec));
        height = std::max(height, Height(measured.back()));
        specs.push_back(std::move(spec));
        if (group) break;
      }
      height += 2 * kCellPad;
      // A group row stays with the row after it.
      double needed = height;
      if (group && r + 1 < rows.size()) needed += 14;
      if (needed > remaining() && !at_page_top_) {
        NewPage();
        TableHeader(columns);
      }
      if (group) Rect(kMarginLeft, y_, kContentWidth, height, kGroupBand);
      if (row.kind == TableRow::Kind::kTotals) {
        Rule(kMarginLeft, y_, kMarginLeft + kContentWidth, y_, 1.2, kAccent);
      }
      double x = kMarginLeft;
      for (size_t i = 0; i < specs.size(); ++i) {
        Colour colour = group ? kAccent : kInk;
        if (i == 0 && row.first_colour.has_value()) colour = *row.first_colour;
        const size_t index = AddSpec(std::move(specs[i]));
        PlaceText(index, measured[i], x + kCellPad, y_ + kCellPad, colour);
        x += columns[i].width;
      }
      y_ += height;
      Rule(kMarginLeft, y_, kMarginLeft + kContentWidth, y_, 0.4, kRuleColour);
    }
    y_ += 10;
  }

  // Column widths from weights, filling the content width.
  static std::vector<TableColumn> Columns(
      const std::vector<std::pair<std::string, double>>& weighted,
      const std::vector<bool>& numeric) {
    double total = 0;
    for (const auto& [label, weight] : weighted) total += weight;
    std::vector<TableColumn> columns;
    for (size_t i = 0; i < weighted.size(); ++i) {
      columns.push_back(TableColumn{weighted[i].first,
                                    kContentWidth * weighted[i].second / total,
                                    numeric[i]});
    }
    return columns;
  }

  std::string L(LabelId id) const { return Label(id, model_.language); }

  static std::string Number(const std::optional<int>& value) {
    return value.has_value() ? absl::StrCat(*value) : "";
  }

  static std::string Superscripts(const std::vector<int>& numbers) {
    std::vector<std::string> parts;
    for (int number : numbers) parts.push_back(absl::StrCat(number));
    return absl::StrJoin(parts, ",");
  }

  // ------------------------------------------------------- the report

  static std::string SectionAnchor(absl::string_view number) {
    return absl::StrCat("s-", number);
  }

  static int LevelOf(absl::string_view number) {
    return std::min(6, 2 + static_cast<int>(std::count(number.begin(),
                                                       number.end(), '.')));
  }

  void LayOut() {
    TitlePage();
    Contents();
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

  void TitlePage() {
    NewPage(/*numbered=*/false);
    y_ = 250;
    Heading(2, model_.title, "top", 0);
    y_ += 6;
    Paragraph(absl::StrCat(L(LabelId::kDate), ": ", model_.publication_date_text),
              Style::kBody);
    Paragraph(model_.provenance.statement, Style::kItalic);
  }

  // The table of contents: one line per entry (cut with "…" if too long),
  // so its length does not depend on the page numbers it shows.
  struct TocItem {
    int depth;
    std::string text;
    std::string anchor;
  };

  std::vector<TocItem> ContentsItems() const {
    std::vector<TocItem> items;
    const auto section = [&](int depth, absl::string_view number,
                             absl::string_view title) {
      items.push_back(TocItem{depth, absl::StrCat(number, " ", title),
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
      items.push_back(
          TocItem{0, absl::StrCat(L(LabelId::kAnnex), " ", number, " ", title),
                  absl::StrCat("annex-", number)});
    };
    annex(model_.annex1.number, model_.annex1.title);
    annex(model_.annex2.number, model_.annex2.title);
    annex(model_.expiring_mandates.number, model_.expiring_mandates.title);
    if (model_.checks.included) {
      annex(model_.checks.number, model_.checks.title);
    }
    return items;
  }

  void Contents() {
    NewPage();
    Heading(2, L(LabelId::kTableOfContents), "toc", 0);
    constexpr double kNumberWidth = 36;
    for (const TocItem& item : ContentsItems()) {
      const double indent = 14.0 * item.depth;
      TextSpec spec;
      spec.text = item.text;
      spec.style = item.depth == 0 ? Style::kTocBold : Style::kToc;
      spec.width = kContentWidth - indent - kNumberWidth;
      spec.ellipsize = true;
      const std::vector<LineMetrics> lines = Measure(spec);
      const double height = Height(lines) + (item.depth == 0 ? 5 : 2);
      if (item.depth == 0) Space(4);
      EnsureSpace(height);
      Op op;
      op.kind = Op::Kind::kTocEntry;
      op.spec = AddSpec(std::move(spec));
      op.first_line = 0;
      op.last_line = static_cast<int>(lines.size());
      op.x = kMarginLeft + indent;
      op.y = y_;
      op.anchor = item.anchor;
      AddOp(std::move(op));
      y_ += height;
    }
  }

  void NumberedHeading(absl::string_view number, absl::string_view title,
                       int outline_level) {
    Heading(LevelOf(number), absl::StrCat(number, " ", title),
            SectionAnchor(number), outline_level);
  }

  void Chapter(const ReportChapter& chapter) {
    NewPage();
    NumberedHeading(chapter.number, chapter.title, 1);
    Body(chapter.text);
  }

  void Mission(const MissionSection& mission, int outline_level) {
    NumberedHeading(mission.number, mission.title, outline_level);
    const int level = std::min(6, LevelOf(mission.number) + 1);
    for (const MissionSubsection& subsection : mission.subsections) {
      Heading(level, subsection.heading, "", 0);
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
      Paragraph(mission.missing_text_note, Style::kItalic);
    }
  }

  void Rationale(absl::string_view number, const std::string& heading,
                 const Text& text) {
    if (text.empty()) return;
    Heading(std::min(6, LevelOf(number) + 1), heading, "", 0);
    Body(text);
  }

  void Expeditionary() {
    const ExpeditionaryChapter& chapter = model_.expeditionary;
    NewPage();
    NumberedHeading(chapter.number, chapter.title, 1);
    const CoherenceSection& coherence = chapter.coherence;
    NumberedHeading(coherence.number, coherence.title, 2);
    Body(coherence.text);
    if (!coherence.headline.sentence.empty()) {
      Paragraph(coherence.headline.sentence, Style::kBody,
                coherence.headline.footnote > 0
                    ? absl::StrCat(coherence.headline.footnote)
                    : "");
      if (coherence.headline.footnote > 0) {
        Footnotes({coherence.headline.footnote});
      }
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
    NewPage();
    NumberedHeading(chapter.number, chapter.title, 1);
    Body(chapter.introduction);
    for (const MissionSection& mission : chapter.missions) Mission(mission, 2);
  }

  void AnnexHeading(const std::string& number, const std::string& title) {
    NewPage();
    const std::string text =
        absl::StrCat(L(LabelId::kAnnex), " ", number, " ", title);
    Heading(2, text, absl::StrCat("annex-", number), 1);
  }

  void Annex1Table() {
    const Annex1& annex = model_.annex1;
    AnnexHeading(annex.number, annex.title);
    Paragraph(annex.as_of_note);
    const std::vector<TableColumn> columns = Columns(
        {{L(LabelId::kColumnMission), 30},
         {L(LabelId::kColumnLegalBasis), 34},
         {L(LabelId::kColumnInternationalMandateUntil), 20},
         {L(LabelId::kColumnNationalMandateUntil), 16}},
        {false, false, false, false});
    std::vector<TableRow> rows;
    std::string previous;
    for (const Annex1Row& row : annex.rows) {
      if (row.region != previous) {
        previous = row.region;
        rows.push_back(TableRow{TableRow::Kind::kGroup,
                                {TableCell{row.region_title, ""}},
                                std::nullopt});
      }
      rows.push_back(TableRow{
          TableRow::Kind::kNormal,
          {TableCell{row.mission_title, ""}, TableCell{row.legal_basis, ""},
           TableCell{row.international_mandate_until.text, ""},
           TableCell{row.national_mandate_until.text, ""}},
          std::nullopt});
    }
    Table(columns, rows);
  }

  void Annex2Table() {
    const Annex2& annex = model_.annex2;
    AnnexHeading(annex.number, annex.title);
    const std::vector<TableColumn> columns = Columns(
        {{L(LabelId::kColumnMission), 20},
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
        rows.push_back(TableRow{TableRow::Kind::kGroup,
                                {TableCell{row.region_title, ""}},
                                std::nullopt});
      }
      footnotes.insert(footnotes.end(), row.footnotes.begin(),
                       row.footnotes.end());
      rows.push_back(TableRow{
          TableRow::Kind::kNormal,
          {TableCell{row.short_name, Superscripts(row.footnotes)},
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
    Table(columns, rows);
    for (const std::string& paragraph : annex.explanation) Paragraph(paragraph);
    Footnotes(footnotes);
  }

  // The annex-2 chart: on each page a legend and the value axis, then a
  // pair of bars per mission under its region's name.
  void Chart() {
    const DeploymentChart chart = BuildDeploymentChart(model_);
    constexpr double kLabelWidth = 130;
    constexpr double kBarLeft = kMarginLeft + kLabelWidth + 6;
    constexpr double kBarSpan = kContentWidth - kLabelWidth - 6 - 24;
    constexpr double kBarHeight = 6.5;
    constexpr double kRowHeight = 19;
    constexpr double kGroupHeight = 15;
    const auto x_of = [&](int value) {
      return kBarLeft + kBarSpan * value / std::max(chart.axis_max, 1);
    };
    const auto text = [&](const std::string& content, Style style, double x,
                          double y, double width, PangoAlignment align,
                          Colour colour) {
      TextSpec spec;
      spec.text = content;
      spec.style = style;
      spec.width = width;
      spec.align = align;
      spec.ellipsize = width > 0;
      const std::vector<LineMetrics> lines = Measure(spec);
      PlaceText(AddSpec(std::move(spec)), lines, x, y, colour);
    };
    // Grid lines of the part of the chart on the current page, inserted
    // under the bars when the part ends.
    size_t grid_insert_at = 0;
    double grid_top = 0;
    bool open = false;
    const auto close_part = [&]() {
      if (!open) return;
      open = false;
      std::vector<Op> grid;
      for (int tick : chart.ticks) {
        Op op;
        op.kind = Op::Kind::kRule;
        op.x = op.x2 = x_of(tick);
        op.y = grid_top;
        op.y2 = y_;
        op.line_width = 0.5;
        op.colour = kGrid;
        grid.push_back(op);
      }
      std::vector<Op>& ops = page().ops;
      ops.insert(ops.begin() + static_cast<std::ptrdiff_t>(grid_insert_at),
                 grid.begin(), grid.end());
    };
    const auto open_part = [&]() {
      // Legend and axis labels.
      Rect(kBarLeft, y_ + 2, 9, kBarHeight, kMandatedBar);
      text(chart.mandated_label, Style::kChart, kBarLeft + 12, y_ + 0.5, 0,
           PANGO_ALIGN_LEFT, kInk);
      Rect(kBarLeft + kBarSpan / 2, y_ + 2, 9, kBarHeight, kAccent);
      text(chart.deployed_label, Style::kChart, kBarLeft + kBarSpan / 2 + 12,
           y_ + 0.5, 0, PANGO_ALIGN_LEFT, kInk);
      y_ += 14;
      for (int tick : chart.ticks) {
        text(absl::StrCat(tick), Style::kChartSmall, x_of(tick) - 15, y_, 30,
             PANGO_ALIGN_CENTER, kMuted);
      }
      y_ += 10;
      Rule(kBarLeft, y_, kBarLeft + kBarSpan, y_, 0.6, kMuted);
      grid_insert_at = page().ops.size();
      grid_top = y_;
      open = true;
    };

    EnsureSpace(60);
    Heading(4, chart.title, "", 0);
    open_part();
    on_new_page_ = [&]() { open_part(); };
    for (const ChartGroup& group : chart.groups) {
      if (kGroupHeight + kRowHeight > remaining()) {
        close_part();
        NewPage();
      }
      text(group.title, Style::kTableBold, kMarginLeft, y_ + 3, kLabelWidth,
           PANGO_ALIGN_LEFT, kAccent);
      y_ += kGroupHeight;
      for (const ChartBar& bar : group.bars) {
        if (kRowHeight > remaining()) {
          close_part();
          NewPage();
        }
        text(bar.label, Style::kChart, kMarginLeft, y_ + 5, kLabelWidth,
             PANGO_ALIGN_RIGHT, kInk);
        const double mandated_y = y_ + 2;
        const double deployed_y = mandated_y + kBarHeight + 1;
        if (bar.mandated.has_value()) {
          const double end = x_of(*bar.mandated);
          Rect(kBarLeft, mandated_y, end - kBarLeft, kBarHeight, kMandatedBar);
          text(absl::StrCat(*bar.mandated), Style::kChartSmall, end + 2,
               mandated_y - 0.5, 0, PANGO_ALIGN_LEFT, kInk);
        } else if (!bar.mandated_note.empty()) {
          text(bar.mandated_note, Style::kChartSmall, kBarLeft + 2,
               mandated_y - 0.5, 0, PANGO_ALIGN_LEFT, kMuted);
        }
        const double end = x_of(bar.deployed);
        Rect(kBarLeft, deployed_y, end - kBarLeft, kBarHeight, kAccent);
        text(absl::StrCat(bar.deployed), Style::kChartSmall, end + 2,
             deployed_y - 0.5, 0, PANGO_ALIGN_LEFT, kInk);
        y_ += kRowHeight;
      }
    }
    on_new_page_ = nullptr;
    close_part();
    y_ += 10;
  }

  void ExpiringMandates() {
    const ExpiringMandatesAnnex& annex = model_.expiring_mandates;
    AnnexHeading(annex.number, annex.title);
    Paragraph(annex.intro);
    if (annex.rows.empty()) {
      Paragraph(annex.empty_note, Style::kItalic);
      return;
    }
    const std::vector<TableColumn> columns = Columns(
        {{L(LabelId::kColumnEndsOn), 17},
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
    Table(columns, rows);
  }

  void Checks() {
    const ChecksAnnex& checks = model_.checks;
    AnnexHeading(checks.number, checks.title);
    Paragraph(checks.summary);
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
      if (finding.severity == Severity::kError) row.first_colour = kError;
      if (finding.severity == Severity::kWarning) row.first_colour = kWarning;
      rows.push_back(std::move(row));
    }
    Table(columns, rows);
  }

  // ----------------------------------------------------------- drawing

  static cairo_status_t Append(void* closure, const unsigned char* data,
                               unsigned int length) {
    static_cast<std::string*>(closure)->append(
        reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  }

  static void SetColour(cairo_t* cr, Colour colour) {
    cairo_set_source_rgb(cr, colour.r, colour.g, colour.b);
  }

  // The link attributes of a destination: "page=3 pos=[62.0 56.0]".
  std::string DestinationAttributes(const std::string& anchor) const {
    const auto it = destinations_.find(anchor);
    if (it == destinations_.end()) return "";
    return absl::StrFormat("page=%d pos=[%.1f %.1f]", it->second.page,
                           kMarginLeft, std::max(0.0, it->second.y - 6));
  }

  // Draws lines [first_line, last_line) of `spec` (all if last_line < 0)
  // with the top of the first at (x, y).
  void DrawSpec(cairo_t* cr, const TextSpec& spec, int first_line,
                int last_line, double x, double y, Colour colour) const {
    PangoLayout* layout = NewLayout(spec);
    const std::vector<LineMetrics> lines = LinesOf(layout);
    const int count = static_cast<int>(lines.size());
    if (last_line < 0 || last_line > count) last_line = count;
    SetColour(cr, colour);
    const double top = first_line < count ? lines[first_line].top : 0;
    for (int i = first_line; i < last_line; ++i) {
      PangoLayoutLine* line = pango_layout_get_line_readonly(layout, i);
      cairo_move_to(cr, x + lines[i].x, y + lines[i].baseline - top);
      pango_cairo_show_layout_line(cr, line);
    }
    g_object_unref(layout);
  }

  void DrawText(cairo_t* cr, const Op& op) const {
    DrawSpec(cr, specs_[op.spec], op.first_line, op.last_line, op.x, op.y,
             op.colour);
  }

  // A contents line, its page number at the right, both a link.
  void DrawTocEntry(cairo_t* cr, const Op& op) const {
    const std::string link = DestinationAttributes(op.anchor);
    if (!link.empty()) cairo_tag_begin(cr, CAIRO_TAG_LINK, link.c_str());
    DrawText(cr, op);
    const auto it = destinations_.find(op.anchor);
    if (it != destinations_.end()) {
      TextSpec number;
      number.text = absl::StrCat(it->second.page);
      number.style = specs_[op.spec].style;
      number.width = 40;
      number.align = PANGO_ALIGN_RIGHT;
      DrawSpec(cr, number, 0, -1, kMarginLeft + kContentWidth - 40, op.y,
               kInk);
    }
    if (!link.empty()) cairo_tag_end(cr, CAIRO_TAG_LINK);
  }

  // A rule, the report's title at the left, "Pagina 3 van 12" at the
  // right.
  void DrawFooter(cairo_t* cr, int page_number, int page_count) const {
    cairo_set_line_width(cr, 0.4);
    SetColour(cr, kRuleColour);
    cairo_move_to(cr, kMarginLeft, kFooterBaseline - 12);
    cairo_line_to(cr, kMarginLeft + kContentWidth, kFooterBaseline - 12);
    cairo_stroke(cr);
    TextSpec title;
    title.text = model_.title;
    title.style = Style::kFooter;
    title.width = kContentWidth * 0.7;
    title.ellipsize = true;
    DrawSpec(cr, title, 0, -1, kMarginLeft, kFooterBaseline - 8, kMuted);
    TextSpec number;
    number.text = PageOf(page_number, page_count, model_.language);
    number.style = Style::kFooter;
    number.width = kContentWidth * 0.3;
    number.align = PANGO_ALIGN_RIGHT;
    DrawSpec(cr, number, 0, -1, kMarginLeft + kContentWidth * 0.7,
             kFooterBaseline - 8, kMuted);
  }

  absl::StatusOr<std::string> Draw() {
    std::string pdf;
    cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(
        &Typesetter::Append, &pdf, kPageWidth, kPageHeight);
    cairo_pdf_surface_restrict_to_version(surface, CAIRO_PDF_VERSION_1_5);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE,
                                   model_.title.c_str());
    cairo_pdf_surface_set_metadata(
        surface, CAIRO_PDF_METADATA_AUTHOR,
        model_.language == Language::kDutch ? "Ministerie van Defensie"
                                            : "Ministry of Defence");
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT,
                                   model_.provenance.statement.c_str());
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR,
                                   "report-server (missions)");
    // Without a generation time the document states no creation date
    // (cairo would otherwise write the clock's time).
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE,
                                   model_.provenance.generated_at.c_str());
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE,
                                   model_.provenance.generated_at.c_str());
    cairo_t* cr = cairo_create(surface);
    const int page_count = static_cast<int>(pages_.size());
    for (int p = 0; p < page_count; ++p) {
      for (const Op& op : pages_[p].ops) {
        switch (op.kind) {
          case Op::Kind::kText:
            DrawText(cr, op);
            break;
          case Op::Kind::kTocEntry:
            DrawTocEntry(cr, op);
            break;
          case Op::Kind::kRect:
            SetColour(cr, op.colour);
            cairo_rectangle(cr, op.x, op.y, op.width, op.height);
            cairo_fill(cr);
            break;
          case Op::Kind::kRule:
            SetColour(cr, op.colour);
            cairo_set_line_width(cr, op.line_width);
            cairo_move_to(cr, op.x, op.y);
            cairo_line_to(cr, op.x2, op.y2);
            cairo_stroke(cr);
            break;
        }
      }
      if (pages_[p].numbered) DrawFooter(cr, p + 1, page_count);
      cairo_show_page(cr);
    }
    // The outline (bookmarks): chapters and annexes, their sections.
    int parents[4] = {CAIRO_PDF_OUTLINE_ROOT, CAIRO_PDF_OUTLINE_ROOT,
                      CAIRO_PDF_OUTLINE_ROOT, CAIRO_PDF_OUTLINE_ROOT};
    for (const OutlineEntry& entry : outline_) {
      const std::string link = DestinationAttributes(entry.anchor);
      if (link.empty()) continue;
      const int level = std::clamp(entry.level, 1, 3);
      const int id = cairo_pdf_surface_add_outline(
          surface, parents[level - 1], entry.title.c_str(), link.c_str(),
          static_cast<cairo_pdf_outline_flags_t>(0));
      for (int deeper = level; deeper < 4; ++deeper) parents[deeper] = id;
    }
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    const cairo_status_t status = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS) {
      return absl::InternalError(
          absl::StrCat("PDF: cairo failed: ", cairo_status_to_string(status)));
    }
    return pdf;
  }

  const ReportModel& model_;
  PangoFontMap* font_map_ = nullptr;
  PangoContext* context_ = nullptr;
  std::vector<PangoFontDescription*> fonts_;

  std::vector<TextSpec> specs_;
  std::vector<Page> pages_;
  double y_ = kMarginTop;
  bool at_page_top_ = true;
  // Called after each new page (the chart repeats its legend).
  std::function<void()> on_new_page_;
  std::map<std::string, Destination> destinations_;
  std::vector<OutlineEntry> outline_;
};

}  // namespace

absl::StatusOr<std::string> RenderPdf(const ReportModel& model) {
  return Typesetter(model).Render();
}

}  // namespace missions::report
