// ReportClient: how reportctl talks to report-server. Wraps the generated
// stub interface (so that tests can substitute it); every call takes its
// deadline.
#ifndef REPORT_SERVICE_TOOLS_REPORT_CLIENT_H_
#define REPORT_SERVICE_TOOLS_REPORT_CLIENT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "report/v1/report_service.grpc.pb.h"

namespace missions::report {

class ReportClient {
 public:
  // Every call of this client carries one W3C trace (a `traceparent` with
  // `trace_id` and a new span id per call), so that all the documents of
  // one reportctl run can be followed through report-server and the
  // registry's logs. `trace_id` defaults to TraceIdForThisRun().
  explicit ReportClient(
      std::shared_ptr<::report::v1::ReportService::StubInterface> stub,
      std::string trace_id = TraceIdForThisRun());

  // The trace id of $TRACEPARENT if it holds a valid traceparent (a
  // scheduler that traces its jobs), else a new random one.
  static std::string TraceIdForThisRun();

  const std::string& trace_id() const { return trace_id_; }

  // Streams one document (StreamReport), handing each chunk to `on_chunk`
  // in order, with the document's info from the first message; returns the
  // info. Returns the server's error
  // (with its code: Unavailable and DeadlineExceeded may be retried),
  // the error of `on_chunk` (the stream is then cancelled), or Internal if
  // the stream carries no info or fewer bytes than it announced.
  absl::StatusOr<::report::v1::ReportDocumentInfo> StreamDocument(
      const ::report::v1::GenerateReportRequest& request, absl::Time deadline,
      const std::function<absl::Status(
          const ::report::v1::ReportDocumentInfo& info,
          absl::string_view chunk)>& on_chunk) const;

  // CheckReport and ReconcileAnnex; errors as the server returns them.
  absl::StatusOr<::report::v1::CheckReportResponse> Check(
      const ::report::v1::CheckReportRequest& request,
      absl::Time deadline) const;
  absl::StatusOr<::report::v1::ReconcileAnnexResponse> Reconcile(
      const ::report::v1::ReconcileAnnexRequest& request,
      absl::Time deadline) const;

 private:
  std::shared_ptr<::report::v1::ReportService::StubInterface> stub_;
  std::string trace_id_;
};

}  // namespace missions::report

#endif  // REPORT_SERVICE_TOOLS_REPORT_CLIENT_H_
