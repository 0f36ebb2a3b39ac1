// What every RecordStore backend does the same way: the preconditions of a
// mutation against the stored state (AlreadyExists, NotFound, Aborted), the
// output-only fields it stamps, and how rows encode changes and resources.
// Pure functions; thread-safe.
#ifndef REGISTRY_SERVICE_STORAGE_COMMIT_RULES_H_
#define REGISTRY_SERVICE_STORAGE_COMMIT_RULES_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "registry-service/storage/record_store.h"

namespace missions::registry {

// A resource's row as stored before a commit.
struct StoredRow {
  std::string body;  // the serialized message
  bool deleted = false;
  int64_t revision = 0;
};

// Checks `mutation` against its resource's stored row (nullopt: not
// stored) and returns the message to store at `revision`, committed at
// `now`, with its output-only fields stamped (create and delete times kept
// from the stored state). Returns AlreadyExists if a kCreate names a stored
// resource, NotFound if another change names one that is not stored,
// Aborted if the stored revision differs from a nonzero
// `expected_revision`, DataLoss if the stored body cannot be parsed.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> ApplyMutation(
    const Mutation& mutation, const std::optional<StoredRow>& stored,
    int64_t revision, absl::Time now);

// Builds a StoredResource from a row's columns. DataLoss if the body cannot
// be parsed, InvalidArgument for an unknown kind.
absl::StatusOr<StoredResource> DecodeResource(absl::string_view kind_id,
                                              const std::string& body, bool deleted,
                                              int64_t revision);

// The audit log's name of a change: CREATE, UPDATE, DELETE, UNDELETE.
absl::string_view ChangeName(Change change);
// The change named by ChangeName (kUpdate for anything else).
Change ChangeFromName(absl::string_view name);

// UTC, RFC 3339 with microseconds: the revisions.commit_time column.
std::string Rfc3339(absl::Time time);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_STORAGE_COMMIT_RULES_H_
