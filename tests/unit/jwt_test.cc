// JwtVerifier (proto/common/auth/jwt.h) against tokens made with real keys
// by jwt_signer.h: what is accepted, every reason for refusal (and that no
// refusal message quotes the token), JWKS rotation and reload, the cache,
// and concurrent use. Keys are generated at run time; JWKS files live in a
// temporary directory.
#include "proto/common/auth/jwt.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "tests/unit/fake_clock.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/common/auth/jwt_signer.h"

namespace missions::auth {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr absl::string_view kIssuer = "https://login.example.nl/realms/missions";
constexpr absl::string_view kAudience = "missions-registry";
// 2026-01-01T00:00:00Z: the fake clock's starting time.
constexpr int64_t kNowUnix = 1767225600;

// --- Keys -------------------------------------------------------------------

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data);  // BIO_get_mem_data
  return std::string(data, static_cast<size_t>(size));
}

KeyPair PemsOf(EVP_PKEY* pkey) {
  KeyPair pair;
  BIO* private_bio = BIO_new(BIO_s_mem());
  BIO* public_bio = BIO_new(BIO_s_mem());
  if (PEM_write_bio_PrivateKey(private_bio, pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1 &&
      PEM_write_bio_PUBKEY(public_bio, pkey) == 1) {
    pair.private_pem = BioText(private_bio);
    pair.public_pem = BioText(public_bio);
  }
  BIO_free(private_bio);
  BIO_free(public_bio);
  EVP_PKEY_free(pkey);
  return pair;
}

KeyPair RsaKey(size_t bits = 2048) {
  return PemsOf(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
}

KeyPair EcKey(const char* curve) {
  return PemsOf(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}

// Generated once: RSA key generation takes a noticeable fraction of a second.
struct TestKeys {
  KeyPair rsa1 = RsaKey();
  KeyPair rsa2 = RsaKey();
  KeyPair rsa_weak = RsaKey(1024);
  KeyPair ec256 = EcKey("P-256");
  KeyPair ec256b = EcKey("P-256");
  KeyPair ec384 = EcKey("P-384");
};

const TestKeys& Keys() {
  static const TestKeys* const keys = new TestKeys();
  return *keys;
}

std::string Jwk(const KeyPair& key, absl::string_view kid) {
  absl::StatusOr<std::string> jwk = PublicJwkJson(key.public_pem, kid);
  EXPECT_TRUE(jwk.ok()) << jwk.status();
  return jwk.ok() ? *jwk : std::string();
}

// The same JWK without its "alg" member.
std::string JwkWithoutAlg(const KeyPair& key, absl::string_view kid) {
  std::string jwk = Jwk(key, kid);
  for (absl::string_view alg : {"RS256", "ES256", "ES384"}) {
    jwk = absl::StrReplaceAll(jwk, {{absl::StrCat(",\"alg\":\"", alg, "\""), ""}});
  }
  return jwk;
}

// --- Tokens -----------------------------------------------------------------

std::string Num(int64_t value) { return absl::StrCat(value); }
std::string Quote(absl::string_view text) { return absl::StrCat("\"", text, "\""); }

// Payload members as JSON text; unset members are left out.
struct Claims {
  std::optional<std::string> iss = Quote(kIssuer);
  std::optional<std::string> aud = Quote(kAudience);
  std::optional<std::string> exp = Num(kNowUnix + 3600);
  std::optional<std::string> nbf;
  std::optional<std::string> iat = Num(kNowUnix - 10);
  std::optional<std::string> sub = Quote("user-17");
  std::optional<std::string> name = Quote("Jan de Vries");
  std::optional<std::string> roles = R"(["editor","reader"])";
  std::string extra;  // further members, each starting with ','

  std::string Json() const {
    std::vector<std::string> members;
    const std::pair<const char*, const std::optional<std::string>*> all[] = {
        {"iss", &iss}, {"aud", &aud}, {"exp", &exp}, {"nbf", &nbf},
        {"iat", &iat}, {"sub", &sub}, {"name", &name}, {"roles", &roles}};
    for (const auto& [key, value] : all) {
      if (value->has_value()) members.push_back(absl::StrCat("\"", key, "\":", **value));
    }
    return absl::StrCat("{", absl::StrJoin(members, ","), extra, "}");
  }
};

std::string Header(absl::string_view alg, std::optional<absl::string_view> kid) {
  return kid.has_value() ? absl::StrCat(R"({"alg":")", alg, R"(","typ":"JWT","kid":")", *kid,
                                        R"("})")
                         : absl::StrCat(R"({"alg":")", alg, R"(","typ":"JWT"})");
}

std::string Sign(absl::string_view header, absl::string_view payload, absl::string_view key) {
  absl::StatusOr<std::string> token = SignJwt(header, payload, key);
  EXPECT_TRUE(token.ok()) << token.status();
  return token.ok() ? *token : std::string();
}

std::string Token(const KeyPair& key, absl::string_view alg,
                  std::optional<absl::string_view> kid, const Claims& claims = Claims()) {
  return Sign(Header(alg, kid), claims.Json(), key.private_pem);
}

std::vector<std::string> Parts(absl::string_view token) {
  return absl::StrSplit(token, '.');
}

// `token` with one bit of its decoded signature flipped, re-encoded.
std::string FlipSignatureBit(absl::string_view token) {
  std::vector<std::string> parts = Parts(token);
  std::string signature;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(parts[2], &signature));
  signature[signature.size() / 2] ^= 0x01;
  return absl::StrCat(parts[0], ".", parts[1], ".", Base64UrlEncode(signature));
}

// `token` with the last byte of its decoded signature dropped, re-encoded.
std::string TruncateSignature(absl::string_view token) {
  std::vector<std::string> parts = Parts(token);
  std::string signature;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(parts[2], &signature));
  signature.pop_back();
  return absl::StrCat(parts[0], ".", parts[1], ".", Base64UrlEncode(signature));
}

// `part` with 'A's appended until its length is 1 more than a multiple of
// 4, which no base64 encoding has.
std::string ImpossibleLength(std::string part) {
  do part.push_back('A');
  while (part.size() % 4 != 1);
  return part;
}

// --- Fixture ----------------------------------------------------------------

using ::missions::test_support::FakeClock;

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/jwt_test.XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    jwks_path_ = dir_ + "/jwks.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Replaces the JWKS file the way a deployment should: write, then rename.
  void WriteFile(absl::string_view text) {
    const std::string temp = jwks_path_ + ".new";
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      out << text;
    }
    std::filesystem::rename(temp, jwks_path_);
  }
  void WriteJwks(const std::vector<std::string>& jwks) {
    WriteFile(absl::StrCat(R"({"keys":[)", absl::StrJoin(jwks, ","), "]}"));
  }

  JwtVerifierOptions Options() {
    JwtVerifierOptions options;
    options.jwks_path = jwks_path_;
    options.issuer = std::string(kIssuer);
    options.audience = std::string(kAudience);
    options.clock = [this] { return clock_.Now(); };
    return options;
  }

  std::unique_ptr<JwtVerifier> MakeVerifier(JwtVerifierOptions options) {
    absl::StatusOr<std::unique_ptr<JwtVerifier>> verifier = JwtVerifier::Create(options);
    EXPECT_TRUE(verifier.ok()) << verifier.status();
    return verifier.ok() ? *std::move(verifier) : nullptr;
  }

  // A verifier on the standard key set: rsa1 (kid "rsa1"), ec256 ("ec1").
  std::unique_ptr<JwtVerifier> StandardVerifier() {
    WriteJwks({Jwk(Keys().rsa1, "rsa1"), Jwk(Keys().ec256, "ec1")});
    return MakeVerifier(Options());
  }

  FakeClock clock_{absl::FromUnixSeconds(kNowUnix)};
  std::string dir_;
  std::string jwks_path_;
};

// Asserts that `token` is refused with UNAUTHENTICATED, a message containing
// `reason`, and no part of the token in the message.
void ExpectRejected(JwtVerifier& verifier, absl::string_view token, absl::string_view reason) {
  SCOPED_TRACE(absl::StrCat("expected reason: ", reason));
  const absl::StatusOr<VerifiedToken> result = verifier.Verify(token);
  ASSERT_FALSE(result.ok()) << "accepted, subject " << result->subject;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated) << result.status();
  const std::string message(result.status().message());
  EXPECT_THAT(message, HasSubstr(reason));
  if (!token.empty()) {
    EXPECT_THAT(message, Not(HasSubstr(token)));
  }
  for (absl::string_view part : absl::StrSplit(token, '.')) {
    // Every header, payload and signature part; short fragments ("e30")
    // could appear in any text by chance.
    if (part.size() >= 8) {
      EXPECT_THAT(message, Not(HasSubstr(part))) << "quotes a token part";
    }
  }
}

// --- Accepted tokens --------------------------------------------------------

TEST_F(JwtTest, AcceptsRs256WithSubjectNameAndRoles) {
  auto verifier = StandardVerifier();
  ASSERT_NE(verifier, nullptr);
  EXPECT_EQ(verifier->key_count(), 2u);
  const absl::StatusOr<VerifiedToken> result =
      verifier->Verify(Token(Keys().rsa1, "RS256", "rsa1"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->subject, "user-17");
  EXPECT_EQ(result->display_name, "Jan de Vries");
  EXPECT_THAT(result->roles, ElementsAre("editor", "reader"));
  EXPECT_EQ(result->expiry, absl::FromUnixSeconds(kNowUnix + 3600));
}

TEST_F(JwtTest, AcceptsEs256WithSpaceSeparatedRoles) {
  auto verifier = StandardVerifier();
  ASSERT_NE(verifier, nullptr);
  Claims claims;
  claims.roles = Quote("  viewer  admin ");
  claims.name = Quote("R\\u00e9my \\\"R\\\" Smit");
  const absl::StatusOr<VerifiedToken> result =
      verifier->Verify(Token(Keys().ec256, "ES256", "ec1", claims));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->subject, "user-17");
  EXPECT_EQ(result->display_name, "R\xc3\xa9my \"R\" Smit");
  EXPECT_THAT(result->roles, ElementsAre("viewer", "admin"));
}

TEST_F(JwtTest, AcceptsPs256AndEs384) {
  // PS256 needs a JWK that does not pin RS256.
  WriteJwks({JwkWithoutAlg(Keys().rsa1, "rsa1"), Jwk(Keys().ec384, "ec384")});
  auto verifier = MakeVerifier(Options());
  ASSERT_NE(verifier, nullptr);
  EXPECT_TRUE(verifier->Verify(Token(Keys().rsa1, "PS256", "rsa1")).ok());
  EXPECT_TRUE(verifier->Verify(Token(Keys().rsa1, "RS256", "rsa1")).ok());
  EXPECT_TRUE(verifier->Verify(Token(Keys().ec384, "ES384", "ec384")).ok());
}

TEST_F(JwtTest, MissingOptionalClaimsAndCustomClaimNames) {
  WriteJwks({Jwk(Keys().rsa1, "rsa1")});
  JwtVerifierOptions options = Options();
  options.roles_claim = "https://missions.example.nl/groups";
  options.display_name_claim = "preferred_username";
  auto verifier = MakeVerifier(options);
  ASSERT_NE(verifier, nullptr);

  Claims bare;
  bare.iat.reset();
  bare.name.reset();
  bare.roles.reset();
  absl::StatusOr<VerifiedToken> result = verifier->Verify(Token(Keys().rsa1, "RS256", "rsa1", bare));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->roles, IsEmpty());
  EXPECT_EQ(result->display_name, "");

  Claims custom;
  custom.extra = R"(,"preferred_username":"jdv","https://missions.example.nl/groups":["a","","b"])";
  result = verifier->Verify(Token(Keys().rsa1, "RS256", "rsa1", custom));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->display_name, "jdv");
  EXPECT_THAT(result->roles, ElementsAre("a", "b"));
}

TEST_F(JwtTest, AcceptsAudienceArrayContainingOurs) {
  auto verifier = StandardVerifier();
  ASSERT_NE(verifier, nullptr);
  Claims claims;
  claims.aud = R"(["account","missions-registry"])";
  EXPECT_TRUE(verifier->Verify(Token(Keys().rsa1, "RS256", "rsa1", claims)).ok());
}

TEST_F(JwtTest, AcceptsTimesWithinClockSkew) {
  auto verifier = StandardVerifier();
  ASSERT_NE(verifier, nullptr);
  Claims claims;
  claims.exp = Num(kNowUnix - 59);
  claims.nbf = Num(kNowUnix + 59);
  claims.iat = Num(kNowUnix + 59);
  const absl::StatusOr<VerifiedToken> result =
      verifier->Verify(Token(Keys().rsa1, "RS256", "rsa1", claims));
  EXPECT_TRUE(result.ok()) << result.status();
  // Fractional NumericDates are allowed.
  claims = Claims();
  claims.exp = "1767229200.5";
  EXPECT_TRUE(verifier->Verify(Token(Keys().rsa1, "RS256", "rsa1", claims)).ok());
}

TEST_F(JwtTest, KeyWithoutKidIsFoundByType) {
  // One RSA and one EC key: a token without kid picks the one of its type.
  WriteJwks({Jwk(Keys().rsa1, "rsa1"), Jwk(Keys().ec256, "ec1")});
  auto verifier = MakeVerifier(Options());
  ASSERT_NE(verifier, nullptr);
  EXPECT_TRUE(verifier->Verify(Token(Keys().rsa1, "RS256", std::nullopt)).ok());
  EXPECT_TRUE(verifier->Verify(Token(Keys().ec256, "ES256", std::nullopt)).ok());
}

// --- Refused tokens ---------------------------------------------------------

TEST_F(JwtTest, RejectsBadClaims) {
  auto verifier = StandardVerifier();
  ASSERT_NE(verifier, nullptr);
  struct Case {
    std::string name;
    std::function<void(Claims&)> change;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"expired", [](Claims& c) { c.exp = Num(kNowUnix - 61); },
       "bearer token expired at 2025-12-31T23:58:59Z"},
      {"nbf future", [](Claims& c) { c.nbf = Num(kNowUnix + 61); },
       "not valid before 2026-01-01T00:01:01Z"},
      {"iat future", [](Claims& c) { c.iat = Num(kNowUnix + 61); }, "issued in the future"},
      {"wrong issuer", [](Claims& c) { c.iss = Quote("https://evil.example"); },
       "issuer does not match"},
      {"issuer with trailing slash", [](Claims& c) { c.iss = Quote(absl::StrCat(kIssuer, "/")); },
       "issuer does not match"},
      {"no issuer", [](Claims& c) { c.iss.reset(); }, "no issuer"},
      {"issuer not a string", [](Claims& c) { c.iss = "[\"x\"]"; }, "no issuer"},
      {"wrong audience", [](Claims& c) { c.aud = Quote("missions-report"); },
       "audience does not match"},
      {"audience array without ours", [](Claims& c) { c.aud = R"(["a","missions"])"; },
       "audience does not match"},
      {"audience nested", [](Claims& c) { c.aud = R"([["missions-registry"]])"; },
       "audience does not match"},
      {"no audience", [](Claims& c) { c.aud.reset(); }, "audience does not match"},
      {"no exp", [](Claims& c) { c.exp.reset(); }, "no exp claim"},
      {"exp a string", [](Claims& c) { c.exp = Quote(Num(kNowUnix + 3600)); },
       "exp is not a valid NumericDate"},
      {"exp negative", [](Claims& c) { c.exp = "-1"; }, "exp is not a valid NumericDate"},
      {"exp far future", [](Claims& c) { c.exp = "1e300"; }, "exp is not a valid NumericDate"},
      {"exp null", [](Claims& c) { c.exp = "null"; }, "exp is not a valid NumericDate"},
      {"nbf a string", [](Claims& c) { c.nbf = Quote("0"); }, "nbf is not a valid NumericDate"},
      {"iat boolean", [](Claims& c) { c.iat = "true"; }, "iat is not a valid NumericDate"},
      {"no subject", [](Claims& c) { c.sub.reset(); }, "no subject"},
      {"empty subject", [](Claims& c) { c.sub = Quote(""); }, "no subject"},
      {"subject a number", [](Claims& c) { c.sub = "17"; }, "no subject"},
      {"roles a number", [](Claims& c) { c.roles = "3"; }, "roles is not a string or an array"},
      {"roles with a number", [](Claims& c) { c.roles = R"(["a",3])"; },
       "roles has a non-string entry"},
      {"name an object", [](Claims& c) { c.name = R"({"first":"Jan"})"; },
       "name is not a string"},
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(test.name);
    Claims claims;
    test.change(claims);
    ExpectRejected(*verifier, Token(Keys().rsa1, "RS256", "rsa1", claims), test.reason);
  }
}

TEST_F(JwtTest, RejectsBadSignatures) {
  auto verifier = StandardVerifier();
  ASSERT_NE(verifier, nullptr);
  const std::string rs = Token(Keys().rsa1, "RS256", "rsa1");
  const std::string es = Token(Keys().ec256, "ES256", "ec1");
  ASSERT_TRUE(verifier->Verify(rs).ok());
  ASSERT_TRUE(verifier->Verify(es).ok());
  ExpectRejected(*verifier, FlipSignatureBit(rs), "signature is invalid");
  ExpectRejected(*verifier, FlipSignatureBit(es), "signature is invalid");

  // The payload changed under an unchanged signature.
  std::vector<std::string> parts = Parts(rs);
  Claims admin;
  admin.roles = R"(["admin"])";
  ExpectRejected(*verifier,
                 absl::StrCat(parts[0], ".", Base64UrlEncode(admin.Json()), ".", parts[2]),
                 "signature is invalid");
  // Empty and truncated signatures.
  ExpectRejected(*verifier, absl::StrCat(parts[0], ".", parts[1], "."), "signature is invalid");
  ExpectRejected(*verifier, TruncateSignature(rs), "signature is invalid");
  // Signed by a key that is not in the set, under a known kid.
  ExpectRejected(*verifier, Token(Keys().rsa2, "RS256", "rsa1"), "signature is invalid");
  ExpectRejected(*verifier, Token(Keys().ec256b, "ES256", "ec1"), "signature is invalid");
}

TEST_F(JwtTest, RejectsAlgNoneAndHmac) {
  auto verifier = StandardVerifier();
  ASSERT_NE(verifier, nullptr);
  const std::string payload = Claims().Json();
  for (absl::string_view none : {"none", "NONE", "None", "nOnE"}) {
    ExpectRejected(*verifier, Sign(Header(none, "rsa1"), payload, ""),
                   "bearer token algorithm none is not accepted");
    ExpectRejected(*verifier, Sign(Header(none, std::nullopt), payload, ""),
                   "bearer token algorithm none is not accepted");
  }
  // The classic key-confusion attack: HMAC keyed with the public key.
  const std::string rsa_jwk = Jwk(Keys().rsa1, "rsa1");
  ExpectRejected(*verifier, Sign(Header("HS256", "rsa1"), payload, Keys().rsa1.public_pem),
                 "algorithm HS256 is not accepted");
  ExpectRejected(*verifier, Sign(Header("HS256", "rsa1"), payload, rsa_jwk),
                 "algorithm HS256 is not accepted");
  ExpectRejected(*verifier, Sign(Header("HS256", std::nullopt), payload, Keys().ec256.public_pem),
                 "algorithm HS256 is not accepted");
  ExpectRejected(*verifier, Sign(Header("HS384", "ec1"), payload, Jwk(Keys().ec256, "ec1")),
                 "algorithm HS384 is not accepted");
  ExpectRejected(*verifier, Sign(Header("HS512", "rsa1"), payload, Keys().rsa1.public_pem),
                 "algorithm HS512 is not accepted");
  // A JWKS with an "oct" key does not make HMAC acceptable either.
  WriteJwks({Jwk(Keys().rsa1, "rsa1"),
             R"({"kty":"oct","kid":"shared","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQ"})"});
  ASSERT_TRUE(verifier->ReloadKeys().ok());
  EXPECT_EQ(verifier->key_count(), 1u);
  ExpectRejected(*verifier, Sign(Header("HS256", "shared"), payload, "secret-secret-secret"),
                 "algorithm HS256 is not accepted");
}

TEST_F(JwtTest, RejectsAlgorithmNotMatchingKey) {
  WriteJwks({Jwk(Keys().rsa1, "rsa1"), Jwk(Keys().ec256, "ec1"), Jwk(Keys().ec384, "ec384")});
  auto verifier = MakeVerifier(Options());
  ASSERT_NE(verifier, nullptr);
  // kid of an RSA key, ES256 signature (by a real EC key).
  ExpectRejected(*verifier, Token(Keys().ec256, "ES256", "rsa1"), "ES256 does not match its key");
  ExpectRejected(*verifier, Token(Keys().rsa1, "RS256", "ec1"), "RS256 does not match its key");
  // P-384 key under a P-256 algorithm.
  ExpectRejected(*verifier, Token(Keys().ec256, "ES256", "ec384"),
                 "ES256 does not match its key");
  // The JWK says "alg":"RS256": a PS256 token may not use it.
  ExpectRejected(*verifier, Token(Keys().rsa1, "PS256", "rsa1"), "PS256 does not match its key");
  // Unsupported and unknown algorithms; the unknown one is not echoed.
  ExpectRejected(*verifier,
                 absl::StrCat(Base64UrlEncode(Header("RS512", "rsa1")), ".",
                              Base64UrlEncode(Claims().Json()), ".AAAA"),
                 "algorithm RS512 is not supported");
  const std::string odd = absl::StrCat(Base64UrlEncode(Header("XYZZY-QUUX", "rsa1")), ".",
                                       Base64UrlEncode(Claims().Json()), ".AAAA");
  ExpectRejected(*verifier, odd, "bearer token algorithm is not supported");
  EXPECT_THAT(std::string(verifier->Verify(odd).status().message()), Not(HasSubstr("XYZZY")));
}

TEST_F(JwtTest, RejectsUnknownOrAmbiguousKey) {
  WriteJwks({Jwk(Keys().rsa1, "rsa1"), Jwk(Keys().rsa2, "rsa2"), Jwk(Keys().ec256, "ec1")});
  auto verifier = MakeVerifier(Options());
  ASSERT_NE(verifier, nullptr);
  EXPECT_TRUE(verifier->Verify(Token(Keys().rsa2, "RS256", "rsa2")).ok());
  ExpectRejected(*verifier, Token(Keys().rsa1, "RS256", "rsa9"),
                 "bearer token signed with unknown key id");
  ExpectRejected(*verifier, Token(Keys().rsa1, "RS256", ""), "signed with unknown key id");
  ExpectRejected(*verifier, Token(Keys().rsa1, "RS256", std::nullopt),
                 "no key id and 2 keys are for RS256");
  ExpectRejected(*verifier, Token(Keys().ec384, "ES384", std::nullopt),
                 "no key id and no keys are for ES384");
  ExpectRejected(*verifier,
                 Sign(R"({"alg":"RS256","kid":17})", Claims().Json(), Keys().rsa1.private_pem),
                 "kid is not a string");
  // Keys offered by the token itself are never used.
  ExpectRejected(*verifier,
                 Sign(absl::StrCat(R"({"alg":"RS256","kid":"mine","jwk":)",
                                   Jwk(Keys().rsa1, "mine"), "}"),
                      Claims().Json(), Keys().rsa1.private_pem),
                 "signed with unknown key id");
}

TEST_F(JwtTest, RejectsCritHeader) {
  auto verifier = StandardVerifier();
  ASSERT_NE(verifier, nullptr);
  ExpectRejected(
      *verifier,
      Sign(R"({"alg":"RS256","kid":"rsa1","crit":["exp"],"exp":1})", Claims().Json(),
           Keys().rsa1.private_pem),
      "crit");
}

TEST_F(JwtTest, RejectsMalformedTokens) {
  auto verifier = StandardVerifier();
  ASSERT_NE(verifier, nullptr);
  const std::string good = Token(Keys().rsa1, "RS256", "rsa1");
  ASSERT_TRUE(verifier->Verify(good).ok());
  const std::vector<std::string> parts = Parts(good);
  const std::string& h = parts[0];
  const std::string& p = parts[1];
  const std::string& s = parts[2];
  const std::string key = Keys().rsa1.private_pem;

  std::mt19937 random(42);
  std::string random_bytes(400, '\0');
  for (char& c : random_bytes) c = static_cast<char>(random() & 0xFF);

  struct Case {
    std::string name;
    std::string token;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"empty", "", "bearer token is empty"},
      {"one part", h, "not three base64url parts"},
      {"two parts", absl::StrCat(h, ".", p), "not three base64url parts"},
      {"four parts", absl::StrCat(good, ".", s), "not three base64url parts"},
      {"dots only", "..", "not three base64url parts"},
      {"empty payload", absl::StrCat(h, "..", s), "not three base64url parts"},
      {"padded header", absl::StrCat(h, "==.", p, ".", s), "header is not base64url"},
      {"standard base64 character", absl::StrCat("+", h.substr(1), ".", p, ".", s),
       "header is not base64url"},
      {"space in payload", absl::StrCat(h, ".", p.substr(0, 10), " ", p.substr(10), ".", s),
       "payload is not base64url"},
      {"impossible length", absl::StrCat(h, ".", ImpossibleLength(p), ".", s), "payload is not base64url"},
      // "e30" is {} ; "e31" decodes to the same bytes with stray low bits.
      {"non-canonical base64", absl::StrCat("e31.", p, ".", s), "header is not base64url"},
      {"bad signature characters", absl::StrCat(h, ".", p, ".", s.substr(0, 20), "*",
                                                s.substr(21)),
       "signature is not base64url"},
      {"header not JSON", absl::StrCat(Base64UrlEncode("not json at all"), ".", p, ".", s),
       "header is not a JSON object"},
      {"header a JSON array", absl::StrCat(Base64UrlEncode(R"(["RS256","rsa1"])"), ".", p, ".", s),
       "header is not a JSON object"},
      {"header a JSON string", absl::StrCat(Base64UrlEncode(R"("RS256")"), ".", p, ".", s),
       "header is not a JSON object"},
      {"header with trailing garbage",
       absl::StrCat(Base64UrlEncode(R"({"alg":"RS256","kid":"rsa1"}{"alg":"none"})"), ".", p,
                    ".", s),
       "header is not a JSON object"},
      {"duplicate alg",
       absl::StrCat(Base64UrlEncode(R"({"alg":"RS256","kid":"rsa1","alg":"none"})"), ".", p,
                    ".", s),
       "header is not a JSON object"},
      {"header not UTF-8",
       absl::StrCat(Base64UrlEncode("{\"alg\":\"RS256\",\"kid\":\"rsa\xff\"}"), ".", p, ".", s),
       "header is not a JSON object"},
      {"header without alg", absl::StrCat(Base64UrlEncode(R"({"kid":"rsa1"})"), ".", p, ".", s),
       "header has no alg"},
      {"alg not a string",
       absl::StrCat(Base64UrlEncode(R"({"alg":["RS256"],"kid":"rsa1"})"), ".", p, ".", s),
       "header has no alg"},
      {"payload not JSON (signed)", Sign(Header("RS256", "rsa1"), "definitely not json", key),
       "payload is not a JSON object"},
      {"payload a JSON array (signed)", Sign(Header("RS256", "rsa1"), "[1,2,3]", key),
       "payload is not a JSON object"},
      {"duplicate exp (signed)",
       Sign(Header("RS256", "rsa1"),
            absl::StrCat(R"({"exp":1,)", Claims().Json().substr(1)), key),
       "payload is not a JSON object"},
      {"20 KiB token", std::string(20 * 1024, 'a'), "longer than 16384 bytes"},
      {"20 KiB signed token",
       [&] {
         Claims big;
         big.extra = absl::StrCat(R"(,"padding":")", std::string(20 * 1024, 'x'), "\"");
         return Token(Keys().rsa1, "RS256", "rsa1", big);
       }(),
       "longer than 16384 bytes"},
      {"random bytes", random_bytes, "bearer token"},
      {"random base64url", absl::StrCat(Base64UrlEncode(random_bytes.substr(0, 50)), ".",
                                        Base64UrlEncode(random_bytes.substr(50, 100)), ".",
                                        Base64UrlEncode(random_bytes.substr(150))),
       "header is not a JSON object"},
      {"whole token base64 again", Base64UrlEncode(good), "not three base64url parts"},
      {"bearer prefix left on", absl::StrCat("Bearer ", good), "header is not base64url"},
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(test.name);
    ExpectRejected(*verifier, test.token, test.reason);
  }
}

TEST_F(JwtTest, EnforcesMaxTokenLifetime) {
  WriteJwks({Jwk(Keys().rsa1, "rsa1")});
  JwtVerifierOptions options = Options();
  options.max_token_lifetime = absl::Hours(1);
  auto verifier = MakeVerifier(options);
  ASSERT_NE(verifier, nullptr);
  Claims claims;
  claims.iat = Num(kNowUnix);
  claims.exp = Num(kNowUnix + 3600);
  EXPECT_TRUE(verifier->Verify(Token(Keys().rsa1, "RS256", "rsa1", claims)).ok());
  claims.exp = Num(kNowUnix + 3601);
  ExpectRejected(*verifier, Token(Keys().rsa1, "RS256", "rsa1", claims),
                 "lifetime exceeds the maximum of 1h");
  claims.iat.reset();
  claims.exp = Num(kNowUnix + 24 * 3600);
  ExpectRejected(*verifier, Token(Keys().rsa1, "RS256", "rsa1", claims),
                 "lifetime exceeds the maximum");
}

// --- The JWKS file ----------------------------------------------------------

TEST_F(JwtTest, CreateReportsJwksProblems) {
  absl::StatusOr<std::unique_ptr<JwtVerifier>> verifier = JwtVerifier::Create(Options());
  EXPECT_EQ(verifier.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(verifier.status().message()), HasSubstr(jwks_path_));

  WriteFile("{\"keys\": [");
  verifier = JwtVerifier::Create(Options());
  EXPECT_EQ(verifier.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(verifier.status().message()),
              HasSubstr(absl::StrCat(jwks_path_, " is not a JSON object")));

  WriteFile(R"({"kty":"RSA"})");
  verifier = JwtVerifier::Create(Options());
  EXPECT_EQ(verifier.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(verifier.status().message()), HasSubstr("has no \"keys\" array"));

  WriteFile(R"({"keys":[]})");
  verifier = JwtVerifier::Create(Options());
  EXPECT_EQ(verifier.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(verifier.status().message()), HasSubstr("has no usable key"));

  // Every key unusable: the message says why for each.
  const std::string rsa_jwk = Jwk(Keys().rsa1, "rsa1");
  const std::string ec_jwk = Jwk(Keys().ec256, "ec1");
  // The x coordinate of a real key, used as y too: not a point on P-256.
  const size_t x_start = ec_jwk.find("\"x\":\"") + 5;
  const std::string x = ec_jwk.substr(x_start, ec_jwk.find('"', x_start) - x_start);
  WriteJwks({
      R"({"kty":"oct","kid":"hmac","k":"c2VjcmV0"})",
      absl::StrReplaceAll(rsa_jwk, {{"\"use\":\"sig\"", "\"use\":\"enc\""}}),
      absl::StrReplaceAll(rsa_jwk, {{"\"alg\":\"RS256\"", "\"alg\":\"RSA-OAEP\""}}),
      absl::StrReplaceAll(rsa_jwk, {{"\"alg\":\"RS256\"", "\"alg\":\"ES256\""}}),
      absl::StrReplaceAll(rsa_jwk, {{"\"use\":\"sig\"", "\"key_ops\":[\"encrypt\"]"}}),
      Jwk(Keys().rsa_weak, "weak"),
      absl::StrCat(R"({"kty":"EC","kid":"off-curve","crv":"P-256","x":")", x, R"(","y":")", x,
                   "\"}"),
      R"({"kty":"EC","kid":"k1","crv":"secp256k1","x":"AA","y":"AA"})",
      R"({"kty":"OKP","kid":"ed","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})",
      R"("not an object")",
  });
  verifier = JwtVerifier::Create(Options());
  ASSERT_EQ(verifier.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(verifier.status().message());
  EXPECT_THAT(message, HasSubstr(absl::StrCat("JWKS file ", jwks_path_, " has no usable key")));
  EXPECT_THAT(message, HasSubstr("key 0 (kid \"hmac\"): kty oct is not supported"));
  EXPECT_THAT(message, HasSubstr("key 1 (kid \"rsa1\"): \"use\" is not \"sig\""));
  EXPECT_THAT(message, HasSubstr("alg RSA-OAEP is not a supported signature algorithm"));
  EXPECT_THAT(message, HasSubstr("alg ES256 does not fit the key type"));
  EXPECT_THAT(message, HasSubstr("\"key_ops\" does not include \"verify\""));
  EXPECT_THAT(message, HasSubstr("RSA modulus has 1024 bits"));
  EXPECT_THAT(message, HasSubstr("key 6 (kid \"off-curve\"): EC point x/y is not on the curve"));
  EXPECT_THAT(message, HasSubstr("crv secp256k1 is not supported"));
  EXPECT_THAT(message, HasSubstr("kty OKP is not supported"));
  EXPECT_THAT(message, HasSubstr("key 9: not a JSON object"));

  // Required options.
  JwtVerifierOptions no_audience = Options();
  no_audience.audience.clear();
  EXPECT_EQ(JwtVerifier::Create(no_audience).status().code(),
            absl::StatusCode::kInvalidArgument);
  JwtVerifierOptions no_issuer = Options();
  no_issuer.issuer.clear();
  EXPECT_EQ(JwtVerifier::Create(no_issuer).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(JwtTest, SkipsUnusableKeysAndUsesTheRest) {
  const std::string rsa_jwk = Jwk(Keys().rsa1, "rsa1");
  WriteJwks({
      R"({"kty":"oct","kid":"hmac","k":"c2VjcmV0"})",
      absl::StrReplaceAll(Jwk(Keys().rsa2, "enc"), {{"\"use\":\"sig\"", "\"use\":\"enc\""}}),
      rsa_jwk,
  });
  auto verifier = MakeVerifier(Options());
  ASSERT_NE(verifier, nullptr);
  EXPECT_EQ(verifier->key_count(), 1u);
  EXPECT_TRUE(verifier->Verify(Token(Keys().rsa1, "RS256", "rsa1")).ok());
  ExpectRejected(*verifier, Token(Keys().rsa2, "RS256", "enc"), "signed with unknown key id");
}

TEST_F(JwtTest, PicksUpRotatedJwksFile) {
  WriteJwks({Jwk(Keys().rsa1, "old")});
  JwtVerifierOptions options = Options();
  options.jwks_recheck_interval = absl::ZeroDuration();
  auto verifier = MakeVerifier(options);
  ASSERT_NE(verifier, nullptr);
  const std::string old_token = Token(Keys().rsa1, "RS256", "old");
  const std::string new_token = Token(Keys().rsa2, "RS256", "new");
  ASSERT_TRUE(verifier->Verify(old_token).ok());  // now also cached
  ExpectRejected(*verifier, new_token, "signed with unknown key id");

  WriteJwks({Jwk(Keys().rsa2, "new")});
  // The cached verification of old_token is dropped with the old keys.
  ExpectRejected(*verifier, old_token, "signed with unknown key id");
  EXPECT_TRUE(verifier->Verify(new_token).ok());
  EXPECT_EQ(verifier->key_count(), 1u);

  // Both during a rollover.
  WriteJwks({Jwk(Keys().rsa2, "new"), Jwk(Keys().rsa1, "old")});
  EXPECT_TRUE(verifier->Verify(old_token).ok());
  EXPECT_TRUE(verifier->Verify(new_token).ok());
  EXPECT_EQ(verifier->key_count(), 2u);
}

TEST_F(JwtTest, RechecksJwksFileOncePerInterval) {
  WriteJwks({Jwk(Keys().rsa1, "old")});
  JwtVerifierOptions options = Options();
  options.jwks_recheck_interval = absl::Seconds(5);
  auto verifier = MakeVerifier(options);
  ASSERT_NE(verifier, nullptr);
  const std::string old_token = Token(Keys().rsa1, "RS256", "old");
  const std::string new_token = Token(Keys().rsa2, "RS256", "new");
  ASSERT_TRUE(verifier->Verify(old_token).ok());

  WriteJwks({Jwk(Keys().rsa2, "new")});
  clock_.Advance(absl::Seconds(4));
  EXPECT_TRUE(verifier->Verify(old_token).ok());  // not looked at yet
  ExpectRejected(*verifier, new_token, "unknown key id");
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(verifier->Verify(new_token).ok());
  ExpectRejected(*verifier, old_token, "unknown key id");
}

TEST_F(JwtTest, ReloadKeysWithBrokenFileKeepsOldKeys) {
  WriteJwks({Jwk(Keys().rsa1, "rsa1")});
  JwtVerifierOptions options = Options();
  options.jwks_recheck_interval = absl::ZeroDuration();  // also exercise the automatic path
  options.cache_capacity = 0;  // every Verify uses the keys
  auto verifier = MakeVerifier(options);
  ASSERT_NE(verifier, nullptr);
  const std::string token = Token(Keys().rsa1, "RS256", "rsa1");

  WriteFile(R"({"keys":[{"kty":"RSA","kid":"rsa1","n":)");  // half written
  absl::Status status = verifier->ReloadKeys();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(jwks_path_));
  EXPECT_EQ(verifier->key_count(), 1u);
  EXPECT_TRUE(verifier->Verify(token).ok());

  WriteFile(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})");
  status = verifier->ReloadKeys();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("no usable key"));
  EXPECT_TRUE(verifier->Verify(token).ok());

  std::filesystem::remove(jwks_path_);
  EXPECT_EQ(verifier->ReloadKeys().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(verifier->Verify(token).ok());
  EXPECT_EQ(verifier->key_count(), 1u);

  WriteJwks({Jwk(Keys().rsa1, "rsa1"), Jwk(Keys().ec256, "ec1")});
  EXPECT_TRUE(verifier->ReloadKeys().ok());
  EXPECT_EQ(verifier->key_count(), 2u);
  EXPECT_TRUE(verifier->Verify(Token(Keys().ec256, "ES256", "ec1")).ok());
}

// --- The cache ----------------------------------------------------------------

// A cache hit is visible with a clock set back: a full verification would
// find iat in the future, the cache answers as before.
TEST_F(JwtTest, CacheHitReturnsSameResultAndCachedTokenStillExpires) {
  WriteJwks({Jwk(Keys().rsa1, "rsa1")});
  JwtVerifierOptions options = Options();
  options.jwks_recheck_interval = absl::InfiniteDuration();
  auto verifier = MakeVerifier(options);
  ASSERT_NE(verifier, nullptr);
  Claims claims;
  claims.iat = Num(kNowUnix);
  claims.exp = Num(kNowUnix + 300);
  const std::string token = Token(Keys().rsa1, "RS256", "rsa1", claims);

  const absl::StatusOr<VerifiedToken> first = verifier->Verify(token);
  ASSERT_TRUE(first.ok()) << first.status();
  clock_.Advance(-absl::Hours(1));
  const absl::StatusOr<VerifiedToken> second = verifier->Verify(token);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->subject, first->subject);
  EXPECT_EQ(second->display_name, first->display_name);
  EXPECT_EQ(second->roles, first->roles);
  EXPECT_EQ(second->expiry, first->expiry);

  // Up to exp + skew the cached entry holds; after it, the token is expired.
  clock_.Advance(absl::Hours(1) + absl::Seconds(360));
  EXPECT_TRUE(verifier->Verify(token).ok());
  clock_.Advance(absl::Seconds(1));
  ExpectRejected(*verifier, token, "bearer token expired at 2026-01-01T00:05:00Z");

  // Without a cache the clock trick shows a full verification every time.
  options.cache_capacity = 0;
  auto uncached = MakeVerifier(options);
  ASSERT_NE(uncached, nullptr);
  clock_.Advance(-absl::Seconds(361));
  ASSERT_TRUE(uncached->Verify(token).ok());
  clock_.Advance(-absl::Hours(1));
  ExpectRejected(*uncached, token, "issued in the future");
}

TEST_F(JwtTest, FullCacheEvictsTokensClosestToExpiry) {
  WriteJwks({Jwk(Keys().rsa1, "rsa1")});
  JwtVerifierOptions options = Options();
  options.cache_capacity = 2;
  options.jwks_recheck_interval = absl::InfiniteDuration();
  auto verifier = MakeVerifier(options);
  ASSERT_NE(verifier, nullptr);
  std::vector<std::string> tokens;
  for (int minutes : {10, 30, 20}) {
    Claims claims;
    claims.iat = Num(kNowUnix);
    claims.exp = Num(kNowUnix + minutes * 60);
    tokens.push_back(Token(Keys().rsa1, "RS256", "rsa1", claims));
    ASSERT_TRUE(verifier->Verify(tokens.back()).ok());
  }
  // The 10-minute token made room for the 20-minute one.
  clock_.Advance(-absl::Hours(1));
  ExpectRejected(*verifier, tokens[0], "issued in the future");
  EXPECT_TRUE(verifier->Verify(tokens[1]).ok());
  EXPECT_TRUE(verifier->Verify(tokens[2]).ok());
}

// --- Concurrency --------------------------------------------------------------

TEST_F(JwtTest, ConcurrentVerificationAndReloads) {
  WriteJwks({Jwk(Keys().rsa1, "rsa1"), Jwk(Keys().ec256, "ec1")});
  JwtVerifierOptions options = Options();
  options.jwks_recheck_interval = absl::ZeroDuration();
  options.cache_capacity = 3;
  auto verifier = MakeVerifier(options);
  ASSERT_NE(verifier, nullptr);

  std::vector<std::pair<std::string, bool>> tokens;  // token, valid
  for (int i = 0; i < 4; ++i) {
    Claims claims;
    claims.sub = Quote(absl::StrCat("user-", i));
    tokens.emplace_back(Token(Keys().rsa1, "RS256", "rsa1", claims), true);
    tokens.emplace_back(Token(Keys().ec256, "ES256", "ec1", claims), true);
  }
  tokens.emplace_back(FlipSignatureBit(tokens[0].first), false);
  tokens.emplace_back(Token(Keys().rsa2, "RS256", "rsa9"), false);
  Claims expired;
  expired.exp = Num(kNowUnix - 3600);
  tokens.emplace_back(Token(Keys().ec256, "ES256", "ec1", expired), false);

  std::atomic<int> wrong{0};
  std::atomic<int> verified{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 150; ++i) {
        const auto& [token, valid] = tokens[(i * 7 + t) % tokens.size()];
        const absl::StatusOr<VerifiedToken> result = verifier->Verify(token);
        if (result.ok() != valid) ++wrong;
        if (result.ok()) ++verified;
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(verifier->ReloadKeys().ok());
    if (i % 5 == 0) WriteJwks({Jwk(Keys().ec256, "ec1"), Jwk(Keys().rsa1, "rsa1")});
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(verified.load(), 0);
}

// --- The signer ---------------------------------------------------------------

TEST(JwtSignerTest, Base64UrlEncodeIsUnpaddedUrlSafe) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xfe"), "-__-");
}

TEST(JwtSignerTest, JwksAndErrors) {
  absl::StatusOr<std::string> jwk = PublicJwkJson(Keys().ec256.private_pem, "a\"b");
  ASSERT_TRUE(jwk.ok()) << jwk.status();
  EXPECT_THAT(*jwk, HasSubstr(R"("kty":"EC","kid":"a\"b","alg":"ES256","use":"sig","crv":"P-256")"));
  jwk = PublicJwkJson(Keys().rsa1.public_pem, "r");
  ASSERT_TRUE(jwk.ok()) << jwk.status();
  EXPECT_THAT(*jwk, HasSubstr(R"({"kty":"RSA","kid":"r","alg":"RS256","use":"sig","n":")"));
  EXPECT_THAT(*jwk, HasSubstr(R"("e":"AQAB"})"));
  EXPECT_FALSE(PublicJwkJson("not a key", "x").ok());

  EXPECT_FALSE(SignJwt(R"({"alg":"RS256"})", "{}", Keys().ec256.private_pem).ok());
  EXPECT_FALSE(SignJwt(R"({"alg":"ES256"})", "{}", Keys().ec384.private_pem).ok());
  EXPECT_FALSE(SignJwt(R"({"alg":"RS256"})", "{}", Keys().rsa1.public_pem).ok());
  EXPECT_FALSE(SignJwt(R"({"alg":"EdDSA"})", "{}", Keys().rsa1.private_pem).ok());
  EXPECT_FALSE(SignJwt(R"({"typ":"JWT"})", "{}", Keys().rsa1.private_pem).ok());
  const absl::StatusOr<std::string> none = SignJwt(R"({"alg":"none"})", "{}", "");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, absl::StrCat(Base64UrlEncode(R"({"alg":"none"})"), ".e30."));
  const absl::StatusOr<std::string> es = SignJwt(R"({"alg":"ES256"})", "{}", Keys().ec256.private_pem);
  ASSERT_TRUE(es.ok());
  EXPECT_EQ(Parts(*es)[2].size(), 86u);  // 64 bytes r || s
}

}  // namespace
}  // namespace missions::auth
