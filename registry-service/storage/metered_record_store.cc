#include "registry-service/storage/metered_record_store.h"

#include <cctype>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/clock.h"

namespace missions::registry {
namespace {

// Storage calls take microseconds (SQLite, cached) to seconds (a large
// import on PostgreSQL).
std::vector<double> StorageBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& result) {
  return result.status();
}
const absl::Status& StatusOf(const absl::Status& status) { return status; }

// "ok", or the status code in lower case ("unavailable", "aborted", ...):
// few distinct values, so few series.
std::string Outcome(const absl::Status& status) {
  if (status.ok()) return "ok";
  std::string code = absl::StatusCodeToString(status.code());
  for (char& c : code) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return code;
}

}  // namespace

MeteredRecordStore::MeteredRecordStore(RecordStore* store,
                                       observability::MetricsRegistry* metrics)
    : store_(store),
      seconds_(metrics->Histogram("registry_storage_operation_seconds",
                                  "Latency of storage operations by operation and outcome.",
                                  {"operation", "outcome"}, StorageBuckets())),
      commits_(metrics->Counter("registry_commits_total",
                                "Commits attempted by this process, by outcome (ok: a new "
                                "revision).",
                                {"outcome"})),
      revision_(metrics->Gauge("registry_revision",
                               "The registry's current revision as this process last saw "
                               "it (its own commits, other replicas' within a second).")
                    ->WithLabels({})),
      revision_checked_(metrics->Gauge("registry_revision_checked_timestamp_seconds",
                                       "When registry_revision was last read from the "
                                       "storage (Unix time).")
                            ->WithLabels({})) {}

template <typename Op>
auto MeteredRecordStore::Measure(const char* operation, Op&& op) {
  const absl::Time start = absl::Now();
  auto result = std::forward<Op>(op)();
  seconds_->HistogramWithLabels({operation, Outcome(StatusOf(result))})
      ->Observe(absl::ToDoubleSeconds(absl::Now() - start));
  return result;
}

void MeteredRecordStore::ObserveRevision(int64_t revision) {
  if (static_cast<double>(revision) > revision_->value()) {
    revision_->Set(static_cast<double>(revision));
  }
}

void MeteredRecordStore::RefreshRevision() {
  absl::StatusOr<int64_t> revision = CurrentRevision();
  if (revision.ok()) {
    ObserveRevision(*revision);
    revision_checked_->Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
  }
}

absl::StatusOr<int64_t> MeteredRecordStore::Commit(
    const std::vector<Mutation>& mutations, const CommitInfo& info,
    const std::function<absl::StatusOr<std::string>(
        int64_t revision, const std::vector<const google::protobuf::Message*>& stamped)>&
        make_response) {
  absl::StatusOr<int64_t> revision =
      Measure("commit", [&] { return store_->Commit(mutations, info, make_response); });
  commits_->WithLabels({Outcome(revision.status())})->Increment();
  if (revision.ok()) ObserveRevision(*revision);
  return revision;
}

absl::StatusOr<std::optional<StoredRequest>> MeteredRecordStore::FindRequest(
    absl::string_view request_id) {
  return Measure("find_request", [&] { return store_->FindRequest(request_id); });
}

absl::StatusOr<StoredResource> MeteredRecordStore::Get(absl::string_view name,
                                                       int64_t revision) {
  return Measure("get", [&] { return store_->Get(name, revision); });
}

absl::StatusOr<std::vector<StoredResource>> MeteredRecordStore::List(
    ResourceKind kind, absl::string_view name_prefix, int64_t revision) {
  return Measure("list", [&] { return store_->List(kind, name_prefix, revision); });
}

absl::StatusOr<int64_t> MeteredRecordStore::CurrentRevision() {
  absl::StatusOr<int64_t> revision =
      Measure("current_revision", [&] { return store_->CurrentRevision(); });
  if (revision.ok()) ObserveRevision(*revision);
  return revision;
}

absl::StatusOr<int64_t> MeteredRecordStore::RevisionAt(absl::Time time) {
  return Measure("revision_at", [&] { return store_->RevisionAt(time); });
}

absl::StatusOr<std::vector<AuditRecord>> MeteredRecordStore::ReadAudit(
    const AuditQuery& query) {
  return Measure("read_audit", [&] { return store_->ReadAudit(query); });
}

absl::StatusOr<std::string> MeteredRecordStore::Secret(absl::string_view name) {
  return Measure("secret", [&] { return store_->Secret(name); });
}

int64_t MeteredRecordStore::WaitForRevisionAfter(int64_t revision, absl::Time deadline) {
  // Waits by design: not a latency worth a histogram.
  const int64_t current = store_->WaitForRevisionAfter(revision, deadline);
  ObserveRevision(current);
  return current;
}

absl::Status MeteredRecordStore::Ping() {
  return Measure("ping", [&] { return store_->Ping(); });
}

absl::StatusOr<RegistryDump> MeteredRecordStore::ExportAll() {
  return Measure("export_all", [&] { return store_->ExportAll(); });
}

absl::Status MeteredRecordStore::ImportAll(const RegistryDump& dump) {
  return Measure("import_all", [&] { return store_->ImportAll(dump); });
}

}  // namespace missions::registry
