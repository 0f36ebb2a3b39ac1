// ResourceApi: the standard methods of every registry resource (AIP-131
// Get, 132 List, 231 BatchGet, 133 Create, 134 Update, 135/164 Delete and
// Undelete), the audit log and the change feed, written once for all
// resource kinds over protobuf reflection. The request and response
// messages are those of registry.v1.RegistryApi; the gRPC adapter
// (service/registry_api_service.h) hands them in as google::protobuf
// messages together with the resource kind.
//
// Every write is validated as a whole (all violations at once, paths
// relative to the request), honours `validate_only` and `request_id`
// (a retry returns the first response, also after a restart) and commits
// as one registry revision with an audit event per changed record.
//
// Reads of the current state, and the look-ups of every write's
// validation, come from the ViewKeeper's in-memory view; writes commit
// through it to the store; reads of the past come from a recent view or
// the store.
//
// Thread-safe.
#ifndef REGISTRY_SERVICE_DOMAIN_RESOURCE_API_H_
#define REGISTRY_SERVICE_DOMAIN_RESOURCE_API_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "proto/common/errors.h"
#include "registry-service/domain/caller.h"
#include "registry-service/domain/read_output.h"
#include "registry-service/domain/resource_names.h"
#include "registry-service/storage/record_store.h"
#include "registry-service/view/view_keeper.h"
#include "registry/v1/registry_api.pb.h"

namespace missions::registry {

// How a read may run.
struct ReadOptions {
  // A read with `min_revision` waits for the view to reach it until then.
  absl::Time deadline = absl::InfiniteFuture();
  // false on gRPC's callback threads, which must never block: where the
  // read would wait (for `min_revision`) or ask the store (`as_of`, a page
  // token of a revision no longer held in memory, the first page token),
  // it returns at once a status for which IsWouldBlock() is true, with
  // nothing written to the response, and the caller runs it again with
  // may_block on a thread that may wait.
  bool may_block = true;
};

// Whether `status` is a read's "would block" (ReadOptions::may_block). It
// never reaches a client.
bool IsWouldBlock(const absl::Status& status);

class ResourceApi {
 public:
  // `views` (and its store) are not owned and must outlive the API.
  explicit ResourceApi(ViewKeeper* views) : store_(views->store()), views_(views) {}

  // The standard methods. `request` and `response` are the method's
  // messages for resources of `kind` (e.g. GetMissionRequest and Mission).
  // Errors as documented in registry_api.proto.
  // The reads put their answer into `output` (read_output.h), only once
  // they succeed.
  absl::Status Get(ResourceKind kind, const google::protobuf::Message& request,
                   const ReadOptions& options, ReadOutput* output);
  absl::Status List(ResourceKind kind, const google::protobuf::Message& request,
                    const ReadOptions& options, ReadOutput* output);
  absl::Status BatchGet(ResourceKind kind, const google::protobuf::Message& request,
                        const ReadOptions& options, ReadOutput* output);
  absl::Status Create(ResourceKind kind, const google::protobuf::Message& request,
                      const Caller& caller, google::protobuf::Message* response);
  absl::Status Update(ResourceKind kind, const google::protobuf::Message& request,
                      const Caller& caller, google::protobuf::Message* response);
  absl::Status Delete(ResourceKind kind, const google::protobuf::Message& request,
                      const Caller& caller, google::protobuf::Message* response);
  absl::Status Undelete(ResourceKind kind, const google::protobuf::Message& request,
                        const Caller& caller, google::protobuf::Message* response);

  // Creates, updates and deletes records of any kinds in one revision, all
  // or nothing: each item is planned as the single Create, Update or
  // Delete would plan it, on the state the items before it leave. Returns
  // InvalidArgument with every item's violations (paths such as
  // "items[3].mission.display_name"), else the first failing item's error
  // (NotFound, AlreadyExists, Aborted, FailedPrecondition; its message
  // starts with "items[i]"). request_id and validate_only as for every
  // write.
  absl::Status BatchWrite(const ::registry::v1::BatchWriteRequest& request,
                          const Caller& caller, ::registry::v1::BatchWriteResponse* response);

  // Lists audit events, oldest first.
  absl::Status ListAuditEvents(const ::registry::v1::ListAuditEventsRequest& request,
                               ::registry::v1::ListAuditEventsResponse* response);

  // Sends every change after request.after_revision to `send`, then
  // follows new commits until `send` returns false, `cancelled()` is true
  // or `deadline` passes (then returns OK).
  absl::Status WatchChanges(
      const ::registry::v1::WatchChangesRequest& request,
      const std::function<bool(const ::registry::v1::ChangeEvent&)>& send,
      const std::function<bool()>& cancelled, absl::Time deadline);

 private:
  // Runs a write: request_id replay, then `plan` on a view (validation and
  // the mutations; empty with validate_only), then the commit, which runs
  // `plan` again on the state the commit is based on if that moved.
  // `finish` (if given) sets the response from the stamped records of the
  // commit, in the order of the mutations; without it the response is the
  // last one.
  absl::Status Write(
      absl::string_view method, const google::protobuf::Message& request,
      const Caller& caller, google::protobuf::Message* response,
      const std::function<absl::StatusOr<std::vector<Mutation>>(
          const RegistryView* view, google::protobuf::Message* response)>& plan,
      const std::function<void(int64_t revision,
                               const std::vector<const google::protobuf::Message*>& stamped,
                               google::protobuf::Message* response)>& finish = nullptr);

  // The key that signs page tokens (read from the store once; "would
  // block" before that without may_block).
  absl::StatusOr<std::string> TokenKey(const ReadOptions& options);

  // The view a read of `request` starts from: the current one, after
  // waiting for the request's min_revision (not with as_of) until
  // options.deadline. A negative min_revision is a violation. Without
  // options.may_block, "would block" for as_of and an unreached
  // min_revision.
  absl::StatusOr<std::shared_ptr<const RegistryView>> ReadView(
      const google::protobuf::Message& request, const ReadOptions& options,
      ViolationList* violations);

  // The record `name` of `kind` at `revision`: from `current` if that is
  // its revision, else a recent view or the store; with its serialized
  // bytes (`wire`, kept alive by `view`) when it comes from a view.
  struct ReadRecordResult {
    StoredResource stored;
    const std::string* wire = nullptr;
    std::shared_ptr<const RegistryView> view;
  };
  absl::StatusOr<ReadRecordResult> ReadRecord(const std::shared_ptr<const RegistryView>& current,
                                              ResourceKind kind, const std::string& name,
                                              int64_t revision);

  RecordStore* store_;
  ViewKeeper* views_;
  absl::Mutex token_key_mu_;
  std::string token_key_ ABSL_GUARDED_BY(token_key_mu_);
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_RESOURCE_API_H_
