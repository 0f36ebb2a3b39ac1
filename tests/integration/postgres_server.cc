#include "tests/integration/postgres_server.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "proto/common/status_macros.h"
#include "tests/integration/child_process.h"

namespace missions::testing {
namespace {

constexpr char kBin[] = "/usr/lib/postgresql/15/bin/";

}  // namespace

absl::Status PostgresServer::Run(const std::vector<std::string>& argv) const {
  std::vector<std::string> command;
  if (geteuid() == 0) command = {"/usr/sbin/runuser", "-u", "postgres", "--"};
  command.insert(command.end(), argv.begin(), argv.end());
  const CommandResult result = RunCommand(command, dir_, absl::Seconds(120));
  if (result.exit_code != 0) {
    return absl::InternalError(absl::StrCat(absl::StrJoin(argv, " "), " failed (",
                                            result.exit_code, "): ", result.out, result.err,
                                            ReadFileOrEmpty(dir_ + "/server.log")));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  const std::string dir = MakeTempDir();
  if (dir.empty()) return absl::InternalError("cannot create a temporary directory");
  auto server = std::unique_ptr<PostgresServer>(new PostgresServer(dir));
  if (geteuid() == 0) {
    const passwd* user = getpwnam("postgres");
    if (user == nullptr) return absl::FailedPreconditionError("no postgres user");
    if (chown(dir.c_str(), user->pw_uid, user->pw_gid) != 0) {
      return absl::InternalError(absl::StrCat("cannot chown ", dir));
    }
  }
  if (absl::Status status =
          server->Run({absl::StrCat(kBin, "initdb"), "-D", dir + "/data", "-U", "postgres",
                       "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"});
      !status.ok()) {
    return status;
  }
  {
    // Socket only, in our directory; durability is not what these tests
    // measure, so no fsync.
    std::ofstream conf(dir + "/data/postgresql.conf", std::ios::app);
    conf << "listen_addresses = ''\n"
         << "unix_socket_directories = '" << dir << "'\n"
         << "fsync = off\nfull_page_writes = off\nmax_connections = 200\n";
  }
  RETURN_IF_ERROR(server->Restart());
  return server;
}

absl::StatusOr<PostgresServer*> PostgresServer::Shared() {
  static std::unique_ptr<PostgresServer>* const shared = new std::unique_ptr<PostgresServer>();
  if (*shared == nullptr) {
    ASSIGN_OR_RETURN(*shared, Start());
    std::atexit([] { shared->reset(); });
  }
  return shared->get();
}

PostgresServer::~PostgresServer() {
  if (running_) Stop("fast").IgnoreError();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::Status PostgresServer::Stop(const std::string& mode) {
  RETURN_IF_ERROR(Run({absl::StrCat(kBin, "pg_ctl"), "-D", dir_ + "/data", "-m", mode, "-w",
                       "-t", "60", "stop"}));
  running_ = false;
  return absl::OkStatus();
}

absl::Status PostgresServer::Restart() {
  RETURN_IF_ERROR(Run({absl::StrCat(kBin, "pg_ctl"), "-D", dir_ + "/data", "-l",
                       dir_ + "/server.log", "-w", "-t", "60", "start"}));
  running_ = true;
  return absl::OkStatus();
}

std::string PostgresServer::Uri(const std::string& database) const {
  return absl::StrCat("postgresql:///", database, "?host=", dir_, "&user=postgres");
}

absl::StatusOr<std::string> QueryFirstValue(const std::string& conninfo,
                                            const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    return absl::UnavailableError(message);
  }
  PGresult* result = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  absl::StatusOr<std::string> value = std::string();
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    value = absl::FailedPreconditionError(PQresultErrorMessage(result));
  } else if (status == PGRES_TUPLES_OK && PQntuples(result) > 0 && PQnfields(result) > 0) {
    value = std::string(PQgetvalue(result, 0, 0));
  }
  PQclear(result);
  PQfinish(conn);
  return value;
}

absl::StatusOr<std::string> PostgresServer::Query(const std::string& database,
                                                  const std::string& sql) const {
  return QueryFirstValue(Uri(database), sql);
}

absl::StatusOr<std::string> PostgresServer::CreateDatabase() {
  const std::string name = absl::StrCat("registry_", getpid(), "_", ++databases_);
  ASSIGN_OR_RETURN(std::string ignored, Query("postgres", "CREATE DATABASE " + name));
  return name;
}

}  // namespace missions::testing
