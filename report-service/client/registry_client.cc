#include "report-service/client/registry_client.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "proto/common/errors.h"

namespace missions::report {

namespace v1 = ::registry::v1;

absl::StatusOr<v1::Dataset> RegistryClient::FetchYearDataset(int year) const {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout_);
  v1::StreamYearDatasetRequest request;
  request.set_year(year);
  std::unique_ptr<grpc::ClientReaderInterface<v1::Dataset>> reader =
      stub_->StreamYearDataset(&context, request);
  v1::Dataset merged;
  v1::Dataset part;
  while (reader->Read(&part)) {
    merged.MergeFrom(part);
    part.Clear();
  }
  const grpc::Status status = reader->Finish();
  if (!status.ok()) {
    return FromGrpcStatus(status, absl::StrCat("registry StreamYearDataset(",
                                               year, ")"));
  }
  return merged;
}

}  // namespace missions::report
