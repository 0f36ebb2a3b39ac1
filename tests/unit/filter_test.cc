#include "registry-service/domain/filter.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "proto/common/dates.h"
#include "registry/v1/resources.pb.h"
#include "tests/unit/filter_test_messages.h"

namespace missions::registry {
namespace {

namespace v1 = ::registry::v1;
using google::protobuf::Descriptor;
using google::protobuf::Message;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using Kind = FilterValue::Kind;

// ---------------------------------------------------------------------------
// Test data

template <typename T>
T FromText(const std::string& text) {
  T message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message))
      << text;
  return message;
}

// Owned messages of one type, named by their `name` (or, for the Sample
// type, `text`) field.
class Messages {
 public:
  template <typename T>
  static Messages Of(const std::vector<std::string>& texts) {
    Messages messages;
    for (const std::string& text : texts) {
      messages.items_.push_back(std::make_unique<T>(FromText<T>(text)));
    }
    return messages;
  }

  static Messages Samples(const std::vector<std::string>& texts) {
    Messages messages;
    for (const std::string& text : texts) {
      messages.items_.push_back(testing::SampleType::Get().New(text));
    }
    return messages;
  }

  const std::vector<std::unique_ptr<Message>>& items() const { return items_; }

  static std::string NameOf(const Message& message) {
    const Descriptor* type = message.GetDescriptor();
    const auto* field = type->FindFieldByName("name");
    if (field == nullptr) field = type->FindFieldByName("text");
    return message.GetReflection()->GetString(message, field);
  }

 private:
  std::vector<std::unique_ptr<Message>> items_;
};

const Messages& Missions() {
  static const Messages* const kMissions =
      new Messages(Messages::Of<v1::Mission>({
          R"pb(
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
            report_order: 1
            lead_organization: LEAD_ORGANIZATION_EU
            kind: MISSION_KIND_INTERNATIONAL
            start_date { year: 2008 month: 2 day: 16 }
          )pb",
          R"pb(
            name: "missions/unifil"
            short_name: "UNIFIL"
            countries: "LB"
            region: "regions/middle-east"
            report_order: 2
            lead_organization: LEAD_ORGANIZATION_UN
            kind: MISSION_KIND_INTERNATIONAL
            start_date { year: 1978 month: 3 }
            separate_reporting {
              kind: SEPARATE_REPORTING_KIND_PROGRESS_REPORT
              remark { key: "nl" value: "separate VGR" }
            }
          )pb",
          R"pb(
            name: "missions/minusma"
            short_name: "MINUSMA"
            aliases: "MINUSMA Mali"
            aliases: "UN Mali"
            location { key: "nl" value: "Mali" }
            countries: "ML"
            region: "regions/africa"
            cluster: "regions/africa/clusters/sahel"
            report_order: 3
            lead_organization: LEAD_ORGANIZATION_UN
            kind: MISSION_KIND_INTERNATIONAL
            start_date { year: 2013 month: 4 day: 25 }
            end_date { year: 2019 }
          )pb",
          R"pb(
            name: "missions/eutm-mali"
            short_name: "EUTM Mali"
            countries: "ML"
            countries: "BF"
            region: "regions/africa"
            cluster: "regions/africa/clusters/sahel"
            report_order: 4
            lead_organization: LEAD_ORGANIZATION_EU
            kind: MISSION_KIND_INTERNATIONAL
            start_date { year: 2013 month: 2 day: 18 }
            end_date { year: 2021 month: 6 day: 14 }
            separate_reporting { kind: SEPARATE_REPORTING_KIND_END_EVALUATION }
          )pb",
          R"pb(
            name: "missions/vpd"
            short_name: "VPD"
            region: "regions/europe"
            report_order: 0
            lead_organization: LEAD_ORGANIZATION_NATIONAL
            kind: MISSION_KIND_NATIONAL_OPERATION
          )pb",
      }));
  return *kMissions;
}

const Messages& Regions() {
  static const Messages* const kRegions =
      new Messages(Messages::Of<v1::Region>({
          R"pb(
            name: "regions/europe"
            display_name { key: "nl" value: "Europa" }
            display_name { key: "en" value: "Europe" }
          )pb",
          R"pb(
            name: "regions/africa"
            display_name { key: "nl" value: "Afrika" }
          )pb",
          R"pb(
            name: "regions/middle-east"
            display_name { key: "nl" value: "Midden-Oosten" }
            display_name { key: "en" value: "Middle East" }
          )pb",
      }));
  return *kRegions;
}

const Messages& NationalDecisions() {
  static const Messages* const kDecisions =
      new Messages(Messages::Of<v1::NationalMandateDecision>({
          R"pb(
            name: "missions/eulex/nationalMandates/2020"
            decided_on { year: 2020 month: 6 day: 1 }
            valid_until {
              kind: DATE
              date { year: 2021 month: 6 day: 14 }
            }
            cap { combined: 15 }
            reference: "Kamerstuk 29521 nr. 376"
          )pb",
          R"pb(
            name: "missions/minusma/nationalMandates/2019"
            valid_until { kind: INDEFINITE }
            cap { military: 0 civilian: 5 }
          )pb",
          R"pb(
            name: "missions/vpd/nationalMandates/2020"
            valid_until {
              kind: PER_ACTIVITY
              qualifier { key: "nl" value: "per activiteit" }
            }
            cap { pool: "capPools/vpd" }
          )pb",
      }));
  return *kDecisions;
}

const Messages& InternationalDecisions() {
  static const Messages* const kDecisions =
      new Messages(Messages::Of<v1::InternationalMandateDecision>({
          R"pb(
            name: "missions/unifil/internationalMandates/2020"
            legal_basis {
              kind: INSTRUMENT_KIND_UN_SECURITY_COUNCIL_RESOLUTION
              reference: "2539"
              citation { key: "nl" value: "VNVR resolutie 2539" }
            }
            legal_basis { kind: INSTRUMENT_KIND_AGREEMENT }
            valid_until {
              kind: DATE
              date { year: 2021 month: 8 day: 31 }
            }
          )pb",
          R"pb(
            name: "missions/eulex/internationalMandates/2020"
            legal_basis {
              kind: INSTRUMENT_KIND_EU_COUNCIL_DECISION
              reference: "2020/792"
            }
            valid_until { kind: INDEFINITE }
          )pb",
          R"pb(
            name: "missions/vpd/internationalMandates/2020"
            valid_until { kind: PER_ACTIVITY }
          )pb",
      }));
  return *kDecisions;
}

const Messages& Contributions() {
  static const Messages* const kContributions =
      new Messages(Messages::Of<v1::FinancialContribution>({
          R"pb(
            name: "missions/eulex/financialContributions/a"
            amount { currency_code: "EUR" units: 250000 }
            annual: true
            first_year: 2018
          )pb",
          R"pb(
            name: "missions/vpd/financialContributions/b"
            amount { currency_code: "EUR" units: 5000 }
            first_year: 2020
          )pb",
      }));
  return *kContributions;
}

const Messages& Samples() {
  static const Messages* const kSamples = new Messages(Messages::Samples({
      R"pb(
        text: "s1"
        d: 1.5
        f: 0.1
        i64: -5000000000
        u32: 7
        u64: 18446744073709551615
        s32: -3
        flag: true
        data: "ab"
        color: COLOR_RED
        created { seconds: 1623663000 }
        day { year: 2021 month: 6 day: 14 }
        inner { label: "x" size: 4 tags: "t1" }
        inners { label: "a" size: 1 tags: "p" }
        inners { label: "b" size: 9 }
        numbers: [ 1, 2, 3 ]
        colors: [ COLOR_RED, COLOR_DARK_BLUE ]
        by_id { key: 5 value: "five" }
        by_id { key: -1 value: "minus one" }
        inner_by_key {
          key: "k"
          value { size: 10 }
        }
        times { seconds: 0 }
        holidays { year: 2021 month: 12 day: 25 }
        maybe: 0
        choice_text: "hello"
        by_flag { key: true value: "yes" }
        by_u64 { key: 18446744073709551615 value: 1 }
      )pb",
      R"pb(
        text: "s2"
        d: -2
        f: 2.5
        i64: 10
        u64: 1
        s32: 5
        color: COLOR_DARK_BLUE
        created { seconds: 1623670200 nanos: 500000000 }
        day { year: 2020 }
        inner { label: "y" }
        numbers: 4
        choice_number: 0
        by_flag { key: false value: "no" }
      )pb",
      R"pb(
        text: "s3"
      )pb",
  }));
  return *kSamples;
}

const Descriptor* SampleDescriptor() {
  return testing::SampleType::Get().descriptor();
}

// ---------------------------------------------------------------------------
// Helpers

// The names of the messages that `filter` matches, or {"error: ..."}.
std::vector<std::string> Select(absl::string_view filter,
                                const Messages& messages,
                                const FunctionTable& functions = {}) {
  const Descriptor* type = messages.items().front()->GetDescriptor();
  absl::StatusOr<Filter> parsed = Filter::Parse(filter, type, functions);
  if (!parsed.ok()) return {absl::StrCat("error: ", parsed.status().message())};
  std::vector<std::string> names;
  for (const auto& message : messages.items()) {
    absl::StatusOr<bool> matches = parsed->Matches(*message);
    if (!matches.ok()) {
      return {absl::StrCat("error: ", matches.status().message())};
    }
    if (*matches) names.push_back(Messages::NameOf(*message));
  }
  return names;
}

std::vector<std::string> SelectMissions(absl::string_view filter,
                                        const FunctionTable& functions = {}) {
  std::vector<std::string> names = Select(filter, Missions(), functions);
  for (std::string& name : names) {
    if (absl::StartsWith(name, "missions/")) name = name.substr(9);
  }
  return names;
}

std::vector<std::string> SelectSamples(absl::string_view filter) {
  return Select(filter, Samples());
}

// The error message of parsing `filter` for `type`, or "OK".
std::string ParseError(absl::string_view filter, const Descriptor* type,
                       const FunctionTable& functions = {}) {
  absl::StatusOr<Filter> parsed = Filter::Parse(filter, type, functions);
  if (parsed.ok()) return "OK";
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

std::string MissionError(absl::string_view filter,
                         const FunctionTable& functions = {}) {
  return ParseError(filter, v1::Mission::descriptor(), functions);
}

std::string Canonical(absl::string_view filter, const Descriptor* type,
                      const FunctionTable& functions = {}) {
  absl::StatusOr<Filter> parsed = Filter::Parse(filter, type, functions);
  if (!parsed.ok()) return absl::StrCat("error: ", parsed.status().message());
  return parsed->DebugString();
}

std::string MissionCanonical(absl::string_view filter) {
  return Canonical(filter, v1::Mission::descriptor());
}

const v1::Mission& AsMission(const Message& message) {
  const auto* mission =
      google::protobuf::DynamicCastToGenerated<v1::Mission>(&message);
  EXPECT_NE(mission, nullptr);
  return mission != nullptr ? *mission : v1::Mission::default_instance();
}

// The domain predicates the registry registers for missions, as examples.
FunctionTable MissionFunctions(std::atomic<int>* calls = nullptr,
                               std::vector<FilterValue>* echoed = nullptr) {
  FunctionTable functions;
  functions
      .Add("active_in", {Kind::kInteger},
           [](const Message& message,
              absl::Span<const FilterValue> args) -> absl::StatusOr<bool> {
             const v1::Mission& mission = AsMission(message);
             const int64_t year = args[0].integer_value();
             const bool started = !mission.has_start_date() ||
                                  FirstDay(mission.start_date()).year() <= year;
             const bool not_ended = !mission.has_end_date() ||
                                    LastDay(mission.end_date()).year() >= year;
             return started && not_ended;
           })
      .Add<v1::Mission>(
          "in_region", {Kind::kString},
          [](const v1::Mission& mission,
             absl::Span<const FilterValue> args) -> absl::StatusOr<bool> {
            return mission.region() == args[0].string_value();
          })
      .Add<v1::Mission>(
          "in_cluster", {Kind::kString},
          [](const v1::Mission& mission,
             absl::Span<const FilterValue> args) -> absl::StatusOr<bool> {
            return mission.cluster() == args[0].string_value();
          })
      .Add("ends_before", {Kind::kDate},
           [](const Message& message,
              absl::Span<const FilterValue> args) -> absl::StatusOr<bool> {
             const v1::Mission& mission = AsMission(message);
             return mission.has_end_date() &&
                    LastDay(mission.end_date()) <
                        FirstDay(args[0].date_value());
           })
      .Add("fails", {},
           [](const Message&,
              absl::Span<const FilterValue>) -> absl::StatusOr<bool> {
             return absl::UnavailableError("storage down");
           })
      .Add("counted", {},
           [calls](const Message&,
                   absl::Span<const FilterValue>) -> absl::StatusOr<bool> {
             if (calls != nullptr) ++*calls;
             return true;
           })
      .Add(
          "args.echo",
          {Kind::kString, Kind::kInteger, Kind::kNumber, Kind::kBool,
           Kind::kDate, Kind::kTimestamp},
          [echoed](const Message&,
                   absl::Span<const FilterValue> args) -> absl::StatusOr<bool> {
            if (echoed != nullptr) echoed->assign(args.begin(), args.end());
            return true;
          });
  return functions;
}

// "fields of registry.v1.Mission: name, short_name, ...", as unknown-field
// errors list them.
std::string MissionFields() {
  const Descriptor* type = v1::Mission::descriptor();
  std::vector<std::string> names;
  for (int i = 0; i < type->field_count(); ++i) {
    names.push_back(type->field(i)->name());
  }
  return absl::StrCat("fields of registry.v1.Mission: ",
                      absl::StrJoin(names, ", "));
}

// ---------------------------------------------------------------------------
// Empty filters and the API

TEST(FilterTest, EmptyFilterMatchesEverything) {
  EXPECT_THAT(SelectMissions(""),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali", "vpd"));
  EXPECT_THAT(SelectMissions(" \t\r\n "),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali", "vpd"));
  absl::StatusOr<Filter> filter =
      Filter::Parse("  ", v1::Mission::descriptor());
  ASSERT_TRUE(filter.ok());
  EXPECT_TRUE(filter->empty());
  EXPECT_EQ(filter->DebugString(), "");
  // The empty filter matches any type.
  EXPECT_TRUE(*filter->Matches(v1::Region()));
}

TEST(FilterTest, DefaultFilterMatchesAnyMessage) {
  const Filter filter;
  EXPECT_TRUE(filter.empty());
  EXPECT_TRUE(*filter.Matches(v1::Mission()));
  EXPECT_TRUE(*filter.Matches(*Samples().items().front()));
}

TEST(FilterTest, NullTypeIsInvalidArgument) {
  absl::StatusOr<Filter> filter = Filter::Parse("a = 1", nullptr);
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(FilterTest, MatchesRejectsMessageOfAnotherType) {
  absl::StatusOr<Filter> filter =
      Filter::Parse("name = \"x\"", v1::Mission::descriptor());
  ASSERT_TRUE(filter.ok());
  absl::StatusOr<bool> matches = filter->Matches(v1::Region());
  ASSERT_FALSE(matches.ok());
  EXPECT_EQ(matches.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(matches.status().message(),
            "filter: parsed for registry.v1.Mission, applied to "
            "registry.v1.Region");
}

TEST(FilterTest, CopiesShareTheParsedFilter) {
  absl::StatusOr<Filter> parsed =
      Filter::Parse("lead_organization = EU", v1::Mission::descriptor());
  ASSERT_TRUE(parsed.ok());
  const Filter copy = *parsed;
  Filter moved = std::move(*parsed);
  const Message& eulex = *Missions().items()[0];
  const Message& vpd = *Missions().items()[4];
  EXPECT_TRUE(*copy.Matches(eulex));
  EXPECT_FALSE(*copy.Matches(vpd));
  EXPECT_TRUE(*moved.Matches(eulex));
  EXPECT_EQ(copy.DebugString(), moved.DebugString());
}

TEST(FilterTest, ConcurrentMatchesAgree) {
  absl::StatusOr<Filter> filter = Filter::Parse(
      "(countries:ML OR display_name:nl) AND start_date >= 2013 "
      "AND short_name = \"EU*\"",
      v1::Mission::descriptor());
  ASSERT_FALSE(filter.ok());  // display_name is not a Mission field
  filter = Filter::Parse(
      "(countries:ML OR location:nl) AND start_date >= 2013 "
      "AND short_name = \"EU*\"",
      v1::Mission::descriptor());
  ASSERT_TRUE(filter.ok());
  std::atomic<int> matches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        for (const auto& mission : Missions().items()) {
          if (*filter->Matches(*mission)) ++matches;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(matches.load(), 4 * 500);  // only eutm-mali
}

// ---------------------------------------------------------------------------
// Strings

TEST(FilterTest, StringComparisons) {
  EXPECT_THAT(SelectMissions("short_name = \"EULEX\""), ElementsAre("eulex"));
  EXPECT_THAT(SelectMissions("short_name = EULEX"), ElementsAre("eulex"));
  EXPECT_THAT(SelectMissions("short_name=\"EULEX\""), ElementsAre("eulex"));
  EXPECT_THAT(SelectMissions("short_name = \"eulex\""), IsEmpty());
  EXPECT_THAT(SelectMissions("short_name != \"EULEX\""),
              ElementsAre("unifil", "minusma", "eutm-mali", "vpd"));
  EXPECT_THAT(SelectMissions("short_name:\"UNIFIL\""), ElementsAre("unifil"));
  EXPECT_THAT(SelectMissions("short_name < \"M\""),
              ElementsAre("eulex", "eutm-mali"));
  EXPECT_THAT(SelectMissions("short_name <= \"MINUSMA\""),
              ElementsAre("eulex", "minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("short_name > \"UNIFIL\""), ElementsAre("vpd"));
  EXPECT_THAT(SelectMissions("short_name >= \"UNIFIL\""),
              ElementsAre("unifil", "vpd"));
  EXPECT_THAT(SelectMissions("region = \"regions/africa\""),
              ElementsAre("minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("cluster = \"\""),
              ElementsAre("eulex", "unifil", "vpd"));
  EXPECT_THAT(SelectMissions("short_name = \"EUTM Mali\""),
              ElementsAre("eutm-mali"));
}

TEST(FilterTest, StringEscapes) {
  const Messages quoted = Messages::Of<v1::Mission>({
      R"pb(name: "a" short_name: "say \"hi\"")pb",
      R"pb(name: "b" short_name: "back\\slash")pb",
      R"pb(name: "c" short_name: "EU*")pb",
      R"pb(name: "d" short_name: "EUFOR")pb",
  });
  EXPECT_THAT(Select(R"(short_name = "say \"hi\"")", quoted), ElementsAre("a"));
  EXPECT_THAT(Select(R"(short_name = "back\\slash")", quoted),
              ElementsAre("b"));
  // An escaped star is an ordinary character; an unescaped one a wildcard.
  EXPECT_THAT(Select(R"(short_name = "EU\*")", quoted), ElementsAre("c"));
  EXPECT_THAT(Select(R"(short_name = "EU*")", quoted), ElementsAre("c", "d"));
  EXPECT_THAT(Select(R"(short_name = "EU\**")", quoted), ElementsAre("c"));
}

TEST(FilterTest, StringWildcards) {
  EXPECT_THAT(SelectMissions("short_name = \"EU*\""),
              ElementsAre("eulex", "eutm-mali"));
  EXPECT_THAT(SelectMissions("short_name = EU*"),
              ElementsAre("eulex", "eutm-mali"));
  EXPECT_THAT(SelectMissions("short_name:\"EU*\""),
              ElementsAre("eulex", "eutm-mali"));
  EXPECT_THAT(SelectMissions("short_name != \"EU*\""),
              ElementsAre("unifil", "minusma", "vpd"));
  EXPECT_THAT(SelectMissions("short_name = \"EULEX*\""), ElementsAre("eulex"));
  EXPECT_THAT(SelectMissions("short_name = \"*\""),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali", "vpd"));
  // Only a trailing star is a wildcard.
  EXPECT_THAT(SelectMissions("short_name = \"E*X\""), IsEmpty());
  EXPECT_THAT(SelectMissions("short_name = \"*LEX\""), IsEmpty());
  // Ordering comparisons take the star literally ('*' < 'A').
  EXPECT_THAT(SelectMissions("short_name < \"EU*\""), IsEmpty());
  EXPECT_THAT(SelectMissions("region = \"regions/a*\""),
              ElementsAre("minusma", "eutm-mali"));
}

TEST(FilterTest, BytesFields) {
  EXPECT_THAT(SelectSamples("data = \"ab\""), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("data = a*"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("data > \"a\""), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("data:*"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("data = \"\""), ElementsAre("s2", "s3"));
}

// ---------------------------------------------------------------------------
// Numbers

TEST(FilterTest, Int32Comparisons) {
  EXPECT_THAT(SelectMissions("report_order = 2"), ElementsAre("unifil"));
  EXPECT_THAT(SelectMissions("report_order != 2"),
              ElementsAre("eulex", "minusma", "eutm-mali", "vpd"));
  EXPECT_THAT(SelectMissions("report_order < 2"), ElementsAre("eulex", "vpd"));
  EXPECT_THAT(SelectMissions("report_order <= 2"),
              ElementsAre("eulex", "unifil", "vpd"));
  EXPECT_THAT(SelectMissions("report_order > 2"),
              ElementsAre("minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("report_order >= 2"),
              ElementsAre("unifil", "minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("report_order:3"), ElementsAre("minusma"));
  EXPECT_THAT(SelectMissions("report_order = +3"), ElementsAre("minusma"));
  EXPECT_THAT(SelectMissions("report_order > -1"),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali", "vpd"));
  EXPECT_THAT(SelectMissions("report_order = 0"), ElementsAre("vpd"));
  EXPECT_THAT(SelectMissions("report_order = 2147483647"), IsEmpty());
  EXPECT_THAT(SelectMissions("report_order > -2147483648"),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali", "vpd"));
}

TEST(FilterTest, Int64Uint32Uint64Sint32Comparisons) {
  EXPECT_THAT(SelectSamples("i64 < -4999999999"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("i64 = 10"), ElementsAre("s2"));
  EXPECT_THAT(SelectSamples("i64 >= 0"), ElementsAre("s2", "s3"));
  EXPECT_THAT(SelectSamples("i64 = 9223372036854775807"), IsEmpty());
  EXPECT_THAT(SelectSamples("i64 > -9223372036854775808"),
              ElementsAre("s1", "s2", "s3"));
  EXPECT_THAT(SelectSamples("u32 = 7"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("u32 > 0"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("u32 <= 4294967295"),
              ElementsAre("s1", "s2", "s3"));
  EXPECT_THAT(SelectSamples("u64 = 18446744073709551615"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("u64 >= 1"), ElementsAre("s1", "s2"));
  EXPECT_THAT(SelectSamples("u64 < 2"), ElementsAre("s2", "s3"));
  EXPECT_THAT(SelectSamples("s32 < 0"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("s32 != 5"), ElementsAre("s1", "s3"));
}

TEST(FilterTest, FloatingPointComparisons) {
  EXPECT_THAT(SelectSamples("d = 1.5"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("d = 15e-1"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("d < 0"), ElementsAre("s2"));
  EXPECT_THAT(SelectSamples("d = -2"), ElementsAre("s2"));
  EXPECT_THAT(SelectSamples("d = -2.0"), ElementsAre("s2"));
  EXPECT_THAT(SelectSamples("d >= -2"), ElementsAre("s1", "s2", "s3"));
  EXPECT_THAT(SelectSamples("d > 1E0"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("d <= .5"), ElementsAre("s2", "s3"));
  EXPECT_THAT(SelectSamples("d != 0"), ElementsAre("s1", "s2"));
  // A float field compares with the literal rounded to float.
  EXPECT_THAT(SelectSamples("f = 0.1"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("f > 2.4"), ElementsAre("s2"));
  EXPECT_THAT(SelectSamples("f <= 0.1"), ElementsAre("s1", "s3"));
  EXPECT_THAT(SelectSamples("f:2.5"), ElementsAre("s2"));
}

TEST(FilterTest, NanNeverCompares) {
  const Messages nan = Messages::Samples({R"pb(text: "n" d: nan)pb"});
  EXPECT_THAT(Select("d = 0", nan), IsEmpty());
  EXPECT_THAT(Select("d < 0", nan), IsEmpty());
  EXPECT_THAT(Select("d >= 0", nan), IsEmpty());
  EXPECT_THAT(Select("d != 0", nan), ElementsAre("n"));
  EXPECT_THAT(Select("d:*", nan), ElementsAre("n"));
}

// ---------------------------------------------------------------------------
// Bools and enums

TEST(FilterTest, BoolComparisons) {
  EXPECT_THAT(SelectSamples("flag = true"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("flag = false"), ElementsAre("s2", "s3"));
  EXPECT_THAT(SelectSamples("flag != true"), ElementsAre("s2", "s3"));
  EXPECT_THAT(SelectSamples("flag:true"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("flag:*"), ElementsAre("s1"));
  EXPECT_THAT(Select("annual = true", Contributions()),
              ElementsAre("missions/eulex/financialContributions/a"));
  EXPECT_THAT(Select("annual = false", Contributions()),
              ElementsAre("missions/vpd/financialContributions/b"));
}

TEST(FilterTest, EnumsByFullOrShortName) {
  EXPECT_THAT(SelectMissions("lead_organization = EU"),
              ElementsAre("eulex", "eutm-mali"));
  EXPECT_THAT(SelectMissions("lead_organization = LEAD_ORGANIZATION_EU"),
              ElementsAre("eulex", "eutm-mali"));
  EXPECT_THAT(SelectMissions("lead_organization != UN"),
              ElementsAre("eulex", "eutm-mali", "vpd"));
  EXPECT_THAT(SelectMissions("lead_organization:NATIONAL"), ElementsAre("vpd"));
  EXPECT_THAT(SelectMissions("lead_organization = AD_HOC_COALITION"),
              IsEmpty());
  EXPECT_THAT(SelectMissions("kind = NATIONAL_OPERATION"), ElementsAre("vpd"));
  EXPECT_THAT(SelectMissions("kind = MISSION_KIND_INTERNATIONAL"),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("separate_reporting.kind = PROGRESS_REPORT"),
              ElementsAre("unifil"));
  EXPECT_THAT(SelectMissions("separate_reporting.kind = UNSPECIFIED"),
              ElementsAre("eulex", "minusma", "vpd"));
  EXPECT_THAT(SelectMissions("separate_reporting.kind:*"),
              ElementsAre("unifil", "eutm-mali"));
  // EndDate.Kind: values without a prefix, and KIND_UNSPECIFIED.
  const Messages& decisions = NationalDecisions();
  EXPECT_THAT(Select("valid_until.kind = DATE", decisions),
              ElementsAre("missions/eulex/nationalMandates/2020"));
  EXPECT_THAT(Select("valid_until.kind != DATE", decisions),
              ElementsAre("missions/minusma/nationalMandates/2019",
                          "missions/vpd/nationalMandates/2020"));
  EXPECT_THAT(Select("valid_until.kind = UNSPECIFIED", decisions), IsEmpty());
  EXPECT_THAT(Select("valid_until.kind = KIND_UNSPECIFIED", decisions),
              IsEmpty());
  EXPECT_THAT(Select("valid_until.kind:PER_ACTIVITY", decisions),
              ElementsAre("missions/vpd/nationalMandates/2020"));
  // A nested enum type: Sample.Color.
  EXPECT_THAT(SelectSamples("color = RED"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("color = COLOR_DARK_BLUE"), ElementsAre("s2"));
  EXPECT_THAT(SelectSamples("color = UNSPECIFIED"), ElementsAre("s3"));
  EXPECT_THAT(SelectSamples("color:*"), ElementsAre("s1", "s2"));
}

// ---------------------------------------------------------------------------
// Dates and timestamps

TEST(FilterTest, FullDates) {
  EXPECT_THAT(SelectMissions("start_date = 2008-02-16"), ElementsAre("eulex"));
  EXPECT_THAT(SelectMissions("start_date = \"2008-02-16\""),
              ElementsAre("eulex"));
  EXPECT_THAT(SelectMissions("start_date:2008-02-16"), ElementsAre("eulex"));
  EXPECT_THAT(SelectMissions("start_date < 2013-03-01"),
              ElementsAre("eulex", "unifil", "eutm-mali"));
  EXPECT_THAT(SelectMissions("start_date <= 2013-02-18"),
              ElementsAre("eulex", "unifil", "eutm-mali"));
  EXPECT_THAT(SelectMissions("start_date > 2013-02-18"),
              ElementsAre("minusma"));
  EXPECT_THAT(SelectMissions("start_date >= 2013-02-18"),
              ElementsAre("minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("end_date < 2021-07-01"),
              ElementsAre("minusma", "eutm-mali"));
  EXPECT_THAT(Select("valid_until.date >= \"2021-06-14\"", NationalDecisions()),
              ElementsAre("missions/eulex/nationalMandates/2020"));
}

TEST(FilterTest, PartialDatesCompareByTheirFirstDay) {
  // UNIFIL started in 1978-03: compared as 1978-03-01.
  EXPECT_THAT(SelectMissions("start_date = 1978-03-01"), ElementsAre("unifil"));
  EXPECT_THAT(SelectMissions("start_date = 1978-03"), ElementsAre("unifil"));
  EXPECT_THAT(SelectMissions("start_date = \"1978-03\""),
              ElementsAre("unifil"));
  EXPECT_THAT(SelectMissions("start_date = 1978"), IsEmpty());
  EXPECT_THAT(SelectMissions("start_date > 1978"),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali"));
  // MINUSMA ended in 2019: 2019-01-01.
  EXPECT_THAT(SelectMissions("end_date = 2019-01-01"), ElementsAre("minusma"));
  EXPECT_THAT(SelectMissions("end_date >= 2019-06"), ElementsAre("eutm-mali"));
  EXPECT_THAT(SelectMissions("start_date >= 2013"),
              ElementsAre("minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("start_date < \"2013\""),
              ElementsAre("eulex", "unifil"));
  const Messages& samples = Samples();
  EXPECT_THAT(Select("day = 2020-01-01", samples), ElementsAre("s2"));
  EXPECT_THAT(Select("day >= 2021", samples), ElementsAre("s1"));
}

TEST(FilterTest, UnsetDatesHaveNoValue) {
  // VPD has no start date; running missions no end date.
  EXPECT_THAT(SelectMissions("start_date <= 2100"),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("start_date > 1900"),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("start_date != 2008-02-16"),
              ElementsAre("unifil", "minusma", "eutm-mali", "vpd"));
  EXPECT_THAT(SelectMissions("start_date:*"),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("NOT end_date:*"),
              ElementsAre("eulex", "unifil", "vpd"));
  // An empty date message counts as unset.
  const Messages empty = Messages::Of<v1::Mission>({R"pb(name: "e"
                                                         start_date {})pb",
                                                    R"pb(name: "f")pb"});
  EXPECT_THAT(Select("start_date:*", empty), IsEmpty());
  EXPECT_THAT(Select("start_date < 3000", empty), IsEmpty());
  EXPECT_THAT(Select("start_date != 3000", empty), ElementsAre("e", "f"));
}

TEST(FilterTest, DateFieldsCanBeTraversed) {
  EXPECT_THAT(SelectMissions("start_date.year = 2013"),
              ElementsAre("minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("start_date.month = 3"), ElementsAre("unifil"));
}

TEST(FilterTest, Timestamps) {
  EXPECT_THAT(SelectSamples("created = \"2021-06-14T09:30:00Z\""),
              ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("created = \"2021-06-14T11:30:00+02:00\""),
              ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("created:\"2021-06-14T09:30:00.000Z\""),
              ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("created > \"2021-06-14T11:30:00Z\""),
              ElementsAre("s2"));
  EXPECT_THAT(SelectSamples("created < \"2021-06-14T11:30:00.5Z\""),
              ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("created <= \"2021-06-14T11:30:00.5Z\""),
              ElementsAre("s1", "s2"));
  EXPECT_THAT(SelectSamples("created >= \"1970-01-01T00:00:00Z\""),
              ElementsAre("s1", "s2"));
  // s3 has no timestamp: only != matches.
  EXPECT_THAT(SelectSamples("created != \"2021-06-14T09:30:00Z\""),
              ElementsAre("s2", "s3"));
  EXPECT_THAT(SelectSamples("created:*"), ElementsAre("s1", "s2"));
  EXPECT_THAT(SelectSamples("times:\"1970-01-01T00:00:00Z\""),
              ElementsAre("s1"));
}

TEST(FilterTest, ResourceTimestamps) {
  const Messages missions = Messages::Of<v1::Mission>({
      R"pb(name: "a"
           create_time { seconds: 1577836800 }
           update_time { seconds: 1623663000 })pb",
      R"pb(name: "b"
           create_time { seconds: 1609459200 }
           delete_time { seconds: 1623663000 })pb",
      R"pb(name: "c")pb",
  });
  EXPECT_THAT(Select("create_time >= \"2021-01-01T00:00:00Z\"", missions),
              ElementsAre("b"));
  EXPECT_THAT(Select("create_time < \"2021-01-01T01:00:00+01:00\"", missions),
              ElementsAre("a"));
  EXPECT_THAT(Select("create_time <= \"2021-01-01T01:00:00+01:00\"", missions),
              ElementsAre("a", "b"));
  EXPECT_THAT(Select("update_time = \"2021-06-14T09:30:00Z\"", missions),
              ElementsAre("a"));
  EXPECT_THAT(Select("NOT delete_time:*", missions), ElementsAre("a", "c"));
  EXPECT_THAT(Select("delete_time:*", missions), ElementsAre("b"));
  EXPECT_THAT(Select("delete_time > \"2000-01-01T00:00:00Z\"", missions),
              ElementsAre("b"));
}

// ---------------------------------------------------------------------------
// Maps

TEST(FilterTest, MapEntries) {
  const Messages& regions = Regions();
  EXPECT_THAT(Select("display_name.nl = \"Europa\"", regions),
              ElementsAre("regions/europe"));
  EXPECT_THAT(Select("display_name.\"nl\" = Afrika", regions),
              ElementsAre("regions/africa"));
  EXPECT_THAT(Select("display_name.nl = \"Mid*\"", regions),
              ElementsAre("regions/middle-east"));
  EXPECT_THAT(Select("display_name.en < \"N\"", regions),
              ElementsAre("regions/europe", "regions/middle-east"));
  EXPECT_THAT(Select("display_name.fr = \"Europe\"", regions), IsEmpty());
  // A missing entry has no value.
  EXPECT_THAT(Select("display_name.en != \"Europe\"", regions),
              ElementsAre("regions/africa", "regions/middle-east"));
  EXPECT_THAT(Select("display_name.en:*", regions),
              ElementsAre("regions/europe", "regions/middle-east"));
  EXPECT_THAT(SelectMissions("location.nl = Mali"), ElementsAre("minusma"));
  EXPECT_THAT(SelectMissions("separate_reporting.remark.nl = \"separate VGR\""),
              ElementsAre("unifil"));
  EXPECT_THAT(Select("valid_until.qualifier.nl:*", NationalDecisions()),
              ElementsAre("missions/vpd/nationalMandates/2020"));
}

TEST(FilterTest, MapKeysAndPresence) {
  const Messages& regions = Regions();
  EXPECT_THAT(Select("display_name:en", regions),
              ElementsAre("regions/europe", "regions/middle-east"));
  EXPECT_THAT(Select("display_name:\"en\"", regions),
              ElementsAre("regions/europe", "regions/middle-east"));
  EXPECT_THAT(Select("NOT display_name:en", regions),
              ElementsAre("regions/africa"));
  EXPECT_THAT(
      Select("display_name:*", regions),
      ElementsAre("regions/europe", "regions/africa", "regions/middle-east"));
  EXPECT_THAT(SelectMissions("location:nl"), ElementsAre("eulex", "minusma"));
  EXPECT_THAT(SelectMissions("full_name:*"), ElementsAre("eulex"));
  EXPECT_THAT(SelectMissions("NOT full_name:*"),
              ElementsAre("unifil", "minusma", "eutm-mali", "vpd"));
}

TEST(FilterTest, MapsWithOtherKeyAndValueTypes) {
  EXPECT_THAT(SelectSamples("by_id.5 = \"five\""), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("by_id.-1 = \"minus one\""), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("by_id:5"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("by_id:-1"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("by_id:6"), IsEmpty());
  EXPECT_THAT(SelectSamples("by_flag.true = yes"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("by_flag:false"), ElementsAre("s2"));
  EXPECT_THAT(SelectSamples("by_u64.18446744073709551615 = 1"),
              ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("by_u64:18446744073709551615"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("inner_by_key.k.size = 10"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("inner_by_key.k.size > 10"), IsEmpty());
  EXPECT_THAT(SelectSamples("inner_by_key:k"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("inner_by_key.k:*"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("inner_by_key.z:*"), IsEmpty());
}

// ---------------------------------------------------------------------------
// Repeated fields

TEST(FilterTest, RepeatedStrings) {
  EXPECT_THAT(SelectMissions("countries:\"ML\""),
              ElementsAre("minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("countries:ML"),
              ElementsAre("minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("countries:BF"), ElementsAre("eutm-mali"));
  EXPECT_THAT(SelectMissions("countries:\"M*\""),
              ElementsAre("minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("countries:*"),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("NOT countries:*"), ElementsAre("vpd"));
  EXPECT_THAT(SelectMissions("aliases:*"), ElementsAre("eulex", "minusma"));
  EXPECT_THAT(SelectMissions("-aliases:*"),
              ElementsAre("unifil", "eutm-mali", "vpd"));
  EXPECT_THAT(SelectMissions("aliases:\"UN Mali\""), ElementsAre("minusma"));
  EXPECT_THAT(SelectMissions("aliases:\"UN*\""), ElementsAre("minusma"));
  EXPECT_THAT(SelectMissions("aliases:\"Mali\""), IsEmpty());
}

TEST(FilterTest, RepeatedScalarsEnumsDatesAndMessages) {
  EXPECT_THAT(SelectSamples("numbers:2"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("numbers:4"), ElementsAre("s2"));
  EXPECT_THAT(SelectSamples("numbers:*"), ElementsAre("s1", "s2"));
  EXPECT_THAT(SelectSamples("colors:DARK_BLUE"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("colors:COLOR_RED"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("holidays:2021-12-25"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("holidays:2021-12"), IsEmpty());
  EXPECT_THAT(SelectSamples("inners:*"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("inners.label:b"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("inners.size:9"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("inners.size:5"), IsEmpty());
  EXPECT_THAT(SelectSamples("inners.tags:p"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("inner.tags:t1"), ElementsAre("s1"));
}

TEST(FilterTest, PathsThroughRepeatedMessages) {
  const Messages& decisions = InternationalDecisions();
  EXPECT_THAT(
      Select("legal_basis.kind:UN_SECURITY_COUNCIL_RESOLUTION", decisions),
      ElementsAre("missions/unifil/internationalMandates/2020"));
  EXPECT_THAT(Select("legal_basis.kind:AGREEMENT", decisions),
              ElementsAre("missions/unifil/internationalMandates/2020"));
  EXPECT_THAT(Select("legal_basis.reference:\"2020/*\"", decisions),
              ElementsAre("missions/eulex/internationalMandates/2020"));
  EXPECT_THAT(Select("legal_basis.citation:nl", decisions),
              ElementsAre("missions/unifil/internationalMandates/2020"));
  EXPECT_THAT(Select("legal_basis.citation.nl:\"VNVR*\"", decisions),
              ElementsAre("missions/unifil/internationalMandates/2020"));
  EXPECT_THAT(Select("legal_basis:*", decisions),
              ElementsAre("missions/unifil/internationalMandates/2020",
                          "missions/eulex/internationalMandates/2020"));
  EXPECT_THAT(Select("legal_basis.reference:*", decisions),
              ElementsAre("missions/unifil/internationalMandates/2020",
                          "missions/eulex/internationalMandates/2020"));
}

// ---------------------------------------------------------------------------
// Messages, presence and `:*`

TEST(FilterTest, MessageFields) {
  EXPECT_THAT(SelectMissions("separate_reporting:*"),
              ElementsAre("unifil", "eutm-mali"));
  EXPECT_THAT(SelectSamples("inner:*"), ElementsAre("s1", "s2"));
  EXPECT_THAT(SelectSamples("inner.label = x"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("inner.size > 3"), ElementsAre("s1"));
  // Fields of an unset message have their default values.
  EXPECT_THAT(SelectSamples("inner.size = 0"), ElementsAre("s2", "s3"));
  const Messages& contributions = Contributions();
  EXPECT_THAT(Select("amount.units > 100000", contributions),
              ElementsAre("missions/eulex/financialContributions/a"));
  EXPECT_THAT(Select("amount.currency_code = EUR", contributions),
              ElementsAre("missions/eulex/financialContributions/a",
                          "missions/vpd/financialContributions/b"));
}

TEST(FilterTest, OptionalFieldsWithoutValue) {
  const Messages& decisions = NationalDecisions();
  EXPECT_THAT(Select("cap.military = 0", decisions),
              ElementsAre("missions/minusma/nationalMandates/2019"));
  EXPECT_THAT(Select("cap.military:*", decisions),
              ElementsAre("missions/minusma/nationalMandates/2019"));
  EXPECT_THAT(Select("cap.military < 10", decisions),
              ElementsAre("missions/minusma/nationalMandates/2019"));
  EXPECT_THAT(Select("cap.military != 0", decisions),
              ElementsAre("missions/eulex/nationalMandates/2020",
                          "missions/vpd/nationalMandates/2020"));
  EXPECT_THAT(Select("cap.combined >= 15", decisions),
              ElementsAre("missions/eulex/nationalMandates/2020"));
  EXPECT_THAT(Select("cap.pool:*", decisions),
              ElementsAre("missions/vpd/nationalMandates/2020"));
  EXPECT_THAT(Select("cap:*", decisions),
              ElementsAre("missions/eulex/nationalMandates/2020",
                          "missions/minusma/nationalMandates/2019",
                          "missions/vpd/nationalMandates/2020"));
  EXPECT_THAT(Select("decided_on:*", decisions),
              ElementsAre("missions/eulex/nationalMandates/2020"));
  // Fields of an unset message have their default value.
  const Messages no_cap = Messages::Of<v1::NationalMandateDecision>(
      {R"pb(name: "none")pb", R"pb(name: "pool"
                                   cap { pool: "capPools/x" })pb"});
  EXPECT_THAT(Select("cap.pool = \"\"", no_cap), ElementsAre("none"));
  EXPECT_THAT(Select("cap.military:*", no_cap), IsEmpty());
  EXPECT_THAT(Select("cap:*", no_cap), ElementsAre("pool"));
  // proto3 optional and oneof members in the Sample type.
  EXPECT_THAT(SelectSamples("maybe = 0"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("maybe:*"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("maybe != 0"), ElementsAre("s2", "s3"));
  EXPECT_THAT(SelectSamples("choice_text:*"), ElementsAre("s1"));
  EXPECT_THAT(SelectSamples("choice_number:*"), ElementsAre("s2"));
  EXPECT_THAT(SelectSamples("choice_number = 0"), ElementsAre("s2"));
}

TEST(FilterTest, IsSetOnScalars) {
  EXPECT_THAT(SelectMissions("report_order:*"),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("cluster:*"), ElementsAre("minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("NOT cluster:*"),
              ElementsAre("eulex", "unifil", "vpd"));
  EXPECT_THAT(SelectMissions("short_name:*"),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali", "vpd"));
  EXPECT_THAT(SelectMissions("etag:*"), IsEmpty());
  EXPECT_THAT(SelectSamples("d:*"), ElementsAre("s1", "s2"));
  EXPECT_THAT(SelectSamples("u64:*"), ElementsAre("s1", "s2"));
}

// ---------------------------------------------------------------------------
// Logic, precedence and negation

TEST(FilterTest, AndOrNotAndImplicitAnd) {
  EXPECT_THAT(SelectMissions("lead_organization = EU AND countries:ML"),
              ElementsAre("eutm-mali"));
  EXPECT_THAT(SelectMissions("lead_organization = EU countries:ML"),
              ElementsAre("eutm-mali"));
  EXPECT_THAT(SelectMissions("lead_organization = EU OR countries:ML"),
              ElementsAre("eulex", "minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("NOT lead_organization = EU"),
              ElementsAre("unifil", "minusma", "vpd"));
  EXPECT_THAT(SelectMissions("-lead_organization = EU"),
              ElementsAre("unifil", "minusma", "vpd"));
  EXPECT_THAT(SelectMissions("NOT NOT lead_organization = EU"),
              ElementsAre("eulex", "eutm-mali"));
  EXPECT_THAT(SelectMissions("--lead_organization = EU"),
              ElementsAre("eulex", "eutm-mali"));
  EXPECT_THAT(SelectMissions("NOT (lead_organization = EU OR countries:ML)"),
              ElementsAre("unifil", "vpd"));
  EXPECT_THAT(SelectMissions("-(lead_organization = EU OR countries:ML)"),
              ElementsAre("unifil", "vpd"));
  EXPECT_THAT(SelectMissions("NOT(countries:*)"), ElementsAre("vpd"));
  EXPECT_THAT(
      SelectMissions("(report_order=1)(lead_organization=EU)countries:XK"),
      ElementsAre("eulex"));
}

TEST(FilterTest, OrBindsTighterThanAnd) {
  // a AND b OR c is a AND (b OR c).
  EXPECT_THAT(SelectMissions("report_order = 1 AND report_order = 2 OR "
                             "lead_organization = EU"),
              ElementsAre("eulex"));
  EXPECT_THAT(SelectMissions("(report_order = 1 AND report_order = 2) OR "
                             "lead_organization = EU"),
              ElementsAre("eulex", "eutm-mali"));
  EXPECT_THAT(SelectMissions("report_order = 1 OR report_order = 2 AND "
                             "lead_organization = UN"),
              ElementsAre("unifil"));
  // a OR b c is (a OR b) AND c.
  EXPECT_THAT(SelectMissions("report_order = 1 OR report_order = 2 "
                             "lead_organization = UN"),
              ElementsAre("unifil"));
  // NOT binds tighter than OR.
  EXPECT_THAT(SelectMissions("NOT countries:* OR report_order = 1"),
              ElementsAre("eulex", "vpd"));
}

TEST(FilterTest, PrecedenceInCanonicalForm) {
  EXPECT_EQ(MissionCanonical("report_order = 1 AND report_order = 2 OR "
                             "report_order = 3"),
            "(report_order = 1 AND (report_order = 2 OR report_order = 3))");
  EXPECT_EQ(MissionCanonical("report_order = 1 OR report_order = 2 "
                             "report_order = 3"),
            "((report_order = 1 OR report_order = 2) AND report_order = 3)");
  EXPECT_EQ(MissionCanonical("NOT report_order = 1 OR report_order = 2"),
            "(NOT report_order = 1 OR report_order = 2)");
  EXPECT_EQ(MissionCanonical("-report_order = 1 report_order = 2"),
            "(NOT report_order = 1 AND report_order = 2)");
  EXPECT_EQ(MissionCanonical("NOT (report_order = 1 OR report_order = 2)"),
            "NOT (report_order = 1 OR report_order = 2)");
  EXPECT_EQ(MissionCanonical("NOT NOT report_order = 1"), "report_order = 1");
  EXPECT_EQ(MissionCanonical("(report_order = 1 AND report_order = 2) AND "
                             "report_order = 3 report_order = 4"),
            "(report_order = 1 AND report_order = 2 AND report_order = 3 AND "
            "report_order = 4)");
  EXPECT_EQ(MissionCanonical("((((report_order = 1))))"), "report_order = 1");
  EXPECT_EQ(MissionCanonical("report_order != 1"), "NOT report_order = 1");
  EXPECT_EQ(MissionCanonical("a_b_c = 1"),
            absl::StrCat("error: filter: unknown field 'a_b_c' at position 1; ",
                         MissionFields()));
}

TEST(FilterTest, KeywordsAreUpperCaseWholeWords) {
  // Lower-case `and` is a field name.
  EXPECT_EQ(MissionError("report_order = 1 and report_order = 2"),
            absl::StrCat("filter: unknown field 'and' at position 18; ",
                         MissionFields()));
  // ORDER is not OR.
  EXPECT_THAT(MissionError("report_order = 1 ORDER = 2"),
              StartsWith("filter: unknown field 'ORDER' at position 18"));
}

TEST(FilterTest, CanonicalFormRoundTrips) {
  const std::vector<std::string> filters = {
      "short_name = \"EU*\"",
      "short_name = \"EU\\*\"",
      "short_name = \"a \\\"b\\\" \\\\c\"",
      "short_name:x",
      "countries:ML AND NOT aliases:*",
      "location.nl = Mali OR location.\"en GB\":*",
      "location:\"en GB\"",
      "start_date >= 2013 AND end_date < \"2021-07\"",
      "lead_organization = EU separate_reporting.kind != PROGRESS_REPORT",
      "-(report_order <= -3 OR report_order > +4)",
      "separate_reporting.remark.nl:\"*\"",
  };
  for (const std::string& filter : filters) {
    const std::string canonical = MissionCanonical(filter);
    ASSERT_THAT(canonical, ::testing::Not(StartsWith("error"))) << filter;
    EXPECT_EQ(MissionCanonical(canonical), canonical) << filter;
  }
  EXPECT_EQ(MissionCanonical("start_date >= 2013 AND end_date < \"2021-07\""),
            "(start_date >= 2013-01-01 AND end_date < 2021-07-01)");
  EXPECT_EQ(MissionCanonical("lead_organization = EU"),
            "lead_organization = LEAD_ORGANIZATION_EU");
  EXPECT_EQ(MissionCanonical("location.\"en GB\":*"), "location.\"en GB\":*");
  EXPECT_EQ(MissionCanonical("location:en-GB"), "location:en-GB");
  EXPECT_EQ(MissionCanonical("short_name = EU*"), "short_name = \"EU*\"");

  const std::vector<std::string> samples = {
      "d = 0.1 f = 0.1 i64 = -9 u64 = 18446744073709551615 flag = true",
      "created > \"2021-06-14T11:30:00.5+02:00\"",
      "by_id.-1:* by_flag.true = x by_u64:7 inner_by_key.\"a b\".size < 3",
      "colors:RED numbers:3 holidays:2021-12-25 times:\"2021-01-01T00:00:00Z\"",
  };
  for (const std::string& filter : samples) {
    const std::string canonical = Canonical(filter, SampleDescriptor());
    ASSERT_THAT(canonical, ::testing::Not(StartsWith("error"))) << filter;
    EXPECT_EQ(Canonical(canonical, SampleDescriptor()), canonical) << filter;
  }
  EXPECT_EQ(Canonical("created > \"2021-06-14T11:30:00.5+02:00\"",
                      SampleDescriptor()),
            "created > \"2021-06-14T09:30:00.5+00:00\"");
}

// ---------------------------------------------------------------------------
// Functions

TEST(FilterTest, FunctionsWithArguments) {
  const FunctionTable functions = MissionFunctions();
  EXPECT_THAT(SelectMissions("active_in(2020)", functions),
              ElementsAre("eulex", "unifil", "eutm-mali", "vpd"));
  EXPECT_THAT(SelectMissions("active_in(2019)", functions),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali", "vpd"));
  EXPECT_THAT(SelectMissions("active_in( 2010 )", functions),
              ElementsAre("eulex", "unifil", "vpd"));
  EXPECT_THAT(SelectMissions("in_region(\"regions/africa\")", functions),
              ElementsAre("minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("in_cluster(\"regions/africa/clusters/sahel\")",
                             functions),
              ElementsAre("minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("ends_before(\"2021-07-01\")", functions),
              ElementsAre("minusma", "eutm-mali"));
  EXPECT_THAT(SelectMissions("ends_before(2021-06-14)", functions),
              ElementsAre("minusma"));
  EXPECT_THAT(SelectMissions("ends_before(2020)", functions),
              ElementsAre("minusma"));
  EXPECT_THAT(
      SelectMissions("active_in(2020) AND in_region(\"regions/africa\")",
                     functions),
      ElementsAre("eutm-mali"));
  EXPECT_THAT(SelectMissions("NOT active_in(2020)", functions),
              ElementsAre("minusma"));
  EXPECT_THAT(
      SelectMissions("active_in(2020) lead_organization = EU", functions),
      ElementsAre("eulex", "eutm-mali"));
  EXPECT_THAT(SelectMissions("-active_in(2020) OR report_order = 0", functions),
              ElementsAre("minusma", "vpd"));
  EXPECT_EQ(Canonical("active_in(2020) ends_before(\"2021-07\")",
                      v1::Mission::descriptor(), functions),
            "(active_in(2020) AND ends_before(2021-07))");
}

TEST(FilterTest, FunctionArgumentsOfEveryKind) {
  std::vector<FilterValue> echoed;
  const FunctionTable functions = MissionFunctions(nullptr, &echoed);
  ASSERT_THAT(SelectMissions("args.echo(\"a,b\", 42, 2.5, true, 2021-06, "
                             "\"2021-06-14T09:30:00Z\") report_order = 1",
                             functions),
              ElementsAre("eulex"));
  google::type::Date june;
  june.set_year(2021);
  june.set_month(6);
  const absl::Time instant = absl::FromUnixSeconds(1623663000);
  EXPECT_THAT(
      echoed,
      ElementsAre(FilterValue::String("a,b"), FilterValue::Integer(42),
                  FilterValue::Number(2.5), FilterValue::Bool(true),
                  FilterValue::Date(june), FilterValue::Timestamp(instant)));
  ASSERT_THAT(SelectMissions("args.echo(word,-7,3,false,\"2021\","
                             "\"2021-06-14T11:30:00+02:00\") report_order = 1",
                             functions),
              ElementsAre("eulex"));
  google::type::Date year;
  year.set_year(2021);
  EXPECT_THAT(
      echoed,
      ElementsAre(FilterValue::String("word"), FilterValue::Integer(-7),
                  FilterValue::Number(3), FilterValue::Bool(false),
                  FilterValue::Date(year), FilterValue::Timestamp(instant)));
  EXPECT_EQ(echoed[2].number_value(), 3.0);
  EXPECT_EQ(echoed[1].number_value(), -7.0);
  // Accessors of another kind return defaults.
  EXPECT_EQ(echoed[0].integer_value(), 0);
  EXPECT_EQ(echoed[1].string_value(), "");
  EXPECT_EQ(echoed[0].date_value().year(), 0);
  EXPECT_EQ(echoed[0].timestamp_value(), absl::UnixEpoch());
  EXPECT_FALSE(echoed[0].bool_value());
}

TEST(FilterTest, FunctionsAreCalledOnlyWhenNeeded) {
  std::atomic<int> calls{0};
  const FunctionTable functions = MissionFunctions(&calls);
  EXPECT_THAT(SelectMissions("report_order = 99 AND counted()", functions),
              IsEmpty());
  EXPECT_EQ(calls.load(), 0);
  EXPECT_THAT(SelectMissions("report_order >= 0 OR counted()", functions),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali", "vpd"));
  EXPECT_EQ(calls.load(), 0);
  EXPECT_THAT(SelectMissions("counted() report_order = 1", functions),
              ElementsAre("eulex"));
  EXPECT_EQ(calls.load(), 5);
  EXPECT_THAT(SelectMissions("report_order = 1 counted()", functions),
              ElementsAre("eulex"));
  EXPECT_EQ(calls.load(), 6);
}

TEST(FilterTest, FunctionErrorsArePassedOn) {
  const FunctionTable functions = MissionFunctions();
  absl::StatusOr<Filter> filter =
      Filter::Parse("fails()", v1::Mission::descriptor(), functions);
  ASSERT_TRUE(filter.ok());
  absl::StatusOr<bool> matches = filter->Matches(*Missions().items()[0]);
  ASSERT_FALSE(matches.ok());
  EXPECT_EQ(matches.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(matches.status().message(),
            "filter: function 'fails': storage down");
  // Not called, no error.
  EXPECT_THAT(SelectMissions("report_order = 99 fails()", functions),
              IsEmpty());
}

TEST(FilterTest, FunctionTableOutlivedByFilter) {
  absl::StatusOr<Filter> filter = [] {
    const FunctionTable functions = MissionFunctions();
    return Filter::Parse("active_in(2020)", v1::Mission::descriptor(),
                         functions);
  }();
  ASSERT_TRUE(filter.ok());
  EXPECT_TRUE(*filter->Matches(*Missions().items()[0]));
  EXPECT_FALSE(*filter->Matches(*Missions().items()[2]));
}

TEST(FilterTest, TypedFunctions) {
  FunctionTable functions = MissionFunctions();
  functions.Add<v1::Region>(
      "region_order", {Kind::kInteger},
      [](const v1::Region& region,
         absl::Span<const FilterValue> args) -> absl::StatusOr<bool> {
        return region.report_order() == args[0].integer_value();
      });
  EXPECT_EQ(functions.Find("in_region")->message_type,
            v1::Mission::descriptor());
  EXPECT_EQ(functions.Find("active_in")->message_type, nullptr);
  // Rejected in filters over another type.
  EXPECT_EQ(MissionError("report_order = 1 OR region_order(1)", functions),
            "filter: function 'region_order' applies to registry.v1.Region, "
            "not registry.v1.Mission at position 21");
  const Messages regions = Messages::Of<v1::Region>(
      {R"pb(name: "a" report_order: 1)pb", R"pb(name: "b" report_order: 2)pb"});
  EXPECT_THAT(Select("region_order(2)", regions, functions), ElementsAre("b"));
  EXPECT_EQ(ParseError("in_region(\"regions/africa\")",
                       v1::Region::descriptor(), functions),
            "filter: function 'in_region' applies to registry.v1.Mission, "
            "not registry.v1.Region at position 1");
  // A dynamic message of the right type is not a generated v1::Mission.
  google::protobuf::DynamicMessageFactory factory;
  std::unique_ptr<Message> dynamic(
      factory.GetPrototype(v1::Mission::descriptor())->New());
  absl::StatusOr<Filter> filter =
      Filter::Parse("in_region(\"x\")", v1::Mission::descriptor(), functions);
  ASSERT_TRUE(filter.ok());
  absl::StatusOr<bool> matches = filter->Matches(*dynamic);
  ASSERT_FALSE(matches.ok());
  EXPECT_EQ(matches.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(matches.status().message(),
            "filter: function 'in_region': expects a registry.v1.Mission, got "
            "a registry.v1.Mission");
}

TEST(FilterTest, FunctionTableLookup) {
  FunctionTable functions = MissionFunctions();
  EXPECT_NE(functions.Find("active_in"), nullptr);
  EXPECT_EQ(functions.Find("missing"), nullptr);
  EXPECT_THAT(functions.Names(),
              ElementsAre("active_in", "args.echo", "counted", "ends_before",
                          "fails", "in_cluster", "in_region"));
  // Adding a name again replaces the function.
  functions.Add("active_in", {},
                [](const Message&, absl::Span<const FilterValue>)
                    -> absl::StatusOr<bool> { return false; });
  EXPECT_THAT(SelectMissions("active_in()", functions), IsEmpty());
  // A function without a predicate fails when called.
  functions.Add("empty", {}, nullptr);
  EXPECT_THAT(SelectMissions("empty()", functions),
              ElementsAre("error: filter: function 'empty' has no predicate"));
}

TEST(FilterTest, FunctionErrors) {
  const FunctionTable functions = MissionFunctions();
  const auto error = [&](absl::string_view filter) {
    return MissionError(filter, functions);
  };
  EXPECT_EQ(error("actve_in(2020)"),
            "filter: unknown function 'actve_in' at position 1; functions: "
            "active_in, args.echo, counted, ends_before, fails, in_cluster, "
            "in_region");
  EXPECT_EQ(MissionError("active_in(2020)"),
            "filter: unknown function 'active_in' at position 1; no functions "
            "are available");
  EXPECT_EQ(
      error("report_order = 1 OR active_in()"),
      "filter: function 'active_in' takes 1 argument, got 0 at position 21");
  EXPECT_EQ(
      error("active_in(2020, 2021)"),
      "filter: function 'active_in' takes 1 argument, got 2 at position 1");
  EXPECT_EQ(
      error("counted(1)"),
      "filter: function 'counted' takes 0 arguments, got 1 at position 1");
  EXPECT_EQ(error("active_in(\"2020\")"),
            "filter: argument 1 of 'active_in' must be an integer, got string "
            "\"2020\" at position 11");
  EXPECT_EQ(error("active_in(2020.5)"),
            "filter: argument 1 of 'active_in' must be an integer, got "
            "'2020.5' at position 11");
  EXPECT_EQ(error("ends_before(\"2021-13-01\")"),
            "filter: argument 1 of 'ends_before' must be a date (YYYY-MM-DD, "
            "YYYY-MM or YYYY), got string \"2021-13-01\" at position 13");
  EXPECT_EQ(error("args.echo(x, 1, one, true, 2021, \"2021-01-01T00:00:00Z\")"),
            "filter: argument 3 of 'args.echo' must be a number, got 'one' at "
            "position 17");
  EXPECT_EQ(
      error("args.echo(x, 1, 1, yes, 2021, \"2021-01-01T00:00:00Z\")"),
      "filter: argument 4 of 'args.echo' must be true or false, got 'yes' "
      "at position 20");
  EXPECT_EQ(error("args.echo(x, 1, 1, true, 2021, 2021)"),
            "filter: argument 6 of 'args.echo' must be an RFC 3339 timestamp "
            "string (\"2021-06-14T09:30:00Z\"), got '2021' at position 32");
  EXPECT_EQ(error("active_in(2020) = true"),
            "filter: the result of 'active_in(...)' cannot be compared at "
            "position 17; use the call as a term on its own, or negate it "
            "with NOT");
  EXPECT_EQ(error("active_in(2020"),
            "filter: unclosed '(' of the call of 'active_in' at position 10");
  EXPECT_EQ(error("active_in("),
            "filter: unclosed '(' of the call of 'active_in' at position 10");
  EXPECT_EQ(error("active_in(2020 2021)"),
            "filter: expected ',' or ')' after argument 1 of 'active_in' at "
            "position 16");
  EXPECT_EQ(error("active_in(,)"),
            "filter: expected argument 1 of 'active_in' at position 11");
  EXPECT_EQ(error("active_in(2020,)"),
            "filter: expected argument 2 of 'active_in' at position 16");
  EXPECT_EQ(error("in_region(\"regions/africa)"),
            "filter: unterminated string at position 11; add the closing '\"'");
  EXPECT_EQ(error("args.\"echo\"(1)"),
            "filter: invalid function name at position 6; function names are "
            "names joined by '.'");
  // A space before "(" makes a field and a parenthesised term.
  EXPECT_EQ(error("active_in (2020)"),
            absl::StrCat("filter: unknown field 'active_in' at position 1; ",
                         MissionFields()));
}

// ---------------------------------------------------------------------------
// Errors with their positions

TEST(FilterTest, UnknownFields) {
  EXPECT_EQ(MissionError("regoin = \"regions/africa\""),
            absl::StrCat("filter: unknown field 'regoin' at position 1; ",
                         MissionFields()));
  EXPECT_EQ(MissionError("short_name = \"x\" AND valid_until.kind = DATE"),
            absl::StrCat("filter: unknown field 'valid_until' at position 22; ",
                         MissionFields()));
  EXPECT_EQ(MissionError("separate_reporting.knd = UNSPECIFIED"),
            "filter: unknown field 'knd' at position 20; fields of "
            "registry.v1.SeparateReporting: kind, remark");
  EXPECT_EQ(
      MissionError("short_name.x = 1"),
      "filter: 'short_name' is string and has no field 'x' at position 12");
  EXPECT_EQ(MissionError("location.nl.x = 1"),
            "filter: 'location.nl' is string and has no field 'x' at "
            "position 13");
  EXPECT_EQ(MissionError("separate_reporting.\"kind\" = DATE"),
            "filter: unknown field 'kind' at position 20; fields of "
            "registry.v1.SeparateReporting: kind, remark");
  EXPECT_EQ(MissionError("short_name. = 1"),
            "filter: expected a field name after '.' at position 12");
  EXPECT_EQ(MissionError("separate_reporting.kind-x = 1"),
            "filter: unknown field 'kind-x' at position 20; fields of "
            "registry.v1.SeparateReporting: kind, remark");
  // Positions count characters, not bytes.
  EXPECT_EQ(MissionError("short_name = \"Ü\" AND regoin = 1"),
            absl::StrCat("filter: unknown field 'regoin' at position 22; ",
                         MissionFields()));
}

TEST(FilterTest, ValuesOfTheWrongType) {
  EXPECT_EQ(MissionError("report_order = \"5\""),
            "filter: expected an integer for field 'report_order' (int32), "
            "got string \"5\" at position 16");
  EXPECT_EQ(MissionError("report_order = five"),
            "filter: expected an integer for field 'report_order' (int32), "
            "got 'five' at position 16");
  EXPECT_EQ(MissionError("report_order = 1.5"),
            "filter: expected an integer for field 'report_order' (int32), "
            "got '1.5' at position 16");
  EXPECT_EQ(MissionError("report_order = 3000000000"),
            "filter: value '3000000000' is out of range for field "
            "'report_order' (int32) at position 16");
  EXPECT_EQ(ParseError("i64 = 9223372036854775808", SampleDescriptor()),
            "filter: value '9223372036854775808' is out of range for field "
            "'i64' (int64) at position 7");
  EXPECT_EQ(ParseError("u32 = -1", SampleDescriptor()),
            "filter: value '-1' is out of range for field 'u32' (uint32) at "
            "position 7");
  EXPECT_EQ(ParseError("u32 = 4294967296", SampleDescriptor()),
            "filter: value '4294967296' is out of range for field 'u32' "
            "(uint32) at position 7");
  EXPECT_EQ(ParseError("d = nan", SampleDescriptor()),
            "filter: expected a number for field 'd' (double), got 'nan' at "
            "position 5");
  EXPECT_EQ(ParseError("d = 1e999", SampleDescriptor()),
            "filter: value '1e999' is out of range for field 'd' (double) at "
            "position 5");
  EXPECT_EQ(ParseError("f = 1e39", SampleDescriptor()),
            "filter: value '1e39' is out of range for field 'f' (float) at "
            "position 5");
  EXPECT_EQ(ParseError("flag = yes", SampleDescriptor()),
            "filter: expected true or false for field 'flag' (bool), got 'yes' "
            "at position 8");
  EXPECT_EQ(ParseError("flag = \"true\"", SampleDescriptor()),
            "filter: expected true or false for field 'flag' (bool), got "
            "string \"true\" at position 8");
  EXPECT_EQ(MissionError("lead_organization = EUROPE"),
            "filter: unknown value 'EUROPE' for field 'lead_organization' "
            "(registry.v1.LeadOrganization) at position 21; values: "
            "UNSPECIFIED, UN, EU, NATO, US_LED, AD_HOC_COALITION, NATIONAL");
  EXPECT_EQ(MissionError("lead_organization = \"EU\""),
            "filter: expected a value name of registry.v1.LeadOrganization for "
            "field 'lead_organization', got string \"EU\" at position 21; "
            "values: UNSPECIFIED, UN, EU, NATO, US_LED, AD_HOC_COALITION, "
            "NATIONAL");
  EXPECT_EQ(MissionError("lead_organization = 2"),
            "filter: expected a value name of registry.v1.LeadOrganization for "
            "field 'lead_organization', got '2' at position 21; values: "
            "UNSPECIFIED, UN, EU, NATO, US_LED, AD_HOC_COALITION, NATIONAL");
  EXPECT_EQ(ParseError("valid_until.kind = END",
                       v1::NationalMandateDecision::descriptor()),
            "filter: unknown value 'END' for field 'valid_until.kind' "
            "(registry.v1.EndDate.Kind) at position 20; values: UNSPECIFIED, "
            "DATE, INDEFINITE, PER_ACTIVITY");
  EXPECT_EQ(MissionError("start_date = 2021-02-30"),
            "filter: expected a date (YYYY-MM-DD, YYYY-MM or YYYY) for field "
            "'start_date' (date), got '2021-02-30' at position 14");
  EXPECT_EQ(MissionError("start_date = \"June 2021\""),
            "filter: expected a date (YYYY-MM-DD, YYYY-MM or YYYY) for field "
            "'start_date' (date), got string \"June 2021\" at position 14");
  EXPECT_EQ(MissionError("start_date < 21"),
            "filter: expected a date (YYYY-MM-DD, YYYY-MM or YYYY) for field "
            "'start_date' (date), got '21' at position 14");
  EXPECT_EQ(ParseError("created = 2021-06-14", SampleDescriptor()),
            "filter: expected an RFC 3339 timestamp string "
            "(\"2021-06-14T09:30:00Z\") for field 'created' (timestamp), got "
            "'2021-06-14' at position 11");
  EXPECT_EQ(ParseError("created = \"2021-06-14 09:30\"", SampleDescriptor()),
            "filter: expected an RFC 3339 timestamp string "
            "(\"2021-06-14T09:30:00Z\") for field 'created' (timestamp), got "
            "string \"2021-06-14 09:30\" at position 11");
  EXPECT_THAT(ParseError("created = \"infinite-future\"", SampleDescriptor()),
              StartsWith("filter: expected an RFC 3339 timestamp string"));
  EXPECT_EQ(ParseError("by_id.x = \"a\"", SampleDescriptor()),
            "filter: expected an integer (int32) as key of 'by_id' "
            "(map<int32, string>), got 'x' at position 7");
  EXPECT_EQ(ParseError("by_id:\"5\"", SampleDescriptor()),
            "filter: expected an integer (int32) as key of 'by_id' "
            "(map<int32, string>), got string \"5\" at position 7");
  EXPECT_EQ(ParseError("by_flag:yes", SampleDescriptor()),
            "filter: expected true or false as key of 'by_flag' "
            "(map<bool, string>), got 'yes' at position 9");
  EXPECT_EQ(ParseError("by_u64.-1:*", SampleDescriptor()),
            "filter: expected an unsigned integer (uint64) as key of 'by_u64' "
            "(map<uint64, int32>), got '-1' at position 8");
}

TEST(FilterTest, OperatorsNotAllowedForTheField) {
  EXPECT_EQ(MissionError("lead_organization < EU"),
            "filter: operator '<' is not allowed on enum "
            "registry.v1.LeadOrganization field 'lead_organization' at "
            "position 19; use '=', '!=' or ':'");
  EXPECT_EQ(ParseError("flag >= true", SampleDescriptor()),
            "filter: operator '>=' is not allowed on bool field 'flag' at "
            "position 6; use '=', '!=' or ':'");
  EXPECT_EQ(MissionError("separate_reporting = 1"),
            "filter: operator '=' is not allowed on message "
            "registry.v1.SeparateReporting field 'separate_reporting' at "
            "position 20; use 'separate_reporting:*' to test whether it is "
            "set, or compare one of its fields: kind, remark");
  EXPECT_EQ(ParseError("cap < 5", v1::NationalMandateDecision::descriptor()),
            "filter: operator '<' is not allowed on message "
            "registry.v1.PersonnelCap field 'cap' at position 5; use 'cap:*' "
            "to test whether it is set, or compare one of its fields: "
            "military, civilian, combined, pool, note");
  EXPECT_EQ(ParseError("inner:x", SampleDescriptor()),
            "filter: operator ':' is not allowed on message "
            "filtertest.Sample.Inner field 'inner' at position 6; use "
            "'inner:*' to test whether it is set, or compare one of its "
            "fields: label, size, tags");
  EXPECT_EQ(MissionError("countries = \"ML\""),
            "filter: operator '=' is not allowed on repeated field "
            "'countries' at position 11; use ':' (has): 'countries:\"ML\"'");
  EXPECT_EQ(MissionError("aliases != x"),
            "filter: operator '!=' is not allowed on repeated field 'aliases' "
            "at position 9; use ':' (has): 'aliases:x'");
  EXPECT_EQ(ParseError("legal_basis.kind = AGREEMENT",
                       v1::InternationalMandateDecision::descriptor()),
            "filter: operator '=' is not allowed on repeated field "
            "'legal_basis' at position 18; use ':' (has): "
            "'legal_basis.kind:AGREEMENT'");
  EXPECT_EQ(ParseError("display_name = \"Europa\"", v1::Region::descriptor()),
            "filter: operator '=' is not allowed on map field 'display_name' "
            "at position 14; use 'display_name:key' to test for a key, or "
            "compare an entry: 'display_name.key = value'");
  EXPECT_EQ(MissionError("report_order != *"),
            "filter: '*' is only allowed after ':' at position 17; use "
            "report_order:* to test whether the field is set");
  EXPECT_EQ(MissionError("short_name == \"x\""),
            "filter: unknown operator '==' at position 12; use '='");
}

TEST(FilterTest, SyntaxErrors) {
  EXPECT_EQ(MissionError("(short_name = \"x\""),
            "filter: unclosed '(' at position 1; add a matching ')'");
  EXPECT_EQ(MissionError("((short_name = \"x\") OR (report_order = 1)"),
            "filter: unclosed '(' at position 1; add a matching ')'");
  EXPECT_EQ(MissionError("short_name = \"x\")"),
            "filter: unexpected ')' at position 17; there is no '(' to close");
  EXPECT_EQ(MissionError(")"),
            "filter: unexpected ')' at position 1; expected a term");
  EXPECT_EQ(MissionError("()"), "filter: empty parentheses at position 1");
  EXPECT_EQ(MissionError("report_order = 1 ( )"),
            "filter: empty parentheses at position 18");
  EXPECT_EQ(MissionError("short_name = \"x\" AND"),
            "filter: 'AND' is not followed by a term at position 18");
  EXPECT_EQ(MissionError("short_name = \"x\" OR"),
            "filter: 'OR' is not followed by a term at position 18");
  EXPECT_EQ(MissionError("short_name = \"x\" AND OR report_order = 1"),
            "filter: 'AND' is not followed by a term at position 18");
  EXPECT_EQ(MissionError("(short_name = \"x\" OR)"),
            "filter: 'OR' is not followed by a term at position 19");
  EXPECT_EQ(MissionError("NOT"),
            "filter: 'NOT' is not followed by a term at position 1");
  EXPECT_EQ(MissionError("report_order = 1 NOT"),
            "filter: 'NOT' is not followed by a term at position 18");
  EXPECT_EQ(MissionError("-"),
            "filter: '-' is not followed by a term at position 1");
  EXPECT_EQ(MissionError("OR short_name = \"x\""),
            "filter: expected a term, got 'OR' at position 1");
  EXPECT_EQ(MissionError("AND"),
            "filter: expected a term, got 'AND' at position 1");
  EXPECT_EQ(MissionError("short_name = \"EU"),
            "filter: unterminated string at position 14; add the closing '\"'");
  EXPECT_EQ(MissionError("short_name = \"EU\\"),
            "filter: unterminated string at position 14; add the closing '\"'");
  EXPECT_EQ(MissionError("location.\"nl = 1"),
            "filter: unterminated string at position 10; add the closing '\"'");
  EXPECT_EQ(MissionError("short_name = \"a\\nb\""),
            "filter: unknown escape '\\n' in string at position 16; only \\\", "
            "\\\\ and \\* are allowed");
  EXPECT_EQ(MissionError("short_name ="),
            "filter: expected a value after '=' at position 13");
  EXPECT_EQ(MissionError("short_name:"),
            "filter: expected a value after ':' at position 12");
  EXPECT_EQ(MissionError("short_name = )"),
            "filter: expected a value after '=' at position 14");
  EXPECT_EQ(MissionError("short_name"),
            "filter: expected a comparison operator (=, !=, <, <=, >, >=, :) "
            "after 'short_name' at position 11");
  EXPECT_EQ(MissionError("short_name ! \"x\""),
            "filter: expected a comparison operator (=, !=, <, <=, >, >=, :) "
            "after 'short_name' at position 12");
  EXPECT_EQ(MissionError("\"EULEX\""),
            "filter: expected a field name or function call, got a string at "
            "position 1; free-text search is not supported; compare a field, "
            "e.g. short_name = \"EULEX\"");
  EXPECT_EQ(MissionError("5 = report_order"),
            "filter: expected a field name or function call, got '5' at "
            "position 1");
  EXPECT_EQ(MissionError("report_order = 1 & report_order = 2"),
            "filter: unexpected character '&' at position 18");
  EXPECT_EQ(MissionError("region = regions/africa"),
            "filter: unexpected character '/' at position 17");
  EXPECT_EQ(MissionError(std::string("short_name = \"x\"\0", 17)),
            "filter: unexpected character '\\x00' at position 17");
  EXPECT_EQ(MissionError("short_name = x y"),
            absl::StrCat("filter: unknown field 'y' at position 16; ",
                         MissionFields()));
  EXPECT_EQ(MissionError("short_name = x\ty = 1"),
            absl::StrCat("filter: unknown field 'y' at position 16; ",
                         MissionFields()));
}

// ---------------------------------------------------------------------------
// Limits

TEST(FilterTest, LengthLimit) {
  const std::string prefix = "short_name = \"";
  std::string longest = prefix + std::string(kMaxFilterLength - 15, 'a') + "\"";
  ASSERT_EQ(longest.size(), 2000u);
  EXPECT_EQ(MissionError(longest), "OK");
  EXPECT_EQ(MissionError(longest + " "),
            "filter: too long (2001 characters; at most 2000 are allowed)");
  // Characters, not bytes.
  std::string accents = prefix;
  for (int i = 0; i < kMaxFilterLength - 15; ++i) accents += "é";
  accents += "\"";
  EXPECT_EQ(MissionError(accents), "OK");
  EXPECT_EQ(MissionError(std::string(9000, '\x80')),
            "filter: too long (9000 bytes; at most 2000 characters are "
            "allowed)");
}

TEST(FilterTest, DepthLimit) {
  const auto nested = [](int depth) {
    return std::string(depth, '(') + "report_order = 1" +
           std::string(depth, ')');
  };
  EXPECT_EQ(MissionError(nested(kMaxFilterDepth)), "OK");
  EXPECT_EQ(MissionError(nested(kMaxFilterDepth + 1)),
            "filter: parentheses nested more than 32 deep at position 33");
  EXPECT_EQ(MissionError("report_order = 1 AND " + nested(kMaxFilterDepth + 1)),
            "filter: parentheses nested more than 32 deep at position 54");
  // Negations do not nest: a long chain of them is fine.
  std::string nots;
  for (int i = 0; i < 300; ++i) nots += "NOT -";
  EXPECT_EQ(MissionCanonical(nots + "report_order = 1"), "report_order = 1");
}

TEST(FilterTest, TermLimit) {
  const auto terms = [](int count) {
    std::vector<std::string> parts(count, "d:1");
    return absl::StrJoin(parts, " ");
  };
  EXPECT_EQ(ParseError(terms(kMaxFilterTerms), SampleDescriptor()), "OK");
  EXPECT_EQ(ParseError(terms(kMaxFilterTerms + 1), SampleDescriptor()),
            "filter: too many terms (more than 200) at position 801");
  // Function calls count as terms.
  const FunctionTable functions = MissionFunctions();
  std::vector<std::string> calls(kMaxFilterTerms + 1, "fails()");
  EXPECT_EQ(MissionError(absl::StrJoin(calls, " "), functions),
            "filter: too many terms (more than 200) at position 1601");
}

// ---------------------------------------------------------------------------
// Robustness: random and mutated input never crashes or hangs.

const std::vector<std::string>& ValidMissionFilters() {
  static const auto* const kFilters = new std::vector<std::string>{
      "short_name = \"EULEX\"",
      "short_name = EU* AND NOT aliases:*",
      "(countries:ML OR countries:\"BF\") lead_organization = EU",
      "start_date >= 2013-02 AND end_date < \"2021-07-01\"",
      "location.nl = Mali OR location:\"en\"",
      "-separate_reporting.kind = PROGRESS_REPORT",
      "separate_reporting.remark.nl:* report_order <= 3",
      "active_in(2020) AND in_region(\"regions/africa\")",
      "ends_before(\"2021-07-01\") OR NOT (report_order > 2 OR kind = "
      "NATIONAL_OPERATION)",
      "args.echo(\"x\", 1, 2.5, true, 2021-06, \"2021-06-14T09:30:00Z\")",
      "full_name.en = \"European*\" cluster:* start_date.year = 2013",
  };
  return *kFilters;
}

// Iterations of the randomised tests: FILTER_FUZZ_ITERATIONS, or `fallback`.
int FuzzIterations(int fallback) {
  const char* value = std::getenv("FILTER_FUZZ_ITERATIONS");
  int iterations = 0;
  if (value != nullptr && absl::SimpleAtoi(value, &iterations) &&
      iterations > 0) {
    return iterations;
  }
  return fallback;
}

// Parses `text`; if valid, matches every mission and checks that the
// canonical form parses to itself. Sets `valid` to whether `text` parsed.
void ParseAndMatch(const std::string& text, const FunctionTable& functions,
                   bool* valid = nullptr) {
  absl::StatusOr<Filter> filter =
      Filter::Parse(text, v1::Mission::descriptor(), functions);
  if (valid != nullptr) *valid = filter.ok();
  if (!filter.ok()) {
    ASSERT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument);
    ASSERT_THAT(std::string(filter.status().message()), StartsWith("filter: "));
    return;
  }
  for (const auto& mission : Missions().items()) {
    absl::StatusOr<bool> matches = filter->Matches(*mission);
    // Only the `fails()` function fails.
    ASSERT_TRUE(matches.ok() ||
                matches.status().code() == absl::StatusCode::kUnavailable)
        << text << ": " << matches.status();
  }
  const std::string canonical = filter->DebugString();
  absl::StatusOr<Filter> again =
      Filter::Parse(canonical, v1::Mission::descriptor(), functions);
  // The canonical form may exceed the limits that the original met.
  if (!again.ok() &&
      (absl::StrContains(again.status().message(), "too long") ||
       absl::StrContains(again.status().message(), "nested more than"))) {
    return;
  }
  ASSERT_TRUE(again.ok()) << text << " -> " << canonical << ": "
                          << again.status();
  ASSERT_EQ(again->DebugString(), canonical) << text;
}

TEST(FilterRobustnessTest, RandomBytes) {
  const FunctionTable functions = MissionFunctions();
  std::mt19937 random(20210614);
  const std::string alphabet =
      "abcdefghijklmnopqrstuvwxyz_ANDORT0123456789 ().,\"\\*=!<>:-+\t";
  absl::Duration slowest;
  const int iterations = FuzzIterations(5000);
  for (int i = 0; i < iterations; ++i) {
    const size_t length = random() % 80;
    std::string text;
    for (size_t j = 0; j < length; ++j) {
      text += i % 2 == 0 ? static_cast<char>(random() % 256)
                         : alphabet[random() % alphabet.size()];
    }
    const absl::Time start = absl::Now();
    ParseAndMatch(text, functions);
    slowest = std::max(slowest, absl::Now() - start);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_LT(slowest, absl::Seconds(1));
}

TEST(FilterRobustnessTest, MutatedValidFilters) {
  const FunctionTable functions = MissionFunctions();
  std::mt19937 random(42);
  const std::string tokens[] = {
      "(", ")", "\"", "\\", "*",  " AND ", " OR ", "NOT ", "-",  ".", ",",
      ":", "=", "!=", "<",  ">=", "2021",  "-1",   "ML",   "nl", "é", "\x01"};
  const std::vector<std::string>& corpus = ValidMissionFilters();
  for (const std::string& text : corpus) {
    ASSERT_EQ(MissionError(text, functions), "OK") << text;
  }
  absl::Duration slowest;
  int valid_count = 0;
  const int iterations = FuzzIterations(20000);
  for (int i = 0; i < iterations; ++i) {
    std::string text = corpus[random() % corpus.size()];
    // Mostly one mutation, sometimes up to four.
    const int mutations = random() % 4 == 0 ? 2 + random() % 3 : 1;
    for (int m = 0; m < mutations; ++m) {
      const size_t at = text.empty() ? 0 : random() % (text.size() + 1);
      switch (random() % 5) {
        case 0:  // delete a character
          if (at < text.size()) text.erase(at, 1);
          break;
        case 1:  // insert a token
          text.insert(at, tokens[random() % std::size(tokens)]);
          break;
        case 2:  // replace a character
          if (at < text.size()) text[at] = static_cast<char>(random() % 128);
          break;
        case 3: {  // splice in part of another filter
          const std::string& other = corpus[random() % corpus.size()];
          const size_t from = random() % other.size();
          text.insert(at, other.substr(from, random() % 20));
          break;
        }
        case 4:  // truncate
          text.resize(at);
          break;
      }
    }
    const absl::Time start = absl::Now();
    bool valid = false;
    ParseAndMatch(text, functions, &valid);
    slowest = std::max(slowest, absl::Now() - start);
    if (::testing::Test::HasFatalFailure()) return;
    if (valid) ++valid_count;
  }
  EXPECT_LT(slowest, absl::Seconds(1));
  // Enough mutants stay valid to exercise matching and printing too.
  EXPECT_GT(valid_count, iterations / 10);
}

TEST(FilterRobustnessTest, PathologicalInputs) {
  const FunctionTable functions = MissionFunctions();
  std::string nots;
  while (nots.size() < 1990) nots += "NOT ";
  const std::vector<std::string> inputs = {
      std::string(2000, '('),
      std::string(2000, ')'),
      std::string(2000, '-'),
      std::string(2000, '"'),
      std::string(2000, '\\'),
      std::string(2000, '*'),
      std::string(2000, '.'),
      nots,
      nots.substr(0, 1980) + "report_order = 1",
      "report_order = " + std::string(1985, '9'),
      "start_date = " + std::string(1987, '9'),
      "report_order = 1" + std::string(1984, ' '),
      "separate_reporting" + std::string(1982, '.'),
      "location." + std::string(1989, 'x') + ":*",
      "active_in(" + std::string(1989, ','),
      "short_name = \"" + std::string(1985, '*') + "\"",
  };
  for (const std::string& input : inputs) {
    const absl::Time start = absl::Now();
    ParseAndMatch(input, functions);
    EXPECT_LT(absl::Now() - start, absl::Seconds(1)) << input.substr(0, 40);
  }
}

}  // namespace
}  // namespace missions::registry
