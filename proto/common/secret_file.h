// Reading files that hold key material or credentials (TLS private keys,
// token-signing keys, bearer tokens) and the public files that go with them
// (certificates, CA bundles, JWKS).
//
// A secret file must be a regular file (symbolic links are followed, so a
// Kubernetes-style secret mount works) that neither group nor others can
// access (mode & 077 == 0). Errors name the file, what it is and its mode,
// never its content.
#ifndef PROTO_COMMON_SECRET_FILE_H_
#define PROTO_COMMON_SECRET_FILE_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace missions {

// Reads the secret file `path`; `what` names it in errors (e.g. "TLS private
// key"). NOT_FOUND if it does not exist; FAILED_PRECONDITION if it is not a
// regular file, is group- or world-accessible, or is larger than
// `max_bytes`; PERMISSION_DENIED if it cannot be opened.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path,
                                           absl::string_view what,
                                           size_t max_bytes = 1 << 20);

// Checks the rules of ReadSecretFile (exists, regular file, mode & 077 == 0)
// without reading the file: for files that another library reads itself,
// e.g. the TLS key that gRPC's file watcher re-reads.
absl::Status CheckSecretFilePermissions(const std::string& path,
                                        absl::string_view what);

// Reads a public file (certificate, CA bundle, JWKS): only the regular-file
// and size checks of ReadSecretFile.
absl::StatusOr<std::string> ReadPublicFile(const std::string& path,
                                           absl::string_view what,
                                           size_t max_bytes = 1 << 20);

}  // namespace missions

#endif  // PROTO_COMMON_SECRET_FILE_H_
