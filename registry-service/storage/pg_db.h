// A thin RAII layer over libpq (PostgreSQL's C client): connections with
// prepared statements, results, a bounded connection pool, and errors as
// absl::Status. A Connection is not thread-safe; the Pool hands each one to
// one caller at a time.
#ifndef REGISTRY_SERVICE_STORAGE_PG_DB_H_
#define REGISTRY_SERVICE_STORAGE_PG_DB_H_

#include <libpq-fe.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace missions::registry::pg {

// Rewrites SQLite-style placeholders (?1, ?2, ...) to PostgreSQL's ($1,
// $2, ...). The projection's statements are written once in SQLite's
// syntax (projection.h); nothing else in them contains '?'.
std::string DollarPlaceholders(absl::string_view sql);

// Parameters of one statement, bound in order to $1, $2, ...
class Params {
 public:
  Params& Int(int64_t value);
  Params& Text(absl::string_view value);
  // Binds bytes for a BYTEA column (sent in binary, no escaping).
  Params& Bytes(absl::string_view value);
  Params& Null();

  int size() const { return static_cast<int>(values_.size()); }

 private:
  friend class Connection;
  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::vector<int> formats_;  // 0 text, 1 binary
};

// The rows of a finished statement (text format).
class Result {
 public:
  explicit Result(PGresult* result) : result_(result, &PQclear) {}

  int rows() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int column) const;
  std::string Text(int row, int column) const;
  int64_t Int(int row, int column) const;
  // Decodes a BYTEA column.
  std::string Bytes(int row, int column) const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

// An open connection to one database.
class Connection {
 public:
  // Connects to `uri` (a libpq connection URI or key=value string; the
  // password may come from PGPASSWORD or ~/.pgpass as libpq reads them).
  // Unless the URI says otherwise, connecting gives up after 5 seconds and
  // TCP connections use keepalives, so that a vanished server is noticed.
  // Returns Unavailable if the server cannot be reached or refuses us.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& uri);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without parameters (simple protocol).
  absl::Status Exec(absl::string_view sql);
  // Runs `sql` ($1, $2, ... placeholders) with `params` as a prepared
  // statement, prepared on this connection at its first use.
  absl::StatusOr<Result> Query(const std::string& sql, const Params& params = Params());

  // True unless the connection is known to be broken: libpq says so, a
  // transaction was left open, or the server hung up while it was idle.
  bool Healthy();

  // Waits up to `timeout` for notifications (LISTEN) and returns their
  // payloads. Unavailable if the connection broke.
  absl::StatusOr<std::vector<std::string>> WaitForNotifications(absl::Duration timeout);

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  // Status of a failed result, or of the connection when there is none.
  absl::Status Error(const PGresult* result, absl::string_view what);

  PGconn* conn_;
  std::map<std::string, std::string> prepared_;  // SQL -> statement name
};

// A bounded pool of connections to one database. Thread-safe.
class Pool {
 public:
  Pool(std::string uri, int max_connections, absl::Duration acquire_timeout)
      : uri_(std::move(uri)), max_(max_connections), acquire_timeout_(acquire_timeout) {}
  ~Pool();

  // A connection lent to one caller; returned to the pool when destroyed
  // (closed instead if it is no longer healthy).
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection* operator->() { return conn_.get(); }
    Connection& operator*() { return *conn_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // Lends an idle healthy connection, or opens one while fewer than
  // `max_connections` exist. Unavailable if none is free within the
  // acquire timeout or a new one cannot be opened.
  absl::StatusOr<Lease> Acquire();

  // Closes every idle connection (e.g. after the server went away).
  void CloseIdle();

 private:
  void Release(std::unique_ptr<Connection> conn);

  const std::string uri_;
  const int max_;
  const absl::Duration acquire_timeout_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle + lent
};

}  // namespace missions::registry::pg

#endif  // REGISTRY_SERVICE_STORAGE_PG_DB_H_
