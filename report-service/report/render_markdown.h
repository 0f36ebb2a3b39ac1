// Renders the report model as one Markdown document: CommonMark with the
// GitHub extensions for pipe tables and footnotes ([^1]).
#ifndef REPORT_SERVICE_REPORT_RENDER_MARKDOWN_H_
#define REPORT_SERVICE_REPORT_RENDER_MARKDOWN_H_

#include <string>

#include "absl/strings/string_view.h"
#include "report-service/report/report_model.h"

namespace missions::report {

// Returns the whole report: title and date, table of contents, chapters 1
// to 4 with numbered headings, annexes 1 and 2 as pipe tables, footnotes
// after the block that refers to them. Texts from the registry are escaped
// so that they print as written. The output is UTF-8 with "\n" line ends
// and depends on nothing but `model`.
std::string RenderMarkdown(const ReportModel& model);

// Escapes text for use inside a Markdown paragraph or heading: characters
// that would start emphasis, code, links or HTML are backslash-escaped, and
// so is a line start that would open a heading, list or block quote.
std::string EscapeMarkdown(absl::string_view text);

// Escapes text for a pipe-table cell: as EscapeMarkdown, plus "|" as "\|"
// and line breaks as "<br>".
std::string EscapeMarkdownCell(absl::string_view text);

}  // namespace missions::report

#endif  // REPORT_SERVICE_REPORT_RENDER_MARKDOWN_H_
