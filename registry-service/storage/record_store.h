// RecordStore: the registry's storage seam.
//
// A RecordStore keeps every registry resource (registry.v1 messages) with
// its full history. Each committed change set is one registry revision
// (1, 2, 3, ...) with who made it (the authenticated principal, its display
// name and the transport peer), when, and why; every mutated resource
// gets an audit event with its state before and after. Reads see the
// current state or the state at any earlier revision.
//
// Implementations: SQLite (sqlite_record_store.h, the embedded default)
// and PostgreSQL (postgres_record_store.h, for several replicas on one
// database); one conformance suite (tests/unit/record_store_test.cc) holds
// both to this contract. Besides the resources, an
// implementation keeps a relational projection of the current state (one
// table per kind, plain columns) for analysts; the service never reads it.
//
// Thread safety: every method may be called concurrently from any thread.
// Commit is atomic and durable once it returns OK: a failed commit leaves
// the store as it was.
#ifndef REGISTRY_SERVICE_STORAGE_RECORD_STORE_H_
#define REGISTRY_SERVICE_STORAGE_RECORD_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "registry-service/domain/resource_names.h"
#include "registry-service/domain/resource_types.h"

namespace missions::registry {

// One resource as stored.
struct StoredResource {
  ResourceKind kind = ResourceKind::kRegion;
  // With its output-only fields (etag, create/update/delete time) set.
  std::shared_ptr<const google::protobuf::Message> message;
  // The revision of its last change (its etag's revision).
  int64_t revision = 0;
  bool deleted = false;
};

// A change to one resource.
struct Mutation {
  Change change = Change::kCreate;
  ResourceKind kind = ResourceKind::kRegion;
  // The state after the change, output-only fields cleared; the store
  // stamps them (StampOutputFields) with the commit's revision and time.
  std::shared_ptr<google::protobuf::Message> after;
  // For everything but kCreate: the revision of the last change the caller
  // based this one on. The commit fails with Aborted if the resource
  // changed since (optimistic concurrency); 0 skips the check.
  int64_t expected_revision = 0;
  // The fields the change touched (update mask paths), for the audit log.
  std::vector<std::string> fields;
};

// Who commits what, and why.
struct CommitInfo {
  // The authenticated identity of the caller (Caller::principal, e.g.
  // "dev-editor"; "anonymous" without authentication).
  std::string principal;
  // The caller's human-readable name from its credentials; may be empty.
  std::string display_name;
  // The caller's transport address (e.g. "ipv4:10.0.0.5:41234").
  std::string peer;
  // The API method, e.g. "UpdateMission".
  std::string method;
  // Why, in the caller's words (e.g. the parliamentary paper). Optional.
  std::string reason;
  // The caller's request_id for retries; empty for none.
  std::string request_id;
  // A digest of the request, to tell a retry from a different request
  // reusing the id.
  std::string request_fingerprint;
};

// A remembered request (request_id), see Commit.
struct StoredRequest {
  std::string method;
  std::string fingerprint;
  int64_t revision = 0;
  std::string response;  // serialized response message
};

// One audit event: one resource changed by one commit.
struct AuditRecord {
  int64_t id = 0;
  int64_t revision = 0;
  absl::Time time;
  // As in CommitInfo. Revisions committed before principals were recorded
  // (schema version 1) have the transport address in both `principal` and
  // `peer`.
  std::string principal;
  std::string display_name;
  std::string peer;
  std::string method;
  std::string reason;
  std::string request_id;
  std::string resource;
  ResourceKind kind = ResourceKind::kRegion;
  Change change = Change::kCreate;
  std::vector<std::string> fields;
  // Serialized states; empty `before` for a create.
  std::string before;
  std::string after;
};

// Filters of ReadAudit; unset members match everything.
struct AuditQuery {
  std::string resource;       // exact name, or a prefix ending in "/"
  std::string principal;      // exact match on AuditRecord::principal
  std::optional<absl::Time> from;   // commit time >= from
  std::optional<absl::Time> until;  // commit time < until
  int64_t after_revision = 0;       // revision > after_revision
  int64_t after_id = 0;             // event id > after_id
  int limit = 100;
};

// Every raw row of a store's service tables, for copying a registry to
// another store (ExportAll, ImportAll; registry_copy.h). The relational
// projection is not part of it: it is derived from `resources`.
struct RegistryDump {
  struct Revision {
    int64_t revision = 0;
    std::string commit_time;  // RFC 3339, as stored
    int64_t commit_time_us = 0;
    std::string principal;     // column `actor`
    std::string display_name;  // column `principal_display_name`
    std::string peer;
    std::string method;
    std::string reason;
    std::string request_id;
    bool operator==(const Revision&) const = default;
  };
  struct Resource {
    std::string name;
    std::string kind;  // KindId
    std::string body;
    bool deleted = false;
    int64_t revision = 0;
    bool operator==(const Resource&) const = default;
  };
  struct ResourceVersion {
    std::string name;
    int64_t revision = 0;
    std::string kind;
    std::string body;
    bool deleted = false;
    bool operator==(const ResourceVersion&) const = default;
  };
  struct AuditEvent {
    int64_t id = 0;
    int64_t revision = 0;
    std::string resource;
    std::string kind;
    std::string change;  // ChangeName
    std::string fields;  // comma-separated
    std::optional<std::string> before;  // nullopt: NULL (a create)
    std::string after;
    bool operator==(const AuditEvent&) const = default;
  };
  struct Request {
    std::string request_id;
    std::string method;
    std::string fingerprint;
    int64_t revision = 0;
    std::string response;
    bool operator==(const Request&) const = default;
  };
  struct Secret {
    std::string name;
    std::string value;
    bool operator==(const Secret&) const = default;
  };

  std::vector<Revision> revisions;                // by revision
  std::vector<Resource> resources;                // in creation order
  std::vector<ResourceVersion> resource_versions;  // by (revision, name)
  std::vector<AuditEvent> audit_events;           // by id
  std::vector<Request> requests;                  // by request_id
  std::vector<Secret> secrets;                    // by name
  bool operator==(const RegistryDump&) const = default;
};

class RecordStore {
 public:
  virtual ~RecordStore() = default;

  // Applies `mutations` in one transaction as one new revision and returns
  // it. Inside the transaction, `make_response(revision, stamped)` (if
  // given) builds the response, which is remembered under
  // `info.request_id` if set; `stamped` holds the `after` messages with
  // their output-only fields set, in order.
  // Returns AlreadyExists if a kCreate names a stored resource (deleted or
  // not) or the request_id is taken; NotFound if another change names a
  // resource that is not stored; Aborted if a resource changed since
  // `expected_revision`; Unavailable if the storage cannot be reached. In
  // every error case nothing is stored.
  virtual absl::StatusOr<int64_t> Commit(
      const std::vector<Mutation>& mutations, const CommitInfo& info,
      const std::function<absl::StatusOr<std::string>(
          int64_t revision,
          const std::vector<const google::protobuf::Message*>& stamped)>&
          make_response) = 0;

  // Returns the request stored under `request_id`, or nullopt.
  virtual absl::StatusOr<std::optional<StoredRequest>> FindRequest(
      absl::string_view request_id) = 0;

  // Returns the resource named `name` as of `revision` (0: current),
  // deleted or not. NotFound if it did not exist then.
  virtual absl::StatusOr<StoredResource> Get(absl::string_view name,
                                             int64_t revision) = 0;

  // Returns every resource of `kind` as of `revision` (0: current) whose
  // name starts with `name_prefix` (e.g. "missions/unifil/"), deleted ones
  // included, in the order they were created.
  virtual absl::StatusOr<std::vector<StoredResource>> List(
      ResourceKind kind, absl::string_view name_prefix, int64_t revision) = 0;

  // Returns the current revision (0 for an empty registry).
  virtual absl::StatusOr<int64_t> CurrentRevision() = 0;

  // Returns the latest revision committed at or before `time` (0 if none).
  virtual absl::StatusOr<int64_t> RevisionAt(absl::Time time) = 0;

  // Returns audit events matching `query`, oldest first.
  virtual absl::StatusOr<std::vector<AuditRecord>> ReadAudit(
      const AuditQuery& query) = 0;

  // Returns the secret called `name` (32 random bytes), creating it on
  // first use. Secrets sign page tokens, so that tokens stay valid across
  // restarts and replicas.
  virtual absl::StatusOr<std::string> Secret(absl::string_view name) = 0;

  // Blocks until the current revision exceeds `revision` or `deadline`
  // passes; returns the current revision. Lets a change feed follow new
  // commits without polling.
  virtual int64_t WaitForRevisionAfter(int64_t revision, absl::Time deadline) = 0;

  // Returns OK if the storage answers now, Unavailable if it cannot be
  // reached. Cheap; for health checks.
  virtual absl::Status Ping() = 0;

  // Reads every row of the service tables from one consistent snapshot,
  // in the orders RegistryDump documents (byte order for names). For
  // copying a registry; holds it all in memory.
  virtual absl::StatusOr<RegistryDump> ExportAll() = 0;

  // Writes `dump` (from ExportAll of any backend) into this store in one
  // transaction, keeping revisions, commit times, audit event ids and the
  // creation order, and rebuilds the relational projection from the
  // current resources. Secrets of the same name are replaced. Returns
  // FailedPrecondition (and changes nothing) if this store has any
  // revision; on any error nothing is stored.
  virtual absl::Status ImportAll(const RegistryDump& dump) = 0;
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_STORAGE_RECORD_STORE_H_
