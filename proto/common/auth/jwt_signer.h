// Making JSON Web Tokens and JWKs with OpenSSL: for tests and tools that
// need tokens a JwtVerifier (jwt.h) can check. Not an issuer: it signs
// whatever header and payload it is given, including deliberately bad ones
// ("alg":"none", HMAC) so that tests can show they are refused.
#ifndef PROTO_COMMON_AUTH_JWT_SIGNER_H_
#define PROTO_COMMON_AUTH_JWT_SIGNER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace missions::auth {

// Signs header and payload (JSON objects as text) with a PEM private key
// (RSA → RS256 raw, EC P-256 → ES256 with DER→raw r||s conversion); the
// header's "alg" is taken as given (so tests can also craft "none" / "HS256"
// tokens: for alg "none" the signature is empty; for HS256 the key bytes
// given are used as HMAC key via EVP_MAC or HMAC()).
//
// Supported "alg" values: RS256, PS256 (RSA keys), ES256 (P-256), ES384
// (P-384), HS256/HS384/HS512 (any bytes as key), none (any case, key
// ignored). The header and payload texts are encoded byte for byte; only
// the header is parsed (for "alg"), so the payload may be anything.
// INVALID_ARGUMENT for a header that is not a JSON object with an "alg"
// string, an unsupported alg, a key that does not parse or does not fit
// the alg.
absl::StatusOr<std::string> SignJwt(absl::string_view header_json,
                                    absl::string_view payload_json,
                                    absl::string_view key_pem_or_hmac_key);

// Writes the JWK (public part, with kid, alg, use=sig) of a PEM private or
// public key as JSON text: {"kty":"RSA","kid":..,"alg":"RS256","use":"sig",
// "n":..,"e":..} or EC with crv/x/y (P-256 → ES256, P-384 → ES384).
absl::StatusOr<std::string> PublicJwkJson(absl::string_view key_pem, absl::string_view kid);

// Unpadded base64url (RFC 7515 section 2).
std::string Base64UrlEncode(absl::string_view bytes);

}  // namespace missions::auth

#endif  // PROTO_COMMON_AUTH_JWT_SIGNER_H_
