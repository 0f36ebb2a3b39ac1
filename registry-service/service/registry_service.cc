#include "registry-service/service/registry_service.h"

#include <utility>

#include "proto/common/errors.h"

namespace missions::registry {

namespace v1 = ::registry::v1;

namespace {

// Stores `result` in `response` or converts its error.
template <typename T>
grpc::Status Reply(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status RegistryServiceImpl::StreamYearDataset(
    grpc::ServerContext* context, const v1::StreamYearDatasetRequest* request,
    grpc::ServerWriter<v1::StreamYearDatasetResponse>* writer) {
  return ToGrpcStatus(registry_->StreamYearDataset(
      *request, [&](v1::StreamYearDatasetResponse part) -> absl::Status {
        if (context->IsCancelled() || !writer->Write(part)) {
          return absl::CancelledError("the client went away");
        }
        return absl::OkStatus();
      }));
}

grpc::Status RegistryServiceImpl::ImportDataset(
    grpc::ServerContext* context, const v1::ImportDatasetRequest* request,
    v1::ImportDatasetResponse* response) {
  return Reply(registry_->ImportDataset(*request, Caller{"anonymous", "", context->peer()}),
               response);
}

}  // namespace missions::registry
