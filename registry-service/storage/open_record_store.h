// Opens the RecordStore named by a --storage value.
#ifndef REGISTRY_SERVICE_STORAGE_OPEN_RECORD_STORE_H_
#define REGISTRY_SERVICE_STORAGE_OPEN_RECORD_STORE_H_

#include <memory>
#include <string>

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
// cannot be opened. No error message contains a password from `spec`
// (RedactStorageSecrets).
absl::StatusOr<std::unique_ptr<RecordStore>> OpenRecordStore(
    absl::string_view spec);

// Returns `spec` fit to print: a password in a URI's userinfo
// ("postgresql://registry:s3cret@db/registry") becomes "***"
// ("postgresql://registry:***@db/registry"), so does the value of a
// password= query parameter or of a password= keyword of a libpq key=value
// string ("host=db password=***"). "sqlite:PATH" is returned unchanged.
// Passwords that the user forgot to percent-encode ("registry:p@ss/w@db")
// are covered whole; when in doubt more is replaced rather than less. Every
// place that prints a storage spec or puts it into a message uses this.
std::string RedactStorageSpec(absl::string_view spec);

// True if other processes may commit to the storage `spec` names
// (PostgreSQL, shared by replicas); an SQLite file has one server.
bool StorageIsShared(absl::string_view spec);

// Returns `text` (e.g. libpq's error message for `spec`) with `spec`
// replaced by RedactStorageSpec(spec), and each password of `spec` replaced
// by "***" wherever it appears: as it is written, percent-decoded, and in
// a double-quoted fragment of `spec` that libpq echoes (invalid
// percent-encoded token: "s3%zzet"). `text` is unchanged if `spec` has
// no password.
std::string RedactStorageSecrets(absl::string_view text, absl::string_view spec);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_STORAGE_OPEN_RECORD_STORE_H_
