// Registry: the registry's domain operations, between the gRPC adapter
// (service/registry_service.h) and the storage seam (storage/record_store.h).
// It validates requests as a whole and reports violations with field paths
// into the request; it holds no state of its own.
//
// Thread-safe if the RecordStore is (every RecordStore is).
#ifndef REGISTRY_SERVICE_DOMAIN_REGISTRY_H_
#define REGISTRY_SERVICE_DOMAIN_REGISTRY_H_

#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "registry-service/domain/caller.h"
#include "registry-service/storage/record_store.h"
#include "registry/v1/registry_service.pb.h"

namespace missions::registry {

// Default and largest number of missions per StreamYearDataset message.
inline constexpr int kDefaultBatchSize = 50;
inline constexpr int kMaxBatchSize = 500;

class Registry {
 public:
  // `store` is not owned and must outlive the registry.
  explicit Registry(RecordStore* store) : store_(store) {}

  // Validates and stores `request.dataset` in one transaction (or only
  // validates, with `validate_only`). Returns InvalidArgument with every
  // violation (paths such as "dataset.missions[2].mission.region"),
  // AlreadyExists if a record is stored already, Unavailable if storage
  // fails; nothing is stored on error.
  // `caller` (principal, display name, peer) is recorded with the
  // revision.
  absl::StatusOr<::registry::v1::ImportDatasetResponse> ImportDataset(
      const ::registry::v1::ImportDatasetRequest& request, const Caller& caller);

  // Sends the year's dataset to `sink` in parts (see
  // RecordStore::ReadYearDataset). InvalidArgument for a bad year or batch
  // size, NotFound if the year has no report year record.
  absl::Status StreamYearDataset(
      const ::registry::v1::StreamYearDatasetRequest& request,
      const std::function<absl::Status(::registry::v1::StreamYearDatasetResponse)>&
          sink);

 private:
  RecordStore* store_;
};

// Number of records in `dataset` by kind ("missions", "narratives", ...).
std::map<std::string, int> CountRecords(const ::registry::v1::Dataset& dataset);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_REGISTRY_H_
