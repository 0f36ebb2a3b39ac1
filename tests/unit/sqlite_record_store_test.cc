// Storage tests of SqliteRecordStore on real SQLite files.
#include "registry-service/storage/sqlite_record_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/integration/child_process.h"

namespace missions::registry {
namespace {

namespace v1 = ::registry::v1;

constexpr char kDataset[] = R"pb(
  report_years { name: "reportYears/2020" year: 2020 publication_date { year: 2021 month: 5 day: 19 } }
  regions { name: "regions/europe" display_name { key: "nl" value: "Europa" } report_order: 10 }
  regions { name: "regions/africa" display_name { key: "nl" value: "Afrika" } display_name { key: "en" value: "Africa" } report_order: 20 }
  clusters { name: "regions/africa/clusters/sahel" display_name { key: "nl" value: "Sahel" } report_order: 1 }
  cap_pools { name: "capPools/eucap" display_name { key: "nl" value: "EUCAP Sahel" } cap { combined: 15 } }
  report_texts { name: "reportYears/2020/texts/intro-nl" kind: REPORT_TEXT_KIND_INTRODUCTION language: "nl" text: "Inleiding." }
  missions {
    mission {
      name: "missions/eulex" short_name: "EULEX" aliases: "EULEX Kosovo"
      full_name { key: "en" value: "EU Rule of Law Mission in Kosovo" }
      location { key: "nl" value: "Kosovo" } countries: "XK"
      region: "regions/europe" report_order: 1
      lead_organization: LEAD_ORGANIZATION_EU kind: MISSION_KIND_INTERNATIONAL
      start_date { year: 2008 }
    }
    international_mandates {
      name: "missions/eulex/internationalMandates/unscr-1244"
      legal_basis { kind: INSTRUMENT_KIND_UN_SECURITY_COUNCIL_RESOLUTION reference: "1244"
                    citation { key: "nl" value: "VNVR resolutie 1244" } }
      valid_until { kind: DATE date { year: 2021 month: 6 day: 14 }
                    qualifier { key: "nl" value: "EU-mandaat" } }
    }
    national_mandates {
      name: "missions/eulex/nationalMandates/current"
      valid_until { kind: DATE date { year: 2022 month: 8 day: 1 } }
      cap { combined: 15 }
    }
    personnel { name: "missions/eulex/personnelFigures/2020" year: 2020 military: 0 civilian: 6 }
    postings { name: "missions/eulex/postings/cmu" year: 2020 function { key: "en" value: "Chief of Case Monitoring Unit" }
               category: PERSONNEL_CATEGORY_CIVILIAN count: 1 period { key: "nl" value: "heel 2020" } }
    narratives { name: "missions/eulex/narratives/2020-developments-nl" year: 2020
                 section: NARRATIVE_SECTION_DEVELOPMENTS language: "nl" text: "Verlengd." }
  }
  missions {
    mission {
      name: "missions/eucap-mali" short_name: "EUCAP Sahel Mali" region: "regions/africa"
      cluster: "regions/africa/clusters/sahel" report_order: 2
      lead_organization: LEAD_ORGANIZATION_EU kind: MISSION_KIND_INTERNATIONAL
    }
    national_mandates {
      name: "missions/eucap-mali/nationalMandates/current"
      valid_until { kind: INDEFINITE } cap { pool: "capPools/eucap" note { key: "nl" value: "gedeeld" } }
    }
    financial_contributions {
      name: "missions/eucap-mali/financialContributions/border"
      amount { currency_code: "EUR" units: 4000000 } first_year: 2020 last_year: 2020
      purpose { key: "nl" value: "grensteams" }
    }
  }
  missions {
    mission {
      name: "missions/gpoi" short_name: "GPOI" region: "regions/africa" report_order: 9
      lead_organization: LEAD_ORGANIZATION_US_LED kind: MISSION_KIND_INTERNATIONAL
    }
  }
  missions {
    mission {
      name: "missions/takuba" short_name: "Takuba" region: "regions/africa"
      cluster: "regions/africa/clusters/sahel" report_order: 1
      lead_organization: LEAD_ORGANIZATION_AD_HOC_COALITION kind: MISSION_KIND_INTERNATIONAL
      start_date { year: 2021 month: 3 }
    }
  }
  missions {
    mission {
      name: "missions/sophia" short_name: "Sophia" region: "regions/africa" report_order: 3
      lead_organization: LEAD_ORGANIZATION_EU kind: MISSION_KIND_INTERNATIONAL
      end_date { year: 2020 month: 3 day: 31 }
    }
  }
)pb";

v1::Dataset Fixture() {
  v1::Dataset dataset;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(kDataset, &dataset));
  return dataset;
}

class SqliteRecordStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    path_ = dir_ + "/registry.db";
    auto store = SqliteRecordStore::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::vector<std::string> ListNames(MissionQuery query) {
    std::vector<std::string> names;
    auto listed = store_->ListMissions(query);
    EXPECT_TRUE(listed.ok()) << listed.status();
    if (listed.ok()) {
      for (const ListedMission& m : *listed) names.push_back(m.mission.name());
    }
    return names;
  }

  v1::Dataset ReadYear(int year, int batch_size, int* parts = nullptr) {
    v1::Dataset merged;
    int count = 0;
    absl::Status status = store_->ReadYearDataset(
        year, batch_size, [&](v1::StreamYearDatasetResponse part) {
          ++count;
          merged.MergeFrom(part.records());
          last_revision_ = part.revision();
          return absl::OkStatus();
        });
    EXPECT_TRUE(status.ok()) << status;
    if (parts != nullptr) *parts = count;
    return merged;
  }

  absl::Status Import(const v1::Dataset& dataset) {
    return store_->ImportDataset(dataset, "test").status();
  }

  int64_t last_revision_ = 0;
  std::string dir_;
  std::string path_;
  std::unique_ptr<SqliteRecordStore> store_;
};

TEST_F(SqliteRecordStoreTest, ImportedRecordsReadBackUnchanged) {
  const v1::Dataset dataset = Fixture();
  ASSERT_TRUE(Import(dataset).ok());
  const v1::Dataset read = ReadYear(2020, 50);
  // Takuba (starts 2021) and nothing else is left out of 2020.
  v1::Dataset expected = dataset;
  expected.mutable_missions()->DeleteSubrange(3, 1);
  // Stored order is report order: Europe first; in Africa the Sahel cluster
  // (order 1) before the missions without a cluster (Sophia 3, GPOI 9).
  google::protobuf::util::MessageDifferencer differencer;
  differencer.TreatAsSet(v1::Dataset::descriptor()->FindFieldByName("missions"));
  differencer.TreatAsSet(v1::Dataset::descriptor()->FindFieldByName("regions"));
  std::string report;
  differencer.ReportDifferencesToString(&report);
  EXPECT_TRUE(differencer.Compare(expected, read)) << report;
}

TEST_F(SqliteRecordStoreTest, YearDatasetComesInBatchesInReportOrder) {
  ASSERT_TRUE(Import(Fixture()).ok());
  int parts = 0;
  const v1::Dataset read = ReadYear(2020, 1, &parts);
  EXPECT_EQ(parts, 1 + 4);  // the head, then one mission per part
  std::vector<std::string> order;
  for (const auto& record : read.missions()) order.push_back(record.mission().name());
  EXPECT_EQ(order, (std::vector<std::string>{"missions/eulex", "missions/eucap-mali",
                                             "missions/sophia", "missions/gpoi"}));
}

TEST_F(SqliteRecordStoreTest, EveryImportAdvancesTheRevision) {
  auto empty = store_->CurrentRevision();
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, 0);
  auto first = store_->ImportDataset(Fixture(), "editor");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 1);
  v1::Dataset more;
  auto* region = more.add_regions();
  region->set_name("regions/asia");
  (*region->mutable_display_name())["nl"] = "Azië";
  auto second = store_->ImportDataset(more, "editor");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, 2);
  ReadYear(2020, 10);
  EXPECT_EQ(last_revision_, 2);
  // A failed import does not advance it.
  EXPECT_FALSE(store_->ImportDataset(more, "editor").ok());
  EXPECT_EQ(*store_->CurrentRevision(), 2);
}

TEST_F(SqliteRecordStoreTest, UnknownYearIsNotFound) {
  ASSERT_TRUE(Import(Fixture()).ok());
  absl::Status status =
      store_->ReadYearDataset(2019, 10, [](v1::StreamYearDatasetResponse) {
        return absl::OkStatus();
      });
  EXPECT_TRUE(absl::IsNotFound(status)) << status;
}

TEST_F(SqliteRecordStoreTest, DuplicateImportFailsAndStoresNothing) {
  ASSERT_TRUE(Import(Fixture()).ok());
  v1::Dataset second;
  auto* region = second.add_regions();
  region->set_name("regions/asia");  // new: would be stored if not atomic
  (*region->mutable_display_name())["nl"] = "Azië";
  *second.add_missions() = Fixture().missions(0);  // exists already
  absl::Status status = Import(second);
  EXPECT_TRUE(absl::IsAlreadyExists(status)) << status;
  EXPECT_NE(status.message().find("missions/eulex"), std::string::npos) << status;
  auto exists = store_->Exists("regions/asia");
  ASSERT_TRUE(exists.ok());
  EXPECT_FALSE(*exists);
}

TEST_F(SqliteRecordStoreTest, GetMission) {
  ASSERT_TRUE(Import(Fixture()).ok());
  auto mission = store_->GetMission("missions/eulex");
  ASSERT_TRUE(mission.ok()) << mission.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      *mission, Fixture().missions(0).mission()));
  EXPECT_TRUE(absl::IsNotFound(store_->GetMission("missions/nope").status()));
}

TEST_F(SqliteRecordStoreTest, ListFiltersByYearAndRegionAndPages) {
  ASSERT_TRUE(Import(Fixture()).ok());
  MissionQuery all;
  all.limit = 100;
  EXPECT_EQ(ListNames(all),
            (std::vector<std::string>{"missions/eulex", "missions/takuba",
                                      "missions/eucap-mali", "missions/sophia",
                                      "missions/gpoi"}));
  MissionQuery in_2021 = all;
  in_2021.year = 2021;  // Sophia ended in March 2020
  EXPECT_EQ(ListNames(in_2021),
            (std::vector<std::string>{"missions/eulex", "missions/takuba",
                                      "missions/eucap-mali", "missions/gpoi"}));
  MissionQuery africa = all;
  africa.region = "regions/africa";
  africa.year = 2020;
  EXPECT_EQ(ListNames(africa),
            (std::vector<std::string>{"missions/eucap-mali", "missions/sophia",
                                      "missions/gpoi"}));
  // Page through everything two at a time.
  MissionQuery page = all;
  page.limit = 2;
  std::vector<std::string> paged;
  while (true) {
    auto listed = store_->ListMissions(page);
    ASSERT_TRUE(listed.ok());
    for (const auto& m : *listed) paged.push_back(m.mission.name());
    if (listed->size() < 2) break;
    page.after = listed->back().key;
  }
  EXPECT_EQ(paged, ListNames(all));
}

TEST_F(SqliteRecordStoreTest, RecordsSurviveReopenAndSchemaIsRecorded) {
  ASSERT_TRUE(Import(Fixture()).ok());
  store_.reset();
  auto reopened = SqliteRecordStore::Open(path_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE((*reopened)->GetMission("missions/gpoi").ok());
  reopened->reset();

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  const auto scalar = [&](const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    std::string value;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return value;
  };
  EXPECT_EQ(scalar("SELECT MAX(version) FROM schema_version"), "2");
  EXPECT_EQ(scalar("SELECT actor || ' ' || action FROM revisions WHERE revision = 1"),
            "test ImportDataset");
  EXPECT_EQ(scalar("PRAGMA journal_mode"), "wal");
  // Plain columns that an analyst can query.
  EXPECT_EQ(scalar("SELECT cap_combined FROM national_mandate_decisions WHERE "
                   "mission = 'missions/eulex'"),
            "15");
  EXPECT_EQ(scalar("SELECT text FROM localized_texts WHERE resource = "
                   "'missions/eulex/internationalMandates/unscr-1244' AND field = "
                   "'legal_basis[0].citation' AND language = 'nl'"),
            "VNVR resolutie 1244");
  sqlite3_close(db);
}

TEST_F(SqliteRecordStoreTest, NewerSchemaIsRefused) {
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_version(version) VALUES (99)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto reopened = SqliteRecordStore::Open(path_);
  EXPECT_TRUE(absl::IsFailedPrecondition(reopened.status())) << reopened.status();
}

TEST_F(SqliteRecordStoreTest, UnwritableLocationIsUnavailable) {
  auto store = SqliteRecordStore::Open("/nonexistent-dir/registry.db");
  EXPECT_TRUE(absl::IsUnavailable(store.status())) << store.status();
}

}  // namespace
}  // namespace missions::registry
