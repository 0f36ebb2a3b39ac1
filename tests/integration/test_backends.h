// The storage backends the conformance tests run on: for each test a fresh
// empty database on SQLite (a file in a temporary directory) or PostgreSQL
// (a database on the process's throwaway server, postgres_server.h).
#ifndef TESTS_INTEGRATION_TEST_BACKENDS_H_
#define TESTS_INTEGRATION_TEST_BACKENDS_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "registry-service/storage/record_store.h"

namespace missions::testing {

// Backend names, as test names show them.
inline constexpr const char* kSqlite = "sqlite";
inline constexpr const char* kPostgresql = "postgresql";

class TestBackend {
 public:
  virtual ~TestBackend() = default;

  // "sqlite" or "postgresql".
  virtual std::string name() const = 0;
  // The registry-server --storage value of this test's database.
  virtual std::string Spec() const = 0;
  // Opens a store on this test's database (again, after a reset, or a
  // second one beside the first). `clock` gives commit times.
  virtual absl::StatusOr<std::unique_ptr<registry::RecordStore>> Open(
      std::function<absl::Time()> clock = nullptr) = 0;
  // Runs SQL on the database directly, as an analyst would; returns the
  // first column of the first row ("" if none) or the database's error.
  virtual absl::StatusOr<std::string> Sql(const std::string& query) = 0;
};

// Creates backend `name` with a fresh empty database (removed with it).
absl::StatusOr<std::unique_ptr<TestBackend>> MakeTestBackend(const std::string& name);

}  // namespace missions::testing

#endif  // TESTS_INTEGRATION_TEST_BACKENDS_H_
