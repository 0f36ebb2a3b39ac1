#include "proto/common/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_certificate_verifier.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "proto/common/secret_file.h"
#include "proto/common/status_macros.h"

namespace missions {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using UniqueBio = std::unique_ptr<BIO, BioFree>;
using UniqueX509 = std::unique_ptr<X509, X509Free>;
using UniquePkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// The reason of the most recent OpenSSL error on this thread, and an empty
// error queue afterwards (a leftover error would confuse the next TLS
// handshake on this thread).
std::string TakeOpenSslError() {
  unsigned long code = ERR_peek_last_error();
  std::string reason;
  if (code != 0) {
    const char* text = ERR_reason_error_string(code);
    reason = text != nullptr ? text : absl::StrCat("error ", code);
  }
  ERR_clear_error();
  return reason;
}

UniqueBio MemoryBio(const std::string& data) {
  return UniqueBio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// Refuses to prompt for a passphrase: gRPC cannot use an encrypted key.
int NoPassphrase(char*, int, int, void*) { return -1; }

// Parses every certificate of a PEM bundle (at least one).
absl::StatusOr<std::vector<UniqueX509>> ParseCertificates(
    const std::string& pem, const std::string& path, const std::string& what) {
  ERR_clear_error();
  UniqueBio bio = MemoryBio(pem);
  std::vector<UniqueX509> certs;
  while (true) {
    UniqueX509 cert(
        PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
    if (cert == nullptr) break;
    certs.push_back(std::move(cert));
  }
  unsigned long code = ERR_peek_last_error();
  bool clean_end =
      certs.empty() || (ERR_GET_LIB(code) == ERR_LIB_PEM &&
                        ERR_GET_REASON(code) == PEM_R_NO_START_LINE);
  std::string reason = TakeOpenSslError();
  if (certs.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, " holds no PEM certificate (",
                     reason.empty() ? "no CERTIFICATE block" : reason, ")"));
  }
  if (!clean_end) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, ": PEM certificate ", certs.size() + 1,
                     " does not parse (", reason, ")"));
  }
  return certs;
}

absl::StatusOr<UniquePkey> ParsePrivateKey(const std::string& pem,
                                           const std::string& path,
                                           const std::string& what) {
  ERR_clear_error();
  UniqueBio bio = MemoryBio(pem);
  UniquePkey key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  std::string reason = TakeOpenSslError();
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, " holds no unencrypted PEM private key (",
                     reason.empty() ? "no PRIVATE KEY block" : reason, ")"));
  }
  return key;
}

absl::Status CheckValidNow(X509* cert, const std::string& path,
                           const std::string& what) {
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, " has expired"));
  }
  if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, " is not valid yet"));
  }
  return absl::OkStatus();
}

// Checks a certificate chain file and its key file: both parse, the key is
// not accessible to others, the key belongs to the first certificate, and
// that certificate is valid now.
absl::Status CheckIdentity(const std::string& cert_path,
                           const std::string& key_path,
                           const std::string& side) {
  const std::string cert_what = absl::StrCat("TLS ", side, " certificate");
  const std::string key_what = absl::StrCat("TLS ", side, " private key");
  if (cert_path.empty() || key_path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(cert_what, " and ", key_what, " must both be given"));
  }
  ASSIGN_OR_RETURN(std::string cert_pem, ReadPublicFile(cert_path, cert_what));
  ASSIGN_OR_RETURN(std::vector<UniqueX509> chain,
                   ParseCertificates(cert_pem, cert_path, cert_what));
  RETURN_IF_ERROR(CheckSecretFilePermissions(key_path, key_what));
  ASSIGN_OR_RETURN(std::string key_pem, ReadSecretFile(key_path, key_what));
  ASSIGN_OR_RETURN(UniquePkey key,
                   ParsePrivateKey(key_pem, key_path, key_what));
  ERR_clear_error();
  bool matches = X509_check_private_key(chain.front().get(), key.get()) == 1;
  TakeOpenSslError();
  if (!matches) {
    return absl::InvalidArgumentError(absl::StrCat(key_what, " ", key_path,
                                                   " does not match ",
                                                   cert_what, " ", cert_path));
  }
  return CheckValidNow(chain.front().get(), cert_path, cert_what);
}

absl::Status CheckCaBundle(const std::string& path, const std::string& what) {
  ASSIGN_OR_RETURN(std::string pem, ReadPublicFile(path, what));
  return ParseCertificates(pem, path, what).status();
}

absl::Status CheckRefresh(unsigned refresh_seconds) {
  if (refresh_seconds == 0) {
    return absl::InvalidArgumentError("TLS refresh_seconds must be at least 1");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsOptions& options) {
  RETURN_IF_ERROR(CheckRefresh(options.refresh_seconds));
  RETURN_IF_ERROR(CheckIdentity(options.cert_path, options.key_path, "server"));
  const bool mutual = !options.client_ca_path.empty();
  if (mutual) {
    RETURN_IF_ERROR(CheckCaBundle(options.client_ca_path, "TLS client CA"));
  }

  using grpc::experimental::FileWatcherCertificateProvider;
  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider;
  if (mutual) {
    provider = std::make_shared<FileWatcherCertificateProvider>(
        options.key_path, options.cert_path, options.client_ca_path,
        options.refresh_seconds);
  } else {
    provider = std::make_shared<FileWatcherCertificateProvider>(
        options.key_path, options.cert_path, options.refresh_seconds);
  }
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_identity_key_cert_pairs();
  if (mutual) {
    tls.watch_root_certs();
    tls.set_cert_request_type(
        options.require_client_cert
            ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
            : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    tls.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::experimental::TlsServerCredentials(tls);
  if (credentials == nullptr) {
    return absl::InternalError("gRPC refused the TLS server options");
  }
  return credentials;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ChannelTlsOptions& options) {
  RETURN_IF_ERROR(CheckRefresh(options.refresh_seconds));
  if (options.ca_path.empty()) {
    return absl::InvalidArgumentError(
        "TLS channel: the CA bundle that signs the server certificate is "
        "required");
  }
  RETURN_IF_ERROR(CheckCaBundle(options.ca_path, "TLS server CA"));
  const bool mutual = !options.cert_path.empty() || !options.key_path.empty();
  if (mutual) {
    RETURN_IF_ERROR(
        CheckIdentity(options.cert_path, options.key_path, "client"));
  }

  using grpc::experimental::FileWatcherCertificateProvider;
  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider;
  if (mutual) {
    provider = std::make_shared<FileWatcherCertificateProvider>(
        options.key_path, options.cert_path, options.ca_path,
        options.refresh_seconds);
  } else {
    provider = std::make_shared<FileWatcherCertificateProvider>(
        options.ca_path, options.refresh_seconds);
  }
  grpc::experimental::TlsChannelCredentialsOptions tls;
  tls.set_certificate_provider(provider);
  tls.watch_root_certs();
  if (mutual) tls.watch_identity_key_cert_pairs();
  tls.set_verify_server_certs(true);
  // gRPC 1.51 checks the server's SANs against the target host by default
  // (tests/unit/tls_test.cc); the verifier is set anyway so that the check
  // does not depend on a default.
  tls.set_certificate_verifier(
      std::make_shared<grpc::experimental::HostNameCertificateVerifier>());
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::experimental::TlsCredentials(tls);
  if (credentials == nullptr) {
    return absl::InternalError("gRPC refused the TLS channel options");
  }
  return credentials;
}

std::vector<std::string> ClientCertificateIdentities(
    const grpc::AuthContext& context) {
  std::vector<std::string> identities;
  if (!context.IsPeerAuthenticated()) return identities;
  std::vector<grpc::string_ref> security =
      context.FindPropertyValues(GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME);
  bool tls = false;
  for (const grpc::string_ref& type : security) {
    std::string name(type.data(), type.size());
    if (name == GRPC_SSL_TRANSPORT_SECURITY_TYPE ||
        name == GRPC_TLS_TRANSPORT_SECURITY_TYPE) {
      tls = true;
    }
  }
  if (!tls) return identities;

  auto add_all = [&](const char* property, absl::string_view prefix) {
    for (const grpc::string_ref& value : context.FindPropertyValues(property)) {
      identities.push_back(
          absl::StrCat(prefix, absl::string_view(value.data(), value.size())));
    }
  };
  add_all(GRPC_PEER_URI_PROPERTY_NAME, "uri:");
  add_all(GRPC_PEER_DNS_PROPERTY_NAME, "dns:");
  if (identities.empty()) {
    // Older gRPC releases report SANs only as untyped values.
    for (const grpc::string_ref& value :
         context.FindPropertyValues(GRPC_X509_SAN_PROPERTY_NAME)) {
      absl::string_view san(value.data(), value.size());
      if (absl::StrContains(san, "://")) {
        identities.push_back(absl::StrCat("uri:", san));
      }
    }
  }
  if (identities.empty()) add_all(GRPC_X509_CN_PROPERTY_NAME, "cn:");
  return identities;
}

}  // namespace missions
