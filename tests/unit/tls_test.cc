// TLS for listeners and clients (proto/common/tls.h), secret files
// (proto/common/secret_file.h) and the development PKI
// (deploy/local/dev-pki.sh, mint-token.sh), against an echo server on
// 127.0.0.1 with certificates made by running dev-pki.sh.
#include "proto/common/tls.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/echo.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "proto/common/secret_file.h"
#include "proto/common/server_runner.h"
#include "tests/unit/report_json_schema.h"

namespace missions {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const char kSpiffeReportServer[] = "spiffe://missions.local/report-server";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Writes `content` to `path` atomically (temporary file, then rename), mode
// `mode`.
void WriteFileAtomically(const std::string& path, const std::string& content,
                         fs::perms mode = fs::perms::owner_read |
                                          fs::perms::owner_write) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << content;
    ASSERT_TRUE(out.good()) << temp;
  }
  fs::permissions(temp, mode);
  fs::rename(temp, path);
}

// Runs a shell command; returns its exit code, with its output in `output`.
int Shell(const std::string& command, std::string* output = nullptr) {
  std::string captured;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  size_t got;
  while ((got = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    captured.append(buffer, got);
  }
  int status = pclose(pipe);
  if (output != nullptr) *output = captured;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string DevPkiScript() {
  return std::string(MISSIONS_SOURCE_DIR) + "/deploy/local/dev-pki.sh";
}

// Answers Echo and remembers the client certificate identities of the
// last call.
class EchoService final : public bench::Echo::Service {
 public:
  grpc::Status Echo(grpc::ServerContext* context,
                    const bench::EchoRequest* request,
                    bench::EchoResponse* response) override {
    std::vector<std::string> identities;
    if (context->auth_context() != nullptr) {
      identities = ClientCertificateIdentities(*context->auth_context());
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_identities_ = std::move(identities);
    }
    response->set_payload(request->payload());
    return grpc::Status::OK;
  }

  std::vector<std::string> last_identities() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_identities_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> last_identities_;
};

grpc::Status CallEcho(
    const std::shared_ptr<grpc::Channel>& channel,
    std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
  auto stub = bench::Echo::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  bench::EchoRequest request;
  request.set_payload("ping");
  bench::EchoResponse response;
  grpc::Status status = stub->Echo(&context, request, &response);
  if (status.ok() && response.payload() != "ping") {
    return grpc::Status(grpc::StatusCode::INTERNAL, "wrong payload");
  }
  return status;
}

// Each channel gets its own subchannel (no sharing of connections between
// the channels of one test).
std::shared_ptr<grpc::Channel> NewChannel(
    const std::string& target,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    grpc::ChannelArguments arguments = {}) {
  static int counter = 0;
  arguments.SetInt("missions.test_channel", ++counter);
  return grpc::CreateCustomChannel(target, credentials, arguments);
}

class TlsTest : public ::testing::Test {
 protected:
  // Two development PKIs (two different CAs) made by dev-pki.sh, once.
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/tls_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    root_ = new std::string(pattern);
    for (const char* name : {"a", "b"}) {
      std::string output;
      int code = Shell(
          absl::StrCat("bash '", DevPkiScript(), "' '", *root_, "/", name, "'"),
          &output);
      ASSERT_EQ(code, 0) << output;
    }
  }
  static void TearDownTestSuite() {
    if (root_ != nullptr) fs::remove_all(*root_);
    delete root_;
    root_ = nullptr;
  }

  // A file of PKI `pki` ("a" or "b"), e.g. Pki("a", "ca.pem").
  static std::string Pki(const std::string& pki, const std::string& file) {
    return absl::StrCat(*root_, "/", pki, "/pki/", file);
  }
  static std::string Auth(const std::string& file) {
    return absl::StrCat(*root_, "/a/auth/", file);
  }
  // A fresh scratch directory for one test.
  // Issues DIR/cert.pem (key DIR/key.pem, EC P-256, valid two days) for
  // common name `cn` from development CA "a", with the x509v3
  // `extensions` (lines separated by "\\n", as printf reads them).
  void IssueCertificate(const std::string& dir, absl::string_view cn,
                        absl::string_view extensions, absl::string_view serial) {
    std::string output;
    ASSERT_EQ(
        Shell(absl::StrCat(
                  "cd '", dir, "' && umask 077 && ",
                  "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
                  "-out key.pem && openssl req -new -key key.pem -subj /CN=", cn,
                  " -out csr.pem && printf '", extensions, "\\n' > ext.cnf && "
                  "openssl x509 -req -in csr.pem -CA '", Pki("a", "ca.pem"),
                  "' -CAkey '", Pki("a", "ca-key.pem"), "' -set_serial ", serial,
                  " -days 2 -extfile ext.cnf -out cert.pem"),
              &output),
        0)
        << output;
  }

  std::string Scratch() {
    std::string dir = absl::StrCat(
        *root_, "/scratch-",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all);
    return dir;
  }

  void StartServer(const ServerTlsOptions& options) {
    auto credentials = MakeServerCredentials(options);
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    auto server = RunningServer::Start("127.0.0.1:0", {&echo_}, *credentials);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }
  void StartRegistryServer(const std::string& pki = "a",
                           const std::string& client_ca = "") {
    StartServer({.cert_path = Pki(pki, "registry-server.pem"),
                 .key_path = Pki(pki, "registry-server-key.pem"),
                 .client_ca_path = client_ca});
  }
  std::string Target(const std::string& host = "127.0.0.1") const {
    return absl::StrCat(host, ":", server_->port());
  }
  static std::shared_ptr<grpc::ChannelCredentials> ClientCredentials(
      const ChannelTlsOptions& options) {
    auto credentials = MakeChannelCredentials(options);
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    return credentials.ok() ? *credentials : nullptr;
  }
  static std::shared_ptr<grpc::ChannelCredentials> TrustingCa(
      const std::string& pki) {
    return ClientCredentials({.ca_path = Pki(pki, "ca.pem")});
  }

  static std::string* root_;
  EchoService echo_;
  std::unique_ptr<RunningServer> server_;
};

std::string* TlsTest::root_ = nullptr;

TEST_F(TlsTest, TlsClientTrustingTheCaSucceeds) {
  StartRegistryServer();
  EXPECT_TRUE(CallEcho(NewChannel(Target(), TrustingCa("a"))).ok());
  // DNS:localhost is in the SANs too.
  grpc::Status by_name =
      CallEcho(NewChannel(Target("localhost"), TrustingCa("a")));
  EXPECT_TRUE(by_name.ok()) << by_name.error_message();
  // No client certificate: no identities.
  EXPECT_THAT(echo_.last_identities(), IsEmpty());
}

TEST_F(TlsTest, PlaintextClientFails) {
  StartRegistryServer();
  grpc::Status status =
      CallEcho(NewChannel(Target(), grpc::InsecureChannelCredentials()),
               std::chrono::seconds(2));
  EXPECT_FALSE(status.ok());
}

TEST_F(TlsTest, ClientTrustingAnotherCaFails) {
  StartRegistryServer("a");
  grpc::Status status = CallEcho(NewChannel(Target(), TrustingCa("b")));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
}

TEST_F(TlsTest, TargetNameOverrideNotInSansFails) {
  StartRegistryServer();
  grpc::ChannelArguments arguments;
  arguments.SetSslTargetNameOverride("registry.example.org");
  grpc::Status status =
      CallEcho(NewChannel(Target(), TrustingCa("a"), arguments));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
}

// A certificate from the development CA for DNS:localhost only: a client of
// 127.0.0.1 must refuse it, a client of localhost accept it.
TEST_F(TlsTest, TargetHostNotInSansFails) {
  const std::string dir = Scratch();
  IssueCertificate(dir, "localhost-only",
                   "subjectAltName=DNS:localhost\\nextendedKeyUsage=serverAuth", "0x1234");
  StartServer({.cert_path = dir + "/cert.pem", .key_path = dir + "/key.pem"});
  grpc::Status by_ip =
      CallEcho(NewChannel(Target("127.0.0.1"), TrustingCa("a")));
  EXPECT_EQ(by_ip.error_code(), grpc::StatusCode::UNAVAILABLE)
      << by_ip.error_message();
  grpc::Status by_name =
      CallEcho(NewChannel(Target("localhost"), TrustingCa("a")));
  EXPECT_TRUE(by_name.ok()) << by_name.error_message();
}

TEST_F(TlsTest, MutualTlsRequiresAClientCertificateFromTheClientCa) {
  StartRegistryServer("a", Pki("a", "ca.pem"));

  grpc::Status without = CallEcho(NewChannel(Target(), TrustingCa("a")));
  EXPECT_FALSE(without.ok());

  auto other_ca_client =
      ClientCredentials({.ca_path = Pki("a", "ca.pem"),
                         .cert_path = Pki("b", "report-server-client.pem"),
                         .key_path = Pki("b", "report-server-client-key.pem")});
  grpc::Status untrusted = CallEcho(NewChannel(Target(), other_ca_client));
  EXPECT_FALSE(untrusted.ok());

  auto client =
      ClientCredentials({.ca_path = Pki("a", "ca.pem"),
                         .cert_path = Pki("a", "report-server-client.pem"),
                         .key_path = Pki("a", "report-server-client-key.pem")});
  grpc::Status with = CallEcho(NewChannel(Target(), client));
  ASSERT_TRUE(with.ok()) << with.error_message();
  EXPECT_THAT(echo_.last_identities(),
              Contains(absl::StrCat("uri:", kSpiffeReportServer)));
  EXPECT_THAT(echo_.last_identities(), Not(Contains(HasSubstr("cn:"))));
}

// A client certificate sent to a server without client_ca_path is not
// requested, so it yields no identity.
TEST_F(TlsTest, NoIdentitiesWithoutMutualTls) {
  StartRegistryServer();
  auto client =
      ClientCredentials({.ca_path = Pki("a", "ca.pem"),
                         .cert_path = Pki("a", "report-server-client.pem"),
                         .key_path = Pki("a", "report-server-client-key.pem")});
  ASSERT_TRUE(CallEcho(NewChannel(Target(), client)).ok());
  EXPECT_THAT(echo_.last_identities(), IsEmpty());
}

// A certificate without SANs is identified by its common name.
TEST_F(TlsTest, IdentityFallsBackToTheCommonName) {
  const std::string dir = Scratch();
  IssueCertificate(dir, "batch-job", "extendedKeyUsage=clientAuth", "0x4321");
  StartRegistryServer("a", Pki("a", "ca.pem"));
  auto client = ClientCredentials({.ca_path = Pki("a", "ca.pem"),
                                   .cert_path = dir + "/cert.pem",
                                   .key_path = dir + "/key.pem"});
  grpc::Status status = CallEcho(NewChannel(Target(), client));
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(echo_.last_identities(), std::vector<std::string>{"cn:batch-job"});
}

// Rotation: the server's certificate and key files are replaced by ones
// from another CA while a channel is open. The open channel trusts only
// the old CA, so it keeps working only if its connection survives; a new
// channel trusting only the new CA succeeds once the files are re-read.
TEST_F(TlsTest, RotatedCertificateIsUsedWithoutDroppingOpenConnections) {
  const std::string dir = Scratch();
  const std::string cert = dir + "/server.pem";
  const std::string key = dir + "/server-key.pem";
  WriteFileAtomically(key, ReadFile(Pki("a", "registry-server-key.pem")));
  WriteFileAtomically(cert, ReadFile(Pki("a", "registry-server.pem")));
  StartServer({.cert_path = cert, .key_path = key, .refresh_seconds = 1});

  std::shared_ptr<grpc::Channel> open = NewChannel(Target(), TrustingCa("a"));
  ASSERT_TRUE(CallEcho(open).ok());
  ASSERT_FALSE(CallEcho(NewChannel(Target(), TrustingCa("b"))).ok());

  WriteFileAtomically(key, ReadFile(Pki("b", "registry-server-key.pem")));
  WriteFileAtomically(cert, ReadFile(Pki("b", "registry-server.pem")));
  const auto rotated_at = std::chrono::steady_clock::now();

  grpc::Status fresh;
  for (int attempt = 0; attempt < 40; ++attempt) {
    fresh = CallEcho(NewChannel(Target(), TrustingCa("b")),
                     std::chrono::seconds(2));
    if (fresh.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_TRUE(fresh.ok()) << fresh.error_message();
  const auto seconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - rotated_at)
                           .count();
  std::printf("new certificate served %.2f s after the files were replaced\n",
              seconds);

  // The open channel still works on its old connection, several times.
  for (int i = 0; i < 3; ++i) {
    grpc::Status again = CallEcho(open);
    EXPECT_TRUE(again.ok()) << again.error_message();
  }
  EXPECT_EQ(open->GetState(false), GRPC_CHANNEL_READY);
  // A new channel trusting only the old CA is refused the new certificate.
  EXPECT_FALSE(CallEcho(NewChannel(Target(), TrustingCa("a"))).ok());
}

// Rotation in one step: the files live in a directory reached through a
// symbolic link, and the link is swapped with a rename (tls.h).
TEST_F(TlsTest, RotationBySwappingASymlinkedDirectory) {
  const std::string dir = Scratch();
  for (const char* pki : {"a", "b"}) {
    const std::string version = absl::StrCat(dir, "/", pki);
    fs::create_directories(version);
    WriteFileAtomically(version + "/key.pem",
                        ReadFile(Pki(pki, "registry-server-key.pem")));
    WriteFileAtomically(version + "/cert.pem",
                        ReadFile(Pki(pki, "registry-server.pem")));
  }
  fs::create_directory_symlink("a", dir + "/current");
  StartServer({.cert_path = dir + "/current/cert.pem",
               .key_path = dir + "/current/key.pem"});
  std::shared_ptr<grpc::Channel> open = NewChannel(Target(), TrustingCa("a"));
  ASSERT_TRUE(CallEcho(open).ok());

  fs::create_directory_symlink("b", dir + "/current.tmp");
  fs::rename(dir + "/current.tmp", dir + "/current");
  grpc::Status fresh;
  for (int attempt = 0; attempt < 40; ++attempt) {
    fresh = CallEcho(NewChannel(Target(), TrustingCa("b")),
                     std::chrono::seconds(2));
    if (fresh.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_TRUE(fresh.ok()) << fresh.error_message();
  EXPECT_TRUE(CallEcho(open).ok());
}

// The client CA of a mutual-TLS server rotates too.
TEST_F(TlsTest, RotatedClientCaIsUsed) {
  const std::string dir = Scratch();
  const std::string client_ca = dir + "/client-ca.pem";
  WriteFileAtomically(client_ca, ReadFile(Pki("a", "ca.pem")));
  StartRegistryServer("a", client_ca);
  auto b_client =
      ClientCredentials({.ca_path = Pki("a", "ca.pem"),
                         .cert_path = Pki("b", "report-server-client.pem"),
                         .key_path = Pki("b", "report-server-client-key.pem")});
  ASSERT_FALSE(CallEcho(NewChannel(Target(), b_client)).ok());

  WriteFileAtomically(client_ca, ReadFile(Pki("b", "ca.pem")));
  grpc::Status status;
  for (int attempt = 0; attempt < 40; ++attempt) {
    status = CallEcho(NewChannel(Target(), b_client), std::chrono::seconds(2));
    if (status.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(TlsTest, GroupReadableKeyIsRefused) {
  const std::string dir = Scratch();
  const std::string key = dir + "/key.pem";
  const std::string content = ReadFile(Pki("a", "registry-server-key.pem"));
  WriteFileAtomically(
      key, content,
      fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  auto credentials = MakeServerCredentials(
      {.cert_path = Pki("a", "registry-server.pem"), .key_path = key});
  ASSERT_EQ(credentials.status().code(), absl::StatusCode::kFailedPrecondition)
      << credentials.status();
  EXPECT_THAT(credentials.status().message(), HasSubstr(key));
  EXPECT_THAT(credentials.status().message(), HasSubstr("0640"));
  EXPECT_THAT(credentials.status().message(), Not(HasSubstr("PRIVATE KEY")));

  auto channel =
      MakeChannelCredentials({.ca_path = Pki("a", "ca.pem"),
                              .cert_path = Pki("a", "report-server-client.pem"),
                              .key_path = key});
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(TlsTest, MismatchedKeyIsInvalidArgument) {
  auto credentials =
      MakeServerCredentials({.cert_path = Pki("a", "registry-server.pem"),
                             .key_path = Pki("a", "report-server-key.pem")});
  ASSERT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument)
      << credentials.status();
  EXPECT_THAT(credentials.status().message(), HasSubstr("does not match"));
  EXPECT_THAT(credentials.status().message(),
              HasSubstr(Pki("a", "report-server-key.pem")));

  auto channel =
      MakeChannelCredentials({.ca_path = Pki("a", "ca.pem"),
                              .cert_path = Pki("a", "report-server-client.pem"),
                              .key_path = Pki("a", "registry-server-key.pem")});
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TlsTest, BadFilesAreReportedByName) {
  const std::string dir = Scratch();
  const std::string garbage = dir + "/garbage.pem";
  WriteFileAtomically(garbage, "not a certificate\n");
  const std::string cert = Pki("a", "registry-server.pem");
  const std::string key = Pki("a", "registry-server-key.pem");

  auto missing = MakeServerCredentials(
      {.cert_path = dir + "/missing.pem", .key_path = key});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("missing.pem"));

  auto bad_cert =
      MakeServerCredentials({.cert_path = garbage, .key_path = key});
  EXPECT_EQ(bad_cert.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_cert.status().message(), HasSubstr(garbage));

  auto bad_key =
      MakeServerCredentials({.cert_path = cert, .key_path = garbage});
  EXPECT_EQ(bad_key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_key.status().message(), HasSubstr(garbage));

  auto bad_ca = MakeServerCredentials(
      {.cert_path = cert, .key_path = key, .client_ca_path = garbage});
  EXPECT_EQ(bad_ca.status().code(), absl::StatusCode::kInvalidArgument);

  // A key is not a certificate.
  auto key_as_cert = MakeServerCredentials({.cert_path = key, .key_path = key});
  EXPECT_EQ(key_as_cert.status().code(), absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(MakeChannelCredentials({}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeChannelCredentials({.ca_path = garbage}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeChannelCredentials(
                {.ca_path = Pki("a", "ca.pem"),
                 .cert_path = Pki("a", "report-server-client.pem")})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeServerCredentials(
                {.cert_path = cert, .key_path = key, .refresh_seconds = 0})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TlsTest, ExpiredCertificateIsInvalidArgument) {
  const std::string dir = Scratch();
  std::string output;
  // Valid from 2001-01-01 to 2001-01-02 (openssl x509 has no -not_before
  // in 3.0; the CA signs a certificate request with explicit dates).
  ASSERT_EQ(
      Shell(
          absl::StrCat(
              "cd '", dir,
              "' && umask 077 && "
              "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
              "-out key.pem && "
              "openssl req -new -key key.pem -subj /CN=old -out csr.pem && "
              "mkdir db && touch db/index && echo 01 > db/serial && "
              "printf "
              "'[ca]\\ndefault_ca=d\\n[d]\\ndatabase=db/index\\nserial=db/"
              "serial\\n"
              "new_certs_dir=db\\npolicy=p\\ndefault_md=sha256\\n[p]"
              "\\ncommonName=supplied\\n' > ca.cnf && "
              "openssl ca -batch -config ca.cnf -cert '",
              Pki("a", "ca.pem"), "' -keyfile '", Pki("a", "ca-key.pem"),
              "' -startdate 20010101000000Z -enddate 20010102000000Z "
              "-in csr.pem -out cert.pem"),
          &output),
      0)
      << output;
  auto credentials = MakeServerCredentials(
      {.cert_path = dir + "/cert.pem", .key_path = dir + "/key.pem"});
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument)
      << credentials.status();
  EXPECT_THAT(credentials.status().message(), HasSubstr("expired"));
}

// --- secret files ----------------------------------------------------------

TEST_F(TlsTest, SecretFileRules) {
  const std::string dir = Scratch();
  const std::string secret = dir + "/secret";
  WriteFileAtomically(secret, "hunter2");
  auto read = ReadSecretFile(secret, "test secret");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "hunter2");
  EXPECT_TRUE(CheckSecretFilePermissions(secret, "test secret").ok());

  // World-readable: refused as a secret, with the mode and not the content.
  fs::permissions(secret, fs::perms::others_read, fs::perm_options::add);
  auto loose = ReadSecretFile(secret, "test secret");
  EXPECT_EQ(loose.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(loose.status().message(), HasSubstr("test secret"));
  EXPECT_THAT(loose.status().message(), HasSubstr("0604"));
  EXPECT_THAT(loose.status().message(), Not(HasSubstr("hunter2")));
  EXPECT_EQ(CheckSecretFilePermissions(secret, "test secret").code(),
            absl::StatusCode::kFailedPrecondition);
  // ...but fine as a public file.
  EXPECT_TRUE(ReadPublicFile(secret, "test file").ok());

  // Group-executable is group access too.
  fs::permissions(secret, fs::perms::owner_read | fs::perms::group_exec);
  EXPECT_EQ(ReadSecretFile(secret, "test secret").status().code(),
            absl::StatusCode::kFailedPrecondition);

  EXPECT_EQ(ReadSecretFile(dir + "/nope", "test secret").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(CheckSecretFilePermissions(dir + "/nope", "x").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadPublicFile(dir + "/nope", "x").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadSecretFile(dir, "test secret").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadPublicFile(dir, "test file").status().code(),
            absl::StatusCode::kFailedPrecondition);

  const std::string big = dir + "/big";
  WriteFileAtomically(big, std::string(2000, 'x'));
  EXPECT_TRUE(ReadSecretFile(big, "big", 2000).ok());
  auto too_big = ReadSecretFile(big, "big", 1999);
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadPublicFile(big, "big", 10).status().code(),
            absl::StatusCode::kFailedPrecondition);

  // A symbolic link to a good secret file is followed.
  const std::string good = dir + "/good";
  WriteFileAtomically(good, "ok");
  fs::create_symlink(good, dir + "/link");
  EXPECT_TRUE(ReadSecretFile(dir + "/link", "linked secret").ok());
}

// --- the development PKI ---------------------------------------------------

TEST_F(TlsTest, DevPkiFilesHaveTheirModes) {
  for (const std::string& pki_dir :
       {absl::StrCat(*root_, "/a/pki"), absl::StrCat(*root_, "/a/auth")}) {
    EXPECT_EQ(fs::status(pki_dir).permissions() & fs::perms::all,
              fs::perms::owner_all)
        << pki_dir;
  }
  for (const std::string& key :
       {Pki("a", "ca-key.pem"), Pki("a", "registry-server-key.pem"),
        Pki("a", "report-server-key.pem"),
        Pki("a", "report-server-client-key.pem"), Auth("signing-key.pem"),
        Auth("reader.jwt"), Auth("editor.jwt"), Auth("admin.jwt")}) {
    EXPECT_TRUE(CheckSecretFilePermissions(key, "dev file").ok()) << key;
  }
  std::string output;
  ASSERT_EQ(
      Shell(absl::StrCat("openssl x509 -noout -subject -nameopt utf8 -in '",
                         Pki("a", "ca.pem"), "'"),
            &output),
      0);
  EXPECT_THAT(
      output,
      HasSubstr("Missions registry DEVELOPMENT CA — not for production"));
  EXPECT_THAT(
      ReadFile(Auth("identities.conf")),
      HasSubstr(absl::StrCat("\nuri:", kSpiffeReportServer, " reader\n")));
  EXPECT_THAT(ReadFile(Auth("README.txt")), HasSubstr("DEVELOPMENT TOKENS"));
}

std::string Base64UrlDecode(absl::string_view text) {
  std::string out;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(text, &out)) << text;
  return out;
}

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using UniquePkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// The RSA public key of a JWK's n and e.
UniquePkey RsaKeyFromJwk(const std::string& n, const std::string& e) {
  std::string n_bytes = Base64UrlDecode(n);
  std::string e_bytes = Base64UrlDecode(e);
  BIGNUM* bn_n =
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n_bytes.data()),
                static_cast<int>(n_bytes.size()), nullptr);
  BIGNUM* bn_e =
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e_bytes.data()),
                static_cast<int>(e_bytes.size()), nullptr);
  OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_N, bn_n);
  OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_E, bn_e);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(build);
  EVP_PKEY_CTX* context = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata_init(context) != 1 ||
      EVP_PKEY_fromdata(context, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    key = nullptr;
  }
  EVP_PKEY_CTX_free(context);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(build);
  BN_free(bn_n);
  BN_free(bn_e);
  return UniquePkey(key);
}

bool VerifyRs256(EVP_PKEY* key, const std::string& signing_input,
                 const std::string& signature) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  bool ok =
      EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(
          context, reinterpret_cast<const unsigned char*>(signature.data()),
          signature.size(),
          reinterpret_cast<const unsigned char*>(signing_input.data()),
          signing_input.size()) == 1;
  EVP_MD_CTX_free(context);
  return ok;
}

// The key id dev-pki.sh derives: the first 16 hex digits of the SHA-256 of
// the DER SubjectPublicKeyInfo.
std::string KeyId(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(key, &der);
  EXPECT_GT(length, 0);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(length), digest);
  OPENSSL_free(der);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), 8));
}

// The dev tokens verify against the JWKS (so n, e and kid are right), and
// carry the documented claims.
TEST_F(TlsTest, DevTokensVerifyAgainstTheJwks) {
  auto jwks = testing::ParseJson(ReadFile(Auth("jwks.json")));
  ASSERT_TRUE(jwks.ok()) << jwks.status();
  const testing::JsonValue* keys = jwks->Find("keys");
  ASSERT_NE(keys, nullptr);
  ASSERT_EQ(keys->array.size(), 1u);
  const testing::JsonValue& jwk = keys->array[0];
  ASSERT_NE(jwk.Find("n"), nullptr);
  ASSERT_NE(jwk.Find("e"), nullptr);
  ASSERT_NE(jwk.Find("kid"), nullptr);
  EXPECT_EQ(jwk.Find("kty")->string, "RSA");
  EXPECT_EQ(jwk.Find("alg")->string, "RS256");
  EXPECT_EQ(jwk.Find("use")->string, "sig");
  EXPECT_EQ(jwk.Find("e")->string, "AQAB");
  UniquePkey jwk_key =
      RsaKeyFromJwk(jwk.Find("n")->string, jwk.Find("e")->string);
  ASSERT_NE(jwk_key, nullptr);
  EXPECT_EQ(EVP_PKEY_get_bits(jwk_key.get()), 2048);

  // The JWK is the public half of the signing key, and its kid is derived
  // from it.
  {
    std::string pem = ReadFile(Auth("signing-key.pem"));
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    UniquePkey signing(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    ASSERT_NE(signing, nullptr);
    EXPECT_EQ(EVP_PKEY_eq(signing.get(), jwk_key.get()), 1);
    EXPECT_EQ(jwk.Find("kid")->string, KeyId(signing.get()));
  }

  struct Expected {
    std::string file, subject, name;
    std::vector<std::string> roles;
  };
  for (const Expected& expected : std::vector<Expected>{
           {"reader.jwt", "dev-reader", "Development reader", {"reader"}},
           {"editor.jwt",
            "dev-editor",
            "Development editor",
            {"reader", "editor"}},
           {"admin.jwt",
            "dev-admin",
            "Development administrator",
            {"reader", "editor", "admin"}}}) {
    SCOPED_TRACE(expected.file);
    std::string token = ReadFile(Auth(expected.file));
    while (!token.empty() && token.back() == '\n') token.pop_back();
    std::vector<std::string> parts = absl::StrSplit(token, '.');
    ASSERT_EQ(parts.size(), 3u);
    for (const std::string& part : parts) {
      EXPECT_FALSE(part.empty());
      EXPECT_EQ(part.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
                                       "nopqrstuvwxyz0123456789-_"),
                std::string::npos)
          << part;
    }
    EXPECT_TRUE(VerifyRs256(jwk_key.get(), parts[0] + "." + parts[1],
                            Base64UrlDecode(parts[2])));
    // A changed payload does not verify.
    EXPECT_FALSE(VerifyRs256(jwk_key.get(), parts[0] + "." + parts[1] + "x",
                             Base64UrlDecode(parts[2])));

    auto header = testing::ParseJson(Base64UrlDecode(parts[0]));
    ASSERT_TRUE(header.ok()) << header.status();
    EXPECT_EQ(header->Find("alg")->string, "RS256");
    EXPECT_EQ(header->Find("typ")->string, "JWT");
    EXPECT_EQ(header->Find("kid")->string, jwk.Find("kid")->string);

    auto claims = testing::ParseJson(Base64UrlDecode(parts[1]));
    ASSERT_TRUE(claims.ok()) << claims.status();
    EXPECT_EQ(claims->Find("iss")->string, "https://auth.missions.local/dev");
    EXPECT_EQ(claims->Find("aud")->string, "missions-registry");
    EXPECT_EQ(claims->Find("sub")->string, expected.subject);
    EXPECT_EQ(claims->Find("name")->string, expected.name);
    std::vector<std::string> roles;
    for (const testing::JsonValue& role : claims->Find("roles")->array) {
      roles.push_back(role.string);
    }
    EXPECT_EQ(roles, expected.roles);
    ASSERT_NE(claims->Find("dev"), nullptr);
    EXPECT_EQ(claims->Find("dev")->type, testing::JsonValue::Type::kBool);
    EXPECT_TRUE(claims->Find("dev")->boolean);
    EXPECT_EQ(claims->Find("exp")->number - claims->Find("iat")->number,
              365 * 86400);
  }
}

}  // namespace
}  // namespace missions
