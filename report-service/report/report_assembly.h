// Report assembly: from the registry's dataset of one year to the report
// model. Pure: no I/O, no clock, no locale; the same input always gives the
// same model.
#ifndef REPORT_SERVICE_REPORT_REPORT_ASSEMBLY_H_
#define REPORT_SERVICE_REPORT_REPORT_ASSEMBLY_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "registry/v1/registry_service.pb.h"
#include "report-service/report/labels.h"
#include "report-service/report/report_model.h"

namespace missions::report {

// What the report depends on besides the registry's records. Every input
// is explicit, so that the same inputs give the same model (and the same
// bytes from every renderer).
struct ReportOptions {
  // The registry revision the records were read at; stated in the report
  // (0: unknown, not stated).
  int64_t registry_revision = 0;
  // When the report was generated; stated (UTC, to the minute in words, to
  // the second in generated_at) when set.
  std::optional<absl::Time> generation_time;
  // Horizon of the expiring-mandates annex, in days after the publication
  // date.
  int expiring_horizon_days = 365;
  // Whether documents include the checks annex. The checks run either way.
  bool include_checks = true;
};

// The horizon used when a request does not set one, and the largest one.
inline constexpr int kDefaultExpiringHorizonDays = 365;
inline constexpr int kMaxExpiringHorizonDays = 3650;

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
// - Annex 3 (expiring mandates): for every reported mission, the
//   international and the national decision in force on the publication
//   date whose end is a date within `options.expiring_horizon_days` after
//   it; by end date, then report order, international first.
// - Annex 4 (checks): the findings of CheckReport (report_checks.h);
//   `checks.included` follows `options.include_checks`.
//
// Returns NotFound if `data` has no report year for `year`, and
// InvalidArgument if the report year has no valid publication date, an
// active mission refers to a region, cluster or cap pool that `data` does
// not hold, or the horizon is outside 0 to kMaxExpiringHorizonDays.
absl::StatusOr<ReportModel> AssembleReport(const ::registry::v1::Dataset& data,
                                           int year, Language language,
                                           const ReportOptions& options);

// As above with the default options (no revision, no generation time).
absl::StatusOr<ReportModel> AssembleReport(const ::registry::v1::Dataset& data,
                                           int year, Language language);

}  // namespace missions::report

#endif  // REPORT_SERVICE_REPORT_REPORT_ASSEMBLY_H_
