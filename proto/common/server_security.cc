#include "proto/common/server_security.h"

#include <arpa/inet.h>

#include <cstdio>

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/security/server_credentials.h"
#include "proto/common/auth/jwt.h"
#include "proto/common/tls.h"

namespace missions {

bool IsLoopbackAddress(absl::string_view address) {
  const size_t colon = address.rfind(':');
  absl::string_view host = colon == absl::string_view::npos ? address : address.substr(0, colon);
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") return true;
  const std::string text(host);
  in_addr v4;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

void WarnIfInsecure(const observability::Logger& log, const ServerSecurityOptions& options) {
  if (!options.insecure) return;
  log.Log(observability::LogLevel::kWarning,
          absl::StrCat("--insecure: plaintext",
                       options.jwks.empty() ? " and no authentication" : "",
                       "; for local debugging and benchmarks only"),
          {{"event", "insecure"}});
}

void ReloadCredentials(const observability::Logger& log, AccessControl& access) {
  const absl::Status reloaded = access.Reload();
  if (reloaded.ok()) {
    log.Log(observability::LogLevel::kInfo,
            absl::StrCat("SIGHUP: credentials reloaded: ", access.Describe()),
            {{"event", "reload"}});
  } else {
    log.Log(observability::LogLevel::kError,
            absl::StrCat("SIGHUP: reload failed, keeping the old credentials: ",
                         reloaded.ToString()),
            {{"event", "reload"}});
  }
}

absl::StatusOr<ServerSecurity> SetUpServerSecurity(const ServerSecurityOptions& options,
                                                   absl::string_view listen_address) {
  const bool tls = !options.tls_cert.empty() || !options.tls_key.empty();
  if (options.insecure && (tls || !options.client_ca.empty())) {
    return absl::InvalidArgumentError(
        "--insecure (plaintext) contradicts --tls_cert/--tls_key/--client_ca");
  }
  if (!options.insecure && !tls) {
    return absl::InvalidArgumentError(
        "no transport security: give --tls_cert and --tls_key (PEM files), or "
        "--insecure for plaintext on a loopback address (local debugging only)");
  }
  if (options.insecure && !IsLoopbackAddress(listen_address)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--insecure is accepted only with a loopback --listen address "
        "(127.0.0.1, ::1 or localhost), not ", listen_address));
  }
  if (!options.identities.empty() && options.client_ca.empty()) {
    return absl::InvalidArgumentError(
        "--identities maps client certificates to roles and needs --client_ca "
        "(mutual TLS)");
  }
  const bool tokens = !options.jwks.empty();
  if (!tokens && (!options.jwt_issuer.empty() || !options.jwt_audience.empty())) {
    return absl::InvalidArgumentError("--jwt_issuer and --jwt_audience need --jwks");
  }
  if (tokens && (options.jwt_issuer.empty() || options.jwt_audience.empty())) {
    return absl::InvalidArgumentError(
        "--jwks needs --jwt_issuer and --jwt_audience (the values the identity "
        "provider puts in the tokens' iss and aud claims)");
  }

  ServerSecurity security;
  std::vector<std::string> description;
  if (options.insecure) {
    security.credentials = grpc::InsecureServerCredentials();
    description.push_back("PLAINTEXT (--insecure)");
  } else {
    ServerTlsOptions tls_options;
    tls_options.cert_path = options.tls_cert;
    tls_options.key_path = options.tls_key;
    tls_options.client_ca_path = options.client_ca;
    tls_options.require_client_cert = options.require_client_cert;
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
        MakeServerCredentials(tls_options);
    if (!credentials.ok()) return credentials.status();
    security.credentials = *std::move(credentials);
    description.push_back(options.client_ca.empty() ? "TLS"
                          : options.require_client_cert
                              ? "mutual TLS"
                              : "TLS with optional client certificates");
  }

  AccessControlOptions access;
  if (tokens) {
    auth::JwtVerifierOptions jwt;
    jwt.jwks_path = options.jwks;
    jwt.issuer = options.jwt_issuer;
    jwt.audience = options.jwt_audience;
    jwt.clock_skew = options.jwt_clock_skew;
    jwt.roles_claim = options.jwt_roles_claim;
    jwt.display_name_claim = options.jwt_name_claim;
    absl::StatusOr<std::unique_ptr<auth::JwtVerifier>> verifier =
        auth::JwtVerifier::Create(std::move(jwt));
    if (!verifier.ok()) return verifier.status();
    access.verifier = *std::move(verifier);
  }
  access.identities_path = options.identities;
  access.allow_anonymous = options.insecure && !tokens;
  access.rate.rate_per_second = options.rate_limit;
  access.rate.burst = options.rate_burst;
  absl::StatusOr<std::unique_ptr<AccessControl>> control =
      AccessControl::Create(std::move(access));
  if (!control.ok()) return control.status();
  security.access = *std::move(control);
  description.push_back(security.access->Describe());
  if (options.rate_limit > 0) {
    description.push_back(absl::StrCat("rate limit ", options.rate_limit,
                                       "/s per principal (burst ", options.rate_burst, ")"));
  }
  security.description = absl::StrJoin(description, ", ");
  return security;
}

}  // namespace missions
