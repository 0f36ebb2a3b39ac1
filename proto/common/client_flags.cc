#include "proto/common/client_flags.h"

#include <utility>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

ABSL_FLAG(std::string, ca, "",
          "PEM CA bundle that verifies the server's certificate. Empty: "
          "$MISSIONS_CA, else the checkout's var/local/pki/ca.pem "
          "(deploy/local/dev-pki.sh), else the system's root certificates. "
          "The bearer token is never a flag: it is read from the file named "
          "by $MISSIONS_TOKEN_FILE (mode 0600, re-read when it changes), "
          "else taken from $MISSIONS_TOKEN, else from the checkout's "
          "development token var/local/auth/<role>.jwt");
ABSL_FLAG(std::string, cert, "",
          "PEM client certificate for mutual TLS, with --key. Empty: none");
ABSL_FLAG(std::string, key, "",
          "PEM private key of --cert (mode 0600). Empty: none");
ABSL_FLAG(bool, plaintext, false,
          "connect without TLS and send no token: only for a server started "
          "with --insecure (loopback, development and tests)");

namespace missions {

ClientSecurityOptions ClientSecurityOptionsFromFlags(std::string dev_token) {
  return {.ca_path = absl::GetFlag(FLAGS_ca),
          .cert_path = absl::GetFlag(FLAGS_cert),
          .key_path = absl::GetFlag(FLAGS_key),
          .plaintext = absl::GetFlag(FLAGS_plaintext),
          .dev_token = std::move(dev_token)};
}

std::string ClientSecurityUsage(const std::string& dev_token) {
  return absl::StrCat(
      "The connection uses TLS and sends a bearer token (JWT) with every "
      "call. The server's CA: --ca, else $MISSIONS_CA, else the checkout's "
      "var/local/pki/ca.pem, else the system roots. The token (never a "
      "flag): the file $MISSIONS_TOKEN_FILE, else $MISSIONS_TOKEN, else the "
      "checkout's development token var/local/auth/",
      dev_token,
      ".jwt (deploy/local/dev-pki.sh). --plaintext: no TLS and no token, for "
      "a server started with --insecure.\n");
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenClientChannelFromFlags(
    const std::string& target, std::string dev_token,
    const grpc::ChannelArguments& args, std::string* description) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenClientChannel(
      target, ClientSecurityOptionsFromFlags(std::move(dev_token)), args,
      description);
  if (!channel.ok()) {
    return absl::Status(channel.status().code(),
                        absl::StrCat("cannot connect to ", target, ": ",
                                     channel.status().message()));
  }
  return channel;
}

}  // namespace missions
