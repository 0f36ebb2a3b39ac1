// A throwaway PostgreSQL 15 primary with a streaming-replication standby,
// for fail-over tests: like tests/integration/postgres_server.h (initdb and
// pg_ctl from the Debian package, run as the `postgres` user when the tests
// run as root, everything in one fresh temporary directory, Unix sockets
// only, no TCP listener), but two servers: the primary in DIR/primary with
// its socket in DIR/p, and a standby made with `pg_basebackup -R` in
// DIR/standby with its socket in DIR/s. Both use the default port 5432 in
// their own socket directory.
//
// With `synchronous` the primary names the standby synchronous
// (`synchronous_standby_names = '*'`, `synchronous_commit = on`): a commit
// returns only once the standby has flushed its WAL. Without it replication
// is asynchronous (the property the fail-over test must catch breaking).
#ifndef TESTS_SCALEOUT_POSTGRES_PAIR_H_
#define TESTS_SCALEOUT_POSTGRES_PAIR_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace missions::testing {

class PostgresPair {
 public:
  enum Node { kPrimary = 0, kStandby = 1 };

  // initdb, starts the primary, creates `database`, takes a base backup,
  // starts the standby and waits until it streams (and, if `synchronous`,
  // is the synchronous standby).
  static absl::StatusOr<std::unique_ptr<PostgresPair>> Start(const std::string& database,
                                                             bool synchronous);
  // Stops both servers (pg_ctl stop -m immediate) and removes the directory.
  ~PostgresPair();

  // The socket directory of `node` (libpq's host=).
  std::string SocketDir(Node node) const;
  // A libpq URI for `database` on `node` only.
  std::string Uri(Node node, const std::string& database) const;
  // A multi-host libpq URI: both sockets, primary first, and
  // target_session_attrs=read-write, so libpq skips a standby that has not
  // been promoted (yet) and a primary that is down.
  std::string FailoverUri(const std::string& database) const;

  // Runs `sql` on `node`; the first column of the first row ("" if none).
  absl::StatusOr<std::string> Query(Node node, const std::string& database,
                                    const std::string& sql) const;

  // pg_ctl stop -m `mode` on `node`, waiting for it.
  absl::Status Stop(Node node, const std::string& mode);
  // pg_ctl start on `node` (the standby starts as a standby), waiting until
  // it accepts connections.
  absl::Status Start(Node node);
  // pg_ctl promote on the standby, waiting until it is a primary.
  absl::Status Promote();

  const std::string& dir() const { return dir_; }

 private:
  explicit PostgresPair(std::string dir) : dir_(std::move(dir)) {}
  absl::Status Run(const std::vector<std::string>& argv) const;
  std::string DataDir(Node node) const;
  std::string LogFile(Node node) const;

  std::string dir_;
  bool running_[2] = {false, false};
};

}  // namespace missions::testing

#endif  // TESTS_SCALEOUT_POSTGRES_PAIR_H_
