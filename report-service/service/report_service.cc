#include "report-service/service/report_service.h"

#include <chrono>
#include <cstdio>

#include "proto/common/errors.h"

namespace missions::report {

grpc::Status ReportServiceImpl::GenerateReport(
    grpc::ServerContext*, const ::report::v1::GenerateReportRequest* request,
    ::report::v1::GenerateReportResponse* response) {
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<::report::v1::GenerateReportResponse> result =
      generator_->Generate(*request);
  const double millis = std::chrono::duration<double, std::milli>(
                            std::chrono::steady_clock::now() - start)
                            .count();
  // One line per request for operators: what was asked, outcome, time.
  std::fprintf(stderr,
               "report-server: GenerateReport year=%d format=%s language=%s "
               "status=%s bytes=%zu ms=%.2f\n",
               request->year(),
               ::report::v1::ReportFormat_Name(request->format()).c_str(),
               request->language().empty() ? "nl" : request->language().c_str(),
               result.ok() ? "OK"
                           : absl::StatusCodeToString(result.status().code()).c_str(),
               result.ok() ? result->content().size() : size_t{0}, millis);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace missions::report
