#include "registry-service/storage/sqlite_record_store.h"

#include <map>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "proto/common/status_macros.h"
#include "registry-service/storage/commit_rules.h"
#include "registry-service/storage/projection.h"
#include "registry-service/storage/sqlite_schema.h"

namespace missions::registry {
namespace {

using ::google::protobuf::Message;
using sqlite::Statement;

int64_t ToMicros(absl::Time time) { return absl::ToUnixMicros(time); }

// Parses a stored resource row: kind, body, deleted, revision at `first`.
absl::StatusOr<StoredResource> ReadResourceRow(const Statement& row, int first) {
  return DecodeResource(row.Text(first), row.Text(first + 1), row.Int(first + 2) != 0,
                        row.Int(first + 3));
}

// Runs the projection's statements, each prepared once per commit.
class ProjectionWriter {
 public:
  explicit ProjectionWriter(sqlite::Database& db) : db_(db) {}

  // Writes the current state of one resource: removes its rows, then
  // inserts them again unless it is deleted.
  absl::Status Replace(ResourceKind kind, const Message& resource, bool deleted) {
    for (const SqlStatement& statement : ProjectionStatements(kind, resource, deleted)) {
      auto it = statements_.find(statement.sql);
      if (it == statements_.end()) {
        ASSIGN_OR_RETURN(Statement prepared, db_.Prepare(statement.sql));
        it = statements_.emplace(statement.sql, std::move(prepared)).first;
      }
      Statement& stmt = it->second;
      stmt.Reset();
      for (size_t i = 0; i < statement.values.size(); ++i) {
        const int index = static_cast<int>(i) + 1;
        const SqlValue& value = statement.values[i];
        if (const auto* number = std::get_if<int64_t>(&value)) {
          stmt.Bind(index, *number);
        } else if (const auto* text = std::get_if<std::string>(&value)) {
          stmt.Bind(index, absl::string_view(*text));
        } else {
          stmt.BindNull(index);
        }
      }
      absl::Status status = stmt.Run();
      if (absl::IsAlreadyExists(status)) {
        return absl::AlreadyExistsError(
            absl::StrCat(NameOf(resource), " (or a record with the same key) already exists"));
      }
      if (!status.ok()) {
        return absl::Status(status.code(), absl::StrCat("storing ", NameOf(resource), ": ",
                                                        status.message()));
      }
    }
    return absl::OkStatus();
  }

 private:
  sqlite::Database& db_;
  std::map<const char*, Statement> statements_;
};

// Runs `body` inside a transaction: commits on success, rolls back on error.
template <typename F>
absl::Status InTransaction(sqlite::Database& db, const char* begin, F&& body) {
  RETURN_IF_ERROR(db.Exec(begin));
  absl::Status status = body();
  if (status.ok()) status = db.Exec("COMMIT");
  if (!status.ok()) db.Exec("ROLLBACK").IgnoreError();
  return status;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteRecordStore>> SqliteRecordStore::Open(
    const std::string& path, std::function<absl::Time()> clock) {
  ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Database> db,
                   sqlite::Database::Open(path));
  // WAL with synchronous=FULL: a committed transaction is durable.
  RETURN_IF_ERROR(db->Exec("PRAGMA busy_timeout = 5000"));
  {
    ASSIGN_OR_RETURN(sqlite::Statement wal, db->Prepare("PRAGMA journal_mode = WAL"));
    ASSIGN_OR_RETURN(bool has_mode, wal.Step());
    if (!has_mode || wal.Text(0) != "wal") {
      return absl::UnavailableError(
          absl::StrCat("cannot switch ", path, " to WAL mode"));
    }
  }
  RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = FULL"));
  RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = ON"));
  absl::Status migrated = sqlite::Migrate(*db);
  if (!migrated.ok()) {
    return absl::Status(migrated.code(),
                        absl::StrCat(path, ": ", migrated.message()));
  }
  auto store = std::unique_ptr<SqliteRecordStore>(
      new SqliteRecordStore(std::move(db), clock ? std::move(clock) : [] { return absl::Now(); }));
  absl::MutexLock lock(&store->mu_);
  ASSIGN_OR_RETURN(store->revision_, store->RevisionLocked());
  return store;
}

absl::StatusOr<int64_t> SqliteRecordStore::RevisionLocked() {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_->Prepare("SELECT COALESCE(MAX(revision), 0) FROM revisions"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

absl::StatusOr<int64_t> SqliteRecordStore::CurrentRevision() {
  absl::MutexLock lock(&mu_);
  return revision_;
}

absl::StatusOr<int64_t> SqliteRecordStore::Commit(
    const std::vector<Mutation>& mutations, const CommitInfo& info,
    const std::function<absl::StatusOr<std::string>(
        int64_t, const std::vector<const Message*>&)>& make_response) {
  absl::MutexLock lock(&mu_);
  // Commit times never go backwards, so that RevisionAt is well defined.
  const absl::Time now = std::max(clock_(), last_commit_time_);
  const int64_t revision = revision_ + 1;
  std::vector<std::unique_ptr<Message>> stamped;
  RETURN_IF_ERROR(InTransaction(*db_, "BEGIN IMMEDIATE", [&]() -> absl::Status {
    RETURN_IF_ERROR(db_->Exec("PRAGMA defer_foreign_keys = ON"));
    {
      // `actor` holds the principal (schema migration 2).
      ASSIGN_OR_RETURN(Statement stmt,
                       db_->Prepare("INSERT INTO revisions(revision, commit_time, "
                                    "commit_time_us, actor, principal_display_name, peer, "
                                    "method, reason, request_id) "
                                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
      stmt.Bind(1, revision).Bind(2, Rfc3339(now)).Bind(3, ToMicros(now))
          .Bind(4, info.principal).Bind(5, info.display_name).Bind(6, info.peer)
          .Bind(7, info.method).Bind(8, info.reason).Bind(9, info.request_id);
      RETURN_IF_ERROR(stmt.Run());
    }
    ASSIGN_OR_RETURN(Statement current,
                     db_->Prepare("SELECT kind, body, deleted, revision FROM "
                                  "resources WHERE name = ?1"));
    ASSIGN_OR_RETURN(Statement upsert,
                     db_->Prepare("INSERT INTO resources(name, kind, body, deleted, "
                                  "revision) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT"
                                  "(name) DO UPDATE SET body = excluded.body, deleted "
                                  "= excluded.deleted, revision = excluded.revision"));
    ASSIGN_OR_RETURN(Statement version,
                     db_->Prepare("INSERT INTO resource_versions(name, revision, kind, "
                                  "body, deleted) VALUES (?1, ?2, ?3, ?4, ?5)"));
    ASSIGN_OR_RETURN(Statement audit,
                     db_->Prepare("INSERT INTO audit_events(revision, resource, kind, "
                                  "change, fields, before, after) VALUES (?1, ?2, ?3, "
                                  "?4, ?5, ?6, ?7)"));
    ProjectionWriter projection(*db_);
    for (const Mutation& mutation : mutations) {
      const std::string name = NameOf(*mutation.after);
      current.Reset();
      current.Bind(1, name);
      ASSIGN_OR_RETURN(bool exists, current.Step());
      std::optional<StoredRow> stored;
      if (exists) stored = StoredRow{current.Text(1), current.Int(2) != 0, current.Int(3)};
      const std::string before = stored.has_value() ? stored->body : "";
      ASSIGN_OR_RETURN(std::unique_ptr<Message> message,
                       ApplyMutation(mutation, stored, revision, now));
      const bool deleted = IsDeleted(*message);
      const std::string body = message->SerializeAsString();
      const std::string kind(KindId(mutation.kind));
      upsert.Reset();
      upsert.Bind(1, name).Bind(2, kind).BindBlob(3, body).Bind(4, int64_t{deleted}).Bind(5, revision);
      RETURN_IF_ERROR(upsert.Run());
      version.Reset();
      version.Bind(1, name).Bind(2, revision).Bind(3, kind).BindBlob(4, body)
          .Bind(5, int64_t{deleted});
      RETURN_IF_ERROR(version.Run());
      audit.Reset();
      audit.Bind(1, revision).Bind(2, name).Bind(3, kind)
          .Bind(4, ChangeName(mutation.change))
          .Bind(5, absl::StrJoin(mutation.fields, ","));
      if (before.empty()) {
        audit.BindNull(6);
      } else {
        audit.BindBlob(6, before);
      }
      audit.BindBlob(7, body);
      RETURN_IF_ERROR(audit.Run());
      RETURN_IF_ERROR(projection.Replace(mutation.kind, *message, deleted));
      stamped.push_back(std::move(message));
    }
    std::string response;
    if (make_response) {
      std::vector<const Message*> views;
      for (const auto& m : stamped) views.push_back(m.get());
      ASSIGN_OR_RETURN(response, make_response(revision, views));
    }
    if (!info.request_id.empty()) {
      ASSIGN_OR_RETURN(Statement stmt,
                       db_->Prepare("INSERT INTO requests(request_id, method, "
                                    "fingerprint, revision, response) VALUES (?1, ?2, "
                                    "?3, ?4, ?5)"));
      stmt.Bind(1, info.request_id).Bind(2, info.method).Bind(3, info.request_fingerprint)
          .Bind(4, revision).BindBlob(5, response);
      absl::Status stored = stmt.Run();
      if (absl::IsAlreadyExists(stored)) {
        return absl::AlreadyExistsError(
            absl::StrCat("request_id '", info.request_id, "' was used already"));
      }
      RETURN_IF_ERROR(stored);
    }
    return absl::OkStatus();
  }));
  revision_ = revision;
  last_commit_time_ = now;
  changed_.SignalAll();
  return revision;
}

absl::StatusOr<std::optional<StoredRequest>> SqliteRecordStore::FindRequest(
    absl::string_view request_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_->Prepare("SELECT method, fingerprint, revision, response FROM "
                                "requests WHERE request_id = ?1"));
  stmt.Bind(1, request_id);
  ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<StoredRequest>();
  return std::optional<StoredRequest>(
      StoredRequest{stmt.Text(0), stmt.Text(1), stmt.Int(2), stmt.Text(3)});
}

absl::StatusOr<StoredResource> SqliteRecordStore::Get(absl::string_view name,
                                                      int64_t revision) {
  absl::MutexLock lock(&mu_);
  const char* sql =
      revision == 0
          ? "SELECT kind, body, deleted, revision FROM resources WHERE name = ?1"
          : "SELECT kind, body, deleted, revision FROM resource_versions WHERE "
            "name = ?1 AND revision <= ?2 ORDER BY revision DESC LIMIT 1";
  ASSIGN_OR_RETURN(Statement stmt, db_->Prepare(sql));
  stmt.Bind(1, name);
  if (revision != 0) stmt.Bind(2, revision);
  ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) {
    return absl::NotFoundError(
        revision == 0 ? absl::StrCat(name, " not found")
                      : absl::StrCat(name, " did not exist at revision ", revision));
  }
  return ReadResourceRow(stmt, 0);
}

absl::StatusOr<std::vector<StoredResource>> SqliteRecordStore::List(
    ResourceKind kind, absl::string_view name_prefix, int64_t revision) {
  absl::MutexLock lock(&mu_);
  const char* sql =
      revision == 0
          ? "SELECT kind, body, deleted, revision FROM resources WHERE kind = ?1 "
            "AND substr(name, 1, length(?2)) = ?2 ORDER BY rowid"
          : "SELECT v.kind, v.body, v.deleted, v.revision FROM resource_versions v "
            "JOIN resources r ON r.name = v.name "
            "WHERE v.kind = ?1 AND substr(v.name, 1, length(?2)) = ?2 AND "
            "v.revision = (SELECT MAX(w.revision) FROM resource_versions w WHERE "
            "w.name = v.name AND w.revision <= ?3) ORDER BY r.rowid";
  ASSIGN_OR_RETURN(Statement stmt, db_->Prepare(sql));
  stmt.Bind(1, KindId(kind)).Bind(2, name_prefix);
  if (revision != 0) stmt.Bind(3, revision);
  std::vector<StoredResource> result;
  while (true) {
    ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) break;
    ASSIGN_OR_RETURN(StoredResource stored, ReadResourceRow(stmt, 0));
    result.push_back(std::move(stored));
  }
  return result;
}

absl::StatusOr<int64_t> SqliteRecordStore::RevisionAt(absl::Time time) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_->Prepare("SELECT COALESCE(MAX(revision), 0) FROM revisions "
                                "WHERE commit_time_us <= ?1"));
  stmt.Bind(1, ToMicros(time));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

absl::StatusOr<std::vector<AuditRecord>> SqliteRecordStore::ReadAudit(
    const AuditQuery& query) {
  absl::MutexLock lock(&mu_);
  std::string sql =
      "SELECT e.id, e.revision, r.commit_time_us, r.actor, r.method, r.reason, "
      "r.request_id, e.resource, e.kind, e.change, e.fields, e.before, e.after, "
      "r.principal_display_name, r.peer "
      "FROM audit_events e JOIN revisions r ON r.revision = e.revision "
      "WHERE e.id > ?1 AND e.revision > ?2";
  if (!query.resource.empty()) {
    absl::StrAppend(&sql, query.resource.back() == '/'
                              ? " AND substr(e.resource, 1, length(?3)) = ?3"
                              : " AND e.resource = ?3");
  }
  if (!query.principal.empty()) absl::StrAppend(&sql, " AND r.actor = ?4");
  if (query.from.has_value()) absl::StrAppend(&sql, " AND r.commit_time_us >= ?5");
  if (query.until.has_value()) absl::StrAppend(&sql, " AND r.commit_time_us < ?6");
  absl::StrAppend(&sql, " ORDER BY e.id LIMIT ?7");
  ASSIGN_OR_RETURN(Statement stmt, db_->Prepare(sql));
  stmt.Bind(1, query.after_id).Bind(2, query.after_revision);
  if (!query.resource.empty()) stmt.Bind(3, query.resource);
  if (!query.principal.empty()) stmt.Bind(4, query.principal);
  if (query.from.has_value()) stmt.Bind(5, ToMicros(*query.from));
  if (query.until.has_value()) stmt.Bind(6, ToMicros(*query.until));
  stmt.Bind(7, int64_t{query.limit});
  std::vector<AuditRecord> records;
  while (true) {
    ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) break;
    AuditRecord record;
    record.id = stmt.Int(0);
    record.revision = stmt.Int(1);
    record.time = absl::FromUnixMicros(stmt.Int(2));
    record.principal = stmt.Text(3);
    record.display_name = stmt.Text(13);
    record.peer = stmt.Text(14);
    record.method = stmt.Text(4);
    record.reason = stmt.Text(5);
    record.request_id = stmt.Text(6);
    record.resource = stmt.Text(7);
    ASSIGN_OR_RETURN(record.kind, KindFromId(stmt.Text(8)));
    record.change = ChangeFromName(stmt.Text(9));
    const std::string fields = stmt.Text(10);
    if (!fields.empty()) record.fields = absl::StrSplit(fields, ',');
    record.before = stmt.Text(11);
    record.after = stmt.Text(12);
    records.push_back(std::move(record));
  }
  return records;
}

absl::StatusOr<std::string> SqliteRecordStore::Secret(absl::string_view name) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement insert,
                   db_->Prepare("INSERT OR IGNORE INTO secrets(name, value) "
                                "VALUES (?1, randomblob(32))"));
  insert.Bind(1, name);
  RETURN_IF_ERROR(insert.Run());
  ASSIGN_OR_RETURN(Statement select,
                   db_->Prepare("SELECT value FROM secrets WHERE name = ?1"));
  select.Bind(1, name);
  ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return absl::InternalError("secret not stored");
  return select.Text(0);
}

int64_t SqliteRecordStore::WaitForRevisionAfter(int64_t revision, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  while (revision_ <= revision) {
    if (changed_.WaitWithDeadline(&mu_, deadline)) break;
  }
  return revision_;
}

absl::Status SqliteRecordStore::Ping() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement stmt, db_->Prepare("SELECT COUNT(*) FROM schema_version"));
  return stmt.Run();
}

absl::StatusOr<RegistryDump> SqliteRecordStore::ExportAll() {
  absl::MutexLock lock(&mu_);
  RegistryDump dump;
  // One read transaction: a snapshot even if another process writes.
  RETURN_IF_ERROR(InTransaction(*db_, "BEGIN", [&]() -> absl::Status {
    const auto each_row = [&](const char* sql, const auto& read) -> absl::Status {
      ASSIGN_OR_RETURN(Statement stmt, db_->Prepare(sql));
      while (true) {
        ASSIGN_OR_RETURN(bool more, stmt.Step());
        if (!more) return absl::OkStatus();
        read(stmt);
      }
    };
    RETURN_IF_ERROR(each_row(
        "SELECT revision, commit_time, commit_time_us, actor, principal_display_name, "
        "peer, method, reason, request_id FROM revisions ORDER BY revision",
        [&](const Statement& row) {
          dump.revisions.push_back({row.Int(0), row.Text(1), row.Int(2), row.Text(3),
                                    row.Text(4), row.Text(5), row.Text(6), row.Text(7),
                                    row.Text(8)});
        }));
    RETURN_IF_ERROR(each_row(
        "SELECT name, kind, body, deleted, revision FROM resources ORDER BY rowid",
        [&](const Statement& row) {
          dump.resources.push_back(
              {row.Text(0), row.Text(1), row.Text(2), row.Int(3) != 0, row.Int(4)});
        }));
    RETURN_IF_ERROR(each_row(
        "SELECT name, revision, kind, body, deleted FROM resource_versions "
        "ORDER BY revision, name",
        [&](const Statement& row) {
          dump.resource_versions.push_back(
              {row.Text(0), row.Int(1), row.Text(2), row.Text(3), row.Int(4) != 0});
        }));
    RETURN_IF_ERROR(each_row(
        "SELECT id, revision, resource, kind, change, fields, before, after "
        "FROM audit_events ORDER BY id",
        [&](const Statement& row) {
          RegistryDump::AuditEvent event{row.Int(0), row.Int(1), row.Text(2), row.Text(3),
                                         row.Text(4), row.Text(5), std::nullopt, row.Text(7)};
          if (!row.IsNull(6)) event.before = row.Text(6);
          dump.audit_events.push_back(std::move(event));
        }));
    RETURN_IF_ERROR(each_row(
        "SELECT request_id, method, fingerprint, revision, response FROM requests "
        "ORDER BY request_id",
        [&](const Statement& row) {
          dump.requests.push_back(
              {row.Text(0), row.Text(1), row.Text(2), row.Int(3), row.Text(4)});
        }));
    return each_row("SELECT name, value FROM secrets ORDER BY name",
                    [&](const Statement& row) {
                      dump.secrets.push_back({row.Text(0), row.Text(1)});
                    });
  }));
  return dump;
}

absl::Status SqliteRecordStore::ImportAll(const RegistryDump& dump) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(InTransaction(*db_, "BEGIN IMMEDIATE", [&]() -> absl::Status {
    RETURN_IF_ERROR(db_->Exec("PRAGMA defer_foreign_keys = ON"));
    {
      ASSIGN_OR_RETURN(Statement count,
                       db_->Prepare("SELECT (SELECT COUNT(*) FROM revisions) + "
                                    "(SELECT COUNT(*) FROM resources)"));
      ASSIGN_OR_RETURN(bool row, count.Step());
      if (row && count.Int(0) != 0) {
        return absl::FailedPreconditionError(
            "the target registry is not empty; import only into a new one");
      }
    }
    ASSIGN_OR_RETURN(Statement revision,
                     db_->Prepare("INSERT INTO revisions(revision, commit_time, "
                                  "commit_time_us, actor, principal_display_name, peer, "
                                  "method, reason, request_id) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    for (const RegistryDump::Revision& r : dump.revisions) {
      revision.Reset();
      revision.Bind(1, r.revision).Bind(2, r.commit_time).Bind(3, r.commit_time_us)
          .Bind(4, r.principal).Bind(5, r.display_name).Bind(6, r.peer)
          .Bind(7, r.method).Bind(8, r.reason).Bind(9, r.request_id);
      RETURN_IF_ERROR(revision.Run());
    }
    ASSIGN_OR_RETURN(Statement resource,
                     db_->Prepare("INSERT INTO resources(name, kind, body, deleted, "
                                  "revision) VALUES (?1, ?2, ?3, ?4, ?5)"));
    ProjectionWriter projection(*db_);
    for (const RegistryDump::Resource& r : dump.resources) {
      resource.Reset();
      resource.Bind(1, r.name).Bind(2, r.kind).BindBlob(3, r.body)
          .Bind(4, int64_t{r.deleted}).Bind(5, r.revision);
      RETURN_IF_ERROR(resource.Run());
      ASSIGN_OR_RETURN(StoredResource decoded,
                       DecodeResource(r.kind, r.body, r.deleted, r.revision));
      RETURN_IF_ERROR(projection.Replace(decoded.kind, *decoded.message, r.deleted));
    }
    ASSIGN_OR_RETURN(Statement version,
                     db_->Prepare("INSERT INTO resource_versions(name, revision, kind, "
                                  "body, deleted) VALUES (?1, ?2, ?3, ?4, ?5)"));
    for (const RegistryDump::ResourceVersion& v : dump.resource_versions) {
      version.Reset();
      version.Bind(1, v.name).Bind(2, v.revision).Bind(3, v.kind).BindBlob(4, v.body)
          .Bind(5, int64_t{v.deleted});
      RETURN_IF_ERROR(version.Run());
    }
    ASSIGN_OR_RETURN(Statement audit,
                     db_->Prepare("INSERT INTO audit_events(id, revision, resource, kind, "
                                  "change, fields, before, after) VALUES (?1, ?2, ?3, ?4, "
                                  "?5, ?6, ?7, ?8)"));
    for (const RegistryDump::AuditEvent& e : dump.audit_events) {
      audit.Reset();
      audit.Bind(1, e.id).Bind(2, e.revision).Bind(3, e.resource).Bind(4, e.kind)
          .Bind(5, e.change).Bind(6, e.fields);
      if (e.before.has_value()) {
        audit.BindBlob(7, *e.before);
      } else {
        audit.BindNull(7);
      }
      audit.BindBlob(8, e.after);
      RETURN_IF_ERROR(audit.Run());
    }
    ASSIGN_OR_RETURN(Statement request,
                     db_->Prepare("INSERT INTO requests(request_id, method, fingerprint, "
                                  "revision, response) VALUES (?1, ?2, ?3, ?4, ?5)"));
    for (const RegistryDump::Request& r : dump.requests) {
      request.Reset();
      request.Bind(1, r.request_id).Bind(2, r.method).Bind(3, r.fingerprint)
          .Bind(4, r.revision).BindBlob(5, r.response);
      RETURN_IF_ERROR(request.Run());
    }
    ASSIGN_OR_RETURN(Statement secret,
                     db_->Prepare("INSERT INTO secrets(name, value) VALUES (?1, ?2) ON "
                                  "CONFLICT(name) DO UPDATE SET value = excluded.value"));
    for (const RegistryDump::Secret& s : dump.secrets) {
      secret.Reset();
      secret.Bind(1, s.name).BindBlob(2, s.value);
      RETURN_IF_ERROR(secret.Run());
    }
    return absl::OkStatus();
  }));
  ASSIGN_OR_RETURN(revision_, RevisionLocked());
  if (!dump.revisions.empty()) {
    last_commit_time_ = absl::FromUnixMicros(dump.revisions.back().commit_time_us);
  }
  changed_.SignalAll();
  return absl::OkStatus();
}

}  // namespace missions::registry
