// The report's cross-checks (report_checks.h), one check at a time on
// small hand-built datasets, and on models tampered with after assembly
// (totals and caps a correct assembly never produces).
#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "report-service/report/report_assembly.h"
#include "report-service/report/report_checks.h"
#include "tests/unit/report_test_data.h"

namespace missions::report {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using test_data::AddMission;
using test_data::AddNationalDecision;
using test_data::AddPersonnel;
using test_data::AddPool;
using test_data::BaseDataset;
using test_data::Day;

ReportModel Assemble(const ::registry::v1::Dataset& data,
                     Language language = Language::kDutch) {
  absl::StatusOr<ReportModel> model = AssembleReport(data, 2020, language);
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *std::move(model) : ReportModel{};
}

// The checks of the findings of `severity`, in order, except `ignored`.
std::vector<std::string> Checks(const ReportModel& model, Severity severity,
                                const std::vector<std::string>& ignored = {}) {
  std::vector<std::string> checks;
  for (const Finding& finding : model.checks.findings) {
    if (finding.severity == severity &&
        std::find(ignored.begin(), ignored.end(), finding.check) ==
            ignored.end()) {
      checks.push_back(finding.check);
    }
  }
  return checks;
}

const Finding* Find(const std::vector<Finding>& findings,
                    absl::string_view check) {
  for (const Finding& finding : findings) {
    if (finding.check == check) return &finding;
  }
  return nullptr;
}

// A mission with a legal basis, a national cap in force and a narrative:
// nothing to find.
::registry::v1::MissionRecord& AddSoundMission(::registry::v1::Dataset& data,
                                               absl::string_view id,
                                               absl::string_view short_name,
                                               int report_order = 10) {
  ::registry::v1::MissionRecord& record =
      AddMission(data, id, short_name, "regions/r1", report_order);
  auto* international = record.add_international_mandates();
  international->set_name(record.mission().name() +
                          "/internationalMandates/basis");
  auto* instrument = international->add_legal_basis();
  instrument->set_kind(::registry::v1::INSTRUMENT_KIND_AGREEMENT);
  (*instrument->mutable_citation())["nl"] = "Overeenkomst";
  international->mutable_valid_until()->set_kind(
      ::registry::v1::EndDate::INDEFINITE);
  AddNationalDecision(record, Day(2019, 1, 1), 2022, "military: 5 civilian: 1");
  AddPersonnel(record, 2020, 4, 1);
  auto* narrative = record.add_narratives();
  narrative->set_name(record.mission().name() + "/narratives/2020-dev-nl");
  narrative->set_year(2020);
  narrative->set_section(::registry::v1::NARRATIVE_SECTION_DEVELOPMENTS);
  narrative->set_language("nl");
  narrative->set_text("Tekst.");
  return record;
}

TEST(CheckReportTest, SoundRecordsGiveOnlyTheTotals) {
  ::registry::v1::Dataset data = BaseDataset();
  AddSoundMission(data, "a", "Alfa");
  const ReportModel model = Assemble(data);
  ASSERT_EQ(model.checks.findings.size(), 1u);
  EXPECT_EQ(model.checks.findings[0].check, "totals");
  EXPECT_EQ(model.checks.findings[0].severity, Severity::kInfo);
  EXPECT_EQ(model.checks.findings[0].severity_label, "Melding");
  EXPECT_EQ(model.checks.summary, "0 fouten, 0 waarschuwingen en 1 melding.");
}

TEST(CheckReportTest, TotalsThatAreNotTheSumOfTheRowsAreErrors) {
  ::registry::v1::Dataset data = BaseDataset();
  AddSoundMission(data, "a", "Alfa");
  ReportModel model = Assemble(data);
  model.annex2.totals.mandate_military += 30;
  model.annex2.rows[0].deployed_total = 99;
  const std::vector<Finding> findings = CheckReport(data, model);
  ASSERT_GE(findings.size(), 2u);
  EXPECT_EQ(findings[0].severity, Severity::kError);
  EXPECT_THAT(findings[0].message, HasSubstr("Alfa 99, maar militair en civiel "
                                             "tellen op tot 5"));
  EXPECT_THAT(findings[1].message,
              HasSubstr("‘Mandaat militair’ van bijlage 2 is 35, maar de rijen "
                        "tellen op tot 5"));
}

TEST(CheckReportTest, CapsCountedTwiceAreErrors) {
  ::registry::v1::Dataset data = BaseDataset();
  AddPool(data, "p", "Alfa en Bravo", "combined: 15");
  AddNationalDecision(AddMission(data, "a", "Alfa", "regions/r1", 10),
                      std::nullopt, 2022, "pool: 'capPools/p'");
  AddNationalDecision(AddMission(data, "b", "Bravo", "regions/r1", 20),
                      std::nullopt, 2022, "pool: 'capPools/p'");
  ReportModel model = Assemble(data);
  // As the published 2020 table did: the shared cap on both rows and in
  // the military column too.
  model.annex2.rows[1].mandate_combined = 15;
  model.annex2.rows[0].mandate_military = 15;
  const std::vector<Finding> findings = CheckReport(data, model);
  std::vector<std::string> errors;
  for (const Finding& finding : findings) {
    if (finding.severity == Severity::kError &&
        finding.check == "caps-counted-once") {
      errors.push_back(finding.message);
    }
  }
  EXPECT_THAT(errors,
              ElementsAre(HasSubstr("zowel een gecombineerd mandaat als een "
                                    "militair of civiel mandaat"),
                          HasSubstr("Alfa en Bravo staat in bijlage 2 op 2 "
                                    "rijen (Alfa en Bravo)")));
}

TEST(CheckReportTest, CombinedAndPooledCapsAreExplained) {
  ::registry::v1::Dataset data = BaseDataset();
  AddPool(data, "p", "Alfa en Bravo", "combined: 15");
  AddNationalDecision(AddMission(data, "a", "Alfa", "regions/r1", 10),
                      std::nullopt, 2022, "pool: 'capPools/p'");
  AddNationalDecision(AddMission(data, "b", "Bravo", "regions/r1", 20),
                      std::nullopt, 2022, "pool: 'capPools/p'");
  AddNationalDecision(AddMission(data, "c", "Charlie", "regions/r1", 30),
                      std::nullopt, 2022, "combined: 10");
  const Finding* finding =
      Find(Assemble(data, Language::kEnglish).checks.findings,
           "caps-counted-once");
  ASSERT_NE(finding, nullptr);
  EXPECT_EQ(finding->severity, Severity::kInfo);
  EXPECT_THAT(finding->message,
              HasSubstr("Alfa and Bravo (15, one shared cap) and Charlie (10)"));
  EXPECT_THAT(finding->message, HasSubstr("each of those columns 25 too high"));
}

TEST(CheckReportTest, NationalMandates) {
  ::registry::v1::Dataset data = BaseDataset();
  // Deployed without any mandate.
  AddPersonnel(AddMission(data, "a", "Alfa", "regions/r1", 10), 2020, 3, 0);
  // The mandate ended in 2019, personnel deployed in 2020.
  ::registry::v1::MissionRecord& bravo =
      AddMission(data, "b", "Bravo", "regions/r1", 20);
  AddNationalDecision(bravo, Day(2018, 1, 1), 2019, "military: 5");
  AddPersonnel(bravo, 2020, 2, 0);
  // No mandate, nobody deployed.
  AddMission(data, "c", "Charlie", "regions/r1", 30);
  // A mandate that ran out in June, no renewal, personnel deployed.
  ::registry::v1::MissionRecord& delta =
      AddMission(data, "d", "Delta", "regions/r1", 40);
  auto& decision = AddNationalDecision(delta, Day(2019, 1, 1), 2020, "military: 5");
  *decision.mutable_valid_until()->mutable_date() = Day(2020, 6, 30);
  AddPersonnel(delta, 2020, 2, 0);
  // A mandate that states no cap.
  AddNationalDecision(AddMission(data, "e", "Echo", "regions/r1", 50),
                      Day(2019, 1, 1), 2022, "");
  const ReportModel model = Assemble(data);
  // (These missions have no legal basis and no narrative either.)
  const std::vector<std::string> other = {"legal-basis-missing",
                                          "narrative-missing"};
  EXPECT_THAT(Checks(model, Severity::kError, other),
              ElementsAre("deployed-without-mandate", "mandate-ended-before-year"));
  EXPECT_THAT(Checks(model, Severity::kWarning, other),
              ElementsAre("national-mandate-missing", "national-mandate-lapsed",
                          "cap-missing"));
  const Finding* ended = Find(model.checks.findings, "mandate-ended-before-year");
  EXPECT_THAT(ended->message,
              HasSubstr("liep af op 31 december 2019, vóór 2020, maar in 2020 "
                        "waren er 2 personen ingezet"));
  EXPECT_THAT(ended->records, ElementsAre("missions/b", "missions/b/nationalMandates/1"));
}

TEST(CheckReportTest, LegalBases) {
  ::registry::v1::Dataset data = BaseDataset();
  ::registry::v1::MissionRecord& alfa = AddSoundMission(data, "a", "Alfa", 10);
  alfa.clear_international_mandates();
  ::registry::v1::MissionRecord& bravo = AddSoundMission(data, "b", "Bravo", 20);
  *bravo.mutable_international_mandates(0)->mutable_decided_on() = Day(2021, 2, 1);
  // A UN mandate renewed in text only: the narrative cites 2600.
  ::registry::v1::MissionRecord& charlie =
      AddSoundMission(data, "c", "Charlie", 30);
  auto* basis = charlie.mutable_international_mandates(0);
  basis->mutable_legal_basis(0)->set_kind(
      ::registry::v1::INSTRUMENT_KIND_UN_SECURITY_COUNCIL_RESOLUTION);
  basis->mutable_legal_basis(0)->set_reference("2500");
  basis->mutable_valid_until()->set_kind(::registry::v1::EndDate::DATE);
  *basis->mutable_valid_until()->mutable_date() = Day(2020, 6, 30);
  charlie.mutable_narratives(0)->set_text(
      "De Veiligheidsraad verlengde het mandaat met VNVR-resolutie 2600 (2020).");
  const ReportModel model = Assemble(data);
  EXPECT_THAT(Checks(model, Severity::kError), ElementsAre("legal-basis-missing"));
  EXPECT_THAT(Checks(model, Severity::kWarning),
              ElementsAre("legal-basis-missing", "international-mandate-lapsed",
                          "legal-basis-not-latest"));
  const Finding* text = nullptr;
  for (const Finding& finding : model.checks.findings) {
    if (finding.check == "legal-basis-not-latest") text = &finding;
  }
  ASSERT_NE(text, nullptr);
  EXPECT_THAT(text->message, HasSubstr("noemt VN-Veiligheidsraadresolutie 2600"));
  EXPECT_THAT(text->records,
              ElementsAre("missions/c", "missions/c/narratives/2020-dev-nl"));
}

TEST(CheckReportTest, NarrativesMissingOrInAnotherLanguage) {
  ::registry::v1::Dataset data = BaseDataset();
  AddSoundMission(data, "a", "Alfa", 10).clear_narratives();
  AddSoundMission(data, "b", "Bravo", 20);
  const ReportModel dutch = Assemble(data);
  EXPECT_THAT(Checks(dutch, Severity::kWarning), ElementsAre("narrative-missing"));
  EXPECT_THAT(Find(dutch.checks.findings, "narrative-missing")->message,
              HasSubstr("Voor Alfa (paragraaf 2.2.1) is voor 2020 geen tekst"));
  const ReportModel english = Assemble(data, Language::kEnglish);
  const std::vector<Finding>& findings = english.checks.findings;
  bool bravo_noted = false;
  for (const Finding& finding : findings) {
    if (finding.check == "narrative-missing" &&
        finding.severity == Severity::kInfo) {
      bravo_noted = true;
      EXPECT_THAT(finding.message, HasSubstr("(text in Dutch)"));
    }
  }
  EXPECT_TRUE(bravo_noted);
}

TEST(CheckReportTest, NamesCollisionsVariantsAndSpellingsInTexts) {
  ::registry::v1::Dataset data = BaseDataset();
  ::registry::v1::MissionRecord& sophia =
      AddSoundMission(data, "sophia", "EUNAVFOR MED Sophia", 10);
  sophia.mutable_mission()->add_aliases("EUNAVFORMED Sophia");
  sophia.mutable_narratives(0)->set_text(
      "Operatie EUNAVFORMED Sophia eindigde. eunavfor med sophia ook. "
      "De EUNAVFOR MED Sophia-operatie.");
  ::registry::v1::MissionRecord& irini =
      AddSoundMission(data, "irini", "EUNAVFOR MED IRINI", 20);
  irini.mutable_mission()->add_aliases("Eunavfor-Med Sophia");
  const ReportModel model = Assemble(data);
  EXPECT_THAT(Checks(model, Severity::kError), ElementsAre("name-collision"));
  EXPECT_THAT(Find(model.checks.findings, "name-collision")->message,
              HasSubstr("‘Eunavfor-Med Sophia’ (andere spelling van EUNAVFOR "
                        "MED IRINI)"));
  EXPECT_THAT(Checks(model, Severity::kWarning),
              ElementsAre("name-variant-in-text", "name-variant-in-text"));
  const Finding* variants = Find(model.checks.findings, "name-variants");
  ASSERT_NE(variants, nullptr);
  EXPECT_THAT(variants->message,
              HasSubstr("EUNAVFOR MED Sophia wordt ook gespeld als "
                        "‘EUNAVFORMED Sophia’"));
}

TEST(NormalizedNameTest, KeepsLettersAndDigitsInUpperCase) {
  EXPECT_EQ(NormalizedName("EUNAVFOR MED Irini"), NormalizedName("EUNAVFORMED IRINI"));
  EXPECT_EQ(NormalizedName("EMASoH"), "EMASOH");
  EXPECT_EQ(NormalizedName("EUBAM (Rafah)"), "EUBAMRAFAH");
  EXPECT_EQ(NormalizedName("Libië"), "LIBI\xC3\xAB");
}

TEST(CitedResolutionsTest, FindsResolutionNumbers) {
  EXPECT_THAT(CitedResolutions("VNVR-resolutie 2531 verlengde; UNSC resolution "
                               "2480 (2019) en resoluties 2100 en 2164."),
              ElementsAre(2531, 2480, 2100));
  EXPECT_THAT(CitedResolutions("in resolutie van 29 juni 2020"), IsEmpty());
  EXPECT_THAT(CitedResolutions("UNSCR 1244"), ElementsAre(1244));
}

}  // namespace
}  // namespace missions::report
