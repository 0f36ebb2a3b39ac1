#include "tests/integration/test_backends.h"

#include <sqlite3.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "proto/common/status_macros.h"
#include "registry-service/storage/postgres_record_store.h"
#include "registry-service/storage/sqlite_record_store.h"
#include "tests/integration/child_process.h"
#include "tests/integration/postgres_server.h"

namespace missions::testing {
namespace {

class SqliteBackend final : public TestBackend {
 public:
  explicit SqliteBackend(std::string dir) : dir_(std::move(dir)), path_(dir_ + "/registry.db") {}
  ~SqliteBackend() override { std::filesystem::remove_all(dir_); }

  std::string name() const override { return kSqlite; }
  std::string Spec() const override { return absl::StrCat("sqlite:", path_); }

  absl::StatusOr<std::unique_ptr<registry::RecordStore>> Open(
      std::function<absl::Time()> clock) override {
    ASSIGN_OR_RETURN(auto store, registry::SqliteRecordStore::Open(path_, std::move(clock)));
    return std::unique_ptr<registry::RecordStore>(std::move(store));
  }

  absl::StatusOr<std::string> Sql(const std::string& query) override {
    sqlite3* db = nullptr;
    if (sqlite3_open(path_.c_str(), &db) != SQLITE_OK) {
      sqlite3_close(db);
      return absl::UnavailableError("cannot open " + path_);
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    absl::StatusOr<std::string> value = std::string();
    int rc = sqlite3_prepare_v2(db, query.c_str(), -1, &stmt, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      if (sqlite3_column_text(stmt, 0) != nullptr) {
        value = std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
      }
    } else if (rc != SQLITE_DONE) {
      value = absl::FailedPreconditionError(sqlite3_errmsg(db));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
  }

 private:
  std::string dir_;
  std::string path_;
};

class PostgresBackend final : public TestBackend {
 public:
  PostgresBackend(PostgresServer* server, std::string database)
      : server_(server), database_(std::move(database)) {}
  ~PostgresBackend() override {
    server_->Query("postgres", absl::StrCat("DROP DATABASE IF EXISTS ", database_,
                                            " WITH (FORCE)"))
        .IgnoreError();
  }

  std::string name() const override { return kPostgresql; }
  std::string Spec() const override { return server_->Uri(database_); }

  absl::StatusOr<std::unique_ptr<registry::RecordStore>> Open(
      std::function<absl::Time()> clock) override {
    registry::PostgresRecordStore::Options options;
    options.clock = std::move(clock);
    ASSIGN_OR_RETURN(auto store, registry::PostgresRecordStore::Open(Spec(), options));
    return std::unique_ptr<registry::RecordStore>(std::move(store));
  }

  absl::StatusOr<std::string> Sql(const std::string& query) override {
    return server_->Query(database_, query);
  }

 private:
  PostgresServer* server_;
  std::string database_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<TestBackend>> MakeTestBackend(const std::string& name) {
  if (name == kSqlite) {
    const std::string dir = MakeTempDir();
    if (dir.empty()) return absl::InternalError("cannot create a temporary directory");
    return std::unique_ptr<TestBackend>(new SqliteBackend(dir));
  }
  if (name == kPostgresql) {
    ASSIGN_OR_RETURN(PostgresServer * server, PostgresServer::Shared());
    ASSIGN_OR_RETURN(std::string database, server->CreateDatabase());
    return std::unique_ptr<TestBackend>(new PostgresBackend(server, database));
  }
  return absl::InvalidArgumentError("unknown backend " + name);
}

}  // namespace missions::testing
