#include "registry-service/domain/validation.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "google/type/date.pb.h"
#include "google/type/money.pb.h"
#include "proto/common/dates.h"
#include "registry-service/domain/resource_names.h"

namespace missions::registry {
namespace {

namespace v1 = ::registry::v1;
using TextMap = google::protobuf::Map<std::string, std::string>;

// ---------------------------------------------------------------------------
// Paths and texts

std::string Path(absl::string_view prefix, absl::string_view field) {
  if (prefix.empty()) return std::string(field);
  return absl::StrCat(prefix, ".", field);
}

std::string Index(absl::string_view field, int i) {
  return absl::StrCat(field, "[", i, "]");
}

// Length in Unicode code points (input is UTF-8).
int CharCount(absl::string_view text) {
  int count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

// Quotes a user-supplied value for a message, shortening long ones.
std::string Quote(absl::string_view value) {
  constexpr size_t kMax = 60;
  if (value.size() > kMax) {
    return absl::StrCat("'", absl::CHexEscape(value.substr(0, kMax)), "...'");
  }
  return absl::StrCat("'", absl::CHexEscape(value), "'");
}

void CheckTextLength(ViolationList* out, const std::string& path,
                     absl::string_view text, int max) {
  const int length = CharCount(text);
  if (length > max) {
    out->Add(path, absl::StrCat("is ", length, " characters long; at most ",
                                max, " are allowed"));
  }
}

// Checks a plain text: required (non-empty) if `required`, at most `max`
// characters.
void CheckText(ViolationList* out, const std::string& path,
               absl::string_view text, int max, bool required) {
  if (text.empty()) {
    if (required) out->Add(path, "is required");
    return;
  }
  CheckTextLength(out, path, text, max);
}

enum class TextRule {
  kOptional,       // any languages, possibly none
  kDutchRequired,  // `nl` must be present
  kOneRequired,    // at least one language
};

// Checks a text per language: keys are language tags, values non-empty and
// at most `max` characters, plus `rule`.
void CheckTexts(ViolationList* out, const std::string& path,
                const TextMap& texts, int max, TextRule rule) {
  // Sorted, so violations come in a stable order.
  std::vector<std::pair<std::string, std::string>> entries(texts.begin(),
                                                           texts.end());
  std::sort(entries.begin(), entries.end());
  for (const auto& [language, text] : entries) {
    const std::string entry_path = MapEntryPath(path, language);
    if (!IsLanguageTag(language)) {
      out->Add(entry_path,
               absl::StrCat(Quote(language),
                            " is not a language tag (lower-case, e.g. nl, en "
                            "or en-GB)"));
    }
    if (text.empty()) {
      out->Add(entry_path, "must not be empty (leave the language out)");
    } else {
      CheckTextLength(out, entry_path, text, max);
    }
  }
  switch (rule) {
    case TextRule::kOptional:
      break;
    case TextRule::kDutchRequired:
      if (!texts.contains("nl")) {
        out->Add(MapEntryPath(path, "nl"),
                 "is required (Dutch is the reference language)");
      }
      break;
    case TextRule::kOneRequired:
      if (texts.empty()) {
        out->Add(path, "is required in at least one language");
      }
      break;
  }
}

void CheckLanguage(ViolationList* out, const std::string& path,
                   absl::string_view language) {
  if (language.empty()) {
    out->Add(path, "is required (a language tag such as nl or en)");
  } else if (!IsLanguageTag(language)) {
    out->Add(path, absl::StrCat(Quote(language),
                                " is not a language tag (lower-case, e.g. nl, "
                                "en or en-GB)"));
  }
}

// ---------------------------------------------------------------------------
// Numbers, enums, dates

void CheckRange(ViolationList* out, const std::string& path, int64_t value,
                int64_t min, int64_t max) {
  if (value < min || value > max) {
    out->Add(path,
             absl::StrCat("must be from ", min, " to ", max, ", not ", value));
  }
}

void CheckReportOrder(ViolationList* out, const std::string& path,
                      int32_t value) {
  if (value < 0) {
    out->Add(path, absl::StrCat("must be 0 or greater, not ", value));
  }
}

void CheckYear(ViolationList* out, const std::string& path, int32_t year) {
  if (year == 0) {
    out->Add(path, absl::StrCat("is required (a year from ", kMinYear, " to ",
                                kMaxYear, ")"));
  } else if (!IsValidYear(year)) {
    out->Add(path, absl::StrCat("must be a year from ", kMinYear, " to ",
                                kMaxYear, ", not ", year));
  }
}

// Checks an enum value that can arrive over the wire as any number.
void CheckEnum(ViolationList* out, const std::string& path, int value,
               bool (*is_valid)(int), bool required) {
  if (!is_valid(value)) {
    out->Add(path, absl::StrCat("has an unknown value (", value, ")"));
  } else if (required && value == 0) {
    out->Add(path, "is required");
  }
}

// The date as written, even when it is not a real date.
std::string DateText(const google::type::Date& date) {
  if (date.month() == 0 && date.day() == 0) {
    return absl::StrFormat("%04d", date.year());
  }
  if (date.day() == 0) {
    return absl::StrFormat("%04d-%02d", date.year(), date.month());
  }
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

enum class DateRule { kFull, kPartialAllowed };

// Checks an optional date; returns true if it is set and valid.
bool CheckDate(ViolationList* out, const std::string& path, bool has_date,
               const google::type::Date& date, DateRule rule, bool required) {
  if (!has_date || IsEmptyDate(date)) {
    if (required) {
      out->Add(path, rule == DateRule::kFull
                         ? "is required (a full date, YYYY-MM-DD)"
                         : "is required");
    }
    return false;
  }
  if (!IsValidPartialDate(date)) {
    out->Add(path, absl::StrCat(DateText(date), " is not a date"));
    return false;
  }
  if (rule == DateRule::kFull && !IsFullDate(date)) {
    out->Add(path, absl::StrCat("must be a full date (YYYY-MM-DD), not ",
                                DateText(date)));
    return false;
  }
  return true;
}

// Adds a violation of valid_until.date if a decision's end (a DATE) lies
// before the day it was decided on. Both must be valid full dates; other
// problems with them are reported on their own.
void CheckEndNotBeforeDecision(ViolationList* out, const google::type::Date& decided_on,
                               const v1::EndDate& valid_until) {
  if (!IsFullDate(decided_on) || valid_until.kind() != v1::EndDate::DATE ||
      !IsFullDate(valid_until.date())) {
    return;
  }
  if (FirstDay(valid_until.date()) < FirstDay(decided_on)) {
    out->Add("valid_until.date",
             absl::StrCat(DateText(valid_until.date()), " is before decided_on ",
                          DateText(decided_on),
                          ": a mandate cannot end before it was decided"));
  }
}

// Adds a violation of `field`[j].decided_on for every decision of
// `decisions` taken on the same full day as an earlier one of the list.
template <typename Decisions>
void CheckDecisionDays(ViolationList* out, absl::string_view field,
                       const Decisions& decisions) {
  std::map<absl::CivilDay, int> first_of_day;
  for (int j = 0; j < decisions.size(); ++j) {
    const auto& decision = decisions.Get(j);
    if (!decision.has_decided_on() || !IsFullDate(decision.decided_on())) continue;
    auto [it, inserted] = first_of_day.try_emplace(FirstDay(decision.decided_on()), j);
    if (!inserted) {
      out->Add(Path(Index(field, j), "decided_on"),
               SameDayDecisionMessage(Index(field, it->second), decision.decided_on()));
    }
  }
}

// ---------------------------------------------------------------------------
// Names and references

// Checks a record's own name: required, of `kind`, and (when
// `parent_name` is not empty) under `parent_name`. Returns the parsed name
// when it is well-formed.
std::optional<ResourceName> CheckName(ViolationList* out,
                                      const std::string& path,
                                      absl::string_view name, ResourceKind kind,
                                      absl::string_view parent_name) {
  if (name.empty()) {
    out->Add(path,
             absl::StrCat("is required (", ResourceNamePattern(kind), ")"));
    return std::nullopt;
  }
  absl::StatusOr<ResourceName> parsed = ParseResourceName(name, kind);
  if (!parsed.ok()) {
    out->Add(path, std::string(parsed.status().message()));
    return std::nullopt;
  }
  if (!parent_name.empty() && ParentName(*parsed) != parent_name) {
    out->Add(path, absl::StrCat("'", name, "' must lie under ", parent_name,
                                ", the mission record that holds it"));
  }
  return *std::move(parsed);
}

// Checks a reference to a resource of `kind`: well-formed, existing.
// Returns the parsed name when it is well-formed and exists.
std::optional<ResourceName> CheckReference(ViolationList* out,
                                           const std::string& path,
                                           absl::string_view name,
                                           ResourceKind kind, bool required,
                                           const ReferenceLookup& references) {
  if (name.empty()) {
    if (required) {
      out->Add(path,
               absl::StrCat("is required (", ResourceNamePattern(kind), ")"));
    }
    return std::nullopt;
  }
  absl::StatusOr<ResourceName> parsed = ParseResourceName(name, kind);
  if (!parsed.ok()) {
    out->Add(path, std::string(parsed.status().message()));
    return std::nullopt;
  }
  if (!references.Exists(name)) {
    out->Add(path, absl::StrCat("the ", ResourceKindLabel(kind), " '", name,
                                "' does not exist"));
    return std::nullopt;
  }
  return *std::move(parsed);
}

// The mission name to check children against: "" if it is invalid.
std::string ValidMissionName(const v1::MissionRecord& record) {
  const std::string& name = record.mission().name();
  return ParseResourceName(name, ResourceKind::kMission).ok() ? name : "";
}

// ---------------------------------------------------------------------------
// Lookups

class NoResources final : public ReferenceLookup {
 public:
  bool Exists(absl::string_view) const override { return false; }
};

// Names defined by a dataset, falling back to what exists already.
class DatasetReferences final : public ReferenceLookup {
 public:
  DatasetReferences(const v1::Dataset& dataset, const ReferenceLookup& existing)
      : existing_(existing) {
    for (const auto& r : dataset.report_years()) names_.insert(r.name());
    for (const auto& r : dataset.regions()) names_.insert(r.name());
    for (const auto& c : dataset.clusters()) names_.insert(c.name());
    for (const auto& p : dataset.cap_pools()) names_.insert(p.name());
  }

  bool Exists(absl::string_view name) const override {
    return names_.contains(name) || existing_.Exists(name);
  }

 private:
  const ReferenceLookup& existing_;
  absl::flat_hash_set<std::string> names_;
};

// Records every name of a dataset and reports the second and later uses.
class NameRegistry {
 public:
  explicit NameRegistry(ViolationList* out) : out_(out) {}

  void Add(absl::string_view name, std::string path_of_record) {
    if (name.empty()) return;  // reported by the record's validator
    auto [it, inserted] =
        first_use_.try_emplace(std::string(name), path_of_record);
    if (!inserted) {
      out_->Add(Path(path_of_record, "name"),
                absl::StrCat("'", name, "' is already used by ", it->second));
    }
  }

 private:
  ViolationList* out_;
  absl::flat_hash_map<std::string, std::string> first_use_;
};

}  // namespace

// ---------------------------------------------------------------------------
// Public helpers

const ReferenceLookup& NoExistingResources() {
  static const NoResources* const kNone = new NoResources();
  return *kNone;
}

std::string SameDayDecisionMessage(absl::string_view other,
                                   const google::type::Date& day) {
  return absl::StrCat(other, " was decided on the same day (", DateText(day),
                      "); a mission has at most one international and one national "
                      "mandate decision per day: record the day's instruments in one "
                      "decision");
}

std::string MapEntryPath(absl::string_view field_path, absl::string_view key) {
  return absl::StrCat(field_path, "[\"", absl::CEscape(key), "\"]");
}

bool IsLanguageTag(absl::string_view tag) {
  const auto is_lower = [](char c) { return c >= 'a' && c <= 'z'; };
  const auto is_alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
  };
  size_t i = 0;
  while (i < tag.size() && is_lower(tag[i])) ++i;
  if (i < 2 || i > 3) return false;
  while (i < tag.size()) {
    if (tag[i] != '-') return false;
    const size_t start = ++i;
    while (i < tag.size() && is_alnum(tag[i])) ++i;
    if (i - start < 2 || i - start > 8) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Small messages

ViolationList ValidateEndDate(const v1::EndDate& end_date) {
  ViolationList out;
  CheckEnum(&out, "kind", end_date.kind(), v1::EndDate::Kind_IsValid,
            /*required=*/true);
  if (end_date.kind() == v1::EndDate::DATE) {
    CheckDate(&out, "date", end_date.has_date(), end_date.date(),
              DateRule::kFull, /*required=*/true);
  } else if (end_date.has_date() && !IsEmptyDate(end_date.date())) {
    out.Add("date", "must not be set unless kind is DATE");
  }
  CheckTexts(&out, "qualifier", end_date.qualifier(), kMaxTextLength,
             TextRule::kOptional);
  return out;
}

ViolationList ValidatePersonnelCap(const v1::PersonnelCap& cap, bool allow_pool,
                                   const ReferenceLookup& references) {
  ViolationList out;
  const bool separate = cap.has_military() || cap.has_civilian();
  if (cap.has_military()) {
    CheckRange(&out, "military", cap.military(), 0, kMaxPersonnel);
  }
  if (cap.has_civilian()) {
    CheckRange(&out, "civilian", cap.civilian(), 0, kMaxPersonnel);
  }
  if (cap.has_combined()) {
    CheckRange(&out, "combined", cap.combined(), 0, kMaxPersonnel);
    if (separate) {
      out.Add("combined",
              "must not be set together with military or civilian: a cap is "
              "either separate, combined or pooled");
    }
  }
  if (!cap.pool().empty()) {
    if (!allow_pool) {
      out.Add("pool", "a cap pool's cap cannot itself be a pool");
    } else {
      if (separate || cap.has_combined()) {
        out.Add("pool",
                "must not be set together with military, civilian or "
                "combined: a pooled cap is the pool's");
      }
      CheckReference(&out, "pool", cap.pool(), ResourceKind::kCapPool,
                     /*required=*/false, references);
    }
  }
  CheckTexts(&out, "note", cap.note(), kMaxTextLength, TextRule::kOptional);
  return out;
}

// ---------------------------------------------------------------------------
// Top-level records

ViolationList ValidateReportYear(const v1::ReportYear& report_year) {
  ViolationList out;
  std::optional<ResourceName> name = CheckName(&out, "name", report_year.name(),
                                               ResourceKind::kReportYear, "");
  CheckYear(&out, "year", report_year.year());
  if (name.has_value() && IsValidYear(report_year.year()) &&
      YearOf(*name) != report_year.year()) {
    out.Add("year", absl::StrCat(report_year.year(),
                                 " does not match the year in the name (",
                                 YearOf(*name), ")"));
  }
  CheckDate(&out, "publication_date", report_year.has_publication_date(),
            report_year.publication_date(), DateRule::kFull,
            /*required=*/true);
  return out;
}

ViolationList ValidateRegion(const v1::Region& region) {
  ViolationList out;
  CheckName(&out, "name", region.name(), ResourceKind::kRegion, "");
  CheckTexts(&out, "display_name", region.display_name(), kMaxDisplayNameLength,
             TextRule::kDutchRequired);
  CheckReportOrder(&out, "report_order", region.report_order());
  return out;
}

ViolationList ValidateCluster(const v1::Cluster& cluster,
                              const ReferenceLookup& references) {
  ViolationList out;
  std::optional<ResourceName> name =
      CheckName(&out, "name", cluster.name(), ResourceKind::kCluster, "");
  if (name.has_value() && !references.Exists(ParentName(*name))) {
    out.Add("name", absl::StrCat("the region '", ParentName(*name),
                                 "' does not exist"));
  }
  CheckTexts(&out, "display_name", cluster.display_name(),
             kMaxDisplayNameLength, TextRule::kDutchRequired);
  CheckReportOrder(&out, "report_order", cluster.report_order());
  return out;
}

ViolationList ValidateCapPool(const v1::CapPool& cap_pool) {
  ViolationList out;
  CheckName(&out, "name", cap_pool.name(), ResourceKind::kCapPool, "");
  CheckTexts(&out, "display_name", cap_pool.display_name(),
             kMaxDisplayNameLength, TextRule::kDutchRequired);
  const v1::PersonnelCap& cap = cap_pool.cap();
  if (!cap.has_military() && !cap.has_civilian() && !cap.has_combined() &&
      cap.pool().empty()) {
    out.Add("cap", "is required: a pool states military/civilian or combined");
  }
  out.Merge("cap", ValidatePersonnelCap(cap, /*allow_pool=*/false,
                                        NoExistingResources()));
  return out;
}

ViolationList ValidateReportText(const v1::ReportText& text,
                                 const ReferenceLookup& references) {
  ViolationList out;
  std::optional<ResourceName> name =
      CheckName(&out, "name", text.name(), ResourceKind::kReportText, "");
  if (name.has_value() && !references.Exists(ParentName(*name))) {
    out.Add("name", absl::StrCat("the report year '", ParentName(*name),
                                 "' does not exist"));
  }
  CheckEnum(&out, "kind", text.kind(), v1::ReportTextKind_IsValid,
            /*required=*/true);
  switch (text.kind()) {
    case v1::REPORT_TEXT_KIND_REGION_RATIONALE:
      CheckReference(&out, "subject", text.subject(), ResourceKind::kRegion,
                     /*required=*/true, references);
      break;
    case v1::REPORT_TEXT_KIND_CLUSTER_RATIONALE:
      CheckReference(&out, "subject", text.subject(), ResourceKind::kCluster,
                     /*required=*/true, references);
      break;
    default:
      if (!text.subject().empty()) {
        out.Add("subject",
                "must be empty unless kind is REGION_RATIONALE or "
                "CLUSTER_RATIONALE");
      }
      break;
  }
  CheckLanguage(&out, "language", text.language());
  CheckText(&out, "text", text.text(), kMaxLongTextLength, /*required=*/true);
  return out;
}

// ---------------------------------------------------------------------------
// Missions and their records

ViolationList ValidateMission(const v1::Mission& mission,
                              const ReferenceLookup& references) {
  ViolationList out;
  CheckName(&out, "name", mission.name(), ResourceKind::kMission, "");
  CheckText(&out, "short_name", mission.short_name(), kMaxShortNameLength,
            /*required=*/true);
  for (int i = 0; i < mission.aliases_size(); ++i) {
    if (mission.aliases(i).empty()) {
      out.Add(Index("aliases", i), "must not be empty");
    } else {
      CheckTextLength(&out, Index("aliases", i), mission.aliases(i),
                      kMaxShortNameLength);
    }
  }
  CheckTexts(&out, "full_name", mission.full_name(), kMaxDisplayNameLength,
             TextRule::kOptional);
  CheckTexts(&out, "location", mission.location(), kMaxTextLength,
             TextRule::kOptional);
  for (int i = 0; i < mission.countries_size(); ++i) {
    const std::string& country = mission.countries(i);
    if (country.size() != 2 || country[0] < 'A' || country[0] > 'Z' ||
        country[1] < 'A' || country[1] > 'Z') {
      out.Add(Index("countries", i),
              absl::StrCat(Quote(country),
                           " is not a country code (ISO 3166-1 alpha-2: two "
                           "upper-case letters, e.g. ML)"));
    }
  }
  std::optional<ResourceName> region =
      CheckReference(&out, "region", mission.region(), ResourceKind::kRegion,
                     /*required=*/true, references);
  if (!mission.cluster().empty()) {
    absl::StatusOr<ResourceName> cluster =
        ParseResourceName(mission.cluster(), ResourceKind::kCluster);
    if (cluster.ok() && region.has_value() &&
        ParentName(*cluster) != mission.region()) {
      out.Add("cluster", absl::StrCat("'", mission.cluster(),
                                      "' is not a cluster of the mission's "
                                      "region ",
                                      mission.region()));
    } else {
      CheckReference(&out, "cluster", mission.cluster(), ResourceKind::kCluster,
                     /*required=*/false, references);
    }
  }
  CheckReportOrder(&out, "report_order", mission.report_order());
  CheckEnum(&out, "lead_organization", mission.lead_organization(),
            v1::LeadOrganization_IsValid, /*required=*/true);
  CheckEnum(&out, "kind", mission.kind(), v1::MissionKind_IsValid,
            /*required=*/true);
  const bool start_ok =
      CheckDate(&out, "start_date", mission.has_start_date(),
                mission.start_date(), DateRule::kPartialAllowed, false);
  const bool end_ok =
      CheckDate(&out, "end_date", mission.has_end_date(), mission.end_date(),
                DateRule::kPartialAllowed, false);
  if (start_ok && end_ok &&
      LastDay(mission.end_date()) < FirstDay(mission.start_date())) {
    out.Add("end_date",
            absl::StrCat(DateText(mission.end_date()), " is before start_date ",
                         DateText(mission.start_date())));
  }
  CheckDate(&out, "dutch_participation_start",
            mission.has_dutch_participation_start(),
            mission.dutch_participation_start(), DateRule::kPartialAllowed,
            false);
  const v1::SeparateReporting& separate = mission.separate_reporting();
  CheckEnum(&out, "separate_reporting.kind", separate.kind(),
            v1::SeparateReportingKind_IsValid, /*required=*/false);
  if (separate.kind() == v1::SEPARATE_REPORTING_KIND_UNSPECIFIED) {
    if (!separate.remark().empty()) {
      out.Add("separate_reporting.remark",
              "must be empty when separate_reporting.kind is not set");
    }
  } else {
    CheckTexts(&out, "separate_reporting.remark", separate.remark(),
               kMaxTextLength, TextRule::kDutchRequired);
  }
  return out;
}

ViolationList ValidateInternationalMandateDecision(
    const v1::InternationalMandateDecision& decision,
    absl::string_view mission_name) {
  ViolationList out;
  CheckName(&out, "name", decision.name(), ResourceKind::kInternationalMandate,
            mission_name);
  CheckDate(&out, "decided_on", decision.has_decided_on(),
            decision.decided_on(), DateRule::kFull, /*required=*/false);
  for (int i = 0; i < decision.legal_basis_size(); ++i) {
    const v1::LegalInstrument& instrument = decision.legal_basis(i);
    const std::string path = Index("legal_basis", i);
    CheckEnum(&out, Path(path, "kind"), instrument.kind(),
              v1::InstrumentKind_IsValid, /*required=*/true);
    CheckText(&out, Path(path, "reference"), instrument.reference(),
              kMaxTextLength, /*required=*/false);
    CheckTexts(&out, Path(path, "citation"), instrument.citation(),
               kMaxTextLength, TextRule::kDutchRequired);
  }
  if (!decision.has_valid_until()) {
    out.Add("valid_until", "is required");
  } else {
    out.Merge("valid_until", ValidateEndDate(decision.valid_until()));
    CheckEndNotBeforeDecision(&out, decision.decided_on(), decision.valid_until());
  }
  CheckTexts(&out, "summary", decision.summary(), kMaxTextLength,
             TextRule::kOptional);
  CheckText(&out, "source", decision.source(), kMaxTextLength,
            /*required=*/false);
  return out;
}

ViolationList ValidateNationalMandateDecision(
    const v1::NationalMandateDecision& decision, absl::string_view mission_name,
    const ReferenceLookup& references) {
  ViolationList out;
  CheckName(&out, "name", decision.name(), ResourceKind::kNationalMandate,
            mission_name);
  CheckDate(&out, "decided_on", decision.has_decided_on(),
            decision.decided_on(), DateRule::kFull, /*required=*/false);
  if (!decision.has_valid_until()) {
    out.Add("valid_until", "is required");
  } else {
    out.Merge("valid_until", ValidateEndDate(decision.valid_until()));
    CheckEndNotBeforeDecision(&out, decision.decided_on(), decision.valid_until());
  }
  out.Merge("cap", ValidatePersonnelCap(decision.cap(), /*allow_pool=*/true,
                                        references));
  CheckTexts(&out, "capacity_note", decision.capacity_note(), kMaxTextLength,
             TextRule::kOptional);
  CheckText(&out, "reference", decision.reference(), kMaxTextLength,
            /*required=*/false);
  CheckTexts(&out, "summary", decision.summary(), kMaxTextLength,
             TextRule::kOptional);
  return out;
}

ViolationList ValidatePersonnelFigures(const v1::PersonnelFigures& figures,
                                       absl::string_view mission_name) {
  ViolationList out;
  std::optional<ResourceName> name =
      CheckName(&out, "name", figures.name(), ResourceKind::kPersonnelFigures,
                mission_name);
  CheckYear(&out, "year", figures.year());
  if (name.has_value() && IsValidYear(figures.year()) &&
      YearOf(*name) != figures.year()) {
    out.Add("year", absl::StrCat(figures.year(),
                                 " does not match the year in the name (",
                                 YearOf(*name), ")"));
  }
  CheckRange(&out, "military", figures.military(), 0, kMaxPersonnel);
  CheckRange(&out, "civilian", figures.civilian(), 0, kMaxPersonnel);
  CheckTexts(&out, "note", figures.note(), kMaxTextLength, TextRule::kOptional);
  return out;
}

ViolationList ValidatePosting(const v1::Posting& posting,
                              absl::string_view mission_name) {
  ViolationList out;
  CheckName(&out, "name", posting.name(), ResourceKind::kPosting, mission_name);
  CheckYear(&out, "year", posting.year());
  CheckTexts(&out, "function", posting.function(), kMaxTextLength,
             TextRule::kOneRequired);
  CheckText(&out, "place", posting.place(), kMaxTextLength,
            /*required=*/false);
  CheckEnum(&out, "category", posting.category(), v1::PersonnelCategory_IsValid,
            /*required=*/true);
  CheckRange(&out, "count", posting.count(), 1, kMaxPersonnel);
  CheckTexts(&out, "period", posting.period(), kMaxTextLength,
             TextRule::kOptional);
  return out;
}

ViolationList ValidateFinancialContribution(
    const v1::FinancialContribution& contribution,
    absl::string_view mission_name) {
  ViolationList out;
  CheckName(&out, "name", contribution.name(),
            ResourceKind::kFinancialContribution, mission_name);
  if (!contribution.has_amount()) {
    out.Add("amount", "is required");
  } else {
    const google::type::Money& amount = contribution.amount();
    const std::string& code = amount.currency_code();
    if (code.empty()) {
      out.Add("amount.currency_code", "is required (e.g. EUR)");
    } else if (code.size() != 3 ||
               !std::all_of(code.begin(), code.end(),
                            [](char c) { return c >= 'A' && c <= 'Z'; })) {
      out.Add("amount.currency_code",
              absl::StrCat(Quote(code),
                           " is not a currency code (ISO 4217: three "
                           "upper-case letters, e.g. EUR)"));
    }
    bool consistent = true;
    if (amount.nanos() < -999999999 || amount.nanos() > 999999999) {
      out.Add("amount.nanos",
              absl::StrCat("must be from -999999999 to 999999999, not ",
                           amount.nanos()));
      consistent = false;
    } else if ((amount.units() > 0 && amount.nanos() < 0) ||
               (amount.units() < 0 && amount.nanos() > 0)) {
      out.Add("amount.nanos", "must have the same sign as units");
      consistent = false;
    }
    if (consistent &&
        (amount.units() < 0 || (amount.units() == 0 && amount.nanos() <= 0))) {
      out.Add("amount", "must be greater than zero");
    }
  }
  CheckYear(&out, "first_year", contribution.first_year());
  if (contribution.last_year() != 0) {
    if (!IsValidYear(contribution.last_year())) {
      out.Add(
          "last_year",
          absl::StrCat("must be 0 (open-ended) or a year from ", kMinYear,
                       " to ", kMaxYear, ", not ", contribution.last_year()));
    } else if (IsValidYear(contribution.first_year()) &&
               contribution.last_year() < contribution.first_year()) {
      out.Add("last_year",
              absl::StrCat(contribution.last_year(), " is before first_year ",
                           contribution.first_year()));
    }
  }
  CheckTexts(&out, "purpose", contribution.purpose(), kMaxTextLength,
             TextRule::kDutchRequired);
  return out;
}

ViolationList ValidateNarrative(const v1::Narrative& narrative,
                                absl::string_view mission_name) {
  ViolationList out;
  CheckName(&out, "name", narrative.name(), ResourceKind::kNarrative,
            mission_name);
  CheckYear(&out, "year", narrative.year());
  CheckEnum(&out, "section", narrative.section(), v1::NarrativeSection_IsValid,
            /*required=*/true);
  if (narrative.section() == v1::NARRATIVE_SECTION_CONTRIBUTION) {
    CheckEnum(&out, "contribution_kind", narrative.contribution_kind(),
              v1::ContributionKind_IsValid, /*required=*/true);
  } else if (narrative.contribution_kind() !=
             v1::CONTRIBUTION_KIND_UNSPECIFIED) {
    out.Add("contribution_kind",
            "must not be set unless section is CONTRIBUTION");
  }
  CheckLanguage(&out, "language", narrative.language());
  CheckText(&out, "text", narrative.text(), kMaxLongTextLength,
            /*required=*/true);
  return out;
}

ViolationList ValidateMissionRecord(const v1::MissionRecord& record,
                                    const ReferenceLookup& references) {
  ViolationList out;
  if (!record.has_mission()) {
    out.Add("mission", "is required");
  } else {
    out.Merge("mission", ValidateMission(record.mission(), references));
  }
  const std::string mission = ValidMissionName(record);
  for (int i = 0; i < record.international_mandates_size(); ++i) {
    out.Merge(Index("international_mandates", i),
              ValidateInternationalMandateDecision(
                  record.international_mandates(i), mission));
  }
  for (int i = 0; i < record.national_mandates_size(); ++i) {
    out.Merge(Index("national_mandates", i),
              ValidateNationalMandateDecision(record.national_mandates(i),
                                              mission, references));
  }
  CheckDecisionDays(&out, "international_mandates", record.international_mandates());
  CheckDecisionDays(&out, "national_mandates", record.national_mandates());
  for (int i = 0; i < record.personnel_size(); ++i) {
    out.Merge(Index("personnel", i),
              ValidatePersonnelFigures(record.personnel(i), mission));
  }
  for (int i = 0; i < record.postings_size(); ++i) {
    out.Merge(Index("postings", i),
              ValidatePosting(record.postings(i), mission));
  }
  for (int i = 0; i < record.financial_contributions_size(); ++i) {
    out.Merge(Index("financial_contributions", i),
              ValidateFinancialContribution(record.financial_contributions(i),
                                            mission));
  }
  // At most one narrative per (year, section, language).
  absl::flat_hash_map<std::tuple<int, int, std::string>, int> narratives;
  for (int i = 0; i < record.narratives_size(); ++i) {
    const v1::Narrative& narrative = record.narratives(i);
    out.Merge(Index("narratives", i), ValidateNarrative(narrative, mission));
    if (narrative.year() == 0 ||
        narrative.section() == v1::NARRATIVE_SECTION_UNSPECIFIED ||
        narrative.language().empty()) {
      continue;  // incomplete: reported above
    }
    auto [it, inserted] = narratives.try_emplace(
        std::make_tuple(narrative.year(), static_cast<int>(narrative.section()),
                        narrative.language()),
        i);
    if (!inserted) {
      const std::string section =
          v1::NarrativeSection_IsValid(narrative.section())
              ? v1::NarrativeSection_Name(narrative.section())
              : absl::StrCat(static_cast<int>(narrative.section()));
      out.Add(Index("narratives", i),
              absl::StrCat("narratives[", it->second, "] already holds the ",
                           narrative.year(), " ", section, " text in '",
                           narrative.language(),
                           "'; a mission has one narrative per year, "
                           "section and language"));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Dataset

ViolationList ValidateDataset(const v1::Dataset& dataset,
                              const ReferenceLookup& existing) {
  ViolationList out;
  const DatasetReferences references(dataset, existing);

  for (int i = 0; i < dataset.report_years_size(); ++i) {
    out.Merge(Index("report_years", i),
              ValidateReportYear(dataset.report_years(i)));
  }
  for (int i = 0; i < dataset.regions_size(); ++i) {
    out.Merge(Index("regions", i), ValidateRegion(dataset.regions(i)));
  }
  for (int i = 0; i < dataset.clusters_size(); ++i) {
    out.Merge(Index("clusters", i),
              ValidateCluster(dataset.clusters(i), references));
  }
  for (int i = 0; i < dataset.cap_pools_size(); ++i) {
    out.Merge(Index("cap_pools", i), ValidateCapPool(dataset.cap_pools(i)));
  }
  // At most one report text per (year, kind, subject, language).
  absl::flat_hash_map<std::string, int> report_texts;
  for (int i = 0; i < dataset.report_texts_size(); ++i) {
    const v1::ReportText& text = dataset.report_texts(i);
    out.Merge(Index("report_texts", i), ValidateReportText(text, references));
    absl::StatusOr<ResourceName> name =
        ParseResourceName(text.name(), ResourceKind::kReportText);
    if (!name.ok() || text.kind() == v1::REPORT_TEXT_KIND_UNSPECIFIED ||
        text.language().empty()) {
      continue;  // incomplete: reported above
    }
    const std::string key =
        absl::StrCat(name->parent_id, "\n", static_cast<int>(text.kind()), "\n",
                     text.subject(), "\n", text.language());
    auto [it, inserted] = report_texts.try_emplace(key, i);
    if (!inserted) {
      out.Add(Index("report_texts", i),
              absl::StrCat("report_texts[", it->second,
                           "] already holds this text for the same year, "
                           "kind, subject and language"));
    }
  }
  for (int i = 0; i < dataset.missions_size(); ++i) {
    out.Merge(Index("missions", i),
              ValidateMissionRecord(dataset.missions(i), references));
  }

  // Names are unique within the dataset.
  NameRegistry names(&out);
  for (int i = 0; i < dataset.report_years_size(); ++i) {
    names.Add(dataset.report_years(i).name(), Index("report_years", i));
  }
  for (int i = 0; i < dataset.regions_size(); ++i) {
    names.Add(dataset.regions(i).name(), Index("regions", i));
  }
  for (int i = 0; i < dataset.clusters_size(); ++i) {
    names.Add(dataset.clusters(i).name(), Index("clusters", i));
  }
  for (int i = 0; i < dataset.cap_pools_size(); ++i) {
    names.Add(dataset.cap_pools(i).name(), Index("cap_pools", i));
  }
  for (int i = 0; i < dataset.report_texts_size(); ++i) {
    names.Add(dataset.report_texts(i).name(), Index("report_texts", i));
  }
  for (int i = 0; i < dataset.missions_size(); ++i) {
    const v1::MissionRecord& record = dataset.missions(i);
    const std::string prefix = Index("missions", i);
    names.Add(record.mission().name(), Path(prefix, "mission"));
    const auto add_all = [&](const auto& records, absl::string_view field) {
      for (int j = 0; j < records.size(); ++j) {
        names.Add(records.Get(j).name(), Path(prefix, Index(field, j)));
      }
    };
    add_all(record.international_mandates(), "international_mandates");
    add_all(record.national_mandates(), "national_mandates");
    add_all(record.personnel(), "personnel");
    add_all(record.postings(), "postings");
    add_all(record.financial_contributions(), "financial_contributions");
    add_all(record.narratives(), "narratives");
  }
  return out;
}

}  // namespace missions::registry
