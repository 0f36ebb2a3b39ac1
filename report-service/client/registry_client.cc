#include "report-service/client/registry_client.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "proto/common/errors.h"

namespace missions::report {

namespace v1 = ::registry::v1;

absl::StatusOr<YearData> RegistryClient::FetchYearDataset(
    int year, const v1::AsOf& as_of) const {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout_);
  v1::StreamYearDatasetRequest request;
  request.set_year(year);
  if (as_of.point_case() != v1::AsOf::POINT_NOT_SET) {
    *request.mutable_as_of() = as_of;
  }
  std::unique_ptr<grpc::ClientReaderInterface<v1::StreamYearDatasetResponse>> reader =
      stub_->StreamYearDataset(&context, request);
  YearData merged;
  v1::StreamYearDatasetResponse part;
  while (reader->Read(&part)) {
    merged.records.MergeFrom(part.records());
    merged.revision = part.revision();
    part.Clear();
  }
  const grpc::Status status = reader->Finish();
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
