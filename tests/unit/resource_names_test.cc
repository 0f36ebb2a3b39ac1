#include "registry-service/domain/resource_names.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace missions::registry {
namespace {

using ::testing::HasSubstr;

struct NameCase {
  const char* name;
  ResourceKind kind;
  const char* parent_id;
  const char* id;
  const char* parent_name;
};

class ValidNameTest : public ::testing::TestWithParam<NameCase> {};

TEST_P(ValidNameTest, ParsesFormatsAndKnowsItsParent) {
  const NameCase& c = GetParam();
  absl::StatusOr<ResourceName> parsed = ParseResourceName(c.name);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->kind, c.kind);
  EXPECT_EQ(parsed->parent_id, c.parent_id);
  EXPECT_EQ(parsed->id, c.id);
  EXPECT_EQ(FormatResourceName(*parsed), c.name);
  EXPECT_EQ(ParentName(*parsed), c.parent_name);
  EXPECT_TRUE(ParseResourceName(c.name, c.kind).ok());
}

INSTANTIATE_TEST_SUITE_P(
    AllKinds, ValidNameTest,
    ::testing::Values(
        NameCase{"regions/europe", ResourceKind::kRegion, "", "europe", ""},
        NameCase{"regions/africa/clusters/sahel", ResourceKind::kCluster,
                 "africa", "sahel", "regions/africa"},
        NameCase{"missions/eulex", ResourceKind::kMission, "", "eulex", ""},
        NameCase{"missions/minusma/internationalMandates/unscr-2531",
                 ResourceKind::kInternationalMandate, "minusma", "unscr-2531",
                 "missions/minusma"},
        NameCase{"missions/minusma/nationalMandates/2020",
                 ResourceKind::kNationalMandate, "minusma", "2020",
                 "missions/minusma"},
        NameCase{"missions/untso/personnelFigures/2020",
                 ResourceKind::kPersonnelFigures, "untso", "2020",
                 "missions/untso"},
        NameCase{"missions/unifil/postings/gender-advisor",
                 ResourceKind::kPosting, "unifil", "gender-advisor",
                 "missions/unifil"},
        NameCase{"missions/gpoi/financialContributions/annual",
                 ResourceKind::kFinancialContribution, "gpoi", "annual",
                 "missions/gpoi"},
        NameCase{"missions/unifil/narratives/2020-developments-nl",
                 ResourceKind::kNarrative, "unifil", "2020-developments-nl",
                 "missions/unifil"},
        NameCase{"capPools/eucap-sahel", ResourceKind::kCapPool, "",
                 "eucap-sahel", ""},
        NameCase{"reportYears/2020", ResourceKind::kReportYear, "", "2020", ""},
        NameCase{"reportYears/2020/texts/introduction-nl",
                 ResourceKind::kReportText, "2020", "introduction-nl",
                 "reportYears/2020"}));

class InvalidNameTest : public ::testing::TestWithParam<const char*> {};

TEST_P(InvalidNameTest, IsRejectedWithTheNameInTheMessage) {
  absl::StatusOr<ResourceName> parsed = ParseResourceName(GetParam());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  if (std::string(GetParam()).empty()) return;
  EXPECT_THAT(parsed.status().message(), HasSubstr(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, InvalidNameTest,
    ::testing::Values(
        "", "missions", "missions/", "/missions/eulex", "missions/eulex/",
        "missions/EULEX", "missions/-eulex", "missions/eu_lex",
        "missions/eu lex", "missions//postings/x", "missions/x/postings",
        "missions/x/postings/", "missions/x/clusters/y", "missions/x/unknown/y",
        "regions/x/clusters/y/z/w", "regions/x/postings/y", "reportYears/1944",
        "reportYears/2101", "reportYears/02020", "reportYears/20a0",
        "reportYears/+2020", "reportYears/2020/texts/Intro",
        "missions/x/personnelFigures/abc", "missions/x/personnelFigures/1900",
        "foo/bar", "Missions/eulex", "capPools/a/b/c"));

TEST(ResourceNamesTest, IdsAreLowerCaseAlnumAndHyphenUpTo63) {
  EXPECT_TRUE(IsValidId("a"));
  EXPECT_TRUE(IsValidId("0"));
  EXPECT_TRUE(IsValidId("eucap-sahel-mali"));
  EXPECT_TRUE(IsValidId("x-"));
  EXPECT_TRUE(IsValidId(std::string(63, 'a')));
  EXPECT_FALSE(IsValidId(std::string(64, 'a')));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("-a"));
  EXPECT_FALSE(IsValidId("A"));
  EXPECT_FALSE(IsValidId("a.b"));
  EXPECT_FALSE(IsValidId("a/b"));
  EXPECT_TRUE(ParseResourceName(MissionName(std::string(63, 'm'))).ok());
  EXPECT_FALSE(ParseResourceName(MissionName(std::string(64, 'm'))).ok());
}

TEST(ResourceNamesTest, YearsRunFrom1945To2100) {
  EXPECT_FALSE(IsValidYear(1944));
  EXPECT_TRUE(IsValidYear(1945));
  EXPECT_TRUE(IsValidYear(2100));
  EXPECT_FALSE(IsValidYear(2101));
  EXPECT_TRUE(ParseResourceName("reportYears/1945").ok());
  EXPECT_TRUE(ParseResourceName("reportYears/2100").ok());
}

TEST(ResourceNamesTest, WrongKindSaysWhatWasExpected) {
  absl::StatusOr<ResourceName> parsed =
      ParseResourceName("regions/europe", ResourceKind::kMission);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(),
            "'regions/europe' is not a mission name (missions/{mission})");

  parsed = ParseResourceName("missions/EULEX", ResourceKind::kMission);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), HasSubstr("'EULEX' is not an id"));
  EXPECT_THAT(parsed.status().message(),
              HasSubstr("expected missions/{mission}"));

  parsed = ParseResourceName("", ResourceKind::kCapPool);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), HasSubstr("capPools/{pool}"));
}

TEST(ResourceNamesTest, YearOfNamesThatCarryOne) {
  EXPECT_EQ(YearOf(*ParseResourceName("reportYears/2020")), 2020);
  EXPECT_EQ(YearOf(*ParseResourceName("reportYears/2021/texts/closing-nl")),
            2021);
  EXPECT_EQ(YearOf(*ParseResourceName("missions/x/personnelFigures/1956")),
            1956);
  EXPECT_EQ(YearOf(*ParseResourceName("missions/x/postings/p")), 0);
  EXPECT_EQ(YearOf(*ParseResourceName("missions/x/nationalMandates/2020")), 0);
}

TEST(ResourceNamesTest, MissionIdOfMissionsAndTheirRecords) {
  EXPECT_EQ(*MissionIdOf("missions/eulex"), "eulex");
  EXPECT_EQ(*MissionIdOf("missions/eulex/nationalMandates/current"), "eulex");
  EXPECT_EQ(*MissionIdOf("missions/untso/personnelFigures/2020"), "untso");
  EXPECT_FALSE(MissionIdOf("regions/europe").ok());
  EXPECT_FALSE(MissionIdOf("regions/africa/clusters/sahel").ok());
  EXPECT_FALSE(MissionIdOf("missions/EULEX").ok());
  EXPECT_FALSE(MissionIdOf("").ok());
}

TEST(ResourceNamesTest, ParentMissionOnlyForChildrenOfMissions) {
  EXPECT_EQ(ParentMission("missions/eulex/postings/a"), "missions/eulex");
  EXPECT_EQ(ParentMission("missions/eulex/narratives/2020-rationale-nl"),
            "missions/eulex");
  EXPECT_EQ(ParentMission("missions/eulex"), "");
  EXPECT_EQ(ParentMission("regions/africa/clusters/sahel"), "");
  EXPECT_EQ(ParentMission("reportYears/2020/texts/intro"), "");
  EXPECT_EQ(ParentMission("missions/eulex/postings/A"), "");
}

TEST(ResourceNamesTest, TopLevelFormatters) {
  EXPECT_EQ(RegionName("europe"), "regions/europe");
  EXPECT_EQ(MissionName("eulex"), "missions/eulex");
  EXPECT_EQ(CapPoolName("p"), "capPools/p");
  EXPECT_EQ(ReportYearName(2020), "reportYears/2020");
}

TEST(ResourceNamesTest, EveryKindHasLabelAndPattern) {
  for (ResourceKind kind :
       {ResourceKind::kRegion, ResourceKind::kCluster, ResourceKind::kMission,
        ResourceKind::kInternationalMandate, ResourceKind::kNationalMandate,
        ResourceKind::kPersonnelFigures, ResourceKind::kPosting,
        ResourceKind::kFinancialContribution, ResourceKind::kNarrative,
        ResourceKind::kCapPool, ResourceKind::kReportYear,
        ResourceKind::kReportText}) {
    EXPECT_FALSE(ResourceKindLabel(kind).empty());
    EXPECT_FALSE(ResourceNamePattern(kind).empty());
  }
}

}  // namespace
}  // namespace missions::registry
