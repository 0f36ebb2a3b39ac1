// SqliteRecordStore: the embedded default RecordStore, one SQLite file.
//
// The database runs in WAL mode with synchronous=FULL, so a commit that
// returned OK survives a crash or power loss. One connection serves all
// calls, serialised by a mutex: reads see a consistent state and commits
// are transactions.
#ifndef REGISTRY_SERVICE_STORAGE_SQLITE_RECORD_STORE_H_
#define REGISTRY_SERVICE_STORAGE_SQLITE_RECORD_STORE_H_

#include <functional>
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
  // `clock` gives commit times (default: the system clock). Returns
  // Unavailable if the file cannot be opened or written,
  // FailedPrecondition if it was written by a newer schema version.
  static absl::StatusOr<std::unique_ptr<SqliteRecordStore>> Open(
      const std::string& path, std::function<absl::Time()> clock = nullptr);

  absl::StatusOr<int64_t> Commit(
      const std::vector<Mutation>& mutations, const CommitInfo& info,
      const std::function<absl::StatusOr<std::string>(
          int64_t revision,
          const std::vector<const google::protobuf::Message*>& stamped)>&
          make_response) override;
  absl::StatusOr<std::optional<StoredRequest>> FindRequest(
      absl::string_view request_id) override;
  absl::StatusOr<StoredResource> Get(absl::string_view name,
                                     int64_t revision) override;
  absl::StatusOr<std::vector<StoredResource>> List(
      ResourceKind kind, absl::string_view name_prefix, int64_t revision) override;
  absl::StatusOr<int64_t> CurrentRevision() override;
  absl::StatusOr<int64_t> RevisionAt(absl::Time time) override;
  absl::StatusOr<std::vector<AuditRecord>> ReadAudit(const AuditQuery& query) override;
  int64_t WaitForRevisionAfter(int64_t revision, absl::Time deadline) override;
  absl::StatusOr<std::string> Secret(absl::string_view name) override;
  absl::Status Ping() override;
  absl::StatusOr<RegistryDump> ExportAll() override;
  absl::Status ImportAll(const RegistryDump& dump) override;

 private:
  SqliteRecordStore(std::unique_ptr<sqlite::Database> db,
                    std::function<absl::Time()> clock)
      : db_(std::move(db)), clock_(std::move(clock)) {}

  absl::StatusOr<int64_t> RevisionLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  absl::CondVar changed_;
  std::unique_ptr<sqlite::Database> db_ ABSL_GUARDED_BY(mu_);
  const std::function<absl::Time()> clock_;
  int64_t revision_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_commit_time_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_STORAGE_SQLITE_RECORD_STORE_H_
