#include "report-service/report/report_rules.h"

#include <algorithm>
#include <optional>

#include "proto/common/dates.h"

namespace missions::report {
namespace {

using ::registry::v1::EndDate;
using ::registry::v1::InternationalMandateDecision;
using ::registry::v1::MissionRecord;
using ::registry::v1::NationalMandateDecision;

// The day a decision was taken; nullopt when unknown ("before everything").
template <typename Decision>
std::optional<absl::CivilDay> DecidedOn(const Decision& decision) {
  if (!decision.has_decided_on() || IsEmptyDate(decision.decided_on())) {
    return std::nullopt;
  }
  return FirstDay(decision.decided_on());
}

// True if `a` was taken strictly before `b` (unknown < any date).
bool TakenBefore(const std::optional<absl::CivilDay>& a,
                 const std::optional<absl::CivilDay>& b) {
  if (!b.has_value()) return false;
  if (!a.has_value()) return true;
  return *a < *b;
}

template <typename Decision>
std::vector<const Decision*> SortByDecision(
    const google::protobuf::RepeatedPtrField<Decision>& decisions) {
  std::vector<const Decision*> sorted;
  sorted.reserve(decisions.size());
  for (const Decision& decision : decisions) sorted.push_back(&decision);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Decision* a, const Decision* b) {
                     return TakenBefore(DecidedOn(*a), DecidedOn(*b));
                   });
  return sorted;
}

// True if the decision was taken on or before `day`.
template <typename Decision>
bool TakenBy(const Decision& decision, absl::CivilDay day) {
  const std::optional<absl::CivilDay> decided = DecidedOn(decision);
  return !decided.has_value() || *decided <= day;
}

}  // namespace

bool IsActiveInYear(const ::registry::v1::Mission& mission, int year) {
  return PeriodOverlapsYear(mission.start_date(), mission.end_date(), year);
}

std::vector<const InternationalMandateDecision*> InDecisionOrder(
    const google::protobuf::RepeatedPtrField<InternationalMandateDecision>&
        decisions) {
  return SortByDecision(decisions);
}

std::vector<const NationalMandateDecision*> InDecisionOrder(
    const google::protobuf::RepeatedPtrField<NationalMandateDecision>&
        decisions) {
  return SortByDecision(decisions);
}

const InternationalMandateDecision* InternationalDecisionOn(
    const MissionRecord& record, absl::CivilDay day, bool with_legal_basis) {
  const InternationalMandateDecision* latest = nullptr;
  for (const InternationalMandateDecision* decision :
       InDecisionOrder(record.international_mandates())) {
    if (!TakenBy(*decision, day)) break;
    if (with_legal_basis && decision->legal_basis().empty()) continue;
    latest = decision;
  }
  return latest;
}

const NationalMandateDecision* NationalDecisionOn(const MissionRecord& record,
                                                  absl::CivilDay day) {
  const NationalMandateDecision* latest = nullptr;
  for (const NationalMandateDecision* decision :
       InDecisionOrder(record.national_mandates())) {
    if (!TakenBy(*decision, day)) break;
    latest = decision;
  }
  return latest;
}

std::vector<const NationalMandateDecision*> NationalDecisionsInForceDuring(
    const MissionRecord& record, int year) {
  const absl::CivilDay first(year, 1, 1);
  const absl::CivilDay last(year, 12, 31);
  const std::vector<const NationalMandateDecision*> ordered =
      InDecisionOrder(record.national_mandates());
  std::vector<const NationalMandateDecision*> in_force;
  for (size_t i = 0; i < ordered.size(); ++i) {
    const NationalMandateDecision& decision = *ordered[i];
    // In force from `start` (nullopt: always) ...
    const std::optional<absl::CivilDay> start = DecidedOn(decision);
    if (start.has_value() && *start > last) break;
    // ... to `end` (nullopt: open-ended), cut short by the next decision.
    std::optional<absl::CivilDay> end;
    if (decision.valid_until().kind() == EndDate::DATE) {
      end = LastDay(decision.valid_until().date());
    }
    if (i + 1 < ordered.size()) {
      const std::optional<absl::CivilDay> next = DecidedOn(*ordered[i + 1]);
      if (!next.has_value()) continue;  // Superseded by a later undated one.
      if (!end.has_value() || *next - 1 < *end) end = *next - 1;
    }
    if (end.has_value() &&
        (*end < first || (start.has_value() && *end < *start))) {
      continue;
    }
    in_force.push_back(&decision);
  }
  return in_force;
}

int CapSize(const ::registry::v1::PersonnelCap& cap) {
  if (cap.has_combined()) return cap.combined();
  if (cap.has_military() || cap.has_civilian()) {
    return cap.military() + cap.civilian();
  }
  return -1;
}

}  // namespace missions::report
