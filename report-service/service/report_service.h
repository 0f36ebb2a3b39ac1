// The gRPC adapter of the report service: report.v1.ReportService over
// ReportGenerator, with the one status conversion (proto/common/errors.h).
// Every method first authenticates and authorises its caller
// (proto/common/access_control.h).
#ifndef REPORT_SERVICE_SERVICE_REPORT_SERVICE_H_
#define REPORT_SERVICE_SERVICE_REPORT_SERVICE_H_

#include <cstddef>

#include "proto/common/access_control.h"
#include "proto/common/observability/metrics.h"
#include "report-service/service/report_generator.h"
#include "report/v1/report_service.grpc.pb.h"

namespace missions::report {

// The largest chunk StreamReport sends: well under gRPC's default 4 MiB
// message limit.
inline constexpr size_t kStreamChunkBytes = 1024 * 1024;

class ReportServiceImpl final : public ::report::v1::ReportService::Service {
 public:
  // `generator`, `access` and `metrics` are not owned and must outlive the
  // service. With `metrics`, report_generation_seconds{format,outcome}
  // times every document.
  ReportServiceImpl(const ReportGenerator* generator, AccessControl* access,
                    observability::MetricsRegistry* metrics = nullptr);

  grpc::Status GenerateReport(grpc::ServerContext* context,
                              const ::report::v1::GenerateReportRequest* request,
                              ::report::v1::GenerateReportResponse* response) override;

  grpc::Status StreamReport(
      grpc::ServerContext* context,
      const ::report::v1::GenerateReportRequest* request,
      grpc::ServerWriter<::report::v1::StreamReportResponse>* writer) override;

  grpc::Status CheckReport(grpc::ServerContext* context,
                           const ::report::v1::CheckReportRequest* request,
                           ::report::v1::CheckReportResponse* response) override;

  grpc::Status ReconcileAnnex(
      grpc::ServerContext* context,
      const ::report::v1::ReconcileAnnexRequest* request,
      ::report::v1::ReconcileAnnexResponse* response) override;

 private:
  void ObserveGeneration(const ::report::v1::GenerateReportRequest& request,
                         const absl::Status& status, double ms) const;

  const ReportGenerator* generator_;
  AccessControl* access_;
  observability::Family* generation_seconds_ = nullptr;
};

}  // namespace missions::report

#endif  // REPORT_SERVICE_SERVICE_REPORT_SERVICE_H_
