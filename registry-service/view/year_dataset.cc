#include "registry-service/view/year_dataset.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "proto/common/status_macros.h"
#include "registry-service/domain/mission_order.h"
#include "registry-service/domain/resource_names.h"
#include "registry/v1/resources.pb.h"

namespace missions::registry {
namespace {

namespace v1 = ::registry::v1;

template <typename T>
const T& As(const ViewRecordPtr& r) {
  return static_cast<const T&>(*r->message);
}

// Appends the live records of `kind` under `mission` to `out`, in creation
// order (the order the store lists them in).
template <typename T>
void AddChildren(const RegistryView& view, ResourceKind kind, const std::string& mission,
                 google::protobuf::RepeatedPtrField<T>* out) {
  const absl::Span<const ViewRecordPtr> range = view.Range(kind, mission + "/", /*live=*/true);
  std::vector<const ViewRecord*> records;
  records.reserve(range.size());
  for (const ViewRecordPtr& r : range) records.push_back(r.get());
  std::sort(records.begin(), records.end(),
            [](const ViewRecord* a, const ViewRecord* b) { return a->sequence < b->sequence; });
  for (const ViewRecord* r : records) *out->Add() = static_cast<const T&>(*r->message);
}

// The mission with all its records.
v1::MissionRecord RecordOf(const RegistryView& view, const v1::Mission& mission) {
  v1::MissionRecord record;
  const std::string& name = mission.name();
  AddChildren(view, ResourceKind::kInternationalMandate, name,
              record.mutable_international_mandates());
  AddChildren(view, ResourceKind::kNationalMandate, name, record.mutable_national_mandates());
  AddChildren(view, ResourceKind::kPersonnelFigures, name, record.mutable_personnel());
  AddChildren(view, ResourceKind::kPosting, name, record.mutable_postings());
  AddChildren(view, ResourceKind::kFinancialContribution, name,
              record.mutable_financial_contributions());
  AddChildren(view, ResourceKind::kNarrative, name, record.mutable_narratives());
  *record.mutable_mission() = mission;
  return record;
}

// True if the mission holds personnel figures or narratives for `year`.
bool HasYearRecords(const RegistryView& view, const std::string& mission, int year) {
  for (const ViewRecordPtr& p :
       view.Range(ResourceKind::kPersonnelFigures, mission + "/", /*live=*/true)) {
    if (As<v1::PersonnelFigures>(p).year() == year) return true;
  }
  for (const ViewRecordPtr& n :
       view.Range(ResourceKind::kNarrative, mission + "/", /*live=*/true)) {
    if (As<v1::Narrative>(n).year() == year) return true;
  }
  return false;
}

}  // namespace

absl::Status SendYearDataset(
    const RegistryView& view, int year, int batch_size,
    const std::function<absl::Status(v1::StreamYearDatasetResponse)>& sink) {
  const std::string year_name = ReportYearName(year);
  const ViewRecord* report_year = view.Find(ResourceKind::kReportYear, year_name);
  if (report_year == nullptr || report_year->deleted) {
    return absl::NotFoundError(absl::StrCat("the registry holds no report year ", year,
                                            " (", year_name, ")"));
  }
  // The first part: everything but the missions.
  v1::StreamYearDatasetResponse head;
  head.set_revision(view.revision());
  v1::Dataset* records = head.mutable_records();
  *records->add_report_years() = static_cast<const v1::ReportYear&>(*report_year->message);
  std::map<std::string, v1::Region> regions;
  std::map<std::string, v1::Cluster> clusters;
  for (const ViewRecordPtr& r : view.Range(ResourceKind::kRegion, "", true)) {
    *records->add_regions() = regions[r->name] = As<v1::Region>(r);
  }
  for (const ViewRecordPtr& r : view.Range(ResourceKind::kCluster, "", true)) {
    *records->add_clusters() = clusters[r->name] = As<v1::Cluster>(r);
  }
  for (const ViewRecordPtr& r : view.Range(ResourceKind::kCapPool, "", true)) {
    *records->add_cap_pools() = As<v1::CapPool>(r);
  }
  for (const ViewRecordPtr& r :
       view.Range(ResourceKind::kReportText, year_name + "/texts/", true)) {
    *records->add_report_texts() = As<v1::ReportText>(r);
  }
  // The missions the year concerns, in report order.
  std::vector<std::pair<MissionOrderKey, const v1::Mission*>> chosen;
  for (const ViewRecordPtr& r : view.Range(ResourceKind::kMission, "", true)) {
    const auto& mission = As<v1::Mission>(r);
    if (IsActiveInYear(mission, year) || HasYearRecords(view, r->name, year)) {
      chosen.emplace_back(OrderKeyOf(mission, regions, clusters), &mission);
    }
  }
  std::sort(chosen.begin(), chosen.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  RETURN_IF_ERROR(sink(std::move(head)));
  for (size_t i = 0; i < chosen.size(); i += batch_size) {
    v1::StreamYearDatasetResponse part;
    part.set_revision(view.revision());
    for (size_t j = i; j < std::min(i + batch_size, chosen.size()); ++j) {
      *part.mutable_records()->add_missions() = RecordOf(view, *chosen[j].second);
    }
    RETURN_IF_ERROR(sink(std::move(part)));
  }
  return absl::OkStatus();
}

}  // namespace missions::registry
