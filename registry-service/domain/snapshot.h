// A consistent read of many resources: every kind the caller asks for, as
// of one registry revision. Built from a RecordStore by ReadSnapshot.
#ifndef REGISTRY_SERVICE_DOMAIN_SNAPSHOT_H_
#define REGISTRY_SERVICE_DOMAIN_SNAPSHOT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "registry-service/storage/record_store.h"
#include "registry/v1/registry_service.pb.h"

namespace missions::registry {

// Live (not deleted) resources as of `revision`, by kind and name.
struct Snapshot {
  int64_t revision = 0;
  std::map<std::string, ::registry::v1::ReportYear> report_years;
  std::map<std::string, ::registry::v1::Region> regions;
  std::map<std::string, ::registry::v1::Cluster> clusters;
  std::map<std::string, ::registry::v1::CapPool> cap_pools;
  std::map<std::string, ::registry::v1::ReportText> report_texts;
  std::map<std::string, ::registry::v1::Mission> missions;
  // Children of missions, by mission name.
  std::map<std::string, ::registry::v1::MissionRecord> mission_children;
};

// Reads every live resource as of `revision` (0: the current revision,
// which the snapshot then records). Consistent: all kinds at one revision.
absl::StatusOr<Snapshot> ReadSnapshot(RecordStore& store, int64_t revision);

// The records the report of `year` needs, in report order: the report
// year, all regions, clusters and cap pools, the year's report texts, and
// the missions active during the year or holding personnel figures or
// narratives for it, each with all its records. NotFound if the snapshot
// has no report year `year`.
absl::StatusOr<::registry::v1::Dataset> YearDataset(const Snapshot& snapshot, int year);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_SNAPSHOT_H_
