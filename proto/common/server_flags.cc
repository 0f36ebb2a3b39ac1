// The command-line flags both servers share: transport security, caller
// authentication and abuse limits (server_security.h).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "proto/common/lifecycle.h"
#include "proto/common/server_security.h"
#include "proto/common/server_telemetry.h"

ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain of the listener (leaf first); re-read within a "
          "second when the file changes, so certificates rotate without a restart");
ABSL_FLAG(std::string, tls_key, "",
          "PEM private key of --tls_cert; must be readable by the owner only");
ABSL_FLAG(std::string, client_ca, "",
          "PEM CA bundle: mutual TLS, clients present a certificate signed by it "
          "(required unless --require_client_cert=false)");
ABSL_FLAG(bool, require_client_cert, true,
          "with --client_ca: every client must present a certificate; false lets "
          "clients without one connect too (they authenticate with a bearer "
          "token), presented certificates are still verified");
ABSL_FLAG(std::string, identities, "",
          "file mapping client-certificate identities to roles, one per line: "
          "`uri:spiffe://missions.local/report-server reader` (needs --client_ca; "
          "re-read on SIGHUP)");
ABSL_FLAG(std::string, jwks, "",
          "JWKS file with the identity provider's token-signing public keys "
          "(RS256, ES256); callers send `authorization: Bearer <JWT>`; re-read "
          "when it changes and on SIGHUP");
ABSL_FLAG(std::string, jwt_issuer, "", "required `iss` of bearer tokens");
ABSL_FLAG(std::string, jwt_audience, "", "required `aud` of bearer tokens");
ABSL_FLAG(absl::Duration, jwt_clock_skew, absl::Seconds(60),
          "tolerance for clocks when checking a token's exp, nbf and iat");
ABSL_FLAG(std::string, jwt_roles_claim, "roles",
          "claim holding the caller's roles (reader, editor, admin): a JSON array "
          "or a space-separated string");
ABSL_FLAG(std::string, jwt_name_claim, "name",
          "claim holding the caller's display name, recorded in the audit log");
ABSL_FLAG(bool, insecure, false,
          "plaintext without TLS; without --jwks also without authentication "
          "(every caller is `anonymous` with every role). Only with a loopback "
          "--listen address: for benchmarks and local debugging, never production");
ABSL_FLAG(double, rate_limit, 100,
          "requests per second each principal may make, sustained (0: unlimited); "
          "beyond it calls fail with RESOURCE_EXHAUSTED and a retry delay");
ABSL_FLAG(double, rate_burst, 200, "requests each principal may make at once");
ABSL_FLAG(int, max_request_bytes, 16 * 1024 * 1024,
          "largest request message accepted; larger ones fail with RESOURCE_EXHAUSTED");
ABSL_FLAG(std::string, log_level, "info",
          "least severe log lines written to stderr, one JSON object per line: "
          "debug, info (one line per call and lifecycle events), warning or error");
ABSL_FLAG(std::string, health_listen, "",
          "host:port of an extra plaintext listener that serves only the gRPC "
          "health service (same statuses as the main port), for probes that "
          "cannot speak TLS such as Kubernetes' native gRPC probes; empty: none");
ABSL_FLAG(absl::Duration, drain, absl::Seconds(5),
          "after SIGTERM, how long the health check answers NOT_SERVING while every "
          "call is still served, so load balancers stop sending calls first (0s: "
          "stop at once)");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(5),
          "after the drain, how long calls still running may take before they are "
          "cancelled");

namespace missions {

ServerSecurityOptions ServerSecurityOptionsFromFlags() {
  ServerSecurityOptions options;
  options.insecure = absl::GetFlag(FLAGS_insecure);
  options.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key = absl::GetFlag(FLAGS_tls_key);
  options.client_ca = absl::GetFlag(FLAGS_client_ca);
  options.require_client_cert = absl::GetFlag(FLAGS_require_client_cert);
  options.identities = absl::GetFlag(FLAGS_identities);
  options.jwks = absl::GetFlag(FLAGS_jwks);
  options.jwt_issuer = absl::GetFlag(FLAGS_jwt_issuer);
  options.jwt_audience = absl::GetFlag(FLAGS_jwt_audience);
  options.jwt_clock_skew = absl::GetFlag(FLAGS_jwt_clock_skew);
  options.jwt_roles_claim = absl::GetFlag(FLAGS_jwt_roles_claim);
  options.jwt_name_claim = absl::GetFlag(FLAGS_jwt_name_claim);
  options.rate_limit = absl::GetFlag(FLAGS_rate_limit);
  options.rate_burst = absl::GetFlag(FLAGS_rate_burst);
  options.message_limits.max_receive_bytes = absl::GetFlag(FLAGS_max_request_bytes);
  return options;
}

LifecycleOptions LifecycleOptionsFromFlags() {
  LifecycleOptions options;
  options.drain = std::max(absl::ZeroDuration(), absl::GetFlag(FLAGS_drain));
  options.grace = std::max(absl::ZeroDuration(), absl::GetFlag(FLAGS_shutdown_grace));
  options.health_listen = absl::GetFlag(FLAGS_health_listen);
  return options;
}

TelemetryOptions TelemetryOptionsFromFlags(std::string service, std::string metrics_listen) {
  TelemetryOptions options;
  options.service = std::move(service);
  options.metrics_listen = std::move(metrics_listen);
  const std::string level = absl::GetFlag(FLAGS_log_level);
  std::optional<observability::LogLevel> parsed = observability::ParseLogLevel(level);
  if (!parsed.has_value()) {
    std::fprintf(stderr, "--log_level=%s: not debug, info, warning or error\n", level.c_str());
    std::exit(2);
  }
  options.log_level = *parsed;
  return options;
}

}  // namespace missions
