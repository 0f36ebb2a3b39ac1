#include "registry-service/domain/validation.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace missions::registry {
namespace {

namespace v1 = ::registry::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A small dataset that satisfies every rule.
constexpr char kValidDataset[] = R"pb(
  report_years {
    name: "reportYears/2020"
    year: 2020
    publication_date { year: 2021 month: 5 day: 19 }
  }
  regions {
    name: "regions/europe"
    display_name { key: "nl" value: "Europa" }
    display_name { key: "en" value: "Europe" }
    report_order: 10
  }
  regions {
    name: "regions/africa"
    display_name { key: "nl" value: "Afrika" }
    report_order: 30
  }
  clusters {
    name: "regions/africa/clusters/sahel"
    display_name { key: "nl" value: "Sahel" }
    report_order: 1
  }
  cap_pools {
    name: "capPools/eucap-sahel"
    display_name { key: "nl" value: "EUCAP Sahel Mali en Niger" }
    cap { combined: 15 }
  }
  report_texts {
    name: "reportYears/2020/texts/introduction-nl"
    kind: REPORT_TEXT_KIND_INTRODUCTION
    language: "nl"
    text: "Deze rapportage gaat over 2020."
  }
  report_texts {
    name: "reportYears/2020/texts/sahel-nl"
    kind: REPORT_TEXT_KIND_CLUSTER_RATIONALE
    subject: "regions/africa/clusters/sahel"
    language: "nl"
    text: "De Sahel."
  }
  report_texts {
    name: "reportYears/2020/texts/africa-nl"
    kind: REPORT_TEXT_KIND_REGION_RATIONALE
    subject: "regions/africa"
    language: "nl"
    text: "Afrika."
  }
  missions {
    mission {
      name: "missions/eulex"
      short_name: "EULEX"
      aliases: "EULEX Kosovo"
      full_name {
        key: "en"
        value: "European Union Rule of Law Mission in Kosovo"
      }
      location { key: "nl" value: "Kosovo" }
      countries: "XK"
      region: "regions/europe"
      report_order: 10
      lead_organization: LEAD_ORGANIZATION_EU
      kind: MISSION_KIND_INTERNATIONAL
      start_date { year: 2008 }
    }
    international_mandates {
      name: "missions/eulex/internationalMandates/unscr-1244"
      decided_on { year: 1999 month: 6 day: 10 }
      legal_basis {
        kind: INSTRUMENT_KIND_UN_SECURITY_COUNCIL_RESOLUTION
        reference: "1244"
        citation { key: "nl" value: "VNVR resolutie 1244" }
      }
      valid_until {
        kind: DATE
        date { year: 2021 month: 6 day: 14 }
        qualifier { key: "nl" value: "EU-mandaat, afgeleid van VNVR 1244" }
      }
    }
    national_mandates {
      name: "missions/eulex/nationalMandates/current"
      valid_until {
        kind: DATE
        date { year: 2022 month: 8 day: 1 }
      }
      cap { combined: 15 }
    }
    personnel {
      name: "missions/eulex/personnelFigures/2020"
      year: 2020
      military: 0
      civilian: 6
    }
    postings {
      name: "missions/eulex/postings/case-monitoring"
      year: 2020
      function { key: "en" value: "Chief of Case Monitoring Unit" }
      category: PERSONNEL_CATEGORY_CIVILIAN
      count: 1
    }
    narratives {
      name: "missions/eulex/narratives/2020-developments-nl"
      year: 2020
      section: NARRATIVE_SECTION_DEVELOPMENTS
      language: "nl"
      text: "Ontwikkelingen."
    }
    narratives {
      name: "missions/eulex/narratives/2020-contribution-nl"
      year: 2020
      section: NARRATIVE_SECTION_CONTRIBUTION
      contribution_kind: CONTRIBUTION_KIND_CIVILIAN
      language: "nl"
      text: "Bijdrage."
    }
  }
  missions {
    mission {
      name: "missions/eucap-sahel-mali"
      short_name: "EUCAP Sahel Mali"
      countries: "ML"
      region: "regions/africa"
      cluster: "regions/africa/clusters/sahel"
      report_order: 20
      lead_organization: LEAD_ORGANIZATION_EU
      kind: MISSION_KIND_INTERNATIONAL
      start_date { year: 2014 month: 4 }
      separate_reporting {
        kind: SEPARATE_REPORTING_KIND_END_EVALUATION
        remark { key: "nl" value: "eindevaluatie" }
      }
    }
    national_mandates {
      name: "missions/eucap-sahel-mali/nationalMandates/2020"
      decided_on { year: 2020 month: 1 day: 10 }
      valid_until { kind: INDEFINITE }
      cap { pool: "capPools/eucap-sahel" }
    }
    financial_contributions {
      name: "missions/eucap-sahel-mali/financialContributions/border"
      amount { currency_code: "EUR" units: 4000000 }
      first_year: 2020
      last_year: 2021
      purpose { key: "nl" value: "Mobiele grensteams" }
    }
  }
)pb";

v1::Dataset ValidDataset() {
  v1::Dataset dataset;
  EXPECT_TRUE(
      google::protobuf::TextFormat::ParseFromString(kValidDataset, &dataset));
  return dataset;
}

std::vector<std::string> Fields(const ViolationList& violations) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : violations.violations()) {
    fields.push_back(v.field);
  }
  return fields;
}

// A lookup over a fixed set of names, standing in for the storage.
class SetLookup final : public ReferenceLookup {
 public:
  explicit SetLookup(absl::flat_hash_set<std::string> names)
      : names_(std::move(names)) {}
  bool Exists(absl::string_view name) const override {
    return names_.contains(name);
  }

 private:
  absl::flat_hash_set<std::string> names_;
};

TEST(ValidateDatasetTest, ValidDatasetPasses) {
  const ViolationList violations =
      ValidateDataset(ValidDataset(), NoExistingResources());
  EXPECT_THAT(violations.violations(), IsEmpty())
      << violations.ToStatus("invalid");
}

TEST(ValidateDatasetTest, EmptyDatasetPasses) {
  EXPECT_TRUE(ValidateDataset(v1::Dataset(), NoExistingResources()).empty());
}

TEST(ValidateDatasetTest, ReferencesResolveThroughTheLookup) {
  v1::Dataset dataset = ValidDataset();
  dataset.clear_regions();
  dataset.clear_clusters();
  dataset.clear_cap_pools();
  dataset.clear_report_years();
  // Without the stored records, every reference fails.
  EXPECT_THAT(
      Fields(ValidateDataset(dataset, NoExistingResources())),
      ElementsAre("report_texts[0].name", "report_texts[1].name",
                  "report_texts[1].subject", "report_texts[2].name",
                  "report_texts[2].subject", "missions[0].mission.region",
                  "missions[1].mission.region", "missions[1].mission.cluster",
                  "missions[1].national_mandates[0].cap.pool"));
  const SetLookup stored({"regions/europe", "regions/africa",
                          "regions/africa/clusters/sahel",
                          "capPools/eucap-sahel", "reportYears/2020"});
  EXPECT_TRUE(ValidateDataset(dataset, stored).empty());
}

TEST(ValidateDatasetTest, ReportsEveryViolationTogether) {
  v1::Dataset dataset = ValidDataset();
  dataset.mutable_regions(0)->set_report_order(-1);
  dataset.mutable_missions(0)->mutable_mission()->set_short_name("");
  dataset.mutable_missions(1)->mutable_postings();  // no-op
  dataset.mutable_missions(1)
      ->mutable_financial_contributions(0)
      ->set_first_year(1800);
  EXPECT_THAT(
      Fields(ValidateDataset(dataset, NoExistingResources())),
      ElementsAre("regions[0].report_order", "missions[0].mission.short_name",
                  "missions[1].financial_contributions[0].first_year"));
}

// One invalid variant of the valid dataset and the one violation it causes.
struct InvalidCase {
  std::string test_name;
  std::function<void(v1::Dataset&)> mutate;
  std::string field;
  std::string description;  // a part of the expected description
};

void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.test_name; }

class InvalidDatasetTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidDatasetTest, ReportsExactlyThisViolation) {
  v1::Dataset dataset = ValidDataset();
  GetParam().mutate(dataset);
  const ViolationList violations =
      ValidateDataset(dataset, NoExistingResources());
  ASSERT_THAT(Fields(violations), ElementsAre(GetParam().field))
      << violations.ToStatus("violations");
  EXPECT_THAT(violations.violations()[0].description,
              HasSubstr(GetParam().description));
}

v1::Mission& Mission(v1::Dataset& d, int i) {
  return *d.mutable_missions(i)->mutable_mission();
}

std::string Repeat(char c, int n) { return std::string(n, c); }

INSTANTIATE_TEST_SUITE_P(
    Rules, InvalidDatasetTest,
    ::testing::Values(
        // Names.
        InvalidCase{
            "MissionIdUpperCase",
            [](v1::Dataset& d) { Mission(d, 0).set_name("missions/EULEX"); },
            "missions[0].mission.name", "'EULEX' is not an id"},
        InvalidCase{
            "MissionNameOfWrongKind",
            [](v1::Dataset& d) { Mission(d, 0).set_name("regions/eulex"); },
            "missions[0].mission.name", "is not a mission name"},
        InvalidCase{
            "RegionNameMissing",
            [](v1::Dataset& d) {
              d.add_regions()->mutable_display_name()->insert({"nl", "Azië"});
            },
            "regions[2].name", "is required"},
        InvalidCase{"DuplicateName",
                    [](v1::Dataset& d) { *d.add_regions() = d.regions(0); },
                    "regions[2].name", "already used by regions[0]"},
        InvalidCase{"DuplicateChildName",
                    [](v1::Dataset& d) {
                      auto* p = d.mutable_missions(0)->add_postings();
                      *p = d.missions(0).postings(0);
                    },
                    "missions[0].postings[1].name",
                    "already used by missions[0].postings[0]"},
        InvalidCase{"TwoPersonnelFiguresForOneYear",
                    [](v1::Dataset& d) {
                      auto* p = d.mutable_missions(0)->add_personnel();
                      *p = d.missions(0).personnel(0);
                      p->set_military(3);
                    },
                    "missions[0].personnel[1].name",
                    "already used by missions[0].personnel[0]"},
        InvalidCase{
            "ChildNotUnderItsMission",
            [](v1::Dataset& d) {
              d.mutable_missions(0)->mutable_national_mandates(0)->set_name(
                  "missions/unifil/nationalMandates/current");
            },
            "missions[0].national_mandates[0].name",
            "must lie under missions/eulex"},
        InvalidCase{"ChildNameOfWrongKind",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)->mutable_personnel(0)->set_name(
                          "missions/eulex/postings/2020");
                    },
                    "missions[0].personnel[0].name",
                    "not a personnel figures name"},
        InvalidCase{"PersonnelYearDiffersFromName",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)->mutable_personnel(0)->set_year(
                          2019);
                    },
                    "missions[0].personnel[0].year",
                    "does not match the year in the name (2020)"},
        InvalidCase{
            "ReportYearDiffersFromName",
            [](v1::Dataset& d) { d.mutable_report_years(0)->set_year(2021); },
            "report_years[0].year", "does not match"},
        InvalidCase{"ReportTextOfUnknownYear",
                    [](v1::Dataset& d) {
                      d.mutable_report_texts(0)->set_name(
                          "reportYears/2019/texts/introduction-nl");
                    },
                    "report_texts[0].name",
                    "report year 'reportYears/2019' does not exist"},
        InvalidCase{"ClusterOfUnknownRegion",
                    [](v1::Dataset& d) {
                      auto* c = d.add_clusters();
                      *c = d.clusters(0);
                      c->set_name("regions/asia/clusters/gulf");
                    },
                    "clusters[1].name", "region 'regions/asia' does not exist"},
        // Texts.
        InvalidCase{"DisplayNameWithoutDutch",
                    [](v1::Dataset& d) {
                      d.mutable_regions(0)->mutable_display_name()->erase("nl");
                    },
                    "regions[0].display_name[\"nl\"]", "is required"},
        InvalidCase{"MapKeyNotALanguageTag",
                    [](v1::Dataset& d) {
                      (*d.mutable_regions(0)->mutable_display_name())["NL"] =
                          "Europa";
                    },
                    "regions[0].display_name[\"NL\"]", "not a language tag"},
        InvalidCase{"EmptyTextInMap",
                    [](v1::Dataset& d) {
                      (*Mission(d, 0).mutable_location())["en"] = "";
                    },
                    "missions[0].mission.location[\"en\"]",
                    "must not be empty"},
        InvalidCase{"EmptyAlias",
                    [](v1::Dataset& d) { Mission(d, 0).add_aliases(""); },
                    "missions[0].mission.aliases[1]", "must not be empty"},
        InvalidCase{"DisplayNameTooLong",
                    [](v1::Dataset& d) {
                      (*d.mutable_clusters(0)->mutable_display_name())["nl"] =
                          Repeat('x', 201);
                    },
                    "clusters[0].display_name[\"nl\"]",
                    "is 201 characters long; at most 200"},
        InvalidCase{"ShortNameMissing",
                    [](v1::Dataset& d) { Mission(d, 0).clear_short_name(); },
                    "missions[0].mission.short_name", "is required"},
        InvalidCase{"ShortNameTooLong",
                    [](v1::Dataset& d) {
                      Mission(d, 0).set_short_name(Repeat('E', 81));
                    },
                    "missions[0].mission.short_name", "at most 80"},
        InvalidCase{"ShortNameLengthCountsCharactersNotBytes",
                    [](v1::Dataset& d) {
                      std::string name;
                      for (int i = 0; i < 81; ++i) name += "é";
                      Mission(d, 0).set_short_name(name);
                    },
                    "missions[0].mission.short_name", "is 81 characters"},
        InvalidCase{
            "NarrativeTextEmpty",
            [](v1::Dataset& d) {
              d.mutable_missions(0)->mutable_narratives(0)->clear_text();
            },
            "missions[0].narratives[0].text", "is required"},
        InvalidCase{"NarrativeTextTooLong",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)->mutable_narratives(0)->set_text(
                          Repeat('a', 20001));
                    },
                    "missions[0].narratives[0].text", "at most 20000"},
        InvalidCase{"SourceTooLong",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)
                          ->mutable_international_mandates(0)
                          ->set_source(Repeat('s', 2001));
                    },
                    "missions[0].international_mandates[0].source",
                    "at most 2000"},
        InvalidCase{
            "PostingFunctionMissing",
            [](v1::Dataset& d) {
              d.mutable_missions(0)->mutable_postings(0)->clear_function();
            },
            "missions[0].postings[0].function", "at least one language"},
        InvalidCase{"CitationWithoutDutch",
                    [](v1::Dataset& d) {
                      auto* citation = d.mutable_missions(0)
                                           ->mutable_international_mandates(0)
                                           ->mutable_legal_basis(0)
                                           ->mutable_citation();
                      citation->clear();
                      (*citation)["en"] = "UNSC resolution 1244";
                    },
                    "missions[0].international_mandates[0].legal_basis[0]."
                    "citation[\"nl\"]",
                    "is required"},
        InvalidCase{"SeparateReportingWithoutRemark",
                    [](v1::Dataset& d) {
                      Mission(d, 1)
                          .mutable_separate_reporting()
                          ->mutable_remark()
                          ->clear();
                    },
                    "missions[1].mission.separate_reporting.remark[\"nl\"]",
                    "is required"},
        InvalidCase{"RemarkWithoutSeparateReporting",
                    [](v1::Dataset& d) {
                      Mission(d, 1).mutable_separate_reporting()->set_kind(
                          v1::SEPARATE_REPORTING_KIND_UNSPECIFIED);
                    },
                    "missions[1].mission.separate_reporting.remark",
                    "must be empty"},
        InvalidCase{
            "NarrativeLanguageMissing",
            [](v1::Dataset& d) {
              d.mutable_missions(0)->mutable_narratives(0)->clear_language();
            },
            "missions[0].narratives[0].language", "is required"},
        InvalidCase{"ReportTextLanguageNotATag",
                    [](v1::Dataset& d) {
                      d.mutable_report_texts(0)->set_language("Dutch");
                    },
                    "report_texts[0].language", "not a language tag"},
        InvalidCase{
            "CountryNotAlpha2",
            [](v1::Dataset& d) { Mission(d, 0).set_countries(0, "xk"); },
            "missions[0].mission.countries[0]", "not a country code"},
        // Enums.
        InvalidCase{"LeadOrganizationUnspecified",
                    [](v1::Dataset& d) {
                      Mission(d, 0).set_lead_organization(
                          v1::LEAD_ORGANIZATION_UNSPECIFIED);
                    },
                    "missions[0].mission.lead_organization", "is required"},
        InvalidCase{"MissionKindUnknownNumber",
                    [](v1::Dataset& d) {
                      Mission(d, 0).set_kind(static_cast<v1::MissionKind>(42));
                    },
                    "missions[0].mission.kind", "unknown value (42)"},
        InvalidCase{"InstrumentKindUnspecified",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)
                          ->mutable_international_mandates(0)
                          ->mutable_legal_basis(0)
                          ->set_kind(v1::INSTRUMENT_KIND_UNSPECIFIED);
                    },
                    "missions[0].international_mandates[0].legal_basis[0].kind",
                    "is required"},
        InvalidCase{"PostingCategoryUnspecified",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)->mutable_postings(0)->set_category(
                          v1::PERSONNEL_CATEGORY_UNSPECIFIED);
                    },
                    "missions[0].postings[0].category", "is required"},
        InvalidCase{"SeparateReportingKindUnknown",
                    [](v1::Dataset& d) {
                      Mission(d, 1).mutable_separate_reporting()->set_kind(
                          static_cast<v1::SeparateReportingKind>(9));
                    },
                    "missions[1].mission.separate_reporting.kind",
                    "unknown value (9)"},
        InvalidCase{"ReportTextKindUnspecified",
                    [](v1::Dataset& d) {
                      d.mutable_report_texts(0)->set_kind(
                          v1::REPORT_TEXT_KIND_UNSPECIFIED);
                    },
                    "report_texts[0].kind", "is required"},
        // References.
        InvalidCase{
            "RegionDoesNotExist",
            [](v1::Dataset& d) { Mission(d, 0).set_region("regions/asia"); },
            "missions[0].mission.region",
            "the region 'regions/asia' does not exist"},
        InvalidCase{"RegionMissing",
                    [](v1::Dataset& d) { Mission(d, 0).clear_region(); },
                    "missions[0].mission.region", "is required"},
        InvalidCase{"ClusterOfAnotherRegion",
                    [](v1::Dataset& d) {
                      Mission(d, 0).set_cluster(
                          "regions/africa/clusters/sahel");
                    },
                    "missions[0].mission.cluster",
                    "is not a cluster of the mission's region regions/europe"},
        InvalidCase{"ClusterDoesNotExist",
                    [](v1::Dataset& d) {
                      Mission(d, 1).set_cluster("regions/africa/clusters/horn");
                    },
                    "missions[1].mission.cluster", "does not exist"},
        InvalidCase{
            "ReportTextSubjectMissing",
            [](v1::Dataset& d) { d.mutable_report_texts(1)->clear_subject(); },
            "report_texts[1].subject", "is required"},
        InvalidCase{"ReportTextSubjectOfWrongKind",
                    [](v1::Dataset& d) {
                      d.mutable_report_texts(1)->set_subject("regions/africa");
                    },
                    "report_texts[1].subject", "is not a cluster name"},
        InvalidCase{"ReportTextSubjectNotAllowed",
                    [](v1::Dataset& d) {
                      d.mutable_report_texts(0)->set_subject("regions/europe");
                    },
                    "report_texts[0].subject", "must be empty"},
        InvalidCase{"DuplicateReportText",
                    [](v1::Dataset& d) {
                      auto* text = d.add_report_texts();
                      *text = d.report_texts(0);
                      text->set_name("reportYears/2020/texts/intro-2");
                    },
                    "report_texts[3]", "already holds this text"},
        // Dates.
        InvalidCase{
            "PublicationDateDoesNotExist",
            [](v1::Dataset& d) {
              d.mutable_report_years(0)->mutable_publication_date()->set_month(
                  2);
              d.mutable_report_years(0)->mutable_publication_date()->set_day(
                  30);
            },
            "report_years[0].publication_date", "2021-02-30 is not a date"},
        InvalidCase{"PublicationDateMissing",
                    [](v1::Dataset& d) {
                      d.mutable_report_years(0)->clear_publication_date();
                    },
                    "report_years[0].publication_date", "is required"},
        InvalidCase{"DecidedOnPartial",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)
                          ->mutable_international_mandates(0)
                          ->mutable_decided_on()
                          ->set_day(0);
                    },
                    "missions[0].international_mandates[0].decided_on",
                    "must be a full date (YYYY-MM-DD), not 1999-06"},
        InvalidCase{"MissionStartMonthInvalid",
                    [](v1::Dataset& d) {
                      Mission(d, 1).mutable_start_date()->set_month(13);
                    },
                    "missions[1].mission.start_date", "2014-13 is not a date"},
        InvalidCase{"MissionEndsBeforeItStarts",
                    [](v1::Dataset& d) {
                      Mission(d, 1).mutable_end_date()->set_year(2014);
                      Mission(d, 1).mutable_end_date()->set_month(3);
                      Mission(d, 1).mutable_end_date()->set_day(31);
                    },
                    "missions[1].mission.end_date",
                    "2014-03-31 is before start_date 2014-04"},
        InvalidCase{"EndDateKindMissing",
                    [](v1::Dataset& d) {
                      auto* until = d.mutable_missions(0)
                                        ->mutable_national_mandates(0)
                                        ->mutable_valid_until();
                      until->set_kind(v1::EndDate::KIND_UNSPECIFIED);
                      until->clear_date();
                    },
                    "missions[0].national_mandates[0].valid_until.kind",
                    "is required"},
        InvalidCase{"EndDateOfKindDateWithoutDate",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)
                          ->mutable_national_mandates(0)
                          ->mutable_valid_until()
                          ->clear_date();
                    },
                    "missions[0].national_mandates[0].valid_until.date",
                    "is required"},
        InvalidCase{"IndefiniteEndDateWithDate",
                    [](v1::Dataset& d) {
                      auto* until = d.mutable_missions(1)
                                        ->mutable_national_mandates(0)
                                        ->mutable_valid_until();
                      until->mutable_date()->set_year(2022);
                    },
                    "missions[1].national_mandates[0].valid_until.date",
                    "must not be set unless kind is DATE"},
        InvalidCase{"NationalMandateEndsBeforeItWasDecided",
                    [](v1::Dataset& d) {
                      auto* decision = d.mutable_missions(0)->mutable_national_mandates(0);
                      decision->mutable_decided_on()->set_year(2022);
                      decision->mutable_decided_on()->set_month(8);
                      decision->mutable_decided_on()->set_day(2);
                    },
                    "missions[0].national_mandates[0].valid_until.date",
                    "2022-08-01 is before decided_on 2022-08-02"},
        InvalidCase{"InternationalMandateEndsBeforeItWasDecided",
                    [](v1::Dataset& d) {
                      auto* decided_on = d.mutable_missions(0)
                                             ->mutable_international_mandates(0)
                                             ->mutable_decided_on();
                      decided_on->set_year(2021);
                      decided_on->set_month(7);
                    },
                    "missions[0].international_mandates[0].valid_until.date",
                    "2021-06-14 is before decided_on 2021-07-10"},
        InvalidCase{"TwoNationalMandatesOnOneDay",
                    [](v1::Dataset& d) {
                      auto* record = d.mutable_missions(1);
                      v1::NationalMandateDecision twin = record->national_mandates(0);
                      twin.set_name(absl::StrCat(twin.name(), "-twin"));
                      *record->add_national_mandates() = twin;
                    },
                    "missions[1].national_mandates[1].decided_on",
                    "national_mandates[0] was decided on the same day (2020-01-10)"},
        InvalidCase{"TwoInternationalMandatesOnOneDay",
                    [](v1::Dataset& d) {
                      auto* record = d.mutable_missions(0);
                      v1::InternationalMandateDecision twin = record->international_mandates(0);
                      twin.set_name(absl::StrCat(twin.name(), "-twin"));
                      *record->add_international_mandates() = twin;
                    },
                    "missions[0].international_mandates[1].decided_on",
                    "international_mandates[0] was decided on the same day (1999-06-10)"},
        InvalidCase{"ValidUntilMissing",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)
                          ->mutable_international_mandates(0)
                          ->clear_valid_until();
                    },
                    "missions[0].international_mandates[0].valid_until",
                    "is required"},
        // Caps.
        InvalidCase{"CombinedCapWithMilitaryCap",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)
                          ->mutable_national_mandates(0)
                          ->mutable_cap()
                          ->set_military(5);
                    },
                    "missions[0].national_mandates[0].cap.combined",
                    "either separate, combined or pooled"},
        InvalidCase{"NegativeCap",
                    [](v1::Dataset& d) {
                      auto* cap = d.mutable_missions(0)
                                      ->mutable_national_mandates(0)
                                      ->mutable_cap();
                      cap->clear_combined();
                      cap->set_military(-1);
                    },
                    "missions[0].national_mandates[0].cap.military",
                    "must be from 0 to 100000, not -1"},
        InvalidCase{"PoolDoesNotExist",
                    [](v1::Dataset& d) {
                      d.mutable_missions(1)
                          ->mutable_national_mandates(0)
                          ->mutable_cap()
                          ->set_pool("capPools/other");
                    },
                    "missions[1].national_mandates[0].cap.pool",
                    "the cap pool 'capPools/other' does not exist"},
        InvalidCase{"PoolWithCombinedCap",
                    [](v1::Dataset& d) {
                      d.mutable_missions(1)
                          ->mutable_national_mandates(0)
                          ->mutable_cap()
                          ->set_combined(15);
                    },
                    "missions[1].national_mandates[0].cap.pool",
                    "must not be set together"},
        InvalidCase{"PoolCapIsAPool",
                    [](v1::Dataset& d) {
                      d.mutable_cap_pools(0)->mutable_cap()->set_pool(
                          "capPools/eucap-sahel");
                    },
                    "cap_pools[0].cap.pool", "cannot itself be a pool"},
        InvalidCase{"PoolCapNotStated",
                    [](v1::Dataset& d) { d.mutable_cap_pools(0)->clear_cap(); },
                    "cap_pools[0].cap", "is required"},
        // Numbers and years.
        InvalidCase{
            "PersonnelCountNegative",
            [](v1::Dataset& d) {
              d.mutable_missions(0)->mutable_personnel(0)->set_civilian(-1);
            },
            "missions[0].personnel[0].civilian", "must be from 0 to 100000"},
        InvalidCase{"PersonnelCountTooLarge",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)->mutable_personnel(0)->set_military(
                          100001);
                    },
                    "missions[0].personnel[0].military",
                    "must be from 0 to 100000, not 100001"},
        InvalidCase{"PostingCountZero",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)->mutable_postings(0)->set_count(0);
                    },
                    "missions[0].postings[0].count",
                    "must be from 1 to 100000"},
        InvalidCase{"PostingYearOutOfRange",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)->mutable_postings(0)->set_year(
                          1900);
                    },
                    "missions[0].postings[0].year",
                    "must be a year from 1945 to 2100, not 1900"},
        InvalidCase{"NarrativeYearMissing",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)->mutable_narratives(0)->set_year(0);
                    },
                    "missions[0].narratives[0].year", "is required"},
        InvalidCase{
            "ReportOrderNegative",
            [](v1::Dataset& d) { d.mutable_regions(1)->set_report_order(-5); },
            "regions[1].report_order", "must be 0 or greater"},
        // Money.
        InvalidCase{"AmountMissing",
                    [](v1::Dataset& d) {
                      d.mutable_missions(1)
                          ->mutable_financial_contributions(0)
                          ->clear_amount();
                    },
                    "missions[1].financial_contributions[0].amount",
                    "is required"},
        InvalidCase{"CurrencyCodeLowerCase",
                    [](v1::Dataset& d) {
                      d.mutable_missions(1)
                          ->mutable_financial_contributions(0)
                          ->mutable_amount()
                          ->set_currency_code("eur");
                    },
                    "missions[1].financial_contributions[0].amount."
                    "currency_code",
                    "not a currency code"},
        InvalidCase{"AmountZero",
                    [](v1::Dataset& d) {
                      d.mutable_missions(1)
                          ->mutable_financial_contributions(0)
                          ->mutable_amount()
                          ->set_units(0);
                    },
                    "missions[1].financial_contributions[0].amount",
                    "must be greater than zero"},
        InvalidCase{"NanosOfOtherSign",
                    [](v1::Dataset& d) {
                      d.mutable_missions(1)
                          ->mutable_financial_contributions(0)
                          ->mutable_amount()
                          ->set_nanos(-5);
                    },
                    "missions[1].financial_contributions[0].amount.nanos",
                    "same sign as units"},
        InvalidCase{"NanosOutOfRange",
                    [](v1::Dataset& d) {
                      d.mutable_missions(1)
                          ->mutable_financial_contributions(0)
                          ->mutable_amount()
                          ->set_nanos(1000000000);
                    },
                    "missions[1].financial_contributions[0].amount.nanos",
                    "must be from -999999999 to 999999999"},
        InvalidCase{"LastYearBeforeFirstYear",
                    [](v1::Dataset& d) {
                      d.mutable_missions(1)
                          ->mutable_financial_contributions(0)
                          ->set_last_year(2019);
                    },
                    "missions[1].financial_contributions[0].last_year",
                    "2019 is before first_year 2020"},
        InvalidCase{"PurposeWithoutDutch",
                    [](v1::Dataset& d) {
                      d.mutable_missions(1)
                          ->mutable_financial_contributions(0)
                          ->clear_purpose();
                    },
                    "missions[1].financial_contributions[0].purpose[\"nl\"]",
                    "is required"},
        // Narratives.
        InvalidCase{"ContributionSectionWithoutKind",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)
                          ->mutable_narratives(1)
                          ->clear_contribution_kind();
                    },
                    "missions[0].narratives[1].contribution_kind",
                    "is required"},
        InvalidCase{"ContributionKindOnOtherSection",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)
                          ->mutable_narratives(0)
                          ->set_contribution_kind(
                              v1::CONTRIBUTION_KIND_MILITARY);
                    },
                    "missions[0].narratives[0].contribution_kind",
                    "must not be set unless section is CONTRIBUTION"},
        InvalidCase{"NarrativeSectionUnspecified",
                    [](v1::Dataset& d) {
                      d.mutable_missions(0)->mutable_narratives(0)->set_section(
                          v1::NARRATIVE_SECTION_UNSPECIFIED);
                    },
                    "missions[0].narratives[0].section", "is required"},
        InvalidCase{"TwoNarrativesForOneSection",
                    [](v1::Dataset& d) {
                      auto* n = d.mutable_missions(0)->add_narratives();
                      *n = d.missions(0).narratives(0);
                      n->set_name("missions/eulex/narratives/again");
                    },
                    "missions[0].narratives[2]",
                    "narratives[0] already holds the 2020 "
                    "NARRATIVE_SECTION_DEVELOPMENTS text in 'nl'"},
        // Records.
        InvalidCase{
            "MissionRecordWithoutMission",
            [](v1::Dataset& d) { d.mutable_missions(1)->clear_mission(); },
            "missions[1].mission", "is required"}),
    [](const ::testing::TestParamInfo<InvalidCase>& param) {
      return param.param.test_name;
    });

TEST(PerMessageValidatorsTest, PathsAreRelativeToTheMessage) {
  const v1::Dataset dataset = ValidDataset();
  v1::Mission mission = dataset.missions(0).mission();
  mission.set_region("regions/nowhere");
  EXPECT_THAT(Fields(ValidateMission(mission, NoExistingResources())),
              ElementsAre("region"));

  v1::NationalMandateDecision decision =
      dataset.missions(0).national_mandates(0);
  decision.mutable_cap()->set_civilian(3);
  decision.mutable_valid_until()->mutable_date()->set_day(0);
  EXPECT_THAT(Fields(ValidateNationalMandateDecision(decision, "missions/eulex",
                                                     NoExistingResources())),
              ElementsAre("valid_until.date", "cap.combined"));
  // The enclosing mission decides where the name must lie.
  EXPECT_THAT(Fields(ValidateNationalMandateDecision(
                  dataset.missions(0).national_mandates(0), "missions/other",
                  NoExistingResources())),
              ElementsAre("name"));
  // "" skips that check.
  EXPECT_TRUE(
      ValidateNationalMandateDecision(dataset.missions(0).national_mandates(0),
                                      "", NoExistingResources())
          .empty());
}

TEST(PerMessageValidatorsTest, EndDateAndCap) {
  v1::EndDate end;
  end.set_kind(v1::EndDate::PER_ACTIVITY);
  EXPECT_TRUE(ValidateEndDate(end).empty());
  end.set_kind(v1::EndDate::DATE);
  end.mutable_date()->set_year(2021);
  EXPECT_THAT(ValidateEndDate(end).violations(),
              ElementsAre(FieldViolation{
                  "date", "must be a full date (YYYY-MM-DD), not 2021"}));

  v1::PersonnelCap cap;
  EXPECT_TRUE(ValidatePersonnelCap(cap, true, NoExistingResources()).empty());
  cap.set_military(10);
  cap.set_civilian(2);
  EXPECT_TRUE(ValidatePersonnelCap(cap, true, NoExistingResources()).empty());
  cap.set_pool("capPools/p");
  EXPECT_THAT(
      Fields(ValidatePersonnelCap(cap, true, SetLookup({"capPools/p"}))),
      ElementsAre("pool"));
}

TEST(PathHelpersTest, MapEntriesAndLanguageTags) {
  EXPECT_EQ(MapEntryPath("display_name", "nl"), "display_name[\"nl\"]");
  EXPECT_EQ(MapEntryPath("a.b", "x\"y"), "a.b[\"x\\\"y\"]");
  EXPECT_TRUE(IsLanguageTag("nl"));
  EXPECT_TRUE(IsLanguageTag("fry"));
  EXPECT_TRUE(IsLanguageTag("en-GB"));
  EXPECT_TRUE(IsLanguageTag("zh-Hant-TW"));
  EXPECT_FALSE(IsLanguageTag("n"));
  EXPECT_FALSE(IsLanguageTag("NL"));
  EXPECT_FALSE(IsLanguageTag("dutch"));
  EXPECT_FALSE(IsLanguageTag("en-"));
  EXPECT_FALSE(IsLanguageTag("en_GB"));
  EXPECT_FALSE(IsLanguageTag("en-G"));
  EXPECT_FALSE(IsLanguageTag("en-abcdefghi"));
  EXPECT_FALSE(IsLanguageTag(""));
}

}  // namespace
}  // namespace missions::registry
