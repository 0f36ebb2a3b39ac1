// Identity and access (issue 8) through the real binaries: registry-server
// and report-server on loopback with TLS and bearer tokens verified against
// a JWKS, SQLite storage in a temporary directory.
//
//  - every kind of bad credential is UNAUTHENTICATED without echoing the
//    token; a valid token without the role is PERMISSION_DENIED naming it;
//  - writes are attributed to the token's subject and name in the audit log;
//  - calls on one channel are judged by their own tokens;
//  - plaintext to a TLS port fails; mutual TLS maps a client certificate to
//    a role (and report-server reaches the registry that way);
//  - a rotated certificate and a rotated JWKS are used without a restart;
//  - every method of every service, walked from the descriptors, refuses
//    callers without a token and readers where it needs more;
//  - the abuse limits answer RESOURCE_EXHAUSTED, and large error details
//    still reach a client with default channel settings.
//
// Certificates come from deploy/local/dev-pki.sh (two independent PKIs, for
// rotation to a new CA); tokens are minted here with jwt_signer.h.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpc_probe/health_probe.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/channel_arguments.h"
#include "grpcpp/support/slice.h"
#include "gtest/gtest.h"
#include "proto/common/auth/jwt_signer.h"
#include "proto/common/errors.h"
#include "proto/common/method_roles.h"
#include "proto/common/tls.h"
#include "registry/v1/registry_api.grpc.pb.h"
#include "registry/v1/registry_service.grpc.pb.h"
#include "report/v1/report_service.grpc.pb.h"
#include "tests/integration/child_process.h"

namespace missions::testing {
namespace {

namespace fs = std::filesystem;
namespace v1 = ::registry::v1;
using ::grpc::StatusCode;
using ApiStub = v1::RegistryApi::Stub;
using BulkStub = v1::RegistryService::Stub;

const std::string kRegistryServer = REGISTRY_SERVER_BIN;
const std::string kReportServer = REPORT_SERVER_BIN;
const std::string kSourceDir = MISSIONS_SOURCE_DIR;

constexpr char kIssuer[] = "https://auth.missions.local/auth-test";
constexpr char kAudience[] = "missions-registry";
constexpr char kSpiffeReportServer[] = "uri:spiffe://missions.local/report-server";

// Every unary call gets this deadline, so that nothing can hang.
constexpr std::chrono::seconds kRpcTimeout(10);

// Links the generated code of the three services into the test, so that
// their descriptors are in the generated pool.
const bool kServicesLinked = [] {
  return v1::GetMissionRequest::descriptor() != nullptr &&
         v1::ImportDatasetRequest::descriptor() != nullptr &&
         ::report::v1::GenerateReportRequest::descriptor() != nullptr;
}();

std::string Describe(const grpc::Status& status) {
  return absl::StrCat("code ", static_cast<int>(status.error_code()), ": ",
                      status.error_message());
}

bool ContainsIgnoreCase(absl::string_view text, absl::string_view part) {
  return absl::StrContains(absl::AsciiStrToLower(text), absl::AsciiStrToLower(part));
}

// --- Files and keys -----------------------------------------------------------

// Writes `content` to `path` atomically (a temporary file renamed over it).
void WriteFileAtomically(const std::string& path, const std::string& content,
                         fs::perms mode = fs::perms::owner_read | fs::perms::owner_write) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << content;
    ASSERT_TRUE(out.good()) << temp;
  }
  fs::permissions(temp, mode);
  fs::rename(temp, path);
}

void CopyOwnerOnly(const std::string& from, const std::string& to) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write);
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : std::string();
}

// The PEM public key of a PEM private key ("" on failure).
std::string PublicPemOf(const std::string& private_pem) {
  BIO* in = BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  if (key == nullptr) return "";
  BIO* out = BIO_new(BIO_s_mem());
  std::string pem;
  if (PEM_write_bio_PUBKEY(out, key) == 1) pem = BioText(out);
  BIO_free(out);
  EVP_PKEY_free(key);
  return pem;
}

// A new EC P-256 private key, PEM.
std::string NewEcPrivatePem() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (key == nullptr) return "";
  BIO* out = BIO_new(BIO_s_mem());
  std::string pem;
  if (PEM_write_bio_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr) == 1) {
    pem = BioText(out);
  }
  BIO_free(out);
  EVP_PKEY_free(key);
  return pem;
}

// --- Tokens ---------------------------------------------------------------------

// A token-signing key as the issuer uses it.
struct Signer {
  std::string private_pem;
  std::string kid;
  std::string alg;  // "RS256", "ES256"
};

// The JWKS (public keys) of `signers`.
std::string JwksOf(const std::vector<Signer>& signers) {
  std::vector<std::string> keys;
  for (const Signer& signer : signers) {
    absl::StatusOr<std::string> jwk = auth::PublicJwkJson(signer.private_pem, signer.kid);
    EXPECT_TRUE(jwk.ok()) << jwk.status();
    if (jwk.ok()) keys.push_back(*jwk);
  }
  return absl::StrCat(R"({"keys":[)", absl::StrJoin(keys, ","), "]}");
}

// A token's claims; times relative to now.
struct Claims {
  std::string sub;
  std::string name;  // left out if empty
  std::vector<std::string> roles;
  std::string iss = kIssuer;
  std::string aud = kAudience;
  absl::Duration exp_in = absl::Hours(1);
  std::optional<absl::Duration> nbf_in;
  absl::Duration iat_in = -absl::Seconds(5);
};

std::string Quoted(absl::string_view text) { return absl::StrCat("\"", text, "\""); }

std::string ClaimsJson(const Claims& claims) {
  const absl::Time now = absl::Now();
  std::vector<std::string> members = {
      absl::StrCat("\"iss\":", Quoted(claims.iss)),
      absl::StrCat("\"aud\":", Quoted(claims.aud)),
      absl::StrCat("\"sub\":", Quoted(claims.sub)),
      absl::StrCat("\"exp\":", absl::ToUnixSeconds(now + claims.exp_in)),
      absl::StrCat("\"iat\":", absl::ToUnixSeconds(now + claims.iat_in)),
  };
  if (claims.nbf_in.has_value()) {
    members.push_back(absl::StrCat("\"nbf\":", absl::ToUnixSeconds(now + *claims.nbf_in)));
  }
  if (!claims.name.empty()) members.push_back(absl::StrCat("\"name\":", Quoted(claims.name)));
  std::vector<std::string> roles;
  for (const std::string& role : claims.roles) roles.push_back(Quoted(role));
  members.push_back(absl::StrCat("\"roles\":[", absl::StrJoin(roles, ","), "]"));
  return absl::StrCat("{", absl::StrJoin(members, ","), "}");
}

std::string HeaderJson(absl::string_view alg, absl::string_view kid) {
  return absl::StrCat(R"({"alg":")", alg, R"(","typ":"JWT","kid":")", kid, R"("})");
}

// Signs `payload` with `key` under `header` (any alg, see jwt_signer.h).
std::string SignRaw(absl::string_view header, absl::string_view payload, absl::string_view key) {
  absl::StatusOr<std::string> token = auth::SignJwt(header, payload, key);
  EXPECT_TRUE(token.ok()) << token.status();
  return token.ok() ? *token : std::string();
}

std::string Mint(const Signer& signer, const Claims& claims) {
  return SignRaw(HeaderJson(signer.alg, signer.kid), ClaimsJson(claims), signer.private_pem);
}

std::string Bearer(absl::string_view token) { return absl::StrCat("Bearer ", token); }

// The status neither in its message nor in its details contains `token` or
// any 20-character piece of it.
void ExpectNoTokenEcho(const grpc::Status& status, const std::string& token,
                       const std::string& what) {
  const std::string sent = status.error_message() + status.error_details();
  constexpr size_t kPiece = 20;
  if (token.size() < kPiece) {
    if (token.size() >= 8) {
      EXPECT_FALSE(absl::StrContains(sent, token)) << what;
    }
    return;
  }
  for (size_t i = 0; i + kPiece <= token.size(); ++i) {
    if (absl::StrContains(sent, token.substr(i, kPiece))) {
      ADD_FAILURE() << what << ": the status echoes token bytes " << i << ".." << i + kPiece
                    << ": " << status.error_message();
      return;
    }
  }
}

// --- Servers and channels -------------------------------------------------------

// A server binary running as a child process.
struct ServerProcess {
  std::unique_ptr<ChildProcess> process;
  std::string address;  // "127.0.0.1:PORT"
  std::string banner;   // its "... listening on ..." line
};

// Starts `binary` with `args` (standard error to `log_path`) and waits for
// it to listen.
absl::StatusOr<ServerProcess> StartServer(const std::string& binary,
                                          const std::vector<std::string>& args,
                                          const std::string& log_path) {
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<std::unique_ptr<ChildProcess>> child = ChildProcess::Start(argv, log_path);
  if (!child.ok()) return child.status();
  absl::StatusOr<int> port = (*child)->WaitForPort(absl::Seconds(20));
  if (!port.ok()) return port.status();
  absl::StatusOr<std::string> banner = (*child)->WaitForLine("listening on ", absl::Seconds(1));
  if (!banner.ok()) return banner.status();
  ServerProcess server;
  server.process = *std::move(child);
  server.address = absl::StrCat("127.0.0.1:", *port);
  server.banner = *std::move(banner);
  return server;
}

// Stops a server started by a test; it must exit cleanly and promptly.
// (Close the test's channels and streams first: the server waits for open
// calls, up to its shutdown grace, before it exits.)
void ExpectCleanStop(ServerProcess& server) {
  const absl::Time start = absl::Now();
  EXPECT_EQ(server.process->Stop(), 0) << server.process->StderrText();
  EXPECT_LT(absl::Now() - start, absl::Seconds(4)) << "slow shutdown";
}

std::shared_ptr<grpc::ChannelCredentials> TlsCredentials(const ChannelTlsOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeChannelCredentials(options);
  EXPECT_TRUE(credentials.ok()) << credentials.status();
  // A lame stand-in keeps the test running to report the failure.
  return credentials.ok() ? *credentials : grpc::InsecureChannelCredentials();
}

// A channel with a connection of its own (channels with different
// arguments never share a subchannel), so that it does its own handshake.
std::shared_ptr<grpc::Channel> NewChannel(
    const std::string& address, const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  static std::atomic<int> counter{0};
  grpc::ChannelArguments args;
  args.SetInt("missions.auth_test_channel", ++counter);
  return grpc::CreateCustomChannel(address, credentials, args);
}

// A TLS channel trusting only `ca_path`, without call credentials.
std::shared_ptr<grpc::Channel> TlsChannel(const std::string& address, const std::string& ca_path) {
  return NewChannel(address, TlsCredentials({.ca_path = ca_path}));
}

// Calls `method` with `authorization` metadata (none if empty) and the usual
// deadline.
template <typename Stub, typename Req, typename Resp>
grpc::Status Call(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                  const Req& request, std::type_identity_t<Resp>* response,
                  const std::string& authorization) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kRpcTimeout);
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  return (stub.*method)(&context, request, response);
}

grpc::Status ListRegions(ApiStub& stub, const std::string& authorization) {
  v1::ListRegionsResponse response;
  return Call(stub, &ApiStub::ListRegions, v1::ListRegionsRequest(), &response, authorization);
}

v1::Region NewRegion(const std::string& dutch_name = "Poolgebieden") {
  v1::Region region;
  (*region.mutable_display_name())["nl"] = dutch_name;
  region.set_report_order(70);
  return region;
}

grpc::Status CreateRegion(ApiStub& stub, const std::string& region_id,
                          const std::string& authorization, v1::Region* created = nullptr) {
  v1::CreateRegionRequest request;
  request.set_region_id(region_id);
  *request.mutable_region() = NewRegion();
  request.set_reason("auth_test");
  v1::Region response;
  return Call(stub, &ApiStub::CreateRegion, request, created != nullptr ? created : &response,
              authorization);
}

// Calls `full_method` ("/pkg.Service/Method") with the serialized `request`
// as a unary call, whatever its declared kind (a refused streaming call
// ends before any message).
grpc::Status GenericCall(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& full_method, const std::string& request,
                         const std::string& authorization) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kRpcTimeout);
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  grpc::Slice slice(request);
  grpc::ByteBuffer send(&slice, 1);
  grpc::ByteBuffer received;
  std::promise<grpc::Status> done;
  std::future<grpc::Status> result = done.get_future();
  stub.UnaryCall(&context, full_method, grpc::StubOptions(), &send, &received,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  return result.get();
}

// Polls `condition` every 100 ms until it holds or `timeout` passes.
bool Eventually(absl::Duration timeout, const std::function<bool()>& condition) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (condition()) return true;
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(100));
  }
}

// --- The fixture ------------------------------------------------------------------

class AuthTest : public ::testing::Test {
 protected:
  // What the whole suite shares: the PKIs, the keys, and the servers that
  // no test reconfigures.
  struct Suite {
    std::string dir;
    Signer rsa;        // in the servers' JWKS, kid "rsa-1"
    Signer ec;         // in the servers' JWKS, kid "ec-1"
    Signer other_rsa;  // in no JWKS (until the rotation test)
    std::string jwks;  // the servers' JWKS file
    ServerProcess registry;       // TLS + tokens
    ServerProcess mtls_registry;  // mutual TLS + identities, no tokens
    ServerProcess report;         // TLS + tokens, registry over mutual TLS
    ServerProcess limits;         // TLS + tokens, tight rate/size/duration limits
  };

  static void SetUpTestSuite() {
    suite_ = new Suite();
    setup_status_ = new absl::Status(SetUpSuite(*suite_));
  }

  static void TearDownTestSuite() {
    if (suite_ != nullptr) {
      const std::string dir = suite_->dir;
      delete suite_;  // stops the servers
      suite_ = nullptr;
      // Kept with the servers' logs when a test failed.
      const ::testing::TestSuite* current = ::testing::UnitTest::GetInstance()->current_test_suite();
      if (!dir.empty() && current != nullptr && !current->Failed()) {
        fs::remove_all(dir);
      } else if (!dir.empty()) {
        std::fprintf(stderr, "auth_test: kept %s\n", dir.c_str());
      }
    }
    delete setup_status_;
    setup_status_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(kServicesLinked);
    ASSERT_TRUE(setup_status_ != nullptr && setup_status_->ok())
        << (setup_status_ != nullptr ? setup_status_->ToString() : "no suite");
  }

  static const Suite& suite() { return *suite_; }

  // A file of development PKI `pki` ("a" or "b"), e.g. Pki("a", "ca.pem").
  static std::string Pki(const std::string& pki, const std::string& file) {
    return absl::StrCat(suite_->dir, "/", pki, "/pki/", file);
  }
  static std::string Ca() { return Pki("a", "ca.pem"); }

  // A fresh scratch directory below the suite's.
  static std::string Scratch(const std::string& name) {
    const std::string dir = absl::StrCat(suite_->dir, "/", name);
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all);
    return dir;
  }

  // The arguments of a registry-server with TLS (`cert`, `key`), tokens
  // (`jwks`) and SQLite storage `name`.db in the suite's directory.
  static std::vector<std::string> RegistryArgs(const std::string& name, const std::string& cert,
                                               const std::string& key, const std::string& jwks) {
    return {"--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0", "--drain=0s",
            absl::StrCat("--storage=sqlite:", suite_->dir, "/", name, ".db"),
            absl::StrCat("--tls_cert=", cert),
            absl::StrCat("--tls_key=", key),
            absl::StrCat("--jwks=", jwks),
            absl::StrCat("--jwt_issuer=", kIssuer),
            absl::StrCat("--jwt_audience=", kAudience)};
  }
  static std::vector<std::string> DefaultRegistryArgs(const std::string& name) {
    return RegistryArgs(name, Pki("a", "registry-server.pem"), Pki("a", "registry-server-key.pem"),
                        suite_->jwks);
  }

  // A token from the servers' RSA key.
  static std::string Token(const std::string& subject, std::vector<std::string> roles,
                           const std::string& name = "") {
    Claims claims;
    claims.sub = subject;
    claims.name = name;
    claims.roles = std::move(roles);
    return Mint(suite_->rsa, claims);
  }
  static std::string ReaderAuth(const std::string& subject) {
    return Bearer(Token(subject, {"reader"}));
  }
  static std::string EditorAuth(const std::string& subject, const std::string& name = "") {
    return Bearer(Token(subject, {"reader", "editor"}, name));
  }
  static std::string AdminAuth(const std::string& subject) {
    return Bearer(Token(subject, {"reader", "editor", "admin"}));
  }

  // Stubs of the main registry on a TLS channel of their own.
  static std::unique_ptr<ApiStub> ApiOf(const std::string& address) {
    return v1::RegistryApi::NewStub(TlsChannel(address, Ca()));
  }

 private:
  static absl::Status SetUpSuite(Suite& s) {
    s.dir = MakeTempDir();
    if (s.dir.empty()) return absl::InternalError("no temporary directory");
    for (const char* pki : {"a", "b"}) {
      const CommandResult made =
          RunCommand({"/bin/bash", kSourceDir + "/deploy/local/dev-pki.sh",
                      absl::StrCat(s.dir, "/", pki)},
                     s.dir, absl::Seconds(120));
      if (made.exit_code != 0) {
        return absl::InternalError(
            absl::StrCat("dev-pki.sh ", pki, " exited ", made.exit_code, ": ", made.err));
      }
    }
    s.rsa = {ReadFileOrEmpty(absl::StrCat(s.dir, "/a/auth/signing-key.pem")), "rsa-1", "RS256"};
    s.other_rsa = {ReadFileOrEmpty(absl::StrCat(s.dir, "/b/auth/signing-key.pem")), "rsa-2",
                   "RS256"};
    s.ec = {NewEcPrivatePem(), "ec-1", "ES256"};
    if (s.rsa.private_pem.empty() || s.other_rsa.private_pem.empty() || s.ec.private_pem.empty()) {
      return absl::InternalError("missing signing keys");
    }
    s.jwks = s.dir + "/jwks.json";
    {
      std::ofstream out(s.jwks);
      out << JwksOf({s.rsa, s.ec});
    }
    fs::permissions(s.jwks, fs::perms::owner_read | fs::perms::owner_write);

    absl::StatusOr<ServerProcess> registry =
        StartServer(kRegistryServer, DefaultRegistryArgs("registry"), s.dir + "/registry.log");
    if (!registry.ok()) return registry.status();
    s.registry = *std::move(registry);

    absl::StatusOr<ServerProcess> mtls = StartServer(
        kRegistryServer,
        {"--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0", "--drain=0s", absl::StrCat("--storage=sqlite:", s.dir, "/mtls.db"),
         absl::StrCat("--tls_cert=", s.dir, "/a/pki/registry-server.pem"),
         absl::StrCat("--tls_key=", s.dir, "/a/pki/registry-server-key.pem"),
         absl::StrCat("--client_ca=", s.dir, "/a/pki/ca.pem"),
         absl::StrCat("--identities=", s.dir, "/a/auth/identities.conf")},
        s.dir + "/mtls.log");
    if (!mtls.ok()) return mtls.status();
    s.mtls_registry = *std::move(mtls);

    absl::StatusOr<ServerProcess> report = StartServer(
        kReportServer,
        {"--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0", "--drain=0s", absl::StrCat("--tls_cert=", s.dir, "/a/pki/report-server.pem"),
         absl::StrCat("--tls_key=", s.dir, "/a/pki/report-server-key.pem"),
         absl::StrCat("--jwks=", s.jwks), absl::StrCat("--jwt_issuer=", kIssuer),
         absl::StrCat("--jwt_audience=", kAudience),
         absl::StrCat("--registry=", s.mtls_registry.address),
         absl::StrCat("--registry_ca=", s.dir, "/a/pki/ca.pem"),
         absl::StrCat("--registry_cert=", s.dir, "/a/pki/report-server-client.pem"),
         absl::StrCat("--registry_key=", s.dir, "/a/pki/report-server-client-key.pem")},
        s.dir + "/report.log");
    if (!report.ok()) return report.status();
    s.report = *std::move(report);

    std::vector<std::string> limit_args = DefaultRegistryArgs("limits");
    for (const char* flag : {"--rate_limit=5", "--rate_burst=5", "--max_request_bytes=4096",
                             "--max_stream_duration=1s"}) {
      limit_args.push_back(flag);
    }
    absl::StatusOr<ServerProcess> limits =
        StartServer(kRegistryServer, limit_args, s.dir + "/limits.log");
    if (!limits.ok()) return limits.status();
    s.limits = *std::move(limits);
    return absl::OkStatus();
  }

  static Suite* suite_;
  static absl::Status* setup_status_;
};

AuthTest::Suite* AuthTest::suite_ = nullptr;
absl::Status* AuthTest::setup_status_ = nullptr;

// --- 1. Authentication ----------------------------------------------------------

TEST_F(AuthTest, ServersDescribeTheirSecurity) {
  EXPECT_TRUE(absl::StrContains(suite().registry.banner, "TLS")) << suite().registry.banner;
  EXPECT_TRUE(absl::StrContains(suite().registry.banner, "bearer tokens (2 keys)"))
      << suite().registry.banner;
  EXPECT_TRUE(absl::StrContains(suite().mtls_registry.banner, "mutual TLS"))
      << suite().mtls_registry.banner;
  EXPECT_TRUE(absl::StrContains(suite().report.banner, "bearer tokens")) << suite().report.banner;
}

TEST_F(AuthTest, ValidRs256AndEs256TokensAreAccepted) {
  std::unique_ptr<ApiStub> stub = ApiOf(suite().registry.address);
  Claims claims;
  claims.sub = "valid-reader";
  claims.roles = {"reader"};
  grpc::Status status = ListRegions(*stub, Bearer(Mint(suite().rsa, claims)));
  EXPECT_TRUE(status.ok()) << Describe(status);
  status = ListRegions(*stub, Bearer(Mint(suite().ec, claims)));
  EXPECT_TRUE(status.ok()) << Describe(status);
  // The scheme is case-insensitive.
  status = ListRegions(*stub, absl::StrCat("bearer ", Mint(suite().rsa, claims)));
  EXPECT_TRUE(status.ok()) << Describe(status);
}

TEST_F(AuthTest, BadCredentialsAreUnauthenticatedWithoutEchoingTheToken) {
  std::unique_ptr<ApiStub> stub = ApiOf(suite().registry.address);
  Claims good;
  good.sub = "bad-credentials";
  good.roles = {"reader", "editor", "admin"};
  const std::string payload = ClaimsJson(good);
  auto with = [&](const std::function<void(Claims&)>& change) {
    Claims claims = good;
    change(claims);
    return Mint(suite().rsa, claims);
  };
  // Printable garbage of a given length, with dots where JWTs have them.
  auto garbage = [](size_t length) {
    const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string text;
    for (size_t i = 0; i < length; ++i) {
      text += (i % 97 == 40) ? '.' : alphabet[(i * 7919 + 13) % alphabet.size()];
    }
    return text;
  };

  struct Case {
    std::string what;
    std::string authorization;  // the whole metadata value; empty: none
    std::string token;          // what must not be echoed
    std::string reason;         // a word the message must contain
  };
  std::vector<Case> cases = {
      {"no token", "", "", "missing credentials"},
      {"expired", "", with([](Claims& c) {
         c.exp_in = -absl::Hours(2);
         c.iat_in = -absl::Hours(3);
       }),
       "expired"},
      {"not yet valid", "", with([](Claims& c) { c.nbf_in = absl::Hours(1); }), "not valid before"},
      {"wrong issuer", "", with([](Claims& c) { c.iss = "https://evil.example/"; }), "issuer"},
      {"wrong audience", "", with([](Claims& c) { c.aud = "some-other-service"; }), "audience"},
      {"bad signature", "",
       SignRaw(HeaderJson("RS256", suite().rsa.kid), payload, suite().other_rsa.private_pem),
       "signature"},
      {"alg none", "", SignRaw(HeaderJson("none", suite().rsa.kid), payload, ""), "none"},
      {"HS256 with the RSA public key", "",
       SignRaw(HeaderJson("HS256", suite().rsa.kid), payload, PublicPemOf(suite().rsa.private_pem)),
       "HS256"},
      {"unknown kid", "",
       SignRaw(HeaderJson("RS256", "no-such-key"), payload, suite().rsa.private_pem),
       "unknown key"},
      {"garbage of 1 character", "", "x", "malformed"},
      {"garbage of 50 characters", "", garbage(50), "malformed"},
      {"garbage of 3000 characters", "", garbage(3000), "malformed"},
      {"three parts of garbage", "", "aGVsbG8.d29ybGQ.c2lnbmF0dXJl", "malformed"},
      {"Bearer without a token", "Bearer", "", "Bearer"},
      {"Bearer and a space", "Bearer ", "", "Bearer"},
      {"Basic scheme", "Basic ZGV2LWFkbWluOnNlY3JldC1wYXNzd29yZA==",
       "ZGV2LWFkbWluOnNlY3JldC1wYXNzd29yZA==", "Bearer"},
      {"token without a scheme", with([](Claims&) {}), "", "Bearer"},
  };
  for (Case& c : cases) {
    if (c.authorization.empty() && !c.token.empty()) c.authorization = Bearer(c.token);
    if (c.what == "token without a scheme") c.token = c.authorization;
    ASSERT_FALSE(c.what != "no token" && c.authorization.empty()) << c.what;
    SCOPED_TRACE(c.what);
    // A read, which every role may do, and a write.
    grpc::Status status = ListRegions(*stub, c.authorization);
    EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED) << Describe(status);
    EXPECT_TRUE(ContainsIgnoreCase(status.error_message(), c.reason))
        << "expected the reason '" << c.reason << "' in: " << status.error_message();
    ExpectNoTokenEcho(status, c.token, c.what);
    status = CreateRegion(*stub, "never-created", c.authorization);
    EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED) << Describe(status);
    ExpectNoTokenEcho(status, c.token, c.what);
  }
  // Nothing was written, and no token reached the server's log.
  v1::GetRegionRequest get;
  get.set_name("regions/never-created");
  v1::Region region;
  const grpc::Status got =
      Call(*stub, &ApiStub::GetRegion, get, &region, ReaderAuth("bad-credentials-check"));
  EXPECT_EQ(got.error_code(), StatusCode::NOT_FOUND) << Describe(got);
  const std::string log = suite().registry.process->StderrText();
  for (const Case& c : cases) {
    if (c.token.size() >= 20) {
      EXPECT_FALSE(absl::StrContains(log, c.token.substr(0, 20))) << c.what;
    }
  }
}

// --- 2. Roles and attribution -----------------------------------------------------

TEST_F(AuthTest, ReaderMayNotWriteAndEditorMayNotForceDelete) {
  std::unique_ptr<ApiStub> stub = ApiOf(suite().registry.address);
  const std::string reader = ReaderAuth("roles-reader");
  const std::string editor = EditorAuth("roles-editor");

  grpc::Status status = ListRegions(*stub, reader);
  EXPECT_TRUE(status.ok()) << Describe(status);
  status = CreateRegion(*stub, "reader-region", reader);
  EXPECT_EQ(status.error_code(), StatusCode::PERMISSION_DENIED) << Describe(status);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "editor")) << status.error_message();

  ASSERT_TRUE((status = CreateRegion(*stub, "force-target", editor)).ok()) << Describe(status);
  v1::DeleteRegionRequest remove;
  remove.set_name("regions/force-target");
  remove.set_force(true);
  v1::Region deleted;
  status = Call(*stub, &ApiStub::DeleteRegion, remove, &deleted, editor);
  EXPECT_EQ(status.error_code(), StatusCode::PERMISSION_DENIED) << Describe(status);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "admin")) << status.error_message();
  // Without force an editor may delete; with force an admin may.
  remove.set_force(false);
  remove.set_validate_only(true);
  status = Call(*stub, &ApiStub::DeleteRegion, remove, &deleted, editor);
  EXPECT_TRUE(status.ok()) << Describe(status);
  remove.set_force(true);
  remove.set_validate_only(false);
  status = Call(*stub, &ApiStub::DeleteRegion, remove, &deleted, AdminAuth("roles-admin"));
  EXPECT_TRUE(status.ok()) << Describe(status);
  EXPECT_TRUE(deleted.has_delete_time());
}

TEST_F(AuthTest, EditorWriteIsAttributedToTheTokenSubjectInTheAuditLog) {
  std::unique_ptr<ApiStub> stub = ApiOf(suite().registry.address);
  const std::string editor = EditorAuth("audit-editor", "Anna Auditor");
  v1::Region created;
  grpc::Status status = CreateRegion(*stub, "audited", editor, &created);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(created.name(), "regions/audited");

  v1::ListAuditEventsRequest request;
  request.set_principal("audit-editor");
  v1::ListAuditEventsResponse response;
  status = Call(*stub, &ApiStub::ListAuditEvents, request, &response, editor);
  ASSERT_TRUE(status.ok()) << Describe(status);
  ASSERT_EQ(response.audit_events_size(), 1) << response.DebugString();
  const v1::AuditEvent& event = response.audit_events(0);
  EXPECT_EQ(event.resource(), "regions/audited");
  EXPECT_EQ(event.method(), "CreateRegion");
  EXPECT_EQ(event.principal(), "audit-editor");
  EXPECT_EQ(event.principal_display_name(), "Anna Auditor");
  EXPECT_TRUE(absl::StartsWith(event.peer(), "ipv4:127.0.0.1:")) << event.peer();

  // The filter is exact: another principal's events are not listed.
  request.set_principal("nobody-at-all");
  status = Call(*stub, &ApiStub::ListAuditEvents, request, &response, editor);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(response.audit_events_size(), 0) << response.DebugString();
  // A reader may not read the audit log.
  status = Call(*stub, &ApiStub::ListAuditEvents, request, &response, ReaderAuth("audit-reader"));
  EXPECT_EQ(status.error_code(), StatusCode::PERMISSION_DENIED) << Describe(status);
}

TEST_F(AuthTest, AdminImportsADatasetAndEditorMayNot) {
  std::shared_ptr<grpc::Channel> channel = TlsChannel(suite().registry.address, Ca());
  std::unique_ptr<BulkStub> bulk = v1::RegistryService::NewStub(channel);
  std::unique_ptr<ApiStub> api = v1::RegistryApi::NewStub(channel);
  v1::ImportDatasetRequest request;
  v1::Region* region = request.mutable_dataset()->add_regions();
  *region = NewRegion("Geïmporteerd");
  region->set_name("regions/imported");
  v1::ImportDatasetResponse response;

  grpc::Status status =
      Call(*bulk, &BulkStub::ImportDataset, request, &response, EditorAuth("import-editor"));
  EXPECT_EQ(status.error_code(), StatusCode::PERMISSION_DENIED) << Describe(status);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "admin")) << status.error_message();

  status = Call(*bulk, &BulkStub::ImportDataset, request, &response, AdminAuth("import-admin"));
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_GT(response.revision(), 0);
  EXPECT_EQ(response.record_counts().at("regions"), 1) << response.DebugString();

  v1::GetRegionRequest get;
  get.set_name("regions/imported");
  v1::Region got;
  status = Call(*api, &ApiStub::GetRegion, get, &got, ReaderAuth("import-reader"));
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(got.display_name().at("nl"), "Geïmporteerd");
  v1::ListAuditEventsRequest audit;
  audit.set_principal("import-admin");
  v1::ListAuditEventsResponse events;
  status = Call(*api, &ApiStub::ListAuditEvents, audit, &events, AdminAuth("import-admin"));
  ASSERT_TRUE(status.ok()) << Describe(status);
  ASSERT_EQ(events.audit_events_size(), 1) << events.DebugString();
  EXPECT_EQ(events.audit_events(0).method(), "ImportDataset");
  EXPECT_EQ(events.audit_events(0).resource(), "regions/imported");
}

// --- 3. One channel, several tokens ----------------------------------------------

TEST_F(AuthTest, CallsOnOneChannelAreJudgedByTheirOwnTokens) {
  // One channel, one connection, no call credentials: each call brings its
  // own token.
  std::shared_ptr<grpc::Channel> channel = TlsChannel(suite().registry.address, Ca());
  std::unique_ptr<ApiStub> stub = v1::RegistryApi::NewStub(channel);
  const std::string reader = ReaderAuth("channel-reader");
  const std::string editor = EditorAuth("channel-editor");

  grpc::Status status = CreateRegion(*stub, "same-channel", editor);
  ASSERT_TRUE(status.ok()) << Describe(status);
  v1::GetRegionRequest get;
  get.set_name("regions/same-channel");
  v1::Region region;
  status = Call(*stub, &ApiStub::GetRegion, get, &region, reader);
  EXPECT_TRUE(status.ok()) << Describe(status);
  EXPECT_TRUE(ListRegions(*stub, reader).ok());
  status = CreateRegion(*stub, "same-channel-reader", reader);
  EXPECT_EQ(status.error_code(), StatusCode::PERMISSION_DENIED) << Describe(status);
  status = ListRegions(*stub, "");
  EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED) << Describe(status);
  status = CreateRegion(*stub, "same-channel-editor", editor);
  EXPECT_TRUE(status.ok()) << Describe(status);
  status = CreateRegion(*stub, "same-channel-reader-again", reader);
  EXPECT_EQ(status.error_code(), StatusCode::PERMISSION_DENIED) << Describe(status);

  // Interleaved from two threads on the same channel.
  std::atomic<int> wrong{0};
  auto run = [&](const std::string& auth, StatusCode expected, const std::string& prefix) {
    for (int i = 0; i < 10; ++i) {
      const grpc::Status s = CreateRegion(*stub, absl::StrCat(prefix, i), auth);
      if (s.error_code() != expected) ++wrong;
    }
  };
  std::thread a(run, reader, StatusCode::PERMISSION_DENIED, "interleaved-r");
  std::thread b(run, editor, StatusCode::OK, "interleaved-e");
  a.join();
  b.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);
}

// --- 4. Transport security ---------------------------------------------------------

TEST_F(AuthTest, PlaintextToTheTlsPortFails) {
  std::unique_ptr<ApiStub> plaintext = v1::RegistryApi::NewStub(
      NewChannel(suite().registry.address, grpc::InsecureChannelCredentials()));
  const grpc::Status status = ListRegions(*plaintext, ReaderAuth("plaintext-reader"));
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.error_code(), StatusCode::UNAVAILABLE) << Describe(status);
  // The same call over TLS works.
  std::unique_ptr<ApiStub> tls = ApiOf(suite().registry.address);
  EXPECT_TRUE(ListRegions(*tls, ReaderAuth("plaintext-reader")).ok());
}

TEST_F(AuthTest, TlsClientTrustingAnotherCaFails) {
  std::unique_ptr<ApiStub> stub = v1::RegistryApi::NewStub(
      TlsChannel(suite().registry.address, Pki("b", "ca.pem")));
  const grpc::Status status = ListRegions(*stub, ReaderAuth("wrong-ca-reader"));
  EXPECT_EQ(status.error_code(), StatusCode::UNAVAILABLE) << Describe(status);
}

TEST_F(AuthTest, MutualTlsNeedsAClientCertificateThatMapsToARole) {
  const std::string& address = suite().mtls_registry.address;
  // Without a client certificate: no connection.
  std::unique_ptr<ApiStub> anonymous = v1::RegistryApi::NewStub(TlsChannel(address, Ca()));
  grpc::Status status = ListRegions(*anonymous, "");
  EXPECT_EQ(status.error_code(), StatusCode::UNAVAILABLE) << Describe(status);

  // A certificate of another CA: no connection either.
  std::unique_ptr<ApiStub> foreign = v1::RegistryApi::NewStub(NewChannel(
      address, TlsCredentials({.ca_path = Ca(),
                               .cert_path = Pki("b", "report-server-client.pem"),
                               .key_path = Pki("b", "report-server-client-key.pem")})));
  status = ListRegions(*foreign, "");
  EXPECT_FALSE(status.ok()) << Describe(status);

  // report-server's certificate: a reader, without any token.
  std::unique_ptr<ApiStub> report_server = v1::RegistryApi::NewStub(NewChannel(
      address, TlsCredentials({.ca_path = Ca(),
                               .cert_path = Pki("a", "report-server-client.pem"),
                               .key_path = Pki("a", "report-server-client-key.pem")})));
  status = ListRegions(*report_server, "");
  EXPECT_TRUE(status.ok()) << Describe(status);
  status = CreateRegion(*report_server, "from-report-server", "");
  EXPECT_EQ(status.error_code(), StatusCode::PERMISSION_DENIED) << Describe(status);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "editor")) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), kSpiffeReportServer))
      << status.error_message();
  // This server takes no bearer tokens.
  status = ListRegions(*report_server, ReaderAuth("mtls-reader"));
  EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED) << Describe(status);
}

// --- 5. Rotation without a restart -----------------------------------------------

TEST_F(AuthTest, RotatedCertificateIsServedWithoutARestart) {
  // The server's certificate and key live in DIR/current -> DIR/v1.
  const std::string dir = Scratch("cert-rotation");
  for (const auto& [version, pki] : {std::pair{"v1", "a"}, std::pair{"v2", "b"}}) {
    fs::create_directories(absl::StrCat(dir, "/", version));
    CopyOwnerOnly(Pki(pki, "registry-server.pem"), absl::StrCat(dir, "/", version, "/cert.pem"));
    CopyOwnerOnly(Pki(pki, "registry-server-key.pem"),
                  absl::StrCat(dir, "/", version, "/key.pem"));
  }
  fs::create_directory_symlink("v1", dir + "/current");
  absl::StatusOr<ServerProcess> server = StartServer(
      kRegistryServer,
      RegistryArgs("cert-rotation", dir + "/current/cert.pem", dir + "/current/key.pem",
                   suite().jwks),
      dir + "/server.log");
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string reader = ReaderAuth("rotation-reader");

  std::unique_ptr<ApiStub> open = v1::RegistryApi::NewStub(TlsChannel(server->address, Ca()));
  grpc::Status status = ListRegions(*open, reader);
  ASSERT_TRUE(status.ok()) << Describe(status);
  // Before the rotation a client trusting only the second CA fails.
  status = ListRegions(*v1::RegistryApi::NewStub(TlsChannel(server->address, Pki("b", "ca.pem"))),
                       reader);
  ASSERT_EQ(status.error_code(), StatusCode::UNAVAILABLE) << Describe(status);

  // Swap the link in one step.
  fs::create_directory_symlink("v2", dir + "/current.new");
  fs::rename(dir + "/current.new", dir + "/current");
  const absl::Time swapped = absl::Now();
  grpc::Status last;
  const bool rotated = Eventually(absl::Seconds(10), [&] {
    last = ListRegions(
        *v1::RegistryApi::NewStub(TlsChannel(server->address, Pki("b", "ca.pem"))), reader);
    return last.ok();
  });
  EXPECT_TRUE(rotated) << "a new channel trusting the new CA still fails: " << Describe(last);
  std::fprintf(stderr, "certificate rotation picked up after %s\n",
               absl::FormatDuration(absl::Now() - swapped).c_str());
  // New connections trusting only the old CA now fail; the open one works.
  status = ListRegions(*v1::RegistryApi::NewStub(TlsChannel(server->address, Ca())), reader);
  EXPECT_EQ(status.error_code(), StatusCode::UNAVAILABLE) << Describe(status);
  status = ListRegions(*open, reader);
  EXPECT_TRUE(status.ok()) << Describe(status);
  open.reset();
  ExpectCleanStop(*server);
}

TEST_F(AuthTest, RotatedJwksIsUsedWithoutARestartAndSighupKeepsServing) {
  const std::string dir = Scratch("jwks-rotation");
  const std::string jwks = dir + "/jwks.json";
  WriteFileAtomically(jwks, JwksOf({suite().rsa}));
  absl::StatusOr<ServerProcess> server = StartServer(
      kRegistryServer,
      RegistryArgs("jwks-rotation", Pki("a", "registry-server.pem"),
                   Pki("a", "registry-server-key.pem"), jwks),
      dir + "/server.log");
  ASSERT_TRUE(server.ok()) << server.status();
  std::unique_ptr<ApiStub> stub = v1::RegistryApi::NewStub(TlsChannel(server->address, Ca()));
  Claims claims;
  claims.sub = "rotation-reader";
  claims.roles = {"reader"};
  const std::string old_token = Bearer(Mint(suite().rsa, claims));
  const std::string new_token = Bearer(Mint(suite().other_rsa, claims));
  grpc::Status status = ListRegions(*stub, old_token);
  ASSERT_TRUE(status.ok()) << Describe(status);
  status = ListRegions(*stub, new_token);
  ASSERT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED) << Describe(status);

  // The identity provider rotates to a new key and drops the old one.
  WriteFileAtomically(jwks, JwksOf({suite().other_rsa}));
  const absl::Time rotated_at = absl::Now();
  grpc::Status last;
  const bool rotated = Eventually(absl::Seconds(5), [&] {
    last = ListRegions(*stub, new_token);
    return last.ok();
  });
  EXPECT_TRUE(rotated) << "the new key's token is still refused: " << Describe(last);
  std::fprintf(stderr, "JWKS rotation picked up after %s\n",
               absl::FormatDuration(absl::Now() - rotated_at).c_str());
  // The old key's token, accepted (and cached) before, is refused now.
  status = ListRegions(*stub, old_token);
  EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED) << Describe(status);

  // SIGHUP re-reads the files and the server goes on serving.
  ASSERT_EQ(kill(server->process->pid(), SIGHUP), 0);
  absl::StatusOr<std::string> line = server->process->WaitForLine("SIGHUP", absl::Seconds(5));
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_TRUE(absl::StrContains(*line, "reloaded")) << *line;
  status = ListRegions(*stub, new_token);
  EXPECT_TRUE(status.ok()) << Describe(status);
  status = ListRegions(*v1::RegistryApi::NewStub(TlsChannel(server->address, Ca())), new_token);
  EXPECT_TRUE(status.ok()) << Describe(status);
  stub.reset();
  ExpectCleanStop(*server);
}

// --- 6. Every method of every service ------------------------------------------------

// The serialized empty request of `method`, or with its bool `force` set.
std::string RequestBytes(const google::protobuf::MethodDescriptor& method, bool force) {
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(method.input_type());
  std::unique_ptr<google::protobuf::Message> request(prototype->New());
  if (force) {
    const google::protobuf::FieldDescriptor* field =
        method.input_type()->FindFieldByName("force");
    request->GetReflection()->SetBool(request.get(), field, true);
  }
  return request->SerializeAsString();
}

bool HasBoolForce(const google::protobuf::MethodDescriptor& method) {
  const google::protobuf::FieldDescriptor* field = method.input_type()->FindFieldByName("force");
  return field != nullptr && !field->is_repeated() &&
         field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_BOOL;
}

TEST_F(AuthTest, EveryRegistryMethodNeedsATokenAndTheRoleOfTheTable) {
  std::shared_ptr<grpc::Channel> channel = TlsChannel(suite().registry.address, Ca());
  const std::string reader = ReaderAuth("walk-reader");
  const std::string editor = EditorAuth("walk-editor");
  int methods = 0, above_reader = 0, force_deletes = 0;
  for (const char* service_name : {"registry.v1.RegistryApi", "registry.v1.RegistryService"}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_name);
    ASSERT_NE(service, nullptr) << service_name;
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor& method = *service->method(i);
      const std::string full = absl::StrCat("/", service_name, "/", method.name());
      SCOPED_TRACE(full);
      ++methods;
      const std::string empty = RequestBytes(method, false);
      grpc::Status status = GenericCall(channel, full, empty, "");
      EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED) << Describe(status);

      const std::optional<Role> role = RequiredRole(full, nullptr);
      ASSERT_TRUE(role.has_value()) << "no rule in MethodRules()";
      if (*role != Role::kReader) {
        ++above_reader;
        status = GenericCall(channel, full, empty, reader);
        EXPECT_EQ(status.error_code(), StatusCode::PERMISSION_DENIED) << Describe(status);
        EXPECT_TRUE(absl::StrContains(status.error_message(), RoleName(*role)))
            << "the message should name the role " << RoleName(*role) << ": "
            << status.error_message();
      } else if (!method.server_streaming()) {
        // Allowed: whatever the (empty) request earns, not a refusal. (The
        // change feed would not end; the stream limit tests open it.)
        status = GenericCall(channel, full, empty, reader);
        EXPECT_NE(status.error_code(), StatusCode::UNAUTHENTICATED) << Describe(status);
        EXPECT_NE(status.error_code(), StatusCode::PERMISSION_DENIED) << Describe(status);
      }
      if (HasBoolForce(method)) {
        ++force_deletes;
        status = GenericCall(channel, full, RequestBytes(method, true), editor);
        EXPECT_EQ(status.error_code(), StatusCode::PERMISSION_DENIED) << Describe(status);
        EXPECT_TRUE(absl::StrContains(status.error_message(), "admin")) << status.error_message();
      }
    }
  }
  // 12 resources x 7 standard methods, the audit log, the change feed, and
  // the two bulk methods.
  EXPECT_GE(methods, 88);
  EXPECT_GE(above_reader, 12 * 4 + 2);
  EXPECT_EQ(force_deletes, 12);
}

TEST_F(AuthTest, EveryReportMethodNeedsATokenAndReportServerReachesTheRegistryOverMutualTls) {
  std::shared_ptr<grpc::Channel> channel = TlsChannel(suite().report.address, Ca());
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          "report.v1.ReportService");
  ASSERT_NE(service, nullptr);
  ASSERT_GE(service->method_count(), 4);
  const std::string reader = ReaderAuth("report-reader");
  for (int i = 0; i < service->method_count(); ++i) {
    const google::protobuf::MethodDescriptor& method = *service->method(i);
    const std::string full = absl::StrCat("/report.v1.ReportService/", method.name());
    SCOPED_TRACE(full);
    const std::string empty = RequestBytes(method, false);
    grpc::Status status = GenericCall(channel, full, empty, "");
    EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED) << Describe(status);
    status = GenericCall(channel, full, empty, "Bearer not-a-token");
    EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED) << Describe(status);
    ASSERT_TRUE(RequiredRole(full, nullptr) == Role::kReader);
    status = GenericCall(channel, full, empty, Bearer(Token("report-nobody", {})));
    EXPECT_EQ(status.error_code(), StatusCode::PERMISSION_DENIED) << Describe(status);
    if (!method.server_streaming()) {
      status = GenericCall(channel, full, empty, reader);
      EXPECT_NE(status.error_code(), StatusCode::UNAUTHENTICATED) << Describe(status);
      EXPECT_NE(status.error_code(), StatusCode::PERMISSION_DENIED) << Describe(status);
    }
  }
  // A real report call: report-server asks the (empty) registry over mutual
  // TLS with its client certificate, which answers that it holds no 2020.
  std::unique_ptr<::report::v1::ReportService::Stub> stub =
      ::report::v1::ReportService::NewStub(channel);
  ::report::v1::CheckReportRequest check;
  check.set_year(2020);
  ::report::v1::CheckReportResponse response;
  const grpc::Status status =
      Call(*stub, &::report::v1::ReportService::Stub::CheckReport, check, &response, reader);
  EXPECT_EQ(status.error_code(), StatusCode::NOT_FOUND) << Describe(status);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "2020")) << status.error_message();
}

TEST_F(AuthTest, RegistryRefusingReportServersOwnCredentialsIsNotTheCallersFault) {
  // report-server without credentials for the token-only registry: the
  // registry's UNAUTHENTICATED is about report-server, so its caller gets
  // INTERNAL saying so, not an UNAUTHENTICATED that blames their token.
  const std::string dir = Scratch("report-no-credentials");
  absl::StatusOr<ServerProcess> report = StartServer(
      kReportServer,
      {"--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0", "--drain=0s", absl::StrCat("--tls_cert=", Pki("a", "report-server.pem")),
       absl::StrCat("--tls_key=", Pki("a", "report-server-key.pem")),
       absl::StrCat("--jwks=", suite().jwks), absl::StrCat("--jwt_issuer=", kIssuer),
       absl::StrCat("--jwt_audience=", kAudience),
       absl::StrCat("--registry=", suite().registry.address),
       absl::StrCat("--registry_ca=", Pki("a", "ca.pem"))},
      dir + "/report.log");
  ASSERT_TRUE(report.ok()) << report.status();
  std::unique_ptr<::report::v1::ReportService::Stub> stub =
      ::report::v1::ReportService::NewStub(TlsChannel(report->address, Ca()));
  ::report::v1::CheckReportRequest check;
  check.set_year(2020);
  ::report::v1::CheckReportResponse response;
  const grpc::Status status = Call(*stub, &::report::v1::ReportService::Stub::CheckReport, check,
                                   &response, ReaderAuth("report-caller"));
  EXPECT_EQ(status.error_code(), StatusCode::INTERNAL) << Describe(status);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "report-server's own credentials"))
      << status.error_message();
  stub.reset();
  ExpectCleanStop(*report);
}

TEST_F(AuthTest, HealthIsOpenWithoutAToken) {
  for (const ServerProcess* server : {&suite().registry, &suite().report, &suite().limits}) {
    SCOPED_TRACE(server->address);
    std::unique_ptr<grpc::health::v1::Health::Stub> health =
        grpc::health::v1::Health::NewStub(TlsChannel(server->address, Ca()));
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = Call(*health, &grpc::health::v1::Health::Stub::Check,
                                     grpc::health::v1::HealthCheckRequest(), &response, "");
    ASSERT_TRUE(status.ok()) << Describe(status);
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  // Also on the mutual-TLS server, with a certificate but no token.
  std::unique_ptr<grpc::health::v1::Health::Stub> health = grpc::health::v1::Health::NewStub(
      NewChannel(suite().mtls_registry.address,
                 TlsCredentials({.ca_path = Ca(),
                                 .cert_path = Pki("a", "report-server-client.pem"),
                                 .key_path = Pki("a", "report-server-client-key.pem")})));
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = Call(*health, &grpc::health::v1::Health::Stub::Check,
                                   grpc::health::v1::HealthCheckRequest(), &response, "");
  EXPECT_TRUE(status.ok()) << Describe(status);
}

// --- 7. Abuse limits ---------------------------------------------------------------

TEST_F(AuthTest, RateLimitPerPrincipal) {
  // --rate_limit=5 --rate_burst=5.
  std::unique_ptr<ApiStub> stub = ApiOf(suite().limits.address);
  const std::string busy = ReaderAuth("rate-busy");
  int ok = 0, exhausted = 0, other = 0;
  grpc::Status refused;
  for (int i = 0; i < 30; ++i) {
    const grpc::Status status = ListRegions(*stub, busy);
    if (status.ok()) {
      ++ok;
    } else if (status.error_code() == StatusCode::RESOURCE_EXHAUSTED) {
      ++exhausted;
      refused = status;
    } else {
      ++other;
      ADD_FAILURE() << Describe(status);
    }
  }
  EXPECT_GE(ok, 5);
  EXPECT_GE(exhausted, 1);
  EXPECT_EQ(other, 0);
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "rate limit")) << refused.error_message();
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "rate-busy")) << refused.error_message();
  // Another principal has a bucket of its own.
  const grpc::Status status = ListRegions(*stub, ReaderAuth("rate-other"));
  EXPECT_TRUE(status.ok()) << Describe(status);
}

TEST_F(AuthTest, RequestLargerThanTheLimitIsResourceExhausted) {
  // --max_request_bytes=4096.
  std::unique_ptr<ApiStub> stub = ApiOf(suite().limits.address);
  v1::CreateRegionRequest request;
  request.set_region_id("large");
  *request.mutable_region() = NewRegion(std::string(10 * 1024, 'x'));
  v1::Region created;
  grpc::Status status =
      Call(*stub, &ApiStub::CreateRegion, request, &created, EditorAuth("size-editor"));
  EXPECT_EQ(status.error_code(), StatusCode::RESOURCE_EXHAUSTED) << Describe(status);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "4096")) << status.error_message();
  // A small one passes.
  request.set_region_id("small");
  *request.mutable_region() = NewRegion("Klein");
  status = Call(*stub, &ApiStub::CreateRegion, request, &created, EditorAuth("size-editor"));
  EXPECT_TRUE(status.ok()) << Describe(status);
}

TEST_F(AuthTest, WatchChangesEndsAtTheMaximumStreamDuration) {
  // --max_stream_duration=1s; the client sets no deadline.
  std::unique_ptr<ApiStub> stub = ApiOf(suite().limits.address);
  grpc::ClientContext context;
  context.AddMetadata("authorization", ReaderAuth("duration-reader"));
  const absl::Time start = absl::Now();
  std::unique_ptr<grpc::ClientReader<v1::ChangeEvent>> reader =
      stub->WatchChanges(&context, v1::WatchChangesRequest());
  // Bounded anyway: a watchdog cancels after 15 s.
  std::promise<void> finished;
  std::future<void> finished_future = finished.get_future();
  std::thread watchdog([&] {
    if (finished_future.wait_for(std::chrono::seconds(15)) == std::future_status::timeout) {
      context.TryCancel();
    }
  });
  v1::ChangeEvent event;
  int events = 0;
  while (reader->Read(&event)) ++events;
  const grpc::Status status = reader->Finish();
  const absl::Duration lasted = absl::Now() - start;
  finished.set_value();
  watchdog.join();
  EXPECT_EQ(status.error_code(), StatusCode::RESOURCE_EXHAUSTED) << Describe(status);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "after_event_id"))
      << status.error_message();
  EXPECT_GE(lasted, absl::Milliseconds(900));
  EXPECT_LT(lasted, absl::Seconds(5));
}

// An open WatchChanges stream.
struct WatchStream {
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::ClientReader<v1::ChangeEvent>> reader;
  bool open = false;  // the first event arrived
  grpc::Status status;  // if not open: how it ended

  // Cancels the stream and releases the call (an ended call whose context
  // is still alive holds the server's shutdown until its grace ends).
  void Close() {
    if (reader != nullptr) {
      context->TryCancel();
      v1::ChangeEvent ignored;
      while (reader->Read(&ignored)) {
      }
      reader->Finish().IgnoreError();
      reader.reset();
    }
    context.reset();
  }
  ~WatchStream() { Close(); }
};

// Opens a WatchChanges stream from the beginning and reads its first event
// (the registry holds at least one change).
std::unique_ptr<WatchStream> OpenWatch(ApiStub& stub, const std::string& authorization) {
  auto stream = std::make_unique<WatchStream>();
  stream->context = std::make_unique<grpc::ClientContext>();
  stream->context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  stream->context->AddMetadata("authorization", authorization);
  stream->reader = stub.WatchChanges(stream->context.get(), v1::WatchChangesRequest());
  v1::ChangeEvent event;
  stream->open = stream->reader->Read(&event);
  if (!stream->open) {
    stream->status = stream->reader->Finish();
    stream->reader.reset();
    stream->context.reset();
  }
  return stream;
}

TEST_F(AuthTest, WatchChangesStreamsAreCappedPerPrincipalAndInTotal) {
  const std::string dir = Scratch("watch-caps");
  std::vector<std::string> args = DefaultRegistryArgs("watch-caps");
  args.push_back("--max_watch_streams=3");
  args.push_back("--max_watch_streams_per_principal=2");
  absl::StatusOr<ServerProcess> server = StartServer(kRegistryServer, args, dir + "/server.log");
  ASSERT_TRUE(server.ok()) << server.status();
  std::unique_ptr<ApiStub> stub = v1::RegistryApi::NewStub(TlsChannel(server->address, Ca()));
  ASSERT_TRUE(CreateRegion(*stub, "watched", EditorAuth("watch-editor")).ok());

  const std::string first = ReaderAuth("watch-first");
  std::unique_ptr<WatchStream> a1 = OpenWatch(*stub, first);
  std::unique_ptr<WatchStream> a2 = OpenWatch(*stub, first);
  ASSERT_TRUE(a1->open && a2->open) << Describe(a1->status) << " / " << Describe(a2->status);
  std::unique_ptr<WatchStream> a3 = OpenWatch(*stub, first);
  EXPECT_FALSE(a3->open);
  EXPECT_EQ(a3->status.error_code(), StatusCode::RESOURCE_EXHAUSTED) << Describe(a3->status);
  EXPECT_TRUE(absl::StrContains(a3->status.error_message(), "per principal"))
      << a3->status.error_message();

  std::unique_ptr<WatchStream> b1 = OpenWatch(*stub, ReaderAuth("watch-second"));
  EXPECT_TRUE(b1->open) << Describe(b1->status);
  // The fourth stream in all, of a principal with none open.
  std::unique_ptr<WatchStream> c1 = OpenWatch(*stub, ReaderAuth("watch-third"));
  EXPECT_FALSE(c1->open);
  EXPECT_EQ(c1->status.error_code(), StatusCode::RESOURCE_EXHAUSTED) << Describe(c1->status);
  EXPECT_TRUE(absl::StrContains(c1->status.error_message(), "all principals"))
      << c1->status.error_message();

  // A closed stream frees its place.
  a1->Close();
  std::unique_ptr<WatchStream> c2;
  const bool freed = Eventually(absl::Seconds(5), [&] {
    c2 = OpenWatch(*stub, ReaderAuth("watch-third"));
    return c2->open;
  });
  EXPECT_TRUE(freed) << Describe(c2->status);
  // Hang up everything first: the server waits (up to its shutdown grace)
  // for open calls before it exits.
  for (std::unique_ptr<WatchStream>* stream : {&a1, &a2, &a3, &b1, &c1, &c2}) stream->reset();
  stub.reset();
  ExpectCleanStop(*server);
}

TEST_F(AuthTest, OpenWatchStreamsEndWithWhereToResumeWhenTheServerStops) {
  const std::string dir = Scratch("watch-stop");
  absl::StatusOr<ServerProcess> server =
      StartServer(kRegistryServer, DefaultRegistryArgs("watch-stop"), dir + "/server.log");
  ASSERT_TRUE(server.ok()) << server.status();
  std::unique_ptr<ApiStub> stub = v1::RegistryApi::NewStub(TlsChannel(server->address, Ca()));
  ASSERT_TRUE(CreateRegion(*stub, "stopping", EditorAuth("stop-editor")).ok());
  std::unique_ptr<WatchStream> stream = OpenWatch(*stub, ReaderAuth("stop-reader"));
  ASSERT_TRUE(stream->open) << Describe(stream->status);

  // SIGTERM with the stream open: it ends at once, naming where to resume,
  // and the server does not wait out its shutdown grace for it.
  const absl::Time start = absl::Now();
  ASSERT_EQ(::kill(server->process->pid(), SIGTERM), 0);
  v1::ChangeEvent event;
  while (stream->reader->Read(&event)) {
  }
  const grpc::Status ended = stream->reader->Finish();
  stream->reader.reset();
  EXPECT_EQ(ended.error_code(), StatusCode::UNAVAILABLE) << Describe(ended);
  EXPECT_TRUE(absl::StrContains(ended.error_message(), "after_event_id=")) << Describe(ended);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  stream.reset();
  stub.reset();
  ExpectCleanStop(*server);
}

TEST_F(AuthTest, UnparseableReadRequestIsInvalidArgumentNamingItsType) {
  std::shared_ptr<grpc::Channel> channel = TlsChannel(suite().registry.address, Ca());
  const std::string reader = ReaderAuth("garbage-reader");
  for (const char* method : {"GetMission", "ListMissions", "BatchGetPostings"}) {
    SCOPED_TRACE(method);
    const std::string type = absl::StrCat("registry.v1.", method, "Request");
    const google::protobuf::Descriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
    ASSERT_NE(descriptor, nullptr);
    int string_field = 0;
    for (int i = 0; i < descriptor->field_count() && string_field == 0; ++i) {
      if (descriptor->field(i)->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
        string_field = descriptor->field(i)->number();
      }
    }
    ASSERT_GT(string_field, 0);
    ASSERT_LT(string_field, 16);  // a one-byte tag
    const char tag = static_cast<char>((string_field << 3) | 2);
    // A string field holding invalid UTF-8; a field cut off after its tag
    // and length; bytes that are no protobuf at all.
    for (const std::string& bytes :
         {std::string{tag, '\x02', '\xc3', '\x28'}, std::string{tag, '\x05', 'a', 'b'},
          std::string("\xff\xff\xff\xff", 4)}) {
      const grpc::Status status = GenericCall(
          channel, absl::StrCat("/registry.v1.RegistryApi/", method), bytes, reader);
      EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
      EXPECT_TRUE(absl::StrContains(status.error_message(), type)) << status.error_message();
    }
  }
  // The server goes on answering.
  v1::ListRegionsRequest request;
  const grpc::Status status =
      GenericCall(channel, "/registry.v1.RegistryApi/ListRegions", request.SerializeAsString(),
                  reader);
  EXPECT_TRUE(status.ok()) << Describe(status);
}

TEST_F(AuthTest, LongNameGetsItsFieldViolationOnADefaultClient) {
  // Default channel arguments: the client accepts 8 KiB of metadata.
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeChannelCredentials({.ca_path = Ca()});
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  std::unique_ptr<ApiStub> stub =
      v1::RegistryApi::NewStub(grpc::CreateChannel(suite().registry.address, *credentials));
  const std::string editor = EditorAuth("long-name-editor");

  v1::CreateRegionRequest request;
  request.set_region_id(std::string(3000, 'a'));
  *request.mutable_region() = NewRegion(std::string(3000, 'N'));
  v1::Region created;
  const grpc::Status status = Call(*stub, &ApiStub::CreateRegion, request, &created, editor);
  ASSERT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_FALSE(ContainsIgnoreCase(status.error_message(), "metadata")) << status.error_message();
  const std::vector<FieldViolation> violations = FieldViolationsOf(FromGrpcStatus(status));
  std::vector<std::string> fields;
  for (const FieldViolation& v : violations) fields.push_back(v.field);
  EXPECT_NE(std::find(fields.begin(), fields.end(), "region_id"), fields.end())
      << absl::StrJoin(fields, ", ");
  bool display_name = false;
  for (const std::string& field : fields) {
    display_name |= absl::StrContains(field, "display_name");
  }
  EXPECT_TRUE(display_name) << absl::StrJoin(fields, ", ");
}

TEST_F(AuthTest, ManyViolationsStayWithinTheDefaultMetadataLimit) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeChannelCredentials({.ca_path = Ca()});
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  std::unique_ptr<BulkStub> stub =
      v1::RegistryService::NewStub(grpc::CreateChannel(suite().registry.address, *credentials));
  // 25 regions, each with a negative report_order and a long invalid name.
  v1::ImportDatasetRequest request;
  for (int i = 0; i < 25; ++i) {
    v1::Region* region = request.mutable_dataset()->add_regions();
    *region = NewRegion(absl::StrCat("Regio ", i));
    region->set_name(absl::StrCat("regions/r", i));
    region->set_report_order(-1 - i);
  }
  v1::ImportDatasetResponse response;
  grpc::Status status =
      Call(*stub, &BulkStub::ImportDataset, request, &response, AdminAuth("violations-admin"));
  ASSERT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_FALSE(ContainsIgnoreCase(status.error_message(), "metadata")) << status.error_message();
  std::vector<FieldViolation> violations = FieldViolationsOf(FromGrpcStatus(status));
  EXPECT_GE(violations.size(), 20u);
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations[0].field, "dataset.regions[0].report_order");

  // Also with 3000-character names in every violation.
  for (int i = 0; i < 25; ++i) {
    request.mutable_dataset()->mutable_regions(i)->set_name(
        absl::StrCat("regions/", std::string(3000, 'a' + i % 26)));
  }
  status = Call(*stub, &BulkStub::ImportDataset, request, &response, AdminAuth("violations-admin"));
  ASSERT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  violations = FieldViolationsOf(FromGrpcStatus(status));
  EXPECT_GE(violations.size(), 10u);
}

}  // namespace
}  // namespace missions::testing
