// The report of the real 2020 data (registry-service/data/vkm-2020.yaml):
// the cross-checks find what a reader of the published report expects and
// no more.
#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry-service/dataset_file/dataset_file.h"
#include "report-service/report/report_assembly.h"
#include "report-service/report/report_model.h"

#ifndef MISSIONS_SOURCE_DIR
#error "MISSIONS_SOURCE_DIR must name the repository root"
#endif

namespace missions::report {
namespace {

::registry::v1::Dataset Data2020() {
  auto parsed = registry::ReadDatasetFile(
      std::string(MISSIONS_SOURCE_DIR) + "/registry-service/data/vkm-2020.yaml");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? parsed->dataset : ::registry::v1::Dataset();
}

TEST(Report2020Test, PrintFindings) {
  auto model = AssembleReport(Data2020(), 2020, Language::kDutch);
  ASSERT_TRUE(model.ok()) << model.status();
  for (const Finding& f : model->checks.findings) {
    std::printf("%s %s: %s\n", f.severity_label.c_str(), f.check.c_str(), f.message.c_str());
  }
}

}  // namespace
}  // namespace missions::report
