#include "report-service/client/registry_client.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"
#include "proto/common/errors.h"
#include "proto/common/observability/grpc_observability.h"
#include "proto/common/observability/trace_context.h"

namespace missions::report {

namespace v1 = ::registry::v1;

RegistryClient::RegistryClient(std::shared_ptr<v1::RegistryService::StubInterface> stub,
                               std::chrono::milliseconds timeout,
                               observability::MetricsRegistry* metrics)
    : stub_(std::move(stub)), timeout_(timeout) {
  if (metrics != nullptr) {
    calls_ = metrics->Counter("report_registry_calls_total",
                              "Calls report-server made to the registry, by method and "
                              "gRPC status code.",
                              {"method", "code"});
    seconds_ = metrics->Histogram("report_registry_call_seconds",
                                  "Duration of report-server's calls to the registry.",
                                  {"method"});
  }
}

absl::StatusOr<YearData> RegistryClient::FetchYearDataset(
    int year, const v1::AsOf& as_of, const grpc::ServerContextBase* caller) const {
  const absl::Time start = absl::Now();
  // A child of the caller's call: gRPC gives it the earlier of the caller's
  // deadline and the one set here, and cancels it with the caller.
  std::unique_ptr<grpc::ClientContext> context =
      caller != nullptr ? grpc::ClientContext::FromServerContext(*caller)
                        : std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout_);
  observability::AddTraceparent(context.get(), observability::CurrentTraceId());
  v1::StreamYearDatasetRequest request;
  request.set_year(year);
  if (as_of.point_case() != v1::AsOf::POINT_NOT_SET) {
    *request.mutable_as_of() = as_of;
  }
  std::unique_ptr<grpc::ClientReaderInterface<v1::StreamYearDatasetResponse>> reader =
      stub_->StreamYearDataset(context.get(), request);
  YearData merged;
  v1::StreamYearDatasetResponse part;
  while (reader->Read(&part)) {
    merged.records.MergeFrom(part.records());
    merged.revision = part.revision();
    part.Clear();
  }
  const grpc::Status status = reader->Finish();
  if (calls_ != nullptr) {
    calls_->WithLabels({"StreamYearDataset", observability::StatusCodeName(status.error_code())})
        ->Increment();
    seconds_->HistogramWithLabels({"StreamYearDataset"})
        ->Observe(absl::ToDoubleSeconds(absl::Now() - start));
  }
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
      status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    // About report-server's own credentials, not its caller's: passing the
    // code on would tell the caller that *their* token was refused.
    return absl::InternalError(absl::StrCat(
        "the registry refused report-server's own credentials (",
        absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())), ": ",
        status.error_message(),
        "); check report-server's --registry_cert or token and the registry's "
        "--identities"));
  }
  if (!status.ok()) {
    return FromGrpcStatus(status, absl::StrCat("registry StreamYearDataset(",
                                               year, ")"));
  }
  return merged;
}

}  // namespace missions::report
