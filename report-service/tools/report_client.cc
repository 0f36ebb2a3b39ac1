#include "report-service/tools/report_client.h"

#include <cstdlib>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "proto/common/errors.h"
#include "proto/common/observability/trace_context.h"

namespace missions::report {

namespace rv1 = ::report::v1;

ReportClient::ReportClient(std::shared_ptr<rv1::ReportService::StubInterface> stub,
                           std::string trace_id)
    : stub_(std::move(stub)), trace_id_(std::move(trace_id)) {}

std::string ReportClient::TraceIdForThisRun() {
  if (const char* env = std::getenv("TRACEPARENT"); env != nullptr) {
    if (auto parsed = observability::ParseTraceparent(env)) return parsed->trace_id;
  }
  return observability::NewTraceId();
}

absl::StatusOr<rv1::ReportDocumentInfo> ReportClient::StreamDocument(
    const rv1::GenerateReportRequest& request, absl::Time deadline,
    const std::function<absl::Status(const rv1::ReportDocumentInfo& info,
                                     absl::string_view chunk)>& on_chunk) const {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(deadline));
  observability::AddTraceparent(&context, trace_id_);
  std::unique_ptr<grpc::ClientReaderInterface<rv1::StreamReportResponse>>
      reader = stub_->StreamReport(&context, request);
  rv1::StreamReportResponse message;
  rv1::ReportDocumentInfo info;
  bool have_info = false;
  int64_t received = 0;
  absl::Status sink_status;
  while (reader->Read(&message)) {
    if (message.has_info()) {
      info = message.info();
      have_info = true;
    }
    if (!have_info) {
      sink_status =
          absl::InternalError("the report stream did not start with its info");
      context.TryCancel();
      break;
    }
    received += static_cast<int64_t>(message.chunk().size());
    sink_status = on_chunk(info, message.chunk());
    if (!sink_status.ok()) {
      context.TryCancel();
      break;
    }
    message.Clear();
  }
  const grpc::Status status = reader->Finish();
  if (!sink_status.ok()) return sink_status;
  if (!status.ok()) return FromGrpcStatus(status);
  if (!have_info) {
    return absl::InternalError("the report stream carried no document info");
  }
  if (received != info.size_bytes()) {
    return absl::InternalError(absl::StrCat("the report stream carried ",
                                            received, " bytes of the ",
                                            info.size_bytes(), " announced"));
  }
  return info;
}

absl::StatusOr<rv1::CheckReportResponse> ReportClient::Check(
    const rv1::CheckReportRequest& request, absl::Time deadline) const {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(deadline));
  observability::AddTraceparent(&context, trace_id_);
  rv1::CheckReportResponse response;
  const grpc::Status status = stub_->CheckReport(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<rv1::ReconcileAnnexResponse> ReportClient::Reconcile(
    const rv1::ReconcileAnnexRequest& request, absl::Time deadline) const {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(deadline));
  observability::AddTraceparent(&context, trace_id_);
  rv1::ReconcileAnnexResponse response;
  const grpc::Status status =
      stub_->ReconcileAnnex(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

}  // namespace missions::report
