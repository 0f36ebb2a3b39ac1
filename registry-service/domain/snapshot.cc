#include "registry-service/domain/snapshot.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "proto/common/status_macros.h"
#include "registry-service/domain/mission_order.h"
#include "registry-service/domain/resource_names.h"

namespace missions::registry {
namespace {

namespace v1 = ::registry::v1;

template <typename T>
absl::Status Collect(RecordStore& store, ResourceKind kind, int64_t revision,
                     std::map<std::string, T>* out) {
  ASSIGN_OR_RETURN(std::vector<StoredResource> stored,
                   store.List(kind, "", revision));
  for (const StoredResource& r : stored) {
    if (r.deleted) continue;
    const T& message = static_cast<const T&>(*r.message);
    (*out)[message.name()] = message;
  }
  return absl::OkStatus();
}

// Appends the live children of `kind` to the records of their missions.
template <typename T>
absl::Status CollectChildren(RecordStore& store, ResourceKind kind, int64_t revision,
                             Snapshot* snapshot,
                             google::protobuf::RepeatedPtrField<T>* (
                                 v1::MissionRecord::*field)()) {
  ASSIGN_OR_RETURN(std::vector<StoredResource> stored,
                   store.List(kind, "missions/", revision));
  for (const StoredResource& r : stored) {
    if (r.deleted) continue;
    const T& message = static_cast<const T&>(*r.message);
    const std::string mission = ParentMission(message.name());
    *(snapshot->mission_children[mission].*field)()->Add() = message;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Snapshot> ReadSnapshot(RecordStore& store, int64_t revision) {
  Snapshot snapshot;
  if (revision == 0) {
    ASSIGN_OR_RETURN(revision, store.CurrentRevision());
    if (revision == 0) return snapshot;  // an empty registry
  }
  snapshot.revision = revision;
  RETURN_IF_ERROR(Collect(store, ResourceKind::kReportYear, revision, &snapshot.report_years));
  RETURN_IF_ERROR(Collect(store, ResourceKind::kRegion, revision, &snapshot.regions));
  RETURN_IF_ERROR(Collect(store, ResourceKind::kCluster, revision, &snapshot.clusters));
  RETURN_IF_ERROR(Collect(store, ResourceKind::kCapPool, revision, &snapshot.cap_pools));
  RETURN_IF_ERROR(Collect(store, ResourceKind::kReportText, revision, &snapshot.report_texts));
  RETURN_IF_ERROR(Collect(store, ResourceKind::kMission, revision, &snapshot.missions));
  RETURN_IF_ERROR(CollectChildren(store, ResourceKind::kInternationalMandate, revision,
                                  &snapshot, &v1::MissionRecord::mutable_international_mandates));
  RETURN_IF_ERROR(CollectChildren(store, ResourceKind::kNationalMandate, revision,
                                  &snapshot, &v1::MissionRecord::mutable_national_mandates));
  RETURN_IF_ERROR(CollectChildren(store, ResourceKind::kPersonnelFigures, revision,
                                  &snapshot, &v1::MissionRecord::mutable_personnel));
  RETURN_IF_ERROR(CollectChildren(store, ResourceKind::kPosting, revision, &snapshot,
                                  &v1::MissionRecord::mutable_postings));
  RETURN_IF_ERROR(CollectChildren(store, ResourceKind::kFinancialContribution, revision,
                                  &snapshot,
                                  &v1::MissionRecord::mutable_financial_contributions));
  RETURN_IF_ERROR(CollectChildren(store, ResourceKind::kNarrative, revision, &snapshot,
                                  &v1::MissionRecord::mutable_narratives));
  return snapshot;
}

absl::StatusOr<v1::Dataset> YearDataset(const Snapshot& snapshot, int year) {
  const std::string year_name = ReportYearName(year);
  auto report_year = snapshot.report_years.find(year_name);
  if (report_year == snapshot.report_years.end()) {
    return absl::NotFoundError(absl::StrCat("the registry holds no report year ", year,
                                            " (", year_name, ")"));
  }
  v1::Dataset dataset;
  *dataset.add_report_years() = report_year->second;
  for (const auto& [name, region] : snapshot.regions) *dataset.add_regions() = region;
  for (const auto& [name, cluster] : snapshot.clusters) *dataset.add_clusters() = cluster;
  for (const auto& [name, pool] : snapshot.cap_pools) *dataset.add_cap_pools() = pool;
  const std::string text_prefix = year_name + "/texts/";
  for (const auto& [name, text] : snapshot.report_texts) {
    if (name.rfind(text_prefix, 0) == 0) *dataset.add_report_texts() = text;
  }
  // Missions the year concerns, in report order.
  std::vector<std::pair<MissionOrderKey, const v1::Mission*>> chosen;
  for (const auto& [name, mission] : snapshot.missions) {
    bool concerned = IsActiveInYear(mission, year);
    if (auto children = snapshot.mission_children.find(name);
        !concerned && children != snapshot.mission_children.end()) {
      for (const auto& p : children->second.personnel()) concerned |= p.year() == year;
      for (const auto& n : children->second.narratives()) concerned |= n.year() == year;
    }
    if (concerned) {
      chosen.emplace_back(OrderKeyOf(mission, snapshot.regions, snapshot.clusters), &mission);
    }
  }
  std::sort(chosen.begin(), chosen.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [key, mission] : chosen) {
    v1::MissionRecord* record = dataset.add_missions();
    if (auto children = snapshot.mission_children.find(mission->name());
        children != snapshot.mission_children.end()) {
      *record = children->second;
    }
    *record->mutable_mission() = *mission;
  }
  return dataset;
}

}  // namespace missions::registry
