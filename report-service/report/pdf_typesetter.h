// A small typesetter for A4 documents: lays text, lists and tables out into
// pages with Pango, then draws the pages into a PDF with cairo. The report's
// PDF renderer (render_pdf.h) builds on it.
//
// Layout happens first, page by page, with a cursor that moves down the
// page; drawing happens at the end (Finish), when the number of pages and
// the page of every anchor are known, so that footers say "page 3 of 12"
// and a table of contents gives page numbers. Every text is laid out once
// to paginate and again to draw (keeping the layouts would cost much more
// memory than the time it saves).
//
// Not thread-safe; separate Typesetters may run on separate threads (each
// has its own Pango font map).
#ifndef REPORT_SERVICE_REPORT_PDF_TYPESETTER_H_
#define REPORT_SERVICE_REPORT_PDF_TYPESETTER_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

// Pango and cairo types, kept out of the including files.
typedef struct _PangoFontMap PangoFontMap;
typedef struct _PangoContext PangoContext;
typedef struct _PangoFontDescription PangoFontDescription;
typedef struct _PangoLayout PangoLayout;
typedef struct _cairo cairo_t;

namespace missions::report::pdf {

// ---------------------------------------------------------------- geometry

// A4 in PostScript points (1/72 inch), the unit of PDF user space.
inline constexpr double kPageWidth = 595.2756;
inline constexpr double kPageHeight = 841.8898;
inline constexpr double kMarginLeft = 62;
inline constexpr double kMarginRight = 56;
inline constexpr double kMarginTop = 56;
inline constexpr double kMarginBottom = 62;
inline constexpr double kContentWidth = kPageWidth - kMarginLeft - kMarginRight;
inline constexpr double kBottom = kPageHeight - kMarginBottom;

struct Colour {
  double r, g, b;
};
inline constexpr Colour kInk = {0.1, 0.1, 0.1};
inline constexpr Colour kAccent = {0.122, 0.306, 0.475};
inline constexpr Colour kMuted = {0.35, 0.35, 0.35};
inline constexpr Colour kRuleColour = {0.79, 0.81, 0.84};
inline constexpr Colour kBand = {0.933, 0.949, 0.969};
inline constexpr Colour kGroupBand = {0.969, 0.969, 0.969};
inline constexpr Colour kLightAccent = {0.604, 0.718, 0.827};
inline constexpr Colour kGrid = {0.85, 0.87, 0.89};
inline constexpr Colour kError = {0.64, 0, 0};
inline constexpr Colour kWarning = {0.54, 0.35, 0};

// The type styles (DejaVu Sans for headings, tables and the like, DejaVu
// Serif for running text).
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

// A text to lay out: what, in which style, how wide.
struct TextSpec {
  std::string text;
  Style style = Style::kBody;
  // Wrap width in points; 0 or less: one line, no wrapping.
  double width = 0;
  enum class Align { kLeft, kCenter, kRight };
  Align align = Align::kLeft;
  // Cut a too long single line with "…" (with `width`).
  bool ellipsize = false;
  // Break inside words when a word is wider than `width`.
  bool break_words = false;
  // Indentation of the first line (negative: a hanging indent).
  double indent = 0;
};

// The vertical metrics of one line of a laid-out text, relative to the
// text's top.
struct LineMetrics {
  double top;
  double height;
  double baseline;
  double x;  // left edge of the line's logical extents
};

// One cell of a table row.
struct TableCell {
  std::string text;
  // Footnote numbers printed as superscripts after the text ("2" or
  // "2,3").
  std::string superscript;
};

struct TableColumn {
  std::string label;
  double width = 0;
  bool numeric = false;
};

// A table row: normal, a group row spanning the table (a region's name,
// its first cell only), or the totals row (bold, with a rule above).
struct TableRow {
  enum class Kind { kNormal, kGroup, kTotals };
  Kind kind = Kind::kNormal;
  std::vector<TableCell> cells;
  // Colour of the first cell's text (severities).
  std::optional<Colour> first_colour;
};

// One line of a table of contents.
struct ContentsEntry {
  int depth = 0;  // 0: bold, then indented per level
  std::string text;
  std::string anchor;
};

// What Finish writes besides the pages.
struct DocumentInfo {
  std::string title;
  std::string author;
  std::string subject;
  std::string creator;
  // RFC 3339 creation time; empty: no creation date.
  std::string created;
  // The footer: `footer_title` at the left, page_label(page, pages) at the
  // right, on every page created as numbered.
  std::string footer_title;
  std::function<std::string(int page, int pages)> page_label;
};

// `text` (digits and commas: footnote numbers) in superscript characters,
// so that the marks stay on their line for text extraction.
std::string Superscript(absl::string_view text);

// Column widths in proportion to `weights`, filling the content width.
std::vector<TableColumn> Columns(
    const std::vector<std::pair<std::string, double>>& weights,
    const std::vector<bool>& numeric);

class Typesetter {
 public:
  // Sets up Pango for `language` (a BCP-47 tag, for hyphenation-free line
  // breaking and shaping). Returns Internal if no font can be loaded.
  static absl::StatusOr<std::unique_ptr<Typesetter>> Create(
      absl::string_view language);
  ~Typesetter();

  Typesetter(const Typesetter&) = delete;
  Typesetter& operator=(const Typesetter&) = delete;

  // ------------------------------------------------ pages and the cursor

  // Starts a page; an unnumbered page has no footer (a title page).
  void NewPage(bool numbered = true);
  // Starts a new page unless `height` fits below the cursor (or nothing is
  // on this page yet).
  void EnsureSpace(double height);
  // Moves the cursor down, except at the top of a page.
  void Space(double points);
  double y() const { return y_; }
  void set_y(double y) { y_ = y; }
  double remaining() const { return kBottom - y_; }
  // Called after every new page (e.g. to repeat a chart's legend); empty
  // to stop.
  void SetOnNewPage(std::function<void()> callback) {
    on_new_page_ = std::move(callback);
  }

  // ------------------------------------------------------------ blocks

  // A heading (level 2 to 6), kept with three lines of what follows; with
  // an anchor (for links and contents) and, if `outline_level` is 1 to 3,
  // a bookmark.
  void Heading(int level, const std::string& text, const std::string& anchor,
               int outline_level);
  // A paragraph across the content width (less `indent`), with footnote
  // marks; nothing for an empty text.
  void Paragraph(const std::string& text, Style style = Style::kBody,
                 const std::string& superscript = "", double indent = 0);
  // A bulleted list.
  void List(const std::vector<std::string>& items);
  // Flows a text at x from the cursor, breaking between lines across pages
  // (never leaving one line of a longer text at a page's bottom).
  void Flow(TextSpec text, double x, Colour colour, double space_after);
  // A table whose header row repeats on every page it runs over; rows are
  // never split; a group row stays with the row after it.
  void Table(const std::vector<TableColumn>& columns,
             const std::vector<TableRow>& rows);
  // A table of contents: one line per entry (cut with "…"), the page of
  // its anchor at the right, the line a link.
  void Contents(const std::string& heading,
                const std::vector<ContentsEntry>& entries);

  // --------------------------------------------- drawing at a position

  void Rect(double x, double y, double width, double height, Colour colour);
  void Rule(double x, double y, double x2, double y2, double line_width,
            Colour colour);
  // A single text with its top at (x, y); `width` 0: unbounded.
  void Text(const std::string& text, Style style, double x, double y,
            double width, TextSpec::Align align, Colour colour);
  // Vertical rules from `top` to the cursor at each x, drawn under what
  // was placed on this page since `first_op` (OpCount() then).
  void GridUnder(size_t first_op, const std::vector<double>& xs, double top,
                 Colour colour);
  size_t OpCount() const;

  // ------------------------------------------------------------ output

  // Draws every page and returns the PDF. Internal if cairo fails.
  absl::StatusOr<std::string> Finish(const DocumentInfo& info);

 private:
  // What a page shows, in drawing order.
  struct Op {
    enum class Kind { kText, kRect, kRule, kContentsEntry };
    Kind kind = Kind::kText;
    // kText, kContentsEntry: lines [first_line, last_line) of the text,
    // the top of line `first_line` at (x, y).
    size_t spec = 0;
    int first_line = 0;
    int last_line = 0;
    double x = 0;
    double y = 0;
    // kRect: filled; kRule: from (x, y) to (x2, y2).
    double width = 0;
    double height = 0;
    double x2 = 0;
    double y2 = 0;
    double line_width = 0;
    Colour colour = kInk;
    // kContentsEntry: the anchor whose page is printed at the right.
    std::string anchor;
  };

  struct Page {
    std::vector<Op> ops;
    bool numbered = true;
  };

  // Where an anchor is: its page (from 1) and the y of its top.
  struct Destination {
    int page = 0;
    double y = 0;
  };

  struct OutlineEntry {
    int level = 0;
    std::string title;
    std::string anchor;
  };

  Typesetter() = default;
  absl::Status Init(absl::string_view language);

  PangoLayout* NewLayout(const TextSpec& spec) const;
  std::vector<LineMetrics> Measure(const TextSpec& spec) const;
  double TextWidth(const std::string& text, Style style) const;
  static std::vector<LineMetrics> LinesOf(PangoLayout* layout);
  static double Height(const std::vector<LineMetrics>& lines);
  size_t AddSpec(TextSpec spec);

  Page& page() { return pages_.back(); }
  int page_number() const { return static_cast<int>(pages_.size()); }
  void AddOp(Op op);
  void PlaceText(size_t spec, const std::vector<LineMetrics>& lines, double x,
                 double y, Colour colour);
  void TableHeader(const std::vector<TableColumn>& columns);
  double HeaderHeight(const std::vector<TableColumn>& columns) const;

  std::string DestinationAttributes(const std::string& anchor) const;
  void DrawSpec(cairo_t* cr, const TextSpec& spec, int first_line,
                int last_line, double x, double y, Colour colour) const;
  void DrawContentsEntry(cairo_t* cr, const Op& op) const;
  void DrawFooter(cairo_t* cr, const DocumentInfo& info, int page,
                  int pages) const;

  PangoFontMap* font_map_ = nullptr;
  PangoContext* context_ = nullptr;
  std::vector<PangoFontDescription*> fonts_;

  std::vector<TextSpec> specs_;
  std::vector<Page> pages_;
  double y_ = kMarginTop;
  bool at_page_top_ = true;
  std::function<void()> on_new_page_;
  std::map<std::string, Destination> destinations_;
  std::vector<OutlineEntry> outline_;
};

}  // namespace missions::report::pdf

#endif  // REPORT_SERVICE_REPORT_PDF_TYPESETTER_H_
