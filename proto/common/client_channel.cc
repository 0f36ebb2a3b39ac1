#include "proto/common/client_channel.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "proto/common/secret_file.h"
#include "proto/common/status_macros.h"
#include "proto/common/tls.h"

namespace missions {
namespace {

namespace fs = std::filesystem;

// A JWT is a few hundred bytes to a few KiB; gRPC refuses metadata over
// 8 KiB by default anyway.
constexpr size_t kMaxTokenBytes = 16 * 1024;

std::optional<std::string> GetEnvOrNull(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::optional<std::string> LookUp(const ClientEnvironment& environment,
                                  const std::string& name) {
  if (!environment.get_env) return std::nullopt;
  std::optional<std::string> value = environment.get_env(name);
  if (value.has_value() && value->empty()) return std::nullopt;
  return value;
}

// RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
// *"=". A JWT is of this form.
bool IsBearerToken(absl::string_view token) {
  if (token.empty()) return false;
  size_t i = 0;
  for (; i < token.size(); ++i) {
    const char c = token[i];
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '.' && c != '_' && c != '~' && c != '+' && c != '/') {
      break;
    }
  }
  if (i == 0) return false;
  for (; i < token.size(); ++i) {
    if (token[i] != '=') return false;
  }
  return true;
}

// Returns the token in `text` without surrounding whitespace, or an error
// naming `where` (never the text).
absl::StatusOr<std::string> CheckToken(absl::string_view text,
                                       absl::string_view where) {
  const absl::string_view token = absl::StripAsciiWhitespace(text);
  if (token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bearer token from ", where, " is empty"));
  }
  if (!IsBearerToken(token)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bearer token from ", where,
        " has characters not allowed in a bearer token (expected one JWT, "
        "letters, digits and -._~+/ only)"));
  }
  return std::string(token);
}

// What a token file is, for ReadSecretFile's errors.
std::string TokenFileWhat(const TokenSource& source) {
  return source.origin == TokenSource::Origin::kFileFromEnv
             ? absl::StrCat("bearer token file ($", kTokenFileEnv, ")")
             : "development token file";
}

// Where the token of `source` comes from, for errors: "$MISSIONS_TOKEN",
// "bearer token file ($MISSIONS_TOKEN_FILE) /run/token".
std::string TokenWhere(const TokenSource& source) {
  if (source.origin == TokenSource::Origin::kValueFromEnv) {
    return absl::StrCat("$", kTokenEnv);
  }
  return absl::StrCat(TokenFileWhat(source), " ", source.path);
}

// Adds `authorization: Bearer <token>` to every call.
class BearerTokenPlugin final : public grpc::MetadataCredentialsPlugin {
 public:
  explicit BearerTokenPlugin(std::shared_ptr<BearerToken> token)
      : token_(std::move(token)) {}

  // Reading the token file blocks: let gRPC call this off its event loop.
  bool IsBlocking() const override { return true; }
  const char* GetType() const override { return "missions.BearerToken"; }

  grpc::Status GetMetadata(
      grpc::string_ref /*service_url*/, grpc::string_ref /*method_name*/,
      const grpc::AuthContext& /*channel_auth_context*/,
      std::multimap<grpc::string, grpc::string>* metadata) override {
    absl::StatusOr<std::string> token = token_->Current();
    if (!token.ok()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          std::string(token.status().message()));
    }
    if (!token->empty()) {
      metadata->emplace("authorization", absl::StrCat("Bearer ", *token));
    }
    return grpc::Status::OK;
  }

  grpc::string DebugString() override {
    return absl::StrCat("bearer ", token_->source().description);
  }

 private:
  const std::shared_ptr<BearerToken> token_;
};

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> TlsCredentials(
    const ClientSecurityOptions& options, const CaSource& ca) {
  if (!ca.path.empty()) {
    return MakeChannelCredentials({.ca_path = ca.path,
                                   .cert_path = options.cert_path,
                                   .key_path = options.key_path});
  }
  // The system roots: gRPC's SSL credentials load them by default.
  grpc::SslCredentialsOptions ssl;
  if (!options.cert_path.empty()) {
    ASSIGN_OR_RETURN(ssl.pem_cert_chain,
                     ReadPublicFile(options.cert_path, "TLS client certificate"));
    ASSIGN_OR_RETURN(ssl.pem_private_key,
                     ReadSecretFile(options.key_path, "TLS client private key"));
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace

ClientEnvironment ProcessClientEnvironment() {
  ClientEnvironment environment;
  environment.get_env = GetEnvOrNull;
  std::error_code error;
  fs::path current = fs::current_path(error);
  if (!error) environment.checkout_search_starts.push_back(current.string());
  fs::path executable = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    environment.checkout_search_starts.push_back(
        executable.parent_path().string());
  }
  return environment;
}

std::optional<std::string> FindCheckout(
    const std::vector<std::string>& starts) {
  for (const std::string& start : starts) {
    std::error_code error;
    fs::path directory = fs::absolute(start, error);
    if (error) continue;
    directory = directory.lexically_normal();
    // "/a/b/" (from "/a/b/.") → "/a/b".
    if (directory.filename().empty()) directory = directory.parent_path();
    // The root is never a checkout: /var/local exists on every Debian
    // system.
    while (directory != directory.root_path()) {
      if (fs::is_directory(directory / "var" / "local", error)) {
        return directory.string();
      }
      directory = directory.parent_path();
    }
  }
  return std::nullopt;
}

std::optional<std::string> FindCheckoutFile(
    const std::string& relative_path, const ClientEnvironment& environment) {
  std::optional<std::string> checkout =
      FindCheckout(environment.checkout_search_starts);
  if (!checkout.has_value()) return std::nullopt;
  std::string path = absl::StrCat(*checkout, "/", relative_path);
  std::error_code error;
  if (!fs::exists(path, error)) return std::nullopt;
  return path;
}

CaSource DiscoverCa(const std::string& ca_path,
                    const ClientEnvironment& environment) {
  if (!ca_path.empty()) return {ca_path, absl::StrCat("CA ", ca_path)};
  if (std::optional<std::string> env = LookUp(environment, kCaEnv)) {
    return {*env, absl::StrCat("CA $", kCaEnv, " ", *env)};
  }
  if (std::optional<std::string> checkout =
          FindCheckoutFile(kCheckoutCaFile, environment)) {
    return {*checkout, absl::StrCat("development CA ", *checkout)};
  }
  return {"", "system root CAs"};
}

TokenSource DiscoverToken(const std::string& dev_token,
                          const ClientEnvironment& environment) {
  if (std::optional<std::string> path = LookUp(environment, kTokenFileEnv)) {
    return {.origin = TokenSource::Origin::kFileFromEnv,
            .path = *path,
            .description =
                absl::StrCat("token from $", kTokenFileEnv, " (", *path, ")")};
  }
  if (std::optional<std::string> value = LookUp(environment, kTokenEnv)) {
    return {.origin = TokenSource::Origin::kValueFromEnv,
            .value = *value,
            .description = absl::StrCat("token from $", kTokenEnv)};
  }
  // The development token's name is a plain word, never a path.
  const bool plain_name =
      !dev_token.empty() &&
      dev_token.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos;
  if (plain_name) {
    if (std::optional<std::string> path = FindCheckoutFile(
            absl::StrCat("var/local/auth/", dev_token, ".jwt"), environment)) {
      return {.origin = TokenSource::Origin::kDevelopmentFile,
              .path = *path,
              .description = absl::StrCat("development token ", *path)};
    }
  }
  return {.description = "no token"};
}

absl::StatusOr<std::string> BearerToken::Current() {
  switch (source_.origin) {
    case TokenSource::Origin::kNone:
      return std::string();
    case TokenSource::Origin::kValueFromEnv:
      return CheckToken(source_.value, TokenWhere(source_));
    case TokenSource::Origin::kFileFromEnv:
    case TokenSource::Origin::kDevelopmentFile:
      break;
  }
  absl::MutexLock lock(&mu_);
  struct stat info;
  if (::stat(source_.path.c_str(), &info) == 0) {
    const FileVersion version{info.st_dev, info.st_ino, info.st_size,
                              info.st_mtim};
    if (read_version_.has_value() && read_version_->device == version.device &&
        read_version_->inode == version.inode &&
        read_version_->size == version.size &&
        read_version_->modified.tv_sec == version.modified.tv_sec &&
        read_version_->modified.tv_nsec == version.modified.tv_nsec) {
      return token_;
    }
    absl::StatusOr<std::string> content =
        ReadSecretFile(source_.path, TokenFileWhat(source_), kMaxTokenBytes);
    absl::StatusOr<std::string> token =
        content.ok() ? CheckToken(*content, TokenWhere(source_))
                     : std::move(content).status();
    if (token.ok()) {
      // A version changed after the stat is seen (and read) next time.
      read_version_ = version;
      token_ = *std::move(token);
      return token_;
    }
    // A file being replaced, or replaced badly: keep the last good token
    // and look again on the next call.
    if (!token_.empty()) return token_;
    return token.status();
  }
  if (!token_.empty()) return token_;
  // Let ReadSecretFile name the problem (NOT_FOUND, PERMISSION_DENIED).
  return ReadSecretFile(source_.path, TokenFileWhat(source_), kMaxTokenBytes)
      .status();
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenClientChannel(
    const std::string& target, const ClientSecurityOptions& options,
    const grpc::ChannelArguments& args, std::string* description) {
  return OpenClientChannel(target, options, args, ProcessClientEnvironment(),
                           description);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenClientChannel(
    const std::string& target, const ClientSecurityOptions& options,
    const grpc::ChannelArguments& args, const ClientEnvironment& environment,
    std::string* description) {
  if (options.cert_path.empty() != options.key_path.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate needs both its certificate and its key file "
        "(--cert and --key)");
  }
  if (options.plaintext) {
    if (!options.ca_path.empty() || !options.cert_path.empty()) {
      return absl::InvalidArgumentError(
          "plaintext (--plaintext) uses no TLS: a CA (--ca) or client "
          "certificate (--cert, --key) makes no sense with it");
    }
    if (description != nullptr) *description = "plaintext (no TLS, no token)";
    return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                     args);
  }

  const CaSource ca = DiscoverCa(options.ca_path, environment);
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   TlsCredentials(options, ca));

  auto token = std::make_shared<BearerToken>(
      DiscoverToken(options.dev_token, environment));
  if (token->source().origin != TokenSource::Origin::kNone) {
    // A token that is configured but cannot be used fails now, not at the
    // first call.
    RETURN_IF_ERROR(token->Current().status());
    credentials = grpc::CompositeChannelCredentials(
        credentials, grpc::MetadataCredentialsFromPlugin(
                         std::make_unique<BearerTokenPlugin>(token)));
    if (credentials == nullptr) {
      return absl::InternalError("gRPC refused the call credentials");
    }
  }

  if (description != nullptr) {
    *description = absl::StrCat(
        "TLS (", ca.description,
        options.cert_path.empty()
            ? ""
            : absl::StrCat(", client certificate ", options.cert_path),
        "), ", token->source().description);
  }
  return grpc::CreateCustomChannel(target, credentials, args);
}

}  // namespace missions
