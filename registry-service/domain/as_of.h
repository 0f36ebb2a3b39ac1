// Reading the registry's past: turns a request's `as_of` (a revision or a
// time) into the revision to read.
#ifndef REGISTRY_SERVICE_DOMAIN_AS_OF_H_
#define REGISTRY_SERVICE_DOMAIN_AS_OF_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "proto/common/errors.h"
#include "registry-service/storage/record_store.h"
#include "registry/v1/registry_api.pb.h"

namespace missions::registry {

// The revision a read sees. `empty` means the registry held nothing then
// (before its first revision).
struct ReadPoint {
  int64_t revision = 0;
  bool empty = false;
};

// Resolves `as_of` (unset: `current`, the current revision). A revision
// must lie between 1 and the current revision; a time is looked up in
// `store`. Violations are added under `field` (e.g. "as_of.revision").
// Returns storage errors as such.
absl::StatusOr<ReadPoint> ResolveAsOf(RecordStore& store, int64_t current,
                                      const ::registry::v1::AsOf* as_of,
                                      const std::string& field, ViolationList* violations);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_AS_OF_H_
