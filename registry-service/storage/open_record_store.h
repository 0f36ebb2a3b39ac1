// Opens the RecordStore named by a --storage value.
#ifndef REGISTRY_SERVICE_STORAGE_OPEN_RECORD_STORE_H_
#define REGISTRY_SERVICE_STORAGE_OPEN_RECORD_STORE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "registry-service/storage/record_store.h"

namespace missions::registry {

// Opens the store that `spec` names: "sqlite:PATH" (a SQLite file, created
// if missing) or "postgresql://..." (also "postgres://"; a libpq connection
// URI such as postgresql://registry@db.example:5432/registry or
// postgresql:///registry?host=/run/postgresql; the password comes from
// PGPASSWORD or ~/.pgpass, never from a flag). Returns InvalidArgument for
// an unknown scheme or an empty path, and the store's own error if it
// cannot be opened.
absl::StatusOr<std::unique_ptr<RecordStore>> OpenRecordStore(
    absl::string_view spec);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_STORAGE_OPEN_RECORD_STORE_H_
