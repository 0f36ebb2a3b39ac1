// Channels of the command-line clients (registryctl, reportctl) and other
// clients of the services: TLS that verifies the server, optionally a client
// certificate (mutual TLS), and a bearer token (JWT) sent with every call as
// `authorization: Bearer <token>` metadata.
//
// Where the settings come from, first match wins:
//   CA bundle:  ClientSecurityOptions::ca_path (--ca), $MISSIONS_CA, the
//               checkout's var/local/pki/ca.pem (deploy/local/dev-pki.sh),
//               else the system's root certificates.
//   token:      $MISSIONS_TOKEN_FILE (a file, mode 0600, re-read when it
//               changes, so a long-running process picks up a renewed
//               token), $MISSIONS_TOKEN (the token itself), else the
//               checkout's development token var/local/auth/<dev_token>.jwt.
//               Never a flag: the command line is visible to every user
//               (ps). No token at all is not an error here; the server
//               answers UNAUTHENTICATED.
// "The checkout" is the first directory below the root that contains
// var/local/, walking up from the current directory, then from the
// executable's directory.
//
// The token never appears in an error message or a description.
#ifndef PROTO_COMMON_CLIENT_CHANNEL_H_
#define PROTO_COMMON_CLIENT_CHANNEL_H_

#include <sys/types.h>

#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace missions {

struct ClientSecurityOptions {
  // PEM CA bundle verifying the server; empty: discover (above).
  std::string ca_path = {};
  // Optional client certificate (mutual TLS) and its key: both or neither.
  std::string cert_path = {};
  std::string key_path = {};
  // No TLS and no token: only for servers started with --insecure.
  bool plaintext = false;
  // "reader", "editor" or "admin": which development token of the checkout
  // to fall back on (empty: none).
  std::string dev_token = {};
};

// The environment variables of the discovery.
inline constexpr char kTokenFileEnv[] = "MISSIONS_TOKEN_FILE";
inline constexpr char kTokenEnv[] = "MISSIONS_TOKEN";
inline constexpr char kCaEnv[] = "MISSIONS_CA";
// Relative to the checkout.
inline constexpr char kCheckoutCaFile[] = "var/local/pki/ca.pem";

// What the discovery looks at; tests substitute it.
struct ClientEnvironment {
  // The value of an environment variable; nullopt if unset. Empty values
  // count as unset.
  std::function<std::optional<std::string>(const std::string& name)> get_env;
  // The directories the checkout is searched from, in order.
  std::vector<std::string> checkout_search_starts;
};

// The process's environment (getenv) and search starts (the current
// directory, then the directory of /proc/self/exe).
ClientEnvironment ProcessClientEnvironment();

// Returns the first directory that contains a directory var/local/, walking
// up from each of `starts` in turn; nullopt if none. The root directory is
// never the checkout (/var/local is a standard directory).
std::optional<std::string> FindCheckout(const std::vector<std::string>& starts);

// Returns <checkout>/`relative_path` if the checkout (FindCheckout of
// environment.checkout_search_starts) exists and has that file; nullopt
// otherwise.
std::optional<std::string> FindCheckoutFile(
    const std::string& relative_path, const ClientEnvironment& environment);

// Where the CA bundle comes from; `path` is empty for the system roots.
struct CaSource {
  std::string path;
  std::string description;  // e.g. "CA $MISSIONS_CA (/etc/x/ca.pem)"
};

// Returns the CA bundle to use: `ca_path` if not empty, else $MISSIONS_CA,
// else the checkout's var/local/pki/ca.pem, else the system roots.
CaSource DiscoverCa(const std::string& ca_path,
                    const ClientEnvironment& environment);

// Where the bearer token comes from.
struct TokenSource {
  enum class Origin { kNone, kFileFromEnv, kValueFromEnv, kDevelopmentFile };
  Origin origin = Origin::kNone;
  std::string path = {};   // kFileFromEnv, kDevelopmentFile
  std::string value = {};  // kValueFromEnv: the token (secret)
  // e.g. "token from $MISSIONS_TOKEN_FILE (/run/token)", "no token"; never
  // the token.
  std::string description = {};
};

// Returns the token source: $MISSIONS_TOKEN_FILE, else $MISSIONS_TOKEN,
// else the checkout's var/local/auth/`dev_token`.jwt (if `dev_token` is not
// empty and the file exists), else none. Reads nothing.
TokenSource DiscoverToken(const std::string& dev_token,
                          const ClientEnvironment& environment);

// The current token of a TokenSource. A token file is read (with the checks
// of ReadSecretFile) on the first call and again whenever its modification
// time, size or inode changes; if a re-read fails, the last good token is
// kept. Thread-safe.
class BearerToken {
 public:
  explicit BearerToken(TokenSource source) : source_(std::move(source)) {}

  // Returns the token (surrounding whitespace removed); empty for
  // Origin::kNone. NOT_FOUND, FAILED_PRECONDITION (mode, size),
  // PERMISSION_DENIED as ReadSecretFile; INVALID_ARGUMENT if the token is
  // empty or has characters not allowed in a bearer token. Errors name the
  // source, never the token.
  absl::StatusOr<std::string> Current() ABSL_LOCKS_EXCLUDED(mu_);

  const TokenSource& source() const { return source_; }

 private:
  const TokenSource source_;
  absl::Mutex mu_;
  // What identifies the version of the file last read.
  struct FileVersion {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    timespec modified = {};
  };
  std::optional<FileVersion> read_version_ ABSL_GUARDED_BY(mu_);
  std::string token_ ABSL_GUARDED_BY(mu_);
};

// Opens a channel to `target`: with options.plaintext, insecure transport
// and no token; otherwise TLS verifying the server against the discovered CA
// (MakeChannelCredentials of tls.h for a CA file, the system roots else),
// with the client certificate if given, and per call the discovered token as
// `authorization: Bearer <token>` (none if none was found). `description`
// (optional) gets a one-line summary without secrets, e.g.
// "TLS (CA var/local/pki/ca.pem), token from $MISSIONS_TOKEN_FILE (...)".
// INVALID_ARGUMENT if only one of cert_path and key_path is given, or
// plaintext together with a CA or client certificate; the errors of
// MakeChannelCredentials for bad files; those of BearerToken::Current for a
// token file that cannot be used.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenClientChannel(
    const std::string& target, const ClientSecurityOptions& options,
    const grpc::ChannelArguments& args, std::string* description = nullptr);

// The same with the given environment instead of the process's.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenClientChannel(
    const std::string& target, const ClientSecurityOptions& options,
    const grpc::ChannelArguments& args, const ClientEnvironment& environment,
    std::string* description = nullptr);

}  // namespace missions

#endif  // PROTO_COMMON_CLIENT_CHANNEL_H_
