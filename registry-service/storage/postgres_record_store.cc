#include "registry-service/storage/postgres_record_store.h"

#include <openssl/rand.h>

#include <utility>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "proto/common/status_macros.h"
#include "registry-service/storage/commit_rules.h"
#include "registry-service/storage/postgres_schema.h"
#include "registry-service/storage/projection.h"

namespace missions::registry {
namespace {

using ::google::protobuf::Message;

// The NOTIFY channel of commits; the payload is the new revision.
constexpr char kChannel[] = "registry_revisions";

// Parses a resource row: kind, body, deleted, revision.
absl::StatusOr<StoredResource> ReadResourceRow(const pg::Result& rows, int row) {
  return DecodeResource(rows.Text(row, 0), rows.Bytes(row, 1), rows.Int(row, 2) != 0,
                        rows.Int(row, 3));
}

absl::StatusOr<int64_t> LatestRevision(pg::Connection& db) {
  ASSIGN_OR_RETURN(pg::Result rows, db.Query("SELECT COALESCE(MAX(revision), 0) FROM revisions"));
  return rows.Int(0, 0);
}

// Runs one statement of the relational projection.
absl::Status RunProjection(pg::Connection& db, const SqlStatement& statement,
                           const std::string& name) {
  pg::Params params;
  for (const SqlValue& value : statement.values) {
    if (const auto* number = std::get_if<int64_t>(&value)) {
      params.Int(*number);
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      params.Text(*text);
    } else {
      params.Null();
    }
  }
  absl::StatusOr<pg::Result> done = db.Query(pg::DollarPlaceholders(statement.sql), params);
  if (absl::IsAlreadyExists(done.status())) {
    return absl::AlreadyExistsError(
        absl::StrCat(name, " (or a record with the same key) already exists"));
  }
  if (!done.ok()) {
    return absl::Status(done.status().code(),
                        absl::StrCat("storing ", name, ": ", done.status().message()));
  }
  return absl::OkStatus();
}

}  // namespace

PostgresRecordStore::PostgresRecordStore(const std::string& uri, Options options)
    : uri_(uri),
      clock_(options.clock ? std::move(options.clock) : [] { return absl::Now(); }),
      pool_(uri, options.max_connections, options.acquire_timeout) {}

absl::StatusOr<std::unique_ptr<PostgresRecordStore>> PostgresRecordStore::Open(
    const std::string& uri, Options options) {
  auto store =
      std::unique_ptr<PostgresRecordStore>(new PostgresRecordStore(uri, std::move(options)));
  {
    ASSIGN_OR_RETURN(pg::Pool::Lease db, store->pool_.Acquire());
    RETURN_IF_ERROR(pg::Migrate(*db));
    ASSIGN_OR_RETURN(const int64_t revision, LatestRevision(*db));
    store->Advance(revision);
  }
  store->listener_ = std::thread([raw = store.get()] { raw->Listen(); });
  return store;
}

PostgresRecordStore::~PostgresRecordStore() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (listener_.joinable()) listener_.join();
}

template <typename T, typename F>
absl::StatusOr<T> PostgresRecordStore::Read(F&& body) {
  absl::StatusOr<T> result = absl::UnavailableError("PostgreSQL: not tried");
  for (int attempt = 0; attempt < 2; ++attempt) {
    ASSIGN_OR_RETURN(pg::Pool::Lease db, pool_.Acquire());
    result = body(*db);
    // Retried only when the connection itself broke (e.g. the server
    // restarted since it was pooled).
    if (result.ok() || !absl::IsUnavailable(result.status()) || db->Healthy()) return result;
  }
  return result;
}

void PostgresRecordStore::Advance(int64_t revision) {
  absl::MutexLock lock(&mu_);
  if (revision > known_revision_) {
    known_revision_ = revision;
    changed_.SignalAll();
  }
}

void PostgresRecordStore::Listen() {
  std::unique_ptr<pg::Connection> conn;
  const auto stopping = [this] {
    absl::MutexLock lock(&mu_);
    return stopping_;
  };
  while (!stopping()) {
    if (conn == nullptr) {
      absl::StatusOr<std::unique_ptr<pg::Connection>> opened = pg::Connection::Open(uri_);
      if (opened.ok() && (*opened)->Exec(absl::StrCat("LISTEN ", kChannel)).ok()) {
        conn = std::move(*opened);
        // Commits made while nobody listened.
        if (absl::StatusOr<int64_t> latest = LatestRevision(*conn); latest.ok()) {
          Advance(*latest);
        }
      } else {
        // The database is away: try again in a second (or stop sooner).
        absl::MutexLock lock(&mu_);
        mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Seconds(1));
        continue;
      }
    }
    absl::StatusOr<std::vector<std::string>> payloads =
        conn->WaitForNotifications(absl::Milliseconds(250));
    if (!payloads.ok()) {
      conn.reset();
      continue;
    }
    int64_t newest = 0;
    for (const std::string& payload : *payloads) {
      int64_t revision = 0;
      if (absl::SimpleAtoi(payload, &revision)) newest = std::max(newest, revision);
    }
    if (newest > 0) Advance(newest);
  }
}

absl::StatusOr<int64_t> PostgresRecordStore::CurrentRevision() {
  ASSIGN_OR_RETURN(const int64_t revision,
                   Read<int64_t>([](pg::Connection& db) { return LatestRevision(db); }));
  Advance(revision);
  return revision;
}

absl::StatusOr<int64_t> PostgresRecordStore::Commit(
    const std::vector<Mutation>& mutations, const CommitInfo& info,
    const std::function<absl::StatusOr<std::string>(
        int64_t, const std::vector<const Message*>&)>& make_response) {
  ASSIGN_OR_RETURN(pg::Pool::Lease db, pool_.Acquire());
  int64_t revision = 0;
  const absl::Status status = [&]() -> absl::Status {
    RETURN_IF_ERROR(db->Exec("BEGIN"));
    // One writer at a time across every process on this database; readers
    // go on. Held until COMMIT or ROLLBACK.
    RETURN_IF_ERROR(db->Exec("LOCK TABLE revisions IN EXCLUSIVE MODE"));
    ASSIGN_OR_RETURN(pg::Result last,
                     db->Query("SELECT revision, commit_time_us FROM revisions "
                               "ORDER BY revision DESC LIMIT 1"));
    revision = last.rows() > 0 ? last.Int(0, 0) + 1 : 1;
    // Commit times never go backwards, so that RevisionAt is well defined.
    absl::Time now = clock_();
    if (last.rows() > 0 && absl::ToUnixMicros(now) < last.Int(0, 1)) {
      now = absl::FromUnixMicros(last.Int(0, 1));
    }
    // `actor` holds the principal (schema migration 2).
    RETURN_IF_ERROR(db->Query("INSERT INTO revisions(revision, commit_time, commit_time_us, "
                              "actor, principal_display_name, peer, method, reason, "
                              "request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                              pg::Params()
                                  .Int(revision)
                                  .Text(Rfc3339(now))
                                  .Int(absl::ToUnixMicros(now))
                                  .Text(info.principal)
                                  .Text(info.display_name)
                                  .Text(info.peer)
                                  .Text(info.method)
                                  .Text(info.reason)
                                  .Text(info.request_id))
                        .status());
    std::vector<std::unique_ptr<Message>> stamped;
    for (const Mutation& mutation : mutations) {
      const std::string name = NameOf(*mutation.after);
      ASSIGN_OR_RETURN(pg::Result current,
                       db->Query("SELECT body, deleted, revision FROM resources WHERE "
                                 "name = $1",
                                 pg::Params().Text(name)));
      std::optional<StoredRow> stored;
      if (current.rows() > 0) {
        stored = StoredRow{current.Bytes(0, 0), current.Int(0, 1) != 0, current.Int(0, 2)};
      }
      ASSIGN_OR_RETURN(std::unique_ptr<Message> message,
                       ApplyMutation(mutation, stored, revision, now));
      const bool deleted = IsDeleted(*message);
      const std::string body = message->SerializeAsString();
      const std::string kind(KindId(mutation.kind));
      RETURN_IF_ERROR(db->Query("INSERT INTO resources(name, kind, body, deleted, revision) "
                                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO UPDATE "
                                "SET body = excluded.body, deleted = excluded.deleted, "
                                "revision = excluded.revision",
                                pg::Params().Text(name).Text(kind).Bytes(body).Int(deleted).Int(
                                    revision))
                          .status());
      RETURN_IF_ERROR(db->Query("INSERT INTO resource_versions(name, revision, kind, body, "
                                "deleted) VALUES ($1, $2, $3, $4, $5)",
                                pg::Params().Text(name).Int(revision).Text(kind).Bytes(body).Int(
                                    deleted))
                          .status());
      pg::Params audit;
      audit.Int(revision).Text(name).Text(kind).Text(ChangeName(mutation.change))
          .Text(absl::StrJoin(mutation.fields, ","));
      if (stored.has_value()) {
        audit.Bytes(stored->body);
      } else {
        audit.Null();
      }
      audit.Bytes(body);
      RETURN_IF_ERROR(db->Query("INSERT INTO audit_events(revision, resource, kind, change, "
                                "fields, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                                audit)
                          .status());
      for (const SqlStatement& statement : ProjectionStatements(mutation.kind, *message, deleted)) {
        RETURN_IF_ERROR(RunProjection(*db, statement, name));
      }
      stamped.push_back(std::move(message));
    }
    std::string response;
    if (make_response) {
      std::vector<const Message*> views;
      for (const auto& m : stamped) views.push_back(m.get());
      ASSIGN_OR_RETURN(response, make_response(revision, views));
    }
    if (!info.request_id.empty()) {
      absl::Status stored =
          db->Query("INSERT INTO requests(request_id, method, fingerprint, revision, "
                    "response) VALUES ($1, $2, $3, $4, $5)",
                    pg::Params()
                        .Text(info.request_id)
                        .Text(info.method)
                        .Text(info.request_fingerprint)
                        .Int(revision)
                        .Bytes(response))
              .status();
      if (absl::IsAlreadyExists(stored)) {
        return absl::AlreadyExistsError(
            absl::StrCat("request_id '", info.request_id, "' was used already"));
      }
      RETURN_IF_ERROR(stored);
    }
    // Delivered to listeners when (and only if) the transaction commits.
    RETURN_IF_ERROR(db->Query("SELECT pg_notify($1, $2)",
                              pg::Params().Text(kChannel).Text(absl::StrCat(revision)))
                        .status());
    return db->Exec("COMMIT");
  }();
  if (!status.ok()) {
    db->Exec("ROLLBACK").IgnoreError();
    return status;
  }
  Advance(revision);
  return revision;
}

absl::StatusOr<std::optional<StoredRequest>> PostgresRecordStore::FindRequest(
    absl::string_view request_id) {
  const std::string id(request_id);
  return Read<std::optional<StoredRequest>>(
      [&](pg::Connection& db) -> absl::StatusOr<std::optional<StoredRequest>> {
        ASSIGN_OR_RETURN(pg::Result rows,
                         db.Query("SELECT method, fingerprint, revision, response FROM "
                                  "requests WHERE request_id = $1",
                                  pg::Params().Text(id)));
        if (rows.rows() == 0) return std::optional<StoredRequest>();
        return std::optional<StoredRequest>(StoredRequest{
            rows.Text(0, 0), rows.Text(0, 1), rows.Int(0, 2), rows.Bytes(0, 3)});
      });
}

absl::StatusOr<StoredResource> PostgresRecordStore::Get(absl::string_view name,
                                                        int64_t revision) {
  const std::string key(name);
  return Read<StoredResource>([&](pg::Connection& db) -> absl::StatusOr<StoredResource> {
    pg::Params params;
    params.Text(key);
    if (revision != 0) params.Int(revision);
    ASSIGN_OR_RETURN(
        pg::Result rows,
        db.Query(revision == 0
                     ? "SELECT kind, body, deleted, revision FROM resources WHERE name = $1"
                     : "SELECT kind, body, deleted, revision FROM resource_versions WHERE "
                       "name = $1 AND revision <= $2 ORDER BY revision DESC LIMIT 1",
                 params));
    if (rows.rows() == 0) {
      return absl::NotFoundError(
          revision == 0 ? absl::StrCat(key, " not found")
                        : absl::StrCat(key, " did not exist at revision ", revision));
    }
    return ReadResourceRow(rows, 0);
  });
}

absl::StatusOr<std::vector<StoredResource>> PostgresRecordStore::List(
    ResourceKind kind, absl::string_view name_prefix, int64_t revision) {
  const std::string prefix(name_prefix);
  return Read<std::vector<StoredResource>>(
      [&](pg::Connection& db) -> absl::StatusOr<std::vector<StoredResource>> {
        pg::Params params;
        params.Text(KindId(kind)).Text(prefix);
        if (revision != 0) params.Int(revision);
        ASSIGN_OR_RETURN(
            pg::Result rows,
            db.Query(revision == 0
                         ? "SELECT kind, body, deleted, revision FROM resources WHERE "
                           "kind = $1 AND starts_with(name, $2) ORDER BY seq"
                         : "SELECT v.kind, v.body, v.deleted, v.revision FROM "
                           "resource_versions v JOIN resources r ON r.name = v.name "
                           "WHERE v.kind = $1 AND starts_with(v.name, $2) AND "
                           "v.revision = (SELECT MAX(w.revision) FROM resource_versions w "
                           "WHERE w.name = v.name AND w.revision <= $3) ORDER BY r.seq",
                     params));
        std::vector<StoredResource> result;
        result.reserve(static_cast<size_t>(rows.rows()));
        for (int row = 0; row < rows.rows(); ++row) {
          ASSIGN_OR_RETURN(StoredResource stored, ReadResourceRow(rows, row));
          result.push_back(std::move(stored));
        }
        return result;
      });
}

absl::StatusOr<int64_t> PostgresRecordStore::RevisionAt(absl::Time time) {
  return Read<int64_t>([&](pg::Connection& db) -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(pg::Result rows,
                     db.Query("SELECT COALESCE(MAX(revision), 0) FROM revisions WHERE "
                              "commit_time_us <= $1",
                              pg::Params().Int(absl::ToUnixMicros(time))));
    return rows.Int(0, 0);
  });
}

absl::StatusOr<std::vector<AuditRecord>> PostgresRecordStore::ReadAudit(
    const AuditQuery& query) {
  std::string sql =
      "SELECT e.id, e.revision, r.commit_time_us, r.actor, r.method, r.reason, "
      "r.request_id, e.resource, e.kind, e.change, e.fields, e.before, e.after, "
      "r.principal_display_name, r.peer "
      "FROM audit_events e JOIN revisions r ON r.revision = e.revision "
      "WHERE e.id > $1 AND e.revision > $2";
  pg::Params params;
  params.Int(query.after_id).Int(query.after_revision);
  int next = 3;
  if (!query.resource.empty()) {
    absl::StrAppend(&sql, query.resource.back() == '/' ? " AND starts_with(e.resource, $"
                                                       : " AND e.resource = ($",
                    next++, ")");
    params.Text(query.resource);
  }
  if (!query.principal.empty()) {
    absl::StrAppend(&sql, " AND r.actor = $", next++);
    params.Text(query.principal);
  }
  if (query.from.has_value()) {
    absl::StrAppend(&sql, " AND r.commit_time_us >= $", next++);
    params.Int(absl::ToUnixMicros(*query.from));
  }
  if (query.until.has_value()) {
    absl::StrAppend(&sql, " AND r.commit_time_us < $", next++);
    params.Int(absl::ToUnixMicros(*query.until));
  }
  absl::StrAppend(&sql, " ORDER BY e.id LIMIT $", next);
  params.Int(query.limit);
  return Read<std::vector<AuditRecord>>(
      [&](pg::Connection& db) -> absl::StatusOr<std::vector<AuditRecord>> {
        ASSIGN_OR_RETURN(pg::Result rows, db.Query(sql, params));
        std::vector<AuditRecord> records;
        for (int row = 0; row < rows.rows(); ++row) {
          AuditRecord record;
          record.id = rows.Int(row, 0);
          record.revision = rows.Int(row, 1);
          record.time = absl::FromUnixMicros(rows.Int(row, 2));
          record.principal = rows.Text(row, 3);
          record.display_name = rows.Text(row, 13);
          record.peer = rows.Text(row, 14);
          record.method = rows.Text(row, 4);
          record.reason = rows.Text(row, 5);
          record.request_id = rows.Text(row, 6);
          record.resource = rows.Text(row, 7);
          ASSIGN_OR_RETURN(record.kind, KindFromId(rows.Text(row, 8)));
          record.change = ChangeFromName(rows.Text(row, 9));
          const std::string fields = rows.Text(row, 10);
          if (!fields.empty()) record.fields = absl::StrSplit(fields, ',');
          record.before = rows.Bytes(row, 11);
          record.after = rows.Bytes(row, 12);
          records.push_back(std::move(record));
        }
        return records;
      });
}

absl::StatusOr<std::string> PostgresRecordStore::Secret(absl::string_view name) {
  const std::string key(name);
  return Read<std::string>([&](pg::Connection& db) -> absl::StatusOr<std::string> {
    unsigned char random[32];
    if (RAND_bytes(random, sizeof(random)) != 1) {
      return absl::InternalError("no random bytes for a secret");
    }
    // The first replica to ask creates it; every other one reads that.
    RETURN_IF_ERROR(
        db.Query("INSERT INTO secrets(name, value) VALUES ($1, $2) ON CONFLICT (name) "
                 "DO NOTHING",
                 pg::Params().Text(key).Bytes(absl::string_view(
                     reinterpret_cast<const char*>(random), sizeof(random))))
            .status());
    ASSIGN_OR_RETURN(pg::Result rows,
                     db.Query("SELECT value FROM secrets WHERE name = $1",
                              pg::Params().Text(key)));
    if (rows.rows() == 0) return absl::InternalError("secret not stored");
    return rows.Bytes(0, 0);
  });
}

int64_t PostgresRecordStore::WaitForRevisionAfter(int64_t revision, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  while (known_revision_ <= revision) {
    if (changed_.WaitWithDeadline(&mu_, deadline)) break;
  }
  return known_revision_;
}

absl::Status PostgresRecordStore::Ping() {
  return Read<int64_t>([](pg::Connection& db) -> absl::StatusOr<int64_t> {
           ASSIGN_OR_RETURN(pg::Result rows, db.Query("SELECT 1"));
           return rows.Int(0, 0);
         })
      .status();
}

absl::StatusOr<RegistryDump> PostgresRecordStore::ExportAll() {
  return Read<RegistryDump>([](pg::Connection& db) -> absl::StatusOr<RegistryDump> {
    RegistryDump dump;
    // One snapshot of every table; names in byte order, as SQLite sorts.
    RETURN_IF_ERROR(db.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    const absl::Status status = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(pg::Result revisions,
                       db.Query("SELECT revision, commit_time, commit_time_us, actor, "
                                "principal_display_name, peer, method, reason, request_id "
                                "FROM revisions ORDER BY revision"));
      for (int i = 0; i < revisions.rows(); ++i) {
        dump.revisions.push_back({revisions.Int(i, 0), revisions.Text(i, 1),
                                  revisions.Int(i, 2), revisions.Text(i, 3),
                                  revisions.Text(i, 4), revisions.Text(i, 5),
                                  revisions.Text(i, 6), revisions.Text(i, 7),
                                  revisions.Text(i, 8)});
      }
      ASSIGN_OR_RETURN(pg::Result resources,
                       db.Query("SELECT name, kind, body, deleted, revision FROM resources "
                                "ORDER BY seq"));
      for (int i = 0; i < resources.rows(); ++i) {
        dump.resources.push_back({resources.Text(i, 0), resources.Text(i, 1),
                                  resources.Bytes(i, 2), resources.Int(i, 3) != 0,
                                  resources.Int(i, 4)});
      }
      ASSIGN_OR_RETURN(pg::Result versions,
                       db.Query("SELECT name, revision, kind, body, deleted FROM "
                                "resource_versions ORDER BY revision, name COLLATE \"C\""));
      for (int i = 0; i < versions.rows(); ++i) {
        dump.resource_versions.push_back({versions.Text(i, 0), versions.Int(i, 1),
                                          versions.Text(i, 2), versions.Bytes(i, 3),
                                          versions.Int(i, 4) != 0});
      }
      ASSIGN_OR_RETURN(pg::Result events,
                       db.Query("SELECT id, revision, resource, kind, change, fields, "
                                "before, after FROM audit_events ORDER BY id"));
      for (int i = 0; i < events.rows(); ++i) {
        RegistryDump::AuditEvent event{events.Int(i, 0),  events.Int(i, 1),
                                       events.Text(i, 2), events.Text(i, 3),
                                       events.Text(i, 4), events.Text(i, 5),
                                       std::nullopt,      events.Bytes(i, 7)};
        if (!events.IsNull(i, 6)) event.before = events.Bytes(i, 6);
        dump.audit_events.push_back(std::move(event));
      }
      ASSIGN_OR_RETURN(pg::Result requests,
                       db.Query("SELECT request_id, method, fingerprint, revision, response "
                                "FROM requests ORDER BY request_id COLLATE \"C\""));
      for (int i = 0; i < requests.rows(); ++i) {
        dump.requests.push_back({requests.Text(i, 0), requests.Text(i, 1),
                                 requests.Text(i, 2), requests.Int(i, 3),
                                 requests.Bytes(i, 4)});
      }
      ASSIGN_OR_RETURN(pg::Result secrets,
                       db.Query("SELECT name, value FROM secrets ORDER BY name COLLATE \"C\""));
      for (int i = 0; i < secrets.rows(); ++i) {
        dump.secrets.push_back({secrets.Text(i, 0), secrets.Bytes(i, 1)});
      }
      return db.Exec("COMMIT");
    }();
    if (!status.ok()) {
      db.Exec("ROLLBACK").IgnoreError();
      return status;
    }
    return dump;
  });
}

absl::Status PostgresRecordStore::ImportAll(const RegistryDump& dump) {
  ASSIGN_OR_RETURN(pg::Pool::Lease db, pool_.Acquire());
  const absl::Status status = [&]() -> absl::Status {
    RETURN_IF_ERROR(db->Exec("BEGIN"));
    // Like a commit: no other writer while the registry is imported.
    RETURN_IF_ERROR(db->Exec("LOCK TABLE revisions IN EXCLUSIVE MODE"));
    ASSIGN_OR_RETURN(pg::Result count,
                     db->Query("SELECT (SELECT COUNT(*) FROM revisions) + "
                               "(SELECT COUNT(*) FROM resources)"));
    if (count.Int(0, 0) != 0) {
      return absl::FailedPreconditionError(
          "the target registry is not empty; import only into a new one");
    }
    for (const RegistryDump::Revision& r : dump.revisions) {
      RETURN_IF_ERROR(db->Query("INSERT INTO revisions(revision, commit_time, commit_time_us, "
                                "actor, principal_display_name, peer, method, reason, "
                                "request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                                pg::Params()
                                    .Int(r.revision)
                                    .Text(r.commit_time)
                                    .Int(r.commit_time_us)
                                    .Text(r.principal)
                                    .Text(r.display_name)
                                    .Text(r.peer)
                                    .Text(r.method)
                                    .Text(r.reason)
                                    .Text(r.request_id))
                          .status());
    }
    // In creation order: seq numbers them as List orders them.
    for (const RegistryDump::Resource& r : dump.resources) {
      RETURN_IF_ERROR(db->Query("INSERT INTO resources(name, kind, body, deleted, revision) "
                                "VALUES ($1, $2, $3, $4, $5)",
                                pg::Params().Text(r.name).Text(r.kind).Bytes(r.body).Int(
                                    r.deleted).Int(r.revision))
                          .status());
      ASSIGN_OR_RETURN(StoredResource decoded,
                       DecodeResource(r.kind, r.body, r.deleted, r.revision));
      for (const SqlStatement& statement :
           ProjectionStatements(decoded.kind, *decoded.message, r.deleted)) {
        RETURN_IF_ERROR(RunProjection(*db, statement, r.name));
      }
    }
    for (const RegistryDump::ResourceVersion& v : dump.resource_versions) {
      RETURN_IF_ERROR(db->Query("INSERT INTO resource_versions(name, revision, kind, body, "
                                "deleted) VALUES ($1, $2, $3, $4, $5)",
                                pg::Params().Text(v.name).Int(v.revision).Text(v.kind).Bytes(
                                    v.body).Int(v.deleted))
                          .status());
    }
    for (const RegistryDump::AuditEvent& e : dump.audit_events) {
      pg::Params audit;
      audit.Int(e.id).Int(e.revision).Text(e.resource).Text(e.kind).Text(e.change).Text(
          e.fields);
      if (e.before.has_value()) {
        audit.Bytes(*e.before);
      } else {
        audit.Null();
      }
      audit.Bytes(e.after);
      RETURN_IF_ERROR(db->Query("INSERT INTO audit_events(id, revision, resource, kind, "
                                "change, fields, before, after) VALUES ($1, $2, $3, $4, $5, "
                                "$6, $7, $8)",
                                audit)
                          .status());
    }
    // Later commits number their audit events after the imported ones.
    RETURN_IF_ERROR(db->Query("SELECT setval(pg_get_serial_sequence('audit_events', 'id'), "
                              "(SELECT COALESCE(MAX(id), 0) + 1 FROM audit_events), false)")
                        .status());
    for (const RegistryDump::Request& r : dump.requests) {
      RETURN_IF_ERROR(db->Query("INSERT INTO requests(request_id, method, fingerprint, "
                                "revision, response) VALUES ($1, $2, $3, $4, $5)",
                                pg::Params()
                                    .Text(r.request_id)
                                    .Text(r.method)
                                    .Text(r.fingerprint)
                                    .Int(r.revision)
                                    .Bytes(r.response))
                          .status());
    }
    for (const RegistryDump::Secret& s : dump.secrets) {
      RETURN_IF_ERROR(db->Query("INSERT INTO secrets(name, value) VALUES ($1, $2) ON "
                                "CONFLICT (name) DO UPDATE SET value = excluded.value",
                                pg::Params().Text(s.name).Bytes(s.value))
                          .status());
    }
    if (!dump.revisions.empty()) {
      RETURN_IF_ERROR(db->Query("SELECT pg_notify($1, $2)",
                                pg::Params().Text(kChannel).Text(
                                    absl::StrCat(dump.revisions.back().revision)))
                          .status());
    }
    return db->Exec("COMMIT");
  }();
  if (!status.ok()) {
    db->Exec("ROLLBACK").IgnoreError();
    return status;
  }
  if (!dump.revisions.empty()) Advance(dump.revisions.back().revision);
  return absl::OkStatus();
}

}  // namespace missions::registry
