// SqliteRecordStore: the embedded default RecordStore, one SQLite file.
//
// The database runs in WAL mode with synchronous=FULL, so a write that
// returned OK survives a crash or power loss. One connection serves all
// calls, serialised by a mutex: reads see a consistent state and writes are
// transactions.
#ifndef REGISTRY_SERVICE_STORAGE_SQLITE_RECORD_STORE_H_
#define REGISTRY_SERVICE_STORAGE_SQLITE_RECORD_STORE_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "registry-service/storage/record_store.h"
#include "registry-service/storage/sqlite_db.h"

namespace missions::registry {

class SqliteRecordStore final : public RecordStore {
 public:
  // Opens or creates the database at `path` and migrates its schema.
  // Returns Unavailable if the file cannot be opened or written,
  // FailedPrecondition if it was written by a newer schema version.
  static absl::StatusOr<std::unique_ptr<SqliteRecordStore>> Open(
      const std::string& path);

  absl::StatusOr<int64_t> ImportDataset(const ::registry::v1::Dataset& dataset,
                                        absl::string_view actor) override;
  absl::StatusOr<::registry::v1::Mission> GetMission(
      absl::string_view name) override;
  absl::StatusOr<std::vector<ListedMission>> ListMissions(
      const MissionQuery& query) override;
  absl::Status ReadYearDataset(
      int year, int batch_size,
      const std::function<absl::Status(::registry::v1::StreamYearDatasetResponse)>&
          sink) override;
  absl::StatusOr<int64_t> CurrentRevision() override;
  absl::StatusOr<bool> Exists(absl::string_view name) override;

 private:
  explicit SqliteRecordStore(std::unique_ptr<sqlite::Database> db)
      : db_(std::move(db)) {}

  absl::Status ImportLocked(const ::registry::v1::Dataset& dataset)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::vector<ListedMission>> ListLocked(
      const MissionQuery& query, bool with_year_records)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::vector<::registry::v1::Dataset>> ReadYearLocked(
      int year, int batch_size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<int64_t> RevisionLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::unique_ptr<sqlite::Database> db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_STORAGE_SQLITE_RECORD_STORE_H_
