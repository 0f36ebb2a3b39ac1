// The annex-2 chart (deployment_chart.h) and its SVG (render_html.h).
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "report-service/report/deployment_chart.h"
#include "report-service/report/render_html.h"

namespace missions::report {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ChartAxisTest, StepsOfOneTwoOrFiveTimesAPowerOfTen) {
  int axis_max = 0;
  std::vector<int> ticks;
  ChartAxis(675, axis_max, ticks);
  EXPECT_EQ(axis_max, 700);
  EXPECT_EQ(ticks.size(), 8u);
  ChartAxis(12, axis_max, ticks);
  EXPECT_EQ(axis_max, 12);
  EXPECT_THAT(ticks, ElementsAre(0, 2, 4, 6, 8, 10, 12));
  ChartAxis(0, axis_max, ticks);
  EXPECT_EQ(axis_max, 1);
  EXPECT_THAT(ticks, ElementsAre(0, 1));
  // The smallest step that needs at most ten: 5000, not 10000.
  ChartAxis(46386, axis_max, ticks);
  EXPECT_EQ(axis_max, 50000);
  EXPECT_EQ(ticks.size(), 11u);
  EXPECT_EQ(ticks[1], 5000);
}

ReportModel TwoRegions() {
  ReportModel model;
  const auto make_row = [](const char* region, const char* name,
                      std::optional<int> military, std::optional<int> combined,
                      const char* pool, int deployed) {
    Annex2Row row;
    row.region = region;
    row.region_title = std::string(region) + " title";
    row.mission = std::string("missions/") + name;
    row.short_name = name;
    row.mandate_military = military;
    if (military.has_value()) row.mandate_civilian = 1;
    row.mandate_combined = combined;
    row.cap_pool = pool;
    row.deployed_total = deployed;
    return row;
  };
  model.annex2.rows = {make_row("regions/a", "Alfa", 10, std::nullopt, "", 25),
                       make_row("regions/a", "Bravo & <Co>", std::nullopt, 15,
                           "capPools/p", 3),
                       make_row("regions/b", "Charlie", std::nullopt, std::nullopt,
                           "capPools/p", 4)};
  return model;
}

TEST(DeploymentChartTest, GroupsByRegionWithCapsPersonsAtATime) {
  const DeploymentChart chart = BuildDeploymentChart(TwoRegions());
  ASSERT_EQ(chart.groups.size(), 2u);
  EXPECT_EQ(chart.groups[0].title, "regions/a title");
  ASSERT_EQ(chart.groups[0].bars.size(), 2u);
  EXPECT_EQ(chart.groups[0].bars[0].mandated, 11);  // 10 military + 1 civilian
  EXPECT_EQ(chart.groups[0].bars[0].deployed, 25);
  EXPECT_EQ(chart.groups[0].bars[1].mandated, 15);
  // The pool's other member: no bar of its own, a note instead.
  EXPECT_FALSE(chart.groups[1].bars[0].mandated.has_value());
  EXPECT_EQ(chart.groups[1].bars[0].mandated_note, "gedeeld mandaat");
  EXPECT_EQ(chart.axis_max, 25);  // Steps of 5 up to the largest bar.
}

TEST(DeploymentChartTest, SvgIsEscapedAndSelfContained) {
  const std::string svg = RenderChartSvg(BuildDeploymentChart(TwoRegions()));
  EXPECT_THAT(svg, HasSubstr("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_THAT(svg, HasSubstr("Bravo &amp; &lt;Co&gt;"));
  EXPECT_THAT(svg, Not(HasSubstr("<Co>")));
  EXPECT_THAT(svg, HasSubstr(">gedeeld mandaat</text>"));
  EXPECT_THAT(svg, Not(HasSubstr("href")));
}

}  // namespace
}  // namespace missions::report
