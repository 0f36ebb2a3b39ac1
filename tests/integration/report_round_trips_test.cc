// The report of a year costs a constant number of registry round trips,
// whatever the number of missions. Runs the real registry service (SQLite
// storage, gRPC server on 127.0.0.1) in-process and counts the calls the
// report service's client makes through a client interceptor.
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/client_interceptor.h"
#include "gtest/gtest.h"
#include "proto/common/server_runner.h"
#include "registry-service/domain/registry.h"
#include "registry-service/service/registry_service.h"
#include "registry-service/storage/sqlite_record_store.h"
#include "report-service/client/registry_client.h"
#include "report-service/service/report_generator.h"
#include "tests/integration/child_process.h"

namespace missions {
namespace {

namespace v1 = ::registry::v1;

// Counts every call started on the channel.
class CountingInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit CountingInterceptor(std::atomic<int>* calls) : calls_(calls) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      ++*calls_;
    }
    methods->Proceed();
  }

 private:
  std::atomic<int>* calls_;
};

class CountingFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit CountingFactory(std::atomic<int>* calls) : calls_(calls) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new CountingInterceptor(calls_);
  }

 private:
  std::atomic<int>* calls_;
};

// A valid registry with `missions` missions active in 2020, each with a
// mandate, figures and a narrative.
v1::Dataset SyntheticYear(int missions) {
  v1::Dataset dataset;
  auto* year = dataset.add_report_years();
  year->set_name("reportYears/2020");
  year->set_year(2020);
  year->mutable_publication_date()->set_year(2021);
  year->mutable_publication_date()->set_month(5);
  year->mutable_publication_date()->set_day(19);
  auto* region = dataset.add_regions();
  region->set_name("regions/africa");
  (*region->mutable_display_name())["nl"] = "Afrika";
  for (int i = 0; i < missions; ++i) {
    const std::string name = absl::StrCat("missions/m", i);
    v1::MissionRecord* record = dataset.add_missions();
    v1::Mission* m = record->mutable_mission();
    m->set_name(name);
    m->set_short_name(absl::StrCat("Missie ", i));
    m->set_region("regions/africa");
    m->set_report_order(i);
    m->set_lead_organization(v1::LEAD_ORGANIZATION_UN);
    m->set_kind(v1::MISSION_KIND_INTERNATIONAL);
    auto* national = record->add_national_mandates();
    national->set_name(name + "/nationalMandates/current");
    national->mutable_valid_until()->set_kind(v1::EndDate::INDEFINITE);
    national->mutable_cap()->set_military(i % 7 + 1);
    auto* figures = record->add_personnel();
    figures->set_name(name + "/personnelFigures/2020");
    figures->set_year(2020);
    figures->set_military(i % 5);
    figures->set_civilian(i % 3);
    auto* narrative = record->add_narratives();
    narrative->set_name(name + "/narratives/2020-developments-nl");
    narrative->set_year(2020);
    narrative->set_section(v1::NARRATIVE_SECTION_DEVELOPMENTS);
    narrative->set_language("nl");
    narrative->set_text(absl::StrCat("Ontwikkelingen in missie ", i, "."));
  }
  return dataset;
}

// Imports `missions` synthetic missions into a fresh registry server and
// returns the number of registry calls that generating each format made.
std::vector<int> RoundTripsForReport(int missions) {
  const std::string dir = testing::MakeTempDir();
  auto store = registry::SqliteRecordStore::Open(dir + "/registry.db");
  EXPECT_TRUE(store.ok()) << store.status();
  registry::ViewKeeper views(store->get(), registry::ViewKeeper::Options{});
  EXPECT_TRUE(views.Start().ok());
  registry::Registry domain(&views);
  v1::ImportDatasetRequest import;
  *import.mutable_dataset() = SyntheticYear(missions);
  auto imported = domain.ImportDataset(import, registry::Caller{"test", "", ""});
  EXPECT_TRUE(imported.ok()) << imported.status();

  std::unique_ptr<AccessControl> access = AccessControl::AllowAll();
  registry::RegistryServiceImpl service(&domain, access.get());
  auto server = RunningServer::Start("127.0.0.1:0", {&service});
  EXPECT_TRUE(server.ok()) << server.status();

  std::atomic<int> calls{0};
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(std::make_unique<CountingFactory>(&calls));
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  auto channel = grpc::experimental::CreateCustomChannelWithInterceptors(
      absl::StrCat("127.0.0.1:", (*server)->port()),
      grpc::InsecureChannelCredentials(), args, std::move(interceptors));
  report::RegistryClient client(v1::RegistryService::NewStub(channel),
                                std::chrono::seconds(30));
  report::ReportGenerator generator(&client);

  std::vector<int> per_document;
  for (auto format : {::report::v1::REPORT_FORMAT_MARKDOWN,
                      ::report::v1::REPORT_FORMAT_ANNEX1_CSV,
                      ::report::v1::REPORT_FORMAT_ANNEX2_CSV}) {
    const int before = calls.load();
    ::report::v1::GenerateReportRequest request;
    request.set_year(2020);
    request.set_format(format);
    auto document = generator.Generate(request);
    EXPECT_TRUE(document.ok()) << document.status();
    if (document.ok() && format == ::report::v1::REPORT_FORMAT_ANNEX2_CSV) {
      // Header, one row per mission, totals.
      EXPECT_EQ(std::count(document->content().begin(), document->content().end(), '\n'),
                missions + 2);
    }
    per_document.push_back(calls.load() - before);
  }
  (*server)->Shutdown();
  std::filesystem::remove_all(dir);
  return per_document;
}

TEST(ReportRoundTrips, ConstantWhateverTheNumberOfMissions) {
  const std::vector<int> small = RoundTripsForReport(3);
  const std::vector<int> large = RoundTripsForReport(600);
  ::testing::Test::RecordProperty("round_trips_3_missions", small[0]);
  ::testing::Test::RecordProperty("round_trips_600_missions", large[0]);
  std::printf("registry round trips per document: 3 missions %d/%d/%d, "
              "600 missions %d/%d/%d\n",
              small[0], small[1], small[2], large[0], large[1], large[2]);
  EXPECT_EQ(small, (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(large, (std::vector<int>{1, 1, 1}));
}

}  // namespace
}  // namespace missions
