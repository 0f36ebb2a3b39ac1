// Caller: who makes a request, as recorded with every registry revision and
// shown in the audit log (registry.v1.AuditEvent principal,
// principal_display_name, peer).
#ifndef REGISTRY_SERVICE_DOMAIN_CALLER_H_
#define REGISTRY_SERVICE_DOMAIN_CALLER_H_

#include <string>

#include "absl/time/time.h"

namespace missions::registry {

struct Caller {
  // The authenticated identity, e.g. a bearer token's subject
  // ("dev-editor") or a client certificate's identity
  // ("uri:spiffe://missions.local/report-server"); "anonymous" when the
  // server runs without authentication.
  std::string principal;
  // The caller's human-readable name from its credentials (e.g. a token's
  // name claim); may be empty. For display only.
  std::string display_name;
  // The transport address as gRPC reports it (ServerContext::peer(), e.g.
  // "ipv4:10.0.0.5:41234"). Not an identity.
  std::string peer;
  // When the call's deadline passes (InfiniteFuture without one): reads
  // that wait for a min_revision wait at most until then.
  absl::Time deadline = absl::InfiniteFuture();
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_CALLER_H_
