// The connection-security flags of the command-line clients (registryctl,
// reportctl): --ca, --cert, --key and --plaintext. They are defined in
// client_flags.cc together with the accessor below, so a binary that calls
// the accessor has the flags. The bearer token is deliberately no flag (see
// client_channel.h).
#ifndef PROTO_COMMON_CLIENT_FLAGS_H_
#define PROTO_COMMON_CLIENT_FLAGS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/channel_arguments.h"
#include "proto/common/client_channel.h"

namespace missions {

// Returns the options the flags give, with `dev_token` ("reader", "editor",
// "admin") as the development token to fall back on.
ClientSecurityOptions ClientSecurityOptionsFromFlags(std::string dev_token);

// Returns a paragraph for a client's usage text (ending in a newline): TLS,
// where the CA and the token are found (the development token `dev_token`),
// and --plaintext.
std::string ClientSecurityUsage(const std::string& dev_token);

// Opens a channel to `target` (OpenClientChannel) with the options of the
// flags and `dev_token`. The errors of OpenClientChannel, their message
// prefixed with "cannot connect to <target>: ".
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenClientChannelFromFlags(
    const std::string& target, std::string dev_token,
    const grpc::ChannelArguments& args, std::string* description = nullptr);

}  // namespace missions

#endif  // PROTO_COMMON_CLIENT_FLAGS_H_
