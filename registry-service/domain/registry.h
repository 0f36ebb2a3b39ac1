// Registry: the registry's bulk operations (ImportDataset,
// StreamYearDataset), between the gRPC adapter
// (service/registry_service.h) and the view and storage seams
// (view/view_keeper.h). It validates requests as a whole and reports
// violations with field paths into the request; it holds no state of its
// own.
//
// Thread-safe.
#ifndef REGISTRY_SERVICE_DOMAIN_REGISTRY_H_
#define REGISTRY_SERVICE_DOMAIN_REGISTRY_H_

#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "registry-service/domain/caller.h"
#include "registry-service/view/view_keeper.h"
#include "registry/v1/registry_service.pb.h"

namespace missions::registry {

// Default and largest number of missions per StreamYearDataset message.
inline constexpr int kDefaultBatchSize = 50;
inline constexpr int kMaxBatchSize = 500;

class Registry {
 public:
  // `views` (and its store) are not owned and must outlive the registry.
  explicit Registry(ViewKeeper* views) : views_(views) {}

  // Validates and stores `request.dataset` in one transaction (or only
  // validates, with `validate_only`). A retry with the same `request_id`
  // returns the first response and stores nothing. Returns InvalidArgument
  // with every violation (paths such as "dataset.missions[2].mission.region";
  // "dataset" for a dataset without records; "request_id" for an id used by
  // a different request), AlreadyExists if a record is stored already,
  // Unavailable if storage fails; nothing is stored on error.
  // `caller` (principal, display name, peer) is recorded with the
  // revision.
  absl::StatusOr<::registry::v1::ImportDatasetResponse> ImportDataset(
      const ::registry::v1::ImportDatasetRequest& request, const Caller& caller);

  // Sends the year's dataset to `sink` in parts (view/year_dataset.h),
  // from the current view, a recent one, or (older as_of) one read from
  // the store. InvalidArgument for a bad year or batch
  // size, NotFound if the year has no report year record.
  // With `min_revision`, waits for the view to reach it until `deadline`.
  absl::Status StreamYearDataset(
      const ::registry::v1::StreamYearDatasetRequest& request, absl::Time deadline,
      const std::function<absl::Status(::registry::v1::StreamYearDatasetResponse)>&
          sink);

 private:
  ViewKeeper* views_;
};

// Number of records in `dataset` by kind ("missions", "narratives", ...).
std::map<std::string, int> CountRecords(const ::registry::v1::Dataset& dataset);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_REGISTRY_H_
