// Validation of registry records: every write is checked as a whole and
// every violation is reported, never only the first.
//
// Field paths (missions::FieldViolation::field) follow google.rpc.BadRequest:
// proto field names joined by dots, `[i]` for list elements, and
// `["key"]` for map entries (the key in double quotes, escaped as in C),
// e.g.
//   missions[3].national_mandates[0].cap.combined
//   regions[0].display_name["nl"]
// A path names the whole element or message when the violation concerns it
// as a whole (`missions[0].narratives[2]`: a second narrative for the same
// year, section and language).
//
// The per-message validators return paths relative to the message they
// check ("short_name", "valid_until.date"); ValidateDataset returns paths
// relative to the Dataset. Prefix them with ViolationList::Merge.
//
// Pure functions; thread-safe as long as the ReferenceLookup is.
#ifndef REGISTRY_SERVICE_DOMAIN_VALIDATION_H_
#define REGISTRY_SERVICE_DOMAIN_VALIDATION_H_

#include <string>

#include "absl/strings/string_view.h"
#include "proto/common/errors.h"
#include "registry/v1/registry_service.pb.h"
#include "registry/v1/resources.pb.h"

namespace missions::registry {

// Limits on texts, in characters (Unicode code points).
inline constexpr int kMaxShortNameLength = 80;
inline constexpr int kMaxDisplayNameLength = 200;
inline constexpr int kMaxLongTextLength = 20000;
inline constexpr int kMaxTextLength = 2000;
// Upper bound of personnel numbers (caps, figures, posting counts).
inline constexpr int kMaxPersonnel = 100000;

// Tells whether a resource that a record refers to (a region, cluster, cap
// pool or report year) exists. The server implements it over its storage;
// a file checked on its own uses NoExistingResources().
class ReferenceLookup {
 public:
  virtual ~ReferenceLookup() = default;
  // Returns true if a resource with the full name `name` exists.
  virtual bool Exists(absl::string_view name) const = 0;
};

// Returns a lookup that knows no resource at all.
const ReferenceLookup& NoExistingResources();

// Formats the path of the map entry `key` of the map field at `field_path`:
// `display_name["nl"]`.
std::string MapEntryPath(absl::string_view field_path, absl::string_view key);

// The description of a violation of a mandate decision's `decided_on`
// when `other` (the name or path of another decision of the same kind and
// mission) was decided on the same day `day`. Of two such decisions
// in_force_on could not tell which is in force, so the registry keeps at
// most one international and one national decision per mission and day
// (undated decisions are not compared).
std::string SameDayDecisionMessage(absl::string_view other,
                                   const google::type::Date& day);

// True if `tag` looks like a BCP-47 language tag as the registry uses them:
// ^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$ ("nl", "en", "en-GB").
bool IsLanguageTag(absl::string_view tag);

// Checks a whole dataset: every record with the validators below, names
// unique within the dataset, and references resolved against the dataset
// itself and then `existing`. At most one report text per (year, kind,
// subject, language). Returns every violation, paths relative to the
// Dataset (`missions[3].national_mandates[0].cap.combined`); empty if the
// dataset is valid.
ViolationList ValidateDataset(const ::registry::v1::Dataset& dataset,
                              const ReferenceLookup& existing);

// Per-record validators. Paths are relative to the record. `references`
// resolves the records' references (region, cluster, cap pool, report year).
// `mission_name` is the name of the enclosing mission (`missions/{m}`); a
// child's name must lie under it. Pass "" when the mission's own name is
// invalid, to skip that check.

// Checks a report year: name `reportYears/{year}` matching `year`, and a
// full publication date.
ViolationList ValidateReportYear(const ::registry::v1::ReportYear& report_year);

// Checks a region: name, display name (nl required), report order.
ViolationList ValidateRegion(const ::registry::v1::Region& region);

// Checks a cluster as a region, and that its region exists.
ViolationList ValidateCluster(const ::registry::v1::Cluster& cluster,
                              const ReferenceLookup& references);

// Checks a cap pool: name, display name, and a cap that is stated and is not
// itself a pool.
ViolationList ValidateCapPool(const ::registry::v1::CapPool& cap_pool);

// Checks a report text: name under an existing report year, kind, subject
// (an existing region for REGION_RATIONALE, an existing cluster for
// CLUSTER_RATIONALE, empty otherwise), language, text.
ViolationList ValidateReportText(const ::registry::v1::ReportText& text,
                                 const ReferenceLookup& references);

// Checks a mission record: the mission and all its records, at most one
// narrative per (year, section, language), and at most one international
// and one national mandate decision per day (SameDayDecisionMessage). Names of records are checked for
// uniqueness by ValidateDataset (or by the storage); that also makes
// personnel figures unique per (mission, year), as their name carries the
// year and must match it.
ViolationList ValidateMissionRecord(const ::registry::v1::MissionRecord& record,
                                    const ReferenceLookup& references);

// Checks a mission: name, short name, aliases, texts, countries, region
// (exists), cluster (exists, of the mission's region), report order, lead
// organisation, kind, dates (partial allowed; end not before start),
// separate reporting.
ViolationList ValidateMission(const ::registry::v1::Mission& mission,
                              const ReferenceLookup& references);

// Checks an international mandate decision: name, decided_on (full date if
// set), legal basis, valid_until (required; a DATE not before decided_on),
// texts.
ViolationList ValidateInternationalMandateDecision(
    const ::registry::v1::InternationalMandateDecision& decision,
    absl::string_view mission_name);

// Checks a national mandate decision: name, decided_on, valid_until
// (required; a DATE not before decided_on), cap (one form; pool exists),
// texts.
ViolationList ValidateNationalMandateDecision(
    const ::registry::v1::NationalMandateDecision& decision,
    absl::string_view mission_name, const ReferenceLookup& references);

// Checks personnel figures: name whose year equals `year`, counts.
ViolationList ValidatePersonnelFigures(
    const ::registry::v1::PersonnelFigures& figures,
    absl::string_view mission_name);

// Checks a posting: name, year, function (at least one language), category,
// count (1 or more), texts.
ViolationList ValidatePosting(const ::registry::v1::Posting& posting,
                              absl::string_view mission_name);

// Checks a financial contribution: name, amount (positive, currency code),
// years, purpose (nl required).
ViolationList ValidateFinancialContribution(
    const ::registry::v1::FinancialContribution& contribution,
    absl::string_view mission_name);

// Checks a narrative: name, year, section, contribution kind (set exactly
// for CONTRIBUTION sections), language, text.
ViolationList ValidateNarrative(const ::registry::v1::Narrative& narrative,
                                absl::string_view mission_name);

// Checks a personnel cap: one form only, numbers 0..kMaxPersonnel, texts;
// with `allow_pool`, a pool that exists; without it, no pool at all.
ViolationList ValidatePersonnelCap(const ::registry::v1::PersonnelCap& cap,
                                   bool allow_pool,
                                   const ReferenceLookup& references);

// Checks an end date: kind required; DATE needs a full date, other kinds no
// date.
ViolationList ValidateEndDate(const ::registry::v1::EndDate& end_date);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_VALIDATION_H_
