#include "registry-service/domain/mission_order.h"

#include "proto/common/dates.h"

namespace missions::registry {

MissionOrderKey OrderKeyOf(const ::registry::v1::Mission& mission,
                           const std::map<std::string, ::registry::v1::Region>& regions,
                           const std::map<std::string, ::registry::v1::Cluster>& clusters) {
  MissionOrderKey key;
  key.region = mission.region();
  if (auto r = regions.find(mission.region()); r != regions.end()) {
    key.region_order = r->second.report_order();
  }
  key.mission_order = mission.report_order();
  key.mission = mission.name();
  if (mission.cluster().empty()) {
    key.group_order = mission.report_order();
    key.group_rank = 1;
    key.group = mission.name();
  } else {
    key.group_rank = 0;
    key.group = mission.cluster();
    if (auto c = clusters.find(mission.cluster()); c != clusters.end()) {
      key.group_order = c->second.report_order();
    }
  }
  return key;
}

bool IsActiveInYear(const ::registry::v1::Mission& mission, int year) {
  return PeriodOverlapsYear(mission.start_date(), mission.end_date(), year);
}

}  // namespace missions::registry
