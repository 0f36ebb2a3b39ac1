#include "proto/common/auth/jwt_signer.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "proto/common/status_macros.h"

namespace missions::auth {
namespace {

template <typename T, void (*kFree)(T*)>
struct OpenSslFree {
  void operator()(T* p) const { kFree(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY, EVP_PKEY_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslFree<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslFree<BIGNUM, BN_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO, BIO_free_all>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpenSslFree<ECDSA_SIG, ECDSA_SIG_free>>;

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Refuses encrypted PEM keys instead of prompting on the terminal.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

// Reads a PEM private key, or with `allow_public` also a public key.
absl::StatusOr<PkeyPtr> ReadPemKey(absl::string_view pem, bool allow_public) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr pkey;
  if (bio != nullptr) {
    pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  }
  if (pkey == nullptr && allow_public) {
    bio.reset(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (bio != nullptr) pkey.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr));
  }
  ERR_clear_error();
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(allow_public ? "key is not a PEM private or public key"
                                                   : "key is not a PEM private key");
  }
  return pkey;
}

// The OpenSSL group name of an EC key ("prime256v1", "secp384r1"), or empty.
std::string GroupName(const EVP_PKEY* pkey) {
  char name[64] = {};
  size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name,
                                     &length) != 1) {
    ERR_clear_error();
    return std::string();
  }
  return std::string(name, length);
}

// An unsigned big-endian integer parameter of a key, left-padded with zeros
// to `width` bytes if `width` is not 0.
absl::StatusOr<std::string> BignumParam(const EVP_PKEY* pkey, const char* name, int width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
    ERR_clear_error();
    return absl::InternalError(absl::StrCat("key has no parameter ", name));
  }
  BignumPtr value(raw);
  const int size = width != 0 ? width : BN_num_bytes(value.get());
  std::string bytes(static_cast<size_t>(size), '\0');
  if (BN_bn2binpad(value.get(), reinterpret_cast<unsigned char*>(bytes.data()), size) != size) {
    return absl::InternalError(absl::StrCat("key parameter ", name, " is too large"));
  }
  return bytes;
}

// A JSON string literal for `text` (assumed UTF-8).
std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", u);
      out += escaped;
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

absl::StatusOr<std::string> AsymmetricSignature(absl::string_view alg,
                                                absl::string_view signing_input,
                                                absl::string_view key_pem) {
  const bool rsa = alg == "RS256" || alg == "PS256";
  const EVP_MD* digest = alg == "ES384" ? EVP_sha384() : EVP_sha256();
  const int coordinate_bytes = alg == "ES256" ? 32 : alg == "ES384" ? 48 : 0;
  ASSIGN_OR_RETURN(PkeyPtr pkey, ReadPemKey(key_pem, /*allow_public=*/false));
  if (rsa ? !EVP_PKEY_is_a(pkey.get(), "RSA")
          : !EVP_PKEY_is_a(pkey.get(), "EC") ||
                GroupName(pkey.get()) != (coordinate_bytes == 32 ? "prime256v1" : "secp384r1")) {
    return absl::InvalidArgumentError(absl::StrCat("key does not fit alg ", alg));
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by ctx
  bool ok = ctx != nullptr &&
            EVP_DigestSignInit(ctx.get(), &pkey_ctx, digest, nullptr, pkey.get()) == 1;
  if (ok && alg == "PS256") {
    ok = EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  size_t length = 0;
  ok = ok && EVP_DigestSign(ctx.get(), nullptr, &length, Bytes(signing_input),
                            signing_input.size()) == 1;
  std::string signature(length, '\0');
  ok = ok && EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()),
                            &length, Bytes(signing_input), signing_input.size()) == 1;
  ERR_clear_error();
  if (!ok) return absl::InternalError(absl::StrCat("OpenSSL could not sign with ", alg));
  signature.resize(length);
  if (coordinate_bytes == 0) return signature;

  // ECDSA: OpenSSL gives DER; JWS wants r || s, each at full width
  // (RFC 7518 section 3.4).
  const unsigned char* der = Bytes(signature);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size())));
  if (sig == nullptr) {
    ERR_clear_error();
    return absl::InternalError("OpenSSL produced an unreadable ECDSA signature");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(static_cast<size_t>(2 * coordinate_bytes), '\0');
  unsigned char* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, coordinate_bytes) != coordinate_bytes ||
      BN_bn2binpad(s, out + coordinate_bytes, coordinate_bytes) != coordinate_bytes) {
    return absl::InternalError("ECDSA signature component too large");
  }
  return raw;
}

}  // namespace

std::string Base64UrlEncode(absl::string_view bytes) {
  std::string out;
  absl::WebSafeBase64Escape(bytes, &out);  // unpadded
  return out;
}

absl::StatusOr<std::string> SignJwt(absl::string_view header_json,
                                    absl::string_view payload_json,
                                    absl::string_view key_pem_or_hmac_key) {
  google::protobuf::Struct header;
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(header_json.data(), header_json.size()), &header)
           .ok()) {
    return absl::InvalidArgumentError("JWT header is not a JSON object");
  }
  const auto alg_it = header.fields().find("alg");
  if (alg_it == header.fields().end() ||
      alg_it->second.kind_case() != google::protobuf::Value::kStringValue) {
    return absl::InvalidArgumentError("JWT header has no \"alg\" string");
  }
  const std::string& alg = alg_it->second.string_value();
  const std::string signing_input =
      absl::StrCat(Base64UrlEncode(header_json), ".", Base64UrlEncode(payload_json));

  std::string signature;
  if (absl::EqualsIgnoreCase(alg, "none")) {
    // Unsecured JWS (RFC 7515 appendix A.5): empty signature.
  } else if (alg == "HS256" || alg == "HS384" || alg == "HS512") {
    const EVP_MD* digest =
        alg == "HS256" ? EVP_sha256() : alg == "HS384" ? EVP_sha384() : EVP_sha512();
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (HMAC(digest, key_pem_or_hmac_key.data(), static_cast<int>(key_pem_or_hmac_key.size()),
             Bytes(signing_input), signing_input.size(), mac, &length) == nullptr) {
      ERR_clear_error();
      return absl::InternalError("OpenSSL could not compute the HMAC");
    }
    signature.assign(reinterpret_cast<const char*>(mac), length);
  } else if (alg == "RS256" || alg == "PS256" || alg == "ES256" || alg == "ES384") {
    ASSIGN_OR_RETURN(signature, AsymmetricSignature(alg, signing_input, key_pem_or_hmac_key));
  } else {
    return absl::InvalidArgumentError(absl::StrCat("JWT alg ", alg, " is not supported"));
  }
  return absl::StrCat(signing_input, ".", Base64UrlEncode(signature));
}

absl::StatusOr<std::string> PublicJwkJson(absl::string_view key_pem, absl::string_view kid) {
  ASSIGN_OR_RETURN(PkeyPtr pkey, ReadPemKey(key_pem, /*allow_public=*/true));
  if (EVP_PKEY_is_a(pkey.get(), "RSA")) {
    ASSIGN_OR_RETURN(const std::string n, BignumParam(pkey.get(), OSSL_PKEY_PARAM_RSA_N, 0));
    ASSIGN_OR_RETURN(const std::string e, BignumParam(pkey.get(), OSSL_PKEY_PARAM_RSA_E, 0));
    return absl::StrCat("{\"kty\":\"RSA\",\"kid\":", JsonString(kid),
                        ",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":\"", Base64UrlEncode(n),
                        "\",\"e\":\"", Base64UrlEncode(e), "\"}");
  }
  if (EVP_PKEY_is_a(pkey.get(), "EC")) {
    const std::string group = GroupName(pkey.get());
    absl::string_view crv;
    absl::string_view alg;
    int width = 0;
    if (group == "prime256v1") {
      crv = "P-256";
      alg = "ES256";
      width = 32;
    } else if (group == "secp384r1") {
      crv = "P-384";
      alg = "ES384";
      width = 48;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("EC curve ", group, " is not supported"));
    }
    ASSIGN_OR_RETURN(const std::string x,
                     BignumParam(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, width));
    ASSIGN_OR_RETURN(const std::string y,
                     BignumParam(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, width));
    return absl::StrCat("{\"kty\":\"EC\",\"kid\":", JsonString(kid), ",\"alg\":\"", alg,
                        "\",\"use\":\"sig\",\"crv\":\"", crv, "\",\"x\":\"",
                        Base64UrlEncode(x), "\",\"y\":\"", Base64UrlEncode(y), "\"}");
  }
  return absl::InvalidArgumentError("key is neither RSA nor EC");
}

}  // namespace missions::auth
