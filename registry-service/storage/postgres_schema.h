// The registry's schema in PostgreSQL and its migrations.
//
// The same tables and columns as SQLite's (sqlite_schema.h) where the
// dialects allow, so that analysts' queries carry over: texts are TEXT,
// dates ISO 8601 TEXT (partial dates allowed), booleans INTEGER 0/1, enums
// their proto value names. Differences: protobuf bodies are BYTEA,
// revisions and ids BIGINT, audit event ids an identity column, and
// `resources.seq` (an identity) keeps the creation order SQLite keeps in
// its rowid. Foreign keys of the projection are checked at commit
// (DEFERRABLE INITIALLY DEFERRED), as SQLite's deferred foreign keys are.
// The audit log (`revisions`, `audit_events`) is append-only: triggers
// refuse UPDATE, DELETE and TRUNCATE.
#ifndef REGISTRY_SERVICE_STORAGE_POSTGRES_SCHEMA_H_
#define REGISTRY_SERVICE_STORAGE_POSTGRES_SCHEMA_H_

#include "absl/status/status.h"
#include "registry-service/storage/pg_db.h"

namespace missions::registry::pg {

// The schema version this build writes (the same numbering as SQLite's).
// 1: the initial schema; 2: revisions record the principal (in `actor`),
// its display name and the peer address.
inline constexpr int kSchemaVersion = 2;

// Brings the database to kSchemaVersion, applying each missing migration
// in its own transaction and recording it in `schema_version`. Holds a
// PostgreSQL advisory lock meanwhile, so that replicas starting at once
// migrate one after the other; waits up to a minute for it (Unavailable
// after that). Returns FailedPrecondition if the database was written by a
// newer build.
absl::Status Migrate(Connection& db);

// As Migrate, but stops at `target_version` (1 to kSchemaVersion): for
// tests that need a database as an older build left it.
absl::Status MigrateTo(Connection& db, int target_version);

}  // namespace missions::registry::pg

#endif  // REGISTRY_SERVICE_STORAGE_POSTGRES_SCHEMA_H_
