#include "tests/scaleout/postgres_pair.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/integration/postgres_server.h"
#include "absl/time/clock.h"
#include "proto/common/status_macros.h"
#include "tests/integration/child_process.h"

namespace missions::testing {
namespace {

constexpr char kBin[] = "/usr/lib/postgresql/15/bin/";

}  // namespace

absl::Status PostgresPair::Run(const std::vector<std::string>& argv) const {
  std::vector<std::string> command;
  if (geteuid() == 0) command = {"/usr/sbin/runuser", "-u", "postgres", "--"};
  command.insert(command.end(), argv.begin(), argv.end());
  const CommandResult result = RunCommand(command, dir_, absl::Seconds(120));
  if (result.exit_code != 0) {
    return absl::InternalError(absl::StrCat(
        absl::StrJoin(argv, " "), " failed (", result.exit_code, "): ", result.out, result.err,
        "\nprimary log:\n", ReadFileOrEmpty(LogFile(kPrimary)), "\nstandby log:\n",
        ReadFileOrEmpty(LogFile(kStandby))));
  }
  return absl::OkStatus();
}

std::string PostgresPair::DataDir(Node node) const {
  return dir_ + (node == kPrimary ? "/primary" : "/standby");
}
std::string PostgresPair::LogFile(Node node) const {
  return dir_ + (node == kPrimary ? "/primary.log" : "/standby.log");
}
std::string PostgresPair::SocketDir(Node node) const {
  return dir_ + (node == kPrimary ? "/p" : "/s");
}

std::string PostgresPair::Uri(Node node, const std::string& database) const {
  return absl::StrCat("postgresql:///", database, "?host=", SocketDir(node), "&user=postgres");
}

std::string PostgresPair::FailoverUri(const std::string& database) const {
  return absl::StrCat("postgresql:///", database, "?host=", SocketDir(kPrimary), ",",
                      SocketDir(kStandby), "&user=postgres&target_session_attrs=read-write");
}

absl::StatusOr<std::unique_ptr<PostgresPair>> PostgresPair::Start(const std::string& database,
                                                                  bool synchronous) {
  const std::string dir = MakeTempDir();
  if (dir.empty()) return absl::InternalError("cannot create a temporary directory");
  auto pair = std::unique_ptr<PostgresPair>(new PostgresPair(dir));
  std::filesystem::create_directories(pair->SocketDir(kPrimary));
  std::filesystem::create_directories(pair->SocketDir(kStandby));
  if (geteuid() == 0) {
    const passwd* user = getpwnam("postgres");
    if (user == nullptr) return absl::FailedPreconditionError("no postgres user");
    for (const std::string& path : {dir, pair->SocketDir(kPrimary), pair->SocketDir(kStandby)}) {
      if (chown(path.c_str(), user->pw_uid, user->pw_gid) != 0) {
        return absl::InternalError(absl::StrCat("cannot chown ", path));
      }
    }
  }
  // initdb -A trust also trusts local replication connections.
  RETURN_IF_ERROR(pair->Run({absl::StrCat(kBin, "initdb"), "-D", pair->DataDir(kPrimary), "-U",
                             "postgres", "-A", "trust", "--no-sync", "-E", "UTF8",
                             "--locale=C"}));
  {
    // Socket only. fsync is off for speed: no test here crashes the
    // machine, only the server processes (the kernel keeps what they
    // wrote), and durability across fail-over is what replication gives.
    std::ofstream conf(pair->DataDir(kPrimary) + "/postgresql.conf", std::ios::app);
    conf << "listen_addresses = ''\n"
         << "unix_socket_directories = '" << pair->SocketDir(kPrimary) << "'\n"
         << "fsync = off\nfull_page_writes = off\nmax_connections = 100\n"
         << "wal_level = replica\nmax_wal_senders = 4\nwal_keep_size = '64MB'\n"
         << "synchronous_commit = on\n";
  }
  RETURN_IF_ERROR(pair->Start(kPrimary));
  ASSIGN_OR_RETURN(std::string ignored,
                   pair->Query(kPrimary, "postgres", "CREATE DATABASE " + database));
  RETURN_IF_ERROR(pair->Run({absl::StrCat(kBin, "pg_basebackup"), "-D", pair->DataDir(kStandby),
                             "-R", "-X", "stream", "-c", "fast", "-d",
                             absl::StrCat("host=", pair->SocketDir(kPrimary),
                                          " user=postgres application_name=standby")}));
  {
    // The base backup copied the primary's postgresql.conf; the standby
    // gets its own socket, and once promoted it runs alone: it must not
    // wait for a synchronous standby of its own (a real deployment would
    // re-point the old primary at it as its new standby).
    std::ofstream conf(pair->DataDir(kStandby) + "/postgresql.conf", std::ios::app);
    conf << "unix_socket_directories = '" << pair->SocketDir(kStandby) << "'\n"
         << "synchronous_standby_names = ''\n"
         << "hot_standby = on\n";
  }
  RETURN_IF_ERROR(pair->Start(kStandby));
  // Only now the standby is named synchronous: before it streams, commits
  // on the primary (CREATE DATABASE, the base backup's checkpoint) would
  // wait for it.
  if (synchronous) {
    RETURN_IF_ERROR(pair->Query(kPrimary, "postgres",
                                "ALTER SYSTEM SET synchronous_standby_names = '*'")
                        .status());
    RETURN_IF_ERROR(pair->Query(kPrimary, "postgres", "SELECT pg_reload_conf()").status());
  }
  // Wait until the primary sees the standby streaming (and synchronous).
  const std::string want = synchronous ? "sync" : "async";
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (true) {
    absl::StatusOr<std::string> state = pair->Query(
        kPrimary, "postgres",
        "SELECT sync_state FROM pg_stat_replication WHERE state = 'streaming'");
    if (state.ok() && *state == want) break;
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "the standby does not stream as ", want, ": ",
          state.ok() ? *state : state.status().ToString(), "\n",
          ReadFileOrEmpty(pair->LogFile(kStandby))));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pair;
}

PostgresPair::~PostgresPair() {
  for (Node node : {kStandby, kPrimary}) {
    if (running_[node]) Stop(node, "immediate").IgnoreError();
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::Status PostgresPair::Stop(Node node, const std::string& mode) {
  RETURN_IF_ERROR(Run({absl::StrCat(kBin, "pg_ctl"), "-D", DataDir(node), "-m", mode, "-w",
                       "-t", "60", "stop"}));
  running_[node] = false;
  return absl::OkStatus();
}

absl::Status PostgresPair::Start(Node node) {
  RETURN_IF_ERROR(Run({absl::StrCat(kBin, "pg_ctl"), "-D", DataDir(node), "-l", LogFile(node),
                       "-w", "-t", "60", "start"}));
  running_[node] = true;
  return absl::OkStatus();
}

absl::Status PostgresPair::Promote() {
  return Run({absl::StrCat(kBin, "pg_ctl"), "-D", DataDir(kStandby), "-w", "-t", "60",
              "promote"});
}

absl::StatusOr<std::string> PostgresPair::Query(Node node, const std::string& database,
                                                const std::string& sql) const {
  // Bounded: a statement that waits (e.g. for a synchronous standby that is
  // away) gives up after 30 s instead of hanging the test.
  return QueryFirstValue(
      Uri(node, database) + "&connect_timeout=5&options=-c%20statement_timeout%3D30000", sql);
}

}  // namespace missions::testing
