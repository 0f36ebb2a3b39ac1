// Verification of OAuth 2.0 / OpenID Connect bearer tokens: JSON Web Tokens
// (RFC 7519) in compact JWS form (RFC 7515), signed by an identity provider
// whose public keys are in a JWKS file (RFC 7517) on local disk.
//
// Both services call JwtVerifier::Verify on every RPC. The verifier accepts
// asymmetric signatures only (RS256, PS256, ES256, ES384) with keys from the
// JWKS file; it never uses keys embedded in or pointed to by a token (jwk,
// jku, x5c, x5u headers are ignored), never HMAC, never "none". The JWKS
// file is watched (stat at most once per jwks_recheck_interval) so that a
// rotated key set takes effect without a restart; ReloadKeys() forces a
// re-read (SIGHUP).
//
// Error messages name the reason and never contain the token or any part of
// it, so callers may log them and return them to the client.
#ifndef PROTO_COMMON_AUTH_JWT_H_
#define PROTO_COMMON_AUTH_JWT_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace missions::auth {

// The claims of a token that passed every check.
struct VerifiedToken {
  std::string subject;        // "sub" (required, non-empty)
  std::string display_name;   // the display-name claim if present ("name" by default), else empty
  std::vector<std::string> roles;  // the roles claim: a JSON array of strings or one space-separated string
  absl::Time expiry;          // "exp"
};

struct JwtVerifierOptions {
  std::string jwks_path;      // JWKS file (RFC 7517), re-read when its mtime/size/inode changes
  std::string issuer;         // required "iss" value (exact match)
  std::string audience;       // required: "aud" is this string or an array containing it
  absl::Duration clock_skew = absl::Seconds(60);
  std::string roles_claim = "roles";
  std::string display_name_claim = "name";
  absl::Duration jwks_recheck_interval = absl::Seconds(1);  // how often Verify stats the file at most
  size_t cache_capacity = 10000;  // verified tokens cached by SHA-256 digest until expiry
  absl::Duration max_token_lifetime = absl::ZeroDuration(); // 0: no limit
  std::function<absl::Time()> clock;  // defaults to absl::Now (tests inject)
};

class JwtVerifier {
 public:
  // Loads the JWKS; error (INVALID_ARGUMENT/NOT_FOUND, message naming the
  // file and what is wrong) if unreadable, not JSON, or without any usable
  // key. Keys that cannot be used (kty "oct", "use" other than "sig", an
  // unsupported "alg", RSA moduli under 2048 bits, unknown curves) are
  // skipped; the error lists why each key was skipped when none is left.
  // Also INVALID_ARGUMENT if jwks_path, issuer or audience is empty or
  // clock_skew is negative.
  static absl::StatusOr<std::unique_ptr<JwtVerifier>> Create(JwtVerifierOptions options);

  ~JwtVerifier();
  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  // Thread-safe; called on every RPC. Returns UNAUTHENTICATED with a message
  // naming the reason and never containing the token or any part of it
  // ("bearer token expired at 2026-01-01T00:00:00Z", "bearer token signed
  // with unknown key id", "bearer token algorithm none is not accepted",
  // "malformed bearer token: not three base64url parts").
  //
  // A token seen before (same bytes, compared by SHA-256) is answered from
  // the cache until its exp + clock_skew; the cache is cleared whenever a
  // changed JWKS file is loaded.
  absl::StatusOr<VerifiedToken> Verify(absl::string_view token);

  // Re-reads the JWKS now (for SIGHUP). On failure the old keys stay in use
  // and the error is returned.
  absl::Status ReloadKeys();

  // Number of keys currently loaded, for logs/tests.
  size_t key_count() const;

 private:
  class Impl;
  explicit JwtVerifier(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace missions::auth

#endif  // PROTO_COMMON_AUTH_JWT_H_
