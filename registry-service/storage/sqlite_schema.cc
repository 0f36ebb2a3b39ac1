#include "registry-service/storage/sqlite_schema.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "proto/common/status_macros.h"

namespace missions::registry::sqlite {
namespace {

// Migration N (1-based) brings the schema from version N-1 to N. Never edit
// a released migration; append a new one.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {
    // 1: the initial schema.
    R"sql(
CREATE TABLE regions (
  name          TEXT PRIMARY KEY,            -- regions/{region}
  report_order  INTEGER NOT NULL
);
CREATE TABLE clusters (
  name          TEXT PRIMARY KEY,            -- regions/{region}/clusters/{cluster}
  region        TEXT NOT NULL REFERENCES regions(name),
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
  region                    TEXT NOT NULL REFERENCES regions(name),
  cluster                   TEXT REFERENCES clusters(name),
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
  mission   TEXT NOT NULL REFERENCES missions(name),
  position  INTEGER NOT NULL,
  alias     TEXT NOT NULL,
  PRIMARY KEY (mission, position)
);
CREATE TABLE mission_countries (
  mission   TEXT NOT NULL REFERENCES missions(name),
  position  INTEGER NOT NULL,
  country   TEXT NOT NULL,                   -- ISO 3166-1 alpha-2
  PRIMARY KEY (mission, position)
);
CREATE TABLE international_mandate_decisions (
  name              TEXT PRIMARY KEY,
  mission           TEXT NOT NULL REFERENCES missions(name),
  decided_on        TEXT,
  valid_until_kind  TEXT NOT NULL,           -- DATE, INDEFINITE, PER_ACTIVITY
  valid_until_date  TEXT,
  source            TEXT
);
CREATE INDEX international_mandate_decisions_by_mission
  ON international_mandate_decisions(mission);
CREATE TABLE legal_instruments (
  decision   TEXT NOT NULL REFERENCES international_mandate_decisions(name),
  position   INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  reference  TEXT,
  PRIMARY KEY (decision, position)
);
CREATE TABLE national_mandate_decisions (
  name              TEXT PRIMARY KEY,
  mission           TEXT NOT NULL REFERENCES missions(name),
  decided_on        TEXT,
  valid_until_kind  TEXT NOT NULL,
  valid_until_date  TEXT,
  cap_military      INTEGER,
  cap_civilian      INTEGER,
  cap_combined      INTEGER,
  cap_pool          TEXT REFERENCES cap_pools(name),
  reference         TEXT
);
CREATE INDEX national_mandate_decisions_by_mission
  ON national_mandate_decisions(mission);
CREATE TABLE personnel_figures (
  name      TEXT PRIMARY KEY,
  mission   TEXT NOT NULL REFERENCES missions(name),
  year      INTEGER NOT NULL,
  military  INTEGER NOT NULL,
  civilian  INTEGER NOT NULL,
  UNIQUE (mission, year)
);
CREATE TABLE postings (
  name      TEXT PRIMARY KEY,
  mission   TEXT NOT NULL REFERENCES missions(name),
  year      INTEGER NOT NULL,
  place     TEXT,
  category  TEXT NOT NULL,
  count     INTEGER NOT NULL
);
CREATE INDEX postings_by_mission ON postings(mission, year);
CREATE TABLE financial_contributions (
  name           TEXT PRIMARY KEY,
  mission        TEXT NOT NULL REFERENCES missions(name),
  currency_code  TEXT NOT NULL,
  units          INTEGER NOT NULL,
  nanos          INTEGER NOT NULL,
  annual         INTEGER NOT NULL,           -- 0 or 1
  first_year     INTEGER NOT NULL,
  last_year      INTEGER                     -- NULL: open-ended
);
CREATE INDEX financial_contributions_by_mission
  ON financial_contributions(mission);
CREATE TABLE narratives (
  name               TEXT PRIMARY KEY,
  mission            TEXT NOT NULL REFERENCES missions(name),
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
  year      INTEGER NOT NULL REFERENCES report_years(year),
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
  body      BLOB NOT NULL,                   -- the message, output fields set
  deleted   INTEGER NOT NULL,                -- 1: soft-deleted
  revision  INTEGER NOT NULL                 -- revision of the last change
);
CREATE INDEX resources_by_kind ON resources(kind, name);
CREATE TABLE resource_versions (
  name      TEXT NOT NULL,
  revision  INTEGER NOT NULL,
  kind      TEXT NOT NULL,
  body      BLOB NOT NULL,
  deleted   INTEGER NOT NULL,
  PRIMARY KEY (name, revision)
);
CREATE INDEX resource_versions_by_kind ON resource_versions(kind, name, revision);
-- One row per committed change set; the registry revision is its key.
CREATE TABLE revisions (
  revision        INTEGER PRIMARY KEY,       -- 1, 2, 3, ...
  commit_time     TEXT NOT NULL,             -- UTC, RFC 3339
  commit_time_us  INTEGER NOT NULL,          -- microseconds since 1970
  actor           TEXT NOT NULL,             -- the caller as the transport reports it
  method          TEXT NOT NULL,             -- API method, e.g. 'UpdateMission'
  reason          TEXT NOT NULL,             -- the caller's reason, may be ''
  request_id      TEXT NOT NULL              -- the caller's request_id, may be ''
);
CREATE INDEX revisions_by_time ON revisions(commit_time_us);
-- The audit log: one row per resource changed by a revision. Append-only.
CREATE TABLE audit_events (
  id        INTEGER PRIMARY KEY,
  revision  INTEGER NOT NULL REFERENCES revisions(revision),
  resource  TEXT NOT NULL,
  kind      TEXT NOT NULL,
  change    TEXT NOT NULL,                   -- CREATE, UPDATE, DELETE, UNDELETE
  fields    TEXT NOT NULL,                   -- changed fields, comma-separated
  before    BLOB,                            -- NULL for CREATE
  after     BLOB NOT NULL
);
CREATE INDEX audit_events_by_resource ON audit_events(resource, id);
CREATE INDEX audit_events_by_revision ON audit_events(revision, id);
CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER revisions_append_only_update BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER revisions_append_only_delete BEFORE DELETE ON revisions
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- Keys of the service (page token signing), created on first use.
CREATE TABLE secrets (
  name   TEXT PRIMARY KEY,
  value  BLOB NOT NULL
);
-- Requests with a request_id: a retry returns the stored response.
CREATE TABLE requests (
  request_id   TEXT PRIMARY KEY,
  method       TEXT NOT NULL,
  fingerprint  TEXT NOT NULL,
  revision     INTEGER NOT NULL REFERENCES revisions(revision),
  response     BLOB NOT NULL
);
)sql",
    // 2: who committed a revision, in three parts (authentication). The
    // column `actor` now holds the authenticated principal (e.g.
    // 'dev-editor', 'anonymous'); new columns hold the principal's display
    // name and the transport peer address. Revisions written before held
    // the peer address in `actor`: it is copied into `peer` and stays in
    // `actor`. The append-only trigger would refuse the copy, so it is
    // dropped for it and created again in this migration's transaction.
    R"sql(
ALTER TABLE revisions ADD COLUMN principal_display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE revisions ADD COLUMN peer TEXT NOT NULL DEFAULT '';
DROP TRIGGER revisions_append_only_update;
UPDATE revisions SET peer = actor;
CREATE TRIGGER revisions_append_only_update BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql",
};

}  // namespace

absl::Status Migrate(Database& db) { return MigrateTo(db, kSchemaVersion); }

absl::Status MigrateTo(Database& db, int target_version) {
  if (target_version < 1 || target_version > kSchemaVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("no schema version ", target_version));
  }
  RETURN_IF_ERROR(db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      " version INTEGER PRIMARY KEY,"
      " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"));
  int version = 0;
  {
    ASSIGN_OR_RETURN(Statement current,
                     db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
    ASSIGN_OR_RETURN(bool has_row, current.Step());
    if (has_row) version = static_cast<int>(current.Int(0));
  }
  if (version > kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database schema version ", version, " is newer than this build's (",
        kSchemaVersion, "); upgrade registry-server"));
  }
  for (int next = version + 1; next <= target_version; ++next) {
    RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    absl::Status status = db.Exec(kMigrations[next - 1]);
    if (status.ok()) {
      status = db.Exec(
          absl::StrCat("INSERT INTO schema_version(version) VALUES (", next, ")"));
    }
    if (!status.ok()) {
      db.Exec("ROLLBACK").IgnoreError();
      return absl::Status(status.code(),
                          absl::StrCat("schema migration ", next, " failed: ",
                                       status.message()));
    }
    RETURN_IF_ERROR(db.Exec("COMMIT"));
  }
  return absl::OkStatus();
}

}  // namespace missions::registry::sqlite
