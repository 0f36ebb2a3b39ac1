// Transport security and caller authentication of a server, from its
// command-line settings: TLS (optionally mutual) on the listener, bearer
// tokens verified against a JWKS, client-certificate identities, rate
// limits, or, for loopback debugging only, --insecure.
#ifndef PROTO_COMMON_SERVER_SECURITY_H_
#define PROTO_COMMON_SERVER_SECURITY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/security/server_credentials.h"
#include "proto/common/access_control.h"
#include "proto/common/observability/json_log.h"
#include "proto/common/server_runner.h"

namespace missions {

struct ServerSecurityOptions {
  // Plaintext; only with a loopback listen address. Without `jwks` every
  // caller is anonymous with every role.
  bool insecure = false;
  // The listener's certificate chain and private key (PEM).
  std::string tls_cert;
  std::string tls_key;
  // If set: mutual TLS, clients must present a certificate signed by it.
  std::string client_ca;
  // With client_ca: false lets clients without a certificate connect too
  // (they then need a bearer token); presented certificates are verified.
  bool require_client_cert = true;
  // Client-certificate identity -> roles (needs client_ca).
  std::string identities;
  // Bearer tokens: the JWKS file and the required issuer and audience.
  std::string jwks;
  std::string jwt_issuer;
  std::string jwt_audience;
  absl::Duration jwt_clock_skew = absl::Seconds(60);
  std::string jwt_roles_claim = "roles";
  std::string jwt_name_claim = "name";
  // Per-principal request rate; <= 0: unlimited.
  double rate_limit = 100;
  double rate_burst = 200;
  MessageLimits message_limits;
};

// The settings given by the shared server flags (server_flags.cc).
ServerSecurityOptions ServerSecurityOptionsFromFlags();

struct ServerSecurity {
  std::shared_ptr<grpc::ServerCredentials> credentials;
  std::unique_ptr<AccessControl> access;
  // For the start-up line, e.g. "mutual TLS, bearer tokens (1 keys)".
  std::string description;
};

// Checks the settings and loads the files: INVALID_ARGUMENT naming the flag
// when settings are missing or contradict each other (e.g. neither TLS nor
// --insecure, --insecure on a non-loopback address, --identities without
// --client_ca), the file's error when a file is unusable.
absl::StatusOr<ServerSecurity> SetUpServerSecurity(
    const ServerSecurityOptions& options, absl::string_view listen_address);

// Logs the warning of a server started with --insecure ("--insecure:
// plaintext ..."); nothing otherwise.
void WarnIfInsecure(const observability::Logger& log, const ServerSecurityOptions& options);

// What a server does on SIGHUP: re-reads the JWKS and identities file of
// `access` and logs the outcome ("credentials reloaded: ..." or the error).
void ReloadCredentials(const observability::Logger& log, AccessControl& access);

// Whether the host of `address` ("host:port") is a loopback address:
// 127.0.0.0/8, ::1 or localhost.
bool IsLoopbackAddress(absl::string_view address);

}  // namespace missions

#endif  // PROTO_COMMON_SERVER_SECURITY_H_
