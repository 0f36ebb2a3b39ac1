// TLS for the services' listeners and their clients, with certificate
// rotation: the certificate, key and CA files are re-read when they change
// (gRPC's FileWatcherCertificateProvider), so a new certificate is used for
// new connections without a restart, and open connections keep working.
//
// Rotate by replacing each file atomically (write a temporary file in the
// same directory, then rename it over the old one), the key and its
// certificate right after each other: gRPC 1.51 re-reads the files every
// refresh_seconds and does not check that they match, so if a check falls
// between the two renames, new handshakes fail until the next check (open
// connections are not affected). To change the pair in one step, keep the
// files in a directory reached through a symbolic link (cert_path =
// ".../current/cert.pem") and swap the link with a rename; the watcher
// retries a read during which a file's modification time changed. If the
// files disappear or become unreadable, the last good ones stay in use.
#ifndef PROTO_COMMON_TLS_H_
#define PROTO_COMMON_TLS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace missions {

struct ServerTlsOptions {
  std::string cert_path = {};  // PEM certificate chain, leaf first
  std::string key_path =
      {};  // PEM private key (mode & 077 == 0, no passphrase)
  // If set: mutual TLS. Clients must present a certificate signed by one of
  // the CAs in this PEM bundle.
  std::string client_ca_path = {};
  // With client_ca_path: whether every client must present a certificate
  // (true), or a client may also connect without one (false: a certificate
  // that is presented is still verified, and callers without one
  // authenticate with a bearer token).
  bool require_client_cert = true;
  unsigned refresh_seconds = 1;  // how often the files are checked (>= 1)
};

// Server credentials that re-read the certificate, key and client CA files
// when they change. Checks up front that the files exist and parse as PEM,
// that the key matches the (leaf) certificate and that the certificate has
// not expired: INVALID_ARGUMENT naming the file otherwise (NOT_FOUND for a
// missing file, FAILED_PRECONDITION for a key readable by group or others).
// With client_ca_path the server requires and verifies a client
// certificate (GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
// without, it requests none.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsOptions& options);

struct ChannelTlsOptions {
  std::string ca_path = {};      // PEM CA bundle that signs the server cert
  std::string cert_path = {};    // optional client certificate (mutual TLS)...
  std::string key_path = {};     // ...and its key (both or neither)
  unsigned refresh_seconds = 1;  // how often the files are checked (>= 1)
};

// Channel credentials that verify the server's certificate against
// ca_path (only; not the system roots) and its SANs against the host of
// the channel's target ("127.0.0.1:50051" needs IP:127.0.0.1,
// "localhost:50051" needs DNS:localhost), optionally presenting a client
// certificate. The files are re-read when they change. Same up-front
// checks and errors as MakeServerCredentials.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ChannelTlsOptions& options);

// The identities of the verified TLS client certificate of a call (from
// ServerContext::auth_context()): its SAN URIs as "uri:spiffe://…", its SAN
// DNS names as "dns:name", or, if it has neither, its subject common name
// as "cn:name". Empty when the call has no authenticated client
// certificate (plaintext, TLS without mutual authentication).
//
// Only servers made by MakeServerCredentials with client_ca_path (which
// verify every client certificate) should rely on the result.
std::vector<std::string> ClientCertificateIdentities(
    const grpc::AuthContext& context);

}  // namespace missions

#endif  // PROTO_COMMON_TLS_H_
