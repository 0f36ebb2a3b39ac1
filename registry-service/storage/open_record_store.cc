#include "registry-service/storage/open_record_store.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "proto/common/status_macros.h"
#include "registry-service/storage/postgres_record_store.h"
#include "registry-service/storage/sqlite_record_store.h"

namespace missions::registry {

absl::StatusOr<std::unique_ptr<RecordStore>> OpenRecordStore(
    absl::string_view spec) {
  constexpr absl::string_view kSqlite = "sqlite:";
  if (absl::StartsWith(spec, kSqlite)) {
    const std::string path(spec.substr(kSqlite.size()));
    if (path.empty()) {
      return absl::InvalidArgumentError(
          "--storage=sqlite:PATH needs a file path, e.g. sqlite:var/registry.db");
    }
    ASSIGN_OR_RETURN(std::unique_ptr<SqliteRecordStore> store,
                     SqliteRecordStore::Open(path));
    return std::unique_ptr<RecordStore>(std::move(store));
  }
  if (absl::StartsWith(spec, "postgresql://") || absl::StartsWith(spec, "postgres://")) {
    ASSIGN_OR_RETURN(std::unique_ptr<PostgresRecordStore> store,
                     PostgresRecordStore::Open(std::string(spec)));
    return std::unique_ptr<RecordStore>(std::move(store));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unsupported --storage '", spec,
                   "'; supported: sqlite:PATH (an SQLite file), postgresql://... (a "
                   "libpq connection URI)"));
}

}  // namespace missions::registry
