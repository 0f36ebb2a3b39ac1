// Page tokens of ListMissions: opaque to clients, they carry the position
// after which the next page starts and the filters they were issued for.
#ifndef REGISTRY_SERVICE_SERVICE_PAGE_TOKEN_H_
#define REGISTRY_SERVICE_SERVICE_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "registry-service/domain/mission_order.h"

namespace missions::registry {

// Where a listing continues: after `key`, reading the registry as of
// `revision` (the revision the first page saw, so that paging neither skips
// nor repeats a mission while others write).
struct MissionPagePosition {
  MissionOrderKey key;
  int64_t revision = 0;
};

// Encodes `after` with the filters (`year`, `region`) of the listing.
std::string EncodeMissionPageToken(const MissionPagePosition& after, int year,
                                   absl::string_view region);

// Decodes a token issued by EncodeMissionPageToken for the same filters.
// Returns InvalidArgument for a malformed token or one issued for other
// filters.
absl::StatusOr<MissionPagePosition> DecodeMissionPageToken(
    absl::string_view token, int year, absl::string_view region);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_SERVICE_PAGE_TOKEN_H_
