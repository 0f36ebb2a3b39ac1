#include "registry-service/domain/order_by.h"

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "registry/v1/resources.pb.h"
#include "tests/unit/filter_test_messages.h"

namespace missions::registry {
namespace {

namespace v1 = ::registry::v1;
using google::protobuf::Descriptor;
using google::protobuf::Message;
using ::testing::ElementsAre;
using ::testing::StartsWith;

using MessageList = std::vector<std::unique_ptr<Message>>;

template <typename T>
MessageList Parse(const std::vector<std::string>& texts) {
  MessageList messages;
  for (const std::string& text : texts) {
    auto message = std::make_unique<T>();
    EXPECT_TRUE(
        google::protobuf::TextFormat::ParseFromString(text, message.get()))
        << text;
    messages.push_back(std::move(message));
  }
  return messages;
}

MessageList Samples(const std::vector<std::string>& texts) {
  MessageList messages;
  for (const std::string& text : texts) {
    messages.push_back(testing::SampleType::Get().New(text));
  }
  return messages;
}

std::string NameOf(const Message& message) {
  const Descriptor* type = message.GetDescriptor();
  const auto* field = type->FindFieldByName("name");
  if (field == nullptr) field = type->FindFieldByName("text");
  return message.GetReflection()->GetString(message, field);
}

// Checks that Less is a strict weak ordering on `messages`.
void ExpectStrictWeakOrdering(const OrderBy& order,
                              const MessageList& messages) {
  for (const auto& a : messages) {
    EXPECT_FALSE(order.Less(*a, *a)) << NameOf(*a);
    for (const auto& b : messages) {
      EXPECT_FALSE(order.Less(*a, *b) && order.Less(*b, *a))
          << NameOf(*a) << " " << NameOf(*b);
      for (const auto& c : messages) {
        if (order.Less(*a, *b) && order.Less(*b, *c)) {
          EXPECT_TRUE(order.Less(*a, *c))
              << NameOf(*a) << " " << NameOf(*b) << " " << NameOf(*c);
        }
      }
    }
  }
}

// The names of `messages` sorted stably by `order_by`, or {"error: ..."}.
std::vector<std::string> Sorted(absl::string_view order_by,
                                const MessageList& messages) {
  absl::StatusOr<OrderBy> order =
      OrderBy::Parse(order_by, messages.front()->GetDescriptor());
  if (!order.ok()) return {absl::StrCat("error: ", order.status().message())};
  ExpectStrictWeakOrdering(*order, messages);
  std::vector<const Message*> sorted;
  for (const auto& message : messages) sorted.push_back(message.get());
  std::stable_sort(
      sorted.begin(), sorted.end(),
      [&](const Message* a, const Message* b) { return order->Less(*a, *b); });
  std::vector<std::string> names;
  for (const Message* message : sorted) names.push_back(NameOf(*message));
  return names;
}

const MessageList& Missions() {
  static const MessageList* const kMissions =
      new MessageList(Parse<v1::Mission>({
          R"pb(
            name: "eulex"
            short_name: "EULEX"
            report_order: 1
            lead_organization: LEAD_ORGANIZATION_EU
            start_date { year: 2008 month: 2 day: 16 }
          )pb",
          R"pb(
            name: "unifil"
            short_name: "UNIFIL"
            report_order: 2
            lead_organization: LEAD_ORGANIZATION_UN
            start_date { year: 1978 month: 3 }
            separate_reporting { kind: SEPARATE_REPORTING_KIND_PROGRESS_REPORT }
          )pb",
          R"pb(
            name: "minusma"
            short_name: "MINUSMA"
            report_order: 3
            lead_organization: LEAD_ORGANIZATION_UN
            start_date { year: 2013 month: 4 day: 25 }
            end_date { year: 2019 }
          )pb",
          R"pb(
            name: "eutm-mali"
            short_name: "EUTM Mali"
            report_order: 4
            lead_organization: LEAD_ORGANIZATION_EU
            start_date { year: 2013 month: 2 day: 18 }
            end_date { year: 2021 month: 6 day: 14 }
            separate_reporting { kind: SEPARATE_REPORTING_KIND_END_EVALUATION }
          )pb",
          R"pb(
            name: "vpd"
            short_name: "VPD"
            report_order: 0
            lead_organization: LEAD_ORGANIZATION_NATIONAL
          )pb",
      }));
  return *kMissions;
}

std::string MissionError(absl::string_view order_by) {
  absl::StatusOr<OrderBy> order =
      OrderBy::Parse(order_by, v1::Mission::descriptor());
  if (order.ok()) return "OK";
  EXPECT_EQ(order.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(order.status().message());
}

// ---------------------------------------------------------------------------

TEST(OrderByTest, EmptyOrderingKeepsTheOrder) {
  for (const char* text : {"", "  ", "\t\n"}) {
    absl::StatusOr<OrderBy> order =
        OrderBy::Parse(text, v1::Mission::descriptor());
    ASSERT_TRUE(order.ok()) << text;
    EXPECT_TRUE(order->empty());
    EXPECT_EQ(order->DebugString(), "");
    EXPECT_FALSE(order->Less(*Missions()[0], *Missions()[1]));
    EXPECT_FALSE(order->Less(*Missions()[1], *Missions()[0]));
  }
  const OrderBy default_order;
  EXPECT_TRUE(default_order.empty());
  EXPECT_FALSE(default_order.Less(*Missions()[0], *Missions()[1]));
  EXPECT_THAT(Sorted("", Missions()),
              ElementsAre("eulex", "unifil", "minusma", "eutm-mali", "vpd"));
}

TEST(OrderByTest, NullTypeIsInvalidArgument) {
  EXPECT_EQ(OrderBy::Parse("name", nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(OrderByTest, AscendingAndDescending) {
  EXPECT_THAT(Sorted("report_order", Missions()),
              ElementsAre("vpd", "eulex", "unifil", "minusma", "eutm-mali"));
  EXPECT_THAT(Sorted("report_order asc", Missions()),
              ElementsAre("vpd", "eulex", "unifil", "minusma", "eutm-mali"));
  EXPECT_THAT(Sorted("report_order desc", Missions()),
              ElementsAre("eutm-mali", "minusma", "unifil", "eulex", "vpd"));
  EXPECT_THAT(Sorted("short_name", Missions()),
              ElementsAre("eulex", "eutm-mali", "minusma", "unifil", "vpd"));
  EXPECT_THAT(Sorted("  short_name\tdesc  ", Missions()),
              ElementsAre("vpd", "unifil", "minusma", "eutm-mali", "eulex"));
}

TEST(OrderByTest, LaterKeysBreakTies) {
  // Enums order by number: UN (1), EU (2), NATIONAL (6).
  EXPECT_THAT(Sorted("lead_organization, report_order desc", Missions()),
              ElementsAre("minusma", "unifil", "eutm-mali", "eulex", "vpd"));
  EXPECT_THAT(Sorted("lead_organization desc,short_name", Missions()),
              ElementsAre("vpd", "eulex", "eutm-mali", "minusma", "unifil"));
  EXPECT_THAT(Sorted("separate_reporting.kind desc, short_name", Missions()),
              ElementsAre("eutm-mali", "unifil", "eulex", "minusma", "vpd"));
}

TEST(OrderByTest, TiesAreNotLess) {
  absl::StatusOr<OrderBy> order =
      OrderBy::Parse("lead_organization", v1::Mission::descriptor());
  ASSERT_TRUE(order.ok());
  // EULEX and EUTM Mali are both EU.
  EXPECT_FALSE(order->Less(*Missions()[0], *Missions()[3]));
  EXPECT_FALSE(order->Less(*Missions()[3], *Missions()[0]));
  EXPECT_TRUE(order->Less(*Missions()[1], *Missions()[0]));
}

TEST(OrderByTest, DatesByFirstDayWithMissingValuesFirst) {
  // VPD has no start date; UNIFIL's 1978-03 is 1978-03-01.
  EXPECT_THAT(Sorted("start_date", Missions()),
              ElementsAre("vpd", "unifil", "eulex", "eutm-mali", "minusma"));
  EXPECT_THAT(Sorted("start_date desc", Missions()),
              ElementsAre("minusma", "eutm-mali", "eulex", "unifil", "vpd"));
  EXPECT_THAT(Sorted("end_date, short_name", Missions()),
              ElementsAre("eulex", "unifil", "vpd", "minusma", "eutm-mali"));
  // A partial date ties with its first day.
  const MessageList partial = Parse<v1::Mission>({
      R"pb(name: "a"
           start_date { year: 2021 month: 1 day: 1 })pb",
      R"pb(name: "b"
           start_date { year: 2021 })pb",
      R"pb(name: "c"
           start_date { year: 2020 month: 12 })pb",
      R"pb(name: "d"
           start_date {})pb",
  });
  EXPECT_THAT(Sorted("start_date", partial), ElementsAre("d", "c", "a", "b"));
  EXPECT_THAT(Sorted("start_date desc", partial),
              ElementsAre("a", "b", "c", "d"));
}

TEST(OrderByTest, NestedFieldsAndOptionalValues) {
  const MessageList decisions = Parse<v1::NationalMandateDecision>({
      R"pb(
        name: "a"
        valid_until {
          kind: DATE
          date { year: 2021 month: 6 day: 14 }
        }
        cap { combined: 15 }
      )pb",
      R"pb(
        name: "b"
        valid_until { kind: INDEFINITE }
        cap { military: 0 civilian: 5 }
      )pb",
      R"pb(
        name: "c"
        valid_until {
          kind: DATE
          date { year: 2020 month: 12 day: 31 }
        }
        cap { military: 40 }
      )pb",
  });
  EXPECT_THAT(Sorted("valid_until.date", decisions),
              ElementsAre("b", "c", "a"));
  EXPECT_THAT(Sorted("valid_until.date desc", decisions),
              ElementsAre("a", "c", "b"));
  EXPECT_THAT(Sorted("valid_until.kind desc, name", decisions),
              ElementsAre("b", "a", "c"));
  // Unset proto3 optional fields sort first.
  EXPECT_THAT(Sorted("cap.military", decisions), ElementsAre("a", "b", "c"));
  EXPECT_THAT(Sorted("cap.military desc", decisions),
              ElementsAre("c", "b", "a"));
  EXPECT_THAT(Sorted("cap.civilian desc, name", decisions),
              ElementsAre("b", "a", "c"));
}

TEST(OrderByTest, ResourceTimestamps) {
  const MessageList missions = Parse<v1::Mission>({
      R"pb(name: "a"
           update_time { seconds: 200 })pb",
      R"pb(name: "b"
           update_time { seconds: 100 nanos: 5 })pb",
      R"pb(name: "c")pb",
      R"pb(name: "d"
           update_time { seconds: 100 })pb",
  });
  EXPECT_THAT(Sorted("update_time", missions), ElementsAre("c", "d", "b", "a"));
  EXPECT_THAT(Sorted("update_time desc, name", missions),
              ElementsAre("a", "b", "d", "c"));
}

TEST(OrderByTest, EveryScalarKind) {
  const MessageList samples = Samples({
      R"pb(text: "s1"
           d: 1.5
           f: 0.5
           i64: -5
           u32: 7
           u64: 18446744073709551615
           s32: -3
           flag: true
           data: "b"
           color: COLOR_RED
           created { seconds: 100 }
           day { year: 2021 }
           maybe: 3
           inner { size: 2 }
           choice_number: 1)pb",
      R"pb(text: "s2"
           d: -2
           f: 2.5
           i64: 10
           u32: 1
           u64: 1
           s32: 5
           data: "ab"
           color: COLOR_DARK_BLUE
           created { seconds: 50 nanos: 7 }
           day { year: 2020 month: 6 day: 1 }
           maybe: 0
           inner { size: 1 })pb",
      R"pb(text: "s3" d: nan)pb",
  });
  EXPECT_THAT(Sorted("d", samples), ElementsAre("s2", "s1", "s3"));
  EXPECT_THAT(Sorted("d desc", samples), ElementsAre("s3", "s1", "s2"));
  EXPECT_THAT(Sorted("f", samples), ElementsAre("s3", "s1", "s2"));
  EXPECT_THAT(Sorted("i64", samples), ElementsAre("s1", "s3", "s2"));
  EXPECT_THAT(Sorted("u32", samples), ElementsAre("s3", "s2", "s1"));
  EXPECT_THAT(Sorted("u64", samples), ElementsAre("s3", "s2", "s1"));
  EXPECT_THAT(Sorted("s32", samples), ElementsAre("s1", "s3", "s2"));
  EXPECT_THAT(Sorted("flag", samples), ElementsAre("s2", "s3", "s1"));
  EXPECT_THAT(Sorted("data", samples), ElementsAre("s3", "s2", "s1"));
  EXPECT_THAT(Sorted("color desc", samples), ElementsAre("s2", "s1", "s3"));
  EXPECT_THAT(Sorted("created", samples), ElementsAre("s3", "s2", "s1"));
  EXPECT_THAT(Sorted("created desc", samples), ElementsAre("s1", "s2", "s3"));
  EXPECT_THAT(Sorted("day", samples), ElementsAre("s3", "s2", "s1"));
  EXPECT_THAT(Sorted("maybe", samples), ElementsAre("s3", "s2", "s1"));
  EXPECT_THAT(Sorted("inner.size", samples), ElementsAre("s3", "s2", "s1"));
  EXPECT_THAT(Sorted("choice_number", samples), ElementsAre("s2", "s3", "s1"));
  EXPECT_THAT(Sorted("text desc", samples), ElementsAre("s3", "s2", "s1"));
}

TEST(OrderByTest, KeysAndCanonicalText) {
  absl::StatusOr<OrderBy> order =
      OrderBy::Parse(" report_order ,short_name desc,\tstart_date asc ",
                     v1::Mission::descriptor());
  ASSERT_TRUE(order.ok());
  EXPECT_FALSE(order->empty());
  EXPECT_THAT(order->keys(), ElementsAre(OrderByKey{"report_order", false},
                                         OrderByKey{"short_name", true},
                                         OrderByKey{"start_date", false}));
  EXPECT_EQ(order->DebugString(), "report_order, short_name desc, start_date");
}

TEST(OrderByTest, LessIsFalseForOtherTypes) {
  absl::StatusOr<OrderBy> order =
      OrderBy::Parse("name", v1::Mission::descriptor());
  ASSERT_TRUE(order.ok());
  v1::Region region;
  region.set_name("a");
  v1::Mission mission;
  mission.set_name("b");
  EXPECT_FALSE(order->Less(region, mission));
  EXPECT_FALSE(order->Less(mission, region));
}

TEST(OrderByTest, Errors) {
  std::vector<std::string> fields;
  for (int i = 0; i < v1::Mission::descriptor()->field_count(); ++i) {
    fields.push_back(v1::Mission::descriptor()->field(i)->name());
  }
  EXPECT_EQ(MissionError("regoin"),
            absl::StrCat("order_by: unknown field 'regoin' at position 1; "
                         "fields of registry.v1.Mission: ",
                         absl::StrJoin(fields, ", ")));
  EXPECT_THAT(MissionError("regoin"),
              StartsWith("order_by: unknown field 'regoin' at position 1; "
                         "fields of registry.v1.Mission: name, short_name, "
                         "aliases, full_name, location, countries,"));
  EXPECT_EQ(MissionError("separate_reporting.knd"),
            "order_by: unknown field 'knd' at position 20; fields of "
            "registry.v1.SeparateReporting: kind, remark");
  EXPECT_EQ(
      MissionError("short_name, aliases"),
      "order_by: cannot order by repeated field 'aliases' at position 13");
  EXPECT_EQ(MissionError("full_name desc"),
            "order_by: cannot order by map field 'full_name' at position 1");
  EXPECT_EQ(MissionError("separate_reporting.remark"),
            "order_by: cannot order by map field 'separate_reporting.remark' "
            "at position 20");
  EXPECT_EQ(MissionError("separate_reporting"),
            "order_by: cannot order by message field 'separate_reporting' "
            "(registry.v1.SeparateReporting) at position 1; order by one of "
            "its fields: kind, remark");
  EXPECT_EQ(OrderBy::Parse("legal_basis.kind",
                           v1::InternationalMandateDecision::descriptor())
                .status()
                .message(),
            "order_by: cannot order by repeated field 'legal_basis' at "
            "position 1");
  EXPECT_EQ(MissionError("short_name.x"),
            "order_by: 'short_name' is string and has no field 'x' at "
            "position 12");
  EXPECT_EQ(MissionError("start_date."),
            "order_by: expected a field name after '.' at position 12");
  EXPECT_EQ(MissionError("short_name desc, short_name"),
            "order_by: field 'short_name' appears more than once at "
            "position 18");
  EXPECT_EQ(MissionError("short_name,"),
            "order_by: expected a field name after ',' at position 12");
  EXPECT_EQ(MissionError(",short_name"),
            "order_by: expected a field name, got ',' at position 1");
  EXPECT_EQ(MissionError("short_name,,report_order"),
            "order_by: expected a field name, got ',' at position 12");
  EXPECT_EQ(MissionError("short_name report_order"),
            "order_by: expected 'asc', 'desc' or ',' after 'short_name', got "
            "'report_order' at position 12");
  EXPECT_EQ(MissionError("short_name DESC"),
            "order_by: unknown direction 'DESC' at position 12; write 'asc' or "
            "'desc' in lower case");
  EXPECT_EQ(
      MissionError("short_name desc desc"),
      "order_by: expected ',' after 'short_name', got 'd' at position 17");
  EXPECT_EQ(
      MissionError("short_name;"),
      "order_by: expected ',' after 'short_name', got ';' at position 11");
  EXPECT_EQ(
      MissionError("short_name-"),
      "order_by: expected ',' after 'short_name', got '-' at position 11");
  EXPECT_EQ(MissionError("\"short_name\""),
            "order_by: expected a field name, got '\"' at position 1");
  EXPECT_EQ(MissionError("Ünknown"),
            "order_by: expected a field name, got 'Ü' at position 1");
  EXPECT_EQ(MissionError(std::string("name,\0", 6)),
            "order_by: expected a field name, got '\\x00' at position 6");
  EXPECT_EQ(MissionError("é, regoin"),
            "order_by: expected a field name, got 'é' at position 1");
  EXPECT_EQ(MissionError("name, é"),
            "order_by: expected a field name, got 'é' at position 7");
  EXPECT_EQ(MissionError(std::string(2001, ' ')),
            "order_by: too long (2001 characters; at most 2000 are allowed)");
  EXPECT_EQ(MissionError(std::string(1999, ' ') + "name"),
            "order_by: too long (2003 characters; at most 2000 are allowed)");
  EXPECT_EQ(MissionError(std::string(1996, ' ') + "name"), "OK");
}

TEST(OrderByRobustnessTest, RandomInputNeverCrashes) {
  std::mt19937 random(7);
  const std::string alphabet =
      "abcdefghijklmnopqrstuvwxyz_ ,.DESCdesc0123456789\t\"*-";
  const std::vector<std::string> corpus = {
      "report_order desc, short_name",
      "separate_reporting.kind, start_date desc, name asc",
      "end_date desc,lead_organization",
  };
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    if (i % 2 == 0) {
      const size_t length = random() % 60;
      for (size_t j = 0; j < length; ++j) {
        text += i % 4 == 0 ? static_cast<char>(random() % 256)
                           : alphabet[random() % alphabet.size()];
      }
    } else {
      text = corpus[random() % corpus.size()];
      for (int m = 0; m < 3; ++m) {
        const size_t at = random() % (text.size() + 1);
        if (random() % 2 == 0 && at < text.size()) {
          text.erase(at, 1);
        } else {
          text.insert(at, 1, alphabet[random() % alphabet.size()]);
        }
      }
    }
    absl::StatusOr<OrderBy> order =
        OrderBy::Parse(text, v1::Mission::descriptor());
    if (!order.ok()) {
      ASSERT_EQ(order.status().code(), absl::StatusCode::kInvalidArgument);
      ASSERT_THAT(std::string(order.status().message()),
                  StartsWith("order_by: "));
      continue;
    }
    // The canonical text parses to the same keys.
    absl::StatusOr<OrderBy> again =
        OrderBy::Parse(order->DebugString(), v1::Mission::descriptor());
    ASSERT_TRUE(again.ok()) << text;
    ASSERT_EQ(again->keys(), order->keys()) << text;
    for (const auto& a : Missions()) {
      for (const auto& b : Missions()) {
        ASSERT_FALSE(order->Less(*a, *b) && order->Less(*b, *a)) << text;
      }
    }
  }
}

}  // namespace
}  // namespace missions::registry
