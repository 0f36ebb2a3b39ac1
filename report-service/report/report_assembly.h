// Report assembly: from the registry's dataset of one year to the report
// model. Pure: no I/O, no clock, no locale; the same input always gives the
// same model.
#ifndef REPORT_SERVICE_REPORT_REPORT_ASSEMBLY_H_
#define REPORT_SERVICE_REPORT_REPORT_ASSEMBLY_H_

#include "absl/status/statusor.h"
#include "registry/v1/registry_service.pb.h"
#include "report-service/report/labels.h"
#include "report-service/report/report_model.h"

namespace missions::report {

// Builds the report of `year` in `language` from `data` (a dataset as
// StreamYearDataset returns it; records of other years are ignored).
//
// What goes where:
// - Missions active in the year (IsActiveInYear) are reported, in report
//   order: regions by report_order (ties by name). Within a region, its
//   clusters and its missions without a cluster are ordered together by
//   report_order (a cluster's Cluster.report_order, an unclustered
//   mission's Mission.report_order); ties put clusters before missions,
//   then go by name. Within a cluster, missions by report_order, then name.
//   Chapter 2 numbers its sections in this order, and both annexes list
//   their rows in it.
// - Chapter 2: INTERNATIONAL and HEADQUARTERS missions, one section per
//   region that has any; chapter 3: NATIONAL_OPERATION missions. Missions
//   with their own progress report (SEPARATE_REPORTING_KIND_PROGRESS_REPORT)
//   get no section and no annex-1 row.
// - Annex 1: INTERNATIONAL and NATIONAL_OPERATION missions, with the
//   mandates in force on the report year's publication date.
// - Annex 2: the same kinds, including separately reported missions, with
//   the largest cap of the national decisions in force during the year and
//   the personnel figures of the year. Each cap counts once in the totals.
// - Texts are taken in `language`, else in Dutch, else in any language
//   (the model then notes the language).
//
// Returns NotFound if `data` has no report year for `year`, and
// InvalidArgument if the report year has no valid publication date or an
// active mission refers to a region, cluster or cap pool that `data` does
// not hold.
absl::StatusOr<ReportModel> AssembleReport(const ::registry::v1::Dataset& data,
                                           int year, Language language);

}  // namespace missions::report

#endif  // REPORT_SERVICE_REPORT_REPORT_ASSEMBLY_H_
