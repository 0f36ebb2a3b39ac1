// Report order of missions and which missions a year concerns. Pure
// functions over registry messages; thread-safe.
#ifndef REGISTRY_SERVICE_DOMAIN_MISSION_ORDER_H_
#define REGISTRY_SERVICE_DOMAIN_MISSION_ORDER_H_

#include <map>
#include <string>
#include <tuple>

#include "registry/v1/resources.pb.h"

namespace missions::registry {

// Position of a mission in report order. Within a region, clusters and
// missions without a cluster form one sequence ordered by report_order (a
// mission without a cluster is its own group; ties: clusters first, then
// by name); within a cluster, missions by report_order, then name.
struct MissionOrderKey {
  int region_order = 0;
  std::string region;
  int group_order = 0;
  int group_rank = 0;  // 0: a cluster, 1: a mission without one
  std::string group;   // the cluster's name, or the mission's own
  int mission_order = 0;
  std::string mission;

  auto Tie() const {
    return std::tie(region_order, region, group_order, group_rank, group,
                    mission_order, mission);
  }
  bool operator<(const MissionOrderKey& other) const { return Tie() < other.Tie(); }
  bool operator==(const MissionOrderKey& other) const { return Tie() == other.Tie(); }
};

// The key of `mission`; regions and clusters it names but the maps lack
// count with order 0.
MissionOrderKey OrderKeyOf(const ::registry::v1::Mission& mission,
                           const std::map<std::string, ::registry::v1::Region>& regions,
                           const std::map<std::string, ::registry::v1::Cluster>& clusters);

// True if the mission ran at some time during `year`: its start date
// (partial dates count from their first day; unset: long ago) is on or
// before 31 December and its end date (partial: last day; unset: still
// running) on or after 1 January.
bool IsActiveInYear(const ::registry::v1::Mission& mission, int year);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_MISSION_ORDER_H_
