// ReportGenerator: fetches a year's data from the registry, assembles the
// report model and renders the requested document. The assembly and
// rendering themselves are pure functions (report/); this class is where
// the I/O happens.
#ifndef REPORT_SERVICE_SERVICE_REPORT_GENERATOR_H_
#define REPORT_SERVICE_SERVICE_REPORT_GENERATOR_H_

#include <string>

#include "absl/status/statusor.h"
#include "report-service/client/registry_client.h"
#include "report/v1/report_service.pb.h"

namespace missions::report {

class ReportGenerator {
 public:
  // `registry` is not owned and must outlive the generator.
  explicit ReportGenerator(const RegistryClient* registry) : registry_(registry) {}

  // Builds one document. Returns InvalidArgument (with field violations)
  // for a bad year, format or language; the registry's NotFound for an
  // unknown year; Unavailable/DeadlineExceeded if the registry cannot be
  // reached in time.
  absl::StatusOr<::report::v1::GenerateReportResponse> Generate(
      const ::report::v1::GenerateReportRequest& request) const;

 private:
  const RegistryClient* registry_;
};

}  // namespace missions::report

#endif  // REPORT_SERVICE_SERVICE_REPORT_GENERATOR_H_
