#include "registry-service/service/registry_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "proto/common/errors.h"
#include "proto/common/observability/grpc_observability.h"
#include "registry-service/service/authorized_call.h"

namespace missions::registry {

namespace v1 = ::registry::v1;

grpc::Status RegistryServiceImpl::StreamYearDataset(
    grpc::ServerContext* context, const v1::StreamYearDatasetRequest* request,
    grpc::ServerWriter<v1::StreamYearDatasetResponse>* writer) {
  return AuthorizedCall(
      access_, context, "/registry.v1.RegistryService/StreamYearDataset", *request,
      [&](const Caller& caller) {
        int64_t revision = 0;
        const absl::Status status = registry_->StreamYearDataset(
            *request, caller.deadline, [&](v1::StreamYearDatasetResponse part) -> absl::Status {
              revision = part.revision();
              if (context->IsCancelled() || !writer->Write(part)) {
                return absl::CancelledError("the client went away");
              }
              return absl::OkStatus();
            });
        // For the call's log line: which year, read at which revision.
        observability::AnnotateCall(context, "year", absl::StrCat(request->year()));
        if (revision > 0) {
          observability::AnnotateCall(context, "revision", absl::StrCat(revision));
        }
        return status;
      });
}

grpc::Status RegistryServiceImpl::ImportDataset(
    grpc::ServerContext* context, const v1::ImportDatasetRequest* request,
    v1::ImportDatasetResponse* response) {
  return AuthorizedCall(access_, context, "/registry.v1.RegistryService/ImportDataset",
                        *request, [&](const Caller& caller) -> absl::Status {
                          absl::StatusOr<v1::ImportDatasetResponse> result =
                              registry_->ImportDataset(*request, caller);
                          if (!result.ok()) return result.status();
                          *response = *std::move(result);
                          return absl::OkStatus();
                        },
                        response);
}

}  // namespace missions::registry
