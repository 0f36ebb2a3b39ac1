#include "registry-service/storage/pg_db.h"

#include <poll.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "registry-service/storage/open_record_store.h"

namespace missions::registry::pg {
namespace {

// Maps an SQLSTATE to a status code: unique violations AlreadyExists, other
// integrity violations and raised exceptions (the audit log's triggers)
// FailedPrecondition; connection loss, shutdown, lack of resources and
// cancelled (timed-out) statements Unavailable; the rest Internal.
absl::StatusCode CodeOf(absl::string_view sqlstate) {
  if (sqlstate == "23505") return absl::StatusCode::kAlreadyExists;
  if (absl::StartsWith(sqlstate, "23") || sqlstate == "P0001") {
    return absl::StatusCode::kFailedPrecondition;
  }
  if (absl::StartsWith(sqlstate, "08") || absl::StartsWith(sqlstate, "53") ||
      absl::StartsWith(sqlstate, "57") || sqlstate == "40001" || sqlstate == "40P01" ||
      sqlstate == "55P03") {
    return absl::StatusCode::kUnavailable;
  }
  return absl::StatusCode::kInternal;
}

}  // namespace

std::string DollarPlaceholders(absl::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  for (char c : sql) out.push_back(c == '?' ? '$' : c);
  return out;
}

Params& Params::Int(int64_t value) {
  values_.push_back(absl::StrCat(value));
  null_.push_back(false);
  formats_.push_back(0);
  return *this;
}

Params& Params::Text(absl::string_view value) {
  values_.emplace_back(value);
  null_.push_back(false);
  formats_.push_back(0);
  return *this;
}

Params& Params::Bytes(absl::string_view value) {
  values_.emplace_back(value);
  null_.push_back(false);
  formats_.push_back(1);
  return *this;
}

Params& Params::Null() {
  values_.emplace_back();
  null_.push_back(true);
  formats_.push_back(0);
  return *this;
}

bool Result::IsNull(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::string Result::Text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<size_t>(PQgetlength(result_.get(), row, column)));
}

int64_t Result::Int(int row, int column) const {
  int64_t value = 0;
  if (!absl::SimpleAtoi(PQgetvalue(result_.get(), row, column), &value)) return 0;
  return value;
}

std::string Result::Bytes(int row, int column) const {
  if (IsNull(row, column)) return "";
  size_t length = 0;
  unsigned char* bytes = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, column)), &length);
  if (bytes == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(bytes), length);
  PQfreemem(bytes);
  return out;
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& uri) {
  // Defaults first: the URI (expanded from dbname) overrides them.
  const char* keys[] = {"connect_timeout", "keepalives", "keepalives_idle",
                        "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                        "application_name", "dbname", nullptr};
  const char* values[] = {"5", "1", "10", "5", "3", "15000", "registry-server",
                          uri.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return absl::UnavailableError("PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    // libpq's message may quote the URI or a part of it, password and all.
    std::string detail = RedactStorageSecrets(
        absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn)), uri);
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL: ", detail));
  }
  // Messages the server sends outside a call (e.g. "terminating connection"
  // at shutdown) surface as errors of the next call; do not print them too.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  auto connection = std::unique_ptr<Connection>(new Connection(conn));
  // Statements that wait on a vanished server or a lock for long give up.
  // Notices (e.g. "already exists, skipping") are not errors; keep them
  // off standard error.
  if (absl::Status set = connection->Exec(
          "SET statement_timeout = '30s'; SET client_min_messages = warning");
      !set.ok()) {
    return set;
  }
  return connection;
}

Connection::~Connection() { PQfinish(conn_); }

absl::Status Connection::Error(const PGresult* result, absl::string_view what) {
  const char* sqlstate =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message(absl::StripTrailingAsciiWhitespace(
      result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_)));
  if (message.empty()) message = PQerrorMessage(conn_);
  if (sqlstate == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat(what, ": ", message));
  }
  return absl::Status(CodeOf(sqlstate), absl::StrCat(what, ": ", message));
}

absl::Status Connection::Exec(absl::string_view sql) {
  PGresult* result = PQexec(conn_, std::string(sql).c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    PQclear(result);
    return absl::OkStatus();
  }
  absl::Status error = Error(result, "PostgreSQL");
  PQclear(result);
  return error;
}

absl::StatusOr<Result> Connection::Query(const std::string& sql, const Params& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    const std::string name = absl::StrCat("s", prepared_.size() + 1);
    PGresult* prepared = PQprepare(conn_, name.c_str(), sql.c_str(), params.size(), nullptr);
    if (PQresultStatus(prepared) != PGRES_COMMAND_OK) {
      absl::Status error = Error(prepared, "PostgreSQL prepare");
      PQclear(prepared);
      return error;
    }
    PQclear(prepared);
    it = prepared_.emplace(sql, name).first;
  }
  std::vector<const char*> values(params.values_.size());
  std::vector<int> lengths(params.values_.size());
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = params.null_[i] ? nullptr : params.values_[i].data();
    lengths[i] = static_cast<int>(params.values_[i].size());
  }
  PGresult* result = PQexecPrepared(conn_, it->second.c_str(), params.size(), values.data(),
                                    lengths.data(), params.formats_.data(), /*resultFormat=*/0);
  const ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Result(result);
  absl::Status error = Error(result, "PostgreSQL");
  PQclear(result);
  return error;
}

bool Connection::Healthy() {
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  if (PQtransactionStatus(conn_) != PQTRANS_IDLE) return false;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  const int ready = poll(&fd, 1, 0);
  if (ready == 0) return true;
  if (ready < 0) return false;
  // Something arrived while idle: a notice, or the server hanging up.
  if (PQconsumeInput(conn_) == 0) return false;
  return PQstatus(conn_) == CONNECTION_OK;
}

absl::StatusOr<std::vector<std::string>> Connection::WaitForNotifications(
    absl::Duration timeout) {
  std::vector<std::string> payloads;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  const int ready = poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (ready < 0) return payloads;  // interrupted: the caller loops
  if (ready > 0 && PQconsumeInput(conn_) == 0) {
    return absl::UnavailableError(absl::StrCat("PostgreSQL: ", PQerrorMessage(conn_)));
  }
  if (PQstatus(conn_) != CONNECTION_OK) {
    return absl::UnavailableError("PostgreSQL: the connection was lost");
  }
  while (PGnotify* notify = PQnotifies(conn_)) {
    payloads.emplace_back(notify->extra);
    PQfreemem(notify);
  }
  return payloads;
}

Pool::~Pool() {
  absl::MutexLock lock(&mu_);
  idle_.clear();
}

Pool::Lease::~Lease() {
  if (conn_ != nullptr) pool_->Release(std::move(conn_));
}

absl::StatusOr<Pool::Lease> Pool::Acquire() {
  const absl::Time deadline = absl::Now() + acquire_timeout_;
  {
    absl::MutexLock lock(&mu_);
    while (true) {
      while (!idle_.empty()) {
        std::unique_ptr<Connection> conn = std::move(idle_.back());
        idle_.pop_back();
        if (conn->Healthy()) return Lease(this, std::move(conn));
        --open_;  // closed as it goes out of scope
      }
      if (open_ < max_) break;
      const auto has_room = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return !idle_.empty() || open_ < max_;
      };
      if (!mu_.AwaitWithDeadline(absl::Condition(&has_room), deadline)) {
        return absl::UnavailableError(absl::StrCat(
            "PostgreSQL: all ", max_, " connections of the pool are busy"));
      }
    }
    ++open_;  // reserved; opened outside the lock
  }
  absl::StatusOr<std::unique_ptr<Connection>> conn = Connection::Open(uri_);
  if (!conn.ok()) {
    absl::MutexLock lock(&mu_);
    --open_;
    return conn.status();
  }
  return Lease(this, std::move(*conn));
}

void Pool::Release(std::unique_ptr<Connection> conn) {
  const bool healthy = conn->Healthy();
  absl::MutexLock lock(&mu_);
  if (healthy) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
}

void Pool::CloseIdle() {
  std::vector<std::unique_ptr<Connection>> closing;
  absl::MutexLock lock(&mu_);
  open_ -= static_cast<int>(idle_.size());
  closing.swap(idle_);
}

}  // namespace missions::registry::pg
