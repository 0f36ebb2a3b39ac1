// A throwaway PostgreSQL 15 server for tests: initdb and pg_ctl from the
// Debian package, run as the `postgres` user when the tests run as root,
// with its data directory and Unix socket in a fresh temporary directory
// and no TCP listener. Each test takes a fresh database of its own.
#ifndef TESTS_INTEGRATION_POSTGRES_SERVER_H_
#define TESTS_INTEGRATION_POSTGRES_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace missions::testing {

// Runs one SQL statement on a libpq connection string; the first column of
// the first row ("" when there is none).
absl::StatusOr<std::string> QueryFirstValue(const std::string& conninfo,
                                            const std::string& sql);

class PostgresServer {
 public:
  // Runs initdb into a new temporary directory and starts the server on a
  // Unix socket there. Returns the failing command's output on error.
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start();

  // A server shared by the whole test process: started on first use,
  // stopped (pg_ctl stop -m fast) and removed when the process exits.
  static absl::StatusOr<PostgresServer*> Shared();

  // Stops the server if it runs and removes its directory.
  ~PostgresServer();

  // Creates an empty database with a fresh name; returns its name.
  absl::StatusOr<std::string> CreateDatabase();

  // The libpq connection URI of `database` (Unix socket, user postgres).
  std::string Uri(const std::string& database) const;

  // Runs `sql` on `database` through libpq; returns the first column of
  // the first row ("" when there is none) or, on failure, a status with
  // the server's error message.
  absl::StatusOr<std::string> Query(const std::string& database, const std::string& sql) const;

  // pg_ctl stop with `mode` ("fast", "immediate", ...), waiting for it.
  absl::Status Stop(const std::string& mode = "fast");
  // pg_ctl start again after Stop, waiting until it accepts connections.
  absl::Status Restart();

  const std::string& dir() const { return dir_; }

 private:
  explicit PostgresServer(std::string dir) : dir_(std::move(dir)) {}
  // Runs a PostgreSQL program as the server's user.
  absl::Status Run(const std::vector<std::string>& argv) const;

  std::string dir_;
  bool running_ = false;
  int databases_ = 0;
};

}  // namespace missions::testing

#endif  // TESTS_INTEGRATION_POSTGRES_SERVER_H_
