// The rules that decide what the report of a year shows: which missions
// were active, which mandate decisions were in force, which cap applies.
// Pure functions over registry records.
#ifndef REPORT_SERVICE_REPORT_REPORT_RULES_H_
#define REPORT_SERVICE_REPORT_REPORT_RULES_H_

#include <vector>

#include "absl/time/civil_time.h"
#include "registry/v1/registry_service.pb.h"
#include "registry/v1/resources.pb.h"

namespace missions::report {

// True if `mission` was active at some time in `year`: it started on or
// before 31 December (a partial start date counts from its first day; an
// unset start date counts as earlier) and did not end before 1 January (a
// partial end date counts to its last day; unset means still running).
bool IsActiveInYear(const ::registry::v1::Mission& mission, int year);

// Returns the decisions in the order they were taken: undated decisions
// first, then by decided_on (a partial date counts from its first day);
// ties keep their order in `decisions`.
std::vector<const ::registry::v1::InternationalMandateDecision*>
InDecisionOrder(const google::protobuf::RepeatedPtrField<
                ::registry::v1::InternationalMandateDecision>& decisions);
std::vector<const ::registry::v1::NationalMandateDecision*> InDecisionOrder(
    const google::protobuf::RepeatedPtrField<
        ::registry::v1::NationalMandateDecision>& decisions);

// Returns the latest international decision taken on or before `day`
// (undated decisions count as taken before every dated one), or nullptr if
// there is none. With `with_legal_basis`, only decisions that state a
// legal basis are considered.
const ::registry::v1::InternationalMandateDecision* InternationalDecisionOn(
    const ::registry::v1::MissionRecord& record, absl::CivilDay day,
    bool with_legal_basis);

// Returns the latest national decision taken on or before `day`, or
// nullptr if there is none.
const ::registry::v1::NationalMandateDecision* NationalDecisionOn(
    const ::registry::v1::MissionRecord& record, absl::CivilDay day);

// Returns the national decisions in force at some time during `year`, in
// decision order. A decision is in force from the day it was taken (undated:
// always) until the end of its `valid_until` (not a DATE: open-ended) or
// until the next decision is taken, whichever comes first; it is in force
// during the year if that period overlaps 1 January to 31 December. Hence a
// decision superseded before the year, or taken after it, is not included.
std::vector<const ::registry::v1::NationalMandateDecision*>
NationalDecisionsInForceDuring(const ::registry::v1::MissionRecord& record,
                               int year);

// The number of persons a cap states: `combined`, else `military` plus
// `civilian`; -1 when it states nothing. A pooled cap must be resolved to
// the pool's cap by the caller.
int CapSize(const ::registry::v1::PersonnelCap& cap);

}  // namespace missions::report

#endif  // REPORT_SERVICE_REPORT_REPORT_RULES_H_
