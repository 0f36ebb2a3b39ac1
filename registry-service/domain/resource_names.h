// Resource names of the mission registry (AIP-122 style): parsing,
// formatting and checking.
//
// The registry knows these names:
//   regions/{region}
//   regions/{region}/clusters/{cluster}
//   missions/{mission}
//   missions/{mission}/internationalMandates/{decision}
//   missions/{mission}/nationalMandates/{decision}
//   missions/{mission}/personnelFigures/{year}
//   missions/{mission}/postings/{posting}
//   missions/{mission}/financialContributions/{contribution}
//   missions/{mission}/narratives/{narrative}
//   capPools/{pool}
//   reportYears/{year}
//   reportYears/{year}/texts/{text}
// Ids are 1 to 63 lower-case letters, digits and hyphens starting with a
// letter or digit; years are written in decimal without leading zeros and lie
// in 1945..2100. A name is only valid in this canonical form, so two names
// denote the same resource exactly when they are equal strings.
//
// Pure functions; thread-safe.
#ifndef REGISTRY_SERVICE_DOMAIN_RESOURCE_NAMES_H_
#define REGISTRY_SERVICE_DOMAIN_RESOURCE_NAMES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace missions::registry {

// The first and last year the registry accepts anywhere a year appears.
inline constexpr int kMinYear = 1945;
inline constexpr int kMaxYear = 2100;

// The kinds of resource, one per name pattern above.
enum class ResourceKind {
  kRegion,
  kCluster,
  kMission,
  kInternationalMandate,
  kNationalMandate,
  kPersonnelFigures,
  kPosting,
  kFinancialContribution,
  kNarrative,
  kCapPool,
  kReportYear,
  kReportText,
};

// A parsed resource name.
struct ResourceName {
  ResourceKind kind = ResourceKind::kRegion;
  // The id of the enclosing resource: the region of a cluster, the mission
  // of a mission's child, the year (decimal) of a report text. Empty for
  // top-level kinds.
  std::string parent_id;
  // The resource's own id; the year (decimal) for personnel figures and
  // report years.
  std::string id;

  bool operator==(const ResourceName&) const = default;
};

// True if `id` is a valid resource id: [a-z0-9][a-z0-9-]{0,62}.
bool IsValidId(absl::string_view id);

// True if kMinYear <= year <= kMaxYear.
bool IsValidYear(int year);

// A word for the kind in messages: "region", "national mandate decision".
absl::string_view ResourceKindLabel(ResourceKind kind);

// The pattern of the kind's names, e.g.
// "missions/{mission}/postings/{posting}".
absl::string_view ResourceNamePattern(ResourceKind kind);

// Parses a name of any kind. Returns InvalidArgument, with a message that
// quotes the name and says what is wrong, if it matches no pattern or an id
// or year in it is invalid.
absl::StatusOr<ResourceName> ParseResourceName(absl::string_view name);

// Parses a name that must be of `kind`. Returns InvalidArgument as above,
// and also when the name is valid but of another kind ("'regions/europe' is
// not a mission name (missions/{mission})").
absl::StatusOr<ResourceName> ParseResourceName(absl::string_view name,
                                               ResourceKind kind);

// Formats a parsed name back into its string. The result is only a valid
// name if the ids in `name` are valid.
std::string FormatResourceName(const ResourceName& name);

// Returns the full name of the enclosing resource ("regions/africa" for a
// cluster, "missions/unifil" for a mission's child, "reportYears/2020" for a
// report text), or "" for top-level kinds.
std::string ParentName(const ResourceName& name);

// Returns the year a name carries (personnel figures, report years, report
// texts), or 0 for kinds without one.
int YearOf(const ResourceName& name);

// Returns the mission id of `missions/{m}` or of any name under it.
// Returns InvalidArgument for invalid names and names outside missions/.
absl::StatusOr<std::string> MissionIdOf(absl::string_view name);

// Returns "missions/{m}" for a valid name of a mission's child
// (`missions/{m}/postings/{p}`, ...), or "" for anything else (including
// the mission name itself and invalid names).
std::string ParentMission(absl::string_view child_name);

// Formats top-level names. `id` is not checked.
std::string RegionName(absl::string_view id);
std::string MissionName(absl::string_view id);
std::string CapPoolName(absl::string_view id);
std::string ReportYearName(int year);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_RESOURCE_NAMES_H_
