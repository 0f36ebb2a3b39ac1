// Copying a whole registry between RecordStores (SQLite <-> PostgreSQL),
// history and audit log included, and checking that two stores hold the
// same registry. Used by the registry-copy tool (tools/registry_copy_main.cc).
#ifndef REGISTRY_SERVICE_STORAGE_REGISTRY_COPY_H_
#define REGISTRY_SERVICE_STORAGE_REGISTRY_COPY_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "registry-service/storage/record_store.h"

namespace missions::registry {

// What a copy moved (row counts of the service tables).
struct CopySummary {
  int64_t current_revision = 0;
  int64_t revisions = 0;
  int64_t resources = 0;
  int64_t resource_versions = 0;
  int64_t audit_events = 0;
  int64_t requests = 0;
  int64_t secrets = 0;
};

// One line per table, e.g. "revisions: 12".
std::string FormatSummary(const CopySummary& summary);

// Checks that `a` and `b` hold the same registry: the same current
// revision, and identical rows of revisions, resources (in creation
// order), resource versions, audit events (ids and bodies), requests and
// secrets, and the same events through ReadAudit. Returns DataLoss naming
// the first difference, or the error of reading either store.
absl::StatusOr<CopySummary> VerifySameRegistry(RecordStore& a, RecordStore& b);

// Copies everything in `from` into `to` (which must be empty:
// FailedPrecondition otherwise, and `to` is left unchanged) and then
// verifies both with VerifySameRegistry.
absl::StatusOr<CopySummary> CopyRegistry(RecordStore& from, RecordStore& to);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_STORAGE_REGISTRY_COPY_H_
