#include "registry-service/domain/signed_token.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace missions::registry {
namespace {

constexpr char kSeparator = '\x1f';
constexpr size_t kMacBytes = 32;

std::string Mac(absl::string_view key, absl::string_view payload) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), out,
       &out_len);
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

// Compares without an early exit, so timing tells nothing about the MAC.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

}  // namespace

std::string SignToken(absl::string_view key, const std::vector<std::string>& fields) {
  const std::string payload = absl::StrJoin(fields, std::string(1, kSeparator));
  return absl::WebSafeBase64Escape(Mac(key, payload) + payload);
}

absl::StatusOr<std::vector<std::string>> VerifyToken(absl::string_view key,
                                                     absl::string_view token) {
  const auto invalid = [] {
    return absl::InvalidArgumentError(
        "is not a token this registry issued (altered, truncated, or from another "
        "request); start again without it");
  };
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() < kMacBytes) {
    return invalid();
  }
  const absl::string_view mac(raw.data(), kMacBytes);
  const absl::string_view payload(raw.data() + kMacBytes, raw.size() - kMacBytes);
  if (!ConstantTimeEquals(mac, Mac(key, payload))) return invalid();
  return std::vector<std::string>(absl::StrSplit(payload, kSeparator));
}

uint64_t StableDigest(absl::string_view data) {
  uint64_t hash = 1469598103934665603ULL;
  for (char c : data) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace missions::registry
