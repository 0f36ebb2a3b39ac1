// A thin RAII layer over the SQLite C API: a connection and prepared
// statements that report errors as absl::Status. Not thread-safe; callers
// serialise access to one connection.
#ifndef REGISTRY_SERVICE_STORAGE_SQLITE_DB_H_
#define REGISTRY_SERVICE_STORAGE_SQLITE_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace missions::registry::sqlite {

// Converts an SQLite result code to a status: constraint violations become
// AlreadyExists (UNIQUE/PRIMARY KEY) or FailedPrecondition (others), busy
// and I/O errors Unavailable, everything else Internal.
absl::Status StatusFromSqlite(int rc, absl::string_view what,
                              absl::string_view detail);

class Statement;

// An open database connection.
class Database {
 public:
  // Opens (creating if needed) the database file at `path`. Returns
  // Unavailable if it cannot be opened.
  static absl::StatusOr<std::unique_ptr<Database>> Open(
      const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without results.
  absl::Status Exec(absl::string_view sql);
  // Prepares one statement. Prepared statements are cached per SQL text:
  // a Statement goes back to the cache (reset, bindings cleared) when it
  // is destroyed, and the next Prepare of the same text takes it instead
  // of compiling the SQL again. Not thread-safe, like the connection.
  absl::StatusOr<Statement> Prepare(absl::string_view sql);

  sqlite3* handle() { return db_; }

 private:
  friend class Statement;
  explicit Database(sqlite3* db) : db_(db) {}
  // Takes `stmt` back into the cache, or finalizes it if the cache holds
  // one of its text already.
  void Return(sqlite3_stmt* stmt);

  sqlite3* db_;
  absl::flat_hash_map<std::string, sqlite3_stmt*> cache_;
};

// A prepared statement. Bind indexes are 1-based, column indexes 0-based.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, absl::string_view value);
  // Binds NULL when `value` is unset.
  Statement& Bind(int index, std::optional<int64_t> value);
  Statement& BindNull(int index);
  // Binds bytes as a BLOB.
  Statement& BindBlob(int index, absl::string_view bytes);
  // Binds `value`, or NULL when it is empty.
  Statement& BindTextOrNull(int index, absl::string_view value);

  // Advances to the next row: true if there is one, false when done.
  absl::StatusOr<bool> Step();
  // Runs a statement that returns no rows.
  absl::Status Run();
  // Resets for another execution and clears bindings.
  void Reset();

  int64_t Int(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;
  std::optional<int64_t> OptionalInt(int column) const;

 private:
  friend class Database;
  Statement(Database* owner, sqlite3* db, sqlite3_stmt* stmt)
      : owner_(owner), db_(db), stmt_(stmt) {}
  // Gives the statement back to its database's cache.
  void Release();
  Database* owner_;
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_error_ = SQLITE_OK;
};

}  // namespace missions::registry::sqlite

#endif  // REGISTRY_SERVICE_STORAGE_SQLITE_DB_H_
