#include "registry-service/storage/sqlite_db.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace missions::registry::sqlite {
namespace {

// The database holds secrets (the page-token signing key): it and its -wal
// and -shm files are for their owner only, whatever the umask.
//
// SQLite creates -wal, -shm and -journal files with the permissions of the
// database file (os_unix.c, findCreateFileMode), so a database file that is
// 0600 before SQLite first opens it keeps all of them 0600. Only files that
// exist already (a database of an older build, the -wal and -shm a crashed
// or still running process left) need tightening.
//
// Nothing here opens and closes a database file that SQLite may be using:
// closing any descriptor of a file drops all of this process's POSIX locks
// on it, those of SQLite's other connections included.

// Whether `path` names a file (not ":memory:", not an SQLite URI).
bool IsFilePath(const std::string& path) {
  return !path.empty() && path != ":memory:" && !absl::StartsWith(path, "file:");
}

// Creates an empty `path`, readable and writable by its owner only, if it
// does not exist. Errors are left for sqlite3_open_v2 to report.
void CreateOwnerOnly(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0 || errno != ENOENT) return;
  // O_EXCL: if someone else creates it meanwhile, theirs is tightened below.
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                      S_IRUSR | S_IWUSR);
  if (fd >= 0) close(fd);
}

// Takes group and other permissions off `path` if it exists and has any.
void RestrictToOwner(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
      (st.st_mode & (S_IRWXG | S_IRWXO)) == 0) {
    return;
  }
  if (chmod(path.c_str(), st.st_mode & S_IRWXU) != 0) {
    // The path is not secret; the file's contents are what is at stake.
    std::fprintf(stderr,
                 "registry storage: warning: cannot restrict %s to its owner: %s\n",
                 path.c_str(), std::strerror(errno));
  }
}

}  // namespace

absl::Status StatusFromSqlite(int rc, absl::string_view what,
                              absl::string_view detail) {
  const std::string message = absl::StrCat(what, ": ", detail);
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return absl::OkStatus();
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
        return absl::AlreadyExistsError(message);
      }
      return absl::FailedPreconditionError(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_READONLY:
      return absl::UnavailableError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(
    const std::string& path) {
  const bool file = IsFilePath(path);
  if (file) CreateOwnerOnly(path);
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return absl::UnavailableError(
        absl::StrCat("cannot open SQLite database ", path, ": ", detail));
  }
  sqlite3_extended_result_codes(db, 1);
  if (file) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      RestrictToOwner(absl::StrCat(path, suffix));
    }
  }
  return std::unique_ptr<Database>(new Database(db));
}

Database::~Database() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

void Database::Return(sqlite3_stmt* stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  const char* sql = sqlite3_sql(stmt);
  if (sql == nullptr || !cache_.emplace(sql, stmt).second) sqlite3_finalize(stmt);
}

absl::Status Database::Exec(absl::string_view sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr,
                              &error);
  if (rc != SQLITE_OK) {
    std::string detail = error != nullptr ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    return StatusFromSqlite(sqlite3_extended_errcode(db_), "SQLite", detail);
  }
  return absl::OkStatus();
}

absl::StatusOr<Statement> Database::Prepare(absl::string_view sql) {
  if (auto cached = cache_.find(sql); cached != cache_.end()) {
    sqlite3_stmt* stmt = cached->second;
    cache_.erase(cached);
    return Statement(this, db_, stmt);
  }
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(),
                                    static_cast<int>(sql.size()), &stmt,
                                    nullptr);
  if (rc != SQLITE_OK) {
    return StatusFromSqlite(rc, "SQLite prepare", sqlite3_errmsg(db_));
  }
  return Statement(this, db_, stmt);
}

Statement::Statement(Statement&& other) noexcept
    : owner_(other.owner_),
      db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_error_(other.bind_error_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = other.owner_;
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_error_ = other.bind_error_;
  }
  return *this;
}

Statement::~Statement() { Release(); }

void Statement::Release() {
  if (stmt_ == nullptr) return;
  if (owner_ != nullptr) {
    owner_->Return(std::exchange(stmt_, nullptr));
  } else {
    sqlite3_finalize(std::exchange(stmt_, nullptr));
  }
}

Statement& Statement::Bind(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::Bind(int index, absl::string_view value) {
  const int rc = sqlite3_bind_text(stmt_, index, value.data(),
                                   static_cast<int>(value.size()),
                                   SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::Bind(int index, std::optional<int64_t> value) {
  return value.has_value() ? Bind(index, *value) : BindNull(index);
}

Statement& Statement::BindBlob(int index, absl::string_view bytes) {
  const int rc = sqlite3_bind_blob(stmt_, index, bytes.data(),
                                   static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::BindNull(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::BindTextOrNull(int index, absl::string_view value) {
  return value.empty() ? BindNull(index) : Bind(index, value);
}

absl::StatusOr<bool> Statement::Step() {
  if (bind_error_ != SQLITE_OK) {
    return StatusFromSqlite(bind_error_, "SQLite bind", sqlite3_errstr(bind_error_));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return StatusFromSqlite(sqlite3_extended_errcode(db_), "SQLite",
                          sqlite3_errmsg(db_));
}

absl::Status Statement::Run() {
  absl::StatusOr<bool> row = Step();
  if (!row.ok()) return row.status();
  return absl::OkStatus();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = SQLITE_OK;
}

int64_t Statement::Int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::Text(int column) const {
  // Works for TEXT and BLOB columns alike (bytes as stored).
  const void* data = sqlite3_column_blob(stmt_, column);
  if (data == nullptr) return "";
  return std::string(static_cast<const char*>(data),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<int64_t> Statement::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

}  // namespace missions::registry::sqlite
