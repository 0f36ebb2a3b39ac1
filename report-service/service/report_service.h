// The gRPC adapter of the report service: report.v1.ReportService over
// ReportGenerator, with the one status conversion (proto/common/errors.h).
#ifndef REPORT_SERVICE_SERVICE_REPORT_SERVICE_H_
#define REPORT_SERVICE_SERVICE_REPORT_SERVICE_H_

#include "report-service/service/report_generator.h"
#include "report/v1/report_service.grpc.pb.h"

namespace missions::report {

class ReportServiceImpl final : public ::report::v1::ReportService::Service {
 public:
  // `generator` is not owned and must outlive the service.
  explicit ReportServiceImpl(const ReportGenerator* generator)
      : generator_(generator) {}

  grpc::Status GenerateReport(grpc::ServerContext* context,
                              const ::report::v1::GenerateReportRequest* request,
                              ::report::v1::GenerateReportResponse* response) override;

 private:
  const ReportGenerator* generator_;
};

}  // namespace missions::report

#endif  // REPORT_SERVICE_SERVICE_REPORT_SERVICE_H_
