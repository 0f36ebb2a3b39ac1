// The clients' channels (proto/common/client_channel.h): where the CA and
// the bearer token are found, the token file's checks and renewal, secrets
// kept out of errors, and round trips to an in-process TLS server (an echo
// service that records the authorization metadata it receives), with
// certificates and development tokens made by deploy/local/dev-pki.sh.
#include "proto/common/client_channel.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bench/echo.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/security/server_credentials.h"
#include "gtest/gtest.h"
#include "proto/common/server_runner.h"
#include "proto/common/tls.h"
#include "report-service/tools/atomic_file.h"
#include "tests/integration/child_process.h"

namespace missions {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// Not a real JWT: the client does not parse tokens, it only checks their
// characters.
const char kTokenA[] = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2VjcmV0LWE";
const char kTokenB[] = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJiIn0.c2VjcmV0LWI";

// Writes `content` to `path` atomically (a new inode), then gives it
// `mode`.
void WriteFile(const std::string& path, const std::string& content,
               fs::perms mode = fs::perms::owner_read |
                                fs::perms::owner_write) {
  ASSERT_TRUE(report::WriteFileAtomically(path, content).ok()) << path;
  fs::permissions(path, mode);
}

// An environment with only `variables`, searching the checkout from
// `starts`.
ClientEnvironment FakeEnvironment(
    std::map<std::string, std::string> variables,
    std::vector<std::string> starts = {}) {
  ClientEnvironment environment;
  environment.get_env =
      [variables = std::move(variables)](
          const std::string& name) -> std::optional<std::string> {
    auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
  environment.checkout_search_starts = std::move(starts);
  return environment;
}

// Answers Echo and remembers the authorization metadata of the last call.
class RecordingEcho final : public bench::Echo::Service {
 public:
  grpc::Status Echo(grpc::ServerContext* context,
                    const bench::EchoRequest* request,
                    bench::EchoResponse* response) override {
    std::vector<std::string> values;
    auto [begin, end] = context->client_metadata().equal_range("authorization");
    for (auto it = begin; it != end; ++it) {
      values.emplace_back(it->second.data(), it->second.size());
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      authorization_ = std::move(values);
    }
    response->set_payload(request->payload());
    return grpc::Status::OK;
  }

  // The authorization values of the last call.
  std::vector<std::string> authorization() {
    std::lock_guard<std::mutex> lock(mu_);
    return authorization_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> authorization_;
};

grpc::Status CallEcho(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = bench::Echo::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  bench::EchoRequest request;
  request.set_payload("ping");
  bench::EchoResponse response;
  return stub->Echo(&context, request, &response);
}

// Each channel its own connection.
grpc::ChannelArguments FreshArguments() {
  static int counter = 0;
  grpc::ChannelArguments arguments;
  arguments.SetInt("missions.test_channel", ++counter);
  return arguments;
}

class ClientChannelTest : public ::testing::Test {
 protected:
  // ROOT/checkout/var/local made by dev-pki.sh: a checkout with the
  // development CA and tokens.
  static void SetUpTestSuite() {
    root_ = new std::string(testing::MakeTempDir());
    ASSERT_FALSE(root_->empty());
    const testing::CommandResult pki = testing::RunCommand(
        {"/bin/bash", std::string(MISSIONS_SOURCE_DIR) + "/deploy/local/dev-pki.sh",
         Checkout() + "/var/local"},
        *root_);
    ASSERT_EQ(pki.exit_code, 0) << pki.err;
  }
  static void TearDownTestSuite() {
    if (root_ != nullptr) fs::remove_all(*root_);
    delete root_;
    root_ = nullptr;
  }

  static std::string Checkout() { return *root_ + "/checkout"; }
  static std::string Local(const std::string& file) {
    return absl::StrCat(Checkout(), "/var/local/", file);
  }
  // A fresh directory outside the checkout for one test.
  std::string Scratch() {
    const std::string dir = absl::StrCat(
        *root_, "/scratch-",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
    return dir;
  }

  void StartTlsServer() {
    auto credentials =
        MakeServerCredentials({.cert_path = Local("pki/registry-server.pem"),
                               .key_path = Local("pki/registry-server-key.pem")});
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    StartServer(*credentials);
  }
  void StartServer(std::shared_ptr<grpc::ServerCredentials> credentials) {
    auto server = RunningServer::Start("127.0.0.1:0", {&echo_}, credentials);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }
  std::string Target() const {
    return absl::StrCat("127.0.0.1:", server_->port());
  }

  static std::string* root_;
  RecordingEcho echo_;
  std::unique_ptr<RunningServer> server_;
};

std::string* ClientChannelTest::root_ = nullptr;

// --- the checkout ----------------------------------------------------------

TEST_F(ClientChannelTest, FindCheckoutWalksUpToTheDirectoryWithVarLocal) {
  const std::string nested = Checkout() + "/report-service/tools";
  fs::create_directories(nested);
  EXPECT_EQ(FindCheckout({nested}), Checkout());
  EXPECT_EQ(FindCheckout({Checkout()}), Checkout());
  EXPECT_EQ(FindCheckout({Checkout() + "/"}), Checkout());
  // var/local itself is inside the checkout.
  EXPECT_EQ(FindCheckout({Local("pki")}), Checkout());
}

TEST_F(ClientChannelTest, FindCheckoutTriesEachStartInTurn) {
  const std::string elsewhere = Scratch();
  EXPECT_EQ(FindCheckout({elsewhere}), std::nullopt);
  EXPECT_EQ(FindCheckout({elsewhere, Checkout() + "/build"}), Checkout());
  // The first start that has a checkout wins.
  const std::string other = Scratch() + "/other";
  fs::create_directories(other + "/var/local");
  EXPECT_EQ(FindCheckout({other + "/x", Checkout()}), other);
  EXPECT_EQ(FindCheckout({}), std::nullopt);
}

TEST_F(ClientChannelTest, TheRootIsNeverTheCheckout) {
  // Debian has /var/local; / must not count as a checkout.
  EXPECT_EQ(FindCheckout({"/"}), std::nullopt);
  EXPECT_EQ(FindCheckout({"/usr/share"}), std::nullopt);
}

TEST_F(ClientChannelTest, FindCheckoutFileNeedsTheFile) {
  const ClientEnvironment environment = FakeEnvironment({}, {Checkout()});
  EXPECT_EQ(FindCheckoutFile(kCheckoutCaFile, environment),
            Local("pki/ca.pem"));
  EXPECT_EQ(FindCheckoutFile("var/local/auth/nobody.jwt", environment),
            std::nullopt);
  EXPECT_EQ(FindCheckoutFile(kCheckoutCaFile, FakeEnvironment({})),
            std::nullopt);
}

TEST_F(ClientChannelTest, ProcessEnvironmentSearchesTheCurrentDirectoryFirst) {
  const ClientEnvironment environment = ProcessClientEnvironment();
  ASSERT_EQ(environment.checkout_search_starts.size(), 2u);
  EXPECT_EQ(environment.checkout_search_starts[0], fs::current_path().string());
  EXPECT_EQ(environment.checkout_search_starts[1],
            fs::read_symlink("/proc/self/exe").parent_path().string());
}

// --- discovery order -------------------------------------------------------

TEST_F(ClientChannelTest, TokenFileEnvBeatsTokenEnvBeatsCheckoutFile) {
  const std::vector<std::string> starts = {Checkout()};
  TokenSource source = DiscoverToken(
      "admin", FakeEnvironment({{"MISSIONS_TOKEN_FILE", "/run/token"},
                                {"MISSIONS_TOKEN", kTokenA}},
                               starts));
  EXPECT_EQ(source.origin, TokenSource::Origin::kFileFromEnv);
  EXPECT_EQ(source.path, "/run/token");
  EXPECT_EQ(source.description, "token from $MISSIONS_TOKEN_FILE (/run/token)");

  source = DiscoverToken(
      "admin", FakeEnvironment({{"MISSIONS_TOKEN", kTokenA}}, starts));
  EXPECT_EQ(source.origin, TokenSource::Origin::kValueFromEnv);
  EXPECT_EQ(source.value, kTokenA);
  EXPECT_EQ(source.description, "token from $MISSIONS_TOKEN");

  source = DiscoverToken("admin", FakeEnvironment({}, starts));
  EXPECT_EQ(source.origin, TokenSource::Origin::kDevelopmentFile);
  EXPECT_EQ(source.path, Local("auth/admin.jwt"));
  EXPECT_EQ(source.description,
            absl::StrCat("development token ", Local("auth/admin.jwt")));

  source = DiscoverToken("reader", FakeEnvironment({}, starts));
  EXPECT_EQ(source.path, Local("auth/reader.jwt"));
}

TEST_F(ClientChannelTest, EmptyVariablesCountAsUnset) {
  TokenSource source = DiscoverToken(
      "editor", FakeEnvironment({{"MISSIONS_TOKEN_FILE", ""},
                                 {"MISSIONS_TOKEN", ""},
                                 {"MISSIONS_CA", ""}},
                                {Checkout()}));
  EXPECT_EQ(source.origin, TokenSource::Origin::kDevelopmentFile);
  EXPECT_EQ(DiscoverCa("", FakeEnvironment({{"MISSIONS_CA", ""}})).path, "");
}

TEST_F(ClientChannelTest, NoTokenAnywhere) {
  const TokenSource outside = DiscoverToken("admin", FakeEnvironment({}));
  EXPECT_EQ(outside.origin, TokenSource::Origin::kNone);
  EXPECT_EQ(outside.description, "no token");
  // No development token asked for, or one that is not a plain name.
  EXPECT_EQ(DiscoverToken("", FakeEnvironment({}, {Checkout()})).origin,
            TokenSource::Origin::kNone);
  EXPECT_EQ(DiscoverToken("../auth/admin", FakeEnvironment({}, {Checkout()}))
                .origin,
            TokenSource::Origin::kNone);
  EXPECT_EQ(DiscoverToken("nobody", FakeEnvironment({}, {Checkout()})).origin,
            TokenSource::Origin::kNone);
}

TEST_F(ClientChannelTest, CaOptionBeatsEnvBeatsCheckoutBeatsSystemRoots) {
  const std::vector<std::string> starts = {Checkout()};
  CaSource ca = DiscoverCa(
      "/etc/ca.pem", FakeEnvironment({{"MISSIONS_CA", "/env/ca.pem"}}, starts));
  EXPECT_EQ(ca.path, "/etc/ca.pem");
  EXPECT_EQ(ca.description, "CA /etc/ca.pem");

  ca = DiscoverCa("", FakeEnvironment({{"MISSIONS_CA", "/env/ca.pem"}}, starts));
  EXPECT_EQ(ca.path, "/env/ca.pem");
  EXPECT_EQ(ca.description, "CA $MISSIONS_CA /env/ca.pem");

  ca = DiscoverCa("", FakeEnvironment({}, starts));
  EXPECT_EQ(ca.path, Local("pki/ca.pem"));
  EXPECT_EQ(ca.description, absl::StrCat("development CA ", Local("pki/ca.pem")));

  ca = DiscoverCa("", FakeEnvironment({}));
  EXPECT_EQ(ca.path, "");
  EXPECT_EQ(ca.description, "system root CAs");
}

// --- the token file --------------------------------------------------------

TEST_F(ClientChannelTest, TokenFileReadableByOthersIsRefusedWithoutItsContent) {
  const std::string path = Scratch() + "/token";
  WriteFile(path, kTokenA, fs::perms::owner_read | fs::perms::owner_write |
                               fs::perms::others_read);
  BearerToken token({.origin = TokenSource::Origin::kFileFromEnv, .path = path});
  absl::StatusOr<std::string> current = token.Current();
  ASSERT_FALSE(current.ok());
  EXPECT_EQ(current.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(current.status().message(), HasSubstr(path));
  EXPECT_THAT(current.status().message(), HasSubstr("chmod 600"));
  EXPECT_THAT(current.status().message(), Not(HasSubstr("c2VjcmV0")));
}

TEST_F(ClientChannelTest, MissingTokenFileIsNotFound) {
  BearerToken token({.origin = TokenSource::Origin::kFileFromEnv,
                     .path = Scratch() + "/missing"});
  EXPECT_EQ(token.Current().status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(token.Current().status().message(),
              HasSubstr("MISSIONS_TOKEN_FILE"));
}

TEST_F(ClientChannelTest, TokenIsTrimmedAndCheckedWithoutEchoingIt) {
  const std::string path = Scratch() + "/token";
  WriteFile(path, absl::StrCat("  ", kTokenA, "\n"));
  BearerToken from_file({.origin = TokenSource::Origin::kFileFromEnv,
                         .path = path});
  EXPECT_EQ(from_file.Current().value_or(""), kTokenA);

  for (const std::string bad :
       {"secret-part one", "secret\x01part", "Bearer secretpart", "secret=part",
        "secretpart\nsecond-line"}) {
    BearerToken from_env(
        {.origin = TokenSource::Origin::kValueFromEnv, .value = bad});
    absl::StatusOr<std::string> current = from_env.Current();
    ASSERT_FALSE(current.ok()) << bad;
    EXPECT_EQ(current.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(current.status().message(), HasSubstr("$MISSIONS_TOKEN"));
    EXPECT_THAT(current.status().message(), Not(HasSubstr("secret")));
    EXPECT_THAT(current.status().message(), Not(HasSubstr("part")));
  }
  // base64 padding is allowed at the end.
  BearerToken padded(
      {.origin = TokenSource::Origin::kValueFromEnv, .value = "abc+/==="});
  EXPECT_TRUE(padded.Current().ok());

  WriteFile(path, "\n");
  BearerToken empty({.origin = TokenSource::Origin::kDevelopmentFile,
                     .path = path});
  EXPECT_EQ(empty.Current().status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.Current().status().message(), HasSubstr("is empty"));
}

TEST_F(ClientChannelTest, TokenFileIsReReadWhenItChanges) {
  const std::string path = Scratch() + "/token";
  WriteFile(path, kTokenA);
  BearerToken token({.origin = TokenSource::Origin::kFileFromEnv, .path = path});
  EXPECT_EQ(token.Current().value_or(""), kTokenA);
  EXPECT_EQ(token.Current().value_or(""), kTokenA);
  WriteFile(path, kTokenB);  // a new inode (rename)
  EXPECT_EQ(token.Current().value_or(""), kTokenB);

  // Rewritten in place (same inode): the size or modification time changes.
  {
    std::ofstream out(path, std::ios::trunc);
    out << kTokenA << "\n";
  }
  EXPECT_EQ(token.Current().value_or(""), kTokenA);
}

TEST_F(ClientChannelTest, LastGoodTokenIsKeptWhileTheFileIsUnusable) {
  const std::string path = Scratch() + "/token";
  WriteFile(path, kTokenA);
  BearerToken token({.origin = TokenSource::Origin::kFileFromEnv, .path = path});
  EXPECT_EQ(token.Current().value_or(""), kTokenA);
  WriteFile(path, "");  // half-written
  EXPECT_EQ(token.Current().value_or(""), kTokenA);
  fs::remove(path);
  EXPECT_EQ(token.Current().value_or(""), kTokenA);
  WriteFile(path, kTokenB);
  EXPECT_EQ(token.Current().value_or(""), kTokenB);
}

// --- opening channels ------------------------------------------------------

TEST_F(ClientChannelTest, BadOptionsAreRefused) {
  const ClientEnvironment environment = FakeEnvironment({}, {Checkout()});
  auto cert_only = OpenClientChannel(
      "127.0.0.1:1", {.cert_path = Local("pki/report-server-client.pem")}, {},
      environment);
  EXPECT_EQ(cert_only.status().code(), absl::StatusCode::kInvalidArgument);
  auto plaintext_with_ca = OpenClientChannel(
      "127.0.0.1:1", {.ca_path = Local("pki/ca.pem"), .plaintext = true}, {},
      environment);
  EXPECT_EQ(plaintext_with_ca.status().code(),
            absl::StatusCode::kInvalidArgument);
  auto missing_ca = OpenClientChannel(
      "127.0.0.1:1", {.ca_path = Scratch() + "/missing.pem"}, {}, environment);
  EXPECT_EQ(missing_ca.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ClientChannelTest, UnusableTokenFailsAtOpenWithoutTheToken) {
  const std::string path = Scratch() + "/token";
  WriteFile(path, kTokenA, fs::perms::owner_read | fs::perms::owner_write |
                               fs::perms::group_read);
  std::string description = "unchanged";
  auto channel = OpenClientChannel(
      "127.0.0.1:1", {.dev_token = "admin"}, {},
      FakeEnvironment({{"MISSIONS_TOKEN_FILE", path}}, {Checkout()}),
      &description);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(channel.status().message(), Not(HasSubstr("c2VjcmV0")));
  EXPECT_EQ(description, "unchanged");

  channel = OpenClientChannel(
      "127.0.0.1:1", {}, {},
      FakeEnvironment({{"MISSIONS_TOKEN", "has a secret space"}}));
  ASSERT_FALSE(channel.ok());
  EXPECT_THAT(channel.status().message(), Not(HasSubstr("secret")));
}

TEST_F(ClientChannelTest, DevelopmentCaAndTokenOfTheCheckout) {
  StartTlsServer();
  std::string description;
  auto channel = OpenClientChannel(
      Target(), {.dev_token = "admin"}, FreshArguments(),
      FakeEnvironment({}, {Checkout() + "/build"}), &description);
  ASSERT_TRUE(channel.ok()) << channel.status();
  const grpc::Status status = CallEcho(*channel);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::string admin(absl::StripAsciiWhitespace(
      testing::ReadFileOrEmpty(Local("auth/admin.jwt"))));
  EXPECT_THAT(echo_.authorization(),
              ::testing::ElementsAre(absl::StrCat("Bearer ", admin)));
  EXPECT_EQ(description,
            absl::StrCat("TLS (development CA ", Local("pki/ca.pem"),
                         "), development token ", Local("auth/admin.jwt")));
  EXPECT_THAT(description, Not(HasSubstr(admin)));
}

TEST_F(ClientChannelTest, RenewedTokenFileIsSentOnTheSameChannel) {
  StartTlsServer();
  const std::string path = Scratch() + "/token";
  WriteFile(path, kTokenA);
  std::string description;
  auto channel = OpenClientChannel(
      Target(), {.ca_path = Local("pki/ca.pem"), .dev_token = "admin"},
      FreshArguments(),
      FakeEnvironment({{"MISSIONS_TOKEN_FILE", path},
                       {"MISSIONS_TOKEN", kTokenB}},
                      {Checkout()}),
      &description);
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_EQ(description,
            absl::StrCat("TLS (CA ", Local("pki/ca.pem"),
                         "), token from $MISSIONS_TOKEN_FILE (", path, ")"));
  ASSERT_TRUE(CallEcho(*channel).ok());
  EXPECT_THAT(echo_.authorization(),
              ::testing::ElementsAre(absl::StrCat("Bearer ", kTokenA)));
  WriteFile(path, kTokenB);
  ASSERT_TRUE(CallEcho(*channel).ok());
  EXPECT_THAT(echo_.authorization(),
              ::testing::ElementsAre(absl::StrCat("Bearer ", kTokenB)));
}

TEST_F(ClientChannelTest, ClientCertificateAndTokenFromEnvironment) {
  auto credentials = MakeServerCredentials(
      {.cert_path = Local("pki/registry-server.pem"),
       .key_path = Local("pki/registry-server-key.pem"),
       .client_ca_path = Local("pki/ca.pem")});
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  StartServer(*credentials);
  std::string description;
  auto channel = OpenClientChannel(
      Target(),
      {.cert_path = Local("pki/report-server-client.pem"),
       .key_path = Local("pki/report-server-client-key.pem")},
      FreshArguments(),
      FakeEnvironment({{"MISSIONS_CA", Local("pki/ca.pem")},
                       {"MISSIONS_TOKEN", kTokenB}}),
      &description);
  ASSERT_TRUE(channel.ok()) << channel.status();
  const grpc::Status status = CallEcho(*channel);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(echo_.authorization(),
              ::testing::ElementsAre(absl::StrCat("Bearer ", kTokenB)));
  EXPECT_EQ(description,
            absl::StrCat("TLS (CA $MISSIONS_CA ", Local("pki/ca.pem"),
                         ", client certificate ",
                         Local("pki/report-server-client.pem"),
                         "), token from $MISSIONS_TOKEN"));
}

TEST_F(ClientChannelTest, NoTokenSendsNoAuthorization) {
  StartTlsServer();
  std::string description;
  auto channel = OpenClientChannel(
      Target(), {.ca_path = Local("pki/ca.pem"), .dev_token = "admin"},
      FreshArguments(), FakeEnvironment({}), &description);
  ASSERT_TRUE(channel.ok()) << channel.status();
  ASSERT_TRUE(CallEcho(*channel).ok());
  EXPECT_THAT(echo_.authorization(), ::testing::IsEmpty());
  EXPECT_EQ(description,
            absl::StrCat("TLS (CA ", Local("pki/ca.pem"), "), no token"));
}

TEST_F(ClientChannelTest, PlaintextSendsNoToken) {
  StartServer(grpc::InsecureServerCredentials());
  std::string description;
  auto channel = OpenClientChannel(
      Target(), {.plaintext = true, .dev_token = "admin"}, FreshArguments(),
      FakeEnvironment({{"MISSIONS_TOKEN", kTokenA}}, {Checkout()}),
      &description);
  ASSERT_TRUE(channel.ok()) << channel.status();
  const grpc::Status status = CallEcho(*channel);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(echo_.authorization(), ::testing::IsEmpty());
  EXPECT_EQ(description, "plaintext (no TLS, no token)");
}

TEST_F(ClientChannelTest, TlsClientOfAPlaintextServerFails) {
  StartServer(grpc::InsecureServerCredentials());
  auto channel = OpenClientChannel(
      Target(), {.ca_path = Local("pki/ca.pem")}, FreshArguments(),
      FakeEnvironment({{"MISSIONS_TOKEN", kTokenA}}));
  ASSERT_TRUE(channel.ok()) << channel.status();
  const grpc::Status status = CallEcho(*channel);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), Not(HasSubstr("c2VjcmV0")));
}

}  // namespace
}  // namespace missions
