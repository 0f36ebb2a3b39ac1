// Who is calling, and may they: the check every RPC handler of both
// services makes before it does anything else.
//
// A call is authenticated by, in this order:
//   1. a bearer token (`authorization: Bearer <JWT>` metadata), verified on
//      every call against the JWKS, issuer and audience the server was
//      given (auth/jwt.h); its `sub` is the principal, its roles claim the
//      roles;
//   2. else the verified client certificate of a mutual-TLS connection,
//      whose identity ("uri:…", "dns:…", "cn:…", see tls.h) the identities
//      file maps to roles (method_roles.h);
//   3. else, only on a server started with --insecure and without --jwks,
//      the caller is "anonymous" with every role (local debugging and
//      benchmarks only).
// Anything else is UNAUTHENTICATED. An authenticated principal then passes
// the per-principal rate limit (RESOURCE_EXHAUSTED) and the role the method
// needs (method_roles.h; PERMISSION_DENIED naming the role).
#ifndef PROTO_COMMON_ACCESS_CONTROL_H_
#define PROTO_COMMON_ACCESS_CONTROL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "proto/common/auth/jwt.h"
#include "proto/common/limits.h"
#include "proto/common/method_roles.h"

namespace missions {

// An authenticated caller.
struct Principal {
  // The token's subject, the certificate identity, or "anonymous".
  std::string name;
  // The token's display-name claim, if any.
  std::string display_name;
  std::vector<Role> roles;
};

struct AccessControlOptions {
  // Verifies bearer tokens; null: the server accepts no tokens.
  std::unique_ptr<auth::JwtVerifier> verifier;
  // The identities file (client-certificate identity -> roles), re-read by
  // Reload(); empty: client certificates grant no role.
  std::string identities_path;
  // Callers without a credential are "anonymous" with every role (the
  // --insecure mode without --jwks).
  bool allow_anonymous = false;
  // Requests per principal; rate_per_second <= 0 means unlimited.
  RateLimiter::Options rate;
};

class AccessControl {
 public:
  // Reads the identities file. INVALID_ARGUMENT/NOT_FOUND naming the file
  // if it cannot be read or parsed; INVALID_ARGUMENT if no caller could
  // ever be authenticated (no verifier, no identities, no anonymous).
  static absl::StatusOr<std::unique_ptr<AccessControl>> Create(
      AccessControlOptions options);

  // Every caller is "anonymous" with every role, with no rate limit: for
  // services run in-process by tests.
  static std::unique_ptr<AccessControl> AllowAll();

  AccessControl(const AccessControl&) = delete;
  AccessControl& operator=(const AccessControl&) = delete;

  // Authenticates the caller of `context`, takes one request from its rate
  // bucket and checks that it has the role `full_method`
  // ("/package.Service/Method") needs for `request`. Thread-safe; never
  // echoes a token.
  absl::StatusOr<Principal> Authorize(const grpc::ServerContextBase& context,
                                      absl::string_view full_method,
                                      const google::protobuf::Message& request);

  // Re-reads the identities file and the JWKS (SIGHUP). On an error the
  // old ones stay in use and the error is returned.
  absl::Status Reload();

  // Human summary for the start-up line, e.g. "bearer tokens (2 keys),
  // client certificates (1 identity)".
  std::string Describe() const;

 private:
  explicit AccessControl(AccessControlOptions options);
  absl::Status LoadIdentities();
  absl::StatusOr<Principal> Authenticate(const grpc::ServerContextBase& context);

  const std::unique_ptr<auth::JwtVerifier> verifier_;
  const std::string identities_path_;
  const bool allow_anonymous_;
  RateLimiter rate_limiter_;
  mutable absl::Mutex mu_;
  IdentityRoles identities_ ABSL_GUARDED_BY(mu_);
};

}  // namespace missions

#endif  // PROTO_COMMON_ACCESS_CONTROL_H_
