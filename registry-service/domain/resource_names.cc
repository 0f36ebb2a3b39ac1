#include "registry-service/domain/resource_names.h"

#include <array>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace missions::registry {
namespace {

// One collection segment of a name pattern.
struct Collection {
  absl::string_view segment;  // "missions", "postings", ...
  ResourceKind kind;
  bool id_is_year;
};

constexpr std::array<Collection, 4> kTopLevel = {{
    {"regions", ResourceKind::kRegion, false},
    {"missions", ResourceKind::kMission, false},
    {"capPools", ResourceKind::kCapPool, false},
    {"reportYears", ResourceKind::kReportYear, true},
}};

// Child collections, by the kind of their parent.
struct ChildCollection {
  ResourceKind parent;
  Collection child;
};

constexpr std::array<ChildCollection, 8> kChildren = {{
    {ResourceKind::kRegion, {"clusters", ResourceKind::kCluster, false}},
    {ResourceKind::kMission,
     {"internationalMandates", ResourceKind::kInternationalMandate, false}},
    {ResourceKind::kMission,
     {"nationalMandates", ResourceKind::kNationalMandate, false}},
    {ResourceKind::kMission,
     {"personnelFigures", ResourceKind::kPersonnelFigures, true}},
    {ResourceKind::kMission, {"postings", ResourceKind::kPosting, false}},
    {ResourceKind::kMission,
     {"financialContributions", ResourceKind::kFinancialContribution, false}},
    {ResourceKind::kMission, {"narratives", ResourceKind::kNarrative, false}},
    {ResourceKind::kReportYear, {"texts", ResourceKind::kReportText, false}},
}};

bool IsLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// Parses a canonical decimal year (no sign, no leading zero) in range.
bool ParseYear(absl::string_view text, int* year) {
  if (text.empty() || text.size() > 4 || text[0] == '0') return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(text, year) && IsValidYear(*year);
}

// Checks one id (or year) segment of `name`.
absl::Status CheckSegment(absl::string_view name, absl::string_view segment,
                          bool is_year) {
  if (is_year) {
    int year = 0;
    if (!ParseYear(segment, &year)) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", name, "' is not a valid name: '", segment,
                       "' is not a year from ", kMinYear, " to ", kMaxYear));
    }
    return absl::OkStatus();
  }
  if (!IsValidId(segment)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", name, "' is not a valid name: '", segment,
        "' is not an id (1 to 63 lower-case letters, digits and hyphens, "
        "starting with a letter or digit)"));
  }
  return absl::OkStatus();
}

absl::Status NoSuchName(absl::string_view name) {
  return absl::InvalidArgumentError(absl::StrCat(
      "'", name,
      "' is not a resource name of the registry (e.g. missions/{mission})"));
}

}  // namespace

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > 63 || !IsLowerAlnum(id[0])) return false;
  for (char c : id) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

bool IsValidYear(int year) { return year >= kMinYear && year <= kMaxYear; }

absl::string_view ResourceKindLabel(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kRegion:
      return "region";
    case ResourceKind::kCluster:
      return "cluster";
    case ResourceKind::kMission:
      return "mission";
    case ResourceKind::kInternationalMandate:
      return "international mandate decision";
    case ResourceKind::kNationalMandate:
      return "national mandate decision";
    case ResourceKind::kPersonnelFigures:
      return "personnel figures";
    case ResourceKind::kPosting:
      return "posting";
    case ResourceKind::kFinancialContribution:
      return "financial contribution";
    case ResourceKind::kNarrative:
      return "narrative";
    case ResourceKind::kCapPool:
      return "cap pool";
    case ResourceKind::kReportYear:
      return "report year";
    case ResourceKind::kReportText:
      return "report text";
  }
  return "resource";
}

absl::string_view ResourceNamePattern(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kRegion:
      return "regions/{region}";
    case ResourceKind::kCluster:
      return "regions/{region}/clusters/{cluster}";
    case ResourceKind::kMission:
      return "missions/{mission}";
    case ResourceKind::kInternationalMandate:
      return "missions/{mission}/internationalMandates/{decision}";
    case ResourceKind::kNationalMandate:
      return "missions/{mission}/nationalMandates/{decision}";
    case ResourceKind::kPersonnelFigures:
      return "missions/{mission}/personnelFigures/{year}";
    case ResourceKind::kPosting:
      return "missions/{mission}/postings/{posting}";
    case ResourceKind::kFinancialContribution:
      return "missions/{mission}/financialContributions/{contribution}";
    case ResourceKind::kNarrative:
      return "missions/{mission}/narratives/{narrative}";
    case ResourceKind::kCapPool:
      return "capPools/{pool}";
    case ResourceKind::kReportYear:
      return "reportYears/{year}";
    case ResourceKind::kReportText:
      return "reportYears/{year}/texts/{text}";
  }
  return "";
}

absl::StatusOr<ResourceName> ParseResourceName(absl::string_view name) {
  if (name.empty()) {
    return absl::InvalidArgumentError("the resource name is empty");
  }
  const std::vector<absl::string_view> segments = absl::StrSplit(name, '/');
  if (segments.size() != 2 && segments.size() != 4) return NoSuchName(name);

  const Collection* top = nullptr;
  for (const Collection& c : kTopLevel) {
    if (c.segment == segments[0]) top = &c;
  }
  if (top == nullptr) return NoSuchName(name);
  if (absl::Status s = CheckSegment(name, segments[1], top->id_is_year);
      !s.ok()) {
    return s;
  }
  ResourceName result;
  if (segments.size() == 2) {
    result.kind = top->kind;
    result.id = std::string(segments[1]);
    return result;
  }
  const Collection* child = nullptr;
  for (const ChildCollection& c : kChildren) {
    if (c.parent == top->kind && c.child.segment == segments[2]) {
      child = &c.child;
    }
  }
  if (child == nullptr) return NoSuchName(name);
  if (absl::Status s = CheckSegment(name, segments[3], child->id_is_year);
      !s.ok()) {
    return s;
  }
  result.kind = child->kind;
  result.parent_id = std::string(segments[1]);
  result.id = std::string(segments[3]);
  return result;
}

absl::StatusOr<ResourceName> ParseResourceName(absl::string_view name,
                                               ResourceKind kind) {
  absl::StatusOr<ResourceName> parsed = ParseResourceName(name);
  if (!parsed.ok()) {
    if (name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the ", ResourceKindLabel(kind), " name is empty (",
                       ResourceNamePattern(kind), ")"));
    }
    // Say which pattern was expected; keep the specific reason.
    return absl::InvalidArgumentError(absl::StrCat(
        parsed.status().message(), "; expected ", ResourceNamePattern(kind)));
  }
  if (parsed->kind != kind) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", name, "' is not a ", ResourceKindLabel(kind),
                     " name (", ResourceNamePattern(kind), ")"));
  }
  return parsed;
}

std::string FormatResourceName(const ResourceName& name) {
  for (const Collection& c : kTopLevel) {
    if (c.kind == name.kind) return absl::StrCat(c.segment, "/", name.id);
  }
  for (const ChildCollection& c : kChildren) {
    if (c.child.kind != name.kind) continue;
    for (const Collection& top : kTopLevel) {
      if (top.kind == c.parent) {
        return absl::StrCat(top.segment, "/", name.parent_id, "/",
                            c.child.segment, "/", name.id);
      }
    }
  }
  return "";
}

std::string ParentName(const ResourceName& name) {
  for (const ChildCollection& c : kChildren) {
    if (c.child.kind != name.kind) continue;
    for (const Collection& top : kTopLevel) {
      if (top.kind == c.parent) {
        return absl::StrCat(top.segment, "/", name.parent_id);
      }
    }
  }
  return "";
}

int YearOf(const ResourceName& name) {
  absl::string_view text;
  switch (name.kind) {
    case ResourceKind::kPersonnelFigures:
    case ResourceKind::kReportYear:
      text = name.id;
      break;
    case ResourceKind::kReportText:
      text = name.parent_id;
      break;
    default:
      return 0;
  }
  int year = 0;
  return ParseYear(text, &year) ? year : 0;
}

absl::StatusOr<std::string> MissionIdOf(absl::string_view name) {
  absl::StatusOr<ResourceName> parsed = ParseResourceName(name);
  if (!parsed.ok()) return parsed.status();
  if (parsed->kind == ResourceKind::kMission) return parsed->id;
  if (absl::StartsWith(ParentName(*parsed), "missions/"))
    return parsed->parent_id;
  return absl::InvalidArgumentError(absl::StrCat(
      "'", name, "' is neither a mission nor a record of a mission"));
}

std::string ParentMission(absl::string_view child_name) {
  absl::StatusOr<ResourceName> parsed = ParseResourceName(child_name);
  if (!parsed.ok()) return "";
  std::string parent = ParentName(*parsed);
  return absl::StartsWith(parent, "missions/") ? parent : "";
}

std::string RegionName(absl::string_view id) {
  return absl::StrCat("regions/", id);
}

std::string MissionName(absl::string_view id) {
  return absl::StrCat("missions/", id);
}

std::string CapPoolName(absl::string_view id) {
  return absl::StrCat("capPools/", id);
}

std::string ReportYearName(int year) {
  return absl::StrCat("reportYears/", year);
}

}  // namespace missions::registry
