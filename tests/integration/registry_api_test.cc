// The registry's resource API (registry.v1.RegistryApi) as a client on the
// wire sees it: the services run in process on 127.0.0.1:0 with real
// storage (every test on SQLite and on PostgreSQL: .../sqlite,
// .../postgresql) and the 2020 data file imported; every call goes through
// a gRPC stub on a loopback channel. One test starts the real
// registry-server binary twice on the same database.
//
// Covered (issue 3, "Done when"): the standard methods' success paths and
// documented errors; more than 40 invalid write requests, each rejected with
// its code and BadRequest field paths and with the stored data unchanged;
// concurrent updates with one etag; request_id replay, also across a server
// restart; paging while another client inserts; as_of reads; the audit log
// (and that the database refuses to alter it); the change feed across a
// reconnect; the domain filter predicates. Issue 10: Update without a
// mask (the fields set) and with `*`; mandate decisions' end and day rules;
// ImportDataset's request_id and empty datasets; BatchWrite.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "proto/common/errors.h"
#include "proto/common/server_runner.h"
#include "registry-service/dataset_file/dataset_file.h"
#include "registry-service/domain/registry.h"
#include "registry-service/domain/resource_api.h"
#include "registry-service/domain/resource_types.h"
#include "registry-service/service/registry_api_service.h"
#include "registry-service/service/registry_service.h"
#include "registry/v1/registry_api.grpc.pb.h"
#include "registry/v1/registry_service.grpc.pb.h"
#include "tests/integration/child_process.h"
#include "tests/integration/test_backends.h"

namespace missions {
namespace {

namespace v1 = ::registry::v1;
using ::google::protobuf::util::MessageDifferencer;
using Stub = v1::RegistryApi::Stub;
using grpc::StatusCode;

const std::string kDataFile = DATA_FILE;
const std::string kRegistryServer = REGISTRY_SERVER_BIN;

// Every unary call gets this deadline, so that nothing can hang.
constexpr std::chrono::seconds kRpcTimeout(10);

// A unary method of the stub, e.g. &Stub::GetMission.
template <typename Req, typename Resp>
using Method = grpc::Status (Stub::*)(grpc::ClientContext*, const Req&, Resp*);

template <typename Req, typename Resp>
grpc::Status CallOn(Stub& stub, Method<Req, Resp> method, const Req& request,
                    std::type_identity_t<Resp>* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kRpcTimeout);
  return (stub.*method)(&context, request, response);
}

// The BadRequest field paths of a status, sorted.
std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  std::sort(fields.begin(), fields.end());
  return fields;
}

// The deprecated AuditEvent.actor and ListAuditEventsRequest.actor, read
// and set in one place.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
std::string DeprecatedActor(const v1::AuditEvent& event) { return event.actor(); }
void SetDeprecatedActor(v1::ListAuditEventsRequest* request, const std::string& actor) {
  request->set_actor(actor);
}
#pragma GCC diagnostic pop

std::string Describe(const grpc::Status& status) {
  return absl::StrCat("code ", static_cast<int>(status.error_code()), ": ",
                      status.error_message());
}

// A deterministic serialization (map order fixed), to compare states.
std::string Bytes(const google::protobuf::Message& m) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&coded);
  }
  return out;
}

google::type::Date MakeDate(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

google::protobuf::Timestamp ToProto(absl::Time time) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(time);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>((time - absl::FromUnixSeconds(seconds)) /
                                    absl::Nanoseconds(1)));
  return ts;
}

// The 2020 data file, read once.
const v1::Dataset& Data2020() {
  static const v1::Dataset* const kData = [] {
    auto parsed = registry::ReadDatasetFile(kDataFile);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    return new v1::Dataset(parsed.ok() ? parsed->dataset : v1::Dataset());
  }();
  return *kData;
}

// --- Valid new records, to be broken one field at a time. -----------------

v1::Mission NewMission() {
  v1::Mission m;
  m.set_short_name("EUCAP Test");
  m.add_aliases("EUCAP-T");
  (*m.mutable_full_name())["en"] = "European Union Test Mission";
  (*m.mutable_location())["nl"] = "Mali";
  m.add_countries("ML");
  m.set_region("regions/africa");
  m.set_cluster("regions/africa/clusters/sahel");
  m.set_report_order(90);
  m.set_lead_organization(v1::LEAD_ORGANIZATION_EU);
  m.set_kind(v1::MISSION_KIND_INTERNATIONAL);
  *m.mutable_start_date() = MakeDate(2019, 1, 15);
  return m;
}

v1::Posting NewPosting() {
  v1::Posting p;
  p.set_year(2021);
  (*p.mutable_function())["nl"] = "adviseur grensbeheer";
  p.set_place("Bamako");
  p.set_category(v1::PERSONNEL_CATEGORY_CIVILIAN);
  p.set_count(2);
  return p;
}

v1::InternationalMandateDecision NewInternationalMandate() {
  v1::InternationalMandateDecision d;
  *d.mutable_decided_on() = MakeDate(2021, 6, 29);
  v1::LegalInstrument* basis = d.add_legal_basis();
  basis->set_kind(v1::INSTRUMENT_KIND_UN_SECURITY_COUNCIL_RESOLUTION);
  basis->set_reference("2584");
  (*basis->mutable_citation())["nl"] = "VNVR resolutie 2584";
  d.mutable_valid_until()->set_kind(v1::EndDate::DATE);
  *d.mutable_valid_until()->mutable_date() = MakeDate(2022, 6, 30);
  return d;
}

v1::NationalMandateDecision NewNationalMandate() {
  v1::NationalMandateDecision d;
  *d.mutable_decided_on() = MakeDate(2021, 11, 1);
  d.mutable_valid_until()->set_kind(v1::EndDate::DATE);
  *d.mutable_valid_until()->mutable_date() = MakeDate(2022, 12, 31);
  d.mutable_cap()->set_military(6);
  d.mutable_cap()->set_civilian(10);
  d.set_reference("Kamerstuk 29521, nr. 430");
  return d;
}

v1::PersonnelFigures NewFigures(int year) {
  v1::PersonnelFigures f;
  f.set_year(year);
  f.set_military(8);
  f.set_civilian(9);
  return f;
}

v1::FinancialContribution NewContribution() {
  v1::FinancialContribution c;
  c.mutable_amount()->set_currency_code("EUR");
  c.mutable_amount()->set_units(250000);
  c.set_first_year(2021);
  c.set_last_year(2022);
  (*c.mutable_purpose())["nl"] = "trustfonds";
  return c;
}

v1::Narrative NewNarrative() {
  v1::Narrative n;
  n.set_year(2021);
  n.set_section(v1::NARRATIVE_SECTION_DEVELOPMENTS);
  n.set_language("nl");
  n.set_text("De missie werd in 2021 verlengd.");
  return n;
}

v1::Region NewRegion() {
  v1::Region r;
  (*r.mutable_display_name())["nl"] = "Poolgebieden";
  (*r.mutable_display_name())["en"] = "Polar regions";
  r.set_report_order(70);
  return r;
}

v1::Cluster NewCluster() {
  v1::Cluster c;
  (*c.mutable_display_name())["nl"] = "Hoorn van Afrika";
  c.set_report_order(40);
  return c;
}

v1::CapPool NewCapPool() {
  v1::CapPool p;
  (*p.mutable_display_name())["nl"] = "EUTM en EUCAP samen";
  p.mutable_cap()->set_combined(12);
  return p;
}

v1::ReportYear NewReportYear(int year) {
  v1::ReportYear y;
  y.set_year(year);
  *y.mutable_publication_date() = MakeDate(year + 1, 5, 18);
  return y;
}

v1::ReportText NewReportText() {
  v1::ReportText t;
  t.set_kind(v1::REPORT_TEXT_KIND_INTRODUCTION);
  t.set_language("de");
  t.set_text("Einleitung.");
  return t;
}

// --- The fixture. -----------------------------------------------------------

class RegistryApiTest : public ::testing::TestWithParam<std::string> {
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
    server_ = std::move(*server);
    address_ = absl::StrCat("127.0.0.1:", server_->port());
    auto channel = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
    stub_ = v1::RegistryApi::NewStub(channel);
    bulk_stub_ = v1::RegistryService::NewStub(channel);

    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kRpcTimeout);
    v1::ImportDatasetRequest request;
    *request.mutable_dataset() = Data2020();
    v1::ImportDatasetResponse response;
    const grpc::Status imported = bulk_stub_->ImportDataset(&context, request, &response);
    ASSERT_TRUE(imported.ok()) << Describe(imported);
    ASSERT_EQ(response.revision(), 1);
  }

  void TearDown() override {
    server_.reset();
    views_.reset();
    store_.reset();
    backend_.reset();
  }

  // A stub on a channel of its own (its own TCP connection, so the server
  // sees another peer).
  std::unique_ptr<Stub> OtherClient() {
    grpc::ChannelArguments args;
    args.SetInt("grpc.use_local_subchannel_pool", 1);
    return v1::RegistryApi::NewStub(
        grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args));
  }

  // OtherClient, once a call through it has succeeded (its connection is
  // up), so that a race between clients is not decided by connecting.
  std::unique_ptr<Stub> ConnectedOtherClient() {
    std::unique_ptr<Stub> stub = OtherClient();
    for (int attempt = 0; attempt < 50; ++attempt) {
      v1::ListRegionsRequest request;
      request.set_page_size(1);
      v1::ListRegionsResponse response;
      if (CallOn(*stub, &Stub::ListRegions, request, &response).ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return stub;
  }

  template <typename Req, typename Resp>
  grpc::Status Call(Method<Req, Resp> method, const Req& request,
                    std::type_identity_t<Resp>* response) {
    return CallOn(*stub_, method, request, response);
  }

  template <typename Req, typename Resp>
  grpc::Status Call(Method<Req, Resp> method, const Req& request) {
    Resp ignored;
    return CallOn(*stub_, method, request, &ignored);
  }

  // The registry's current revision, as a List reports it.
  int64_t Revision() {
    v1::ListRegionsRequest request;
    request.set_page_size(1);
    v1::ListRegionsResponse response;
    const grpc::Status status = Call(&Stub::ListRegions, request, &response);
    EXPECT_TRUE(status.ok()) << Describe(status);
    return response.revision();
  }

  // Every page of a List with deleted records, serialized.
  template <typename Req, typename Resp>
  std::string ListAll(Method<Req, Resp> method, const std::string& parent) {
    Req request;
    if constexpr (requires { request.set_parent(parent); }) request.set_parent(parent);
    request.set_page_size(500);
    request.set_show_deleted(true);
    std::string out;
    for (int page = 0; page < 50; ++page) {
      Resp response;
      const grpc::Status status = Call(method, request, &response);
      EXPECT_TRUE(status.ok()) << Describe(status);
      if (!status.ok()) break;
      const std::string token = response.next_page_token();
      response.clear_next_page_token();  // signed: differs per call
      out += Bytes(response);
      if (token.empty()) break;
      request.set_page_token(token);
    }
    return out;
  }

  // Everything the registry holds, every kind, deleted records included.
  std::string Dump() {
    return absl::StrCat(
        Revision(), "|", ListAll(&Stub::ListRegions, ""), ListAll(&Stub::ListClusters, "regions/-"),
        ListAll(&Stub::ListCapPools, ""), ListAll(&Stub::ListReportYears, ""),
        ListAll(&Stub::ListReportTexts, "reportYears/-"), ListAll(&Stub::ListMissions, ""),
        ListAll(&Stub::ListInternationalMandateDecisions, "missions/-"),
        ListAll(&Stub::ListNationalMandateDecisions, "missions/-"),
        ListAll(&Stub::ListPersonnelFigures, "missions/-"),
        ListAll(&Stub::ListPostings, "missions/-"),
        ListAll(&Stub::ListFinancialContributions, "missions/-"),
        ListAll(&Stub::ListNarratives, "missions/-"));
  }

  v1::Mission GetMission(const std::string& name) {
    v1::GetMissionRequest request;
    request.set_name(name);
    v1::Mission mission;
    const grpc::Status status = Call(&Stub::GetMission, request, &mission);
    EXPECT_TRUE(status.ok()) << name << ": " << Describe(status);
    return mission;
  }

  v1::Posting GetPosting(const std::string& name) {
    v1::GetPostingRequest request;
    request.set_name(name);
    v1::Posting posting;
    const grpc::Status status = Call(&Stub::GetPosting, request, &posting);
    EXPECT_TRUE(status.ok()) << name << ": " << Describe(status);
    return posting;
  }

  // Updates the mission's short name (mask short_name) with `etag`.
  grpc::Status RenameMission(Stub& stub, const std::string& name, const std::string& short_name,
                             const std::string& etag, v1::Mission* response = nullptr) {
    v1::UpdateMissionRequest request;
    request.mutable_mission()->set_name(name);
    request.mutable_mission()->set_short_name(short_name);
    request.mutable_mission()->set_etag(etag);
    request.mutable_update_mask()->add_paths("short_name");
    v1::Mission ignored;
    return CallOn(stub, &Stub::UpdateMission, request, response ? response : &ignored);
  }

  // Names of the missions a filter selects (one page of at most 500).
  std::set<std::string> MissionsMatching(const std::string& filter) {
    v1::ListMissionsRequest request;
    request.set_filter(filter);
    request.set_page_size(500);
    v1::ListMissionsResponse response;
    const grpc::Status status = Call(&Stub::ListMissions, request, &response);
    EXPECT_TRUE(status.ok()) << filter << ": " << Describe(status);
    std::set<std::string> names;
    for (const auto& m : response.missions()) names.insert(m.name());
    return names;
  }

  // Every audit event matching `request` (all pages).
  std::vector<v1::AuditEvent> Audit(v1::ListAuditEventsRequest request) {
    std::vector<v1::AuditEvent> events;
    request.set_page_size(100);
    for (int page = 0; page < 100; ++page) {
      v1::ListAuditEventsResponse response;
      const grpc::Status status = Call(&Stub::ListAuditEvents, request, &response);
      EXPECT_TRUE(status.ok()) << Describe(status);
      if (!status.ok()) break;
      events.insert(events.end(), response.audit_events().begin(),
                    response.audit_events().end());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return events;
  }

  // Reads the change feed after `after_revision` until `want` events came
  // or `timeout` passed, then hangs up.
  std::vector<v1::AuditEvent> Watch(int64_t after_revision, size_t want,
                                    absl::Duration timeout = absl::Seconds(5)) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    v1::WatchChangesRequest request;
    request.set_after_revision(after_revision);
    std::unique_ptr<grpc::ClientReader<v1::ChangeEvent>> reader =
        stub_->WatchChanges(&context, request);
    std::vector<v1::AuditEvent> events;
    v1::ChangeEvent event;
    while (events.size() < want && reader->Read(&event)) events.push_back(event.event());
    context.TryCancel();
    reader->Finish().IgnoreError();
    return events;
  }

  std::unique_ptr<testing::TestBackend> backend_;
  std::string address_;
  std::unique_ptr<registry::RecordStore> store_;
  std::unique_ptr<registry::ViewKeeper> views_;
  std::unique_ptr<registry::Registry> registry_;
  // In-process services without authentication (the real server's checks
  // are tested in auth_test.cc).
  std::unique_ptr<AccessControl> access_ = AccessControl::AllowAll();
  std::unique_ptr<registry::RegistryServiceImpl> registry_service_;
  std::unique_ptr<registry::ResourceApi> api_;
  std::unique_ptr<registry::RegistryApiService> api_service_;
  std::unique_ptr<RunningServer> server_;
  std::unique_ptr<Stub> stub_;
  std::unique_ptr<v1::RegistryService::Stub> bulk_stub_;
};

// --- 1. Standard methods: success paths and documented errors. --------------

TEST_P(RegistryApiTest, GetReturnsRecordsOfEachKindAndNamesItsErrors) {
  const v1::Mission minusma = GetMission("missions/minusma");
  EXPECT_EQ(minusma.short_name(), "MINUSMA");
  EXPECT_EQ(minusma.region(), "regions/africa");
  EXPECT_EQ(minusma.etag(), registry::EtagFor(1));
  EXPECT_TRUE(minusma.has_create_time());
  EXPECT_FALSE(minusma.has_delete_time());

  const v1::Posting posting = GetPosting("missions/minusma/postings/2020-staff-officers-bamako");
  EXPECT_EQ(posting.count(), 3);
  EXPECT_EQ(posting.place(), "Bamako");
  {
    v1::GetClusterRequest request;
    request.set_name("regions/africa/clusters/sahel");
    v1::Cluster cluster;
    ASSERT_TRUE(Call(&Stub::GetCluster, request, &cluster).ok());
    EXPECT_EQ(cluster.display_name().at("nl"), "Sahel");
  }
  {
    v1::GetCapPoolRequest request;
    request.set_name("capPools/eucap-sahel");
    v1::CapPool pool;
    ASSERT_TRUE(Call(&Stub::GetCapPool, request, &pool).ok());
    EXPECT_EQ(pool.cap().combined(), 15);
  }
  {
    v1::GetReportTextRequest request;
    request.set_name("reportYears/2020/texts/closing-nl");
    v1::ReportText text;
    ASSERT_TRUE(Call(&Stub::GetReportText, request, &text).ok());
    EXPECT_EQ(text.kind(), v1::REPORT_TEXT_KIND_CLOSING);
  }
  {
    v1::GetInternationalMandateDecisionRequest request;
    request.set_name("missions/minusma/internationalMandates/unscr-2531");
    v1::InternationalMandateDecision decision;
    ASSERT_TRUE(Call(&Stub::GetInternationalMandateDecision, request, &decision).ok());
    ASSERT_EQ(decision.legal_basis_size(), 1);
    EXPECT_EQ(decision.legal_basis(0).reference(), "2531");
  }
  {
    v1::GetPersonnelFiguresRequest request;
    request.set_name("missions/minusma/personnelFigures/2020");
    v1::PersonnelFigures figures;
    ASSERT_TRUE(Call(&Stub::GetPersonnelFigures, request, &figures).ok());
    EXPECT_EQ(figures.military(), 10);
    EXPECT_EQ(figures.civilian(), 11);
  }

  // Errors.
  v1::GetMissionRequest request;
  request.set_name("missions/atlantis");
  EXPECT_EQ(Call(&Stub::GetMission, request).error_code(), StatusCode::NOT_FOUND);
  for (const char* bad : {"Missions/MINUSMA", "", "missions/minusma/postings/x", "missions/"}) {
    request.set_name(bad);
    const grpc::Status status = Call(&Stub::GetMission, request);
    EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"name"}) << bad;
  }
  v1::GetPostingRequest wrong_kind;
  wrong_kind.set_name("missions/minusma");
  EXPECT_EQ(FieldsOf(Call(&Stub::GetPosting, wrong_kind)), std::vector<std::string>{"name"});
}

TEST_P(RegistryApiTest, BatchGetReturnsAllInRequestOrderOrNothing) {
  v1::BatchGetMissionsRequest request;
  for (const char* name : {"missions/unifil", "missions/minusma", "missions/eulex-kosovo"}) {
    request.add_names(name);
  }
  v1::BatchGetMissionsResponse response;
  ASSERT_TRUE(Call(&Stub::BatchGetMissions, request, &response).ok());
  ASSERT_EQ(response.missions_size(), 3);
  EXPECT_EQ(response.missions(0).short_name(), "UNIFIL");
  EXPECT_EQ(response.missions(1).short_name(), "MINUSMA");
  EXPECT_EQ(response.missions(2).short_name(), "EULEX");
  EXPECT_EQ(response.revision(), 1);

  v1::BatchGetPostingsRequest postings;
  postings.set_parent("missions/minusma");
  postings.add_names("missions/minusma/postings/2020-ipo-second-half");
  postings.add_names("missions/minusma/postings/2020-staff-officers-bamako");
  v1::BatchGetPostingsResponse posting_response;
  ASSERT_TRUE(Call(&Stub::BatchGetPostings, postings, &posting_response).ok());
  ASSERT_EQ(posting_response.postings_size(), 2);
  EXPECT_EQ(posting_response.postings(0).count(), 4);
  EXPECT_EQ(posting_response.postings(1).count(), 3);

  // One missing name fails the whole call and names it.
  request.add_names("missions/atlantis");
  grpc::Status status = Call(&Stub::BatchGetMissions, request);
  EXPECT_EQ(status.error_code(), StatusCode::NOT_FOUND);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "missions/atlantis"))
      << status.error_message();
  // Malformed names are named by index.
  request.set_names(3, "missions/Atlantis");
  status = Call(&Stub::BatchGetMissions, request);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"names[3]"});
  EXPECT_EQ(FieldsOf(Call(&Stub::BatchGetMissions, v1::BatchGetMissionsRequest())),
            std::vector<std::string>{"names"});
  // With a parent, every name must lie under it.
  postings.set_parent("missions/unifil");
  status = Call(&Stub::BatchGetPostings, postings);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(status), (std::vector<std::string>{"names[0]", "names[1]"}));
}

TEST_P(RegistryApiTest, ListFiltersOrdersPagesAndShowsDeleted) {
  // filter and order_by.
  v1::ListMissionsRequest eu;
  eu.set_filter("lead_organization = EU");
  eu.set_order_by("short_name desc");
  v1::ListMissionsResponse eu_missions;
  ASSERT_TRUE(Call(&Stub::ListMissions, eu, &eu_missions).ok());
  int expected_eu = 0;
  for (const auto& record : Data2020().missions()) {
    if (record.mission().lead_organization() == v1::LEAD_ORGANIZATION_EU) ++expected_eu;
  }
  ASSERT_GT(expected_eu, 5);
  EXPECT_EQ(eu_missions.missions_size(), expected_eu);
  for (int i = 0; i < eu_missions.missions_size(); ++i) {
    EXPECT_EQ(eu_missions.missions(i).lead_organization(), v1::LEAD_ORGANIZATION_EU);
    if (i > 0) {
      EXPECT_GE(eu_missions.missions(i - 1).short_name(), eu_missions.missions(i).short_name());
    }
  }
  v1::ListMissionsRequest by_order;
  by_order.set_order_by("report_order, short_name");
  by_order.set_filter("region = \"regions/africa\"");
  v1::ListMissionsResponse ordered;
  ASSERT_TRUE(Call(&Stub::ListMissions, by_order, &ordered).ok());
  ASSERT_GT(ordered.missions_size(), 3);
  for (int i = 1; i < ordered.missions_size(); ++i) {
    EXPECT_LE(ordered.missions(i - 1).report_order(), ordered.missions(i).report_order());
  }

  // Paging across all missions' postings: the pages together are the
  // single-page answer, each at most page_size long.
  v1::ListPostingsRequest all;
  all.set_parent("missions/-");
  all.set_page_size(500);
  v1::ListPostingsResponse everything;
  ASSERT_TRUE(Call(&Stub::ListPostings, all, &everything).ok());
  EXPECT_TRUE(everything.next_page_token().empty());
  ASSERT_GT(everything.postings_size(), 20);
  std::vector<std::string> expected, paged;
  for (const auto& p : everything.postings()) expected.push_back(p.name());
  v1::ListPostingsRequest pages = all;
  pages.set_page_size(7);
  int page_count = 0;
  for (; page_count < 100; ++page_count) {
    v1::ListPostingsResponse page;
    ASSERT_TRUE(Call(&Stub::ListPostings, pages, &page).ok());
    EXPECT_LE(page.postings_size(), 7);
    for (const auto& p : page.postings()) paged.push_back(p.name());
    if (page.next_page_token().empty()) break;
    pages.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(paged, expected);
  EXPECT_EQ(page_count + 1, (everything.postings_size() + 6) / 7);
  // An oversized page is coerced down, not refused.
  v1::ListPostingsRequest huge = all;
  huge.set_page_size(1 << 30);
  v1::ListPostingsResponse coerced;
  ASSERT_TRUE(Call(&Stub::ListPostings, huge, &coerced).ok());
  EXPECT_EQ(coerced.postings_size(), everything.postings_size());

  // Under one parent; show_deleted.
  v1::ListPostingsRequest minusma;
  minusma.set_parent("missions/minusma");
  v1::ListPostingsResponse listed;
  ASSERT_TRUE(Call(&Stub::ListPostings, minusma, &listed).ok());
  EXPECT_EQ(listed.postings_size(), 5);
  for (const auto& p : listed.postings()) EXPECT_TRUE(p.name().starts_with("missions/minusma/"));
  v1::DeletePostingRequest remove;
  remove.set_name("missions/minusma/postings/2020-ipo-first-half");
  ASSERT_TRUE(Call(&Stub::DeletePosting, remove).ok());
  ASSERT_TRUE(Call(&Stub::ListPostings, minusma, &listed).ok());
  EXPECT_EQ(listed.postings_size(), 4);
  minusma.set_show_deleted(true);
  ASSERT_TRUE(Call(&Stub::ListPostings, minusma, &listed).ok());
  ASSERT_EQ(listed.postings_size(), 5);
  int deleted = 0;
  for (const auto& p : listed.postings()) deleted += p.has_delete_time() ? 1 : 0;
  EXPECT_EQ(deleted, 1);

  // Errors, each naming its field.
  v1::ListPostingsRequest no_parent;
  EXPECT_EQ(FieldsOf(Call(&Stub::ListPostings, no_parent)), std::vector<std::string>{"parent"});
  no_parent.set_parent("missions/Minusma");
  EXPECT_EQ(FieldsOf(Call(&Stub::ListPostings, no_parent)), std::vector<std::string>{"parent"});
  v1::ListMissionsRequest bad_order;
  bad_order.set_order_by("no_such_field");
  EXPECT_EQ(FieldsOf(Call(&Stub::ListMissions, bad_order)), std::vector<std::string>{"order_by"});
  // A token is bound to its request and cannot be forged.
  v1::ListPostingsRequest first = all;
  first.set_page_size(2);
  v1::ListPostingsResponse first_page;
  ASSERT_TRUE(Call(&Stub::ListPostings, first, &first_page).ok());
  ASSERT_FALSE(first_page.next_page_token().empty());
  v1::ListPostingsRequest other = first;
  other.set_filter("year = 2020");
  other.set_page_token(first_page.next_page_token());
  EXPECT_EQ(FieldsOf(Call(&Stub::ListPostings, other)), std::vector<std::string>{"page_token"});
  std::string forged = first_page.next_page_token();
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  first.set_page_token(forged);
  EXPECT_EQ(FieldsOf(Call(&Stub::ListPostings, first)), std::vector<std::string>{"page_token"});
}

TEST_P(RegistryApiTest, CreateStoresEveryKindWithTheCallersIdAndRejectsDuplicates) {
  int64_t revision = Revision();
  // Each create is one revision and reads back as returned.
  const auto created = [&](const grpc::Status& status, const std::string& what) {
    EXPECT_TRUE(status.ok()) << what << ": " << Describe(status);
    EXPECT_EQ(Revision(), ++revision) << what;
  };
  {
    v1::CreateMissionRequest request;
    request.set_mission_id("eucap-test");
    *request.mutable_mission() = NewMission();
    request.mutable_mission()->set_name("missions/ignored");
    request.mutable_mission()->set_etag("ignored");
    v1::Mission mission;
    created(Call(&Stub::CreateMission, request, &mission), "mission");
    EXPECT_EQ(mission.name(), "missions/eucap-test");
    EXPECT_EQ(mission.etag(), registry::EtagFor(revision));
    EXPECT_TRUE(mission.has_create_time());
    EXPECT_TRUE(MessageDifferencer::Equals(GetMission("missions/eucap-test"), mission));
  }
  {
    v1::CreatePostingRequest request;
    request.set_parent("missions/eucap-test");
    request.set_posting_id("2021-advisers");
    *request.mutable_posting() = NewPosting();
    v1::Posting posting;
    created(Call(&Stub::CreatePosting, request, &posting), "posting");
    EXPECT_EQ(posting.name(), "missions/eucap-test/postings/2021-advisers");
    EXPECT_EQ(GetPosting(posting.name()).count(), 2);
  }
  {
    v1::CreateRegionRequest request;
    request.set_region_id("polar");
    *request.mutable_region() = NewRegion();
    v1::Region region;
    created(Call(&Stub::CreateRegion, request, &region), "region");
    EXPECT_EQ(region.name(), "regions/polar");
  }
  {
    v1::CreateClusterRequest request;
    request.set_parent("regions/africa");
    request.set_cluster_id("horn");
    *request.mutable_cluster() = NewCluster();
    v1::Cluster cluster;
    created(Call(&Stub::CreateCluster, request, &cluster), "cluster");
    EXPECT_EQ(cluster.name(), "regions/africa/clusters/horn");
  }
  {
    v1::CreateCapPoolRequest request;
    request.set_cap_pool_id("eutm-eucap");
    *request.mutable_cap_pool() = NewCapPool();
    created(Call(&Stub::CreateCapPool, request), "cap pool");
  }
  {
    v1::CreateReportYearRequest request;
    request.set_report_year_id("2021");
    *request.mutable_report_year() = NewReportYear(2021);
    v1::ReportYear year;
    created(Call(&Stub::CreateReportYear, request, &year), "report year");
    EXPECT_EQ(year.name(), "reportYears/2021");
  }
  {
    v1::CreateReportTextRequest request;
    request.set_parent("reportYears/2020");
    request.set_report_text_id("introduction-de");
    *request.mutable_report_text() = NewReportText();
    created(Call(&Stub::CreateReportText, request), "report text");
  }
  {
    v1::CreateInternationalMandateDecisionRequest request;
    request.set_parent("missions/minusma");
    request.set_international_mandate_decision_id("unscr-2584");
    *request.mutable_international_mandate_decision() = NewInternationalMandate();
    created(Call(&Stub::CreateInternationalMandateDecision, request), "international mandate");
  }
  {
    v1::CreateNationalMandateDecisionRequest request;
    request.set_parent("missions/minusma");
    request.set_national_mandate_decision_id("until-2022-12-31");
    *request.mutable_national_mandate_decision() = NewNationalMandate();
    created(Call(&Stub::CreateNationalMandateDecision, request), "national mandate");
  }
  {
    v1::CreatePersonnelFiguresRequest request;
    request.set_parent("missions/minusma");
    request.set_personnel_figures_id("2021");
    *request.mutable_personnel_figures() = NewFigures(2021);
    created(Call(&Stub::CreatePersonnelFigures, request), "personnel figures");
  }
  {
    v1::CreateFinancialContributionRequest request;
    request.set_parent("missions/minusma");
    request.set_financial_contribution_id("trust-fund");
    *request.mutable_financial_contribution() = NewContribution();
    created(Call(&Stub::CreateFinancialContribution, request), "financial contribution");
  }
  {
    v1::CreateNarrativeRequest request;
    request.set_parent("missions/minusma");
    request.set_narrative_id("2021-developments-nl");
    *request.mutable_narrative() = NewNarrative();
    created(Call(&Stub::CreateNarrative, request), "narrative");
  }

  // validate_only checks and stores nothing.
  v1::CreateMissionRequest dry_run;
  dry_run.set_mission_id("dry-run");
  *dry_run.mutable_mission() = NewMission();
  dry_run.set_validate_only(true);
  v1::Mission checked;
  ASSERT_TRUE(Call(&Stub::CreateMission, dry_run, &checked).ok());
  EXPECT_EQ(checked.name(), "missions/dry-run");
  v1::GetMissionRequest get;
  get.set_name("missions/dry-run");
  EXPECT_EQ(Call(&Stub::GetMission, get).error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(Revision(), revision);

  // ALREADY_EXISTS for a taken name, also with validate_only and also when
  // the holder is deleted.
  v1::CreateMissionRequest duplicate;
  duplicate.set_mission_id("minusma");
  *duplicate.mutable_mission() = NewMission();
  EXPECT_EQ(Call(&Stub::CreateMission, duplicate).error_code(), StatusCode::ALREADY_EXISTS);
  duplicate.set_validate_only(true);
  EXPECT_EQ(Call(&Stub::CreateMission, duplicate).error_code(), StatusCode::ALREADY_EXISTS);
  v1::DeleteMissionRequest remove;
  remove.set_name("missions/eucap-test");
  remove.set_force(true);
  ASSERT_TRUE(Call(&Stub::DeleteMission, remove).ok());
  revision = Revision();
  duplicate.set_mission_id("eucap-test");
  duplicate.set_validate_only(false);
  EXPECT_EQ(Call(&Stub::CreateMission, duplicate).error_code(), StatusCode::ALREADY_EXISTS);

  // NOT_FOUND for a parent that does not exist (or is deleted).
  v1::CreatePostingRequest orphan;
  orphan.set_parent("missions/atlantis");
  orphan.set_posting_id("2021-advisers");
  *orphan.mutable_posting() = NewPosting();
  EXPECT_EQ(Call(&Stub::CreatePosting, orphan).error_code(), StatusCode::NOT_FOUND);
  orphan.set_parent("missions/eucap-test");
  orphan.set_posting_id("2021-more-advisers");
  EXPECT_EQ(Call(&Stub::CreatePosting, orphan).error_code(), StatusCode::NOT_FOUND);
  v1::CreateClusterRequest cluster;
  cluster.set_parent("regions/atlantis");
  cluster.set_cluster_id("horn");
  *cluster.mutable_cluster() = NewCluster();
  EXPECT_EQ(Call(&Stub::CreateCluster, cluster).error_code(), StatusCode::NOT_FOUND);
  v1::CreateReportTextRequest text;
  text.set_parent("reportYears/2031");
  text.set_report_text_id("introduction-de");
  *text.mutable_report_text() = NewReportText();
  EXPECT_EQ(Call(&Stub::CreateReportText, text).error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(Revision(), revision);
}

TEST_P(RegistryApiTest, UpdateChangesOnlyTheMaskedFields) {
  const v1::Mission before = GetMission("missions/minusma");
  v1::UpdateMissionRequest request;
  *request.mutable_mission() = before;
  request.mutable_mission()->set_short_name("MINUSMA (Mali)");
  (*request.mutable_mission()->mutable_location())["nl"] = "not applied";
  request.mutable_update_mask()->add_paths("short_name");
  v1::Mission after;
  ASSERT_TRUE(Call(&Stub::UpdateMission, request, &after).ok());
  EXPECT_EQ(after.short_name(), "MINUSMA (Mali)");
  EXPECT_EQ(after.location().at("nl"), "Mali");
  EXPECT_NE(after.etag(), before.etag());
  EXPECT_EQ(after.etag(), registry::EtagFor(2));
  EXPECT_TRUE(MessageDifferencer::Equals(after.create_time(), before.create_time()));
  EXPECT_GT(after.update_time().seconds() * 1000000000LL + after.update_time().nanos(),
            before.update_time().seconds() * 1000000000LL + before.update_time().nanos());
  EXPECT_TRUE(MessageDifferencer::Equals(GetMission("missions/minusma"), after));

  // With the current etag; a nested path.
  v1::UpdateInternationalMandateDecisionRequest nested;
  v1::GetInternationalMandateDecisionRequest get;
  get.set_name("missions/minusma/internationalMandates/unscr-2531");
  v1::InternationalMandateDecision decision;
  ASSERT_TRUE(Call(&Stub::GetInternationalMandateDecision, get, &decision).ok());
  *nested.mutable_international_mandate_decision() = decision;
  *nested.mutable_international_mandate_decision()->mutable_valid_until()->mutable_date() =
      MakeDate(2021, 7, 31);
  nested.mutable_international_mandate_decision()->set_source("changed too, but not masked");
  nested.mutable_update_mask()->add_paths("valid_until.date");
  v1::InternationalMandateDecision updated;
  ASSERT_TRUE(Call(&Stub::UpdateInternationalMandateDecision, nested, &updated).ok());
  EXPECT_EQ(updated.valid_until().date().month(), 7);
  EXPECT_EQ(updated.valid_until().kind(), v1::EndDate::DATE);
  EXPECT_EQ(updated.source(), decision.source());

  // A mask of `*` replaces every writable field.
  v1::UpdateMissionRequest replace;
  *replace.mutable_mission() = after;
  replace.mutable_mission()->clear_aliases();
  replace.mutable_mission()->set_report_order(11);
  replace.mutable_update_mask()->add_paths("*");
  v1::Mission replaced;
  ASSERT_TRUE(Call(&Stub::UpdateMission, replace, &replaced).ok());
  EXPECT_EQ(replaced.aliases_size(), 0);
  EXPECT_EQ(replaced.report_order(), 11);
  const int64_t revision = Revision();

  // validate_only and a change that changes nothing store nothing.
  request.set_validate_only(true);
  request.mutable_mission()->set_etag(replaced.etag());
  request.mutable_mission()->set_short_name("only checked");
  v1::Mission checked;
  ASSERT_TRUE(Call(&Stub::UpdateMission, request, &checked).ok());
  EXPECT_EQ(checked.short_name(), "only checked");
  EXPECT_EQ(GetMission("missions/minusma").short_name(), "MINUSMA (Mali)");
  request.set_validate_only(false);
  request.mutable_mission()->set_short_name("MINUSMA (Mali)");
  ASSERT_TRUE(Call(&Stub::UpdateMission, request).ok());
  EXPECT_EQ(Revision(), revision);

  // Documented errors.
  EXPECT_EQ(RenameMission(*stub_, "missions/minusma", "stale", before.etag()).error_code(),
            StatusCode::ABORTED);
  EXPECT_EQ(RenameMission(*stub_, "missions/atlantis", "none", "").error_code(),
            StatusCode::NOT_FOUND);
  v1::DeletePostingRequest remove;
  remove.set_name("missions/minusma/postings/2020-ipo-first-half");
  ASSERT_TRUE(Call(&Stub::DeletePosting, remove).ok());
  v1::UpdatePostingRequest deleted;
  deleted.mutable_posting()->set_name(remove.name());
  deleted.mutable_posting()->set_count(9);
  deleted.mutable_update_mask()->add_paths("count");
  EXPECT_EQ(Call(&Stub::UpdatePosting, deleted).error_code(), StatusCode::FAILED_PRECONDITION);
  v1::UpdateMissionRequest bad_mask = request;
  bad_mask.mutable_update_mask()->set_paths(0, "short_nam");
  const grpc::Status status = Call(&Stub::UpdateMission, bad_mask);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"update_mask.paths[0]"});
}

TEST_P(RegistryApiTest, DeleteIsSoftNeedsForceForChildrenAndUndeleteRestores) {
  const v1::Mission minusma = GetMission("missions/minusma");
  const int64_t revision = Revision();
  v1::DeleteMissionRequest remove;
  remove.set_name("missions/minusma");
  remove.set_etag(minusma.etag());
  grpc::Status status = Call(&Stub::DeleteMission, remove);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION) << Describe(status);
  remove.set_force(true);
  remove.set_validate_only(true);
  ASSERT_TRUE(Call(&Stub::DeleteMission, remove).ok());
  EXPECT_EQ(Revision(), revision);
  EXPECT_FALSE(GetMission("missions/minusma").has_delete_time());

  remove.set_validate_only(false);
  remove.set_reason("Kamerstuk 29521, nr. 999 (test)");
  v1::Mission deleted;
  ASSERT_TRUE(Call(&Stub::DeleteMission, remove, &deleted).ok());
  EXPECT_TRUE(deleted.has_delete_time());
  EXPECT_EQ(Revision(), revision + 1);
  // Soft: still readable, gone from List unless show_deleted.
  EXPECT_TRUE(GetMission("missions/minusma").has_delete_time());
  EXPECT_FALSE(MissionsMatching("").count("missions/minusma"));
  v1::ListMissionsRequest with_deleted;
  with_deleted.set_show_deleted(true);
  with_deleted.set_filter("short_name = MINUSMA");
  v1::ListMissionsResponse listed;
  ASSERT_TRUE(Call(&Stub::ListMissions, with_deleted, &listed).ok());
  ASSERT_EQ(listed.missions_size(), 1);
  // force took the children with it.
  v1::ListPostingsRequest postings;
  postings.set_parent("missions/minusma");
  v1::ListPostingsResponse children;
  ASSERT_TRUE(Call(&Stub::ListPostings, postings, &children).ok());
  EXPECT_EQ(children.postings_size(), 0);
  postings.set_show_deleted(true);
  ASSERT_TRUE(Call(&Stub::ListPostings, postings, &children).ok());
  EXPECT_EQ(children.postings_size(), 5);
  for (const auto& p : children.postings()) EXPECT_TRUE(p.has_delete_time()) << p.name();

  // Deleted: no second delete, no update, no undelete of a child first.
  EXPECT_EQ(Call(&Stub::DeleteMission, remove).error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RenameMission(*stub_, "missions/minusma", "X", "").error_code(),
            StatusCode::FAILED_PRECONDITION);
  v1::UndeletePostingRequest child;
  child.set_name("missions/minusma/postings/2020-staff-officers-bamako");
  EXPECT_EQ(Call(&Stub::UndeletePosting, child).error_code(), StatusCode::FAILED_PRECONDITION);

  // Undelete: stale etag, then the current one.
  v1::UndeleteMissionRequest restore;
  restore.set_name("missions/minusma");
  restore.set_etag(minusma.etag());
  EXPECT_EQ(Call(&Stub::UndeleteMission, restore).error_code(), StatusCode::ABORTED);
  restore.set_etag(deleted.etag());
  v1::Mission restored;
  ASSERT_TRUE(Call(&Stub::UndeleteMission, restore, &restored).ok());
  EXPECT_FALSE(restored.has_delete_time());
  EXPECT_EQ(restored.short_name(), "MINUSMA");
  EXPECT_TRUE(MissionsMatching("").count("missions/minusma"));
  // The children stay deleted until undeleted one by one.
  EXPECT_TRUE(GetPosting(child.name()).has_delete_time());
  ASSERT_TRUE(Call(&Stub::UndeletePosting, child).ok());
  EXPECT_FALSE(GetPosting(child.name()).has_delete_time());
  restore.clear_etag();
  EXPECT_EQ(Call(&Stub::UndeleteMission, restore).error_code(), StatusCode::FAILED_PRECONDITION);

  // Records others refer to cannot go, force or not.
  v1::DeleteRegionRequest region;
  region.set_name("regions/africa");
  region.set_force(true);
  EXPECT_EQ(Call(&Stub::DeleteRegion, region).error_code(), StatusCode::FAILED_PRECONDITION);
  v1::DeleteCapPoolRequest pool;
  pool.set_name("capPools/eucap-sahel");
  EXPECT_EQ(Call(&Stub::DeleteCapPool, pool).error_code(), StatusCode::FAILED_PRECONDITION);
  v1::DeletePostingRequest missing;
  missing.set_name("missions/minusma/postings/none");
  EXPECT_EQ(Call(&Stub::DeletePosting, missing).error_code(), StatusCode::NOT_FOUND);
  // A region nobody refers to can.
  v1::CreateRegionRequest create;
  create.set_region_id("polar");
  *create.mutable_region() = NewRegion();
  ASSERT_TRUE(Call(&Stub::CreateRegion, create).ok());
  region.set_name("regions/polar");
  region.set_force(false);
  EXPECT_TRUE(Call(&Stub::DeleteRegion, region).ok());
}

// Four identical calls with one request_id at once, each on its own
// connection, for Create, Update and Delete: every call gets the first
// call's response and the change is applied once (issue: some got ABORTED,
// ALREADY_EXISTS or FAILED_PRECONDITION, and a client following the guide
// would have applied its change twice).
TEST_P(RegistryApiTest, ConcurrentCallsWithOneRequestIdAllGetTheFirstResponse) {
  constexpr int kCalls = 4;
  constexpr int kRounds = 10;
  std::vector<std::unique_ptr<Stub>> clients;
  for (int i = 0; i < kCalls; ++i) clients.push_back(ConnectedOtherClient());
  // Sends `request` through every client at once; returns the responses.
  const auto race = [&]<typename Req, typename Resp>(Method<Req, Resp> method,
                                                     const Req& request) {
    std::vector<grpc::Status> statuses(kCalls);
    std::vector<Resp> responses(kCalls);
    std::vector<std::thread> threads;
    std::atomic<int> ready{0};
    for (int i = 0; i < kCalls; ++i) {
      threads.emplace_back([&, i] {
        ++ready;
        while (ready < kCalls) std::this_thread::yield();
        statuses[i] = CallOn(*clients[i], method, request, &responses[i]);
      });
    }
    for (std::thread& t : threads) t.join();
    for (int i = 0; i < kCalls; ++i) {
      EXPECT_TRUE(statuses[i].ok()) << "call " << i << ": " << Describe(statuses[i]);
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(responses[i], responses[0]))
          << "call " << i << " got another response: " << responses[i].ShortDebugString()
          << " vs " << responses[0].ShortDebugString();
    }
    return responses;
  };
  for (int round = 0; round < kRounds; ++round) {
    const int64_t before = Revision();
    const std::string id = absl::StrCat("race-", round);
    v1::CreateRegionRequest create;
    create.set_region_id(id);
    *create.mutable_region() = NewRegion();
    create.set_request_id(absl::StrCat("create-", id));
    const std::vector<v1::Region> created = race(&Stub::CreateRegion, create);

    v1::UpdateRegionRequest update;
    *update.mutable_region() = created[0];
    update.mutable_region()->set_report_order(90 + round);
    update.mutable_update_mask()->add_paths("report_order");
    update.set_request_id(absl::StrCat("update-", id));
    const std::vector<v1::Region> updated = race(&Stub::UpdateRegion, update);
    EXPECT_EQ(updated[0].report_order(), 90 + round);

    v1::DeleteRegionRequest remove;
    remove.set_name(created[0].name());
    remove.set_etag(updated[0].etag());
    remove.set_request_id(absl::StrCat("delete-", id));
    race(&Stub::DeleteRegion, remove);
    // Three changes, three revisions: none applied twice.
    EXPECT_EQ(Revision(), before + 3) << "round " << round;
  }
}

// A write is checked against the state its commit follows: a cluster
// created while its region is deleted either lands first (and the delete
// is refused: the region has a live record under it) or is refused with
// NOT_FOUND for its parent; never both succeed, and never the storage's
// integrity error (FAILED_PRECONDITION with SQLite's or PostgreSQL's text).
TEST_P(RegistryApiTest, ReferencesAreCheckedAgainstTheStateTheCommitFollows) {
  constexpr int kRounds = 20;
  auto deleter = ConnectedOtherClient();
  int both_refused = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string region_id = absl::StrCat("contested-", round);
    v1::CreateRegionRequest region;
    region.set_region_id(region_id);
    *region.mutable_region() = NewRegion();
    ASSERT_TRUE(Call(&Stub::CreateRegion, region).ok());
    v1::CreateClusterRequest cluster;
    cluster.set_parent("regions/" + region_id);
    cluster.set_cluster_id("c");
    *cluster.mutable_cluster() = NewCluster();
    v1::DeleteRegionRequest remove;
    remove.set_name("regions/" + region_id);
    grpc::Status created;
    grpc::Status deleted;
    std::atomic<int> ready{0};
    std::thread create_thread([&] {
      ++ready;
      while (ready < 2) std::this_thread::yield();
      v1::Cluster out;
      created = Call(&Stub::CreateCluster, cluster, &out);
    });
    std::thread delete_thread([&] {
      ++ready;
      while (ready < 2) std::this_thread::yield();
      v1::Region out;
      deleted = CallOn(*deleter, &Stub::DeleteRegion, remove, &out);
    });
    create_thread.join();
    delete_thread.join();
    EXPECT_FALSE(created.ok() && deleted.ok()) << "round " << round << ": both succeeded";
    if (created.ok()) {
      EXPECT_EQ(deleted.error_code(), StatusCode::FAILED_PRECONDITION) << Describe(deleted);
      EXPECT_NE(deleted.error_message().find("live record"), std::string::npos)
          << Describe(deleted);
    } else if (deleted.ok()) {
      EXPECT_EQ(created.error_code(), StatusCode::NOT_FOUND) << Describe(created);
    } else {
      ++both_refused;
    }
    for (const grpc::Status& status : {created, deleted}) {
      EXPECT_EQ(status.error_message().find("FOREIGN KEY"), std::string::npos) << Describe(status);
      EXPECT_EQ(status.error_message().find("foreign key"), std::string::npos) << Describe(status);
    }
  }
  EXPECT_EQ(both_refused, 0);
}

// --- 2. Invalid writes: right code, right field, nothing stored. -------------

struct InvalidRequest {
  std::string name;
  std::function<grpc::Status()> send;
  StatusCode code;
  std::vector<std::string> fields;  // BadRequest field paths, any order
  std::string message_contains = "";
  bool is_write = true;
};

TEST_P(RegistryApiTest, InvalidRequestsAreRejectedWithFieldPathsAndChangeNothing) {
  // Set-up that the cases rely on: a stale etag, a used request_id and a
  // deleted record.
  const std::string stale_etag = GetMission("missions/emasoh").etag();
  ASSERT_TRUE(RenameMission(*stub_, "missions/emasoh", "EMASOH", stale_etag).ok());
  {
    v1::CreateRegionRequest request;
    request.set_region_id("polar");
    *request.mutable_region() = NewRegion();
    request.set_request_id("table-request");
    ASSERT_TRUE(Call(&Stub::CreateRegion, request).ok());
    v1::DeletePostingRequest remove;
    remove.set_name("missions/minusma/postings/2020-radar-specialist-gao-additional");
    ASSERT_TRUE(Call(&Stub::DeletePosting, remove).ok());
  }
  const v1::Mission minusma = GetMission("missions/minusma");
  const v1::Mission emasoh = GetMission("missions/emasoh");

  // A request of `method` built from `base` by `edit`.
  const auto send = [this]<typename Req, typename Resp>(
                        Method<Req, Resp> method, Req base,
                        std::type_identity_t<std::function<void(Req&)>> edit) {
    return std::function<grpc::Status()>([this, method, base, edit] {
      Req request = base;
      edit(request);
      Resp response;
      return CallOn(*stub_, method, request, &response);
    });
  };

  v1::CreateMissionRequest mission;
  mission.set_mission_id("eucap-test");
  *mission.mutable_mission() = NewMission();
  using MissionReq = v1::CreateMissionRequest;
  const auto create_mission = [&](std::function<void(MissionReq&)> edit) {
    return send(&Stub::CreateMission, mission, std::move(edit));
  };
  v1::CreatePostingRequest posting;
  posting.set_parent("missions/minusma");
  posting.set_posting_id("2021-advisers");
  *posting.mutable_posting() = NewPosting();
  using PostingReq = v1::CreatePostingRequest;
  v1::CreatePersonnelFiguresRequest figures;
  figures.set_parent("missions/minusma");
  figures.set_personnel_figures_id("2021");
  *figures.mutable_personnel_figures() = NewFigures(2021);
  using FiguresReq = v1::CreatePersonnelFiguresRequest;
  v1::CreateInternationalMandateDecisionRequest international;
  international.set_parent("missions/minusma");
  international.set_international_mandate_decision_id("unscr-2584");
  *international.mutable_international_mandate_decision() = NewInternationalMandate();
  using InternationalReq = v1::CreateInternationalMandateDecisionRequest;
  v1::CreateNationalMandateDecisionRequest national;
  national.set_parent("missions/minusma");
  national.set_national_mandate_decision_id("until-2022-12-31");
  *national.mutable_national_mandate_decision() = NewNationalMandate();
  using NationalReq = v1::CreateNationalMandateDecisionRequest;
  v1::CreateFinancialContributionRequest money;
  money.set_parent("missions/minusma");
  money.set_financial_contribution_id("trust-fund");
  *money.mutable_financial_contribution() = NewContribution();
  using MoneyReq = v1::CreateFinancialContributionRequest;
  v1::CreateNarrativeRequest narrative;
  narrative.set_parent("missions/minusma");
  narrative.set_narrative_id("2021-developments-nl");
  *narrative.mutable_narrative() = NewNarrative();
  using NarrativeReq = v1::CreateNarrativeRequest;
  v1::CreateRegionRequest region;
  region.set_region_id("arctic");
  *region.mutable_region() = NewRegion();
  using RegionReq = v1::CreateRegionRequest;
  v1::CreateClusterRequest cluster;
  cluster.set_parent("regions/africa");
  cluster.set_cluster_id("horn");
  *cluster.mutable_cluster() = NewCluster();
  using ClusterReq = v1::CreateClusterRequest;
  v1::CreateCapPoolRequest pool;
  pool.set_cap_pool_id("eutm-eucap");
  *pool.mutable_cap_pool() = NewCapPool();
  using PoolReq = v1::CreateCapPoolRequest;
  v1::CreateReportYearRequest year;
  year.set_report_year_id("2021");
  *year.mutable_report_year() = NewReportYear(2021);
  using YearReq = v1::CreateReportYearRequest;
  v1::CreateReportTextRequest text;
  text.set_parent("reportYears/2020");
  text.set_report_text_id("introduction-de");
  *text.mutable_report_text() = NewReportText();
  using TextReq = v1::CreateReportTextRequest;
  v1::UpdateMissionRequest update;
  *update.mutable_mission() = minusma;
  update.mutable_mission()->set_short_name("MINUSMA 2");
  update.mutable_update_mask()->add_paths("short_name");
  using UpdateReq = v1::UpdateMissionRequest;
  v1::DeleteMissionRequest remove;
  remove.set_name("missions/emasoh");
  using DeleteReq = v1::DeleteMissionRequest;

  const std::string long_id(64, 'a');
  const std::string text_81(81, 'x');
  const std::string text_201(201, 'x');
  const std::string text_20001(20001, 'x');

  const StatusCode kInvalid = StatusCode::INVALID_ARGUMENT;
  std::vector<InvalidRequest> cases = {
      // Missions.
      {"mission: impossible start date 2021-02-30",
       create_mission([](MissionReq& r) {
         *r.mutable_mission()->mutable_start_date() = MakeDate(2021, 2, 30);
       }),
       kInvalid, {"mission.start_date"}},
      {"mission: end before start",
       create_mission([](MissionReq& r) {
         *r.mutable_mission()->mutable_end_date() = MakeDate(2018, 12, 31);
       }),
       kInvalid, {"mission.end_date"}},
      {"mission: unknown lead_organization 99",
       create_mission([&](MissionReq& r) {
         r.mutable_mission()->set_lead_organization(
             static_cast<v1::LeadOrganization>(99));
       }),
       kInvalid, {"mission.lead_organization"}},
      {"mission: unknown kind 99",
       create_mission([&](MissionReq& r) {
         r.mutable_mission()->set_kind(static_cast<v1::MissionKind>(99));
       }),
       kInvalid, {"mission.kind"}},
      {"mission: unknown separate_reporting.kind 7",
       create_mission([&](MissionReq& r) {
         r.mutable_mission()->mutable_separate_reporting()->set_kind(
             static_cast<v1::SeparateReportingKind>(7));
         (*r.mutable_mission()->mutable_separate_reporting()->mutable_remark())["nl"] = "apart";
       }),
       kInvalid, {"mission.separate_reporting.kind"}},
      {"mission: region that does not exist",
       create_mission([](MissionReq& r) {
         r.mutable_mission()->set_region("regions/atlantis");
       }),
       kInvalid, {"mission.region"}},
      {"mission: cluster of another region",
       create_mission([](MissionReq& r) {
         r.mutable_mission()->set_cluster("regions/middle-east/clusters/gulf");
       }),
       kInvalid, {"mission.cluster"}},
      {"mission: cluster that does not exist",
       create_mission([](MissionReq& r) {
         r.mutable_mission()->set_cluster("regions/africa/clusters/atlantis");
       }),
       kInvalid, {"mission.cluster"}},
      {"mission: malformed cluster name",
       create_mission([](MissionReq& r) { r.mutable_mission()->set_cluster("regions/africa/sahel"); }),
       kInvalid, {"mission.cluster"}},
      {"mission: empty short_name",
       create_mission([](MissionReq& r) { r.mutable_mission()->clear_short_name(); }),
       kInvalid, {"mission.short_name"}},
      {"mission: oversized short_name (81 characters)",
       create_mission([&](MissionReq& r) { r.mutable_mission()->set_short_name(text_81); }),
       kInvalid, {"mission.short_name"}},
      {"mission: empty alias",
       create_mission([](MissionReq& r) { r.mutable_mission()->add_aliases(""); }),
       kInvalid, {"mission.aliases[1]"}},
      {"mission: empty full_name text",
       create_mission([](MissionReq& r) { (*r.mutable_mission()->mutable_full_name())["en"] = ""; }),
       kInvalid, {"mission.full_name[\"en\"]"}},
      {"mission: malformed country code",
       create_mission([](MissionReq& r) { r.mutable_mission()->add_countries("mali"); }),
       kInvalid, {"mission.countries[1]"}},
      {"mission: negative report_order",
       create_mission([](MissionReq& r) { r.mutable_mission()->set_report_order(-1); }),
       kInvalid, {"mission.report_order"}},
      {"mission: malformed id",
       create_mission([](MissionReq& r) { r.set_mission_id("EUCAP_Test"); }),
       kInvalid, {"mission_id"}},
      {"mission: empty id", create_mission([](MissionReq& r) { r.clear_mission_id(); }),
       kInvalid, {"mission_id"}},
      {"mission: id of 64 characters",
       create_mission([&](MissionReq& r) { r.set_mission_id(long_id); }), kInvalid,
       {"mission_id"}},
      {"mission: no mission", create_mission([](MissionReq& r) { r.clear_mission(); }),
       kInvalid, {"mission"}},
      {"mission: every violation at once",
       create_mission([](MissionReq& r) {
         r.mutable_mission()->clear_short_name();
         r.mutable_mission()->clear_kind();
         *r.mutable_mission()->mutable_start_date() = MakeDate(2021, 2, 30);
       }),
       kInvalid, {"mission.kind", "mission.short_name", "mission.start_date"}},
      {"mission: malformed id and invalid fields at once",
       create_mission([](MissionReq& r) {
         r.set_mission_id("EUCAP_Test");
         r.mutable_mission()->clear_short_name();
       }),
       kInvalid, {"mission.short_name", "mission_id"}},
      {"mission: id taken", create_mission([](MissionReq& r) { r.set_mission_id("minusma"); }),
       StatusCode::ALREADY_EXISTS, {}},
      {"mission: request_id reused for a different request",
       create_mission([](MissionReq& r) { r.set_request_id("table-request"); }), kInvalid,
       {"request_id"}},
      {"mission: oversized request_id",
       create_mission([](MissionReq& r) { r.set_request_id(std::string(201, 'r')); }), kInvalid,
       {"request_id"}},
      // Postings.
      {"posting: count 0",
       send(&Stub::CreatePosting, posting, [](PostingReq& r) { r.mutable_posting()->set_count(0); }),
       kInvalid, {"posting.count"}},
      {"posting: negative count",
       send(&Stub::CreatePosting, posting,
            [](PostingReq& r) { r.mutable_posting()->set_count(-3); }),
       kInvalid, {"posting.count"}},
      {"posting: absurd count",
       send(&Stub::CreatePosting, posting,
            [](PostingReq& r) { r.mutable_posting()->set_count(5000000); }),
       kInvalid, {"posting.count"}},
      {"posting: unknown category 99",
       send(&Stub::CreatePosting, posting,
            [&](PostingReq& r) {
              r.mutable_posting()->set_category(static_cast<v1::PersonnelCategory>(99));
            }),
       kInvalid, {"posting.category"}},
      {"posting: year 1900",
       send(&Stub::CreatePosting, posting,
            [](PostingReq& r) { r.mutable_posting()->set_year(1900); }),
       kInvalid, {"posting.year"}},
      {"posting: year 2101",
       send(&Stub::CreatePosting, posting,
            [](PostingReq& r) { r.mutable_posting()->set_year(2101); }),
       kInvalid, {"posting.year"}},
      {"posting: no function in any language",
       send(&Stub::CreatePosting, posting,
            [](PostingReq& r) { r.mutable_posting()->clear_function(); }),
       kInvalid, {"posting.function"}},
      {"posting: mission that does not exist",
       send(&Stub::CreatePosting, posting, [](PostingReq& r) { r.set_parent("missions/atlantis"); }),
       StatusCode::NOT_FOUND, {}},
      {"posting: malformed parent",
       send(&Stub::CreatePosting, posting, [](PostingReq& r) { r.set_parent("missions/Atlantis"); }),
       kInvalid, {"parent"}},
      {"posting: malformed id",
       send(&Stub::CreatePosting, posting, [](PostingReq& r) { r.set_posting_id("2021 advisers"); }),
       kInvalid, {"posting_id"}},
      // Personnel figures.
      {"figures: negative military",
       send(&Stub::CreatePersonnelFigures, figures,
            [](FiguresReq& r) { r.mutable_personnel_figures()->set_military(-5); }),
       kInvalid, {"personnel_figures.military"}},
      {"figures: absurd civilian",
       send(&Stub::CreatePersonnelFigures, figures,
            [](FiguresReq& r) { r.mutable_personnel_figures()->set_civilian(1000000); }),
       kInvalid, {"personnel_figures.civilian"}},
      {"figures: year 2150 in the id",
       send(&Stub::CreatePersonnelFigures, figures,
            [](FiguresReq& r) {
              r.set_personnel_figures_id("2150");
              r.mutable_personnel_figures()->set_year(2150);
            }),
       kInvalid, {"personnel_figures.year", "personnel_figures_id"}},
      {"figures: year differs from the id",
       send(&Stub::CreatePersonnelFigures, figures,
            [](FiguresReq& r) { r.mutable_personnel_figures()->set_year(2022); }),
       kInvalid, {"personnel_figures.year"}},
      {"figures: year taken",
       send(&Stub::CreatePersonnelFigures, figures,
            [](FiguresReq& r) {
              r.set_personnel_figures_id("2020");
              r.mutable_personnel_figures()->set_year(2020);
            }),
       StatusCode::ALREADY_EXISTS, {}},
      // International mandate decisions.
      {"international: decided_on 2021-02-30",
       send(&Stub::CreateInternationalMandateDecision, international,
            [](InternationalReq& r) {
              *r.mutable_international_mandate_decision()->mutable_decided_on() =
                  MakeDate(2021, 2, 30);
            }),
       kInvalid, {"international_mandate_decision.decided_on"}},
      {"international: no valid_until",
       send(&Stub::CreateInternationalMandateDecision, international,
            [](InternationalReq& r) {
              r.mutable_international_mandate_decision()->clear_valid_until();
            }),
       kInvalid, {"international_mandate_decision.valid_until"}},
      {"international: DATE end without a date",
       send(&Stub::CreateInternationalMandateDecision, international,
            [](InternationalReq& r) {
              r.mutable_international_mandate_decision()->mutable_valid_until()->clear_date();
            }),
       kInvalid, {"international_mandate_decision.valid_until.date"}},
      {"international: unknown valid_until.kind 9",
       send(&Stub::CreateInternationalMandateDecision, international,
            [&](InternationalReq& r) {
              r.mutable_international_mandate_decision()->mutable_valid_until()->set_kind(
                  static_cast<v1::EndDate::Kind>(9));
            }),
       // The date it keeps is only allowed with kind DATE.
       kInvalid,
       {"international_mandate_decision.valid_until.kind",
        "international_mandate_decision.valid_until.date"}},
      {"international: unknown instrument kind 99",
       send(&Stub::CreateInternationalMandateDecision, international,
            [&](InternationalReq& r) {
              r.mutable_international_mandate_decision()->mutable_legal_basis(0)->set_kind(
                  static_cast<v1::InstrumentKind>(99));
            }),
       kInvalid, {"international_mandate_decision.legal_basis[0].kind"}},
      {"international: citation without Dutch",
       send(&Stub::CreateInternationalMandateDecision, international,
            [](InternationalReq& r) {
              auto* citation =
                  r.mutable_international_mandate_decision()->mutable_legal_basis(0)->mutable_citation();
              citation->clear();
              (*citation)["en"] = "UNSC resolution 2584";
            }),
       kInvalid, {"international_mandate_decision.legal_basis[0].citation[\"nl\"]"}},
      // National mandate decisions.
      {"national: cap pool that does not exist",
       send(&Stub::CreateNationalMandateDecision, national,
            [](NationalReq& r) {
              r.mutable_national_mandate_decision()->mutable_cap()->Clear();
              r.mutable_national_mandate_decision()->mutable_cap()->set_pool("capPools/atlantis");
            }),
       kInvalid, {"national_mandate_decision.cap.pool"}},
      {"national: combined cap next to a military cap",
       send(&Stub::CreateNationalMandateDecision, national,
            [](NationalReq& r) {
              r.mutable_national_mandate_decision()->mutable_cap()->set_combined(15);
            }),
       kInvalid, {"national_mandate_decision.cap.combined"}},
      {"national: negative military cap",
       send(&Stub::CreateNationalMandateDecision, national,
            [](NationalReq& r) {
              r.mutable_national_mandate_decision()->mutable_cap()->set_military(-1);
            }),
       kInvalid, {"national_mandate_decision.cap.military"}},
      {"national: end 2022-02-29 (no leap year)",
       send(&Stub::CreateNationalMandateDecision, national,
            [](NationalReq& r) {
              *r.mutable_national_mandate_decision()->mutable_valid_until()->mutable_date() =
                  MakeDate(2022, 2, 29);
            }),
       kInvalid, {"national_mandate_decision.valid_until.date"}},
      {"national: partial decided_on",
       send(&Stub::CreateNationalMandateDecision, national,
            [](NationalReq& r) {
              *r.mutable_national_mandate_decision()->mutable_decided_on() = MakeDate(2021, 11, 0);
            }),
       kInvalid, {"national_mandate_decision.decided_on"}},
      // Financial contributions.
      {"money: last year before first year",
       send(&Stub::CreateFinancialContribution, money,
            [](MoneyReq& r) { r.mutable_financial_contribution()->set_last_year(2019); }),
       kInvalid, {"financial_contribution.last_year"}},
      {"money: negative amount",
       send(&Stub::CreateFinancialContribution, money,
            [](MoneyReq& r) { r.mutable_financial_contribution()->mutable_amount()->set_units(-10); }),
       kInvalid, {"financial_contribution.amount"}},
      {"money: malformed currency",
       send(&Stub::CreateFinancialContribution, money,
            [](MoneyReq& r) {
              r.mutable_financial_contribution()->mutable_amount()->set_currency_code("euro");
            }),
       kInvalid, {"financial_contribution.amount.currency_code"}},
      {"money: first year 1900",
       send(&Stub::CreateFinancialContribution, money,
            [](MoneyReq& r) { r.mutable_financial_contribution()->set_first_year(1900); }),
       kInvalid, {"financial_contribution.first_year"}},
      {"money: purpose without Dutch",
       send(&Stub::CreateFinancialContribution, money,
            [](MoneyReq& r) {
              r.mutable_financial_contribution()->mutable_purpose()->clear();
              (*r.mutable_financial_contribution()->mutable_purpose())["en"] = "trust fund";
            }),
       kInvalid, {"financial_contribution.purpose[\"nl\"]"}},
      // Narratives.
      {"narrative: empty text",
       send(&Stub::CreateNarrative, narrative,
            [](NarrativeReq& r) { r.mutable_narrative()->clear_text(); }),
       kInvalid, {"narrative.text"}},
      {"narrative: oversized text (20,001 characters)",
       send(&Stub::CreateNarrative, narrative,
            [&](NarrativeReq& r) { r.mutable_narrative()->set_text(text_20001); }),
       kInvalid, {"narrative.text"}},
      {"narrative: contribution section without its kind",
       send(&Stub::CreateNarrative, narrative,
            [](NarrativeReq& r) {
              r.mutable_narrative()->set_section(v1::NARRATIVE_SECTION_CONTRIBUTION);
            }),
       kInvalid, {"narrative.contribution_kind"}},
      {"narrative: unknown section 99",
       send(&Stub::CreateNarrative, narrative,
            [&](NarrativeReq& r) {
              r.mutable_narrative()->set_section(static_cast<v1::NarrativeSection>(99));
            }),
       kInvalid, {"narrative.section"}},
      {"narrative: malformed language",
       send(&Stub::CreateNarrative, narrative,
            [](NarrativeReq& r) { r.mutable_narrative()->set_language("Dutch"); }),
       kInvalid, {"narrative.language"}},
      {"narrative: second one for the same year, section and language",
       send(&Stub::CreateNarrative, narrative,
            [](NarrativeReq& r) { r.mutable_narrative()->set_year(2020); }),
       kInvalid, {"narrative"}},
      // Regions, clusters, cap pools, report years and texts.
      {"region: no Dutch display name",
       send(&Stub::CreateRegion, region,
            [](RegionReq& r) { r.mutable_region()->mutable_display_name()->erase("nl"); }),
       kInvalid, {"region.display_name[\"nl\"]"}},
      {"region: oversized display name",
       send(&Stub::CreateRegion, region,
            [&](RegionReq& r) { (*r.mutable_region()->mutable_display_name())["nl"] = text_201; }),
       kInvalid, {"region.display_name[\"nl\"]"}},
      {"region: negative report_order",
       send(&Stub::CreateRegion, region,
            [](RegionReq& r) { r.mutable_region()->set_report_order(-10); }),
       kInvalid, {"region.report_order"}},
      {"region: id taken",
       send(&Stub::CreateRegion, region, [](RegionReq& r) { r.set_region_id("europe"); }),
       StatusCode::ALREADY_EXISTS, {}},
      {"cluster: region that does not exist",
       send(&Stub::CreateCluster, cluster, [](ClusterReq& r) { r.set_parent("regions/atlantis"); }),
       StatusCode::NOT_FOUND, {}},
      {"cap pool: no cap",
       send(&Stub::CreateCapPool, pool, [](PoolReq& r) { r.mutable_cap_pool()->clear_cap(); }),
       kInvalid, {"cap_pool.cap"}},
      {"cap pool: a pool inside a pool",
       send(&Stub::CreateCapPool, pool,
            [](PoolReq& r) {
              r.mutable_cap_pool()->mutable_cap()->Clear();
              r.mutable_cap_pool()->mutable_cap()->set_pool("capPools/eucap-sahel");
            }),
       kInvalid, {"cap_pool.cap.pool"}},
      {"report year: publication date 2022-02-30",
       send(&Stub::CreateReportYear, year,
            [](YearReq& r) {
              *r.mutable_report_year()->mutable_publication_date() = MakeDate(2022, 2, 30);
            }),
       kInvalid, {"report_year.publication_date"}},
      {"report year: year 1900",
       send(&Stub::CreateReportYear, year,
            [](YearReq& r) {
              r.set_report_year_id("1900");
              r.mutable_report_year()->set_year(1900);
            }),
       kInvalid, {"report_year.year", "report_year_id"}},
      {"report text: rationale of a region that does not exist",
       send(&Stub::CreateReportText, text,
            [](TextReq& r) {
              r.mutable_report_text()->set_kind(v1::REPORT_TEXT_KIND_REGION_RATIONALE);
              r.mutable_report_text()->set_subject("regions/atlantis");
            }),
       kInvalid, {"report_text.subject"}},
      {"report text: subject on an introduction",
       send(&Stub::CreateReportText, text,
            [](TextReq& r) { r.mutable_report_text()->set_subject("regions/europe"); }),
       kInvalid, {"report_text.subject"}},
      {"report text: report year that does not exist",
       send(&Stub::CreateReportText, text, [](TextReq& r) { r.set_parent("reportYears/2031"); }),
       StatusCode::NOT_FOUND, {}},
      // Updates.
      {"update: unknown field in update_mask",
       send(&Stub::UpdateMission, update,
            [](UpdateReq& r) { r.mutable_update_mask()->set_paths(0, "short_nam"); }),
       kInvalid, {"update_mask.paths[0]"}},
      {"update: output-only etag in update_mask",
       send(&Stub::UpdateMission, update,
            [](UpdateReq& r) { r.mutable_update_mask()->add_paths("etag"); }),
       kInvalid, {"update_mask.paths[1]"}},
      {"update: output-only update_time in update_mask",
       send(&Stub::UpdateMission, update,
            [](UpdateReq& r) { r.mutable_update_mask()->set_paths(0, "update_time"); }),
       kInvalid, {"update_mask.paths[0]"}},
      {"update: name in update_mask",
       send(&Stub::UpdateMission, update,
            [](UpdateReq& r) { r.mutable_update_mask()->set_paths(0, "name"); }),
       kInvalid, {"update_mask.paths[0]"}},
      {"update: two bad update_mask paths",
       send(&Stub::UpdateMission, update,
            [](UpdateReq& r) {
              r.mutable_update_mask()->add_paths("create_time");
              r.mutable_update_mask()->add_paths("start_date.era");
            }),
       kInvalid, {"update_mask.paths[1]", "update_mask.paths[2]"}},
      {"update: stale etag",
       send(&Stub::UpdateMission, update,
            [&](UpdateReq& r) {
              *r.mutable_mission() = emasoh;
              r.mutable_mission()->set_etag(stale_etag);
              r.mutable_mission()->set_short_name("EMASoH again");
            }),
       StatusCode::ABORTED, {}},
      {"update: malformed etag",
       send(&Stub::UpdateMission, update,
            [](UpdateReq& r) { r.mutable_mission()->set_etag("W/\"1\""); }),
       kInvalid, {"mission.etag"}},
      {"update: malformed name",
       send(&Stub::UpdateMission, update,
            [](UpdateReq& r) { r.mutable_mission()->set_name("missions/MINUSMA"); }),
       kInvalid, {"mission.name"}},
      {"update: mission that does not exist",
       send(&Stub::UpdateMission, update,
            [](UpdateReq& r) { r.mutable_mission()->set_name("missions/atlantis"); }),
       StatusCode::NOT_FOUND, {}},
      {"update: end before start",
       send(&Stub::UpdateMission, update,
            [&](UpdateReq& r) {
              *r.mutable_mission() = emasoh;
              *r.mutable_mission()->mutable_end_date() = MakeDate(2019, 12, 31);
              r.mutable_update_mask()->set_paths(0, "end_date");
            }),
       kInvalid, {"mission.end_date"}},
      {"update: impossible start date",
       send(&Stub::UpdateMission, update,
            [&](UpdateReq& r) {
              *r.mutable_mission()->mutable_start_date() = MakeDate(2021, 2, 30);
              r.mutable_update_mask()->set_paths(0, "start_date");
            }),
       kInvalid, {"mission.start_date"}},
      {"update: region that does not exist",
       send(&Stub::UpdateMission, update,
            [](UpdateReq& r) {
              r.mutable_mission()->set_region("regions/atlantis");
              r.mutable_update_mask()->set_paths(0, "region");
            }),
       kInvalid, {"mission.region"}},
      {"update: empty short name with the mask * (full replacement)",
       send(&Stub::UpdateMission, update,
            [](UpdateReq& r) {
              r.mutable_update_mask()->set_paths(0, "*");
              r.mutable_mission()->clear_short_name();
            }),
       kInvalid, {"mission.short_name"}},
      {"update: a negative report order without a mask (the fields set)",
       send(&Stub::UpdateMission, update,
            [](UpdateReq& r) {
              r.clear_update_mask();
              r.mutable_mission()->set_report_order(-4);
            }),
       kInvalid, {"mission.report_order"}},
      {"update: deleted record",
       send(&Stub::UpdatePosting, v1::UpdatePostingRequest(),
            [](v1::UpdatePostingRequest& r) {
              r.mutable_posting()->set_name(
                  "missions/minusma/postings/2020-radar-specialist-gao-additional");
              r.mutable_posting()->set_count(5);
              r.mutable_update_mask()->add_paths("count");
            }),
       StatusCode::FAILED_PRECONDITION, {}},
      {"update: negative posting count",
       send(&Stub::UpdatePosting, v1::UpdatePostingRequest(),
            [](v1::UpdatePostingRequest& r) {
              r.mutable_posting()->set_name("missions/minusma/postings/2020-ipo-first-half");
              r.mutable_posting()->set_count(-1);
              r.mutable_update_mask()->add_paths("count");
            }),
       kInvalid, {"posting.count"}},
      {"update: figures year no longer matching the name",
       send(&Stub::UpdatePersonnelFigures, v1::UpdatePersonnelFiguresRequest(),
            [](v1::UpdatePersonnelFiguresRequest& r) {
              r.mutable_personnel_figures()->set_name("missions/minusma/personnelFigures/2020");
              r.mutable_personnel_figures()->set_year(2021);
              r.mutable_update_mask()->add_paths("year");
            }),
       kInvalid, {"personnel_figures.year"}},
      {"update: national cap pool that does not exist",
       send(&Stub::UpdateNationalMandateDecision, v1::UpdateNationalMandateDecisionRequest(),
            [](v1::UpdateNationalMandateDecisionRequest& r) {
              r.mutable_national_mandate_decision()->set_name(
                  "missions/minusma/nationalMandates/until-2021-12-31");
              r.mutable_national_mandate_decision()->mutable_cap()->set_pool("capPools/atlantis");
              r.mutable_update_mask()->add_paths("cap");
            }),
       kInvalid, {"national_mandate_decision.cap.pool"}},
      {"update: region report_order negative",
       send(&Stub::UpdateRegion, v1::UpdateRegionRequest(),
            [](v1::UpdateRegionRequest& r) {
              r.mutable_region()->set_name("regions/europe");
              r.mutable_region()->set_report_order(-1);
              r.mutable_update_mask()->add_paths("report_order");
            }),
       kInvalid, {"region.report_order"}},
      // Deletes and undeletes.
      {"delete: stale etag",
       send(&Stub::DeleteMission, remove,
            [&](DeleteReq& r) {
              r.set_etag(stale_etag);
              r.set_force(true);
            }),
       StatusCode::ABORTED, {}},
      {"delete: malformed etag",
       send(&Stub::DeleteMission, remove, [](DeleteReq& r) { r.set_etag("etag"); }), kInvalid,
       {"etag"}},
      {"delete: malformed name",
       send(&Stub::DeleteMission, remove, [](DeleteReq& r) { r.set_name("missions/"); }), kInvalid,
       {"name"}},
      {"delete: live children without force", send(&Stub::DeleteMission, remove, [](DeleteReq&) {}),
       StatusCode::FAILED_PRECONDITION, {}},
      {"delete: region missions refer to",
       send(&Stub::DeleteRegion, v1::DeleteRegionRequest(),
            [](v1::DeleteRegionRequest& r) {
              r.set_name("regions/europe");
              r.set_force(true);
            }),
       StatusCode::FAILED_PRECONDITION, {}},
      {"delete: cap pool mandates refer to",
       send(&Stub::DeleteCapPool, v1::DeleteCapPoolRequest(),
            [](v1::DeleteCapPoolRequest& r) { r.set_name("capPools/eucap-sahel"); }),
       StatusCode::FAILED_PRECONDITION, {}},
      {"delete: posting that does not exist",
       send(&Stub::DeletePosting, v1::DeletePostingRequest(),
            [](v1::DeletePostingRequest& r) { r.set_name("missions/minusma/postings/none"); }),
       StatusCode::NOT_FOUND, {}},
      {"undelete: record that is not deleted",
       send(&Stub::UndeleteMission, v1::UndeleteMissionRequest(),
            [](v1::UndeleteMissionRequest& r) { r.set_name("missions/minusma"); }),
       StatusCode::FAILED_PRECONDITION, {}},
      {"undelete: malformed name",
       send(&Stub::UndeletePosting, v1::UndeletePostingRequest(),
            [](v1::UndeletePostingRequest& r) { r.set_name("postings/1"); }),
       kInvalid, {"name"}},
      // Reads.
      {"read: negative page_size",
       send(&Stub::ListMissions, v1::ListMissionsRequest(),
            [](v1::ListMissionsRequest& r) { r.set_page_size(-1); }),
       kInvalid, {"page_size"}, "", false},
      {"read: malformed filter",
       send(&Stub::ListMissions, v1::ListMissionsRequest(),
            [](v1::ListMissionsRequest& r) { r.set_filter("active_in(2020) AND"); }),
       kInvalid, {"filter"}, "position 17", false},
      {"read: unknown field in filter",
       send(&Stub::ListMissions, v1::ListMissionsRequest(),
            [](v1::ListMissionsRequest& r) { r.set_filter("short_name = EULEX AND regoin = x"); }),
       kInvalid, {"filter"}, "position 24", false},
      {"read: negative audit page_size",
       send(&Stub::ListAuditEvents, v1::ListAuditEventsRequest(),
            [](v1::ListAuditEventsRequest& r) { r.set_page_size(-1); }),
       kInvalid, {"page_size"}, "", false},
      {"read: as_of beyond the current revision",
       send(&Stub::GetMission, v1::GetMissionRequest(),
            [](v1::GetMissionRequest& r) {
              r.set_name("missions/minusma");
              r.mutable_as_of()->set_revision(1000);
            }),
       kInvalid, {"as_of.revision"}, "", false},
  };

  const int64_t revision = Revision();
  const std::string before = Dump();
  std::set<std::string> names;
  int writes = 0;
  for (const InvalidRequest& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_TRUE(names.insert(c.name).second) << "duplicate case name";
    writes += c.is_write ? 1 : 0;
    const grpc::Status status = c.send();
    EXPECT_EQ(status.error_code(), c.code) << Describe(status);
    std::vector<std::string> want = c.fields;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(FieldsOf(status), want) << Describe(status);
    if (!c.message_contains.empty()) {
      EXPECT_TRUE(absl::StrContains(status.error_message(), c.message_contains))
          << status.error_message();
    }
    EXPECT_EQ(Revision(), revision);
    EXPECT_TRUE(Dump() == before) << "the stored data changed";
  }
  EXPECT_GE(writes, 40);
  // The rejected writes left no trace in the audit log either.
  v1::ListAuditEventsRequest audit;
  *audit.mutable_start_time() = ToProto(absl::Now() - absl::Hours(1));
  for (const v1::AuditEvent& event : Audit(audit)) EXPECT_LE(event.revision(), revision);
}

// --- 3. Concurrent updates with one etag. ----------------------------------

TEST_P(RegistryApiTest, OfTwoConcurrentUpdatesWithOneEtagExactlyOneSucceeds) {
  std::unique_ptr<Stub> other = OtherClient();
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    const v1::Mission start = GetMission("missions/unifil");
    const int64_t revision = Revision();
    grpc::Status first, second;
    v1::Mission first_result, second_result;
    const std::string first_name = absl::StrCat("UNIFIL-A", round);
    const std::string second_name = absl::StrCat("UNIFIL-B", round);
    std::thread a([&] {
      first = RenameMission(*stub_, start.name(), first_name, start.etag(), &first_result);
    });
    std::thread b([&] {
      second = RenameMission(*other, start.name(), second_name, start.etag(), &second_result);
    });
    a.join();
    b.join();
    ASSERT_NE(first.ok(), second.ok()) << Describe(first) << " / " << Describe(second);
    const grpc::Status& loser = first.ok() ? second : first;
    EXPECT_EQ(loser.error_code(), StatusCode::ABORTED) << Describe(loser);
    const v1::Mission& winner = first.ok() ? first_result : second_result;
    const v1::Mission now = GetMission(start.name());
    EXPECT_EQ(now.short_name(), first.ok() ? first_name : second_name);
    EXPECT_EQ(now.etag(), winner.etag());
    EXPECT_EQ(Revision(), revision + 1);
  }
}

TEST_P(RegistryApiTest, ConcurrentUpdatesWithoutEtagOfDifferentFieldsBothApply) {
  // Without an etag nothing can be stale (the etag is optional), and an
  // update that names other fields must not undo a concurrent one.
  std::unique_ptr<Stub> other = OtherClient();
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    const int64_t revision = Revision();
    const std::string short_name = absl::StrCat("UNDOF-", round);
    grpc::Status renamed, reordered;
    std::thread a([&] { renamed = RenameMission(*stub_, "missions/undof", short_name, ""); });
    std::thread b([&] {
      v1::UpdateMissionRequest request;
      request.mutable_mission()->set_name("missions/undof");
      request.mutable_mission()->set_report_order(100 + round);
      request.mutable_update_mask()->add_paths("report_order");
      v1::Mission response;
      reordered = CallOn(*other, &Stub::UpdateMission, request, &response);
    });
    a.join();
    b.join();
    EXPECT_TRUE(renamed.ok()) << Describe(renamed);
    EXPECT_TRUE(reordered.ok()) << Describe(reordered);
    const v1::Mission now = GetMission("missions/undof");
    EXPECT_EQ(now.short_name(), short_name);
    EXPECT_EQ(now.report_order(), 100 + round);
    EXPECT_EQ(Revision(), revision + 2);
  }
}

// --- 4. request_id replay. --------------------------------------------------

TEST_P(RegistryApiTest, ReplayedRequestIdReturnsTheFirstResponseAndWritesNothing) {
  v1::CreatePostingRequest create;
  create.set_parent("missions/minusma");
  create.set_posting_id("2021-advisers");
  *create.mutable_posting() = NewPosting();
  create.set_request_id("4b7e0d1c-create");
  v1::Posting first, again;
  ASSERT_TRUE(Call(&Stub::CreatePosting, create, &first).ok());
  const int64_t revision = Revision();
  ASSERT_TRUE(Call(&Stub::CreatePosting, create, &again).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(first, again));
  EXPECT_EQ(Revision(), revision);

  // An update replayed after someone else changed the record: the first
  // response comes back and the later change stays.
  const v1::Mission mission = GetMission("missions/minusma");
  v1::UpdateMissionRequest update;
  update.mutable_mission()->set_name(mission.name());
  update.mutable_mission()->set_short_name("MINUSMA-1");
  update.mutable_mission()->set_etag(mission.etag());
  update.mutable_update_mask()->add_paths("short_name");
  update.set_request_id("4b7e0d1c-update");
  v1::Mission updated, replayed;
  ASSERT_TRUE(Call(&Stub::UpdateMission, update, &updated).ok());
  ASSERT_TRUE(RenameMission(*stub_, mission.name(), "MINUSMA-2", updated.etag()).ok());
  const int64_t after_rename = Revision();
  ASSERT_TRUE(Call(&Stub::UpdateMission, update, &replayed).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(updated, replayed));
  EXPECT_EQ(GetMission(mission.name()).short_name(), "MINUSMA-2");
  EXPECT_EQ(Revision(), after_rename);

  // A delete replayed returns its response, not "deleted already".
  v1::DeletePostingRequest remove;
  remove.set_name(first.name());
  remove.set_request_id("4b7e0d1c-delete");
  v1::Posting deleted, deleted_again;
  ASSERT_TRUE(Call(&Stub::DeletePosting, remove, &deleted).ok());
  const grpc::Status retry = Call(&Stub::DeletePosting, remove, &deleted_again);
  ASSERT_TRUE(retry.ok()) << Describe(retry);
  EXPECT_TRUE(MessageDifferencer::Equals(deleted, deleted_again));

  // One audit event per request_id.
  v1::ListAuditEventsRequest audit;
  audit.set_resource(first.name());
  std::map<std::string, int> per_request;
  for (const v1::AuditEvent& event : Audit(audit)) ++per_request[event.request_id()];
  EXPECT_EQ(per_request["4b7e0d1c-create"], 1);
  EXPECT_EQ(per_request["4b7e0d1c-delete"], 1);
}

class RegistryServerRestartTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RegistryServerRestartTest, ReplayedRequestIdCreatesNothingNewAfterARestart) {
  const std::string dir = testing::MakeTempDir();
  ASSERT_FALSE(dir.empty());
  auto backend = testing::MakeTestBackend(GetParam());
  ASSERT_TRUE(backend.ok()) << backend.status();
  const std::vector<std::string> argv = {kRegistryServer, "--insecure", "--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0", "--drain=0s",
                                         absl::StrCat("--storage=", (*backend)->Spec())};
  v1::CreateRegionRequest request;
  request.set_region_id("polar");
  *request.mutable_region() = NewRegion();
  request.set_request_id("c0ffee00-restart");
  request.set_reason("test of retries");
  const auto connect = [](int port) {
    return v1::RegistryApi::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                                        grpc::InsecureChannelCredentials()));
  };
  const auto revision_of = [](Stub& stub) {
    v1::ListRegionsRequest list;
    list.set_show_deleted(true);
    v1::ListRegionsResponse response;
    const grpc::Status status = CallOn(stub, &Stub::ListRegions, list, &response);
    EXPECT_TRUE(status.ok()) << Describe(status);
    return std::make_pair(response.revision(), response.regions_size());
  };

  v1::Region first;
  std::pair<int64_t, int> state;
  {
    auto server = testing::ChildProcess::Start(argv, dir + "/first.log");
    ASSERT_TRUE(server.ok()) << server.status();
    auto port = (*server)->WaitForPort();
    ASSERT_TRUE(port.ok()) << port.status();
    std::unique_ptr<Stub> stub = connect(*port);
    const grpc::Status created = CallOn(*stub, &Stub::CreateRegion, request, &first);
    ASSERT_TRUE(created.ok()) << Describe(created);
    state = revision_of(*stub);
    EXPECT_EQ(state, std::make_pair(int64_t{1}, 1));
    // Hang up first: the server waits for open connections (up to its
    // shutdown grace) before it exits.
    stub.reset();
    EXPECT_EQ((*server)->Stop(), 0) << (*server)->StderrText();
  }
  {
    auto server = testing::ChildProcess::Start(argv, dir + "/second.log");
    ASSERT_TRUE(server.ok()) << server.status();
    auto port = (*server)->WaitForPort();
    ASSERT_TRUE(port.ok()) << port.status();
    std::unique_ptr<Stub> stub = connect(*port);
    v1::Region replayed;
    const grpc::Status status = CallOn(*stub, &Stub::CreateRegion, request, &replayed);
    ASSERT_TRUE(status.ok()) << Describe(status);
    EXPECT_TRUE(MessageDifferencer::Equals(first, replayed))
        << first.DebugString() << " vs " << replayed.DebugString();
    EXPECT_EQ(replayed.etag(), first.etag());
    EXPECT_TRUE(MessageDifferencer::Equals(replayed.create_time(), first.create_time()));
    EXPECT_EQ(revision_of(*stub), state);
    // The id stays bound to its request.
    v1::CreateRegionRequest different = request;
    different.set_region_id("arctic");
    const grpc::Status reused = CallOn(*stub, &Stub::CreateRegion, different, &replayed);
    EXPECT_EQ(reused.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(reused);
    EXPECT_EQ(FieldsOf(reused), std::vector<std::string>{"request_id"});
    EXPECT_EQ(revision_of(*stub), state);
    stub.reset();
    EXPECT_EQ((*server)->Stop(), 0) << (*server)->StderrText();
  }
  std::filesystem::remove_all(dir);
}

// --- 5. Paging while another client inserts. --------------------------------

TEST_P(RegistryApiTest, PagingWhileAnotherClientInsertsSkipsAndRepeatsNothing) {
  const std::set<std::string> existing = MissionsMatching("");
  ASSERT_EQ(existing.size(), 24u);
  std::unique_ptr<Stub> other = OtherClient();
  std::atomic<int> inserted{0};
  std::atomic<bool> done{false};
  std::atomic<bool> finished{false};
  std::thread inserter([&] {
    // Names that sort before every existing one, so that a listing by
    // offset over the live data would shift.
    for (int i = 0; i < 100 && !done.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      v1::CreateMissionRequest request;
      request.set_mission_id(absl::StrCat("aaa-", i));
      *request.mutable_mission() = NewMission();
      request.mutable_mission()->set_short_name(absl::StrCat("AAA ", i));
      v1::Mission created;
      const grpc::Status status = CallOn(*other, &Stub::CreateMission, request, &created);
      EXPECT_TRUE(status.ok()) << Describe(status);
      inserted.fetch_add(1);
    }
    finished.store(true);
  });

  v1::ListMissionsRequest request;
  request.set_page_size(3);
  request.set_order_by("short_name");
  std::vector<std::string> seen;
  int64_t first_revision = -1;
  for (int page = 0; page < 50; ++page) {
    v1::ListMissionsResponse response;
    const grpc::Status status = Call(&Stub::ListMissions, request, &response);
    ASSERT_TRUE(status.ok()) << Describe(status);
    if (first_revision < 0) first_revision = response.revision();
    EXPECT_EQ(response.revision(), first_revision);
    for (const auto& m : response.missions()) seen.push_back(m.name());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
    // Let the other client get at least one insert in between pages.
    const int target = inserted.load() + 1;
    for (int wait = 0; wait < 400 && inserted.load() < target && !finished.load(); ++wait) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  done.store(true);
  inserter.join();
  EXPECT_GE(inserted.load(), 7);

  const std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "a mission came twice";
  for (const std::string& name : existing) {
    EXPECT_TRUE(unique.count(name)) << name << " was skipped";
  }
  EXPECT_EQ(unique, existing) << "later pages read the first page's revision";
  EXPECT_EQ(MissionsMatching("").size(), existing.size() + inserted.load());
}

// --- 6. as_of. ---------------------------------------------------------------

TEST_P(RegistryApiTest, AsOfReadsReturnEarlierStates) {
  const std::string posting = "missions/minusma/postings/2020-ipo-first-half";
  const int64_t imported = Revision();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const absl::Time after_import = absl::Now();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const v1::Mission original = GetMission("missions/minusma");
  ASSERT_TRUE(RenameMission(*stub_, original.name(), "MINUSMA renamed", original.etag()).ok());
  const int64_t renamed = Revision();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const absl::Time after_rename = absl::Now();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  v1::DeletePostingRequest remove;
  remove.set_name(posting);
  ASSERT_TRUE(Call(&Stub::DeletePosting, remove).ok());
  const int64_t deleted = Revision();
  ASSERT_EQ(renamed, imported + 1);
  ASSERT_EQ(deleted, imported + 2);

  const auto mission_at = [&](const v1::AsOf& as_of) {
    v1::GetMissionRequest request;
    request.set_name("missions/minusma");
    *request.mutable_as_of() = as_of;
    v1::Mission mission;
    const grpc::Status status = Call(&Stub::GetMission, request, &mission);
    EXPECT_TRUE(status.ok()) << Describe(status);
    return mission;
  };
  v1::AsOf at;
  at.set_revision(imported);
  EXPECT_EQ(mission_at(at).short_name(), "MINUSMA");
  EXPECT_TRUE(MessageDifferencer::Equals(mission_at(at), original));
  at.set_revision(renamed);
  EXPECT_EQ(mission_at(at).short_name(), "MINUSMA renamed");
  *at.mutable_time() = ToProto(after_import);
  EXPECT_EQ(mission_at(at).short_name(), "MINUSMA");
  *at.mutable_time() = ToProto(after_rename);
  EXPECT_EQ(mission_at(at).short_name(), "MINUSMA renamed");

  // The deleted posting: live before, deleted now.
  v1::GetPostingRequest get;
  get.set_name(posting);
  get.mutable_as_of()->set_revision(renamed);
  v1::Posting then;
  ASSERT_TRUE(Call(&Stub::GetPosting, get, &then).ok());
  EXPECT_FALSE(then.has_delete_time());
  EXPECT_TRUE(GetPosting(posting).has_delete_time());
  v1::ListPostingsRequest list;
  list.set_parent("missions/minusma");
  v1::ListPostingsResponse listed;
  list.mutable_as_of()->set_revision(renamed);
  ASSERT_TRUE(Call(&Stub::ListPostings, list, &listed).ok());
  EXPECT_EQ(listed.postings_size(), 5);
  EXPECT_EQ(listed.revision(), renamed);
  *list.mutable_as_of()->mutable_time() = ToProto(after_rename);
  ASSERT_TRUE(Call(&Stub::ListPostings, list, &listed).ok());
  EXPECT_EQ(listed.postings_size(), 5);
  list.clear_as_of();
  ASSERT_TRUE(Call(&Stub::ListPostings, list, &listed).ok());
  EXPECT_EQ(listed.postings_size(), 4);
  EXPECT_EQ(listed.revision(), deleted);
  // Paging an as_of listing stays at that revision.
  list.mutable_as_of()->set_revision(renamed);
  list.set_page_size(2);
  int total = 0;
  for (int page = 0; page < 10; ++page) {
    ASSERT_TRUE(Call(&Stub::ListPostings, list, &listed).ok());
    EXPECT_EQ(listed.revision(), renamed);
    total += listed.postings_size();
    if (listed.next_page_token().empty()) break;
    list.set_page_token(listed.next_page_token());
  }
  EXPECT_EQ(total, 5);
  v1::BatchGetMissionsRequest batch;
  batch.add_names("missions/minusma");
  batch.mutable_as_of()->set_revision(imported);
  v1::BatchGetMissionsResponse batch_response;
  ASSERT_TRUE(Call(&Stub::BatchGetMissions, batch, &batch_response).ok());
  EXPECT_EQ(batch_response.missions(0).short_name(), "MINUSMA");
  EXPECT_EQ(batch_response.revision(), imported);

  // Before anything existed; beyond the present; not a revision.
  *at.mutable_time() = ToProto(absl::FromUnixSeconds(946684800));  // 2000-01-01
  v1::GetMissionRequest early;
  early.set_name("missions/minusma");
  *early.mutable_as_of() = at;
  EXPECT_EQ(Call(&Stub::GetMission, early).error_code(), StatusCode::NOT_FOUND);
  for (int64_t bad : {deleted + 1, int64_t{0}, int64_t{-3}}) {
    early.mutable_as_of()->set_revision(bad);
    const grpc::Status status = Call(&Stub::GetMission, early);
    EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"as_of.revision"}) << bad;
  }
  list.clear_page_token();
  list.mutable_as_of()->set_revision(deleted + 1);
  EXPECT_EQ(FieldsOf(Call(&Stub::ListPostings, list)), std::vector<std::string>{"as_of.revision"});
}

// --- 7. Audit log. -----------------------------------------------------------

TEST_P(RegistryApiTest, EveryMutationLeavesAnAuditEvent) {
  const int64_t imported = Revision();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const absl::Time start = absl::Now();
  // The mutations come from a client of their own, so its peer is unique.
  std::unique_ptr<Stub> editor = OtherClient();
  const std::string reason = "Kamerstuk 29521, nr. 420";

  v1::CreatePostingRequest create;
  create.set_parent("missions/minusma");
  create.set_posting_id("2021-advisers");
  *create.mutable_posting() = NewPosting();
  create.set_reason(reason);
  v1::Posting created;
  ASSERT_TRUE(CallOn(*editor, &Stub::CreatePosting, create, &created).ok());

  const v1::Mission before = GetMission("missions/minusma");
  v1::UpdateMissionRequest update;
  update.mutable_mission()->set_name(before.name());
  update.mutable_mission()->set_short_name("MINUSMA (VN)");
  update.mutable_mission()->add_aliases("VN-missie Mali");
  update.mutable_update_mask()->add_paths("short_name");
  update.mutable_update_mask()->add_paths("aliases");
  update.mutable_update_mask()->add_paths("report_order");  // unchanged: not listed
  update.mutable_mission()->set_report_order(before.report_order());
  update.set_reason(reason);
  update.set_request_id("audit-update");
  v1::Mission updated;
  ASSERT_TRUE(CallOn(*editor, &Stub::UpdateMission, update, &updated).ok());

  v1::DeletePostingRequest remove;
  remove.set_name(created.name());
  ASSERT_TRUE(CallOn(*editor, &Stub::DeletePosting, remove, &created).ok());
  v1::UndeletePostingRequest restore;
  restore.set_name(created.name());
  ASSERT_TRUE(CallOn(*editor, &Stub::UndeletePosting, restore, &created).ok());
  v1::DeleteMissionRequest force;
  force.set_name("missions/eucap-sahel-niger");
  force.set_force(true);
  v1::Mission niger;
  ASSERT_TRUE(CallOn(*editor, &Stub::DeleteMission, force, &niger).ok());
  const int64_t last = Revision();
  ASSERT_EQ(last, imported + 5);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const absl::Time end = absl::Now();

  // By time range: exactly the five mutations, one event per changed
  // record, oldest first.
  v1::ListAuditEventsRequest by_time;
  *by_time.mutable_start_time() = ToProto(start);
  *by_time.mutable_end_time() = ToProto(end);
  const std::vector<v1::AuditEvent> events = Audit(by_time);
  std::map<int64_t, int> per_revision;
  for (size_t i = 0; i < events.size(); ++i) {
    ++per_revision[events[i].revision()];
    if (i > 0) {
      EXPECT_GT(events[i].id(), events[i - 1].id());
      EXPECT_GE(events[i].revision(), events[i - 1].revision());
    }
  }
  ASSERT_EQ(per_revision.size(), 5u);
  EXPECT_EQ(per_revision[imported + 1], 1);
  EXPECT_EQ(per_revision[imported + 2], 1);
  EXPECT_EQ(per_revision[imported + 3], 1);
  EXPECT_EQ(per_revision[imported + 4], 1);
  // The forced delete: the mission and each record imported under it.
  v1::ListAuditEventsRequest niger_records;
  niger_records.set_resource(niger.name() + "/");
  int children = 0;
  for (const v1::AuditEvent& e : Audit(niger_records)) children += e.revision() == 1 ? 1 : 0;
  EXPECT_GT(children, 3);
  EXPECT_EQ(per_revision[imported + 5], children + 1);
  // Without authentication every caller is "anonymous"; the peer is the
  // editor's connection.
  const std::string peer = events.front().peer();
  EXPECT_TRUE(absl::StartsWith(peer, "ipv4:127.0.0.1:")) << peer;
  for (const v1::AuditEvent& e : events) {
    EXPECT_EQ(e.principal(), "anonymous");
    EXPECT_EQ(e.principal_display_name(), "");
    EXPECT_EQ(e.peer(), peer);
    EXPECT_EQ(DeprecatedActor(e), "anonymous");
    EXPECT_TRUE(e.has_after());
    EXPECT_GE(e.time().seconds(), ToProto(start).seconds());
  }

  // Create: no before; the after is a Posting; method and reason.
  const v1::AuditEvent& created_event = events[0];
  EXPECT_EQ(created_event.change(), v1::CHANGE_KIND_CREATE);
  EXPECT_EQ(created_event.method(), "CreatePosting");
  EXPECT_EQ(created_event.resource(), "missions/minusma/postings/2021-advisers");
  EXPECT_EQ(created_event.reason(), reason);
  EXPECT_FALSE(created_event.has_before());
  v1::Posting after_create;
  ASSERT_TRUE(created_event.after().Is<v1::Posting>());
  ASSERT_TRUE(created_event.after().UnpackTo(&after_create));
  EXPECT_EQ(after_create.count(), 2);

  // Update: before and after as Missions, the changed fields only.
  const v1::AuditEvent& updated_event = events[1];
  EXPECT_EQ(updated_event.change(), v1::CHANGE_KIND_UPDATE);
  EXPECT_EQ(updated_event.method(), "UpdateMission");
  EXPECT_EQ(updated_event.reason(), reason);
  EXPECT_EQ(updated_event.request_id(), "audit-update");
  std::vector<std::string> fields(updated_event.fields().begin(), updated_event.fields().end());
  std::sort(fields.begin(), fields.end());
  EXPECT_EQ(fields, (std::vector<std::string>{"aliases", "short_name"}));
  v1::Mission old_state, new_state;
  ASSERT_TRUE(updated_event.before().Is<v1::Mission>());
  ASSERT_TRUE(updated_event.before().UnpackTo(&old_state));
  ASSERT_TRUE(updated_event.after().UnpackTo(&new_state));
  EXPECT_EQ(old_state.short_name(), "MINUSMA");
  EXPECT_EQ(new_state.short_name(), "MINUSMA (VN)");
  EXPECT_EQ(new_state.etag(), updated.etag());

  // Delete and undelete.
  EXPECT_EQ(events[2].change(), v1::CHANGE_KIND_DELETE);
  v1::Posting deleted_state;
  ASSERT_TRUE(events[2].after().UnpackTo(&deleted_state));
  EXPECT_TRUE(deleted_state.has_delete_time());
  EXPECT_EQ(events[3].change(), v1::CHANGE_KIND_UNDELETE);
  std::set<std::string> forced;
  for (const v1::AuditEvent& e : events) {
    if (e.revision() == imported + 5) {
      EXPECT_EQ(e.change(), v1::CHANGE_KIND_DELETE);
      EXPECT_TRUE(e.resource() == niger.name() || e.resource().starts_with(niger.name() + "/"))
          << e.resource();
      forced.insert(e.resource());
    }
  }
  EXPECT_TRUE(forced.count(niger.name()));

  // By resource (exact and by prefix) and by actor.
  v1::ListAuditEventsRequest by_resource;
  by_resource.set_resource("missions/minusma");
  std::vector<v1::AuditEvent> minusma = Audit(by_resource);
  ASSERT_EQ(minusma.size(), 2u);  // the import and the update
  EXPECT_EQ(minusma[0].change(), v1::CHANGE_KIND_CREATE);
  EXPECT_EQ(minusma[0].method(), "ImportDataset");
  EXPECT_EQ(minusma[1].id(), updated_event.id());
  by_resource.set_resource("missions/minusma/postings/");
  int under_minusma = 0;
  for (const v1::AuditEvent& e : Audit(by_resource)) {
    EXPECT_TRUE(e.resource().starts_with("missions/minusma/postings/")) << e.resource();
    ++under_minusma;
  }
  EXPECT_EQ(under_minusma, 5 + 3);  // imported, then create, delete, undelete
  // By principal: all of them anonymous, the import too.
  const size_t logged = Audit(v1::ListAuditEventsRequest()).size();
  v1::ListAuditEventsRequest by_principal;
  by_principal.set_principal("anonymous");
  EXPECT_EQ(Audit(by_principal).size(), logged);
  by_principal.set_principal(peer);  // a peer is no principal
  EXPECT_TRUE(Audit(by_principal).empty());
  EXPECT_NE(minusma[0].peer(), peer);  // the import came from another connection
  // The time range excludes what came before it.
  *by_time.mutable_end_time() = ToProto(start);
  by_time.clear_start_time();
  for (const v1::AuditEvent& e : Audit(by_time)) EXPECT_EQ(e.revision(), imported);

  // Errors.
  v1::ListAuditEventsRequest backwards;
  *backwards.mutable_start_time() = ToProto(end);
  *backwards.mutable_end_time() = ToProto(start);
  EXPECT_EQ(FieldsOf(Call(&Stub::ListAuditEvents, backwards)),
            std::vector<std::string>{"end_time"});
  v1::ListAuditEventsRequest forged;
  forged.set_page_token("Zm9yZ2Vk");
  EXPECT_EQ(FieldsOf(Call(&Stub::ListAuditEvents, forged)),
            std::vector<std::string>{"page_token"});
}

TEST_P(RegistryApiTest, TheDatabaseRefusesToAlterTheAuditLog) {
  ASSERT_TRUE(RenameMission(*stub_, "missions/unifil", "UNIFIL II", "").ok());
  const std::vector<v1::AuditEvent> before = Audit(v1::ListAuditEventsRequest());
  ASSERT_GT(before.size(), 100u);

  for (const char* sql : {
           "UPDATE audit_events SET resource = 'missions/forged' WHERE id = 1",
           "UPDATE audit_events SET after = before WHERE before IS NOT NULL",
           "DELETE FROM audit_events WHERE id = (SELECT MAX(id) FROM audit_events)",
           "DELETE FROM audit_events",
           "UPDATE revisions SET actor = 'someone else'",
           "DELETE FROM revisions WHERE revision = 2",
       }) {
    const absl::StatusOr<std::string> result = backend_->Sql(sql);
    EXPECT_FALSE(result.ok()) << sql;
    EXPECT_TRUE(absl::StrContains(result.status().message(), "append-only"))
        << sql << ": " << result.status();
  }

  const std::vector<v1::AuditEvent> after = Audit(v1::ListAuditEventsRequest());
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(after[i], before[i])) << i;
  }
}

// The principal (the authenticated identity), its display name and the peer
// address are recorded apart, and ListAuditEvents filters by principal
// (`actor` is its deprecated alias). The authenticated writes go through
// the ResourceApi with the Caller an authenticating adapter hands it.
TEST_P(RegistryApiTest, AuditEventsNameThePrincipalAndThePeerApart) {
  const int64_t imported = Revision();
  const registry::Caller editor{"dev-editor", "Dev Editor", "ipv4:127.0.0.1:40404"};
  const registry::Caller service{"uri:spiffe://missions.local/report-server", "",
                                 "ipv6:[::1]:50505"};
  const auto rename = [&](const registry::Caller& caller, const std::string& name,
                          const std::string& short_name) {
    v1::UpdateMissionRequest request;
    request.mutable_mission()->set_name(name);
    request.mutable_mission()->set_short_name(short_name);
    request.mutable_update_mask()->add_paths("short_name");
    v1::Mission response;
    const absl::Status status =
        api_->Update(registry::ResourceKind::kMission, request, caller, &response);
    EXPECT_TRUE(status.ok()) << status;
  };
  rename(editor, "missions/unifil", "UNIFIL (editor)");
  rename(service, "missions/undof", "UNDOF (service)");
  rename(editor, "missions/untso", "UNTSO (editor)");
  // And one over the wire, anonymous.
  ASSERT_TRUE(RenameMission(*stub_, "missions/eulpc", "EULPC (anonymous)", "").ok());

  v1::ListAuditEventsRequest by_editor;
  by_editor.set_principal("dev-editor");
  const std::vector<v1::AuditEvent> edits = Audit(by_editor);
  ASSERT_EQ(edits.size(), 2u);
  EXPECT_EQ(edits[0].resource(), "missions/unifil");
  EXPECT_EQ(edits[1].resource(), "missions/untso");
  for (const v1::AuditEvent& e : edits) {
    EXPECT_EQ(e.principal(), "dev-editor");
    EXPECT_EQ(e.principal_display_name(), "Dev Editor");
    EXPECT_EQ(e.peer(), "ipv4:127.0.0.1:40404");
    EXPECT_EQ(DeprecatedActor(e), "dev-editor");
  }
  // The deprecated alias filters alike; set with principal, it must agree.
  v1::ListAuditEventsRequest by_alias;
  SetDeprecatedActor(&by_alias, "dev-editor");
  const std::vector<v1::AuditEvent> aliased = Audit(by_alias);
  ASSERT_EQ(aliased.size(), edits.size());
  for (size_t i = 0; i < aliased.size(); ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(aliased[i], edits[i])) << i;
  }
  by_alias.set_principal("dev-editor");
  EXPECT_EQ(Audit(by_alias).size(), edits.size());
  by_alias.set_principal("anonymous");
  EXPECT_EQ(FieldsOf(Call(&Stub::ListAuditEvents, by_alias)), std::vector<std::string>{"actor"});

  // A page token fits the same filter given either way.
  v1::ListAuditEventsRequest first_page;
  first_page.set_principal("dev-editor");
  first_page.set_page_size(1);
  v1::ListAuditEventsResponse page;
  ASSERT_TRUE(Call(&Stub::ListAuditEvents, first_page, &page).ok());
  ASSERT_EQ(page.audit_events_size(), 1);
  ASSERT_FALSE(page.next_page_token().empty());
  v1::ListAuditEventsRequest next_page;
  SetDeprecatedActor(&next_page, "dev-editor");
  next_page.set_page_size(1);
  next_page.set_page_token(page.next_page_token());
  v1::ListAuditEventsResponse second;
  ASSERT_TRUE(Call(&Stub::ListAuditEvents, next_page, &second).ok());
  ASSERT_EQ(second.audit_events_size(), 1);
  EXPECT_EQ(second.audit_events(0).resource(), "missions/untso");

  // A service's principal, without a display name, from its own peer.
  v1::ListAuditEventsRequest by_service;
  by_service.set_principal("uri:spiffe://missions.local/report-server");
  const std::vector<v1::AuditEvent> services = Audit(by_service);
  ASSERT_EQ(services.size(), 1u);
  EXPECT_EQ(services[0].resource(), "missions/undof");
  EXPECT_EQ(services[0].principal_display_name(), "");
  EXPECT_EQ(services[0].peer(), "ipv6:[::1]:50505");

  // Anonymous: the import and the call over the wire, with its peer as
  // gRPC reports it.
  v1::ListAuditEventsRequest by_anonymous;
  by_anonymous.set_principal("anonymous");
  const std::vector<v1::AuditEvent> anonymous = Audit(by_anonymous);
  ASSERT_FALSE(anonymous.empty());
  for (const v1::AuditEvent& e : anonymous) {
    EXPECT_EQ(e.principal(), "anonymous");
    EXPECT_TRUE(e.revision() <= imported || e.resource() == "missions/eulpc") << e.resource();
    EXPECT_TRUE(absl::StartsWith(e.peer(), "ipv4:127.0.0.1:")) << e.peer();
  }
  EXPECT_EQ(anonymous.back().resource(), "missions/eulpc");
  EXPECT_EQ(anonymous.back().method(), "UpdateMission");
  // Neither a peer nor a display name is a principal.
  v1::ListAuditEventsRequest by_peer;
  by_peer.set_principal("ipv4:127.0.0.1:40404");
  EXPECT_TRUE(Audit(by_peer).empty());
  by_peer.set_principal("Dev Editor");
  EXPECT_TRUE(Audit(by_peer).empty());

  // The change feed carries them too.
  const std::vector<v1::AuditEvent> fed = Watch(imported, 4);
  ASSERT_EQ(fed.size(), 4u);
  EXPECT_EQ(fed[0].principal(), "dev-editor");
  EXPECT_EQ(fed[0].principal_display_name(), "Dev Editor");
  EXPECT_EQ(fed[0].peer(), "ipv4:127.0.0.1:40404");
  EXPECT_EQ(fed[1].principal(), "uri:spiffe://missions.local/report-server");
  EXPECT_EQ(fed[1].peer(), "ipv6:[::1]:50505");
  EXPECT_EQ(fed[3].principal(), "anonymous");
  EXPECT_TRUE(absl::StartsWith(fed[3].peer(), "ipv4:127.0.0.1:")) << fed[3].peer();
}

// --- 8. Change feed. ---------------------------------------------------------

TEST_P(RegistryApiTest, ChangeFeedDeliversEveryChangeInOrderAcrossAReconnect) {
  const int64_t imported = Revision();
  // Six single-record changes. The resume point is a revision, so a client
  // can only resume without loss after a revision's last event; with one
  // event per revision every event is such a point. (A forced delete is one
  // revision with many events: a stream cut inside it cannot be resumed
  // exactly with after_revision alone.)
  const auto rename = [&](const std::string& name, int i) {
    ASSERT_TRUE(RenameMission(*stub_, name, absl::StrCat("Renamed ", i), "").ok());
  };
  for (int i = 0; i < 6; ++i) rename(i % 2 == 0 ? "missions/unifil" : "missions/undof", i);

  // Read three, hang up, let four more changes happen, reconnect with the
  // last revision received.
  const std::vector<v1::AuditEvent> first = Watch(imported, 3);
  ASSERT_EQ(first.size(), 3u);
  for (int i = 6; i < 10; ++i) rename("missions/untso", i);
  const std::vector<v1::AuditEvent> second = Watch(first.back().revision(), 7);
  ASSERT_EQ(second.size(), 7u);

  std::vector<v1::AuditEvent> received = first;
  received.insert(received.end(), second.begin(), second.end());
  const std::vector<v1::AuditEvent> log = Audit(v1::ListAuditEventsRequest());
  std::vector<v1::AuditEvent> expected;
  for (const v1::AuditEvent& e : log) {
    if (e.revision() > imported) expected.push_back(e);
  }
  ASSERT_EQ(expected.size(), 10u);
  ASSERT_EQ(received.size(), expected.size());
  for (size_t i = 0; i < received.size(); ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(received[i], expected[i])) << i;
    EXPECT_EQ(received[i].revision(), imported + 1 + static_cast<int64_t>(i));
  }

  // From the beginning: the import's events, then the ten.
  const std::vector<v1::AuditEvent> everything = Watch(0, log.size());
  ASSERT_EQ(everything.size(), log.size());
  EXPECT_EQ(everything.front().revision(), 1);
  for (size_t i = 0; i < everything.size(); ++i) {
    EXPECT_EQ(everything[i].id(), log[i].id()) << i;
  }

  // Caught up, the feed follows new commits as they happen.
  const int64_t now = Revision();
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::unique_ptr<Stub> other = OtherClient();
    EXPECT_TRUE(RenameMission(*other, "missions/eulpc", "EULPC 2", "").ok());
  });
  const std::vector<v1::AuditEvent> followed = Watch(now, 1);
  later.join();
  ASSERT_EQ(followed.size(), 1u);
  EXPECT_EQ(followed[0].revision(), now + 1);
  EXPECT_EQ(followed[0].resource(), "missions/eulpc");

  // A negative revision is refused.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kRpcTimeout);
  v1::WatchChangesRequest negative;
  negative.set_after_revision(-1);
  auto reader = stub_->WatchChanges(&context, negative);
  v1::ChangeEvent ignored;
  EXPECT_FALSE(reader->Read(&ignored));
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"after_revision"});
}

// --- 9. Domain predicates in filters. --------------------------------------

TEST_P(RegistryApiTest, FiltersWithDomainPredicates) {
  // active_in: Takuba started in 2021.
  const std::set<std::string> active_2020 = MissionsMatching("active_in(2020)");
  EXPECT_EQ(active_2020.size(), 23u);
  EXPECT_FALSE(active_2020.count("missions/takuba"));
  EXPECT_TRUE(MissionsMatching("active_in(2021)").count("missions/takuba"));
  EXPECT_FALSE(MissionsMatching("active_in(2021)").count("missions/eunavfor-med-sophia"));

  // in_region / in_cluster agree with the data file.
  std::set<std::string> africa, sahel;
  for (const auto& record : Data2020().missions()) {
    if (record.mission().region() == "regions/africa") africa.insert(record.mission().name());
    if (record.mission().cluster() == "regions/africa/clusters/sahel") {
      sahel.insert(record.mission().name());
    }
  }
  ASSERT_GE(sahel.size(), 4u);
  EXPECT_EQ(MissionsMatching("in_region(\"regions/africa\")"), africa);
  EXPECT_EQ(MissionsMatching("in_cluster(\"regions/africa/clusters/sahel\")"), sahel);
  EXPECT_TRUE(MissionsMatching("in_cluster(\"regions/africa/clusters/sahel\")")
                  .count("missions/minusma"));
  std::set<std::string> sahel_2020;
  for (const std::string& m : sahel) {
    if (active_2020.count(m)) sahel_2020.insert(m);
  }
  EXPECT_EQ(MissionsMatching("in_cluster(\"regions/africa/clusters/sahel\") AND active_in(2020)"),
            sahel_2020);
  EXPECT_EQ(MissionsMatching("NOT in_region(\"regions/africa\")").size(), 24u - africa.size());

  // Mandate decisions across all missions.
  const auto decisions = [&](const std::string& filter) {
    v1::ListInternationalMandateDecisionsRequest request;
    request.set_parent("missions/-");
    request.set_filter(filter);
    request.set_page_size(500);
    v1::ListInternationalMandateDecisionsResponse response;
    const grpc::Status status = Call(&Stub::ListInternationalMandateDecisions, request, &response);
    EXPECT_TRUE(status.ok()) << filter << ": " << Describe(status);
    return std::vector<v1::InternationalMandateDecision>(
        response.international_mandate_decisions().begin(),
        response.international_mandate_decisions().end());
  };
  const std::vector<v1::InternationalMandateDecision> all = decisions("");
  ASSERT_GT(all.size(), 20u);

  // ends_before: exactly the dated ends before 2021-07-01.
  std::set<std::string> expected_ending, ending;
  for (const auto& d : all) {
    const auto& date = d.valid_until().date();
    if (d.valid_until().kind() == v1::EndDate::DATE &&
        std::make_tuple(date.year(), date.month(), date.day()) < std::make_tuple(2021, 7, 1)) {
      expected_ending.insert(d.name());
    }
  }
  for (const auto& d : decisions("ends_before(\"2021-07-01\")")) ending.insert(d.name());
  EXPECT_EQ(ending, expected_ending);
  EXPECT_TRUE(ending.count("missions/minusma/internationalMandates/unscr-2531"));  // 2021-06-30
  EXPECT_TRUE(ending.count("missions/minusma/internationalMandates/unscr-2480"));

  // in_force_on: one decision per mission, the latest decided by then.
  const auto in_force = [&](const std::string& day) {
    std::map<std::string, std::string> by_mission;
    for (const auto& d : decisions(absl::StrCat("in_force_on(\"", day, "\")"))) {
      const std::string mission = d.name().substr(0, d.name().find("/internationalMandates/"));
      EXPECT_TRUE(by_mission.emplace(mission, d.name()).second) << "two for " << mission;
    }
    return by_mission;
  };
  const std::map<std::string, std::string> july = in_force("2020-07-01");
  EXPECT_EQ(july.at("missions/minusma"), "missions/minusma/internationalMandates/unscr-2531");
  const std::map<std::string, std::string> june = in_force("2020-06-01");
  EXPECT_EQ(june.at("missions/minusma"), "missions/minusma/internationalMandates/unscr-2480");
  EXPECT_GE(july.size(), 15u);
  // Combined with other terms.
  std::set<std::string> minusma;
  for (const auto& d : decisions("in_force_on(\"2020-07-01\") AND legal_basis.reference:\"2531\"")) {
    minusma.insert(d.name());
  }
  EXPECT_EQ(minusma, std::set<std::string>{"missions/minusma/internationalMandates/unscr-2531"});

  // National mandates: ends_before as well.
  v1::ListNationalMandateDecisionsRequest national;
  national.set_parent("missions/-");
  national.set_filter("ends_before(2021-07-01)");
  v1::ListNationalMandateDecisionsResponse national_response;
  ASSERT_TRUE(Call(&Stub::ListNationalMandateDecisions, national, &national_response).ok());
  ASSERT_GT(national_response.national_mandate_decisions_size(), 0);
  for (const auto& d : national_response.national_mandate_decisions()) {
    EXPECT_EQ(d.valid_until().kind(), v1::EndDate::DATE) << d.name();
    EXPECT_LT(d.valid_until().date().year() * 10000 + d.valid_until().date().month() * 100 +
                  d.valid_until().date().day(),
              20210701)
        << d.name();
  }

  // Wrong arguments name the position.
  v1::ListMissionsRequest bad;
  bad.set_filter("active_in(\"twenty\")");
  grpc::Status status = Call(&Stub::ListMissions, bad);
  EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"filter"});
  EXPECT_TRUE(absl::StrContains(status.error_message(), "position")) << status.error_message();
  v1::ListInternationalMandateDecisionsRequest unknown;
  unknown.set_parent("missions/-");
  unknown.set_filter("in_region(\"regions/africa\")");  // a mission predicate
  status = Call(&Stub::ListInternationalMandateDecisions, unknown);
  EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"filter"});
}

const auto kBackendNames = ::testing::Values(std::string(testing::kSqlite),
                                             std::string(testing::kPostgresql));
std::string BackendName(const ::testing::TestParamInfo<std::string>& backend) {
  return backend.param;
}
// --- Issue 10: editors' workflow. -------------------------------------------

TEST_P(RegistryApiTest, UpdateWithoutMaskChangesOnlyTheFieldsSetAndStarReplacesAll) {
  const v1::Mission before = GetMission("missions/minusma");
  ASSERT_GT(before.aliases_size() + before.countries_size(), 0);
  ASSERT_FALSE(before.location().empty());

  // Only the name and one field: every other field keeps its value.
  v1::UpdateMissionRequest partial;
  partial.mutable_mission()->set_name(before.name());
  partial.mutable_mission()->set_short_name("MINUSMA (Mali)");
  v1::Mission after;
  grpc::Status status = Call(&Stub::UpdateMission, partial, &after);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(after.short_name(), "MINUSMA (Mali)");
  v1::Mission expected = before;
  expected.set_short_name("MINUSMA (Mali)");
  for (v1::Mission* m : {&expected, &after}) registry::ClearOutputFields(m);
  EXPECT_TRUE(MessageDifferencer::Equals(after, expected)) << after.DebugString();
  v1::ListAuditEventsRequest audit;
  audit.set_resource(before.name());
  const std::vector<v1::AuditEvent> events = Audit(audit);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(std::vector<std::string>(events.back().fields().begin(), events.back().fields().end()),
            std::vector<std::string>{"short_name"});

  // Default values (0, "", empty lists, UNSPECIFIED) are not "set": nothing
  // changes, no revision.
  const int64_t revision = Revision();
  v1::UpdateMissionRequest defaults;
  defaults.mutable_mission()->set_name(before.name());
  defaults.mutable_mission()->set_report_order(0);
  defaults.mutable_mission()->set_lead_organization(v1::LEAD_ORGANIZATION_UNSPECIFIED);
  ASSERT_TRUE(Call(&Stub::UpdateMission, defaults).ok());
  EXPECT_EQ(Revision(), revision);
  EXPECT_EQ(GetMission(before.name()).aliases_size(), before.aliases_size());

  // A message field that is set replaces the stored one as a whole: an
  // end of INDEFINITE has no date left over from the stored DATE.
  v1::GetInternationalMandateDecisionRequest get;
  get.set_name("missions/minusma/internationalMandates/unscr-2531");
  v1::InternationalMandateDecision decision;
  ASSERT_TRUE(Call(&Stub::GetInternationalMandateDecision, get, &decision).ok());
  ASSERT_EQ(decision.valid_until().kind(), v1::EndDate::DATE);
  v1::UpdateInternationalMandateDecisionRequest end;
  end.mutable_international_mandate_decision()->set_name(decision.name());
  end.mutable_international_mandate_decision()->mutable_valid_until()->set_kind(
      v1::EndDate::INDEFINITE);
  v1::InternationalMandateDecision ended;
  status = Call(&Stub::UpdateInternationalMandateDecision, end, &ended);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(ended.valid_until().kind(), v1::EndDate::INDEFINITE);
  EXPECT_FALSE(ended.valid_until().has_date());
  EXPECT_EQ(ended.legal_basis_size(), decision.legal_basis_size());
  EXPECT_TRUE(MessageDifferencer::Equals(ended.decided_on(), decision.decided_on()));

  // `*` replaces the whole record: fields left out are cleared.
  v1::UpdateMissionRequest all;
  *all.mutable_mission() = GetMission(before.name());
  all.mutable_mission()->clear_aliases();
  all.mutable_mission()->clear_location();
  all.mutable_update_mask()->add_paths("*");
  v1::Mission replaced;
  status = Call(&Stub::UpdateMission, all, &replaced);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(replaced.aliases_size(), 0);
  EXPECT_TRUE(replaced.location().empty());
  EXPECT_EQ(replaced.short_name(), "MINUSMA (Mali)");

  // `*` with other paths is an invalid mask.
  all.mutable_update_mask()->add_paths("short_name");
  const std::string state = Dump();
  status = Call(&Stub::UpdateMission, all);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  v1::UpdateMissionRequest star_second;
  *star_second.mutable_mission() = all.mission();
  star_second.mutable_update_mask()->add_paths("short_name");
  star_second.mutable_update_mask()->add_paths("*");
  status = Call(&Stub::UpdateMission, star_second);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"update_mask.paths[1]"});
  EXPECT_EQ(Dump(), state);
}

TEST_P(RegistryApiTest, MandateDecisionsEndNotBeforeTheirDayAndOnePerMissionAndDay) {
  const std::string state = Dump();
  // A national mandate that ends before it was decided.
  v1::CreateNationalMandateDecisionRequest early;
  early.set_parent("missions/minusma");
  early.set_national_mandate_decision_id("until-2021-10-01");
  *early.mutable_national_mandate_decision() = NewNationalMandate();  // decided 2021-11-01
  *early.mutable_national_mandate_decision()->mutable_valid_until()->mutable_date() =
      MakeDate(2021, 10, 1);
  grpc::Status status = Call(&Stub::CreateNationalMandateDecision, early);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_EQ(FieldsOf(status),
            std::vector<std::string>{"national_mandate_decision.valid_until.date"});
  // The same for an international one, and by an update.
  v1::UpdateInternationalMandateDecisionRequest shorten;
  shorten.mutable_international_mandate_decision()->set_name(
      "missions/minusma/internationalMandates/unscr-2531");  // decided 2020-06-29
  *shorten.mutable_international_mandate_decision()->mutable_valid_until()->mutable_date() =
      MakeDate(2020, 6, 28);
  shorten.mutable_update_mask()->add_paths("valid_until.date");
  status = Call(&Stub::UpdateInternationalMandateDecision, shorten);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_EQ(FieldsOf(status),
            std::vector<std::string>{"international_mandate_decision.valid_until.date"});
  // Ending on the day of the decision is allowed (checked with validate_only).
  shorten.mutable_international_mandate_decision()->mutable_valid_until()->mutable_date()->set_day(
      29);
  shorten.set_validate_only(true);
  status = Call(&Stub::UpdateInternationalMandateDecision, shorten);
  EXPECT_TRUE(status.ok()) << Describe(status);

  // A second decision of the mission on the same day.
  v1::CreateInternationalMandateDecisionRequest twin;
  twin.set_parent("missions/minusma");
  twin.set_international_mandate_decision_id("unscr-2531-twin");
  *twin.mutable_international_mandate_decision() = NewInternationalMandate();
  *twin.mutable_international_mandate_decision()->mutable_decided_on() = MakeDate(2020, 6, 29);
  status = Call(&Stub::CreateInternationalMandateDecision, twin);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_EQ(FieldsOf(status),
            std::vector<std::string>{"international_mandate_decision.decided_on"});
  EXPECT_TRUE(absl::StrContains(status.error_message(),
                                "missions/minusma/internationalMandates/unscr-2531"))
      << status.error_message();
  // Moving an existing decision onto that day.
  v1::UpdateInternationalMandateDecisionRequest move;
  move.mutable_international_mandate_decision()->set_name(
      "missions/minusma/internationalMandates/unscr-2480");
  *move.mutable_international_mandate_decision()->mutable_decided_on() = MakeDate(2020, 6, 29);
  status = Call(&Stub::UpdateInternationalMandateDecision, move);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_EQ(FieldsOf(status),
            std::vector<std::string>{"international_mandate_decision.decided_on"});
  // Two national decisions on one day, in an import.
  v1::ImportDatasetRequest import;
  v1::MissionRecord* record = import.mutable_dataset()->add_missions();
  *record->mutable_mission() = NewMission();
  record->mutable_mission()->set_name("missions/eucap-test");
  for (const char* id : {"first", "second"}) {
    v1::NationalMandateDecision* d = record->add_national_mandates();
    *d = NewNationalMandate();
    d->set_name(absl::StrCat("missions/eucap-test/nationalMandates/", id));
  }
  v1::ImportDatasetResponse imported;
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kRpcTimeout);
    status = bulk_stub_->ImportDataset(&context, import, &imported);
  }
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_EQ(FieldsOf(status),
            std::vector<std::string>{"dataset.missions[0].national_mandates[1].decided_on"});
  EXPECT_EQ(Dump(), state);

  // A deleted decision leaves its day free; undeleting it once another
  // decision took the day is refused.
  v1::DeleteInternationalMandateDecisionRequest remove;
  remove.set_name("missions/minusma/internationalMandates/unscr-2531");
  ASSERT_TRUE(Call(&Stub::DeleteInternationalMandateDecision, remove).ok());
  status = Call(&Stub::CreateInternationalMandateDecision, twin);
  ASSERT_TRUE(status.ok()) << Describe(status);
  v1::UndeleteInternationalMandateDecisionRequest restore;
  restore.set_name(remove.name());
  status = Call(&Stub::UndeleteInternationalMandateDecision, restore);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION) << Describe(status);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "unscr-2531-twin was decided on the same day"))
      << status.error_message();

  // Concurrent creates of two decisions on one day: the commit checks the
  // state it follows, so exactly one is stored.
  std::vector<std::unique_ptr<Stub>> clients;
  for (int i = 0; i < 2; ++i) clients.push_back(ConnectedOtherClient());
  std::vector<grpc::Status> results(2);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      v1::CreateNationalMandateDecisionRequest create;
      create.set_parent("missions/minusma");
      create.set_national_mandate_decision_id(absl::StrCat("race-", i));
      *create.mutable_national_mandate_decision() = NewNationalMandate();
      ++ready;
      while (ready.load() < 2) std::this_thread::yield();
      v1::NationalMandateDecision ignored;
      results[i] = CallOn(*clients[i], &Stub::CreateNationalMandateDecision, create, &ignored);
    });
  }
  for (std::thread& t : threads) t.join();
  int stored = 0;
  for (const grpc::Status& r : results) {
    if (r.ok()) {
      ++stored;
    } else {
      EXPECT_EQ(r.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(r);
    }
  }
  EXPECT_EQ(stored, 1);
  v1::ListNationalMandateDecisionsRequest list;
  list.set_parent("missions/minusma");
  list.set_filter("decided_on = 2021-11-01");
  v1::ListNationalMandateDecisionsResponse listed;
  ASSERT_TRUE(Call(&Stub::ListNationalMandateDecisions, list, &listed).ok());
  EXPECT_EQ(listed.national_mandate_decisions_size(), 1);
}

TEST_P(RegistryApiTest, ImportDatasetTakesARequestIdAndRefusesAnEmptyDataset) {
  const auto import = [&](const v1::ImportDatasetRequest& request,
                          v1::ImportDatasetResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kRpcTimeout);
    return bulk_stub_->ImportDataset(&context, request, response);
  };
  const std::string state = Dump();
  v1::ImportDatasetRequest empty;
  v1::ImportDatasetResponse response;
  grpc::Status status = import(empty, &response);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"dataset"});
  empty.set_validate_only(true);
  EXPECT_EQ(import(empty, &response).error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Dump(), state);

  v1::ImportDatasetRequest request;
  v1::Region* region = request.mutable_dataset()->add_regions();
  *region = NewRegion();
  region->set_name("regions/polar");
  request.set_request_id("import-7d1f");
  v1::ImportDatasetResponse first, again;
  status = import(request, &first);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(first.revision(), 2);
  const int64_t revision = Revision();
  status = import(request, &again);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_TRUE(MessageDifferencer::Equals(first, again)) << again.DebugString();
  EXPECT_EQ(Revision(), revision);
  // The same id for another dataset.
  request.mutable_dataset()->mutable_regions(0)->set_report_order(71);
  status = import(request, &again);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"request_id"});
  // Without an id a repeat is a second import, refused as a duplicate.
  request.clear_request_id();
  EXPECT_EQ(import(request, &again).error_code(), StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Revision(), revision);
}

// A BatchWrite item that creates `resource` (of the oneof field `set`).
template <typename Resource>
v1::BatchWriteItem CreateItem(const std::string& parent, const std::string& id,
                              const Resource& resource,
                              Resource* (v1::BatchWriteItem::*set)()) {
  v1::BatchWriteItem item;
  item.set_action(v1::WRITE_ACTION_CREATE);
  item.set_parent(parent);
  item.set_id(id);
  *(item.*set)() = resource;
  return item;
}

v1::BatchWriteItem DeleteItem(const std::string& name, const std::string& etag = "") {
  v1::BatchWriteItem item;
  item.set_action(v1::WRITE_ACTION_DELETE);
  item.set_name(name);
  item.set_etag(etag);
  return item;
}

TEST_P(RegistryApiTest, BatchWriteAppliesEveryItemInOneRevision) {
  const v1::Posting gone = GetPosting("missions/minusma/postings/2020-ipo-first-half");
  v1::Mission polar = NewMission();
  polar.set_region("regions/polar");
  polar.clear_cluster();
  v1::BatchWriteRequest request;
  *request.add_items() = CreateItem("", "polar", NewRegion(), &v1::BatchWriteItem::mutable_region);
  *request.add_items() = CreateItem("", "eucap-polar", polar, &v1::BatchWriteItem::mutable_mission);
  *request.add_items() = CreateItem("missions/eucap-polar", "2021-advisers", NewPosting(),
                                    &v1::BatchWriteItem::mutable_posting);
  v1::BatchWriteItem* update = request.add_items();
  update->set_action(v1::WRITE_ACTION_UPDATE);
  update->mutable_mission()->set_name("missions/minusma");
  update->mutable_mission()->set_short_name("MINUSMA (Mali)");
  *request.add_items() = DeleteItem(gone.name(), gone.etag());
  request.set_reason("Kamerstuk 29521 nr. 431");
  request.set_request_id("batch-0b1c");

  // validate_only: every result as it would be, nothing stored.
  const std::string state = Dump();
  request.set_validate_only(true);
  v1::BatchWriteResponse checked;
  grpc::Status status = Call(&Stub::BatchWrite, request, &checked);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(checked.revision(), 0);
  ASSERT_EQ(checked.results_size(), 5);
  EXPECT_EQ(checked.results(1).mission().name(), "missions/eucap-polar");
  EXPECT_EQ(Dump(), state);

  request.set_validate_only(false);
  v1::BatchWriteResponse response;
  status = Call(&Stub::BatchWrite, request, &response);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(response.revision(), 2);
  EXPECT_EQ(Revision(), 2);
  ASSERT_EQ(response.results_size(), 5);
  EXPECT_EQ(response.results(0).region().name(), "regions/polar");
  EXPECT_EQ(response.results(2).posting().name(),
            "missions/eucap-polar/postings/2021-advisers");
  EXPECT_EQ(response.results(3).mission().short_name(), "MINUSMA (Mali)");
  EXPECT_TRUE(response.results(4).posting().has_delete_time());
  for (const v1::BatchWriteResult& result : response.results()) {
    EXPECT_NE(result.resource_case(), v1::BatchWriteResult::RESOURCE_NOT_SET);
    const google::protobuf::Message& record = result.GetReflection()->GetMessage(
        result, result.GetReflection()->GetOneofFieldDescriptor(
                    result, result.GetDescriptor()->FindOneofByName("resource")));
    EXPECT_EQ(record.GetReflection()->GetString(record,
                                                record.GetDescriptor()->FindFieldByName("etag")),
              registry::EtagFor(2));
  }
  EXPECT_EQ(GetMission("missions/eucap-polar").region(), "regions/polar");
  EXPECT_EQ(GetMission("missions/minusma").location().at("nl"), "Mali");  // not cleared
  EXPECT_TRUE(GetPosting(gone.name()).has_delete_time());
  // One revision, one audit event per record, with the batch's reason.
  v1::ListAuditEventsRequest audit;
  std::vector<v1::AuditEvent> events;
  for (const v1::AuditEvent& e : Audit(audit)) {
    if (e.revision() == 2) events.push_back(e);
  }
  ASSERT_EQ(events.size(), 5u);
  for (const v1::AuditEvent& e : events) {
    EXPECT_EQ(e.method(), "BatchWrite");
    EXPECT_EQ(e.reason(), "Kamerstuk 29521 nr. 431");
    EXPECT_EQ(e.request_id(), "batch-0b1c");
  }

  // A retry gets the first response and writes nothing; the same id for
  // another batch is refused.
  v1::BatchWriteResponse again;
  status = Call(&Stub::BatchWrite, request, &again);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_TRUE(MessageDifferencer::Equals(again, response));
  EXPECT_EQ(Revision(), 2);
  request.set_reason("another");
  status = Call(&Stub::BatchWrite, request, &again);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"request_id"});

  // A record with children goes only together with them, children first.
  v1::BatchWriteRequest remove;
  *remove.add_items() = DeleteItem("missions/eucap-polar");
  status = Call(&Stub::BatchWrite, remove);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION) << Describe(status);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "items[0]: ")) << status.error_message();
  remove.clear_items();
  *remove.add_items() = DeleteItem("missions/eucap-polar/postings/2021-advisers");
  *remove.add_items() = DeleteItem("missions/eucap-polar");
  *remove.add_items() = DeleteItem("regions/polar");
  status = Call(&Stub::BatchWrite, remove);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_TRUE(GetMission("missions/eucap-polar").has_delete_time());
  EXPECT_EQ(Revision(), 3);
}

TEST_P(RegistryApiTest, BatchWriteReportsEveryViolationWithItsIndexAndStoresNothing) {
  const std::string state = Dump();
  v1::Mission unnamed = NewMission();
  unnamed.clear_short_name();
  v1::BatchWriteRequest request;
  *request.add_items() = CreateItem("", "polar", NewRegion(), &v1::BatchWriteItem::mutable_region);
  *request.add_items() = CreateItem("", "eucap-unnamed", unnamed,
                                    &v1::BatchWriteItem::mutable_mission);
  v1::BatchWriteItem* update = request.add_items();
  update->set_action(v1::WRITE_ACTION_UPDATE);
  update->mutable_posting()->set_name("missions/minusma/postings/2020-ipo-first-half");
  update->mutable_posting()->set_count(-3);
  *request.add_items() = DeleteItem("missions/Not_A_Name");
  request.add_items();  // no action
  *request.add_items() = CreateItem("missions/minusma", "Bad_Id", NewPosting(),
                                    &v1::BatchWriteItem::mutable_posting);
  v1::BatchWriteItem* masked = request.add_items();
  masked->set_action(v1::WRITE_ACTION_UPDATE);
  masked->mutable_mission()->set_name("missions/minusma");
  masked->mutable_update_mask()->add_paths("short_name");
  masked->mutable_update_mask()->add_paths("etag");
  grpc::Status status = Call(&Stub::BatchWrite, request);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_EQ(FieldsOf(status),
            (std::vector<std::string>{"items[1].mission.short_name", "items[2].posting.count",
                                      "items[3].name", "items[4].action", "items[5].id",
                                      "items[6].update_mask.paths[1]"}));
  EXPECT_EQ(Dump(), state);

  // Two items that change one record.
  v1::BatchWriteRequest twice;
  *twice.add_items() = DeleteItem("missions/minusma/postings/2020-ipo-first-half");
  v1::BatchWriteItem* again = twice.add_items();
  again->set_action(v1::WRITE_ACTION_UPDATE);
  again->mutable_posting()->set_name("missions/minusma/postings/2020-ipo-first-half");
  again->mutable_posting()->set_count(4);
  status = Call(&Stub::BatchWrite, twice);
  // The update of a record deleted by the item before it fails as the
  // single Update would.
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION) << Describe(status);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "items[1]: ")) << status.error_message();
  twice.mutable_items(0)->CopyFrom(*again);
  twice.mutable_items(0)->mutable_posting()->set_count(3);
  status = Call(&Stub::BatchWrite, twice);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"items[1]"});

  // A stale etag in one item fails the batch with ABORTED.
  const v1::Mission minusma = GetMission("missions/minusma");
  ASSERT_TRUE(RenameMission(*stub_, minusma.name(), "MINUSMA-2", minusma.etag()).ok());
  const std::string renamed = Dump();
  v1::BatchWriteRequest stale;
  *stale.add_items() = CreateItem("", "polar", NewRegion(), &v1::BatchWriteItem::mutable_region);
  v1::BatchWriteItem* rename = stale.add_items();
  rename->set_action(v1::WRITE_ACTION_UPDATE);
  rename->mutable_mission()->set_name(minusma.name());
  rename->mutable_mission()->set_etag(minusma.etag());
  rename->mutable_mission()->set_short_name("MINUSMA-3");
  status = Call(&Stub::BatchWrite, stale);
  EXPECT_EQ(status.error_code(), StatusCode::ABORTED) << Describe(status);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "items[1]: ")) << status.error_message();
  // No items, or too many.
  v1::BatchWriteRequest none;
  status = Call(&Stub::BatchWrite, none);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"items"});
  v1::BatchWriteRequest many;
  for (int i = 0; i < 501; ++i) *many.add_items() = DeleteItem("regions/europe");
  status = Call(&Stub::BatchWrite, many);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"items"});
  EXPECT_EQ(Dump(), renamed);
}

INSTANTIATE_TEST_SUITE_P(Backends, RegistryApiTest, kBackendNames, BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, RegistryServerRestartTest, kBackendNames, BackendName);

}  // namespace
}  // namespace missions
