// Renders the report model as a PDF for publication, typeset in process
// with Pango (text layout) and cairo (PDF output).
//
// Contract: A4 portrait; a title page, a table of contents with page
// numbers and links, chapters and annexes each starting on a new page;
// tables whose header row is repeated on every page they run over and
// whose rows are never split; the annex-2 chart; footnotes after the block
// that refers to them; "Pagina 3 van 12" / "Page 3 of 12" in the footer of
// every page but the title page; a document outline (bookmarks) of the
// chapters, sections and annexes; metadata: title, author, subject, and
// the creation date only when the model states a generation time.
//
// Fonts: DejaVu Sans and DejaVu Serif (Debian package fonts-dejavu-core),
// found through fontconfig and embedded as subsets. The bytes depend on
// the model, the cairo and Pango versions and the installed fonts; on one
// machine the same model always gives the same bytes. Reading the font
// files is the renderer's only I/O.
#ifndef REPORT_SERVICE_REPORT_RENDER_PDF_H_
#define REPORT_SERVICE_REPORT_RENDER_PDF_H_

#include <string>

#include "absl/status/statusor.h"
#include "report-service/report/report_model.h"

namespace missions::report {

// Returns the whole report as a PDF document. Returns Internal if no font
// can be loaded or cairo fails. Safe to call from several threads at once.
absl::StatusOr<std::string> RenderPdf(const ReportModel& model);

}  // namespace missions::report

#endif  // REPORT_SERVICE_REPORT_RENDER_PDF_H_
