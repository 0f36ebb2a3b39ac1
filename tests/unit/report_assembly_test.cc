#include "report-service/report/report_assembly.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/report_test_data.h"

namespace missions::report {
namespace {

using ::registry::v1::Dataset;
using ::registry::v1::MissionRecord;
using test_data::AddMission;
using test_data::AddNationalDecision;
using test_data::AddPersonnel;
using test_data::AddPool;
using test_data::BaseDataset;
using test_data::Day;
using test_data::ParseText;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;

ReportModel Assemble(const Dataset& data, Language language = Language::kDutch,
                     int year = 2020) {
  absl::StatusOr<ReportModel> model = AssembleReport(data, year, language);
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *std::move(model) : ReportModel{};
}

std::vector<std::string> Annex2Missions(const ReportModel& model) {
  std::vector<std::string> names;
  for (const Annex2Row& row : model.annex2.rows) {
    names.push_back(row.short_name);
  }
  return names;
}

std::vector<std::string> Annex1Missions(const ReportModel& model) {
  std::vector<std::string> names;
  for (const Annex1Row& row : model.annex1.rows) {
    names.push_back(row.mission_title);
  }
  return names;
}

// The items of a region section as "number title", a cluster's missions
// after it, indented: {"2.4.1 Sahel", "  2.4.1.1 EUTM Mali", "2.4.2 GPOI"}.
std::vector<std::string> Outline(const RegionSection& region) {
  std::vector<std::string> lines;
  for (const RegionItem& item : region.items) {
    EXPECT_NE(item.mission.has_value(), item.cluster.has_value())
        << "a region item must be exactly one of mission and cluster";
    if (item.mission.has_value()) {
      lines.push_back(
          absl::StrCat(item.mission->number, " ", item.mission->title));
    }
    if (item.cluster.has_value()) {
      lines.push_back(
          absl::StrCat(item.cluster->number, " ", item.cluster->title));
      for (const MissionSection& mission : item.cluster->missions) {
        lines.push_back(absl::StrCat("  ", mission.number, " ", mission.title));
      }
    }
  }
  return lines;
}

// The mission sections of a region in reading order, clustered or not.
std::vector<const MissionSection*> RegionMissions(const RegionSection& region) {
  std::vector<const MissionSection*> missions;
  for (const RegionItem& item : region.items) {
    if (item.mission.has_value()) missions.push_back(&*item.mission);
    if (item.cluster.has_value()) {
      for (const MissionSection& mission : item.cluster->missions) {
        missions.push_back(&mission);
      }
    }
  }
  return missions;
}

const Annex2Row& Row(const ReportModel& model, absl::string_view short_name) {
  for (const Annex2Row& row : model.annex2.rows) {
    if (row.short_name == short_name) return row;
  }
  ADD_FAILURE() << "no annex-2 row " << short_name;
  static const Annex2Row kEmpty;
  return kEmpty;
}

void AddRegion(Dataset& data, absl::string_view name, absl::string_view title,
               int order) {
  ::registry::v1::Region* region = data.add_regions();
  region->set_name(std::string(name));
  (*region->mutable_display_name())["nl"] = std::string(title);
  region->set_report_order(order);
}

void AddCluster(Dataset& data, absl::string_view name, absl::string_view title,
                int order) {
  ::registry::v1::Cluster* cluster = data.add_clusters();
  cluster->set_name(std::string(name));
  (*cluster->mutable_display_name())["nl"] = std::string(title);
  cluster->set_report_order(order);
}

void AddReportText(Dataset& data, absl::string_view name,
                   ::registry::v1::ReportTextKind kind,
                   absl::string_view subject, absl::string_view language,
                   absl::string_view text) {
  ::registry::v1::ReportText* report_text = data.add_report_texts();
  report_text->set_name(std::string(name));
  report_text->set_kind(kind);
  report_text->set_subject(std::string(subject));
  report_text->set_language(std::string(language));
  report_text->set_text(std::string(text));
}

void AddNarrative(MissionRecord& record,
                  ::registry::v1::NarrativeSection section,
                  absl::string_view language, absl::string_view text,
                  ::registry::v1::ContributionKind kind =
                      ::registry::v1::CONTRIBUTION_KIND_UNSPECIFIED,
                  int year = 2020) {
  ::registry::v1::Narrative* narrative = record.add_narratives();
  narrative->set_name(absl::StrCat(record.mission().name(), "/narratives/",
                                   record.narratives_size()));
  narrative->set_year(year);
  narrative->set_section(section);
  narrative->set_contribution_kind(kind);
  narrative->set_language(std::string(language));
  narrative->set_text(std::string(text));
}

// ------------------------------------------------------------- Errors

TEST(AssembleReportTest, NotFoundWithoutTheReportYear) {
  const Dataset data = BaseDataset(2020);
  EXPECT_EQ(AssembleReport(data, 2019, Language::kDutch).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(AssembleReportTest, InvalidArgumentForBrokenReferences) {
  Dataset unknown_region = BaseDataset();
  AddMission(unknown_region, "m", "M", "regions/nowhere");
  EXPECT_EQ(
      AssembleReport(unknown_region, 2020, Language::kDutch).status().code(),
      absl::StatusCode::kInvalidArgument);

  Dataset unknown_pool = BaseDataset();
  AddNationalDecision(AddMission(unknown_pool, "m", "M"), Day(2019, 1, 1), 2021,
                      "pool: 'capPools/none'");
  EXPECT_EQ(
      AssembleReport(unknown_pool, 2020, Language::kDutch).status().code(),
      absl::StatusCode::kInvalidArgument);

  Dataset no_publication_date = BaseDataset();
  no_publication_date.mutable_report_years(0)->clear_publication_date();
  EXPECT_EQ(AssembleReport(no_publication_date, 2020, Language::kDutch)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AssembleReportTest, InactiveMissionsMayHaveBrokenReferences) {
  Dataset data = BaseDataset();
  MissionRecord& future = AddMission(data, "future", "F", "regions/nowhere");
  *future.mutable_mission()->mutable_start_date() = Day(2021, 3);
  EXPECT_TRUE(AssembleReport(data, 2020, Language::kDutch).ok());
}

// --------------------------------------------------- Order and chapters

TEST(AssembleReportTest, ReportOrderRegionsClustersMissions) {
  Dataset data = BaseDataset();
  AddRegion(data, "regions/b-africa", "Afrika", 30);
  AddRegion(data, "regions/a-also-30", "Ook 30", 30);  // tie: by name
  AddCluster(data, "regions/b-africa/clusters/sahel", "Sahel", 10);
  AddCluster(data, "regions/b-africa/clusters/libya", "Libië", 5);
  const auto clustered = [&](absl::string_view id, absl::string_view cluster,
                             int order) {
    MissionRecord& record = AddMission(data, id, id, "regions/b-africa", order);
    record.mutable_mission()->set_cluster(std::string(cluster));
  };
  clustered("sahel-2", "regions/b-africa/clusters/sahel", 20);
  clustered("sahel-1", "regions/b-africa/clusters/sahel", 10);
  AddMission(data, "africa-loose", "africa-loose", "regions/b-africa", 90);
  clustered("libya-1", "regions/b-africa/clusters/libya", 10);
  AddMission(data, "also-30", "also-30", "regions/a-also-30", 10);
  AddMission(data, "r1-b", "r1-b", "regions/r1", 10);
  AddMission(data, "r1-a", "r1-a", "regions/r1", 10);  // tie: by name

  const ReportModel model = Assemble(data);
  EXPECT_THAT(Annex2Missions(model),
              ElementsAre("r1-a", "r1-b", "also-30", "libya-1", "sahel-1",
                          "sahel-2", "africa-loose"));
  EXPECT_THAT(Annex1Missions(model),
              ElementsAre("r1-a", "r1-b", "also-30", "libya-1", "sahel-1",
                          "sahel-2", "africa-loose"));

  const std::vector<RegionSection>& regions = model.expeditionary.regions;
  ASSERT_EQ(regions.size(), 3u);
  EXPECT_EQ(regions[0].number, "2.2");
  EXPECT_EQ(regions[0].title, "Regio 1");
  EXPECT_THAT(Outline(regions[0]), ElementsAre("2.2.1 r1-a", "2.2.2 r1-b"));
  EXPECT_EQ(regions[1].number, "2.3");
  EXPECT_EQ(regions[1].title, "Ook 30");
  EXPECT_EQ(regions[2].number, "2.4");
  EXPECT_THAT(Outline(regions[2]),
              ElementsAre("2.4.1 Libië", "  2.4.1.1 libya-1", "2.4.2 Sahel",
                          "  2.4.2.1 sahel-1", "  2.4.2.2 sahel-2",
                          "2.4.3 africa-loose"));
}

// A region's clusters and unclustered missions form one sequence by
// report_order: a cluster can stand between two missions, and both the
// numbering and the annexes follow that sequence.
TEST(AssembleReportTest, ClustersAndUnclusteredMissionsInterleave) {
  Dataset data = BaseDataset();
  AddCluster(data, "regions/r1/clusters/gulf", "Golfregio", 20);
  AddMission(data, "after", "After", "regions/r1", 30);
  AddMission(data, "before", "Before", "regions/r1", 10);
  MissionRecord& member =
      AddMission(data, "member", "Member", "regions/r1", 99);
  member.mutable_mission()->set_cluster("regions/r1/clusters/gulf");

  const ReportModel model = Assemble(data);
  ASSERT_EQ(model.expeditionary.regions.size(), 1u);
  const RegionSection& region = model.expeditionary.regions[0];
  ASSERT_EQ(region.items.size(), 3u);
  EXPECT_TRUE(region.items[0].mission.has_value());
  EXPECT_TRUE(region.items[1].cluster.has_value());
  EXPECT_TRUE(region.items[2].mission.has_value());
  EXPECT_THAT(Outline(region), ElementsAre("2.2.1 Before", "2.2.2 Golfregio",
                                           "  2.2.2.1 Member", "2.2.3 After"));
  EXPECT_THAT(Annex1Missions(model), ElementsAre("Before", "Member", "After"));
  EXPECT_THAT(Annex2Missions(model), ElementsAre("Before", "Member", "After"));
}

// At equal report_order a cluster comes before an unclustered mission,
// whatever the names; then the resource name decides.
TEST(AssembleReportTest, ReportOrderTiesClustersFirstThenByName) {
  Dataset data = BaseDataset();
  AddCluster(data, "regions/r1/clusters/z-cluster", "Z-cluster", 10);
  AddCluster(data, "regions/r1/clusters/m-cluster", "M-cluster", 10);
  AddMission(data, "b-loose", "B-loose", "regions/r1", 10);
  AddMission(data, "a-loose", "A-loose", "regions/r1", 10);
  AddMission(data, "z-member", "Z-member", "regions/r1", 5)
      .mutable_mission()
      ->set_cluster("regions/r1/clusters/z-cluster");
  AddMission(data, "m-member", "M-member", "regions/r1", 5)
      .mutable_mission()
      ->set_cluster("regions/r1/clusters/m-cluster");

  const ReportModel model = Assemble(data);
  ASSERT_EQ(model.expeditionary.regions.size(), 1u);
  EXPECT_THAT(
      Outline(model.expeditionary.regions[0]),
      ElementsAre("2.2.1 M-cluster", "  2.2.1.1 M-member", "2.2.2 Z-cluster",
                  "  2.2.2.1 Z-member", "2.2.3 A-loose", "2.2.4 B-loose"));
}

TEST(AssembleReportTest, WhichMissionsGoWhere) {
  Dataset data = BaseDataset();
  AddRegion(data, "regions/national", "Nationaal", 90);
  AddRegion(data, "regions/central-asia", "Centraal-Azië", 50);
  AddMission(data, "plain", "Plain", "regions/r1", 10);
  MissionRecord& progress =
      AddMission(data, "rsm", "RSM", "regions/central-asia", 10);
  progress.mutable_mission()->mutable_separate_reporting()->set_kind(
      ::registry::v1::SEPARATE_REPORTING_KIND_PROGRESS_REPORT);
  (*progress.mutable_mission()
        ->mutable_separate_reporting()
        ->mutable_remark())["nl"] = "separate VGR";
  MissionRecord& evaluation =
      AddMission(data, "emasoh", "EMASoH", "regions/r1", 20);
  evaluation.mutable_mission()->mutable_separate_reporting()->set_kind(
      ::registry::v1::SEPARATE_REPORTING_KIND_END_EVALUATION);
  (*evaluation.mutable_mission()
        ->mutable_separate_reporting()
        ->mutable_remark())["nl"] = "separate eindevaluatie";
  MissionRecord& headquarters =
      AddMission(data, "cmf", "CMF", "regions/r1", 30);
  headquarters.mutable_mission()->set_kind(
      ::registry::v1::MISSION_KIND_HEADQUARTERS);
  MissionRecord& national =
      AddMission(data, "vpd", "VPD", "regions/national", 10);
  national.mutable_mission()->set_kind(
      ::registry::v1::MISSION_KIND_NATIONAL_OPERATION);
  MissionRecord& future =
      AddMission(data, "takuba", "Takuba", "regions/r1", 40);
  *future.mutable_mission()->mutable_start_date() = Day(2021, 3);

  const ReportModel model = Assemble(data);
  // Chapter 2: one region (Central Asia has only a separately reported
  // mission); international and headquarters missions, end evaluations
  // included.
  ASSERT_EQ(model.expeditionary.regions.size(), 1u);
  std::vector<std::string> chapter2;
  for (const MissionSection* mission :
       RegionMissions(model.expeditionary.regions[0])) {
    chapter2.push_back(mission->title);
  }
  EXPECT_THAT(chapter2, ElementsAre("Plain", "EMASoH", "CMF"));
  // Chapter 3: national operations.
  ASSERT_EQ(model.national.missions.size(), 1u);
  EXPECT_EQ(model.national.missions[0].number, "3.1");
  EXPECT_EQ(model.national.missions[0].title, "VPD");
  // Annex 1: no headquarters, no separately reported (progress report).
  EXPECT_THAT(Annex1Missions(model), ElementsAre("Plain", "EMASoH", "VPD"));
  // Annex 2: no headquarters; separately reported with the remark.
  EXPECT_THAT(Annex2Missions(model),
              ElementsAre("Plain", "EMASoH", "RSM", "VPD"));
  EXPECT_THAT(Row(model, "RSM").notes, ElementsAre("separate VGR"));
  EXPECT_THAT(Row(model, "EMASoH").notes,
              ElementsAre("separate eindevaluatie"));
}

// ------------------------------------------------------------ Annex 1

TEST(AssembleReportTest, Annex1ShowsMandatesInForceOnPublication) {
  Dataset data = BaseDataset();  // published 2021-05-19
  MissionRecord& record = AddMission(data, "minusma", "MINUSMA");
  (*record.mutable_mission()->mutable_location())["nl"] = "Mali";
  *record.add_international_mandates() =
      ParseText<::registry::v1::InternationalMandateDecision>(R"pb(
        name: "missions/minusma/internationalMandates/2480"
        decided_on { year: 2019 month: 6 day: 28 }
        legal_basis { citation { key: "nl" value: "VNVR resolutie 2480" } }
        valid_until {
          kind: DATE
          date { year: 2020 month: 6 day: 30 }
        }
      )pb");
  *record.add_international_mandates() =
      ParseText<::registry::v1::InternationalMandateDecision>(R"pb(
        name: "missions/minusma/internationalMandates/2531"
        decided_on { year: 2020 month: 6 day: 29 }
        legal_basis { citation { key: "nl" value: "VNVR resolutie 2531" } }
        legal_basis {
          citation { key: "nl" value: "Overeenkomst VN - Mali" }
          citation { key: "en" value: "Agreement UN - Mali" }
        }
        valid_until {
          kind: DATE
          date { year: 2021 month: 6 day: 30 }
        }
      )pb");
  *record.add_international_mandates() =
      ParseText<::registry::v1::InternationalMandateDecision>(R"pb(
        name: "missions/minusma/internationalMandates/after-publication"
        decided_on { year: 2021 month: 6 day: 29 }
        legal_basis { citation { key: "nl" value: "VNVR resolutie 2584" } }
        valid_until {
          kind: DATE
          date { year: 2022 month: 6 day: 30 }
        }
      )pb");
  AddNationalDecision(record, Day(2019, 1, 1), 2021, "military: 6");
  AddNationalDecision(record, Day(2021, 5, 19), 2022, "military: 6");

  const ReportModel model = Assemble(data);
  ASSERT_EQ(model.annex1.rows.size(), 1u);
  const Annex1Row& row = model.annex1.rows[0];
  EXPECT_EQ(row.region_title, "Regio 1");
  EXPECT_EQ(row.mission_title, "MINUSMA (Mali)");
  EXPECT_EQ(row.legal_basis, "VNVR resolutie 2531; Overeenkomst VN - Mali");
  EXPECT_EQ(row.international_mandate_until.kind, MandateEnd::Kind::kDate);
  EXPECT_EQ(row.international_mandate_until.date, "2021-06-30");
  EXPECT_EQ(row.international_mandate_until.text, "30 juni 2021");
  EXPECT_EQ(row.international_mandate_until.csv_text, "2021-06-30");
  // Decided on the publication day itself: in force.
  EXPECT_EQ(row.national_mandate_until.text, "31 december 2022");
  EXPECT_EQ(model.annex1.as_of, "2021-05-19");

  const ReportModel english = Assemble(data, Language::kEnglish);
  EXPECT_EQ(english.annex1.rows[0].legal_basis,
            "VNVR resolutie 2531; Agreement UN - Mali");
  EXPECT_EQ(english.annex1.rows[0].international_mandate_until.text,
            "30 June 2021");
}

TEST(AssembleReportTest, Annex1EmptyCellsWithoutDecisions) {
  Dataset data = BaseDataset();
  AddMission(data, "m", "M");
  const ReportModel model = Assemble(data);
  ASSERT_EQ(model.annex1.rows.size(), 1u);
  EXPECT_EQ(model.annex1.rows[0].legal_basis, "");
  EXPECT_EQ(model.annex1.rows[0].international_mandate_until.kind,
            MandateEnd::Kind::kNone);
  EXPECT_EQ(model.annex1.rows[0].international_mandate_until.text, "");
  EXPECT_EQ(model.annex1.rows[0].national_mandate_until.csv_text, "");
}

// ------------------------------------------------------------ Annex 2

TEST(AssembleReportTest, Annex2TakesTheLargestCapInForceDuringTheYear) {
  Dataset data = BaseDataset();
  MissionRecord& eutm = AddMission(data, "eutm", "EUTM");
  AddNationalDecision(eutm, Day(2019, 6, 1), 2021, "military: 5 civilian: 0");
  AddNationalDecision(eutm, Day(2020, 7, 1), 2021, "military: 2 civilian: 0");
  AddNationalDecision(eutm, Day(2021, 1, 15), 2022, "military: 9");
  MissionRecord& tie = AddMission(data, "tie", "Tie", "regions/r1", 20);
  AddNationalDecision(tie, Day(2019, 6, 1), 2021, "military: 3 civilian: 0")
      .mutable_cap()
      ->mutable_note()
      ->insert({"nl", "oud"});
  AddNationalDecision(tie, Day(2020, 7, 1), 2021, "military: 1 civilian: 2")
      .mutable_cap()
      ->mutable_note()
      ->insert({"nl", "nieuw"});
  MissionRecord& unstated =
      AddMission(data, "unstated", "Unstated", "regions/r1", 30);
  AddNationalDecision(unstated, Day(2019, 6, 1), 2021, "military: 0");
  AddNationalDecision(unstated, Day(2020, 7, 1), 2021, "");

  const ReportModel model = Assemble(data);
  EXPECT_THAT(Row(model, "EUTM").mandate_military, Optional(5));
  EXPECT_THAT(Row(model, "EUTM").mandate_civilian, Optional(0));
  EXPECT_EQ(Row(model, "EUTM").mandate_combined, std::nullopt);
  // Equal caps: the latest decision.
  EXPECT_THAT(Row(model, "Tie").mandate_military, Optional(1));
  EXPECT_THAT(Row(model, "Tie").mandate_civilian, Optional(2));
  EXPECT_THAT(Row(model, "Tie").notes, ElementsAre("nieuw"));
  // A stated zero beats a cap that states nothing.
  EXPECT_THAT(Row(model, "Unstated").mandate_military, Optional(0));
}

TEST(AssembleReportTest, Annex2WithoutDecisionsOrFiguresLeavesCellsEmpty) {
  Dataset data = BaseDataset();
  AddMission(data, "m", "M");
  const ReportModel model = Assemble(data);
  const Annex2Row& row = Row(model, "M");
  EXPECT_EQ(row.mandate_military, std::nullopt);
  EXPECT_EQ(row.mandate_civilian, std::nullopt);
  EXPECT_EQ(row.mandate_combined, std::nullopt);
  EXPECT_EQ(row.deployed_military, std::nullopt);
  EXPECT_EQ(row.deployed_total, std::nullopt);
  EXPECT_THAT(row.notes, IsEmpty());
}

TEST(AssembleReportTest, Annex2NotesInFixedOrder) {
  Dataset data = BaseDataset();
  AddPool(data, "p", "Pool", "combined: 4");
  MissionRecord& first = AddMission(data, "first", "First", "regions/r1", 10);
  AddNationalDecision(first, Day(2019, 1, 1), 2021, "pool: 'capPools/p'");
  MissionRecord& record =
      AddMission(data, "isis", "Anti-ISIS", "regions/r1", 20);
  record.mutable_mission()->mutable_separate_reporting()->set_kind(
      ::registry::v1::SEPARATE_REPORTING_KIND_PROGRESS_REPORT);
  (*record.mutable_mission()
        ->mutable_separate_reporting()
        ->mutable_remark())["nl"] = "separate VGR";
  AddNationalDecision(record, Day(2019, 1, 1), 2021,
                      "pool: 'capPools/p' note { key: 'nl' value: 'NMI' }");
  AddPersonnel(record, 2020, 475, 6);
  (*record.mutable_personnel(0)->mutable_note())["nl"] = "6 NMI";
  const ReportModel model = Assemble(data);
  EXPECT_THAT(
      Row(model, "Anti-ISIS").notes,
      ElementsAre("separate VGR", "NMI", "6 NMI", "mandaat gedeeld met First"));
}

TEST(AssembleReportTest, CombinedCapCountsOnceInTheTotals) {
  Dataset data = BaseDataset();
  MissionRecord& eulex = AddMission(data, "eulex", "EULEX");
  AddNationalDecision(eulex, Day(2019, 7, 1), 2022, "combined: 15");
  AddPersonnel(eulex, 2020, 0, 6);
  MissionRecord& unifil =
      AddMission(data, "unifil", "UNIFIL", "regions/r1", 20);
  AddNationalDecision(unifil, Day(2019, 7, 1), 2022, "military: 1 civilian: 0");
  AddPersonnel(unifil, 2020, 2, 0);

  const ReportModel model = Assemble(data);
  EXPECT_THAT(Row(model, "EULEX").mandate_combined, Optional(15));
  EXPECT_EQ(Row(model, "EULEX").mandate_military, std::nullopt);
  EXPECT_EQ(Row(model, "EULEX").mandate_civilian, std::nullopt);
  const Annex2Totals& totals = model.annex2.totals;
  EXPECT_EQ(totals.mandate_military, 1);
  EXPECT_EQ(totals.mandate_civilian, 0);
  EXPECT_EQ(totals.mandate_combined, 15);
  EXPECT_EQ(totals.mandate_persons, 16);
  EXPECT_EQ(totals.deployed_military, 2);
  EXPECT_EQ(totals.deployed_civilian, 6);
  EXPECT_EQ(totals.deployed_total, 8);
}

TEST(AssembleReportTest, PooledCapShownOnceOnTheFirstMembersRow) {
  Dataset data = BaseDataset();
  AddPool(data, "eucap-sahel", "EUCAP Sahel Mali en Niger", "combined: 15");
  // Dataset order differs from report order: Niger is listed first.
  MissionRecord& niger =
      AddMission(data, "niger", "EUCAP Sahel Niger", "regions/r1", 40);
  AddNationalDecision(niger, Day(2019, 6, 28), 2021,
                      "pool: 'capPools/eucap-sahel'");
  AddPersonnel(niger, 2020, 0, 4);
  MissionRecord& mali =
      AddMission(data, "mali", "EUCAP Sahel Mali", "regions/r1", 30);
  AddNationalDecision(mali, Day(2019, 6, 28), 2021,
                      "pool: 'capPools/eucap-sahel'");
  AddPersonnel(mali, 2020, 0, 3);

  const ReportModel model = Assemble(data);
  EXPECT_THAT(Annex2Missions(model),
              ElementsAre("EUCAP Sahel Mali", "EUCAP Sahel Niger"));
  const Annex2Row& first = Row(model, "EUCAP Sahel Mali");
  EXPECT_THAT(first.mandate_combined, Optional(15));
  EXPECT_EQ(first.cap_pool, "capPools/eucap-sahel");
  EXPECT_THAT(first.notes,
              ElementsAre("mandaat gedeeld met EUCAP Sahel Niger"));
  const Annex2Row& other = Row(model, "EUCAP Sahel Niger");
  EXPECT_EQ(other.mandate_combined, std::nullopt);
  EXPECT_EQ(other.mandate_military, std::nullopt);
  EXPECT_THAT(other.notes, ElementsAre("mandaat gedeeld met EUCAP Sahel Mali"));
  EXPECT_EQ(model.annex2.totals.mandate_combined, 15);
  EXPECT_EQ(model.annex2.totals.mandate_persons, 15);

  const ReportModel english = Assemble(data, Language::kEnglish);
  EXPECT_THAT(Row(english, "EUCAP Sahel Niger").notes,
              ElementsAre("cap shared with EUCAP Sahel Mali"));
}

TEST(AssembleReportTest, PoolWhoseFirstMemberIsInactive) {
  Dataset data = BaseDataset();
  AddPool(data, "p", "Gedeelde pool", "combined: 10");
  MissionRecord& ended = AddMission(data, "ended", "Ended", "regions/r1", 10);
  *ended.mutable_mission()->mutable_end_date() = Day(2019, 12, 31);
  AddNationalDecision(ended, Day(2018, 1, 1), 2021, "pool: 'capPools/p'");
  MissionRecord& second =
      AddMission(data, "second", "Second", "regions/r1", 20);
  AddNationalDecision(second, Day(2018, 1, 1), 2021, "pool: 'capPools/p'");
  MissionRecord& third = AddMission(data, "third", "Third", "regions/r1", 30);
  AddNationalDecision(third, Day(2018, 1, 1), 2021, "pool: 'capPools/p'");

  const ReportModel model = Assemble(data);
  EXPECT_THAT(Annex2Missions(model), ElementsAre("Second", "Third"));
  EXPECT_THAT(Row(model, "Second").mandate_combined, Optional(10));
  EXPECT_THAT(Row(model, "Second").notes,
              ElementsAre("mandaat gedeeld met Third"));
  EXPECT_EQ(Row(model, "Third").mandate_combined, std::nullopt);
  EXPECT_THAT(Row(model, "Third").notes,
              ElementsAre("mandaat gedeeld met Second"));
  EXPECT_EQ(model.annex2.totals.mandate_combined, 10);

  // In 2021 only one member is left: its note names the pool.
  Dataset later = data;
  *later.add_report_years() = ParseText<::registry::v1::ReportYear>(
      "name: 'reportYears/2021' year: 2021 "
      "publication_date { year: 2022 month: 5 day: 18 }");
  *later.mutable_missions(2)->mutable_mission()->mutable_end_date() =
      Day(2020, 12, 31);
  const ReportModel model_2021 = Assemble(later, Language::kDutch, 2021);
  EXPECT_THAT(Annex2Missions(model_2021), ElementsAre("Second"));
  EXPECT_THAT(Row(model_2021, "Second").mandate_combined, Optional(10));
  EXPECT_THAT(Row(model_2021, "Second").notes,
              ElementsAre("gedeeld mandaat: Gedeelde pool"));
}

TEST(AssembleReportTest, PoolWithSeparateMilitaryAndCivilianCaps) {
  Dataset data = BaseDataset();
  AddPool(data, "p", "Pool", "military: 4 civilian: 6");
  MissionRecord& a = AddMission(data, "a", "A", "regions/r1", 10);
  AddNationalDecision(a, Day(2019, 1, 1), 2021, "pool: 'capPools/p'");
  MissionRecord& b = AddMission(data, "b", "B", "regions/r1", 20);
  AddNationalDecision(b, Day(2019, 1, 1), 2021, "pool: 'capPools/p'");
  MissionRecord& c = AddMission(data, "c", "C", "regions/r1", 30);
  AddNationalDecision(c, Day(2019, 1, 1), 2021, "military: 2 civilian: 1");

  const ReportModel model = Assemble(data);
  EXPECT_THAT(Row(model, "A").mandate_military, Optional(4));
  EXPECT_THAT(Row(model, "A").mandate_civilian, Optional(6));
  EXPECT_EQ(Row(model, "A").mandate_combined, std::nullopt);
  EXPECT_EQ(Row(model, "B").mandate_military, std::nullopt);
  EXPECT_EQ(Row(model, "B").mandate_civilian, std::nullopt);
  const Annex2Totals& totals = model.annex2.totals;
  EXPECT_EQ(totals.mandate_military, 6);
  EXPECT_EQ(totals.mandate_civilian, 7);
  EXPECT_EQ(totals.mandate_combined, 0);
  EXPECT_EQ(totals.mandate_persons, 13);
}

TEST(AssembleReportTest, PooledCapCompetesWithThePoolsSize) {
  Dataset data = BaseDataset();
  AddPool(data, "p", "Pool", "combined: 15");
  MissionRecord& record = AddMission(data, "m", "M");
  AddNationalDecision(record, Day(2019, 1, 1), 2021, "civilian: 4");
  AddNationalDecision(record, Day(2020, 3, 1), 2021, "pool: 'capPools/p'");
  const ReportModel model = Assemble(data);
  EXPECT_THAT(Row(model, "M").mandate_combined, Optional(15));
  EXPECT_EQ(Row(model, "M").mandate_civilian, std::nullopt);
}

// The published 2020 annex 2, row by row. Its totals row reads 1093 and 74
// because the combined caps of EULEX and the EUCAP pool were counted in both
// columns; counted once they give 1063, 44 and 30.
TEST(AssembleReportTest, The2020TotalsCountEachCapOnce) {
  struct Published {
    const char* name;
    std::optional<int> military_cap;
    std::optional<int> civilian_cap;
    const char* other_cap;  // combined or pooled, text format
    int deployed_military;
    int deployed_civilian;
  };
  const std::vector<Published> rows = {
      {"eFP", 270, 0, nullptr, 675, 0},
      {"EULEX", std::nullopt, std::nullopt, "combined: 15", 0, 6},
      {"Anti-ISIS", 210, 20, nullptr, 475, 6},
      {"UNIFIL", 1, 0, nullptr, 2, 0},
      {"UNDOF", 2, 0, nullptr, 3, 0},
      {"UNTSO", 12, 0, nullptr, 22, 0},
      {"EUBAM Rafah", 3, 0, nullptr, 0, 0},
      {"USSC", 3, 3, nullptr, 6, 3},
      {"EMASoH", 240, 1, nullptr, 242, 1},
      {"MINUSMA", 6, 10, nullptr, 10, 11},
      {"EUTM Mali", 5, 0, nullptr, 6, 0},
      {"EUCAP Sahel Mali", std::nullopt, std::nullopt,
       "pool: 'capPools/eucap-sahel'", 0, 3},
      {"EUCAP Sahel Niger", std::nullopt, std::nullopt,
       "pool: 'capPools/eucap-sahel'", 0, 4},
      {"EUBAM Libië", 1, 4, nullptr, 0, 1},
      {"EULPC", 1, 0, nullptr, 2, 0},
      {"EUNAVFOR MED Sophia", 3, 0, nullptr, 2, 0},
      {"EUNAVFOR MED IRINI", 2, 0, nullptr, 4, 0},
      {"EUNAVFOR Atalanta", 3, 1, nullptr, 6, 1},
      {"GPOI", 15, 0, nullptr, 15, 0},
      {"RSM", 165, 5, nullptr, 300, 5},
      {"VPD", 121, 0, nullptr, 77, 0},
  };
  Dataset data = BaseDataset();
  AddPool(data, "eucap-sahel", "EUCAP Sahel Mali en Niger", "combined: 15");
  int order = 0;
  for (const Published& published : rows) {
    MissionRecord& record = AddMission(data, absl::StrCat("m", order),
                                       published.name, "regions/r1", order);
    ++order;
    std::string cap;
    if (published.other_cap != nullptr) {
      cap = published.other_cap;
    } else {
      cap = absl::StrCat("military: ", *published.military_cap,
                         " civilian: ", *published.civilian_cap);
    }
    AddNationalDecision(record, Day(2019, 6, 1), 2021, cap);
    AddPersonnel(record, 2020, published.deployed_military,
                 published.deployed_civilian);
  }

  const ReportModel model = Assemble(data);
  ASSERT_EQ(model.annex2.rows.size(), 21u);
  const Annex2Totals& totals = model.annex2.totals;
  EXPECT_EQ(totals.mandate_military, 1063);
  EXPECT_EQ(totals.mandate_civilian, 44);
  EXPECT_EQ(totals.mandate_combined, 30);
  EXPECT_EQ(totals.mandate_persons, 1137);
  EXPECT_EQ(totals.deployed_military, 1847);
  EXPECT_EQ(totals.deployed_civilian, 41);
  EXPECT_EQ(totals.deployed_total, 1888);

  const Headline& headline = model.expeditionary.coherence.headline;
  EXPECT_EQ(headline.deployed_military, 1847);
  EXPECT_EQ(headline.deployed_civilian, 41);
  EXPECT_EQ(headline.mission_count, 20);  // EUBAM Rafah deployed nobody.
  EXPECT_EQ(headline.sentence,
            "In totaal zijn in 2020 circa 1847 Nederlandse militairen en 41 "
            "civiele experts en politiefunctionarissen ingezet in ongeveer 20 "
            "missies en operaties.");
}

TEST(AssembleReportTest, HeadlineCountsRowsWithPersonnelDeployed) {
  Dataset data = BaseDataset();
  AddPersonnel(AddMission(data, "a", "A", "regions/r1", 1), 2020, 3, 1);
  AddPersonnel(AddMission(data, "b", "B", "regions/r1", 2), 2020, 0, 0);
  AddMission(data, "c", "C", "regions/r1", 3);  // no figures
  AddPersonnel(AddMission(data, "d", "D", "regions/r1", 4), 2019, 50, 0);
  MissionRecord& headquarters = AddMission(data, "hq", "HQ", "regions/r1", 5);
  headquarters.mutable_mission()->set_kind(
      ::registry::v1::MISSION_KIND_HEADQUARTERS);
  AddPersonnel(headquarters, 2020, 2, 0);
  const ReportModel english = Assemble(data, Language::kEnglish);
  const Headline& headline = english.expeditionary.coherence.headline;
  EXPECT_EQ(headline.mission_count, 1);
  EXPECT_EQ(headline.sentence,
            "In 2020, a total of approximately 3 Dutch military personnel and "
            "1 civilian experts and police officers were deployed in some 1 "
            "missions and operations.");
  EXPECT_EQ(Row(english, "D").deployed_total, std::nullopt);
}

// ---------------------------------------------------------- Footnotes

TEST(AssembleReportTest, FootnotesNumberedInReadingOrder) {
  Dataset data = BaseDataset();
  for (const char* id : {"a", "b"}) {
    MissionRecord& record = AddMission(data, id, id);
    (*AddNationalDecision(record, std::nullopt, 2030, "military: 121")
          .mutable_capacity_note())["nl"] = absl::StrCat("Capaciteit ", id);
  }
  const ReportModel model = Assemble(data);
  ASSERT_EQ(model.footnotes.size(), 4u);
  EXPECT_EQ(model.expeditionary.coherence.headline.footnote, 1);
  EXPECT_THAT(model.annex2.rows[0].footnotes, ElementsAre(2));
  EXPECT_THAT(model.annex2.rows[1].footnotes, ElementsAre(3));
  EXPECT_EQ(model.annex2.totals.footnote, 4);
  for (size_t i = 0; i < model.footnotes.size(); ++i) {
    EXPECT_EQ(model.footnotes[i].number, static_cast<int>(i) + 1);
  }
  EXPECT_EQ(model.footnotes[1].text, "Capaciteit a");
  EXPECT_THAT(model.footnotes[3].text,
              ::testing::HasSubstr("ten hoogste 242 personen"));
}

// ------------------------------------------------------ Texts, language

TEST(AssembleReportTest, TextsOfTheYearInTheLanguageWithFallback) {
  Dataset data = BaseDataset();
  AddReportText(data, "reportYears/2019/texts/introduction-en",
                ::registry::v1::REPORT_TEXT_KIND_INTRODUCTION, "", "en",
                "Old introduction.");
  AddReportText(data, "reportYears/2020/texts/introduction-nl",
                ::registry::v1::REPORT_TEXT_KIND_INTRODUCTION, "", "nl",
                "Eerste alinea,\nnog steeds de eerste.\n\n  \nTweede alinea.");
  AddReportText(data, "reportYears/2020/texts/closing-en",
                ::registry::v1::REPORT_TEXT_KIND_CLOSING, "", "en",
                "Closing words.");
  AddReportText(data, "reportYears/2020/texts/r1-nl",
                ::registry::v1::REPORT_TEXT_KIND_REGION_RATIONALE, "regions/r1",
                "nl", "Waarom regio 1.");
  AddMission(data, "m", "M");

  const ReportModel english = Assemble(data, Language::kEnglish);
  EXPECT_THAT(
      english.introduction.text.paragraphs,
      ElementsAre("Eerste alinea, nog steeds de eerste.", "Tweede alinea."));
  EXPECT_EQ(english.introduction.text.language, "nl");
  EXPECT_EQ(english.introduction.text.language_note, "(text in Dutch)");
  EXPECT_THAT(english.closing.text.paragraphs, ElementsAre("Closing words."));
  EXPECT_EQ(english.closing.text.language_note, "");
  ASSERT_EQ(english.expeditionary.regions.size(), 1u);
  EXPECT_EQ(english.expeditionary.regions[0].rationale_heading,
            "Rationale and coherence of the Dutch contributions");

  const ReportModel dutch = Assemble(data, Language::kDutch);
  EXPECT_EQ(dutch.introduction.text.language_note, "");
  EXPECT_THAT(dutch.closing.text.paragraphs, ElementsAre("Closing words."));
  EXPECT_EQ(dutch.closing.text.language_note, "(Engelstalige tekst)");
  EXPECT_TRUE(dutch.expeditionary.coherence.text.empty());
}

TEST(AssembleReportTest, MissionSubsectionsFromNarrativesOfTheYear) {
  Dataset data = BaseDataset();
  MissionRecord& record = AddMission(data, "unifil", "UNIFIL");
  (*record.mutable_mission()->mutable_location())["nl"] = "Libanon";
  (*record.mutable_mission()->mutable_location())["en"] = "Lebanon";
  AddNarrative(record, ::registry::v1::NARRATIVE_SECTION_CONTRIBUTION, "nl",
               "Een genderadviseur.",
               ::registry::v1::CONTRIBUTION_KIND_MILITARY);
  AddNarrative(record, ::registry::v1::NARRATIVE_SECTION_DEVELOPMENTS, "nl",
               "Explosie in Beiroet.");
  AddNarrative(record, ::registry::v1::NARRATIVE_SECTION_DEVELOPMENTS, "en",
               "Explosion in Beirut.");
  AddNarrative(record, ::registry::v1::NARRATIVE_SECTION_RATIONALE, "nl",
               "Rationale van 2019.",
               ::registry::v1::CONTRIBUTION_KIND_UNSPECIFIED, 2019);
  *record.add_postings() = ParseText<::registry::v1::Posting>(R"pb(
    year: 2020
    function { key: "en" value: "Military Child Protection and Gender Advisor" }
    place: "Naqoura"
    category: PERSONNEL_CATEGORY_MILITARY
    count: 1
  )pb");

  const ReportModel english = Assemble(data, Language::kEnglish);
  ASSERT_EQ(english.expeditionary.regions.size(), 1u);
  ASSERT_EQ(english.expeditionary.regions[0].items.size(), 1u);
  ASSERT_TRUE(english.expeditionary.regions[0].items[0].mission.has_value());
  const MissionSection& section =
      *english.expeditionary.regions[0].items[0].mission;
  EXPECT_EQ(section.number, "2.2.1");
  EXPECT_EQ(section.title, "UNIFIL (Lebanon)");
  ASSERT_EQ(section.subsections.size(), 2u);
  EXPECT_EQ(section.subsections[0].heading,
            "Developments relevant to the mission");
  EXPECT_THAT(section.subsections[0].text.paragraphs,
              ElementsAre("Explosion in Beirut."));
  const MissionSubsection& contribution = section.subsections[1];
  EXPECT_EQ(contribution.heading, "Military contribution");
  EXPECT_EQ(contribution.text.language_note, "(text in Dutch)");
  EXPECT_EQ(contribution.postings_intro, "Dutch positions in 2020:");
  EXPECT_THAT(contribution.postings,
              ElementsAre("Military Child Protection and Gender Advisor "
                          "(Naqoura): 1 service member"));
  EXPECT_EQ(section.missing_text_note, "");
}

TEST(AssembleReportTest, ContributionWithoutNarrativeAndMissingText) {
  Dataset data = BaseDataset();
  MissionRecord& gpoi = AddMission(data, "gpoi", "GPOI");
  *gpoi.add_financial_contributions() =
      ParseText<::registry::v1::FinancialContribution>(R"pb(
        amount { currency_code: "EUR" units: 3500000 }
        annual: true
        first_year: 2007
        last_year: 2021
        purpose { key: "nl" value: "Bijdrage aan GPOI" }
      )pb");
  *gpoi.add_financial_contributions() =
      ParseText<::registry::v1::FinancialContribution>(R"pb(
        amount { currency_code: "EUR" units: 1000000 }
        first_year: 2018
        last_year: 2019
        purpose { key: "nl" value: "Afgelopen bijdrage" }
      )pb");
  MissionRecord& ussc = AddMission(data, "ussc", "USSC", "regions/r1", 20);
  for (const auto category : {::registry::v1::PERSONNEL_CATEGORY_MILITARY,
                              ::registry::v1::PERSONNEL_CATEGORY_POLICE}) {
    ::registry::v1::Posting* posting = ussc.add_postings();
    posting->set_year(2020);
    (*posting->mutable_function())["nl"] = "Adviseur";
    posting->set_category(category);
    posting->set_count(3);
  }
  AddMission(data, "silent", "Silent", "regions/r1", 30);

  const ReportModel model = Assemble(data);
  ASSERT_EQ(model.expeditionary.regions.size(), 1u);
  const std::vector<const MissionSection*> missions =
      RegionMissions(model.expeditionary.regions[0]);
  ASSERT_EQ(missions.size(), 3u);
  ASSERT_EQ(missions[0]->subsections.size(), 1u);
  EXPECT_EQ(missions[0]->subsections[0].heading, "Financiële bijdrage");
  EXPECT_THAT(missions[0]->subsections[0].financial_contributions,
              ElementsAre("Bijdrage aan GPOI: 3,5 miljoen euro per jaar (2007 "
                          "tot en met 2021)"));
  ASSERT_EQ(missions[1]->subsections.size(), 1u);
  EXPECT_EQ(missions[1]->subsections[0].heading,
            "Militaire en civiele bijdrage");
  EXPECT_THAT(missions[1]->subsections[0].postings,
              ElementsAre("Adviseur: 3 militairen",
                          "Adviseur: 3 politiefunctionarissen"));
  EXPECT_THAT(missions[2]->subsections, IsEmpty());
  EXPECT_EQ(missions[2]->missing_text_note,
            "Over 2020 is voor deze missie geen tekst vastgelegd.");
}

TEST(AssembleReportTest, TitlesAndChapterNumbers) {
  const ReportModel english = Assemble(BaseDataset(), Language::kEnglish);
  EXPECT_EQ(english.title,
            "Annual progress report on small mission contributions 2020");
  EXPECT_EQ(english.publication_date, "2021-05-19");
  EXPECT_EQ(english.publication_date_text, "19 May 2021");
  EXPECT_EQ(english.introduction.number, "1");
  EXPECT_EQ(english.expeditionary.coherence.number, "2.1");
  EXPECT_EQ(english.national.number, "3");
  EXPECT_EQ(english.closing.title, "Concluding remarks");
  EXPECT_EQ(english.annex2.title, "Total deployment in 2020");
  const ReportModel dutch = Assemble(BaseDataset(), Language::kDutch);
  EXPECT_EQ(dutch.title,
            "Jaarlijkse voortgangsrapportage kleine missiebijdragen 2020");
  EXPECT_EQ(dutch.annex1.title, "Juridische grondslagen en mandaten");
}

}  // namespace
}  // namespace missions::report
