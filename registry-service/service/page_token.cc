#include "registry-service/service/page_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace missions::registry {
namespace {

constexpr absl::string_view kVersion = "m3";
// Fields are joined with a byte that names and numbers cannot contain.
constexpr char kSeparator = '\x1f';

}  // namespace

std::string EncodeMissionPageToken(const MissionPagePosition& position, int year,
                                   absl::string_view region) {
  const MissionOrderKey& after = position.key;
  const std::string plain = absl::StrJoin(
      {std::string(kVersion), absl::StrCat(year), std::string(region),
       absl::StrCat(after.region_order), after.region,
       absl::StrCat(after.group_order), absl::StrCat(after.group_rank),
       after.group, absl::StrCat(after.mission_order), after.mission,
       absl::StrCat(position.revision)},
      std::string(1, kSeparator));
  return absl::WebSafeBase64Escape(plain);
}

absl::StatusOr<MissionPagePosition> DecodeMissionPageToken(
    absl::string_view token, int year, absl::string_view region) {
  const auto invalid = [] {
    return absl::InvalidArgumentError(
        "page_token is not a token this server issued; start again with an "
        "empty page_token");
  };
  std::string plain;
  if (!absl::WebSafeBase64Unescape(token, &plain)) return invalid();
  std::vector<std::string> parts = absl::StrSplit(plain, kSeparator);
  if (parts.size() != 11 || parts[0] != kVersion) return invalid();
  int token_year = 0;
  MissionPagePosition position;
  MissionOrderKey& key = position.key;
  if (!absl::SimpleAtoi(parts[1], &token_year) ||
      !absl::SimpleAtoi(parts[3], &key.region_order) ||
      !absl::SimpleAtoi(parts[5], &key.group_order) ||
      !absl::SimpleAtoi(parts[6], &key.group_rank) ||
      !absl::SimpleAtoi(parts[8], &key.mission_order) ||
      !absl::SimpleAtoi(parts[10], &position.revision) || position.revision < 0) {
    return invalid();
  }
  if (token_year != year || parts[2] != region) {
    return absl::InvalidArgumentError(
        "page_token was issued for other filters (year, region); repeat the "
        "first call's filters or start again with an empty page_token");
  }
  key.region = parts[4];
  key.group = parts[7];
  key.mission = parts[9];
  return position;
}

}  // namespace missions::registry
