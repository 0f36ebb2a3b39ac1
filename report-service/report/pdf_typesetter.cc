#include "report-service/report/pdf_typesetter.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace missions::report::pdf {
namespace {

constexpr double kFooterBaseline = kPageHeight - 32;
constexpr double kCellPad = 2.5;

constexpr const char* kFonts[] = {
    "DejaVu Sans Bold 20",      // kTitle
    "DejaVu Sans 10",           // kSubtitle
    "DejaVu Sans Bold 14",      // kH2
    "DejaVu Sans Bold 11.5",    // kH3
    "DejaVu Sans Bold 10",      // kH4
    "DejaVu Sans Bold 9.5",     // kH5
    "DejaVu Sans Bold 8.5",     // kH6
    "DejaVu Serif 9.5",         // kBody
    "DejaVu Serif Italic 9.5",  // kItalic
    "DejaVu Serif 7.5",         // kFootnote
    "DejaVu Sans 7",            // kTable
    "DejaVu Sans Bold 7",       // kTableBold
    "DejaVu Sans Bold 6.5",     // kTableHeader
    "DejaVu Sans 7",            // kFooter
    "DejaVu Sans 8.5",          // kToc
    "DejaVu Sans Bold 8.5",     // kTocBold
    "DejaVu Sans 7",            // kChart
    "DejaVu Sans 6",            // kChartSmall
};
static_assert(std::size(kFonts) == static_cast<size_t>(Style::kCount));

Style HeadingStyle(int level) {
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

PangoAlignment ToPango(TextSpec::Align align) {
  switch (align) {
    case TextSpec::Align::kCenter:
      return PANGO_ALIGN_CENTER;
    case TextSpec::Align::kRight:
      return PANGO_ALIGN_RIGHT;
    default:
      return PANGO_ALIGN_LEFT;
  }
}

cairo_status_t Append(void* closure, const unsigned char* data,
                      unsigned int length) {
  static_cast<std::string*>(closure)->append(
      reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void SetColour(cairo_t* cr, Colour colour) {
  cairo_set_source_rgb(cr, colour.r, colour.g, colour.b);
}

}  // namespace

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

std::vector<TableColumn> Columns(
    const std::vector<std::pair<std::string, double>>& weights,
    const std::vector<bool>& numeric) {
  double total = 0;
  for (const auto& [label, weight] : weights) total += weight;
  std::vector<TableColumn> columns;
  for (size_t i = 0; i < weights.size(); ++i) {
    columns.push_back(TableColumn{
        weights[i].first, kContentWidth * weights[i].second / total,
        i < numeric.size() && numeric[i]});
  }
  return columns;
}

// ------------------------------------------------------------------ set-up

absl::StatusOr<std::unique_ptr<Typesetter>> Typesetter::Create(
    absl::string_view language) {
  std::unique_ptr<Typesetter> typesetter(new Typesetter());
  if (absl::Status status = typesetter->Init(language); !status.ok()) {
    return status;
  }
  return typesetter;
}

Typesetter::~Typesetter() {
  for (PangoFontDescription* font : fonts_) {
    if (font != nullptr) pango_font_description_free(font);
  }
  if (context_ != nullptr) g_object_unref(context_);
  if (font_map_ != nullptr) g_object_unref(font_map_);
}

absl::Status Typesetter::Init(absl::string_view language) {
  font_map_ = pango_cairo_font_map_new();
  if (font_map_ == nullptr) {
    return absl::InternalError("PDF: cannot create a Pango font map");
  }
  context_ = pango_font_map_create_context(font_map_);
  // Points are PDF units; no hinting, so that measuring and drawing agree
  // and the layout does not depend on a screen.
  pango_cairo_context_set_resolution(context_, 72);
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(context_, options);
  cairo_font_options_destroy(options);
  const std::string tag(language);
  pango_context_set_language(context_, pango_language_from_string(tag.c_str()));
  for (const char* font : kFonts) {
    fonts_.push_back(pango_font_description_from_string(font));
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

// ------------------------------------------------------------- measuring

PangoLayout* Typesetter::NewLayout(const TextSpec& spec) const {
  PangoLayout* layout = pango_layout_new(context_);
  pango_layout_set_font_description(layout,
                                    fonts_[static_cast<size_t>(spec.style)]);
  if (spec.width > 0) {
    pango_layout_set_width(layout, static_cast<int>(spec.width * PANGO_SCALE));
    pango_layout_set_wrap(
        layout, spec.break_words ? PANGO_WRAP_WORD_CHAR : PANGO_WRAP_WORD);
    if (spec.ellipsize) {
      pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_height(layout, -1);  // One line.
    }
  }
  pango_layout_set_alignment(layout, ToPango(spec.align));
  if (spec.indent != 0) {
    pango_layout_set_indent(layout, static_cast<int>(spec.indent * PANGO_SCALE));
  }
  pango_layout_set_text(layout, spec.text.data(),
                        static_cast<int>(spec.text.size()));
  return layout;
}

std::vector<LineMetrics> Typesetter::Measure(const TextSpec& spec) const {
  PangoLayout* layout = NewLayout(spec);
  std::vector<LineMetrics> lines = LinesOf(layout);
  g_object_unref(layout);
  return lines;
}

double Typesetter::TextWidth(const std::string& text, Style style) const {
  TextSpec spec;
  spec.text = text;
  spec.style = style;
  PangoLayout* layout = NewLayout(spec);
  PangoRectangle logical;
  pango_layout_get_extents(layout, nullptr, &logical);
  g_object_unref(layout);
  return static_cast<double>(logical.width) / PANGO_SCALE;
}

std::vector<LineMetrics> Typesetter::LinesOf(PangoLayout* layout) {
  std::vector<LineMetrics> lines;
  PangoLayoutIter* iter = pango_layout_get_iter(layout);
  do {
    PangoRectangle logical;
    pango_layout_iter_get_line_extents(iter, nullptr, &logical);
    lines.push_back(LineMetrics{
        static_cast<double>(logical.y) / PANGO_SCALE,
        static_cast<double>(logical.height) / PANGO_SCALE,
        static_cast<double>(pango_layout_iter_get_baseline(iter)) / PANGO_SCALE,
        static_cast<double>(logical.x) / PANGO_SCALE});
  } while (pango_layout_iter_next_line(iter));
  pango_layout_iter_free(iter);
  return lines;
}

double Typesetter::Height(const std::vector<LineMetrics>& lines) {
  if (lines.empty()) return 0;
  return lines.back().top + lines.back().height - lines.front().top;
}

size_t Typesetter::AddSpec(TextSpec spec) {
  specs_.push_back(std::move(spec));
  return specs_.size() - 1;
}

// ----------------------------------------------------------------- pages

void Typesetter::NewPage(bool numbered) {
  pages_.push_back(Page{{}, numbered});
  y_ = kMarginTop;
  at_page_top_ = true;
  if (on_new_page_) on_new_page_();
}

void Typesetter::EnsureSpace(double height) {
  if (height > remaining() && !at_page_top_) NewPage();
}

void Typesetter::Space(double points) {
  if (!at_page_top_) y_ += points;
}

void Typesetter::AddOp(Op op) {
  page().ops.push_back(std::move(op));
  at_page_top_ = false;
}

size_t Typesetter::OpCount() const {
  return pages_.empty() ? 0 : pages_.back().ops.size();
}

void Typesetter::Rect(double x, double y, double width, double height,
                      Colour colour) {
  Op op;
  op.kind = Op::Kind::kRect;
  op.x = x;
  op.y = y;
  op.width = width;
  op.height = height;
  op.colour = colour;
  AddOp(std::move(op));
}

void Typesetter::Rule(double x, double y, double x2, double y2,
                      double line_width, Colour colour) {
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

void Typesetter::GridUnder(size_t first_op, const std::vector<double>& xs,
                           double top, Colour colour) {
  std::vector<Op> grid;
  for (const double x : xs) {
    Op op;
    op.kind = Op::Kind::kRule;
    op.x = op.x2 = x;
    op.y = top;
    op.y2 = y_;
    op.line_width = 0.5;
    op.colour = colour;
    grid.push_back(op);
  }
  std::vector<Op>& ops = page().ops;
  first_op = std::min(first_op, ops.size());
  ops.insert(ops.begin() + static_cast<std::ptrdiff_t>(first_op), grid.begin(),
             grid.end());
}

void Typesetter::PlaceText(size_t spec, const std::vector<LineMetrics>& lines,
                           double x, double y, Colour colour) {
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

void Typesetter::Text(const std::string& text, Style style, double x, double y,
                      double width, TextSpec::Align align, Colour colour) {
  TextSpec spec;
  spec.text = text;
  spec.style = style;
  spec.width = width;
  spec.align = align;
  spec.ellipsize = width > 0;
  const std::vector<LineMetrics> lines = Measure(spec);
  PlaceText(AddSpec(std::move(spec)), lines, x, y, colour);
}

void Typesetter::Flow(TextSpec text, double x, Colour colour,
                      double space_after) {
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
    const bool lone_first_line = next == 0 && end == 1 && lines.size() > 1;
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

// ---------------------------------------------------------------- blocks

void Typesetter::Heading(int level, const std::string& text,
                         const std::string& anchor, int outline_level) {
  TextSpec spec;
  spec.text = text;
  spec.style = HeadingStyle(level);
  spec.width = kContentWidth;
  const std::vector<LineMetrics> lines = Measure(spec);
  const double space_before = level <= 2 ? 0 : (level == 3 ? 12 : 8);
  EnsureSpace(space_before + Height(lines) + 3 * 12);
  Space(space_before);
  if (!anchor.empty()) {
    destinations_[anchor] = Destination{page_number(), y_};
    if (outline_level >= 1 && outline_level <= 3) {
      outline_.push_back(OutlineEntry{outline_level, text, anchor});
    }
  }
  const size_t index = AddSpec(std::move(spec));
  PlaceText(index, lines, kMarginLeft, y_, level <= 5 ? kAccent : kInk);
  y_ += Height(lines) + (level <= 2 ? 10 : 4);
}

void Typesetter::Paragraph(const std::string& text, Style style,
                           const std::string& superscript, double indent) {
  if (text.empty()) return;
  TextSpec spec;
  spec.text = absl::StrCat(text, Superscript(superscript));
  spec.style = style;
  spec.width = kContentWidth - indent;
  Flow(std::move(spec), kMarginLeft + indent,
       style == Style::kItalic ? kMuted : kInk, 5);
}

void Typesetter::List(const std::vector<std::string>& items) {
  constexpr double kIndent = 14;
  constexpr absl::string_view kBullet = "•  ";
  const double bullet_width = TextWidth(std::string(kBullet), Style::kBody);
  for (const std::string& item : items) {
    TextSpec spec;
    spec.text = absl::StrCat(kBullet, item);
    spec.style = Style::kBody;
    spec.width = kContentWidth - kIndent;
    spec.indent = -bullet_width;
    Flow(std::move(spec), kMarginLeft + kIndent, kInk, 2);
  }
  y_ += 4;
}

void Typesetter::TableHeader(const std::vector<TableColumn>& columns) {
  std::vector<size_t> specs;
  std::vector<std::vector<LineMetrics>> measured;
  double height = 0;
  for (const TableColumn& column : columns) {
    TextSpec spec;
    spec.text = column.label;
    spec.style = Style::kTableHeader;
    spec.width = column.width - 2 * kCellPad;
    spec.align = column.numeric ? TextSpec::Align::kRight : TextSpec::Align::kLeft;
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

double Typesetter::HeaderHeight(const std::vector<TableColumn>& columns) const {
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

void Typesetter::Table(const std::vector<TableColumn>& columns,
                       const std::vector<TableRow>& rows) {
  // The header and the first two rows stay together.
  EnsureSpace(HeaderHeight(columns) + 40);
  TableHeader(columns);
  for (size_t r = 0; r < rows.size(); ++r) {
    const TableRow& row = rows[r];
    const bool group = row.kind == TableRow::Kind::kGroup;
    std::vector<TextSpec> specs;
    std::vector<std::vector<LineMetrics>> measured;
    double height = 0;
    for (size_t i = 0; i < row.cells.size() && i < columns.size(); ++i) {
      TextSpec spec;
      spec.text = absl::StrCat(row.cells[i].text,
                               Superscript(row.cells[i].superscript));
      spec.style = row.kind == TableRow::Kind::kNormal ? Style::kTable
                                                       : Style::kTableBold;
      spec.width = (group ? kContentWidth : columns[i].width) - 2 * kCellPad;
      spec.align = columns[i].numeric && !group ? TextSpec::Align::kRight
                                                : TextSpec::Align::kLeft;
      spec.break_words = true;
      measured.push_back(Measure(spec));
      height = std::max(height, Height(measured.back()));
      specs.push_back(std::move(spec));
      if (group) break;
    }
    height += 2 * kCellPad;
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

void Typesetter::Contents(const std::string& heading,
                          const std::vector<ContentsEntry>& entries) {
  Heading(2, heading, "toc", 0);
  constexpr double kNumberWidth = 36;
  for (const ContentsEntry& entry : entries) {
    const double indent = 14.0 * entry.depth;
    TextSpec spec;
    spec.text = entry.text;
    spec.style = entry.depth == 0 ? Style::kTocBold : Style::kToc;
    spec.width = kContentWidth - indent - kNumberWidth;
    spec.ellipsize = true;
    const std::vector<LineMetrics> lines = Measure(spec);
    const double height = Height(lines) + (entry.depth == 0 ? 5 : 2);
    if (entry.depth == 0) Space(4);
    EnsureSpace(height);
    Op op;
    op.kind = Op::Kind::kContentsEntry;
    op.spec = AddSpec(std::move(spec));
    op.first_line = 0;
    op.last_line = static_cast<int>(lines.size());
    op.x = kMarginLeft + indent;
    op.y = y_;
    op.anchor = entry.anchor;
    AddOp(std::move(op));
    y_ += height;
  }
}

// --------------------------------------------------------------- drawing

std::string Typesetter::DestinationAttributes(const std::string& anchor) const {
  const auto it = destinations_.find(anchor);
  if (it == destinations_.end()) return "";
  return absl::StrFormat("page=%d pos=[%.1f %.1f]", it->second.page,
                         kMarginLeft, std::max(0.0, it->second.y - 6));
}

void Typesetter::DrawSpec(cairo_t* cr, const TextSpec& spec, int first_line,
                          int last_line, double x, double y,
                          Colour colour) const {
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

void Typesetter::DrawContentsEntry(cairo_t* cr, const Op& op) const {
  const std::string link = DestinationAttributes(op.anchor);
  if (!link.empty()) cairo_tag_begin(cr, CAIRO_TAG_LINK, link.c_str());
  DrawSpec(cr, specs_[op.spec], op.first_line, op.last_line, op.x, op.y,
           op.colour);
  const auto it = destinations_.find(op.anchor);
  if (it != destinations_.end()) {
    TextSpec number;
    number.text = absl::StrCat(it->second.page);
    number.style = specs_[op.spec].style;
    number.width = 40;
    number.align = TextSpec::Align::kRight;
    DrawSpec(cr, number, 0, -1, kMarginLeft + kContentWidth - 40, op.y, kInk);
  }
  if (!link.empty()) cairo_tag_end(cr, CAIRO_TAG_LINK);
}

void Typesetter::DrawFooter(cairo_t* cr, const DocumentInfo& info, int page,
                            int pages) const {
  cairo_set_line_width(cr, 0.4);
  SetColour(cr, kRuleColour);
  cairo_move_to(cr, kMarginLeft, kFooterBaseline - 12);
  cairo_line_to(cr, kMarginLeft + kContentWidth, kFooterBaseline - 12);
  cairo_stroke(cr);
  TextSpec title;
  title.text = info.footer_title;
  title.style = Style::kFooter;
  title.width = kContentWidth * 0.7;
  title.ellipsize = true;
  DrawSpec(cr, title, 0, -1, kMarginLeft, kFooterBaseline - 8, kMuted);
  if (!info.page_label) return;
  TextSpec number;
  number.text = info.page_label(page, pages);
  number.style = Style::kFooter;
  number.width = kContentWidth * 0.3;
  number.align = TextSpec::Align::kRight;
  DrawSpec(cr, number, 0, -1, kMarginLeft + kContentWidth * 0.7,
           kFooterBaseline - 8, kMuted);
}

absl::StatusOr<std::string> Typesetter::Finish(const DocumentInfo& info) {
  std::string pdf;
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(&Append, &pdf, kPageWidth, kPageHeight);
  cairo_pdf_surface_restrict_to_version(surface, CAIRO_PDF_VERSION_1_5);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE,
                                 info.title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR,
                                 info.author.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT,
                                 info.subject.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR,
                                 info.creator.c_str());
  // An empty date leaves the creation date out (cairo would otherwise
  // write the clock's time).
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE,
                                 info.created.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE,
                                 info.created.c_str());
  cairo_t* cr = cairo_create(surface);
  const int page_count = static_cast<int>(pages_.size());
  for (int p = 0; p < page_count; ++p) {
    for (const Op& op : pages_[p].ops) {
      switch (op.kind) {
        case Op::Kind::kText:
          DrawSpec(cr, specs_[op.spec], op.first_line, op.last_line, op.x,
                   op.y, op.colour);
          break;
        case Op::Kind::kContentsEntry:
          DrawContentsEntry(cr, op);
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
    if (pages_[p].numbered) DrawFooter(cr, info, p + 1, page_count);
    cairo_show_page(cr);
  }
  // The outline (bookmarks), each entry under the last one of the level
  // above.
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

}  // namespace missions::report::pdf
