#include "report-service/service/report_service.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "proto/common/errors.h"
#include "proto/common/observability/grpc_observability.h"
#include "proto/common/observability/trace_context.h"

namespace missions::report {
namespace {

namespace rv1 = ::report::v1;

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

std::string Millis(double ms) { return absl::StrFormat("%.2f", ms); }

// What the call's log line says about a document request besides the
// principal, code and latency the interceptor writes: what was asked, its
// size and where the time went.
void AnnotateDocument(const grpc::ServerContext* context,
                      const rv1::GenerateReportRequest& request,
                      const absl::StatusOr<rv1::GenerateReportResponse>& result,
                      const GenerationTimings& timings) {
  using observability::AnnotateCall;
  AnnotateCall(context, "year", absl::StrCat(request.year()));
  AnnotateCall(context, "format", rv1::ReportFormat_Name(request.format()));
  AnnotateCall(context, "language", request.language().empty() ? "nl" : request.language());
  if (result.ok()) {
    AnnotateCall(context, "bytes", absl::StrCat(result->content().size()));
    AnnotateCall(context, "revision", absl::StrCat(result->registry_revision()));
  }
  AnnotateCall(context, "fetch_ms", Millis(timings.fetch_ms));
  AnnotateCall(context, "assemble_ms", Millis(timings.assemble_ms));
  AnnotateCall(context, "render_ms", Millis(timings.render_ms));
}

// Authenticates and authorises the caller of `method` (a
// report.v1.ReportService method name), and makes the call's trace the
// one the registry calls it causes carry on.
#define MISSIONS_AUTHORIZE(method, principal)                                           \
  absl::StatusOr<Principal> principal =                                                 \
      access_->Authorize(*context, "/report.v1.ReportService/" method, *request);       \
  if (!principal.ok()) return ToGrpcStatus(principal.status());                         \
  observability::ScopedTraceContext trace_scope(observability::TraceContextOf(*context))

}  // namespace

grpc::Status ReportServiceImpl::GenerateReport(
    grpc::ServerContext* context, const rv1::GenerateReportRequest* request,
    rv1::GenerateReportResponse* response) {
  MISSIONS_AUTHORIZE("GenerateReport", principal);
  const auto start = std::chrono::steady_clock::now();
  GenerationTimings timings;
  absl::StatusOr<rv1::GenerateReportResponse> result =
      generator_->Generate(*request, &timings, context);
  AnnotateDocument(context, *request, result, timings);
  ObserveGeneration(*request, result.status(), MillisSince(start));
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::StreamReport(
    grpc::ServerContext* context, const rv1::GenerateReportRequest* request,
    grpc::ServerWriter<rv1::StreamReportResponse>* writer) {
  MISSIONS_AUTHORIZE("StreamReport", principal);
  const auto start = std::chrono::steady_clock::now();
  GenerationTimings timings;
  absl::StatusOr<rv1::GenerateReportResponse> result =
      generator_->Generate(*request, &timings, context);
  AnnotateDocument(context, *request, result, timings);
  ObserveGeneration(*request, result.status(), MillisSince(start));
  if (!result.ok()) return ToGrpcStatus(result.status());
  const std::string& content = result->content();
  size_t offset = 0;
  bool first = true;
  while (first || offset < content.size()) {
    if (context->IsCancelled()) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
    }
    rv1::StreamReportResponse message;
    if (first) {
      rv1::ReportDocumentInfo* info = message.mutable_info();
      info->set_media_type(result->media_type());
      info->set_file_name(result->file_name());
      info->set_registry_revision(result->registry_revision());
      info->set_error_findings(result->error_findings());
      info->set_size_bytes(static_cast<int64_t>(content.size()));
      first = false;
    }
    const size_t size = std::min(kStreamChunkBytes, content.size() - offset);
    message.set_chunk(content.substr(offset, size));
    offset += size;
    if (!writer->Write(message)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "the stream was closed");
    }
  }
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::CheckReport(
    grpc::ServerContext* context, const rv1::CheckReportRequest* request,
    rv1::CheckReportResponse* response) {
  MISSIONS_AUTHORIZE("CheckReport", principal);
  absl::StatusOr<rv1::CheckReportResponse> result = generator_->Check(*request, context);
  observability::AnnotateCall(context, "year", absl::StrCat(request->year()));
  if (result.ok()) {
    observability::AnnotateCall(context, "errors", absl::StrCat(result->error_count()));
    observability::AnnotateCall(context, "warnings", absl::StrCat(result->warning_count()));
    observability::AnnotateCall(context, "notes", absl::StrCat(result->info_count()));
  }
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::ReconcileAnnex(
    grpc::ServerContext* context, const rv1::ReconcileAnnexRequest* request,
    rv1::ReconcileAnnexResponse* response) {
  MISSIONS_AUTHORIZE("ReconcileAnnex", principal);
  absl::StatusOr<rv1::ReconcileAnnexResponse> result =
      generator_->Reconcile(*request, context);
  observability::AnnotateCall(context, "year", absl::StrCat(request->year()));
  if (result.ok()) {
    observability::AnnotateCall(context, "annex", absl::StrCat(result->annex()));
    observability::AnnotateCall(context, "differences",
                                absl::StrCat(result->differences_size()));
  }
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

#undef MISSIONS_AUTHORIZE

void ReportServiceImpl::ObserveGeneration(const rv1::GenerateReportRequest& request,
                                          const absl::Status& status, double ms) const {
  if (generation_seconds_ == nullptr) return;
  generation_seconds_
      ->HistogramWithLabels({rv1::ReportFormat_Name(request.format()),
                             status.ok() ? "ok" : "error"})
      ->Observe(ms / 1000.0);
}

ReportServiceImpl::ReportServiceImpl(const ReportGenerator* generator, AccessControl* access,
                                     observability::MetricsRegistry* metrics)
    : generator_(generator), access_(access) {
  if (metrics != nullptr) {
    generation_seconds_ = metrics->Histogram(
        "report_generation_seconds",
        "Time to build one report document (registry fetch, assembly, rendering), by "
        "format and outcome.",
        {"format", "outcome"},
        {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60});
  }
}

}  // namespace missions::report
