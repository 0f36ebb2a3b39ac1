#include "registry-service/domain/registry.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "proto/common/errors.h"
#include "proto/common/status_macros.h"
#include "registry-service/domain/resource_names.h"
#include "registry-service/domain/validation.h"
#include "registry-service/service/page_token.h"

namespace missions::registry {

namespace v1 = ::registry::v1;

namespace {

// Resolves references against the stored records; remembers a storage
// failure so that it is reported as such, not as a missing reference.
class StoreLookup final : public ReferenceLookup {
 public:
  explicit StoreLookup(RecordStore* store) : store_(store) {}

  bool Exists(absl::string_view name) const override {
    absl::StatusOr<bool> found = store_->Exists(name);
    if (!found.ok()) {
      if (error_.ok()) error_ = found.status();
      return false;
    }
    return *found;
  }

  absl::Status error() const { return error_; }

 private:
  RecordStore* store_;
  mutable absl::Status error_;
};

}  // namespace

std::map<std::string, int> CountRecords(const v1::Dataset& dataset) {
  std::map<std::string, int> counts = {
      {"report_years", dataset.report_years_size()},
      {"regions", dataset.regions_size()},
      {"clusters", dataset.clusters_size()},
      {"cap_pools", dataset.cap_pools_size()},
      {"report_texts", dataset.report_texts_size()},
      {"missions", dataset.missions_size()},
  };
  for (const v1::MissionRecord& record : dataset.missions()) {
    counts["international_mandates"] += record.international_mandates_size();
    counts["national_mandates"] += record.national_mandates_size();
    counts["personnel"] += record.personnel_size();
    counts["postings"] += record.postings_size();
    counts["financial_contributions"] += record.financial_contributions_size();
    counts["narratives"] += record.narratives_size();
  }
  return counts;
}

absl::StatusOr<v1::ImportDatasetResponse> Registry::ImportDataset(
    const v1::ImportDatasetRequest& request, absl::string_view actor) {
  // References to records outside the dataset must already be stored.
  StoreLookup lookup(store_);
  ViolationList violations;
  violations.Merge("dataset", ValidateDataset(request.dataset(), lookup));
  absl::Status lookup_error = lookup.error();
  RETURN_IF_ERROR(lookup_error);
  RETURN_IF_ERROR(violations.ToStatus("the dataset is invalid"));

  v1::ImportDatasetResponse response;
  for (const auto& [kind, count] : CountRecords(request.dataset())) {
    (*response.mutable_record_counts())[kind] = count;
  }
  if (!request.validate_only()) {
    ASSIGN_OR_RETURN(const int64_t revision,
                     store_->ImportDataset(request.dataset(), actor));
    response.set_revision(revision);
  }
  return response;
}

absl::StatusOr<v1::Mission> Registry::GetMission(
    const v1::GetMissionRequest& request) {
  absl::StatusOr<ResourceName> name =
      ParseResourceName(request.name(), ResourceKind::kMission);
  if (!name.ok()) {
    return InvalidArgumentWithViolations(
        "invalid GetMission request", {{"name", std::string(name.status().message())}});
  }
  return store_->GetMission(request.name());
}

absl::StatusOr<v1::ListMissionsResponse> Registry::ListMissions(
    const v1::ListMissionsRequest& request) {
  ViolationList violations;
  if (request.page_size() < 0) {
    violations.Add("page_size", "must not be negative");
  }
  if (request.year() != 0 && !IsValidYear(request.year())) {
    violations.Add("year", absl::StrCat("must be 0 (any year) or between ",
                                        kMinYear, " and ", kMaxYear));
  }
  if (!request.region().empty()) {
    absl::StatusOr<ResourceName> region =
        ParseResourceName(request.region(), ResourceKind::kRegion);
    if (!region.ok()) violations.Add("region", std::string(region.status().message()));
  }
  MissionQuery query;
  query.year = request.year();
  query.region = request.region();
  if (!request.page_token().empty()) {
    absl::StatusOr<MissionOrderKey> after = DecodeMissionPageToken(
        request.page_token(), request.year(), request.region());
    if (after.ok()) {
      query.after = *after;
    } else {
      violations.Add("page_token", std::string(after.status().message()));
    }
  }
  RETURN_IF_ERROR(violations.ToStatus("invalid ListMissions request"));

  const int page_size = request.page_size() == 0
                            ? kDefaultPageSize
                            : std::min(request.page_size(), kMaxPageSize);
  // One extra row tells whether another page follows.
  query.limit = page_size + 1;
  ASSIGN_OR_RETURN(std::vector<ListedMission> listed, store_->ListMissions(query));
  v1::ListMissionsResponse response;
  const bool more = static_cast<int>(listed.size()) > page_size;
  if (more) listed.resize(page_size);
  for (ListedMission& m : listed) *response.add_missions() = std::move(m.mission);
  if (more) {
    response.set_next_page_token(EncodeMissionPageToken(
        listed.back().key, request.year(), request.region()));
  }
  return response;
}

absl::Status Registry::StreamYearDataset(
    const v1::StreamYearDatasetRequest& request,
    const std::function<absl::Status(v1::StreamYearDatasetResponse)>& sink) {
  ViolationList violations;
  if (!IsValidYear(request.year())) {
    violations.Add("year", absl::StrCat("must be between ", kMinYear, " and ",
                                        kMaxYear));
  }
  if (request.batch_size() < 0 || request.batch_size() > kMaxPageSize) {
    violations.Add("batch_size",
                   absl::StrCat("must be between 0 (default) and ", kMaxPageSize));
  }
  RETURN_IF_ERROR(violations.ToStatus("invalid StreamYearDataset request"));
  const int batch_size =
      request.batch_size() == 0 ? kDefaultPageSize : request.batch_size();
  return store_->ReadYearDataset(request.year(), batch_size, sink);
}

}  // namespace missions::registry
