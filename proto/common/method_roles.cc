#include "proto/common/method_roles.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"

namespace missions {
namespace {

constexpr absl::string_view kRegistryApi = "registry.v1.RegistryApi";
constexpr absl::string_view kRegistryService = "registry.v1.RegistryService";
constexpr absl::string_view kReportService = "report.v1.ReportService";

// Splits "/pkg.Service/Method" or "pkg.Service/Method" into its parts.
bool SplitMethod(absl::string_view full_method, absl::string_view* service,
                 absl::string_view* method) {
  absl::ConsumePrefix(&full_method, "/");
  const size_t slash = full_method.find('/');
  if (slash == absl::string_view::npos) return false;
  *service = full_method.substr(0, slash);
  *method = full_method.substr(slash + 1);
  return !service->empty() && !method->empty();
}

bool Matches(const MethodRule& rule, absl::string_view service,
             absl::string_view method) {
  if (rule.service != service) return false;
  if (absl::EndsWith(rule.method, "*")) {
    return absl::StartsWith(method, rule.method.substr(0, rule.method.size() - 1));
  }
  return rule.method == method;
}

bool BoolFieldSet(const google::protobuf::Message* request,
                  absl::string_view field_name) {
  if (request == nullptr || field_name.empty()) return false;
  const google::protobuf::FieldDescriptor* field =
      request->GetDescriptor()->FindFieldByName(std::string(field_name));
  if (field == nullptr || field->is_repeated() ||
      field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_BOOL) {
    return false;
  }
  return request->GetReflection()->GetBool(*request, field);
}

int Rank(Role role) { return static_cast<int>(role); }

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kReader:
      return "reader";
    case Role::kEditor:
      return "editor";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::optional<Role> ParseRole(absl::string_view name) {
  if (name == "reader") return Role::kReader;
  if (name == "editor") return Role::kEditor;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

const std::vector<MethodRule>& MethodRules() {
  static const auto* const rules = new std::vector<MethodRule>{
      // registry.v1.RegistryApi: the standard methods of every resource.
      {kRegistryApi, "Get*", Role::kReader, "", Role::kAdmin},
      {kRegistryApi, "BatchGet*", Role::kReader, "", Role::kAdmin},
      {kRegistryApi, "ListAuditEvents", Role::kEditor, "", Role::kAdmin},
      {kRegistryApi, "List*", Role::kReader, "", Role::kAdmin},
      {kRegistryApi, "WatchChanges", Role::kReader, "", Role::kAdmin},
      {kRegistryApi, "Create*", Role::kEditor, "", Role::kAdmin},
      {kRegistryApi, "Update*", Role::kEditor, "", Role::kAdmin},
      // force=true deletes the record's live children too.
      {kRegistryApi, "Delete*", Role::kEditor, "force", Role::kAdmin},
      // Undelete restores one record (never a cascade).
      {kRegistryApi, "Undelete*", Role::kEditor, "", Role::kAdmin},
      // Creates, updates and deletes (never a cascade: no force) in one
      // revision.
      {kRegistryApi, "BatchWrite", Role::kEditor, "", Role::kAdmin},
      // registry.v1.RegistryService: bulk access.
      {kRegistryService, "StreamYearDataset", Role::kReader, "", Role::kAdmin},
      {kRegistryService, "ImportDataset", Role::kAdmin, "", Role::kAdmin},
      // report.v1.ReportService: reports are built from readable records.
      {kReportService, "GenerateReport", Role::kReader, "", Role::kAdmin},
      {kReportService, "StreamReport", Role::kReader, "", Role::kAdmin},
      {kReportService, "CheckReport", Role::kReader, "", Role::kAdmin},
      {kReportService, "ReconcileAnnex", Role::kReader, "", Role::kAdmin},
  };
  return *rules;
}

bool IsPublicMethod(absl::string_view full_method) {
  absl::string_view service, method;
  if (!SplitMethod(full_method, &service, &method)) return false;
  return service == "grpc.health.v1.Health" ||
         service == "grpc.reflection.v1alpha.ServerReflection" ||
         service == "grpc.reflection.v1.ServerReflection";
}

std::optional<Role> RequiredRole(absl::string_view full_method,
                                 const google::protobuf::Message* request) {
  absl::string_view service, method;
  if (!SplitMethod(full_method, &service, &method)) return std::nullopt;
  for (const MethodRule& rule : MethodRules()) {
    if (!Matches(rule, service, method)) continue;
    if (BoolFieldSet(request, rule.escalating_field)) return rule.escalated_role;
    return rule.role;
  }
  return std::nullopt;
}

absl::Status CheckMethodAccess(absl::string_view full_method,
                               const google::protobuf::Message* request,
                               const std::vector<Role>& granted,
                               absl::string_view principal) {
  const std::optional<Role> required = RequiredRole(full_method, request);
  if (!required.has_value()) {
    return absl::PermissionDeniedError(
        absl::StrCat("method ", full_method, " is not open to any role"));
  }
  for (Role role : granted) {
    if (Rank(role) >= Rank(*required)) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "permission denied: ", full_method, " needs role ", RoleName(*required),
      "; ", principal, " has ",
      granted.empty() ? std::string("no role")
                      : absl::StrJoin(granted, ", ", [](std::string* out, Role r) {
                          absl::StrAppend(out, RoleName(r));
                        })));
}

absl::StatusOr<IdentityRoles> ParseIdentityRoles(absl::string_view text,
                                                 absl::string_view file_name) {
  IdentityRoles result;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const size_t hash = line.find('#');
    if (hash != absl::string_view::npos) line = line.substr(0, hash);
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    const auto where = [&] { return absl::StrCat(file_name, ":", line_number, ": "); };
    if (words.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), "expected an identity and its roles, e.g. "
                                "\"uri:spiffe://missions.local/report-server reader\""));
    }
    const absl::string_view identity = words[0];
    if (!absl::StartsWith(identity, "uri:") && !absl::StartsWith(identity, "dns:") &&
        !absl::StartsWith(identity, "cn:")) {
      return absl::InvalidArgumentError(absl::StrCat(
          where(), "identity must start with uri:, dns: or cn: (got \"", identity, "\")"));
    }
    std::vector<Role> roles;
    for (absl::string_view name : absl::StrSplit(words[1], ',', absl::SkipEmpty())) {
      const std::optional<Role> role = ParseRole(name);
      if (!role.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            where(), "unknown role \"", name, "\" (roles: reader, editor, admin)"));
      }
      roles.push_back(*role);
    }
    if (roles.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where(), "no role given"));
    }
    if (!result.emplace(std::string(identity), std::move(roles)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), "identity ", identity, " is listed twice"));
    }
  }
  return result;
}

}  // namespace missions
