// The relational projection of the registry's current state, shared by
// every RecordStore backend: one table per kind with plain columns, for
// analysts who query the database directly (schema in sqlite_schema.cc and
// postgres_schema.cc; the service never reads these tables).
//
// Pure functions: they turn a resource into the SQL statements that bring
// its projection rows up to date. Placeholders are written `?1`, `?2`, ...
// (SQLite's syntax); the PostgreSQL backend rewrites them to `$1`, `$2`.
// Thread-safe.
#ifndef REGISTRY_SERVICE_STORAGE_PROJECTION_H_
#define REGISTRY_SERVICE_STORAGE_PROJECTION_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "google/protobuf/message.h"
#include "registry-service/domain/resource_names.h"

namespace missions::registry {

// A value bound to a placeholder: NULL, an integer or text.
using SqlValue = std::variant<std::monostate, int64_t, std::string>;

// One statement with its values (values[i] binds placeholder ?(i+1)).
struct SqlStatement {
  // A string literal: backends may cache prepared statements by it.
  const char* sql = "";
  std::vector<SqlValue> values;
};

// Returns the statements that replace the projection rows of `resource`
// (of `kind`): deletes of its current rows, then, unless `deleted`, the
// inserts of its new ones. A failing insert means a record with the same
// key exists (UNIQUE constraints of the projection).
std::vector<SqlStatement> ProjectionStatements(
    ResourceKind kind, const google::protobuf::Message& resource, bool deleted);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_STORAGE_PROJECTION_H_
