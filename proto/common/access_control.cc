#include "proto/common/access_control.h"

#include <sys/stat.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "proto/common/observability/grpc_observability.h"
#include "proto/common/secret_file.h"
#include "proto/common/tls.h"

namespace missions {
namespace {

constexpr absl::string_view kAnonymous = "anonymous";

// The value of the `authorization` metadata of the call, if any.
std::optional<absl::string_view> AuthorizationHeader(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("authorization");
  if (it == metadata.end()) return std::nullopt;
  return absl::string_view(it->second.data(), it->second.size());
}

std::vector<Role> AllRoles() { return {Role::kReader, Role::kEditor, Role::kAdmin}; }

}  // namespace

AccessControl::AccessControl(AccessControlOptions options)
    : verifier_(std::move(options.verifier)),
      identities_path_(std::move(options.identities_path)),
      allow_anonymous_(options.allow_anonymous),
      rate_limiter_(std::move(options.rate)) {}

absl::StatusOr<std::unique_ptr<AccessControl>> AccessControl::Create(
    AccessControlOptions options) {
  if (options.verifier == nullptr && options.identities_path.empty() &&
      !options.allow_anonymous) {
    return absl::InvalidArgumentError(
        "no caller could be authenticated: give --jwks (bearer tokens) or "
        "--client_ca with --identities (client certificates)");
  }
  std::unique_ptr<AccessControl> access(new AccessControl(std::move(options)));
  if (!access->identities_path_.empty()) {
    if (absl::Status status = access->LoadIdentities(); !status.ok()) return status;
  }
  return access;
}

std::unique_ptr<AccessControl> AccessControl::AllowAll() {
  AccessControlOptions options;
  options.allow_anonymous = true;
  options.rate.rate_per_second = 0;
  return std::unique_ptr<AccessControl>(new AccessControl(std::move(options)));
}

absl::Status AccessControl::LoadIdentities() {
  // Whoever may write the file may grant themselves any role.
  struct stat info;
  if (::stat(identities_path_.c_str(), &info) == 0 && (info.st_mode & 022) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "identities file %s is writable by group or others (mode %04o); "
        "chmod go-w it",
        identities_path_, info.st_mode & 07777));
  }
  absl::StatusOr<std::string> text = ReadPublicFile(identities_path_, "identities file");
  if (!text.ok()) return text.status();
  absl::StatusOr<IdentityRoles> parsed = ParseIdentityRoles(*text, identities_path_);
  if (!parsed.ok()) return parsed.status();
  absl::MutexLock lock(&mu_);
  identities_ = *std::move(parsed);
  return absl::OkStatus();
}

absl::Status AccessControl::Reload() {
  absl::Status status;
  if (!identities_path_.empty()) status.Update(LoadIdentities());
  if (verifier_ != nullptr) status.Update(verifier_->ReloadKeys());
  return status;
}

std::string AccessControl::Describe() const {
  std::vector<std::string> parts;
  if (verifier_ != nullptr) {
    const size_t keys = verifier_->key_count();
    parts.push_back(absl::StrCat("bearer tokens (", keys, keys == 1 ? " key)" : " keys)"));
  }
  if (!identities_path_.empty()) {
    absl::MutexLock lock(&mu_);
    parts.push_back(absl::StrCat("client certificates (", identities_.size(),
                                 identities_.size() == 1 ? " identity)" : " identities)"));
  }
  if (allow_anonymous_) parts.push_back("NO AUTHENTICATION (every caller is anonymous)");
  return absl::StrJoin(parts, ", ");
}

absl::StatusOr<Principal> AccessControl::Authenticate(const grpc::ServerContextBase& context) {
  if (const std::optional<absl::string_view> header = AuthorizationHeader(context)) {
    if (verifier_ == nullptr) {
      return absl::UnauthenticatedError(
          "this server does not accept bearer tokens (it authenticates client "
          "certificates)");
    }
    // "Bearer" is case-insensitive (RFC 6750 §2.1, RFC 7235 §2.1).
    constexpr absl::string_view kScheme = "bearer ";
    if (header->size() <= kScheme.size() ||
        !absl::EqualsIgnoreCase(header->substr(0, kScheme.size()), kScheme)) {
      return absl::UnauthenticatedError(
          "the authorization metadata must be \"Bearer <token>\"");
    }
    absl::StatusOr<auth::VerifiedToken> token =
        verifier_->Verify(absl::StripAsciiWhitespace(header->substr(kScheme.size())));
    if (!token.ok()) return token.status();
    Principal principal{std::move(token->subject), std::move(token->display_name), {}};
    for (const std::string& name : token->roles) {
      // Roles of other applications in the same claim are ignored.
      if (const std::optional<Role> role = ParseRole(name)) principal.roles.push_back(*role);
    }
    return principal;
  }
  if (const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
      auth != nullptr && !identities_path_.empty()) {
    const std::vector<std::string> identities = ClientCertificateIdentities(*auth);
    if (!identities.empty()) {
      absl::MutexLock lock(&mu_);
      for (const std::string& identity : identities) {
        const auto it = identities_.find(identity);
        if (it != identities_.end()) return Principal{identity, "", it->second};
      }
      // A verified certificate without an entry: authenticated, no role.
      return Principal{identities.front(), "", {}};
    }
  }
  if (allow_anonymous_) return Principal{std::string(kAnonymous), "", AllRoles()};
  return absl::UnauthenticatedError(
      verifier_ != nullptr
          ? "missing credentials: send \"authorization: Bearer <token>\" metadata"
          : "missing credentials: present a client certificate");
}

absl::StatusOr<Principal> AccessControl::Authorize(
    const grpc::ServerContextBase& context, absl::string_view full_method,
    const google::protobuf::Message& request) {
  absl::StatusOr<Principal> principal = Authenticate(context);
  if (!principal.ok()) return principal.status();
  // Into the call's log line (grpc_observability.h), refused or not.
  observability::AnnotateCall(&context, "principal", principal->name);
  if (absl::Status status = rate_limiter_.Acquire(principal->name); !status.ok()) {
    return status;
  }
  if (absl::Status status =
          CheckMethodAccess(full_method, &request, principal->roles, principal->name);
      !status.ok()) {
    return status;
  }
  return principal;
}

}  // namespace missions
