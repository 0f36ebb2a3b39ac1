// The gRPC adapter of the registry: registry.v1.RegistryService on top of
// the domain operations (domain/registry.h). Each method converts the
// result with the one status conversion (proto/common/errors.h).
#ifndef REGISTRY_SERVICE_SERVICE_REGISTRY_SERVICE_H_
#define REGISTRY_SERVICE_SERVICE_REGISTRY_SERVICE_H_

#include "registry-service/domain/registry.h"
#include "registry/v1/registry_service.grpc.pb.h"

namespace missions::registry {

class RegistryServiceImpl final : public ::registry::v1::RegistryService::Service {
 public:
  // `registry` is not owned and must outlive the service.
  explicit RegistryServiceImpl(Registry* registry) : registry_(registry) {}

  grpc::Status StreamYearDataset(
      grpc::ServerContext* context,
      const ::registry::v1::StreamYearDatasetRequest* request,
      grpc::ServerWriter<::registry::v1::StreamYearDatasetResponse>* writer) override;
  grpc::Status ImportDataset(grpc::ServerContext* context,
                             const ::registry::v1::ImportDatasetRequest* request,
                             ::registry::v1::ImportDatasetResponse* response) override;

 private:
  Registry* registry_;
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_SERVICE_REGISTRY_SERVICE_H_
