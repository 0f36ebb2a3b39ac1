// Renders the whole report model as JSON, for programs that analyse or
// republish the report.
//
// Contract (report-service/docs/report.schema.json is the schema; the
// README next to it describes it): UTF-8, RFC 8259; one object whose keys
// are the model's field names (report_model.h) in snake case, in the order
// declared there, indented by two spaces, "\n" line ends and a final line
// end. Cells without a value are null; empty texts are "". Enumerations
// are lower-case words ("date", "indefinite", "error"). The top level
// carries "format_version": 1, raised on any change that is not an added
// key.
#ifndef REPORT_SERVICE_REPORT_RENDER_JSON_H_
#define REPORT_SERVICE_REPORT_RENDER_JSON_H_

#include <string>

#include "absl/strings/string_view.h"
#include "report-service/report/report_model.h"

namespace missions::report {

// The version of the JSON layout (the "format_version" key).
inline constexpr int kJsonFormatVersion = 1;

// Returns the model as one JSON document; depends on nothing but `model`.
std::string RenderJson(const ReportModel& model);

// Returns `text` as a JSON string literal, quotes included: '"' and '\'
// escaped, control characters as \n, \t, ... or \u00XX, everything else
// (UTF-8 included) as it is.
std::string JsonString(absl::string_view text);

}  // namespace missions::report

#endif  // REPORT_SERVICE_REPORT_RENDER_JSON_H_
