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

// Runs `body(const Caller&) -> absl::Status` if `access` lets the caller of
// `context` call `full_method` with `request`; converts the status once.
template <typename Body>
grpc::Status AuthorizedCall(AccessControl* access, grpc::ServerContext* context,
                            absl::string_view full_method,
                            const google::protobuf::Message& request, Body&& body) {
  absl::StatusOr<Principal> principal = access->Authorize(*context, full_method, request);
  if (!principal.ok()) return ToGrpcStatus(principal.status());
  const Caller caller{std::move(principal->name), std::move(principal->display_name),
                      context->peer()};
  return ToGrpcStatus(std::forward<Body>(body)(caller));
}

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_SERVICE_AUTHORIZED_CALL_H_
