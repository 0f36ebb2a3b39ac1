// Page tokens of ListMissions: opaque to clients, they carry the position
// after which the next page starts and the filters they were issued for.
#ifndef REGISTRY_SERVICE_SERVICE_PAGE_TOKEN_H_
#define REGISTRY_SERVICE_SERVICE_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "registry-service/storage/record_store.h"

namespace missions::registry {

// Encodes `after` with the filters (`year`, `region`) of the listing.
std::string EncodeMissionPageToken(const MissionOrderKey& after, int year,
                                   absl::string_view region);

// Decodes a token issued by EncodeMissionPageToken for the same filters.
// Returns InvalidArgument for a malformed token or one issued for other
// filters.
absl::StatusOr<MissionOrderKey> DecodeMissionPageToken(
    absl::string_view token, int year, absl::string_view region);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_SERVICE_PAGE_TOKEN_H_
