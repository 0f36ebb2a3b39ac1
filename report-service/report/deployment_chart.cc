#include "report-service/report/deployment_chart.h"

#include <algorithm>
#include <cstdint>
#include <map>

#include "report-service/report/labels.h"

namespace missions::report {

void ChartAxis(int max_value, int& axis_max, std::vector<int>& ticks) {
  ticks.clear();
  if (max_value <= 0) {
    axis_max = 1;
    ticks = {0, 1};
    return;
  }
  // The smallest step of 1, 2 or 5 x 10^k that covers max_value in at
  // most 10 steps.
  int64_t step = 1;
  while (true) {
    bool found = false;
    for (const int64_t factor : {1, 2, 5}) {
      if (factor * step * 10 >= max_value) {
        step *= factor;
        found = true;
        break;
      }
    }
    if (found) break;
    step *= 10;
  }
  const int64_t steps = (max_value + step - 1) / step;
  axis_max = static_cast<int>(steps * step);
  for (int64_t i = 0; i <= steps; ++i) ticks.push_back(static_cast<int>(i * step));
}

DeploymentChart BuildDeploymentChart(const ReportModel& model) {
  DeploymentChart chart;
  chart.title = Label(LabelId::kChartTitle, model.language);
  chart.mandated_label = Label(LabelId::kChartMandated, model.language);
  chart.deployed_label = Label(LabelId::kChartDeployed, model.language);
  // Pools whose cap is already shown, on the first member's row.
  std::map<std::string, bool> pools_shown;
  int max_value = 0;
  for (const Annex2Row& row : model.annex2.rows) {
    if (chart.groups.empty() || chart.groups.back().region != row.region) {
      chart.groups.push_back(ChartGroup{row.region, row.region_title, {}});
    }
    ChartBar bar;
    bar.mission = row.mission;
    bar.label = row.short_name;
    if (row.mandate_combined.has_value()) {
      bar.mandated = *row.mandate_combined;
    } else if (row.mandate_military.has_value() ||
               row.mandate_civilian.has_value()) {
      bar.mandated =
          row.mandate_military.value_or(0) + row.mandate_civilian.value_or(0);
    }
    if (!row.cap_pool.empty()) {
      bool& shown = pools_shown[row.cap_pool];
      if (shown && !bar.mandated.has_value()) {
        bar.mandated_note = Label(LabelId::kChartSharedCap, model.language);
      }
      shown = true;
    }
    bar.deployed = row.deployed_total.value_or(0);
    max_value = std::max({max_value, bar.deployed, bar.mandated.value_or(0)});
    chart.groups.back().bars.push_back(std::move(bar));
  }
  ChartAxis(max_value, chart.axis_max, chart.ticks);
  return chart;
}

}  // namespace missions::report
