#include "registry-service/domain/registry.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "proto/common/errors.h"
#include "proto/common/status_macros.h"
#include "registry-service/domain/as_of.h"
#include "registry-service/domain/mission_order.h"
#include "registry-service/domain/request_replay.h"
#include "registry-service/domain/resource_names.h"
#include "registry-service/domain/resource_types.h"
#include "registry-service/domain/validation.h"
#include "registry-service/view/view_lookup.h"
#include "registry-service/view/year_dataset.h"

namespace missions::registry {

namespace v1 = ::registry::v1;

namespace {


// Adds a create of a copy of `resource` (output-only fields cleared).
void AddCreate(ResourceKind kind, const google::protobuf::Message& resource,
               std::vector<Mutation>* mutations) {
  std::shared_ptr<google::protobuf::Message> copy(resource.New());
  copy->CopyFrom(resource);
  ClearOutputFields(copy.get());
  Mutation mutation;
  mutation.change = Change::kCreate;
  mutation.kind = kind;
  mutation.after = std::move(copy);
  mutations->push_back(std::move(mutation));
}

// One create per record of the dataset, parents before children.
std::vector<Mutation> ImportMutations(const v1::Dataset& dataset) {
  std::vector<Mutation> mutations;
  for (const auto& r : dataset.report_years()) AddCreate(ResourceKind::kReportYear, r, &mutations);
  for (const auto& r : dataset.regions()) AddCreate(ResourceKind::kRegion, r, &mutations);
  for (const auto& r : dataset.clusters()) AddCreate(ResourceKind::kCluster, r, &mutations);
  for (const auto& r : dataset.cap_pools()) AddCreate(ResourceKind::kCapPool, r, &mutations);
  for (const auto& r : dataset.report_texts()) AddCreate(ResourceKind::kReportText, r, &mutations);
  for (const v1::MissionRecord& record : dataset.missions()) {
    AddCreate(ResourceKind::kMission, record.mission(), &mutations);
    for (const auto& r : record.international_mandates()) {
      AddCreate(ResourceKind::kInternationalMandate, r, &mutations);
    }
    for (const auto& r : record.national_mandates()) {
      AddCreate(ResourceKind::kNationalMandate, r, &mutations);
    }
    for (const auto& r : record.personnel()) AddCreate(ResourceKind::kPersonnelFigures, r, &mutations);
    for (const auto& r : record.postings()) AddCreate(ResourceKind::kPosting, r, &mutations);
    for (const auto& r : record.financial_contributions()) {
      AddCreate(ResourceKind::kFinancialContribution, r, &mutations);
    }
    for (const auto& r : record.narratives()) AddCreate(ResourceKind::kNarrative, r, &mutations);
  }
  return mutations;
}

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
    const v1::ImportDatasetRequest& request, const Caller& caller) {
  constexpr absl::string_view kMethod = "ImportDataset";
  const std::string fingerprint = RequestFingerprint(kMethod, request);
  RETURN_IF_ERROR(CheckRequestId(request.request_id()));
  v1::ImportDatasetResponse response;
  ASSIGN_OR_RETURN(const bool replayed, ReplayRequest(*views_->store(), request.request_id(),
                                                      fingerprint, &response));
  if (replayed) return response;

  int records = 0;
  for (const auto& [kind, count] : CountRecords(request.dataset())) {
    (*response.mutable_record_counts())[kind] = count;
    records += count;
  }
  // References to records outside the dataset must already be stored:
  // checked on the latest view, and again inside the commit against the
  // state it follows if other commits came in between.
  const auto validate = [&](const RegistryView& view) -> absl::Status {
    ViewLookup lookup(&view);
    ViolationList violations;
    if (records == 0) {
      violations.Add("dataset", "holds no records; an import stores at least one");
    }
    violations.Merge("dataset", ValidateDataset(request.dataset(), lookup));
    return violations.ToStatus("the dataset is invalid");
  };
  ASSIGN_OR_RETURN(const std::shared_ptr<const RegistryView> view, views_->ForWrite());
  RETURN_IF_ERROR(validate(*view));
  if (request.validate_only()) return response;
  CommitInfo info;
  info.principal = caller.principal;
  info.display_name = caller.display_name;
  info.peer = caller.peer;
  info.method = std::string(kMethod);
  info.request_id = request.request_id();
  info.request_fingerprint = fingerprint;
  const absl::StatusOr<int64_t> revision = views_->Commit(
      ImportMutations(request.dataset()), info,
      [&](int64_t committed, const std::vector<const google::protobuf::Message*>&)
          -> absl::StatusOr<std::string> {
        response.set_revision(committed);
        return response.SerializeAsString();
      },
      [&](const RegistryView& base) -> absl::Status {
        if (base.revision() == view->revision()) return absl::OkStatus();
        return validate(base);
      });
  if (!revision.ok()) {
    // A concurrent import with the same request_id may have won the race
    // (its records exist now, or the request_id is taken): the caller gets
    // its response, as for any retry.
    v1::ImportDatasetResponse first;
    ASSIGN_OR_RETURN(const bool raced, ReplayRequest(*views_->store(), request.request_id(),
                                                     fingerprint, &first));
    if (raced) return first;
    return revision.status();
  }
  response.set_revision(*revision);
  return response;
}

absl::Status Registry::StreamYearDataset(
    const v1::StreamYearDatasetRequest& request, absl::Time deadline,
    const std::function<absl::Status(v1::StreamYearDatasetResponse)>& sink) {
  ViolationList violations;
  if (!IsValidYear(request.year())) {
    violations.Add("year", absl::StrCat("must be between ", kMinYear, " and ",
                                        kMaxYear));
  }
  if (request.batch_size() < 0 || request.batch_size() > kMaxBatchSize) {
    violations.Add("batch_size",
                   absl::StrCat("must be between 0 (default) and ", kMaxBatchSize));
  }
  if (request.min_revision() < 0) violations.Add("min_revision", "must not be negative");
  ASSIGN_OR_RETURN(const std::shared_ptr<const RegistryView> current,
                   views_->ForRead(request.has_as_of() ? 0 : request.min_revision(), deadline));
  ASSIGN_OR_RETURN(const ReadPoint point,
                   ResolveAsOf(*views_->store(), current->revision(),
                               request.has_as_of() ? &request.as_of() : nullptr, "as_of",
                               &violations));
  RETURN_IF_ERROR(violations.ToStatus("invalid StreamYearDataset request"));
  const int batch_size =
      request.batch_size() == 0 ? kDefaultBatchSize : request.batch_size();
  if (point.empty) {
    return absl::NotFoundError(absl::StrCat("the registry held no report year ",
                                            request.year(), " then"));
  }
  if (point.revision == current->revision()) {
    return SendYearDataset(*current, request.year(), batch_size, sink);
  }
  ASSIGN_OR_RETURN(const std::shared_ptr<const RegistryView> past,
                   views_->AtOrLoad(point.revision));
  return SendYearDataset(*past, request.year(), batch_size, sink);
}

}  // namespace missions::registry
