#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "proto/common/errors.h"
#include "registry-service/dataset_file/dataset_file.h"
#include "registry-service/dataset_file/yaml_to_proto.h"
#include "registry-service/domain/validation.h"

namespace missions::registry {
namespace {

namespace v1 = ::registry::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// The example of registry-service/data/README.md, with the one qualifier
// that holds a comma quoted (see QualifierWithCommaNeedsQuotes).
constexpr char kExample[] = R"yaml(report_years:
  - name: reportYears/2020
    year: 2020
    publication_date: 2021-05-19
regions:
  - name: regions/europe
    display_name: {nl: Europa, en: Europe}
    report_order: 10
missions:
  - mission:
      name: missions/eulex
      short_name: EULEX
      location: {nl: Kosovo, en: Kosovo}
      countries: [XK]
      region: regions/europe
      report_order: 10
      lead_organization: EU
      kind: INTERNATIONAL
      start_date: "2008"
    international_mandates:
      - name: missions/eulex/internationalMandates/unscr-1244
        legal_basis:
          - kind: UN_SECURITY_COUNCIL_RESOLUTION
            reference: "1244"
            citation: {nl: VNVR resolutie 1244, en: UNSC resolution 1244}
        valid_until:
          kind: DATE
          date: 2021-06-14
          qualifier: {nl: "EU-mandaat, afgeleid van VNVR 1244"}
    national_mandates:
      - name: missions/eulex/nationalMandates/current
        valid_until: {kind: DATE, date: 2022-08-01}
        cap: {combined: 15}
    personnel:
      - name: missions/eulex/personnelFigures/2020
        year: 2020
        military: 0
        civilian: 6
)yaml";

// Parses `text` and returns its errors (empty if it parsed).
std::vector<YamlError> ErrorsOf(absl::string_view text,
                                const YamlReadOptions& options = {}) {
  v1::Dataset dataset;
  PositionMap positions;
  return ReadYamlMessage(text, &dataset, &positions, options);
}

std::vector<std::string> ErrorPaths(const std::vector<YamlError>& errors) {
  std::vector<std::string> paths;
  for (const YamlError& e : errors) paths.push_back(e.path);
  return paths;
}

// Parses text that must be valid.
v1::Dataset MustParse(absl::string_view text) {
  absl::StatusOr<ParsedDataset> parsed = ParseDatasetYaml(text, "t.yaml");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? parsed->dataset : v1::Dataset();
}

TEST(DatasetYamlTest, ReadsTheReadmeExample) {
  absl::StatusOr<ParsedDataset> parsed = ParseDatasetYaml(kExample, "x.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const v1::Dataset& d = parsed->dataset;
  ASSERT_THAT(d.report_years(), SizeIs(1));
  EXPECT_EQ(d.report_years(0).year(), 2020);
  EXPECT_EQ(d.report_years(0).publication_date().year(), 2021);
  EXPECT_EQ(d.report_years(0).publication_date().month(), 5);
  EXPECT_EQ(d.report_years(0).publication_date().day(), 19);
  EXPECT_EQ(d.regions(0).display_name().at("nl"), "Europa");
  EXPECT_EQ(d.regions(0).display_name().at("en"), "Europe");
  const v1::MissionRecord& record = d.missions(0);
  EXPECT_EQ(record.mission().short_name(), "EULEX");
  EXPECT_THAT(record.mission().countries(), ElementsAre("XK"));
  EXPECT_EQ(record.mission().lead_organization(), v1::LEAD_ORGANIZATION_EU);
  EXPECT_EQ(record.mission().kind(), v1::MISSION_KIND_INTERNATIONAL);
  EXPECT_EQ(record.mission().start_date().year(), 2008);
  EXPECT_EQ(record.mission().start_date().month(), 0);
  const v1::InternationalMandateDecision& im = record.international_mandates(0);
  EXPECT_EQ(im.legal_basis(0).kind(),
            v1::INSTRUMENT_KIND_UN_SECURITY_COUNCIL_RESOLUTION);
  EXPECT_EQ(im.legal_basis(0).reference(), "1244");
  EXPECT_EQ(im.valid_until().kind(), v1::EndDate::DATE);
  EXPECT_EQ(im.valid_until().date().day(), 14);
  EXPECT_EQ(im.valid_until().qualifier().at("nl"),
            "EU-mandaat, afgeleid van VNVR 1244");
  const v1::PersonnelCap& cap = record.national_mandates(0).cap();
  EXPECT_TRUE(cap.has_combined());
  EXPECT_EQ(cap.combined(), 15);
  EXPECT_FALSE(cap.has_military());
  EXPECT_FALSE(cap.has_civilian());
  EXPECT_EQ(record.personnel(0).civilian(), 6);
  // The example is a valid dataset too.
  const ViolationList violations = ValidateDataset(d, NoExistingResources());
  EXPECT_THAT(violations.violations(), IsEmpty())
      << FormatViolations("x.yaml", *parsed, violations.violations());
}

TEST(DatasetYamlTest, RecordsWhereEveryValueStarts) {
  absl::StatusOr<ParsedDataset> parsed = ParseDatasetYaml(kExample, "x.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const PositionMap& p = parsed->positions;
  EXPECT_EQ(p.at(""), (SourcePosition{1, 1}));
  EXPECT_EQ(p.at("report_years"), (SourcePosition{2, 3}));
  EXPECT_EQ(p.at("report_years[0]"), (SourcePosition{2, 5}));
  EXPECT_EQ(p.at("report_years[0].name"), (SourcePosition{2, 11}));
  EXPECT_EQ(p.at("report_years[0].publication_date"), (SourcePosition{4, 23}));
  EXPECT_EQ(p.at("missions[0].mission.short_name"), (SourcePosition{12, 19}));
  EXPECT_EQ(p.at("missions[0].mission.lead_organization"),
            (SourcePosition{17, 26}));
  EXPECT_EQ(p.at("missions[0].mission.location[\"en\"]"),
            (SourcePosition{13, 34}));
  EXPECT_EQ(p.at("missions[0].mission.countries[0]"), (SourcePosition{14, 19}));
  EXPECT_EQ(p.at("missions[0].national_mandates[0].cap"),
            (SourcePosition{33, 14}));
  EXPECT_EQ(p.at("missions[0].national_mandates[0].cap.combined"),
            (SourcePosition{33, 25}));
}

TEST(DatasetYamlTest, FormatsViolationsAtTheClosestKnownPosition) {
  absl::StatusOr<ParsedDataset> parsed = ParseDatasetYaml(kExample, "x.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const std::vector<FieldViolation> violations = {
      {"missions[0].national_mandates[0].cap.combined", "too many"},
      {"missions[0].mission.full_name[\"nl\"]", "is required"},
      {"missions[0].personnel[0].note[\"en\"]", "odd"},
      {"", "whole file"},
  };
  EXPECT_EQ(FormatViolations("x.yaml", *parsed, violations),
            "x.yaml:33:25: missions[0].national_mandates[0].cap.combined: "
            "too many\n"
            "x.yaml:11:7: missions[0].mission.full_name[\"nl\"]: is required\n"
            "x.yaml:35:9: missions[0].personnel[0].note[\"en\"]: odd\n"
            "x.yaml:1:1: whole file\n");
}

TEST(DatasetYamlTest, ClosestPositionWalksUpThePath) {
  PositionMap positions = {{"", {1, 1}},
                           {"a", {2, 1}},
                           {"a.b[3]", {3, 5}},
                           {"a.m[\"x.y\"]", {4, 2}}};
  EXPECT_EQ(ClosestPosition(positions, "a.b[3].c[\"nl\"]"),
            (SourcePosition{3, 5}));
  EXPECT_EQ(ClosestPosition(positions, "a.b[4]"), (SourcePosition{2, 1}));
  EXPECT_EQ(ClosestPosition(positions, "a.m[\"x.y\"]"), (SourcePosition{4, 2}));
  EXPECT_EQ(ClosestPosition(positions, "a.m[\"x.z\"]"), (SourcePosition{2, 1}));
  EXPECT_EQ(ClosestPosition(positions, "q.r"), (SourcePosition{1, 1}));
  EXPECT_EQ(ClosestPosition(PositionMap(), "q.r"), (SourcePosition{0, 0}));
}

TEST(DatasetYamlTest, EnumsTakeFullOrShortNames) {
  const v1::Dataset d = MustParse(R"yaml(
missions:
  - mission: {lead_organization: LEAD_ORGANIZATION_NATO, kind: HEADQUARTERS}
    international_mandates:
      - valid_until: {kind: PER_ACTIVITY}
        legal_basis: [{kind: INSTRUMENT_KIND_EU_COUNCIL_DECISION}, {kind: OTHER}]
  - mission: {lead_organization: AD_HOC_COALITION, kind: MISSION_KIND_NATIONAL_OPERATION}
    narratives: [{section: CONTRIBUTION, contribution_kind: MILITARY_AND_CIVILIAN}]
)yaml");
  ASSERT_THAT(d.missions(), SizeIs(2));
  EXPECT_EQ(d.missions(0).mission().lead_organization(),
            v1::LEAD_ORGANIZATION_NATO);
  EXPECT_EQ(d.missions(0).mission().kind(), v1::MISSION_KIND_HEADQUARTERS);
  EXPECT_EQ(d.missions(0).international_mandates(0).valid_until().kind(),
            v1::EndDate::PER_ACTIVITY);
  EXPECT_EQ(d.missions(0).international_mandates(0).legal_basis(0).kind(),
            v1::INSTRUMENT_KIND_EU_COUNCIL_DECISION);
  EXPECT_EQ(d.missions(0).international_mandates(0).legal_basis(1).kind(),
            v1::INSTRUMENT_KIND_OTHER);
  EXPECT_EQ(d.missions(1).mission().lead_organization(),
            v1::LEAD_ORGANIZATION_AD_HOC_COALITION);
  EXPECT_EQ(d.missions(1).mission().kind(),
            v1::MISSION_KIND_NATIONAL_OPERATION);
  EXPECT_EQ(d.missions(1).narratives(0).contribution_kind(),
            v1::CONTRIBUTION_KIND_MILITARY_AND_CIVILIAN);
}

TEST(DatasetYamlTest, UnknownEnumValueListsTheValues) {
  const std::vector<YamlError> errors =
      ErrorsOf("missions:\n  - mission: {lead_organization: EUROPE}\n");
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_EQ(errors[0].path, "missions[0].mission.lead_organization");
  EXPECT_EQ(errors[0].position, (SourcePosition{2, 34}));
  EXPECT_EQ(errors[0].reason,
            "unknown value 'EUROPE' for LeadOrganization; expected one of "
            "UN, EU, NATO, US_LED, AD_HOC_COALITION, NATIONAL");
  // Numbers are not enum names.
  EXPECT_THAT(ErrorPaths(ErrorsOf("missions: [{mission: {kind: 1}}]")),
              ElementsAre("missions[0].mission.kind"));
  // A short name of another enum's value does not count.
  EXPECT_THAT(ErrorPaths(ErrorsOf("missions: [{mission: {kind: EU}}]")),
              ElementsAre("missions[0].mission.kind"));
}

TEST(DatasetYamlTest, DatesFullPartialAndInvalid) {
  const v1::Dataset d = MustParse(R"yaml(
missions:
  - mission:
      start_date: 2014-04
      end_date: 2020
      dutch_participation_start: {year: 1956, month: 6, day: 11}
report_years:
  - publication_date: "2020-02-29"
)yaml");
  EXPECT_EQ(d.missions(0).mission().start_date().year(), 2014);
  EXPECT_EQ(d.missions(0).mission().start_date().month(), 4);
  EXPECT_EQ(d.missions(0).mission().start_date().day(), 0);
  EXPECT_EQ(d.missions(0).mission().end_date().year(), 2020);
  EXPECT_EQ(d.missions(0).mission().dutch_participation_start().day(), 11);
  EXPECT_EQ(d.report_years(0).publication_date().day(), 29);

  const std::vector<YamlError> errors = ErrorsOf(
      "report_years:\n  - publication_date: 2021-02-30\n"
      "  - publication_date: 19-05-2021\n  - publication_date: [2021]\n");
  EXPECT_THAT(ErrorPaths(errors),
              ElementsAre("report_years[0].publication_date",
                          "report_years[1].publication_date",
                          "report_years[2].publication_date"));
  EXPECT_THAT(errors[0].reason, HasSubstr("'2021-02-30' is not a date"));
  EXPECT_EQ(errors[0].position, (SourcePosition{2, 23}));
  EXPECT_THAT(errors[2].reason, HasSubstr("expected a mapping (Date)"));
}

TEST(DatasetYamlTest, MapsAndTheirErrors) {
  const v1::Dataset d = MustParse(
      "regions:\n  - display_name:\n      nl: Midden-Oosten\n"
      "      en-GB: Middle East\n");
  EXPECT_EQ(d.regions(0).display_name().at("nl"), "Midden-Oosten");
  EXPECT_EQ(d.regions(0).display_name().at("en-GB"), "Middle East");

  const std::vector<YamlError> errors = ErrorsOf(
      "regions:\n  - display_name: {nl: A, nl: B}\n"
      "  - display_name: [nl, A]\n"
      "  - display_name: {nl: {x: y}}\n"
      "  - display_name: {[a]: b, en: ok}\n");
  EXPECT_THAT(ErrorPaths(errors), ElementsAre("regions[0].display_name[\"nl\"]",
                                              "regions[1].display_name",
                                              "regions[2].display_name[\"nl\"]",
                                              "regions[3].display_name"));
  EXPECT_EQ(errors[0].reason,
            "duplicate key 'nl' (first at line 2, column 20)");
  EXPECT_EQ(errors[0].position, (SourcePosition{2, 27}));
  EXPECT_THAT(errors[1].reason, HasSubstr("expected a mapping"));
  EXPECT_THAT(errors[2].reason, HasSubstr("expected a text, got a mapping"));
  EXPECT_THAT(errors[3].reason, HasSubstr("expected a scalar as key"));
}

TEST(DatasetYamlTest, OptionalFieldsHavePresenceWhenTheKeyIsPresent) {
  const v1::Dataset d = MustParse(R"yaml(
missions:
  - national_mandates:
      - cap: {combined: 0}
      - cap: {military: 5}
      - cap: {combined: ~, civilian: }
      - cap: {}
)yaml");
  const auto& m = d.missions(0).national_mandates();
  EXPECT_TRUE(m[0].cap().has_combined());
  EXPECT_EQ(m[0].cap().combined(), 0);
  EXPECT_FALSE(m[0].cap().has_military());
  EXPECT_TRUE(m[1].cap().has_military());
  EXPECT_FALSE(m[1].cap().has_civilian());
  // A null value leaves the field unset.
  EXPECT_FALSE(m[2].cap().has_combined());
  EXPECT_FALSE(m[2].cap().has_civilian());
  // An empty mapping sets the message.
  EXPECT_TRUE(m[3].has_cap());
  EXPECT_FALSE(m[1].has_valid_until());
}

TEST(DatasetYamlTest, ScalarsOfEveryKind) {
  const v1::Dataset d = MustParse(R"yaml(
missions:
  - mission:
      short_name: 2020
      aliases: ["a", 'b', c, true]
      report_order: -0
    financial_contributions:
      - amount: {currency_code: EUR, units: 9223372036854775807, nanos: +5}
        annual: true
        first_year: "2020"
      - annual: FALSE
    narratives:
      - text: |
          First paragraph.

          Second paragraph.
)yaml");
  const v1::MissionRecord& r = d.missions(0);
  EXPECT_EQ(r.mission().short_name(), "2020");
  EXPECT_THAT(r.mission().aliases(), ElementsAre("a", "b", "c", "true"));
  EXPECT_EQ(r.financial_contributions(0).amount().units(), 9223372036854775807);
  EXPECT_EQ(r.financial_contributions(0).amount().nanos(), 5);
  EXPECT_TRUE(r.financial_contributions(0).annual());
  EXPECT_EQ(r.financial_contributions(0).first_year(), 2020);
  EXPECT_FALSE(r.financial_contributions(1).annual());
  EXPECT_EQ(r.narratives(0).text(), "First paragraph.\n\nSecond paragraph.\n");
}

TEST(DatasetYamlTest, BadNumbersAndBools) {
  const std::vector<YamlError> errors = ErrorsOf(R"yaml(
report_years:
  - year: abc
  - year: 99999999999
  - year: 015
  - year: 2020.5
  - year: ""
  - year: 0x7E4
missions:
  - financial_contributions:
      - amount: {units: 99999999999999999999}
        annual: yes
)yaml");
  EXPECT_THAT(ErrorPaths(errors),
              ElementsAre("report_years[0].year", "report_years[1].year",
                          "report_years[2].year", "report_years[3].year",
                          "report_years[4].year", "report_years[5].year",
                          "missions[0].financial_contributions[0].amount.units",
                          "missions[0].financial_contributions[0].annual"));
  EXPECT_EQ(errors[0].reason, "expected an integer, got 'abc'");
  EXPECT_EQ(errors[0].position, (SourcePosition{3, 11}));
  EXPECT_EQ(errors[1].reason,
            "'99999999999' is out of range (-2147483648 to 2147483647)");
  EXPECT_THAT(errors[2].reason, HasSubstr("leading zero"));
  EXPECT_EQ(errors[4].reason, "expected an integer, got an empty value");
  EXPECT_THAT(errors[6].reason, HasSubstr("out of range"));
  EXPECT_EQ(errors[7].reason, "expected true or false, got 'yes'");
}

TEST(DatasetYamlTest, UnknownAndDuplicateKeys) {
  const std::vector<YamlError> errors = ErrorsOf(
      "regions:\n  - name: regions/a\n    displayname: {nl: A}\n"
      "    name: regions/b\nmissions: []\nmissions: []\n");
  ASSERT_THAT(ErrorPaths(errors), ElementsAre("regions[0].displayname",
                                              "regions[0].name", "missions"));
  EXPECT_EQ(errors[0].position, (SourcePosition{3, 5}));
  EXPECT_EQ(errors[0].reason,
            "unknown field 'displayname': Region has no such field");
  EXPECT_EQ(errors[1].position, (SourcePosition{4, 5}));
  EXPECT_EQ(errors[1].reason,
            "duplicate key 'name' (first at line 2, column 5)");
  EXPECT_EQ(errors[2].position, (SourcePosition{6, 1}));
  // JSON names are not field names here.
  EXPECT_THAT(ErrorPaths(ErrorsOf("missions: [{mission: {shortName: X}}]")),
              ElementsAre("missions[0].mission.shortName"));
}

TEST(DatasetYamlTest, WrongNodeKinds) {
  const std::vector<YamlError> errors = ErrorsOf(R"yaml(
regions: {name: regions/a}
report_years: [2020]
clusters:
  - name: [a, b]
    report_order: {x: 1}
cap_pools: text
)yaml");
  ASSERT_THAT(ErrorPaths(errors),
              ElementsAre("regions", "report_years[0]", "clusters[0].name",
                          "clusters[0].report_order", "cap_pools"));
  EXPECT_EQ(errors[0].reason, "expected a sequence (a list), got a mapping");
  EXPECT_EQ(errors[1].reason,
            "expected a mapping (ReportYear), got the scalar '2020'");
  EXPECT_EQ(errors[2].reason, "expected a text, got a sequence");
  EXPECT_EQ(errors[3].reason, "expected an integer, got a mapping");
  EXPECT_EQ(errors[4].reason,
            "expected a sequence (a list), got the scalar 'text'");
  EXPECT_THAT(ErrorPaths(ErrorsOf("- a\n- b\n")), ElementsAre(""));
  EXPECT_THAT(ErrorsOf("just text")[0].reason,
              HasSubstr("expected a mapping (Dataset)"));
}

TEST(DatasetYamlTest, CollectsAllErrorsAsOneStatus) {
  const char* text = R"yaml(report_years:
  - year: twenty
    publication_date: 2021-13-01
regions:
  - name: regions/a
    colour: blue
missions:
  - mission: {kind: SOMETHING, report_order: 1.5}
)yaml";
  absl::StatusOr<ParsedDataset> parsed = ParseDatasetYaml(text, "bad.yaml");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  const std::vector<FieldViolation> violations =
      FieldViolationsOf(parsed.status());
  std::vector<std::string> fields;
  for (const FieldViolation& v : violations) fields.push_back(v.field);
  EXPECT_THAT(
      fields,
      ElementsAre("report_years[0].year", "report_years[0].publication_date",
                  "regions[0].colour", "missions[0].mission.kind",
                  "missions[0].mission.report_order"));
  const std::string message(parsed.status().message());
  EXPECT_THAT(message,
              HasSubstr("bad.yaml:2:11: report_years[0].year: expected an "
                        "integer, got 'twenty'\n"));
  EXPECT_THAT(message,
              HasSubstr("bad.yaml:6:5: regions[0].colour: unknown field "
                        "'colour': Region has no such field\n"));
  EXPECT_THAT(message, HasSubstr("bad.yaml:8:21: missions[0].mission.kind: "));
  EXPECT_EQ(violations[2].description,
            "bad.yaml:6:5: regions[0].colour: unknown field 'colour': Region "
            "has no such field");
}

TEST(DatasetYamlTest, SyntaxErrorsCarryLibyamlsPosition) {
  const std::vector<YamlError> errors =
      ErrorsOf("regions:\n  - name: a\n  bad: [1, 2\n");
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_THAT(errors[0].reason, HasSubstr("YAML syntax error"));
  EXPECT_GT(errors[0].position.line, 1);

  const std::vector<YamlError> tab = ErrorsOf("regions:\n\t- name: a\n");
  ASSERT_THAT(tab, SizeIs(1));
  EXPECT_EQ(tab[0].position.line, 2);
  EXPECT_THAT(tab[0].reason, HasSubstr("YAML syntax error"));

  // Errors found before the syntax error are kept.
  const std::vector<YamlError> later =
      ErrorsOf("regions:\n  - nam: a\n  - name: [\n");
  EXPECT_THAT(
      ErrorPaths(later),
      ElementsAre("regions[0].nam", "regions[1].name", "regions[1].name"));
  EXPECT_THAT(later[1].reason, HasSubstr("expected a text, got a sequence"));
  EXPECT_THAT(later[2].reason, HasSubstr("YAML syntax error"));
}

TEST(DatasetYamlTest, AnchorsAliasesAndTagsAreRejected) {
  std::vector<YamlError> errors =
      ErrorsOf("regions:\n  - &r {name: regions/a}\n  - *r\n");
  ASSERT_THAT(errors, SizeIs(2));
  EXPECT_THAT(errors[0].reason, HasSubstr("anchors (&r) are not supported"));
  EXPECT_EQ(errors[0].position, (SourcePosition{2, 5}));
  EXPECT_THAT(errors[1].reason, HasSubstr("aliases (*r) are not supported"));
  EXPECT_EQ(errors[1].path, "regions[1]");

  errors = ErrorsOf("regions:\n  - name: !!str regions/a\n");
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_THAT(errors[0].reason, HasSubstr("tags (tag:yaml.org,2002:str)"));
  EXPECT_EQ(errors[0].path, "regions[0].name");
}

TEST(DatasetYamlTest, ExactlyOneDocument) {
  EXPECT_THAT(ErrorsOf(""), IsEmpty());
  EXPECT_THAT(ErrorsOf("# nothing but a comment\n"), IsEmpty());
  EXPECT_THAT(ErrorsOf("---\n"), IsEmpty());
  const std::vector<YamlError> errors =
      ErrorsOf("regions: []\n---\nregions: []\n");
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_THAT(errors[0].reason, HasSubstr("second YAML document"));
  EXPECT_EQ(errors[0].position.line, 2);
}

TEST(DatasetYamlTest, LimitsStopHostileInput) {
  // Deep nesting.
  std::vector<YamlError> errors = ErrorsOf(std::string(100000, '['));
  ASSERT_FALSE(errors.empty());
  EXPECT_THAT(errors.back().reason, HasSubstr("nested more than 64 levels"));
  std::string deep_mapping = "regions:\n";
  for (int i = 0; i < 100; ++i) {
    absl::StrAppend(&deep_mapping, std::string(2 * i + 2, ' '), "- a:\n");
  }
  errors = ErrorsOf(deep_mapping);
  ASSERT_FALSE(errors.empty());
  EXPECT_THAT(errors.back().reason, HasSubstr("nested more than 64 levels"));

  YamlReadOptions small;
  small.max_nodes = 10;
  errors = ErrorsOf(
      "missions:\n  - mission: {aliases: [a, b, c, d, e, f, g]}\n", small);
  ASSERT_FALSE(errors.empty());
  EXPECT_THAT(errors.back().reason, HasSubstr("more than 10 values"));

  small = YamlReadOptions();
  small.max_errors = 3;
  errors = ErrorsOf("a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n", small);
  ASSERT_THAT(errors, SizeIs(4));
  EXPECT_THAT(errors.back().reason, HasSubstr("too many errors"));

  small = YamlReadOptions();
  small.max_input_bytes = 8;
  errors = ErrorsOf("regions: []\n", small);
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_THAT(errors[0].reason, HasSubstr("at most 8 bytes"));
}

TEST(DatasetYamlTest, BinaryAndGarbageInputNeverCrashes) {
  // Invalid UTF-8 and control characters.
  std::vector<YamlError> errors = ErrorsOf("regions:\n  - name: \xc3\x28\n");
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_THAT(errors[0].reason, HasSubstr("not readable"));
  EXPECT_EQ(errors[0].position.line, 2);
  EXPECT_FALSE(ErrorsOf(std::string("a: \0b\n", 6)).empty());
  EXPECT_FALSE(ErrorsOf(std::string("\xff\xfe\x00\x00garbage", 11)).empty());

  // Random bytes, and random sequences of YAML's own punctuation.
  std::mt19937 random(20200519);
  const std::string alphabet = "{}[]:-,?&*!|>'\"#%@` \n\t\r\\abc0123 \x01\xc3";
  for (int round = 0; round < 2000; ++round) {
    std::string input(random() % 512, '\0');
    const bool bytes = round % 2 == 0;
    for (char& c : input) {
      c = bytes ? static_cast<char>(random() % 256)
                : alphabet[random() % alphabet.size()];
    }
    absl::StatusOr<ParsedDataset> parsed = ParseDatasetYaml(input, "r.yaml");
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST(DatasetYamlTest, QualifierWithCommaNeedsQuotes) {
  // In a flow mapping a comma ends the value: the second half becomes a key
  // without a value. The reader takes it as YAML does; validation then
  // rejects the odd language key.
  const std::string text = R"yaml(missions:
  - international_mandates:
      - valid_until: {kind: INDEFINITE, qualifier: {nl: EU-mandaat, afgeleid van VNVR 1244}}
)yaml";
  absl::StatusOr<ParsedDataset> parsed = ParseDatasetYaml(text, "q.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const auto& qualifier = parsed->dataset.missions(0)
                              .international_mandates(0)
                              .valid_until()
                              .qualifier();
  EXPECT_EQ(qualifier.at("nl"), "EU-mandaat");
  EXPECT_EQ(qualifier.at("afgeleid van VNVR 1244"), "");
  const ViolationList violations =
      ValidateMissionRecord(parsed->dataset.missions(0), NoExistingResources());
  std::vector<std::string> fields;
  for (const FieldViolation& v : violations.violations()) {
    fields.push_back(v.field);
  }
  EXPECT_THAT(fields, testing::Contains(
                          "international_mandates[0].valid_until.qualifier["
                          "\"afgeleid van VNVR 1244\"]"));
}

TEST(GenericYamlReaderTest, MapsOfMessagesDoublesAndOneofs) {
  google::protobuf::Struct value;
  PositionMap positions;
  std::vector<YamlError> errors = ReadYamlMessage(
      "fields:\n  a: {number_value: 1.5}\n  b: {number_value: -.inf}\n"
      "  c: {list_value: {values: [{bool_value: true}, {string_value: x}]}}\n",
      &value, &positions);
  ASSERT_THAT(errors, IsEmpty());
  EXPECT_EQ(value.fields().at("a").number_value(), 1.5);
  EXPECT_TRUE(std::isinf(value.fields().at("b").number_value()));
  EXPECT_TRUE(value.fields().at("c").list_value().values(0).bool_value());
  EXPECT_EQ(positions.at("fields[\"c\"].list_value.values[1].string_value"),
            (SourcePosition{4, 64}));

  value.Clear();
  errors = ReadYamlMessage(
      "fields:\n  a: {number_value: 1, string_value: x}\n"
      "  b: {number_value: 1e999}\n  c: {number_value: one}\n",
      &value, nullptr);
  ASSERT_THAT(ErrorPaths(errors), ElementsAre("fields[\"a\"].string_value",
                                              "fields[\"b\"].number_value",
                                              "fields[\"c\"].number_value"));
  EXPECT_THAT(errors[0].reason, HasSubstr("only one of the fields of 'kind'"));
  EXPECT_THAT(errors[1].reason, HasSubstr("out of range"));
  EXPECT_EQ(errors[2].reason, "expected a number, got 'one'");

  google::protobuf::UInt32Value u32;
  EXPECT_THAT(ReadYamlMessage("value: -1", &u32, nullptr), SizeIs(1));
  EXPECT_THAT(ReadYamlMessage("value: 4294967296", &u32, nullptr), SizeIs(1));
  EXPECT_THAT(ReadYamlMessage("value: 4294967295", &u32, nullptr), IsEmpty());
  EXPECT_EQ(u32.value(), 4294967295u);
  google::protobuf::FloatValue f;
  EXPECT_THAT(ReadYamlMessage("value: 1e300", &f, nullptr), SizeIs(1));
  EXPECT_THAT(ReadYamlMessage("value: 0.25", &f, nullptr), IsEmpty());
  EXPECT_EQ(f.value(), 0.25f);
}

TEST(DatasetFileTest, ReadsFilesAndNamesThePathInErrors) {
  const std::string dir = ::testing::TempDir();
  const std::string path = absl::StrCat(dir, "/dataset_file_test.yaml");
  {
    std::ofstream out(path);
    out << kExample;
  }
  absl::StatusOr<ParsedDataset> parsed = ReadDatasetFile(path);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->dataset.missions(0).mission().short_name(), "EULEX");

  {
    std::ofstream out(path);
    out << "regions: [{nme: x}]\n";
  }
  parsed = ReadDatasetFile(path);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(),
              HasSubstr(absl::StrCat(path, ":1:12: regions[0].nme: ")));

  const std::string missing = absl::StrCat(dir, "/no/such/file.yaml");
  parsed = ReadDatasetFile(missing);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(parsed.status().message(), HasSubstr(missing));

  parsed = ReadDatasetFile(dir);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr("directory"));

  if (geteuid() != 0) {  // root may read anything
    ASSERT_EQ(chmod(path.c_str(), 0), 0);
    parsed = ReadDatasetFile(path);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_THAT(parsed.status().message(), HasSubstr(path));
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace missions::registry

namespace missions::registry {
namespace {

// Writes `text` to a fresh file and returns its path.
std::string WriteTempFile(const std::string& text) {
  char path[] = "/tmp/dataset-check-XXXXXX.yaml";
  const int fd = mkstemps(path, 5);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  return path;
}

TEST(CheckDatasetFileTest, ReportsFormAndRuleErrorsTogetherInFileOrder) {
  const std::string path = WriteTempFile(
      "regions:\n"
      "  - name: regions/oceania\n"
      "    display_name: {nl: Oceanië}\n"
      "missions:\n"
      "  - mission:\n"
      "      name: missions/new\n"
      "      short_name: Nieuw\n"
      "      region: regions/oceania\n"
      "      lead_organization: UN\n"
      "      kind: INTERNATIONAL\n"
      "      start_date: 2021-02-30\n"
      "    personnel:\n"
      "      - name: missions/new/personnelFigures/2020\n"
      "        year: 2020\n"
      "        military: -4\n");
  auto check = CheckDatasetFile(path, NoExistingResources());
  ASSERT_TRUE(check.ok()) << check.status();
  // The impossible date is reported once, for its form (not again as a
  // rule violation); the negative count by the rules.
  ASSERT_THAT(check->errors, SizeIs(2));
  EXPECT_EQ(check->errors[0].path, "missions[0].mission.start_date");
  EXPECT_EQ(check->errors[0].position.line, 11);
  EXPECT_EQ(check->errors[1].path, "missions[0].personnel[0].military");
  EXPECT_EQ(check->errors[1].position.line, 15);
  std::remove(path.c_str());
}

TEST(CheckDatasetFileTest, ValidFileHasNoErrorsAndMissingFileIsNotFound) {
  const std::string path = WriteTempFile(
      "regions:\n  - name: regions/europe\n    display_name: {nl: Europa}\n");
  auto check = CheckDatasetFile(path, NoExistingResources());
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_THAT(check->errors, IsEmpty());
  EXPECT_EQ(check->parsed.dataset.regions_size(), 1);
  std::remove(path.c_str());
  EXPECT_TRUE(absl::IsNotFound(CheckDatasetFile(path, NoExistingResources()).status()));
}

}  // namespace
}  // namespace missions::registry
