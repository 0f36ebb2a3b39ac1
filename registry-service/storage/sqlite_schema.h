// The registry's schema in SQLite and its migrations.
//
// Two parts: the service's own tables (`resources`, `resource_versions`,
// `revisions`, `audit_events`, `requests`) hold every resource as a
// protobuf message with its whole history; the projection tables hold the
// current state with one row per resource and plain columns (no
// serialised protos), so that analysts can query them with SQL (README,
// "Storage"). Enum values are stored by their proto
// value names (e.g. 'LEAD_ORGANIZATION_EU'), dates as ISO 8601 text
// ('2021-06-14', partial '2021-03' or '2008' where allowed). Texts that
// exist per language live in `localized_texts`.
#ifndef REGISTRY_SERVICE_STORAGE_SQLITE_SCHEMA_H_
#define REGISTRY_SERVICE_STORAGE_SQLITE_SCHEMA_H_

#include "absl/status/status.h"
#include "registry-service/storage/sqlite_db.h"

namespace missions::registry::sqlite {

// The schema version this build writes.
// 1: the initial schema; 2: revisions record the principal (in `actor`),
// its display name and the peer address.
inline constexpr int kSchemaVersion = 2;

// Brings the database to kSchemaVersion, applying each missing migration
// in its own transaction and recording it in `schema_version`. Returns
// FailedPrecondition if the database was written by a newer build.
absl::Status Migrate(Database& db);

// As Migrate, but stops at `target_version` (1 to kSchemaVersion): for
// tests that need a database as an older build left it.
absl::Status MigrateTo(Database& db, int target_version);

}  // namespace missions::registry::sqlite

#endif  // REGISTRY_SERVICE_STORAGE_SQLITE_SCHEMA_H_
