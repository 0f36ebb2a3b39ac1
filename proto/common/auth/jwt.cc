#include "proto/common/auth/jwt.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <system_error>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "proto/common/status_macros.h"

namespace missions::auth {
namespace {

using ::google::protobuf::ListValue;
using ::google::protobuf::Struct;
using ::google::protobuf::Value;

// Larger tokens are rejected before any decoding or hashing. Real access
// tokens are 1-4 KiB; the limit bounds the work an unauthenticated caller
// can cause.
constexpr size_t kMaxTokenBytes = 16 * 1024;
// A JWKS file of a few keys is a few KiB; anything near this is a mistake.
constexpr off_t kMaxJwksBytes = 1024 * 1024;
// RSA moduli outside this range are not loaded: smaller ones are weak,
// larger ones make every verification slow.
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;
// NumericDate values (RFC 7519 section 2) from 1970 up to
// 9999-12-31T23:59:59Z are accepted; others are not plausible times.
constexpr double kMaxNumericDate = 253402300799.0;

// ---------------------------------------------------------------------------
// OpenSSL objects owned by std::unique_ptr.

template <typename T, void (*kFree)(T*)>
struct OpenSslFree {
  void operator()(T* p) const { kFree(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr =
    std::unique_ptr<EVP_PKEY_CTX, OpenSslFree<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslFree<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslFree<BIGNUM, BN_free>>;
using ParamBuildPtr =
    std::unique_ptr<OSSL_PARAM_BLD, OpenSslFree<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, OpenSslFree<OSSL_PARAM, OSSL_PARAM_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpenSslFree<ECDSA_SIG, ECDSA_SIG_free>>;

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// ---------------------------------------------------------------------------
// Algorithms (RFC 7518 section 3) and key types.

enum class KeyType { kRsa, kEcP256, kEcP384 };

struct Algorithm {
  absl::string_view name;
  KeyType key_type;
  bool pss;                      // RSASSA-PSS instead of PKCS #1 v1.5
  const EVP_MD* (*digest)();
  size_t ec_coordinate_bytes;    // size of r and s in the JWS signature; 0 for RSA
};

// The only algorithms a token may use. Every one is asymmetric: the JWKS
// holds public keys, so nothing in it can ever serve as an HMAC secret.
constexpr Algorithm kAlgorithms[] = {
    {"RS256", KeyType::kRsa, false, EVP_sha256, 0},
    {"PS256", KeyType::kRsa, true, EVP_sha256, 0},
    {"ES256", KeyType::kEcP256, false, EVP_sha256, 32},
    {"ES384", KeyType::kEcP384, false, EVP_sha384, 48},
};

const Algorithm* FindAlgorithm(absl::string_view name) {
  for (const Algorithm& algorithm : kAlgorithms) {
    if (algorithm.name == name) return &algorithm;
  }
  return nullptr;
}

// Registered JWS algorithm names that are refused. Only names from these
// fixed lists appear in error messages, never free text from a token.
constexpr absl::string_view kHmacAlgorithms[] = {"HS256", "HS384", "HS512"};
constexpr absl::string_view kUnsupportedAlgorithms[] = {
    "RS384", "RS512", "PS384", "PS512", "ES512", "ES256K", "EdDSA"};

// The algorithm a token header names, or UNAUTHENTICATED saying why it is
// refused.
absl::StatusOr<const Algorithm*> AcceptedAlgorithm(absl::string_view name) {
  if (const Algorithm* algorithm = FindAlgorithm(name)) return algorithm;
  if (absl::EqualsIgnoreCase(name, "none")) {
    return absl::UnauthenticatedError("bearer token algorithm none is not accepted");
  }
  for (absl::string_view hmac : kHmacAlgorithms) {
    if (absl::EqualsIgnoreCase(name, hmac)) {
      return absl::UnauthenticatedError(absl::StrCat(
          "bearer token algorithm ", hmac,
          " is not accepted: only asymmetric signatures are verified"));
    }
  }
  for (absl::string_view other : kUnsupportedAlgorithms) {
    if (name == other) {
      return absl::UnauthenticatedError(
          absl::StrCat("bearer token algorithm ", other, " is not supported"));
    }
  }
  return absl::UnauthenticatedError("bearer token algorithm is not supported");
}

// ---------------------------------------------------------------------------
// Encodings.

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Decodes unpadded base64url (RFC 7515 section 2) strictly: only the
// base64url alphabet, no padding, no whitespace, and the unused low bits of
// the last character must be zero, so every byte string has exactly one
// accepted encoding.
bool Base64UrlDecode(absl::string_view in, std::string& out) {
  out.clear();
  if (in.size() % 4 == 1) return false;
  out.reserve(in.size() / 4 * 3 + 2);
  uint32_t bits = 0;
  int bit_count = 0;
  for (char c : in) {
    const int value = Base64UrlValue(c);
    if (value < 0) return false;
    bits = (bits << 6) | static_cast<uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<char>((bits >> bit_count) & 0xFF));
      bits &= (1u << bit_count) - 1;
    }
  }
  return bits == 0;
}

// Parses a JSON object. protobuf's parser rejects duplicate member names,
// invalid UTF-8, lone surrogates and trailing text, which is what a token
// header or payload needs. The error text may quote the input, so callers
// that handle token bytes must not pass it on.
absl::Status ParseJsonObject(absl::string_view json, Struct* out) {
  const auto status = ::google::protobuf::util::JsonStringToMessage(
      ::google::protobuf::StringPiece(json.data(), json.size()), out);
  if (!status.ok()) {
    const auto message = status.message();
    return absl::InvalidArgumentError(std::string(message.data(), message.size()));
  }
  return absl::OkStatus();
}

const Value* Member(const Struct& object, absl::string_view name) {
  const auto it = object.fields().find(std::string(name));
  return it == object.fields().end() ? nullptr : &it->second;
}

bool IsString(const Value* value) {
  return value != nullptr && value->kind_case() == Value::kStringValue;
}

// Absent and JSON null are treated alike for optional members.
bool IsAbsent(const Value* value) {
  return value == nullptr || value->kind_case() == Value::kNullValue;
}

std::string FormatUtc(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

std::string Sha256(absl::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    // Only fails on allocation failure; an empty digest never matches a
    // cache entry because nothing is inserted under it either (see Verify).
    ERR_clear_error();
    return std::string();
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// ---------------------------------------------------------------------------
// Keys from a JWKS (RFC 7517, RFC 7518 section 6).

struct Key {
  std::string kid;
  bool has_kid = false;
  KeyType type = KeyType::kRsa;
  const Algorithm* algorithm = nullptr;  // the JWK's "alg" if it states one
  PkeyPtr pkey;
};

// What identifies one version of the JWKS file on disk.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

FileIdentity IdentityOf(const struct stat& st) {
  return FileIdentity{st.st_dev, st.st_ino, st.st_size,
                      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 +
                          st.st_mtim.tv_nsec};
}

struct KeySet {
  std::vector<Key> keys;
  FileIdentity identity;
};

// Makes a public key of `type` ("RSA", "EC") from parameters; OpenSSL
// checks them (for EC: that the point is on the curve), and `failure` is
// the error message if it refuses.
absl::StatusOr<PkeyPtr> PublicKeyFromParams(const char* type, const OSSL_PARAM_BLD* build,
                                            absl::string_view failure) {
  // OSSL_PARAM_BLD_to_param takes a non-const builder but does not keep it.
  ParamsPtr params(OSSL_PARAM_BLD_to_param(const_cast<OSSL_PARAM_BLD*>(build)));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(failure);
  }
  return PkeyPtr(pkey);
}

absl::StatusOr<PkeyPtr> RsaPublicKey(absl::string_view n, absl::string_view e) {
  BignumPtr modulus(BN_bin2bn(Bytes(n), static_cast<int>(n.size()), nullptr));
  BignumPtr exponent(BN_bin2bn(Bytes(e), static_cast<int>(e.size()), nullptr));
  if (modulus == nullptr || exponent == nullptr) {
    return absl::ResourceExhaustedError("out of memory");
  }
  const int bits = BN_num_bits(modulus.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    return absl::InvalidArgumentError(absl::StrCat("RSA modulus has ", bits,
                                                   " bits, outside ", kMinRsaBits,
                                                   "..", kMaxRsaBits));
  }
  if (!BN_is_odd(exponent.get()) || BN_is_one(exponent.get())) {
    return absl::InvalidArgumentError("RSA exponent e is not an odd number above 1");
  }
  ParamBuildPtr build(OSSL_PARAM_BLD_new());
  if (build == nullptr ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    ERR_clear_error();
    return absl::ResourceExhaustedError("out of memory");
  }
  return PublicKeyFromParams("RSA", build.get(), "OpenSSL does not accept n and e");
}

absl::StatusOr<PkeyPtr> EcPublicKey(const char* group, absl::string_view x,
                                    absl::string_view y) {
  // The uncompressed point encoding (SEC 1 section 2.3.3): 0x04 || x || y.
  const std::string point = absl::StrCat("\x04", x, y);
  ParamBuildPtr build(OSSL_PARAM_BLD_new());
  if (build == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    ERR_clear_error();
    return absl::ResourceExhaustedError("out of memory");
  }
  // A point off the curve must never be used (invalid-curve attacks):
  // EVP_PKEY_fromdata refuses one, and the public check makes sure.
  ASSIGN_OR_RETURN(PkeyPtr pkey, PublicKeyFromParams("EC", build.get(),
                                                     "EC point x/y is not on the curve"));
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("EC point x/y is not on the curve");
  }
  return pkey;
}

// Reads member `name` of a JWK as base64url bytes.
absl::StatusOr<std::string> JwkBytes(const Struct& jwk, absl::string_view name) {
  const Value* value = Member(jwk, name);
  std::string bytes;
  if (!IsString(value)) {
    return absl::InvalidArgumentError(absl::StrCat("no \"", name, "\" string"));
  }
  if (!Base64UrlDecode(value->string_value(), bytes) || bytes.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is not base64url"));
  }
  return bytes;
}

// Builds a verification key from one JWK, or says why it cannot be used.
absl::StatusOr<Key> KeyFromJwk(const Value& value) {
  if (value.kind_case() != Value::kStructValue) {
    return absl::InvalidArgumentError("not a JSON object");
  }
  const Struct& jwk = value.struct_value();
  Key key;
  if (const Value* kid = Member(jwk, "kid"); !IsAbsent(kid)) {
    if (!IsString(kid)) return absl::InvalidArgumentError("\"kid\" is not a string");
    key.kid = kid->string_value();
    key.has_kid = true;
  }
  if (const Value* use = Member(jwk, "use"); !IsAbsent(use)) {
    if (!IsString(use) || use->string_value() != "sig") {
      return absl::InvalidArgumentError("\"use\" is not \"sig\"");
    }
  }
  if (const Value* ops = Member(jwk, "key_ops"); !IsAbsent(ops)) {
    bool verify = false;
    if (ops->kind_case() == Value::kListValue) {
      for (const Value& op : ops->list_value().values()) {
        verify = verify || (IsString(&op) && op.string_value() == "verify");
      }
    }
    if (!verify) return absl::InvalidArgumentError("\"key_ops\" does not include \"verify\"");
  }
  if (const Value* alg = Member(jwk, "alg"); !IsAbsent(alg)) {
    if (!IsString(alg)) return absl::InvalidArgumentError("\"alg\" is not a string");
    key.algorithm = FindAlgorithm(alg->string_value());
    if (key.algorithm == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "alg ", alg->string_value(), " is not a supported signature algorithm"));
    }
  }
  const Value* kty = Member(jwk, "kty");
  if (!IsString(kty)) return absl::InvalidArgumentError("no \"kty\" string");
  if (kty->string_value() == "RSA") {
    ASSIGN_OR_RETURN(const std::string n, JwkBytes(jwk, "n"));
    ASSIGN_OR_RETURN(const std::string e, JwkBytes(jwk, "e"));
    ASSIGN_OR_RETURN(key.pkey, RsaPublicKey(n, e));
    key.type = KeyType::kRsa;
  } else if (kty->string_value() == "EC") {
    const Value* crv = Member(jwk, "crv");
    if (!IsString(crv)) return absl::InvalidArgumentError("no \"crv\" string");
    const char* group = nullptr;
    size_t coordinate_bytes = 0;
    if (crv->string_value() == "P-256") {
      key.type = KeyType::kEcP256;
      group = "prime256v1";
      coordinate_bytes = 32;
    } else if (crv->string_value() == "P-384") {
      key.type = KeyType::kEcP384;
      group = "secp384r1";
      coordinate_bytes = 48;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("crv ", crv->string_value(), " is not supported"));
    }
    ASSIGN_OR_RETURN(const std::string x, JwkBytes(jwk, "x"));
    ASSIGN_OR_RETURN(const std::string y, JwkBytes(jwk, "y"));
    // RFC 7518 section 6.2.1.2: the full coordinate size, leading zeros kept.
    if (x.size() != coordinate_bytes || y.size() != coordinate_bytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"x\" and \"y\" of a ", crv->string_value(), " key must be ", coordinate_bytes,
          " bytes each"));
    }
    ASSIGN_OR_RETURN(key.pkey, EcPublicKey(group, x, y));
  } else {
    // "oct" (symmetric) keys in particular: never used, so that no token
    // can be verified with HMAC.
    return absl::InvalidArgumentError(
        absl::StrCat("kty ", kty->string_value(), " is not supported"));
  }
  if (key.algorithm != nullptr && key.algorithm->key_type != key.type) {
    return absl::InvalidArgumentError(
        absl::StrCat("alg ", key.algorithm->name, " does not fit the key type"));
  }
  return key;
}

// Reads the JWKS file. Keys that cannot be used are skipped; the file is an
// error only if none is left.
absl::StatusOr<std::shared_ptr<const KeySet>> LoadKeySet(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) {
      return absl::NotFoundError(absl::StrCat("JWKS file ", path, " does not exist"));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "JWKS file ", path, " cannot be opened: ", std::generic_category().message(error)));
  }
  auto key_set = std::make_shared<KeySet>();
  std::string text;
  absl::Status read_status;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    read_status = absl::InvalidArgumentError(absl::StrCat(
        "JWKS file ", path, " cannot be read: ", std::generic_category().message(errno)));
  } else if (!S_ISREG(st.st_mode)) {
    read_status =
        absl::InvalidArgumentError(absl::StrCat("JWKS file ", path, " is not a regular file"));
  } else if (st.st_size > kMaxJwksBytes) {
    read_status = absl::InvalidArgumentError(
        absl::StrCat("JWKS file ", path, " is larger than ", kMaxJwksBytes, " bytes"));
  } else {
    key_set->identity = IdentityOf(st);
    char buffer[8192];
    while (read_status.ok()) {
      const ssize_t n = read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        read_status = absl::InvalidArgumentError(absl::StrCat(
            "JWKS file ", path, " cannot be read: ", std::generic_category().message(errno)));
      } else if (n == 0) {
        break;
      } else {
        text.append(buffer, static_cast<size_t>(n));
        if (text.size() > static_cast<size_t>(kMaxJwksBytes)) {
          read_status = absl::InvalidArgumentError(
              absl::StrCat("JWKS file ", path, " is larger than ", kMaxJwksBytes, " bytes"));
        }
      }
    }
  }
  close(fd);
  RETURN_IF_ERROR(read_status);

  Struct jwks;
  if (absl::Status status = ParseJsonObject(text, &jwks); !status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWKS file ", path, " is not a JSON object: ", status.message()));
  }
  const Value* keys = Member(jwks, "keys");
  if (keys == nullptr || keys->kind_case() != Value::kListValue) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWKS file ", path, " has no \"keys\" array"));
  }
  std::vector<std::string> skipped;
  const ListValue& list = keys->list_value();
  for (int i = 0; i < list.values_size(); ++i) {
    absl::StatusOr<Key> key = KeyFromJwk(list.values(i));
    if (key.ok()) {
      key_set->keys.push_back(*std::move(key));
      continue;
    }
    std::string where = absl::StrCat("key ", i);
    if (list.values(i).kind_case() == Value::kStructValue) {
      const Value* kid = Member(list.values(i).struct_value(), "kid");
      if (IsString(kid)) absl::StrAppend(&where, " (kid \"", kid->string_value(), "\")");
    }
    skipped.push_back(absl::StrCat(where, ": ", key.status().message()));
  }
  if (key_set->keys.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "JWKS file ", path, " has no usable key",
        skipped.empty() ? std::string(" (\"keys\" is empty)")
                        : absl::StrCat(": ", absl::StrJoin(skipped, "; "))));
  }
  return std::shared_ptr<const KeySet>(std::move(key_set));
}

// ---------------------------------------------------------------------------
// Signature verification.

bool KeyFits(const Key& key, const Algorithm& algorithm) {
  return key.type == algorithm.key_type &&
         (key.algorithm == nullptr || key.algorithm == &algorithm);
}

// Chooses the key for a token: by "kid" if the header has one, else the
// only key of the algorithm's type. Keys embedded in or referenced by the
// header (jwk, jku, x5c, x5u) are never looked at.
absl::StatusOr<const Key*> SelectKey(const KeySet& key_set, const Struct& header,
                                     const Algorithm& algorithm) {
  const Value* kid = Member(header, "kid");
  if (kid != nullptr) {
    if (!IsString(kid)) {
      return absl::UnauthenticatedError("malformed bearer token: kid is not a string");
    }
    bool known = false;
    for (const Key& key : key_set.keys) {
      if (!key.has_kid || key.kid != kid->string_value()) continue;
      if (KeyFits(key, algorithm)) return &key;
      known = true;
    }
    if (!known) return absl::UnauthenticatedError("bearer token signed with unknown key id");
    return absl::UnauthenticatedError(absl::StrCat(
        "bearer token algorithm ", algorithm.name, " does not match its key"));
  }
  const Key* only = nullptr;
  int fitting = 0;
  for (const Key& key : key_set.keys) {
    if (KeyFits(key, algorithm)) {
      only = &key;
      ++fitting;
    }
  }
  if (fitting == 1) return only;
  return absl::UnauthenticatedError(absl::StrCat(
      "bearer token has no key id and ", fitting == 0 ? "no" : absl::StrCat(fitting),
      " keys are for ", algorithm.name));
}

// Verifies a JWS signature (RFC 7515 section 5.2) over `signed_part`
// ("header.payload" as sent). ECDSA signatures arrive as r || s (RFC 7518
// section 3.4) and are converted to the DER form OpenSSL expects.
bool VerifySignature(const Key& key, const Algorithm& algorithm,
                     absl::string_view signed_part, absl::string_view signature) {
  std::string der;
  absl::string_view to_verify = signature;
  if (algorithm.ec_coordinate_bytes != 0) {
    const size_t n = algorithm.ec_coordinate_bytes;
    if (signature.size() != 2 * n) return false;
    EcdsaSigPtr sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(Bytes(signature), static_cast<int>(n), nullptr);
    BIGNUM* s = BN_bin2bn(Bytes(signature) + n, static_cast<int>(n), nullptr);
    if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
      BN_free(r);  // ECDSA_SIG_set0 takes ownership only when it succeeds
      BN_free(s);
      ERR_clear_error();
      return false;
    }
    const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (length <= 0) return false;
    der.resize(static_cast<size_t>(length));
    unsigned char* out = reinterpret_cast<unsigned char*>(der.data());
    if (i2d_ECDSA_SIG(sig.get(), &out) != length) return false;
    to_verify = der;
  } else if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.pkey.get()))) {
    return false;  // RSA signatures are exactly the modulus size
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by ctx
  bool ok = ctx != nullptr &&
            EVP_DigestVerifyInit(ctx.get(), &pkey_ctx, algorithm.digest(), nullptr,
                                 key.pkey.get()) == 1;
  if (ok && algorithm.pss) {
    // RFC 7518 section 3.5: MGF1 with the same hash, salt as long as the hash.
    ok = EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  ok = ok && EVP_DigestVerify(ctx.get(), Bytes(to_verify), to_verify.size(),
                              Bytes(signed_part), signed_part.size()) == 1;
  ERR_clear_error();  // a failed verification leaves entries on this thread's queue
  return ok;
}

// ---------------------------------------------------------------------------
// Claims.

// Reads a NumericDate claim (seconds since the epoch, a JSON number).
absl::StatusOr<std::optional<absl::Time>> NumericDate(const Struct& claims,
                                                      absl::string_view name) {
  const Value* value = Member(claims, name);
  if (value == nullptr) return std::optional<absl::Time>();
  if (value->kind_case() != Value::kNumberValue || !std::isfinite(value->number_value()) ||
      value->number_value() < 0 || value->number_value() > kMaxNumericDate) {
    return absl::UnauthenticatedError(
        absl::StrCat("bearer token claim ", name, " is not a valid NumericDate"));
  }
  return std::optional<absl::Time>(absl::UnixEpoch() + absl::Seconds(value->number_value()));
}

bool AudienceMatches(const Value* aud, absl::string_view audience) {
  if (IsString(aud)) return aud->string_value() == audience;
  if (aud != nullptr && aud->kind_case() == Value::kListValue) {
    for (const Value& entry : aud->list_value().values()) {
      if (IsString(&entry) && entry.string_value() == audience) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------
// Cache of verified tokens.

// Maps the SHA-256 digest of a token to its verified claims until the end
// of its validity (exp + clock skew). Entries are also indexed by that end,
// so that expired entries, and when the cache is full the ones closest to
// their end (the least useful to keep), go first. Not thread-safe.
class TokenCache {
 public:
  explicit TokenCache(size_t capacity) : capacity_(capacity) {}

  std::shared_ptr<const VerifiedToken> Find(absl::string_view digest, absl::Time now) const {
    const auto it = entries_.find(digest);
    if (it == entries_.end() || it->second.by_end->first < now) return nullptr;
    return it->second.token;
  }

  void Insert(std::string digest, std::shared_ptr<const VerifiedToken> token,
              absl::Time valid_until, absl::Time now) {
    if (capacity_ == 0 || entries_.contains(digest)) return;
    while (!by_end_.empty() &&
           (by_end_.begin()->first < now || entries_.size() >= capacity_)) {
      entries_.erase(by_end_.begin()->second);
      by_end_.erase(by_end_.begin());
    }
    const auto by_end = by_end_.emplace(valid_until, digest);
    entries_.emplace(std::move(digest), Entry{std::move(token), by_end});
  }

  void Clear() {
    entries_.clear();
    by_end_.clear();
  }

 private:
  using EndIndex = std::multimap<absl::Time, std::string>;  // end of validity -> digest
  struct Entry {
    std::shared_ptr<const VerifiedToken> token;
    EndIndex::iterator by_end;
  };

  const size_t capacity_;
  absl::flat_hash_map<std::string, Entry> entries_;
  EndIndex by_end_;
};

}  // namespace

// ---------------------------------------------------------------------------

class JwtVerifier::Impl {
 public:
  explicit Impl(JwtVerifierOptions options)
      : options_(std::move(options)), cache_(options_.cache_capacity) {}

  absl::StatusOr<VerifiedToken> Verify(absl::string_view token);

  // Reads the JWKS file and installs its keys; with `only_if_changed`, only
  // if the file is not the one loaded last. Keeps the old keys on failure.
  absl::Status Reload(bool only_if_changed);

  // Schedules the first automatic recheck one interval after `now`.
  void ScheduleRecheck(absl::Time now) {
    next_recheck_unix_ns_.store(absl::ToUnixNanos(now + options_.jwks_recheck_interval),
                                std::memory_order_relaxed);
  }

  absl::Time Now() const { return options_.clock(); }

  size_t key_count() const {
    absl::ReaderMutexLock lock(&mu_);
    return keys_ == nullptr ? 0 : keys_->keys.size();
  }

 private:
  void MaybeReload(absl::Time now);
  absl::StatusOr<VerifiedToken> VerifyUncached(absl::string_view token,
                                               const KeySet& key_set, absl::Time now,
                                               absl::Time* valid_until) const;
  absl::StatusOr<VerifiedToken> CheckClaims(const Struct& claims, absl::Time now,
                                            absl::Time* valid_until) const;

  const JwtVerifierOptions options_;
  // Serialises reading the file, so that concurrent rechecks load it once.
  // Acquired before mu_.
  absl::Mutex reload_mu_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const KeySet> keys_ ABSL_GUARDED_BY(mu_);
  // Incremented with every new key set; a verification that started under
  // an older one does not enter the cache.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  TokenCache cache_ ABSL_GUARDED_BY(mu_);
  // When Verify next stats the JWKS file (Unix nanoseconds of the clock).
  std::atomic<int64_t> next_recheck_unix_ns_{0};
};

absl::StatusOr<VerifiedToken> JwtVerifier::Impl::Verify(absl::string_view token) {
  if (token.empty()) return absl::UnauthenticatedError("bearer token is empty");
  if (token.size() > kMaxTokenBytes) {
    return absl::UnauthenticatedError(
        absl::StrCat("bearer token is longer than ", kMaxTokenBytes, " bytes"));
  }
  const absl::Time now = Now();
  MaybeReload(now);

  std::string digest = Sha256(token);
  std::shared_ptr<const VerifiedToken> cached;
  std::shared_ptr<const KeySet> key_set;
  uint64_t generation = 0;
  {
    absl::ReaderMutexLock lock(&mu_);
    if (!digest.empty()) cached = cache_.Find(digest, now);
    key_set = keys_;
    generation = generation_;
  }
  if (cached != nullptr) return *cached;

  absl::Time valid_until;
  ASSIGN_OR_RETURN(VerifiedToken verified, VerifyUncached(token, *key_set, now, &valid_until));
  if (!digest.empty()) {
    auto entry = std::make_shared<const VerifiedToken>(verified);
    absl::MutexLock lock(&mu_);
    if (generation_ == generation) {
      cache_.Insert(std::move(digest), std::move(entry), valid_until, now);
    }
  }
  return verified;
}

void JwtVerifier::Impl::MaybeReload(absl::Time now) {
  const int64_t now_ns = absl::ToUnixNanos(now);
  int64_t due = next_recheck_unix_ns_.load(std::memory_order_relaxed);
  if (now_ns < due) return;
  // One thread per interval does the check; the others go on with the keys
  // they have.
  const int64_t next = absl::ToUnixNanos(now + options_.jwks_recheck_interval);
  if (!next_recheck_unix_ns_.compare_exchange_strong(due, next, std::memory_order_relaxed)) {
    return;
  }
  // A file that does not load (being written, broken) leaves the old keys
  // in use and is tried again at the next recheck; ReloadKeys() reports why.
  Reload(/*only_if_changed=*/true).IgnoreError();
}

absl::Status JwtVerifier::Impl::Reload(bool only_if_changed) {
  absl::MutexLock reload_lock(&reload_mu_);
  if (only_if_changed) {
    struct stat st;
    // Missing for a moment (replaced without rename): keep the keys.
    if (stat(options_.jwks_path.c_str(), &st) != 0) return absl::OkStatus();
    absl::ReaderMutexLock lock(&mu_);
    if (keys_ != nullptr && keys_->identity == IdentityOf(st)) return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const KeySet> fresh, LoadKeySet(options_.jwks_path));
  absl::MutexLock lock(&mu_);
  keys_ = std::move(fresh);
  ++generation_;
  // Tokens verified with the old keys must be verified again: a key may
  // have been removed because it was compromised.
  cache_.Clear();
  return absl::OkStatus();
}

absl::StatusOr<VerifiedToken> JwtVerifier::Impl::VerifyUncached(
    absl::string_view token, const KeySet& key_set, absl::Time now,
    absl::Time* valid_until) const {
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty()) {
    return absl::UnauthenticatedError("malformed bearer token: not three base64url parts");
  }
  std::string header_json;
  std::string payload_json;
  std::string signature;
  if (!Base64UrlDecode(parts[0], header_json)) {
    return absl::UnauthenticatedError("malformed bearer token: header is not base64url");
  }
  if (!Base64UrlDecode(parts[1], payload_json)) {
    return absl::UnauthenticatedError("malformed bearer token: payload is not base64url");
  }
  // An empty signature part is well-formed (alg none) and refused below.
  if (!Base64UrlDecode(parts[2], signature)) {
    return absl::UnauthenticatedError("malformed bearer token: signature is not base64url");
  }

  Struct header;
  if (!ParseJsonObject(header_json, &header).ok()) {
    return absl::UnauthenticatedError("malformed bearer token: header is not a JSON object");
  }
  const Value* alg = Member(header, "alg");
  if (!IsString(alg)) {
    return absl::UnauthenticatedError("malformed bearer token: header has no alg string");
  }
  ASSIGN_OR_RETURN(const Algorithm* algorithm, AcceptedAlgorithm(alg->string_value()));
  // RFC 7515 section 4.1.11: extensions listed in "crit" must be understood;
  // this verifier understands none.
  if (Member(header, "crit") != nullptr) {
    return absl::UnauthenticatedError(
        "bearer token header has crit extensions, which are not supported");
  }
  ASSIGN_OR_RETURN(const Key* key, SelectKey(key_set, header, *algorithm));
  const absl::string_view signed_part = token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (!VerifySignature(*key, *algorithm, signed_part, signature)) {
    return absl::UnauthenticatedError("bearer token signature is invalid");
  }

  // The payload is only parsed once it is known to come from the issuer.
  Struct claims;
  if (!ParseJsonObject(payload_json, &claims).ok()) {
    return absl::UnauthenticatedError("malformed bearer token: payload is not a JSON object");
  }
  return CheckClaims(claims, now, valid_until);
}

absl::StatusOr<VerifiedToken> JwtVerifier::Impl::CheckClaims(const Struct& claims,
                                                             absl::Time now,
                                                             absl::Time* valid_until) const {
  const Value* iss = Member(claims, "iss");
  if (!IsString(iss)) return absl::UnauthenticatedError("bearer token has no issuer");
  if (iss->string_value() != options_.issuer) {
    return absl::UnauthenticatedError("bearer token issuer does not match");
  }
  if (!AudienceMatches(Member(claims, "aud"), options_.audience)) {
    return absl::UnauthenticatedError("bearer token audience does not match");
  }

  ASSIGN_OR_RETURN(const std::optional<absl::Time> exp, NumericDate(claims, "exp"));
  ASSIGN_OR_RETURN(const std::optional<absl::Time> nbf, NumericDate(claims, "nbf"));
  ASSIGN_OR_RETURN(const std::optional<absl::Time> iat, NumericDate(claims, "iat"));
  if (!exp.has_value()) return absl::UnauthenticatedError("bearer token has no exp claim");
  const absl::Duration skew = options_.clock_skew;
  if (now > *exp + skew) {
    return absl::UnauthenticatedError(absl::StrCat("bearer token expired at ", FormatUtc(*exp)));
  }
  if (nbf.has_value() && *nbf > now + skew) {
    return absl::UnauthenticatedError(
        absl::StrCat("bearer token is not valid before ", FormatUtc(*nbf)));
  }
  if (iat.has_value() && *iat > now + skew) {
    return absl::UnauthenticatedError(
        absl::StrCat("bearer token was issued in the future, at ", FormatUtc(*iat)));
  }
  if (options_.max_token_lifetime > absl::ZeroDuration()) {
    // Without iat, the time left may not exceed the limit.
    const bool too_long = iat.has_value()
                              ? *exp - *iat > options_.max_token_lifetime
                              : *exp - now > options_.max_token_lifetime + skew;
    if (too_long) {
      return absl::UnauthenticatedError(
          absl::StrCat("bearer token lifetime exceeds the maximum of ",
                       absl::FormatDuration(options_.max_token_lifetime)));
    }
  }

  VerifiedToken verified;
  const Value* sub = Member(claims, "sub");
  if (!IsString(sub) || sub->string_value().empty()) {
    return absl::UnauthenticatedError("bearer token has no subject");
  }
  verified.subject = sub->string_value();
  if (const Value* name = Member(claims, options_.display_name_claim); !IsAbsent(name)) {
    if (!IsString(name)) {
      return absl::UnauthenticatedError(absl::StrCat(
          "bearer token claim ", options_.display_name_claim, " is not a string"));
    }
    verified.display_name = name->string_value();
  }
  if (const Value* roles = Member(claims, options_.roles_claim); !IsAbsent(roles)) {
    // Empty role names carry no meaning and are dropped.
    if (IsString(roles)) {
      verified.roles = absl::StrSplit(roles->string_value(), ' ', absl::SkipEmpty());
    } else if (roles->kind_case() == Value::kListValue) {
      for (const Value& role : roles->list_value().values()) {
        if (!IsString(&role)) {
          return absl::UnauthenticatedError(absl::StrCat(
              "bearer token claim ", options_.roles_claim, " has a non-string entry"));
        }
        if (!role.string_value().empty()) verified.roles.push_back(role.string_value());
      }
    } else {
      return absl::UnauthenticatedError(absl::StrCat(
          "bearer token claim ", options_.roles_claim,
          " is not a string or an array of strings"));
    }
  }
  verified.expiry = *exp;
  *valid_until = *exp + skew;
  return verified;
}

// ---------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<JwtVerifier>> JwtVerifier::Create(JwtVerifierOptions options) {
  if (options.jwks_path.empty()) {
    return absl::InvalidArgumentError("JWT verifier needs a JWKS file path");
  }
  if (options.issuer.empty()) return absl::InvalidArgumentError("JWT verifier needs an issuer");
  if (options.audience.empty()) {
    return absl::InvalidArgumentError("JWT verifier needs an audience");
  }
  if (options.clock_skew < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("JWT verifier clock skew must not be negative");
  }
  if (!options.clock) options.clock = [] { return absl::Now(); };
  auto impl = std::make_unique<Impl>(std::move(options));
  RETURN_IF_ERROR(impl->Reload(/*only_if_changed=*/false));
  impl->ScheduleRecheck(impl->Now());
  return std::unique_ptr<JwtVerifier>(new JwtVerifier(std::move(impl)));
}

JwtVerifier::JwtVerifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

JwtVerifier::~JwtVerifier() = default;

absl::StatusOr<VerifiedToken> JwtVerifier::Verify(absl::string_view token) {
  return impl_->Verify(token);
}

absl::Status JwtVerifier::ReloadKeys() { return impl_->Reload(/*only_if_changed=*/false); }

size_t JwtVerifier::key_count() const { return impl_->key_count(); }

}  // namespace missions::auth
