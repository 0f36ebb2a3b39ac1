// A RecordStore decorator that measures the storage for operators: the
// latency of every operation by name and outcome
// (registry_storage_operation_seconds), commits
// (registry_commits_total{outcome}) and the current revision
// (registry_revision, also advanced when another replica commits: see
// RefreshRevision).
#ifndef REGISTRY_SERVICE_STORAGE_METERED_RECORD_STORE_H_
#define REGISTRY_SERVICE_STORAGE_METERED_RECORD_STORE_H_

#include <memory>
#include <string>

#include "proto/common/observability/metrics.h"
#include "registry-service/storage/record_store.h"

namespace missions::registry {

class MeteredRecordStore final : public RecordStore {
 public:
  // `store` and `metrics` are not owned and must outlive this.
  MeteredRecordStore(RecordStore* store, observability::MetricsRegistry* metrics);

  // Reads the store's current revision into registry_revision (and the
  // time of that check into registry_revision_checked_timestamp_seconds).
  void RefreshRevision();

  absl::StatusOr<int64_t> Commit(
      const std::vector<Mutation>& mutations, const CommitInfo& info,
      const std::function<absl::StatusOr<std::string>(
          int64_t revision, const std::vector<const google::protobuf::Message*>& stamped)>&
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
  absl::StatusOr<std::string> Secret(absl::string_view name) override;
  int64_t WaitForRevisionAfter(int64_t revision, absl::Time deadline) override;
  absl::Status Ping() override;
  absl::StatusOr<RegistryDump> ExportAll() override;
  absl::Status ImportAll(const RegistryDump& dump) override;

 private:
  // Times `op` and records it under `operation` with its outcome.
  template <typename Op>
  auto Measure(const char* operation, Op&& op);
  void ObserveRevision(int64_t revision);

  RecordStore* store_;
  observability::Family* seconds_;
  observability::Family* commits_;
  observability::Cell* revision_;
  observability::Cell* revision_checked_;
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_STORAGE_METERED_RECORD_STORE_H_
