// The gRPC adapter of the registry: registry.v1.RegistryService on top of
// the domain operations (domain/registry.h). Each method converts the
// result with the one status conversion (proto/common/errors.h), after
// authenticating and authorising the caller (proto/common/access_control.h).
#ifndef REGISTRY_SERVICE_SERVICE_REGISTRY_SERVICE_H_
#define REGISTRY_SERVICE_SERVICE_REGISTRY_SERVICE_H_

#include "proto/common/access_control.h"
#include "registry-service/domain/registry.h"
#include "registry/v1/registry_service.grpc.pb.h"

namespace missions::registry {

class RegistryServiceImpl final : public ::registry::v1::RegistryService::Service {
 public:
  // `registry` and `access` are not owned and must outlive the service.
  RegistryServiceImpl(Registry* registry, AccessControl* access)
      : registry_(registry), access_(access) {}

  grpc::Status StreamYearDataset(
      grpc::ServerContext* context,
      const ::registry::v1::StreamYearDatasetRequest* request,
      grpc::ServerWriter<::registry::v1::StreamYearDatasetResponse>* writer) override;
  grpc::Status ImportDataset(grpc::ServerContext* context,
                             const ::registry::v1::ImportDatasetRequest* request,
                             ::registry::v1::ImportDatasetResponse* response) override;

 private:
  Registry* registry_;
  AccessControl* access_;
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_SERVICE_REGISTRY_SERVICE_H_
