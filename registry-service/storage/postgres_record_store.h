// PostgresRecordStore: the RecordStore for deployments that outgrow one
// machine: several registry-server replicas on one PostgreSQL database.
//
// Calls borrow a connection from a bounded pool (prepared statements are
// kept per connection). Commits are serialised across every process on the
// database by `LOCK TABLE revisions IN EXCLUSIVE MODE` (readers are not
// blocked), so revisions are strictly increasing and gap-free, and etag
// checks, the audit rows and the request_id see every earlier commit. A
// commit NOTIFYs channel `registry_revisions` with its revision; a listener
// thread per store LISTENs on a connection of its own and wakes
// WaitForRevisionAfter, so the change feed follows commits made through
// any replica. After the listener reconnects it re-reads the revision, and
// callers of WaitForRevisionAfter re-read the log at least once a second
// anyway, so a lost notification delays, never loses, an event.
//
// When the database cannot be reached, calls return Unavailable (connecting
// gives up after 5 s, statements after 30 s); the pool drops broken
// connections and the next call reconnects, so the store recovers without a
// restart.
#ifndef REGISTRY_SERVICE_STORAGE_POSTGRES_RECORD_STORE_H_
#define REGISTRY_SERVICE_STORAGE_POSTGRES_RECORD_STORE_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "registry-service/storage/pg_db.h"
#include "registry-service/storage/record_store.h"

namespace missions::registry {

class PostgresRecordStore final : public RecordStore {
 public:
  struct Options {
    // Upper bound of connections this store opens (plus one listener).
    int max_connections = 8;
    // How long a call waits for a free connection before Unavailable.
    absl::Duration acquire_timeout = absl::Seconds(5);
    // Gives commit times (default: the system clock).
    std::function<absl::Time()> clock;
  };

  // Connects to `uri` (libpq connection URI, e.g.
  // postgresql://registry@db.example/registry) and migrates the schema.
  // Returns Unavailable if the server cannot be reached, FailedPrecondition
  // if the schema was written by a newer build.
  static absl::StatusOr<std::unique_ptr<PostgresRecordStore>> Open(const std::string& uri,
                                                                   Options options);
  static absl::StatusOr<std::unique_ptr<PostgresRecordStore>> Open(const std::string& uri) {
    return Open(uri, Options());
  }
  ~PostgresRecordStore() override;

  absl::StatusOr<int64_t> Commit(
      const std::vector<Mutation>& mutations, const CommitInfo& info,
      const std::function<absl::StatusOr<std::string>(
          int64_t revision,
          const std::vector<const google::protobuf::Message*>& stamped)>&
          make_response) override;
  absl::StatusOr<std::optional<StoredRequest>> FindRequest(
      absl::string_view request_id) override;
  absl::StatusOr<StoredResource> Get(absl::string_view name, int64_t revision) override;
  absl::StatusOr<std::vector<StoredResource>> List(ResourceKind kind,
                                                   absl::string_view name_prefix,
                                                   int64_t revision) override;
  absl::StatusOr<int64_t> CurrentRevision() override;
  absl::StatusOr<int64_t> RevisionAt(absl::Time time) override;
  absl::StatusOr<std::vector<AuditRecord>> ReadAudit(const AuditQuery& query) override;
  int64_t WaitForRevisionAfter(int64_t revision, absl::Time deadline) override;
  absl::StatusOr<std::string> Secret(absl::string_view name) override;
  absl::Status Ping() override;
  absl::StatusOr<RegistryDump> ExportAll() override;
  absl::Status ImportAll(const RegistryDump& dump) override;

 private:
  PostgresRecordStore(const std::string& uri, Options options);

  // Runs `body` on a pooled connection; a read that failed because its
  // connection broke is tried once more on a fresh one.
  template <typename T, typename F>
  absl::StatusOr<T> Read(F&& body);

  // Follows NOTIFYs of commits until the store is destroyed.
  void Listen();
  // Raises the known revision and wakes waiters.
  void Advance(int64_t revision);

  const std::string uri_;
  const std::function<absl::Time()> clock_;
  pg::Pool pool_;

  absl::Mutex mu_;
  absl::CondVar changed_;
  int64_t known_revision_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread listener_;
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_STORAGE_POSTGRES_RECORD_STORE_H_
