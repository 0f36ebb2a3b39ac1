// The first step of every registry RPC handler: authenticate and authorise
// the call (proto/common/access_control.h), then run the handler's body
// with the Caller the registry records.
#ifndef REGISTRY_SERVICE_SERVICE_AUTHORIZED_CALL_H_
#define REGISTRY_SERVICE_SERVICE_AUTHORIZED_CALL_H_

#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "proto/common/access_control.h"
#include "proto/common/errors.h"
#include "registry-service/domain/caller.h"

namespace missions::registry {

// Puts what identifies a registry call into its log line
// (grpc_observability.h): the request's `request_id` and resource `name`
// (or `parent`), and the revision it read or wrote (the response's
// `revision`, else the one its `etag` names). Never a record's body.
void AnnotateRegistryCall(const grpc::ServerContextBase* context,
                          const google::protobuf::Message& request,
                          const google::protobuf::Message* response);

// Runs `body(const Caller&) -> absl::Status` if `access` lets the caller of
// `context` call `full_method` with `request`; converts the status once.
// `response` (if given) is read for the call's log line after `body`.
template <typename Body>
grpc::Status AuthorizedCall(AccessControl* access, grpc::ServerContext* context,
                            absl::string_view full_method,
                            const google::protobuf::Message& request, Body&& body,
                            const google::protobuf::Message* response = nullptr) {
  absl::StatusOr<Principal> principal = access->Authorize(*context, full_method, request);
  if (!principal.ok()) return ToGrpcStatus(principal.status());
  const Caller caller{std::move(principal->name), std::move(principal->display_name),
                      context->peer(),
                      context->deadline() == std::chrono::system_clock::time_point::max()
                          ? absl::InfiniteFuture()
                          : absl::FromChrono(context->deadline())};
  const absl::Status status = std::forward<Body>(body)(caller);
  AnnotateRegistryCall(context, request, status.ok() ? response : nullptr);
  return ToGrpcStatus(status);
}

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_SERVICE_AUTHORIZED_CALL_H_
