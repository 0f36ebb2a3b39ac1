// Renders the report model as one self-contained HTML page, for reading on
// screen and for printing.
//
// Contract: polyglot HTML5 (served as text/html, and well-formed XML in the
// XHTML namespace, so that XML tools read it); UTF-8; everything inline:
// CSS in one <style> element, the chart as inline SVG, no scripts, images,
// fonts or links to other resources. Print: A4 pages, a title page and a
// table of contents of their own, chapters and annexes starting on a new
// page, table headers repeated on every page, rows not split across pages.
// The page depends on nothing but the model.
#ifndef REPORT_SERVICE_REPORT_RENDER_HTML_H_
#define REPORT_SERVICE_REPORT_RENDER_HTML_H_

#include <string>

#include "absl/strings/string_view.h"
#include "report-service/report/deployment_chart.h"
#include "report-service/report/report_model.h"

namespace missions::report {

// Returns the whole report as an HTML page.
std::string RenderHtml(const ReportModel& model);

// Returns the chart as an SVG element (no XML declaration), for inline use.
std::string RenderChartSvg(const DeploymentChart& chart);

// Escapes text for HTML/XML element content and attribute values: &, <, >,
// " and ' become character references.
std::string EscapeHtml(absl::string_view text);

}  // namespace missions::report

#endif  // REPORT_SERVICE_REPORT_RENDER_HTML_H_
