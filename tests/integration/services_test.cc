// The registry and report services through their gRPC interfaces, in
// process on 127.0.0.1 with real storage, on SQLite and on PostgreSQL
// (.../sqlite, .../postgresql in the test names): success paths with the 2020
// data file and the documented errors, as a client on the wire sees them
// (status codes and google.rpc.BadRequest field paths).
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "proto/common/errors.h"
#include "proto/common/server_runner.h"
#include "registry-service/dataset_file/dataset_file.h"
#include "registry-service/domain/registry.h"
#include "registry-service/domain/resource_api.h"
#include "registry-service/service/registry_api_service.h"
#include "registry-service/service/registry_service.h"
#include "report-service/client/registry_client.h"
#include "report-service/service/report_generator.h"
#include "report-service/service/report_service.h"
#include "tests/integration/test_backends.h"

namespace missions {
namespace {

namespace v1 = ::registry::v1;
namespace rv1 = ::report::v1;

std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  return fields;
}

class ServicesTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto backend = testing::MakeTestBackend(GetParam());
    ASSERT_TRUE(backend.ok()) << backend.status();
    backend_ = std::move(*backend);
    auto store = backend_->Open();
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    views_ = std::make_unique<registry::ViewKeeper>(store_.get(),
                                                    registry::ViewKeeper::Options{});
    ASSERT_TRUE(views_->Start().ok());
    registry_ = std::make_unique<registry::Registry>(views_.get());
    registry_service_ = std::make_unique<registry::RegistryServiceImpl>(registry_.get(), access_.get());
    api_ = std::make_unique<registry::ResourceApi>(views_.get());
    api_service_ = std::make_unique<registry::RegistryApiService>(api_.get(), access_.get());
    auto server = RunningServer::Start("127.0.0.1:0",
                                       {registry_service_.get(), api_service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    registry_server_ = std::move(*server);
    auto channel = grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", registry_server_->port()),
        grpc::InsecureChannelCredentials());
    stub_ = v1::RegistryService::NewStub(channel);
    api_stub_ = v1::RegistryApi::NewStub(channel);

    client_ = std::make_unique<report::RegistryClient>(
        v1::RegistryService::NewStub(channel), std::chrono::seconds(10));
    generator_ = std::make_unique<report::ReportGenerator>(client_.get());
    report_service_ = std::make_unique<report::ReportServiceImpl>(generator_.get(), access_.get());
    auto report_server = RunningServer::Start("127.0.0.1:0", {report_service_.get()});
    ASSERT_TRUE(report_server.ok()) << report_server.status();
    report_server_ = std::move(*report_server);
    report_stub_ = rv1::ReportService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", report_server_->port()),
        grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    report_server_.reset();
    registry_server_.reset();
    views_.reset();
    store_.reset();
    backend_.reset();
  }

  grpc::Status Import(const v1::Dataset& dataset, bool validate_only = false,
                      v1::ImportDatasetResponse* response = nullptr) {
    grpc::ClientContext context;
    v1::ImportDatasetRequest request;
    *request.mutable_dataset() = dataset;
    request.set_validate_only(validate_only);
    v1::ImportDatasetResponse ignored;
    return stub_->ImportDataset(&context, request, response ? response : &ignored);
  }

  v1::Dataset Data2020() {
    auto parsed = registry::ReadDatasetFile(DATA_FILE);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    return parsed.ok() ? parsed->dataset : v1::Dataset();
  }

  grpc::Status List(const v1::ListMissionsRequest& request,
                    v1::ListMissionsResponse* response) {
    grpc::ClientContext context;
    return api_stub_->ListMissions(&context, request, response);
  }

  std::unique_ptr<testing::TestBackend> backend_;
  std::unique_ptr<registry::RecordStore> store_;
  std::unique_ptr<registry::ViewKeeper> views_;
  std::unique_ptr<registry::Registry> registry_;
  // In-process services without authentication.
  std::unique_ptr<AccessControl> access_ = AccessControl::AllowAll();
  std::unique_ptr<registry::RegistryServiceImpl> registry_service_;
  std::unique_ptr<registry::ResourceApi> api_;
  std::unique_ptr<registry::RegistryApiService> api_service_;
  std::unique_ptr<v1::RegistryApi::Stub> api_stub_;
  std::unique_ptr<RunningServer> registry_server_;
  std::unique_ptr<v1::RegistryService::Stub> stub_;
  std::unique_ptr<report::RegistryClient> client_;
  std::unique_ptr<report::ReportGenerator> generator_;
  std::unique_ptr<report::ReportServiceImpl> report_service_;
  std::unique_ptr<RunningServer> report_server_;
  std::unique_ptr<rv1::ReportService::Stub> report_stub_;
};

TEST_P(ServicesTest, ImportValidateOnlyStoresNothingThenImportStoresAll) {
  v1::ImportDatasetResponse response;
  ASSERT_TRUE(Import(Data2020(), /*validate_only=*/true, &response).ok());
  EXPECT_EQ(response.record_counts().at("missions"), 24);
  v1::ListMissionsResponse listed;
  ASSERT_TRUE(List({}, &listed).ok());
  EXPECT_EQ(listed.missions_size(), 0);

  ASSERT_TRUE(Import(Data2020()).ok());
  ASSERT_TRUE(List({}, &listed).ok());
  EXPECT_EQ(listed.missions_size(), 24);
  // A second import of the same records is refused as a whole.
  const grpc::Status again = Import(Data2020());
  EXPECT_EQ(again.error_code(), grpc::StatusCode::ALREADY_EXISTS) << again.error_message();
}

TEST_P(ServicesTest, InvalidImportNamesEveryFieldAndStoresNothing) {
  v1::Dataset dataset = Data2020();
  v1::Mission* unifil = nullptr;
  for (auto& record : *dataset.mutable_missions()) {
    if (record.mission().name() == "missions/unifil") unifil = record.mutable_mission();
  }
  ASSERT_NE(unifil, nullptr);
  unifil->set_region("regions/atlantis");
  unifil->mutable_start_date()->set_month(2);
  unifil->mutable_start_date()->set_day(30);
  dataset.mutable_missions(0)->mutable_personnel(0)->set_military(-1);
  const grpc::Status status = Import(dataset);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const std::vector<std::string> fields = FieldsOf(status);
  const std::set<std::string> set(fields.begin(), fields.end());
  EXPECT_TRUE(set.count("dataset.missions[0].personnel[0].military")) << status.error_message();
  bool region = false, start = false;
  for (const std::string& f : fields) {
    region |= f.ends_with("mission.region");
    start |= f.ends_with("mission.start_date");
  }
  EXPECT_TRUE(region && start) << status.error_message();
  v1::ListMissionsResponse listed;
  ASSERT_TRUE(List({}, &listed).ok());
  EXPECT_EQ(listed.missions_size(), 0);
}

TEST_P(ServicesTest, GetMission) {
  ASSERT_TRUE(Import(Data2020()).ok());
  v1::GetMissionRequest request;
  request.set_name("missions/minusma");
  v1::Mission mission;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(api_stub_->GetMission(&context, request, &mission).ok());
    EXPECT_EQ(mission.short_name(), "MINUSMA");
  }
  {
    grpc::ClientContext context;
    request.set_name("missions/no-such-mission");
    EXPECT_EQ(api_stub_->GetMission(&context, request, &mission).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    request.set_name("Missions/MINUSMA");
    const grpc::Status status = api_stub_->GetMission(&context, request, &mission);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"name"});
  }
}

TEST_P(ServicesTest, ListMissionsFiltersAndPagesWithoutGapsOrRepeats) {
  ASSERT_TRUE(Import(Data2020()).ok());
  v1::ListMissionsRequest request;
  request.set_filter("active_in(2020)");
  v1::ListMissionsResponse all;
  ASSERT_TRUE(List(request, &all).ok());
  // Takuba started in 2021; every other mission was active in 2020.
  EXPECT_EQ(all.missions_size(), 23);
  EXPECT_TRUE(all.next_page_token().empty());

  request.set_page_size(4);
  std::vector<std::string> paged;
  for (int pages = 0; pages < 20; ++pages) {
    v1::ListMissionsResponse page;
    ASSERT_TRUE(List(request, &page).ok());
    EXPECT_LE(page.missions_size(), 4);
    for (const auto& m : page.missions()) paged.push_back(m.name());
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  std::vector<std::string> expected;
  for (const auto& m : all.missions()) expected.push_back(m.name());
  EXPECT_EQ(paged, expected);

  v1::ListMissionsRequest africa;
  africa.set_filter("in_region(\"regions/africa\") AND active_in(2021)");
  v1::ListMissionsResponse listed;
  ASSERT_TRUE(List(africa, &listed).ok());
  std::set<std::string> names;
  for (const auto& m : listed.missions()) names.insert(m.name());
  EXPECT_TRUE(names.count("missions/takuba"));
  EXPECT_FALSE(names.count("missions/eunavfor-med-sophia"));  // ended 2020
  for (const auto& m : listed.missions()) EXPECT_EQ(m.region(), "regions/africa");
}

TEST_P(ServicesTest, ListMissionsRejectsBadPagingAndFilters) {
  ASSERT_TRUE(Import(Data2020()).ok());
  v1::ListMissionsResponse response;
  v1::ListMissionsRequest request;
  request.set_page_size(-1);
  request.set_filter("regoin = \"x\"");
  request.set_order_by("short_name sideways");
  request.set_page_token("not-a-token");
  const grpc::Status status = List(request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(status),
            (std::vector<std::string>{"page_size", "page_token", "filter", "order_by"}));

  // A token is only good for the request it was issued for.
  v1::ListMissionsRequest first;
  first.set_page_size(2);
  first.set_filter("active_in(2020)");
  ASSERT_TRUE(List(first, &response).ok());
  v1::ListMissionsRequest other;
  other.set_filter("active_in(2021)");
  other.set_page_token(response.next_page_token());
  const grpc::Status mismatch = List(other, &response);
  EXPECT_EQ(mismatch.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(mismatch), std::vector<std::string>{"page_token"});

  // An oversized page is coerced, not refused.
  v1::ListMissionsRequest huge;
  huge.set_page_size(100000);
  EXPECT_TRUE(List(huge, &response).ok());
}

TEST_P(ServicesTest, StreamYearDatasetErrors) {
  ASSERT_TRUE(Import(Data2020()).ok());
  for (int year : {1900, 2019}) {
    grpc::ClientContext context;
    v1::StreamYearDatasetRequest request;
    request.set_year(year);
    auto reader = stub_->StreamYearDataset(&context, request);
    v1::StreamYearDatasetResponse part;
    while (reader->Read(&part)) {
    }
    const grpc::Status status = reader->Finish();
    EXPECT_EQ(status.error_code(), year == 1900 ? grpc::StatusCode::INVALID_ARGUMENT
                                                : grpc::StatusCode::NOT_FOUND)
        << status.error_message();
  }
}

TEST_P(ServicesTest, GenerateReportNamesBadFieldsAndServesDocuments) {
  ASSERT_TRUE(Import(Data2020()).ok());
  {
    grpc::ClientContext context;
    rv1::GenerateReportRequest request;
    request.set_year(20);
    request.set_language("fr");
    rv1::GenerateReportResponse response;
    const grpc::Status status = report_stub_->GenerateReport(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(FieldsOf(status), (std::vector<std::string>{"year", "format", "language"}));
  }
  {
    grpc::ClientContext context;
    rv1::GenerateReportRequest request;
    request.set_year(2020);
    request.set_format(rv1::REPORT_FORMAT_ANNEX2_CSV);
    request.set_language("en");
    rv1::GenerateReportResponse response;
    ASSERT_TRUE(report_stub_->GenerateReport(&context, request, &response).ok());
    EXPECT_EQ(response.file_name(), "vkm-2020-en-annex2.csv");
    EXPECT_EQ(response.media_type(), "text/csv; charset=utf-8; header=present");
    EXPECT_NE(response.content().find("Totaal,1063,44,30,1847,41,1888"), std::string::npos)
        << response.content();
  }
  {
    // The registry going away makes report calls fail with UNAVAILABLE.
    registry_server_->Shutdown(std::chrono::milliseconds(100));
    grpc::ClientContext context;
    rv1::GenerateReportRequest request;
    request.set_year(2020);
    request.set_format(rv1::REPORT_FORMAT_MARKDOWN);
    rv1::GenerateReportResponse response;
    const grpc::Status status = report_stub_->GenerateReport(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ServicesTest,
                         ::testing::Values(std::string(testing::kSqlite),
                                           std::string(testing::kPostgresql)),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

}  // namespace
}  // namespace missions
