#include "report-service/service/report_service.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "absl/strings/string_view.h"
#include "proto/common/errors.h"

namespace missions::report {
namespace {

namespace rv1 = ::report::v1;

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

// One line per document request for operators: what was asked, the
// outcome, its size and where the time went.
void LogDocument(absl::string_view rpc, absl::string_view principal,
                 const rv1::GenerateReportRequest& request,
                 const absl::Status& status, size_t bytes,
                 const GenerationTimings& timings, double total_ms) {
  std::fprintf(stderr,
               "report-server: %.*s principal=%.*s year=%d format=%s language=%s "
               "status=%s bytes=%zu fetch_ms=%.2f assemble_ms=%.2f render_ms=%.2f "
               "ms=%.2f\n",
               static_cast<int>(rpc.size()), rpc.data(),
               static_cast<int>(principal.size()), principal.data(), request.year(),
               rv1::ReportFormat_Name(request.format()).c_str(),
               request.language().empty() ? "nl" : request.language().c_str(),
               status.ok() ? "OK" : absl::StatusCodeToString(status.code()).c_str(),
               bytes, timings.fetch_ms, timings.assemble_ms, timings.render_ms,
               total_ms);
}

// Authenticates and authorises the caller of `method` (a
// report.v1.ReportService method name); the principal goes into the
// request's log line.
#define MISSIONS_AUTHORIZE(method, principal)                                           \
  absl::StatusOr<Principal> principal =                                                 \
      access_->Authorize(*context, "/report.v1.ReportService/" method, *request);       \
  if (!principal.ok()) return ToGrpcStatus(principal.status())

}  // namespace

grpc::Status ReportServiceImpl::GenerateReport(
    grpc::ServerContext* context, const rv1::GenerateReportRequest* request,
    rv1::GenerateReportResponse* response) {
  MISSIONS_AUTHORIZE("GenerateReport", principal);
  const auto start = std::chrono::steady_clock::now();
  GenerationTimings timings;
  absl::StatusOr<rv1::GenerateReportResponse> result =
      generator_->Generate(*request, &timings);
  LogDocument("GenerateReport", principal->name, *request, result.status(),
              result.ok() ? result->content().size() : size_t{0}, timings,
              MillisSince(start));
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
      generator_->Generate(*request, &timings);
  LogDocument("StreamReport", principal->name, *request, result.status(),
              result.ok() ? result->content().size() : size_t{0}, timings,
              MillisSince(start));
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
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<rv1::CheckReportResponse> result = generator_->Check(*request);
  std::fprintf(stderr,
               "report-server: CheckReport principal=%s year=%d language=%s "
               "status=%s errors=%d warnings=%d notes=%d ms=%.2f\n",
               principal->name.c_str(), request->year(),
               request->language().empty() ? "nl" : request->language().c_str(),
               result.ok() ? "OK"
                           : absl::StatusCodeToString(result.status().code()).c_str(),
               result.ok() ? result->error_count() : 0,
               result.ok() ? result->warning_count() : 0,
               result.ok() ? result->info_count() : 0, MillisSince(start));
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::ReconcileAnnex(
    grpc::ServerContext* context, const rv1::ReconcileAnnexRequest* request,
    rv1::ReconcileAnnexResponse* response) {
  MISSIONS_AUTHORIZE("ReconcileAnnex", principal);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<rv1::ReconcileAnnexResponse> result =
      generator_->Reconcile(*request);
  std::fprintf(stderr,
               "report-server: ReconcileAnnex principal=%s year=%d language=%s "
               "status=%s annex=%d differences=%d ms=%.2f\n",
               principal->name.c_str(), request->year(),
               request->language().empty() ? "nl" : request->language().c_str(),
               result.ok() ? "OK"
                           : absl::StatusCodeToString(result.status().code()).c_str(),
               result.ok() ? result->annex() : 0,
               result.ok() ? result->differences_size() : 0, MillisSince(start));
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

#undef MISSIONS_AUTHORIZE

}  // namespace missions::report
