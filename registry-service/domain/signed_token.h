// Opaque, tamper-proof tokens (page tokens): a payload signed with
// HMAC-SHA256 under a secret the store keeps, so that tokens stay valid
// across restarts and replicas and cannot be forged or altered.
#ifndef REGISTRY_SERVICE_DOMAIN_SIGNED_TOKEN_H_
#define REGISTRY_SERVICE_DOMAIN_SIGNED_TOKEN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace missions::registry {

// Signs `fields` (joined with a separator they must not contain: \x1f)
// with `key` and returns a URL-safe token.
std::string SignToken(absl::string_view key, const std::vector<std::string>& fields);

// Verifies a token made by SignToken with the same key and returns its
// fields. InvalidArgument if it is malformed or was altered.
absl::StatusOr<std::vector<std::string>> VerifyToken(absl::string_view key,
                                                     absl::string_view token);

// A 64-bit FNV-1a digest, stable across processes and machines (for
// request fingerprints).
uint64_t StableDigest(absl::string_view data);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_SIGNED_TOKEN_H_
