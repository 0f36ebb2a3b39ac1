// RecordStore: the registry's storage seam.
//
// A RecordStore holds the registry's records (registry.v1 resources) and
// answers the queries the gRPC service needs. Implementations: SQLite
// (sqlite_record_store.h, the embedded default); PostgreSQL follows behind
// the same interface.
//
// Thread safety: every method may be called concurrently from any thread.
// Writes are atomic: a failed write leaves the store as it was.
#ifndef REGISTRY_SERVICE_STORAGE_RECORD_STORE_H_
#define REGISTRY_SERVICE_STORAGE_RECORD_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "registry/v1/registry_service.pb.h"

namespace missions::registry {

// Position of a mission in report order; ListMissions pages continue after
// such a key. Ordered lexicographically by its fields in this order.
// Within a region, clusters and missions without a cluster form one
// sequence ordered by their report_order: a mission without a cluster is
// its own group.
struct MissionOrderKey {
  int region_order = 0;
  std::string region;
  // The group's position: the cluster's report_order, or the mission's own
  // for a mission without a cluster.
  int group_order = 0;
  // 0 for a cluster, 1 for a mission without one (clusters first on ties).
  int group_rank = 0;
  // The cluster's name, or the mission's for a mission without a cluster.
  std::string group;
  int mission_order = 0;
  std::string mission;

  bool operator==(const MissionOrderKey&) const = default;
};

// Filters and paging of ListMissions.
struct MissionQuery {
  // Only missions active during this year (0: any year).
  int year = 0;
  // Only missions of this region name (empty: any).
  std::string region;
  // At most this many missions (must be > 0).
  int limit = 50;
  // Only missions after this key in report order (unset: from the start).
  std::optional<MissionOrderKey> after;
};

// One mission as listed, with its position in report order.
struct ListedMission {
  ::registry::v1::Mission mission;
  MissionOrderKey key;
};

class RecordStore {
 public:
  virtual ~RecordStore() = default;

  // Stores every record of `dataset` in one transaction, as one new
  // revision attributed to `actor`, and returns that revision. The dataset
  // must have been validated (ValidateDataset). Returns AlreadyExists
  // naming the first record whose name is stored already,
  // FailedPrecondition if a reference does not resolve, Unavailable if the
  // storage cannot be reached; in every error case nothing is stored.
  virtual absl::StatusOr<int64_t> ImportDataset(
      const ::registry::v1::Dataset& dataset, absl::string_view actor) = 0;

  // Returns the mission named `name`, or NotFound.
  virtual absl::StatusOr<::registry::v1::Mission> GetMission(
      absl::string_view name) = 0;

  // Returns up to `query.limit` missions in report order.
  virtual absl::StatusOr<std::vector<ListedMission>> ListMissions(
      const MissionQuery& query) = 0;

  // Calls `sink` with the records needed for the report of `year`: first
  // the report year, all regions, clusters and cap pools and the year's
  // report texts (no missions), then parts of up to `batch_size` mission
  // records each, in report order: missions active during the year or
  // holding personnel figures or narratives for it, with all their records.
  // Every part carries the revision the whole read saw (one consistent
  // snapshot). Stops and returns the sink's error if it fails. Returns
  // NotFound if there is no report year `year`.
  virtual absl::Status ReadYearDataset(
      int year, int batch_size,
      const std::function<absl::Status(::registry::v1::StreamYearDatasetResponse)>&
          sink) = 0;

  // Returns the current revision (0 for an empty registry).
  virtual absl::StatusOr<int64_t> CurrentRevision() = 0;

  // True if a region, cluster, cap pool, report year or mission named
  // `name` is stored.
  virtual absl::StatusOr<bool> Exists(absl::string_view name) = 0;
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_STORAGE_RECORD_STORE_H_
