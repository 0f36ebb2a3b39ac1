// The chart of annex 2: personnel per region and mission, the mandate (the
// most persons the cap allows at a time) next to the persons deployed
// during the year. Computed from the report model; drawn by the HTML
// renderer (inline SVG) and the PDF renderer. Pure functions.
#ifndef REPORT_SERVICE_REPORT_DEPLOYMENT_CHART_H_
#define REPORT_SERVICE_REPORT_DEPLOYMENT_CHART_H_

#include <optional>
#include <string>
#include <vector>

#include "report-service/report/report_model.h"

namespace missions::report {

// One mission: a pair of bars.
struct ChartBar {
  // Resource name and short name of the mission.
  std::string mission;
  std::string label;
  // Persons the cap allows at a time: a combined cap, or military plus
  // civilian; a pooled cap on its first member's row only. Unset when no
  // cap is stated or the cap is shown on another member's row.
  std::optional<int> mandated;
  // Set on a pool's other members ("gedeeld mandaat"), printed instead of
  // the mandate bar.
  std::string mandated_note;
  // Persons deployed during the year (0 when no figures exist).
  int deployed = 0;
};

// The missions of one region, in report order.
struct ChartGroup {
  std::string region;
  std::string title;
  std::vector<ChartBar> bars;
};

struct DeploymentChart {
  // Title and legend in the report's language.
  std::string title;
  std::string mandated_label;
  std::string deployed_label;
  std::vector<ChartGroup> groups;
  // The value axis runs from 0 to `axis_max` with a tick at each of
  // `ticks` (0 included); see ChartAxis.
  int axis_max = 0;
  std::vector<int> ticks;
};

// Builds the chart from annex 2 of `model`.
DeploymentChart BuildDeploymentChart(const ReportModel& model);

// The axis for values up to `max_value`: its end and ticks, at most 10
// steps of the smallest of 1, 2 or 5 times a power of ten that allows that
// (max_value 0 gives 0..1).
void ChartAxis(int max_value, int& axis_max, std::vector<int>& ticks);

}  // namespace missions::report

#endif  // REPORT_SERVICE_REPORT_DEPLOYMENT_CHART_H_
