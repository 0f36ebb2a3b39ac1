#include "registry-service/storage/postgres_schema.h"

#include <array>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "proto/common/status_macros.h"

namespace missions::registry::pg {
namespace {

// The advisory lock key of migrations ("registry" in ASCII, as a number).
constexpr int64_t kMigrationLock = 0x7265676973747279;

// Migration N (1-based) brings the schema from version N-1 to N. Never edit
// a released migration; append a new one. Keep in step with SQLite's.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {
    // 1: the initial schema.
    R"sql(
CREATE TABLE regions (
  name          TEXT PRIMARY KEY,            -- regions/{region}
  report_order  INTEGER NOT NULL
);
CREATE TABLE clusters (
  name          TEXT PRIMARY KEY,            -- regions/{region}/clusters/{cluster}
  region        TEXT NOT NULL REFERENCES regions(name) DEFERRABLE INITIALLY DEFERRED,
  report_order  INTEGER NOT NULL
);
CREATE TABLE cap_pools (
  name          TEXT PRIMARY KEY,            -- capPools/{pool}
  cap_military  INTEGER,
  cap_civilian  INTEGER,
  cap_combined  INTEGER
);
CREATE TABLE missions (
  name                      TEXT PRIMARY KEY, -- missions/{mission}
  short_name                TEXT NOT NULL,
  region                    TEXT NOT NULL REFERENCES regions(name) DEFERRABLE INITIALLY DEFERRED,
  cluster                   TEXT REFERENCES clusters(name) DEFERRABLE INITIALLY DEFERRED,
  report_order              INTEGER NOT NULL,
  lead_organization         TEXT NOT NULL,
  kind                      TEXT NOT NULL,
  start_date                TEXT,            -- ISO, partial allowed
  end_date                  TEXT,            -- ISO, partial allowed
  dutch_participation_start TEXT,            -- ISO, partial allowed
  active_from               TEXT,            -- first day start_date covers
  active_until              TEXT,            -- last day end_date covers
  separate_reporting        TEXT             -- SeparateReportingKind name
);
CREATE INDEX missions_by_region ON missions(region);
CREATE TABLE mission_aliases (
  mission   TEXT NOT NULL REFERENCES missions(name) DEFERRABLE INITIALLY DEFERRED,
  position  INTEGER NOT NULL,
  alias     TEXT NOT NULL,
  PRIMARY KEY (mission, position)
);
CREATE TABLE mission_countries (
  mission   TEXT NOT NULL REFERENCES missions(name) DEFERRABLE INITIALLY DEFERRED,
  position  INTEGER NOT NULL,
  country   TEXT NOT NULL,                   -- ISO 3166-1 alpha-2
  PRIMARY KEY (mission, position)
);
CREATE TABLE international_mandate_decisions (
  name              TEXT PRIMARY KEY,
  mission           TEXT NOT NULL REFERENCES missions(name) DEFERRABLE INITIALLY DEFERRED,
  decided_on        TEXT,
  valid_until_kind  TEXT NOT NULL,           -- DATE, INDEFINITE, PER_ACTIVITY
  valid_until_date  TEXT,
  source            TEXT
);
CREATE INDEX international_mandate_decisions_by_mission
  ON international_mandate_decisions(mission);
CREATE TABLE legal_instruments (
  decision   TEXT NOT NULL REFERENCES international_mandate_decisions(name)
             DEFERRABLE INITIALLY DEFERRED,
  position   INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  reference  TEXT,
  PRIMARY KEY (decision, position)
);
CREATE TABLE national_mandate_decisions (
  name              TEXT PRIMARY KEY,
  mission           TEXT NOT NULL REFERENCES missions(name) DEFERRABLE INITIALLY DEFERRED,
  decided_on        TEXT,
  valid_until_kind  TEXT NOT NULL,
  valid_until_date  TEXT,
  cap_military      INTEGER,
  cap_civilian      INTEGER,
  cap_combined      INTEGER,
  cap_pool          TEXT REFERENCES cap_pools(name) DEFERRABLE INITIALLY DEFERRED,
  reference         TEXT
);
CREATE INDEX national_mandate_decisions_by_mission
  ON national_mandate_decisions(mission);
CREATE TABLE personnel_figures (
  name      TEXT PRIMARY KEY,
  mission   TEXT NOT NULL REFERENCES missions(name) DEFERRABLE INITIALLY DEFERRED,
  year      INTEGER NOT NULL,
  military  INTEGER NOT NULL,
  civilian  INTEGER NOT NULL,
  UNIQUE (mission, year)
);
CREATE TABLE postings (
  name      TEXT PRIMARY KEY,
  mission   TEXT NOT NULL REFERENCES missions(name) DEFERRABLE INITIALLY DEFERRED,
  year      INTEGER NOT NULL,
  place     TEXT,
  category  TEXT NOT NULL,
  count     INTEGER NOT NULL
);
CREATE INDEX postings_by_mission ON postings(mission, year);
CREATE TABLE financial_contributions (
  name           TEXT PRIMARY KEY,
  mission        TEXT NOT NULL REFERENCES missions(name) DEFERRABLE INITIALLY DEFERRED,
  currency_code  TEXT NOT NULL,
  units          BIGINT NOT NULL,
  nanos          INTEGER NOT NULL,
  annual         INTEGER NOT NULL,           -- 0 or 1
  first_year     INTEGER NOT NULL,
  last_year      INTEGER                     -- NULL: open-ended
);
CREATE INDEX financial_contributions_by_mission
  ON financial_contributions(mission);
CREATE TABLE narratives (
  name               TEXT PRIMARY KEY,
  mission            TEXT NOT NULL REFERENCES missions(name) DEFERRABLE INITIALLY DEFERRED,
  year               INTEGER NOT NULL,
  section            TEXT NOT NULL,
  contribution_kind  TEXT,
  language           TEXT NOT NULL,
  text               TEXT NOT NULL,
  UNIQUE (mission, year, section, language)
);
CREATE TABLE report_years (
  name              TEXT PRIMARY KEY,        -- reportYears/{year}
  year              INTEGER NOT NULL UNIQUE,
  publication_date  TEXT NOT NULL
);
CREATE TABLE report_texts (
  name      TEXT PRIMARY KEY,                -- reportYears/{year}/texts/{text}
  year      INTEGER NOT NULL REFERENCES report_years(year) DEFERRABLE INITIALLY DEFERRED,
  kind      TEXT NOT NULL,
  subject   TEXT,
  language  TEXT NOT NULL,
  text      TEXT NOT NULL
);
CREATE INDEX report_texts_by_year ON report_texts(year);
-- Texts per language of any resource. `field` is the proto field path
-- within the resource, e.g. 'display_name', 'valid_until.qualifier',
-- 'legal_basis[0].citation', 'cap.note'.
CREATE TABLE localized_texts (
  resource  TEXT NOT NULL,
  field     TEXT NOT NULL,
  language  TEXT NOT NULL,
  text      TEXT NOT NULL,
  PRIMARY KEY (resource, field, language)
);

-- The service's own tables. Every resource as a registry.v1 message
-- (protobuf binary), current state and full history.
CREATE TABLE resources (
  name      TEXT PRIMARY KEY,
  kind      TEXT NOT NULL,                   -- 'mission', 'posting', ...
  body      BYTEA NOT NULL,                  -- the message, output fields set
  deleted   INTEGER NOT NULL,                -- 1: soft-deleted
  revision  BIGINT NOT NULL,                 -- revision of the last change
  seq       BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE  -- creation order
);
CREATE INDEX resources_by_kind ON resources(kind, name);
CREATE TABLE resource_versions (
  name      TEXT NOT NULL,
  revision  BIGINT NOT NULL,
  kind      TEXT NOT NULL,
  body      BYTEA NOT NULL,
  deleted   INTEGER NOT NULL,
  PRIMARY KEY (name, revision)
);
CREATE INDEX resource_versions_by_kind ON resource_versions(kind, name, revision);
-- One row per committed change set; the registry revision is its key.
CREATE TABLE revisions (
  revision        BIGINT PRIMARY KEY,        -- 1, 2, 3, ...
  commit_time     TEXT NOT NULL,             -- UTC, RFC 3339
  commit_time_us  BIGINT NOT NULL,           -- microseconds since 1970
  actor           TEXT NOT NULL,             -- the caller as the transport reports it
  method          TEXT NOT NULL,             -- API method, e.g. 'UpdateMission'
  reason          TEXT NOT NULL,             -- the caller's reason, may be ''
  request_id      TEXT NOT NULL              -- the caller's request_id, may be ''
);
CREATE INDEX revisions_by_time ON revisions(commit_time_us);
-- The audit log: one row per resource changed by a revision. Append-only.
CREATE TABLE audit_events (
  id        BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  revision  BIGINT NOT NULL REFERENCES revisions(revision),
  resource  TEXT NOT NULL,
  kind      TEXT NOT NULL,
  change    TEXT NOT NULL,                   -- CREATE, UPDATE, DELETE, UNDELETE
  fields    TEXT NOT NULL,                   -- changed fields, comma-separated
  before    BYTEA,                           -- NULL for CREATE
  after     BYTEA NOT NULL
);
CREATE INDEX audit_events_by_resource ON audit_events(resource, id);
CREATE INDEX audit_events_by_revision ON audit_events(revision, id);
CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER revisions_append_only BEFORE UPDATE OR DELETE ON revisions
  FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER revisions_no_truncate BEFORE TRUNCATE ON revisions
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();
-- Keys of the service (page token signing), created on first use.
CREATE TABLE secrets (
  name   TEXT PRIMARY KEY,
  value  BYTEA NOT NULL
);
-- Requests with a request_id: a retry returns the stored response.
CREATE TABLE requests (
  request_id   TEXT PRIMARY KEY,
  method       TEXT NOT NULL,
  fingerprint  TEXT NOT NULL,
  revision     BIGINT NOT NULL REFERENCES revisions(revision),
  response     BYTEA NOT NULL
);
)sql",
    // 2: who committed a revision, in three parts (authentication), as in
    // SQLite's migration 2. The column `actor` now holds the authenticated
    // principal; new columns hold its display name and the transport peer
    // address. Revisions written before held the peer address in `actor`:
    // it is copied into `peer` and stays in `actor`. The append-only
    // trigger would refuse the copy: it is disabled for it and enabled
    // again in this migration's transaction (ALTER TABLE holds an ACCESS
    // EXCLUSIVE lock on revisions until the commit, so no other session
    // writes meanwhile).
    R"sql(
ALTER TABLE revisions
  ADD COLUMN principal_display_name TEXT NOT NULL DEFAULT '',
  ADD COLUMN peer TEXT NOT NULL DEFAULT '';
ALTER TABLE revisions DISABLE TRIGGER revisions_append_only;
UPDATE revisions SET peer = actor;
ALTER TABLE revisions ENABLE TRIGGER revisions_append_only;
COMMENT ON COLUMN revisions.actor IS
  'the authenticated principal (before schema version 2: the peer address)';
COMMENT ON COLUMN revisions.principal_display_name IS
  'the principal''s display name from its credentials; may be empty';
COMMENT ON COLUMN revisions.peer IS 'the caller''s transport address';
)sql",
};

absl::Status MigrateLocked(Connection& db, int target_version) {
  RETURN_IF_ERROR(db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      " version INTEGER PRIMARY KEY,"
      " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"));
  ASSIGN_OR_RETURN(Result current,
                   db.Query("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
  const int version = static_cast<int>(current.Int(0, 0));
  if (version > kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database schema version ", version, " is newer than this build's (",
        kSchemaVersion, "); upgrade registry-server"));
  }
  for (int next = version + 1; next <= target_version; ++next) {
    RETURN_IF_ERROR(db.Exec("BEGIN"));
    absl::Status status = db.Exec(kMigrations[next - 1]);
    if (status.ok()) {
      status = db.Exec(absl::StrCat("INSERT INTO schema_version(version) VALUES (", next, ")"));
    }
    if (status.ok()) status = db.Exec("COMMIT");
    if (!status.ok()) {
      db.Exec("ROLLBACK").IgnoreError();
      return absl::Status(status.code(), absl::StrCat("schema migration ", next,
                                                      " failed: ", status.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Migrate(Connection& db) { return MigrateTo(db, kSchemaVersion); }

absl::Status MigrateTo(Connection& db, int target_version) {
  if (target_version < 1 || target_version > kSchemaVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("no schema version ", target_version));
  }
  const absl::Time deadline = absl::Now() + absl::Minutes(1);
  while (true) {
    ASSIGN_OR_RETURN(Result locked, db.Query(absl::StrCat("SELECT pg_try_advisory_lock(",
                                                          kMigrationLock, ")")));
    if (locked.Text(0, 0) == "t") break;
    if (absl::Now() > deadline) {
      return absl::UnavailableError(
          "another registry-server has been migrating the schema for a minute");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  absl::Status status = MigrateLocked(db, target_version);
  absl::Status unlocked =
      db.Exec(absl::StrCat("SELECT pg_advisory_unlock(", kMigrationLock, ")"));
  return status.ok() ? unlocked : status;
}

}  // namespace missions::registry::pg
