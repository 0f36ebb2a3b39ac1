// Who may call what: the one table of the roles each RPC method needs, for
// both services, and the map from client-certificate identities to roles.
//
// Roles (granted by the token's roles claim or, for a client certificate,
// by the identities file):
//   reader  every read (Get, List, BatchGet, the year stream, the change
//           feed, every report method)
//   editor  every write (Create, Update, Delete without force, Undelete,
//           BatchWrite) and the audit log
//   admin   force deletes (which cascade to child records) and
//           ImportDataset (a whole dataset in one transaction)
// Each role includes the ones above it: an editor may read, an admin may
// do everything. Health and reflection are public.
//
// A method that no rule covers needs a role nobody has: a new method cannot
// ship unprotected (tests/unit/method_roles_test.cc walks every method of
// every service against the table).
#ifndef PROTO_COMMON_METHOD_ROLES_H_
#define PROTO_COMMON_METHOD_ROLES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace missions {

enum class Role { kReader, kEditor, kAdmin };

// "reader", "editor", "admin".
absl::string_view RoleName(Role role);
// The role named `name`, or nullopt.
std::optional<Role> ParseRole(absl::string_view name);

// One row of the table.
struct MethodRule {
  // Full service name, e.g. "registry.v1.RegistryApi".
  absl::string_view service;
  // The method name, or a prefix of it ending in '*' (e.g. "Get*").
  absl::string_view method;
  // The role the method needs.
  Role role;
  // If set: a request whose bool field `escalating_field` is true needs
  // `escalated_role` instead (e.g. Delete with force=true needs admin).
  absl::string_view escalating_field;
  Role escalated_role = Role::kAdmin;
};

// The table, in the order rules are tried (the first match wins).
const std::vector<MethodRule>& MethodRules();

// True for the methods anyone may call: grpc.health.v1.Health and server
// reflection.
bool IsPublicMethod(absl::string_view full_method);

// The role `full_method` ("/package.Service/Method" as gRPC names it, or
// "package.Service/Method") needs for `request` (may be null: the
// escalating fields are then taken as unset). nullopt if no rule covers
// the method (the caller must then refuse the call).
std::optional<Role> RequiredRole(absl::string_view full_method,
                                 const google::protobuf::Message* request);

// OK if `granted` holds the role `full_method` needs for `request`;
// PERMISSION_DENIED naming the role otherwise, or naming the method when no
// rule covers it. `principal` is named in the message.
absl::Status CheckMethodAccess(absl::string_view full_method,
                               const google::protobuf::Message* request,
                               const std::vector<Role>& granted,
                               absl::string_view principal);

// The identities file: which roles a client certificate's identity has.
// One identity per line, then its roles separated by commas:
//   # identity                                  roles
//   uri:spiffe://missions.local/report-server   reader
//   dns:etl.example.gov.nl                      reader,editor
// Identities are written as ClientCertificateIdentities (tls.h) reports
// them ("uri:…", "dns:…", "cn:…"). '#' starts a comment; blank lines are
// ignored.
using IdentityRoles = absl::flat_hash_map<std::string, std::vector<Role>>;

// Parses the text of an identities file; INVALID_ARGUMENT naming
// `file_name`, the line and what is wrong.
absl::StatusOr<IdentityRoles> ParseIdentityRoles(absl::string_view text,
                                                 absl::string_view file_name);

}  // namespace missions

#endif  // PROTO_COMMON_METHOD_ROLES_H_
