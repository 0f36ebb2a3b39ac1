// ReportGenerator: fetches a year's data from the registry, assembles the
// report model and renders the requested document, runs the checks, and
// reconciles a published annex. The assembly, checks, reconciliation and
// rendering themselves are pure functions (report/); this class is where
// the I/O happens (the registry call; the generation time comes with the
// request).
#ifndef REPORT_SERVICE_SERVICE_REPORT_GENERATOR_H_
#define REPORT_SERVICE_SERVICE_REPORT_GENERATOR_H_

#include <string>

#include "absl/status/statusor.h"
#include "report-service/client/registry_client.h"
#include "report/v1/report_service.pb.h"

namespace missions::report {

// Where the time of one request went, in milliseconds, for the operators'
// log line.
struct GenerationTimings {
  double fetch_ms = 0;     // the registry call
  double assemble_ms = 0;  // model and checks
  double render_ms = 0;    // the document
};

class ReportGenerator {
 public:
  // `registry` is not owned and must outlive the generator.
  explicit ReportGenerator(const RegistryClient* registry) : registry_(registry) {}

  // Builds one document (from the registry as it was at the request's
  // `as_of`, if set). `caller`, in this and the other methods, is the
  // report-server call the request came in (null: none): the registry call
  // ends at its deadline (or --registry_timeout, if that comes first) and is
  // cancelled with it (RegistryClient::FetchYearDataset). Returns InvalidArgument (with field violations `year`,
  // `format`, `language`, `expiring_mandates_horizon_days`,
  // `generation_time`, `as_of_revision`) for a bad request; the registry's NotFound for an
  // unknown year; Unavailable/DeadlineExceeded if the registry cannot be
  // reached in time, Cancelled if the caller cancelled; Internal if the PDF
  // cannot be typeset. Fills `timings` if given.
  absl::StatusOr<::report::v1::GenerateReportResponse> Generate(
      const ::report::v1::GenerateReportRequest& request,
      GenerationTimings* timings = nullptr,
      const grpc::ServerContextBase* caller = nullptr) const;

  // Runs the checks of a year. Errors as Generate (`year`, `language`,
  // `as_of_revision`).
  absl::StatusOr<::report::v1::CheckReportResponse> Check(
      const ::report::v1::CheckReportRequest& request,
      const grpc::ServerContextBase* caller = nullptr) const;

  // Compares a published annex with the registry's. Errors as Generate,
  // and InvalidArgument naming `published_csv` for CSV that cannot be read
  // or has neither annex's header.
  absl::StatusOr<::report::v1::ReconcileAnnexResponse> Reconcile(
      const ::report::v1::ReconcileAnnexRequest& request,
      const grpc::ServerContextBase* caller = nullptr) const;

 private:
  const RegistryClient* registry_;
};

// The stable file name of a document: "vkm-2020-nl.pdf",
// "vkm-2020-en-annex2.csv".
std::string ReportFileName(int year, absl::string_view language,
                           ::report::v1::ReportFormat format);

// The media type of a format ("application/pdf").
std::string ReportMediaType(::report::v1::ReportFormat format);

}  // namespace missions::report

#endif  // REPORT_SERVICE_SERVICE_REPORT_GENERATOR_H_
