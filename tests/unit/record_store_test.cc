// The RecordStore conformance suite: every case runs on SQLite (a real
// file) and on PostgreSQL (a real throwaway server), with the backend in
// the test name (.../sqlite, .../postgresql). Commits, optimistic
// concurrency, history (as_of), audit, request ids, the relational
// projection, the change-feed wait and serialised concurrent commits, and
// the migration of a database an older build wrote.
#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "registry/v1/resources.pb.h"
#include "registry-service/storage/postgres_record_store.h"
#include "registry-service/storage/postgres_schema.h"
#include "registry-service/storage/sqlite_record_store.h"
#include "registry-service/storage/sqlite_schema.h"
#include "tests/integration/test_backends.h"

namespace missions::registry {
namespace {

namespace v1 = ::registry::v1;

template <typename T>
std::shared_ptr<T> Parse(const char* text) {
  auto message = std::make_shared<T>();
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, message.get())) << text;
  return message;
}

Mutation Create(ResourceKind kind, std::shared_ptr<google::protobuf::Message> after) {
  Mutation m;
  m.change = Change::kCreate;
  m.kind = kind;
  m.after = std::move(after);
  return m;
}

std::shared_ptr<v1::Region> Europe(const char* name_nl = "Europa") {
  auto region = std::make_shared<v1::Region>();
  region->set_name("regions/europe");
  (*region->mutable_display_name())["nl"] = name_nl;
  region->set_report_order(10);
  return region;
}

std::shared_ptr<v1::Mission> Eulex() {
  return Parse<v1::Mission>(R"pb(
    name: "missions/eulex" short_name: "EULEX" aliases: "EULEX Kosovo"
    location { key: "nl" value: "Kosovo" } countries: "XK"
    region: "regions/europe" report_order: 1
    lead_organization: LEAD_ORGANIZATION_EU kind: MISSION_KIND_INTERNATIONAL
    start_date { year: 2008 })pb");
}

class RecordStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto backend = testing::MakeTestBackend(GetParam());
    ASSERT_TRUE(backend.ok()) << backend.status();
    backend_ = std::move(*backend);
    Open();
  }
  void TearDown() override {
    store_.reset();
    backend_.reset();
  }
  void Open() {
    auto store = backend_->Open([this] { return Now(); });
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }
  absl::Time Now() {
    absl::MutexLock lock(&clock_mu_);
    return now_;
  }
  void Advance(absl::Duration by) {
    absl::MutexLock lock(&clock_mu_);
    now_ += by;
  }

  absl::StatusOr<int64_t> Commit(std::vector<Mutation> mutations,
                                 const std::string& request_id = "") {
    return CommitOn(*store_, std::move(mutations), request_id);
  }


 public:
  // The caller of Commit and CommitOn.
  static constexpr const char* kPrincipal = "dev-editor";
  static constexpr const char* kDisplayName = "Dev Editor";
  static constexpr const char* kPeer = "ipv4:127.0.0.1:1234";

  static absl::StatusOr<int64_t> CommitOn(RecordStore& store, std::vector<Mutation> mutations,
                                          const std::string& request_id = "") {
    return CommitAs(store, kPrincipal, kDisplayName, kPeer, std::move(mutations), request_id);
  }

  static absl::StatusOr<int64_t> CommitAs(RecordStore& store, const std::string& principal,
                                          const std::string& display_name,
                                          const std::string& peer,
                                          std::vector<Mutation> mutations,
                                          const std::string& request_id = "") {
    CommitInfo info;
    info.principal = principal;
    info.display_name = display_name;
    info.peer = peer;
    info.method = "Test";
    info.reason = "Kamerstuk 1";
    info.request_id = request_id;
    info.request_fingerprint = "fp";
    return store.Commit(mutations, info,
                        [](int64_t revision, const auto& stamped) -> absl::StatusOr<std::string> {
                          return absl::StrCat(revision, ":", stamped.size());
                        });
  }


 protected:
  // Runs a query on the database directly, as an analyst would.
  std::string Sql(const std::string& query) {
    absl::StatusOr<std::string> value = backend_->Sql(query);
    EXPECT_TRUE(value.ok()) << query << ": " << value.status();
    return value.ok() ? *value : "";
  }

  // Runs a statement directly; returns the database's error message or "".
  std::string SqlError(const std::string& statement) {
    absl::StatusOr<std::string> value = backend_->Sql(statement);
    return value.ok() ? "" : std::string(value.status().message());
  }

  absl::Mutex clock_mu_;
  absl::Time now_ ABSL_GUARDED_BY(clock_mu_) = absl::FromUnixSeconds(1600000000);
  std::unique_ptr<testing::TestBackend> backend_;
  std::unique_ptr<RecordStore> store_;
};

TEST_P(RecordStoreTest, CommitStampsOutputFieldsAndAdvancesTheRevision) {
  EXPECT_EQ(*store_->CurrentRevision(), 0);
  auto revision = Commit({Create(ResourceKind::kRegion, Europe()),
                          Create(ResourceKind::kMission, Eulex())});
  ASSERT_TRUE(revision.ok()) << revision.status();
  EXPECT_EQ(*revision, 1);
  auto stored = store_->Get("missions/eulex", 0);
  ASSERT_TRUE(stored.ok()) << stored.status();
  const auto& mission = static_cast<const v1::Mission&>(*stored->message);
  EXPECT_EQ(mission.etag(), "r1");
  EXPECT_EQ(mission.create_time().seconds(), 1600000000);
  EXPECT_EQ(mission.update_time().seconds(), 1600000000);
  EXPECT_FALSE(mission.has_delete_time());
  EXPECT_EQ(stored->revision, 1);
  EXPECT_FALSE(stored->deleted);
  v1::Mission expected = *Eulex();
  expected.set_etag("r1");
  *expected.mutable_create_time() = mission.create_time();
  *expected.mutable_update_time() = mission.update_time();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(mission, expected));
  EXPECT_TRUE(absl::IsNotFound(store_->Get("missions/nope", 0).status()));
}

TEST_P(RecordStoreTest, FailedCommitStoresNothing) {
  ASSERT_TRUE(Commit({Create(ResourceKind::kRegion, Europe())}).ok());
  auto asia = std::make_shared<v1::Region>();
  asia->set_name("regions/asia");
  auto status = Commit({Create(ResourceKind::kRegion, asia),
                        Create(ResourceKind::kRegion, Europe())});
  EXPECT_TRUE(absl::IsAlreadyExists(status.status())) << status.status();
  EXPECT_TRUE(absl::IsNotFound(store_->Get("regions/asia", 0).status()));
  EXPECT_EQ(*store_->CurrentRevision(), 1);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM revisions"), "1");
}

TEST_P(RecordStoreTest, StaleExpectedRevisionIsAbortedAndChangesNothing) {
  ASSERT_TRUE(Commit({Create(ResourceKind::kRegion, Europe())}).ok());
  Mutation update;
  update.change = Change::kUpdate;
  update.kind = ResourceKind::kRegion;
  update.after = Europe("Europa (bijgewerkt)");
  update.expected_revision = 1;
  update.fields = {"display_name"};
  ASSERT_TRUE(Commit({update}).ok());
  // A second writer that also read revision 1 loses.
  update.after = Europe("Europa (ander)");
  auto stale = Commit({update});
  EXPECT_TRUE(absl::IsAborted(stale.status())) << stale.status();
  auto stored = store_->Get("regions/europe", 0);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(static_cast<const v1::Region&>(*stored->message).display_name().at("nl"),
            "Europa (bijgewerkt)");
  // Create time survives updates.
  EXPECT_EQ(static_cast<const v1::Region&>(*stored->message).create_time().seconds(),
            1600000000);
}

TEST_P(RecordStoreTest, HistoryAnswersAsOfReads) {
  ASSERT_TRUE(Commit({Create(ResourceKind::kRegion, Europe())}).ok());
  Advance(absl::Hours(1));
  Mutation update;
  update.change = Change::kUpdate;
  update.kind = ResourceKind::kRegion;
  update.after = Europe("Europa 2");
  ASSERT_TRUE(Commit({update}).ok());
  Advance(absl::Hours(1));
  Mutation remove;
  remove.change = Change::kDelete;
  remove.kind = ResourceKind::kRegion;
  remove.after = Europe("Europa 2");
  ASSERT_TRUE(Commit({remove}).ok());

  const auto name_at = [&](int64_t revision) {
    auto stored = store_->Get("regions/europe", revision);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return static_cast<const v1::Region&>(*stored->message).display_name().at("nl");
  };
  EXPECT_EQ(name_at(1), "Europa");
  EXPECT_EQ(name_at(2), "Europa 2");
  auto current = store_->Get("regions/europe", 0);
  ASSERT_TRUE(current.ok());
  EXPECT_TRUE(current->deleted);
  EXPECT_TRUE(static_cast<const v1::Region&>(*current->message).has_delete_time());
  auto listed = store_->List(ResourceKind::kRegion, "", 1);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_FALSE((*listed)[0].deleted);
  // Times map to revisions.
  EXPECT_EQ(*store_->RevisionAt(absl::FromUnixSeconds(1600000000) - absl::Seconds(1)), 0);
  EXPECT_EQ(*store_->RevisionAt(absl::FromUnixSeconds(1600000000) + absl::Minutes(90)), 2);
  EXPECT_EQ(*store_->RevisionAt(absl::FromUnixSeconds(1700000000)), 3);
}

TEST_P(RecordStoreTest, AuditRecordsEveryMutationAndIsAppendOnly) {
  ASSERT_TRUE(Commit({Create(ResourceKind::kRegion, Europe()),
                      Create(ResourceKind::kMission, Eulex())})
                  .ok());
  Mutation update;
  update.change = Change::kUpdate;
  update.kind = ResourceKind::kRegion;
  update.after = Europe("Europa 2");
  update.fields = {"display_name"};
  ASSERT_TRUE(Commit({update}).ok());

  AuditQuery all;
  auto events = store_->ReadAudit(all);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].resource, "regions/europe");
  EXPECT_EQ((*events)[0].change, Change::kCreate);
  EXPECT_TRUE((*events)[0].before.empty());
  EXPECT_EQ((*events)[2].change, Change::kUpdate);
  EXPECT_EQ((*events)[2].fields, std::vector<std::string>{"display_name"});
  EXPECT_EQ((*events)[2].principal, "dev-editor");
  EXPECT_EQ((*events)[2].display_name, "Dev Editor");
  EXPECT_EQ((*events)[2].peer, "ipv4:127.0.0.1:1234");
  EXPECT_EQ((*events)[2].reason, "Kamerstuk 1");
  v1::Region before, after;
  ASSERT_TRUE(before.ParseFromString((*events)[2].before));
  ASSERT_TRUE(after.ParseFromString((*events)[2].after));
  EXPECT_EQ(before.display_name().at("nl"), "Europa");
  EXPECT_EQ(after.display_name().at("nl"), "Europa 2");

  AuditQuery by_resource;
  by_resource.resource = "missions/";
  EXPECT_EQ(store_->ReadAudit(by_resource)->size(), 1u);
  AuditQuery after_revision;
  after_revision.after_revision = 1;
  EXPECT_EQ(store_->ReadAudit(after_revision)->size(), 1u);

  // Principal, display name and peer are kept apart, and ReadAudit filters
  // by principal (never by peer or display name).
  auto asia = std::make_shared<v1::Region>();
  asia->set_name("regions/asia");
  ASSERT_TRUE(CommitAs(*store_, "uri:spiffe://missions.local/report-server", "",
                       "ipv6:[::1]:50123", {Create(ResourceKind::kRegion, asia)})
                  .ok());
  AuditQuery by_principal;
  by_principal.principal = "uri:spiffe://missions.local/report-server";
  auto by_service = store_->ReadAudit(by_principal);
  ASSERT_TRUE(by_service.ok()) << by_service.status();
  ASSERT_EQ(by_service->size(), 1u);
  EXPECT_EQ((*by_service)[0].resource, "regions/asia");
  EXPECT_EQ((*by_service)[0].principal, "uri:spiffe://missions.local/report-server");
  EXPECT_EQ((*by_service)[0].display_name, "");
  EXPECT_EQ((*by_service)[0].peer, "ipv6:[::1]:50123");
  by_principal.principal = "dev-editor";
  auto by_editor = store_->ReadAudit(by_principal);
  ASSERT_TRUE(by_editor.ok()) << by_editor.status();
  EXPECT_EQ(by_editor->size(), 3u);
  for (const AuditRecord& e : *by_editor) EXPECT_EQ(e.peer, "ipv4:127.0.0.1:1234");
  by_principal.principal = "ipv4:127.0.0.1:1234";
  EXPECT_TRUE(store_->ReadAudit(by_principal)->empty());
  by_principal.principal = "Dev Editor";
  EXPECT_TRUE(store_->ReadAudit(by_principal)->empty());
  // As an analyst sees them: `actor` holds the principal.
  EXPECT_EQ(Sql("SELECT actor || '|' || principal_display_name || '|' || peer FROM revisions "
                "WHERE revision = 1"),
            "dev-editor|Dev Editor|ipv4:127.0.0.1:1234");

  // The database itself refuses to alter the audit log.
  EXPECT_NE(SqlError("UPDATE audit_events SET resource = 'x'").find("append-only"),
            std::string::npos);
  EXPECT_NE(SqlError("DELETE FROM audit_events").find("append-only"), std::string::npos);
  EXPECT_NE(SqlError("DELETE FROM revisions").find("append-only"), std::string::npos);
  EXPECT_NE(SqlError("UPDATE revisions SET peer = 'x'").find("append-only"), std::string::npos);
  EXPECT_NE(SqlError("UPDATE revisions SET actor = 'x'").find("append-only"), std::string::npos);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM audit_events"), "4");
}

TEST_P(RecordStoreTest, RequestIdsAreRememberedWithTheResponse) {
  ASSERT_TRUE(Commit({Create(ResourceKind::kRegion, Europe())}, "req-1").ok());
  auto found = store_->FindRequest("req-1");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->response, "1:1");
  EXPECT_EQ((*found)->revision, 1);
  EXPECT_EQ((*found)->fingerprint, "fp");
  EXPECT_FALSE(store_->FindRequest("req-2")->has_value());
  auto asia = std::make_shared<v1::Region>();
  asia->set_name("regions/asia");
  auto reused = Commit({Create(ResourceKind::kRegion, asia)}, "req-1");
  EXPECT_TRUE(absl::IsAlreadyExists(reused.status())) << reused.status();
  EXPECT_TRUE(absl::IsNotFound(store_->Get("regions/asia", 0).status()));
}

TEST_P(RecordStoreTest, ProjectionFollowsTheCurrentState) {
  ASSERT_TRUE(Commit({Create(ResourceKind::kRegion, Europe()),
                      Create(ResourceKind::kMission, Eulex())})
                  .ok());
  EXPECT_EQ(Sql("SELECT short_name || ' ' || region FROM missions"), "EULEX regions/europe");
  EXPECT_EQ(Sql("SELECT alias FROM mission_aliases"), "EULEX Kosovo");
  EXPECT_EQ(Sql("SELECT text FROM localized_texts WHERE resource = 'missions/eulex' "
                "AND field = 'location' AND language = 'nl'"),
            "Kosovo");
  Mutation update;
  update.change = Change::kUpdate;
  update.kind = ResourceKind::kMission;
  update.after = Eulex();
  static_cast<v1::Mission&>(*update.after).set_short_name("EULEX Kosovo");
  ASSERT_TRUE(Commit({update}).ok());
  EXPECT_EQ(Sql("SELECT short_name FROM missions"), "EULEX Kosovo");
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM mission_aliases"), "1");
  Mutation remove = update;
  remove.change = Change::kDelete;
  ASSERT_TRUE(Commit({remove}).ok());
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM missions"), "0");
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM localized_texts WHERE resource = 'missions/eulex'"), "0");
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM resources WHERE deleted = 1"), "1");
}

TEST_P(RecordStoreTest, RecordsSurviveReopenAndSchemaIsRecorded) {
  ASSERT_TRUE(Commit({Create(ResourceKind::kRegion, Europe())}).ok());
  store_.reset();
  Open();
  EXPECT_TRUE(store_->Get("regions/europe", 0).ok());
  EXPECT_EQ(*store_->CurrentRevision(), 1);
  EXPECT_EQ(Sql("SELECT MAX(version) FROM schema_version"), "2");
  if (GetParam() == testing::kSqlite) {
    EXPECT_EQ(Sql("PRAGMA journal_mode"), "wal");
  }
}

TEST_P(RecordStoreTest, WaitForRevisionAfterWakesOnCommit) {
  std::thread writer([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_TRUE(Commit({Create(ResourceKind::kRegion, Europe())}).ok());
  });
  const int64_t seen = store_->WaitForRevisionAfter(0, absl::Now() + absl::Seconds(10));
  writer.join();
  EXPECT_EQ(seen, 1);
  // Times out when nothing happens.
  EXPECT_EQ(store_->WaitForRevisionAfter(1, absl::Now() + absl::Milliseconds(20)), 1);
}

TEST_P(RecordStoreTest, NewerSchemaIsRefused) {
  store_.reset();
  EXPECT_EQ(SqlError("INSERT INTO schema_version(version) VALUES (99)"), "");
  auto reopened = backend_->Open();
  EXPECT_TRUE(absl::IsFailedPrecondition(reopened.status())) << reopened.status();
}

// A database at schema version 1 (before principals), with rows as that
// build wrote them: it opens, migrates to version 2 and keeps its rows; the
// old `actor` (then the peer address) is copied into `peer` and stays the
// principal; the audit log stays append-only and new commits record all
// three.
TEST_P(RecordStoreTest, VersionOneDatabaseMigratesKeepingItsRows) {
  auto old_backend = testing::MakeTestBackend(GetParam());
  ASSERT_TRUE(old_backend.ok()) << old_backend.status();
  testing::TestBackend& old = **old_backend;
  if (GetParam() == testing::kSqlite) {
    const std::string spec = old.Spec();
    ASSERT_TRUE(absl::StartsWith(spec, "sqlite:")) << spec;
    auto db = sqlite::Database::Open(spec.substr(7));
    ASSERT_TRUE(db.ok()) << db.status();
    const absl::Status migrated = sqlite::MigrateTo(**db, 1);
    ASSERT_TRUE(migrated.ok()) << migrated;
  } else {
    auto db = pg::Connection::Open(old.Spec());
    ASSERT_TRUE(db.ok()) << db.status();
    const absl::Status migrated = pg::MigrateTo(**db, 1);
    ASSERT_TRUE(migrated.ok()) << migrated;
  }
  const auto old_sql = [&](const std::string& statement) {
    absl::StatusOr<std::string> value = old.Sql(statement);
    EXPECT_TRUE(value.ok()) << statement << ": " << value.status();
    return value.ok() ? *value : "";
  };
  ASSERT_EQ(old_sql("SELECT MAX(version) FROM schema_version"), "1");
  // What the version 1 build stored for an import of one region.
  v1::Region europe = *Europe();
  europe.set_etag("r1");
  europe.mutable_create_time()->set_seconds(1600000000);
  europe.mutable_update_time()->set_seconds(1600000000);
  const std::string hex = absl::BytesToHexString(europe.SerializeAsString());
  const std::string body =
      GetParam() == testing::kSqlite ? absl::StrCat("X'", hex, "'")
                                     : absl::StrCat("decode('", hex, "', 'hex')");
  const std::string kind(KindId(ResourceKind::kRegion));
  const std::string old_peer = "ipv4:127.0.0.1:52538";
  old_sql(absl::StrCat("INSERT INTO revisions(revision, commit_time, commit_time_us, actor, "
                       "method, reason, request_id) VALUES (1, '2020-09-13T12:26:40Z', "
                       "1600000000000000, '", old_peer, "', 'ImportDataset', 'Kamerstuk 1', "
                       "'req-1')"));
  old_sql(absl::StrCat("INSERT INTO resources(name, kind, body, deleted, revision) VALUES "
                       "('regions/europe', '", kind, "', ", body, ", 0, 1)"));
  old_sql(absl::StrCat("INSERT INTO resource_versions(name, revision, kind, body, deleted) "
                       "VALUES ('regions/europe', 1, '", kind, "', ", body, ", 0)"));
  old_sql(absl::StrCat("INSERT INTO audit_events(revision, resource, kind, change, fields, "
                       "before, after) VALUES (1, 'regions/europe', '", kind, "', 'CREATE', "
                       "'', NULL, ", body, ")"));
  old_sql("INSERT INTO regions(name, report_order) VALUES ('regions/europe', 10)");

  auto opened = old.Open([this] { return Now(); });
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<RecordStore> store = std::move(*opened);
  EXPECT_EQ(old_sql("SELECT MAX(version) FROM schema_version"), "2");
  EXPECT_EQ(*store->CurrentRevision(), 1);
  auto stored = store->Get("regions/europe", 0);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(static_cast<const v1::Region&>(*stored->message).etag(), "r1");
  auto events = store->ReadAudit(AuditQuery());
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].principal, old_peer);
  EXPECT_EQ((*events)[0].peer, old_peer);
  EXPECT_EQ((*events)[0].display_name, "");
  EXPECT_EQ((*events)[0].method, "ImportDataset");
  EXPECT_EQ((*events)[0].reason, "Kamerstuk 1");
  EXPECT_EQ((*events)[0].request_id, "req-1");
  EXPECT_EQ((*events)[0].time, absl::FromUnixSeconds(1600000000));
  EXPECT_EQ((*events)[0].after, europe.SerializeAsString());
  EXPECT_EQ(old_sql("SELECT actor || '|' || principal_display_name || '|' || peer FROM "
                    "revisions"),
            absl::StrCat(old_peer, "||", old_peer));

  // Still append-only, with the new columns too.
  for (const char* statement : {"UPDATE revisions SET peer = 'x'",
                                "UPDATE revisions SET actor = 'x'",
                                "DELETE FROM revisions",
                                "UPDATE audit_events SET resource = 'x'",
                                "DELETE FROM audit_events"}) {
    absl::StatusOr<std::string> refused = old.Sql(statement);
    EXPECT_FALSE(refused.ok()) << statement;
    EXPECT_TRUE(absl::StrContains(refused.status().message(), "append-only"))
        << statement << ": " << refused.status();
  }

  // New commits record principal, display name and peer apart.
  Mutation update;
  update.change = Change::kUpdate;
  update.kind = ResourceKind::kRegion;
  update.after = Europe("Europa 2");
  update.fields = {"display_name"};
  auto revision = CommitOn(*store, {update});
  ASSERT_TRUE(revision.ok()) << revision.status();
  EXPECT_EQ(*revision, 2);
  AuditQuery by_principal;
  by_principal.principal = "dev-editor";
  auto by_editor = store->ReadAudit(by_principal);
  ASSERT_TRUE(by_editor.ok()) << by_editor.status();
  ASSERT_EQ(by_editor->size(), 1u);
  EXPECT_EQ((*by_editor)[0].revision, 2);
  EXPECT_EQ((*by_editor)[0].display_name, "Dev Editor");
  EXPECT_EQ((*by_editor)[0].peer, "ipv4:127.0.0.1:1234");
  by_principal.principal = old_peer;
  auto by_old = store->ReadAudit(by_principal);
  ASSERT_TRUE(by_old.ok()) << by_old.status();
  ASSERT_EQ(by_old->size(), 1u);
  EXPECT_EQ((*by_old)[0].revision, 1);

  // Reopening finds nothing left to migrate.
  store.reset();
  auto reopened = old.Open([this] { return Now(); });
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(*(*reopened)->CurrentRevision(), 2);
  EXPECT_EQ(old_sql("SELECT COUNT(*) FROM schema_version"), "2");
}

TEST_P(RecordStoreTest, UnreachableStorageIsUnavailable) {
  absl::Status status =
      GetParam() == testing::kSqlite
          ? SqliteRecordStore::Open("/nonexistent-dir/registry.db").status()
          : PostgresRecordStore::Open("postgresql:///registry?host=/nonexistent-dir").status();
  EXPECT_TRUE(absl::IsUnavailable(status)) << status;
  EXPECT_TRUE(store_->Ping().ok());
}

TEST_P(RecordStoreTest, SecretsAreCreatedOnceAndKept) {
  auto first = store_->Secret("page-token");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->size(), 32u);
  EXPECT_EQ(*store_->Secret("page-token"), *first);
  EXPECT_NE(*store_->Secret("other"), *first);
  store_.reset();
  Open();
  EXPECT_EQ(*store_->Secret("page-token"), *first);
}

TEST_P(RecordStoreTest, ConcurrentCommitsGetOneGapFreeRevisionEach) {
  // On PostgreSQL the writers use two stores, as two replicas would.
  std::unique_ptr<RecordStore> second;
  if (GetParam() == testing::kPostgresql) {
    auto opened = backend_->Open([this] { return Now(); });
    ASSERT_TRUE(opened.ok()) << opened.status();
    second = std::move(*opened);
  }
  constexpr int kThreads = 4;
  constexpr int kCommits = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    RecordStore& store = (second != nullptr && t % 2 == 1) ? *second : *store_;
    writers.emplace_back([&store, &failures, t] {
      for (int i = 0; i < kCommits; ++i) {
        auto region = std::make_shared<v1::Region>();
        region->set_name(absl::StrCat("regions/r", t, "x", i));
        if (!CommitOn(store, {Create(ResourceKind::kRegion, region)}).ok()) ++failures;
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*store_->CurrentRevision(), kThreads * kCommits);
  AuditQuery all;
  all.limit = 1000;
  auto events = store_->ReadAudit(all);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), static_cast<size_t>(kThreads * kCommits));
  // Event ids and revisions rise together: 1, 2, ... without gaps.
  for (size_t i = 0; i < events->size(); ++i) {
    EXPECT_EQ((*events)[i].revision, static_cast<int64_t>(i) + 1);
  }
  EXPECT_EQ(Sql("SELECT COUNT(DISTINCT revision) FROM revisions"), "40");
}

INSTANTIATE_TEST_SUITE_P(Conformance, RecordStoreTest,
                         ::testing::Values(std::string(testing::kSqlite),
                                           std::string(testing::kPostgresql)),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

// PostgreSQL only: replicas on one database.
TEST(PostgresReplicasTest, WaitForRevisionAfterSeesCommitsOfAnotherStore) {
  auto backend = testing::MakeTestBackend(testing::kPostgresql);
  ASSERT_TRUE(backend.ok()) << backend.status();
  auto follower = (*backend)->Open();
  auto writer = (*backend)->Open();
  ASSERT_TRUE(follower.ok() && writer.ok());
  std::thread commit([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(RecordStoreTest::CommitOn(**writer, {Create(ResourceKind::kRegion, Europe())})
                    .ok());
  });
  const absl::Time start = absl::Now();
  const int64_t seen = (*follower)->WaitForRevisionAfter(0, start + absl::Seconds(10));
  commit.join();
  EXPECT_EQ(seen, 1);
  // Woken by the notification, not by the deadline.
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  auto read = (*follower)->Get("regions/europe", 0);
  EXPECT_TRUE(read.ok()) << read.status();
}

}  // namespace
}  // namespace missions::registry
