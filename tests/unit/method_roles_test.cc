// The role table (proto/common/method_roles.h) against the services'
// descriptors: every method of every service is covered, and each family
// of methods needs the role the README promises.
#include "proto/common/method_roles.h"

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"
#include "registry/v1/registry_api.grpc.pb.h"
#include "registry/v1/registry_service.grpc.pb.h"
#include "report/v1/report_service.grpc.pb.h"

namespace missions {
namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MessageFactory;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;

const char* const kServices[] = {"registry.v1.RegistryApi",
                                 "registry.v1.RegistryService",
                                 "report.v1.ReportService"};

// What the README promises for each method, written independently of the
// table's prefixes.
Role ExpectedRole(const MethodDescriptor& method, bool force) {
  const std::string& name = method.name();
  const std::string& service = method.service()->full_name();
  if (service == "report.v1.ReportService") return Role::kReader;
  if (name == "ImportDataset") return Role::kAdmin;
  if (name == "StreamYearDataset" || name == "WatchChanges") return Role::kReader;
  if (name == "ListAuditEvents") return Role::kEditor;
  if (absl::StartsWith(name, "Get") || absl::StartsWith(name, "List") ||
      absl::StartsWith(name, "BatchGet")) {
    return Role::kReader;
  }
  if (absl::StartsWith(name, "Delete") && force) return Role::kAdmin;
  return Role::kEditor;  // Create, Update, Delete, Undelete, BatchWrite
}

// Links the three services' generated files into the test, so that their
// descriptors are in the generated pool.
const bool kServicesLinked = [] {
  return ::registry::v1::GetMissionRequest::descriptor() != nullptr &&
         ::registry::v1::ImportDatasetRequest::descriptor() != nullptr &&
         ::report::v1::GenerateReportRequest::descriptor() != nullptr;
}();

std::unique_ptr<Message> NewRequest(const MethodDescriptor& method) {
  const Message* prototype =
      MessageFactory::generated_factory()->GetPrototype(method.input_type());
  return std::unique_ptr<Message>(prototype->New());
}

TEST(MethodRolesTest, EveryMethodOfEveryServiceHasTheExpectedRole) {
  ASSERT_TRUE(kServicesLinked);
  int methods = 0;
  for (const char* service_name : kServices) {
    const ServiceDescriptor* service =
        DescriptorPool::generated_pool()->FindServiceByName(service_name);
    ASSERT_NE(service, nullptr) << service_name;
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor& method = *service->method(i);
      const std::string full = absl::StrCat("/", service_name, "/", method.name());
      std::unique_ptr<Message> request = NewRequest(method);
      const std::optional<Role> role = RequiredRole(full, request.get());
      ASSERT_TRUE(role.has_value()) << full << " has no rule in MethodRules()";
      EXPECT_EQ(*role, ExpectedRole(method, false)) << full;
      const FieldDescriptor* force = method.input_type()->FindFieldByName("force");
      if (force != nullptr && force->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
        request->GetReflection()->SetBool(request.get(), force, true);
        EXPECT_EQ(RequiredRole(full, request.get()), ExpectedRole(method, true))
            << full << " with force";
      }
      ++methods;
    }
  }
  // 12 resources x 7 standard methods + ListAuditEvents + WatchChanges +
  // BatchWrite, the two bulk methods, the four report methods.
  EXPECT_EQ(methods, 12 * 7 + 3 + 2 + 4);
}

TEST(MethodRolesTest, EveryDeleteHasForceAndForceNeedsAdmin) {
  const ServiceDescriptor* service =
      DescriptorPool::generated_pool()->FindServiceByName("registry.v1.RegistryApi");
  ASSERT_NE(service, nullptr);
  int deletes = 0;
  for (int i = 0; i < service->method_count(); ++i) {
    const MethodDescriptor& method = *service->method(i);
    if (!absl::StartsWith(method.name(), "Delete")) continue;
    ++deletes;
    std::unique_ptr<Message> request = NewRequest(method);
    const FieldDescriptor* force = method.input_type()->FindFieldByName("force");
    ASSERT_NE(force, nullptr) << method.name();
    request->GetReflection()->SetBool(request.get(), force, true);
    const std::string full = absl::StrCat("/", service->full_name(), "/", method.name());
    EXPECT_FALSE(CheckMethodAccess(full, request.get(), {Role::kEditor}, "dev-editor").ok());
    EXPECT_TRUE(CheckMethodAccess(full, request.get(), {Role::kAdmin}, "dev-admin").ok());
  }
  EXPECT_EQ(deletes, 12);
}

TEST(MethodRolesTest, UnknownMethodsAreRefused) {
  EXPECT_FALSE(RequiredRole("/registry.v1.RegistryApi/ExportEverything", nullptr).has_value());
  EXPECT_FALSE(RequiredRole("/registry.v2.RegistryApi/GetMission", nullptr).has_value());
  EXPECT_FALSE(RequiredRole("garbage", nullptr).has_value());
  const absl::Status status = CheckMethodAccess(
      "/registry.v1.RegistryApi/ExportEverything", nullptr, {Role::kAdmin}, "dev-admin");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(status.message(), "not open to any role"));
}

TEST(MethodRolesTest, DeniedNamesTheRoleNeededAndRolesIncludeTheOnesBelow) {
  const absl::Status denied = CheckMethodAccess(
      "/registry.v1.RegistryApi/UpdateMission", nullptr, {Role::kReader}, "dev-reader");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(denied.message(), "needs role editor")) << denied;
  EXPECT_TRUE(absl::StrContains(denied.message(), "dev-reader")) << denied;
  EXPECT_TRUE(CheckMethodAccess("/registry.v1.RegistryApi/GetMission", nullptr,
                                {Role::kAdmin}, "dev-admin")
                  .ok());
  EXPECT_FALSE(CheckMethodAccess("/registry.v1.RegistryApi/GetMission", nullptr, {},
                                 "nobody")
                   .ok());
}

TEST(MethodRolesTest, HealthAndReflectionArePublic) {
  EXPECT_TRUE(IsPublicMethod("/grpc.health.v1.Health/Check"));
  EXPECT_TRUE(IsPublicMethod("/grpc.health.v1.Health/Watch"));
  EXPECT_TRUE(IsPublicMethod("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"));
  EXPECT_FALSE(IsPublicMethod("/registry.v1.RegistryApi/GetMission"));
}

TEST(MethodRolesTest, IdentitiesFile) {
  absl::StatusOr<IdentityRoles> roles = ParseIdentityRoles(
      "# identity role[,role...]\n"
      "uri:spiffe://missions.local/report-server reader\n"
      "\n"
      "  dns:etl.example.gov.nl   reader,editor  # nightly loads\n",
      "identities.conf");
  ASSERT_TRUE(roles.ok()) << roles.status();
  ASSERT_EQ(roles->size(), 2u);
  EXPECT_EQ(roles->at("uri:spiffe://missions.local/report-server"),
            std::vector<Role>{Role::kReader});
  EXPECT_EQ(roles->at("dns:etl.example.gov.nl"),
            (std::vector<Role>{Role::kReader, Role::kEditor}));

  for (const char* bad : {"uri:x", "uri:x writer", "mail:x reader", "uri:x reader\nuri:x admin",
                          "uri:x reader extra"}) {
    const absl::StatusOr<IdentityRoles> parsed = ParseIdentityRoles(bad, "ids.conf");
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(absl::StrContains(parsed.status().message(), "ids.conf:")) << bad;
  }
}

}  // namespace
}  // namespace missions
