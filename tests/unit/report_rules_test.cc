#include "report-service/report/report_rules.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "tests/unit/report_test_data.h"

namespace missions::report {
namespace {

using ::registry::v1::InternationalMandateDecision;
using ::registry::v1::Mission;
using ::registry::v1::MissionRecord;
using ::registry::v1::NationalMandateDecision;
using test_data::Day;
using test_data::ParseText;

Mission MissionFrom(std::optional<google::type::Date> start,
                    std::optional<google::type::Date> end) {
  Mission mission;
  mission.set_name("missions/m");
  if (start.has_value()) *mission.mutable_start_date() = *start;
  if (end.has_value()) *mission.mutable_end_date() = *end;
  return mission;
}

TEST(IsActiveInYearTest, UnsetDatesMeanEarlierAndRunning) {
  EXPECT_TRUE(IsActiveInYear(MissionFrom(std::nullopt, std::nullopt), 2020));
  EXPECT_TRUE(IsActiveInYear(MissionFrom(Day(1956), std::nullopt), 2020));
}

TEST(IsActiveInYearTest, StartsAfterTheYear) {
  // Takuba: decided in 2020, started in March 2021.
  const Mission takuba = MissionFrom(Day(2021, 3), std::nullopt);
  EXPECT_FALSE(IsActiveInYear(takuba, 2020));
  EXPECT_TRUE(IsActiveInYear(takuba, 2021));
}

TEST(IsActiveInYearTest, StartOrEndOnTheYearsEdges) {
  EXPECT_TRUE(
      IsActiveInYear(MissionFrom(Day(2020, 12, 31), std::nullopt), 2020));
  EXPECT_FALSE(
      IsActiveInYear(MissionFrom(Day(2021, 1, 1), std::nullopt), 2020));
  EXPECT_TRUE(IsActiveInYear(MissionFrom(Day(2015), Day(2020, 1, 1)), 2020));
  EXPECT_FALSE(IsActiveInYear(MissionFrom(Day(2015), Day(2019, 12, 31)), 2020));
}

TEST(IsActiveInYearTest, EndedDuringTheYear) {
  // Sophia ended on 31 March 2020; IRINI started on 1 April 2020.
  const Mission sophia = MissionFrom(Day(2015, 6, 22), Day(2020, 3, 31));
  EXPECT_TRUE(IsActiveInYear(sophia, 2020));
  EXPECT_FALSE(IsActiveInYear(sophia, 2021));
  const Mission irini = MissionFrom(Day(2020, 4, 1), std::nullopt);
  EXPECT_TRUE(IsActiveInYear(irini, 2020));
  EXPECT_FALSE(IsActiveInYear(irini, 2019));
}

TEST(IsActiveInYearTest, PartialEndDateCoversItsWholePeriod) {
  EXPECT_TRUE(IsActiveInYear(MissionFrom(Day(2010), Day(2020)), 2020));
  EXPECT_TRUE(IsActiveInYear(MissionFrom(Day(2010), Day(2020, 1)), 2020));
  EXPECT_FALSE(IsActiveInYear(MissionFrom(Day(2010), Day(2019, 12)), 2020));
}

MissionRecord RecordWithInternationalDecisions() {
  return ParseText<MissionRecord>(R"pb(
    mission { name: "missions/m" }
    international_mandates {
      name: "a-2019"
      decided_on { year: 2019 month: 6 day: 1 }
      legal_basis { citation { key: "nl" value: "VNVR resolutie 2480" } }
      valid_until {
        kind: DATE
        date { year: 2020 month: 6 day: 30 }
      }
    }
    international_mandates {
      name: "undated"
      legal_basis { citation { key: "nl" value: "VNVR resolutie 1" } }
      valid_until { kind: INDEFINITE }
    }
    international_mandates {
      name: "b-2020-renewal"
      decided_on { year: 2020 month: 6 day: 29 }
      valid_until {
        kind: DATE
        date { year: 2021 month: 6 day: 30 }
      }
    }
    international_mandates {
      name: "c-2020-same-day"
      decided_on { year: 2020 month: 6 day: 29 }
      legal_basis { citation { key: "nl" value: "VNVR resolutie 2531" } }
      valid_until {
        kind: DATE
        date { year: 2021 month: 6 day: 30 }
      }
    }
  )pb");
}

std::vector<std::string> Names(
    const std::vector<const InternationalMandateDecision*>& decisions) {
  std::vector<std::string> names;
  for (const auto* decision : decisions) names.push_back(decision->name());
  return names;
}

TEST(InDecisionOrderTest, UndatedFirstThenByDateTiesInDatasetOrder) {
  const MissionRecord record = RecordWithInternationalDecisions();
  EXPECT_EQ(Names(InDecisionOrder(record.international_mandates())),
            (std::vector<std::string>{"undated", "a-2019", "b-2020-renewal",
                                      "c-2020-same-day"}));
}

TEST(InternationalDecisionOnTest, LatestDecisionTakenByTheDay) {
  const MissionRecord record = RecordWithInternationalDecisions();
  const auto on = [&](absl::CivilDay day, bool with_legal_basis) {
    const InternationalMandateDecision* decision =
        InternationalDecisionOn(record, day, with_legal_basis);
    return decision == nullptr ? std::string("none") : decision->name();
  };
  EXPECT_EQ(on(absl::CivilDay(2010, 1, 1), false), "undated");
  EXPECT_EQ(on(absl::CivilDay(2019, 6, 1), false), "a-2019");
  EXPECT_EQ(on(absl::CivilDay(2020, 6, 28), false), "a-2019");
  // Two decisions on the same day: the later one in the dataset wins.
  EXPECT_EQ(on(absl::CivilDay(2020, 6, 29), false), "c-2020-same-day");
  EXPECT_EQ(on(absl::CivilDay(2021, 5, 19), true), "c-2020-same-day");
}

TEST(InternationalDecisionOnTest, LegalBasisFromTheLatestDecisionStatingOne) {
  MissionRecord record = RecordWithInternationalDecisions();
  record.mutable_international_mandates()->RemoveLast();  // c-2020-same-day
  const InternationalMandateDecision* basis =
      InternationalDecisionOn(record, absl::CivilDay(2021, 5, 19), true);
  ASSERT_NE(basis, nullptr);
  EXPECT_EQ(basis->name(), "a-2019");
  const InternationalMandateDecision* latest =
      InternationalDecisionOn(record, absl::CivilDay(2021, 5, 19), false);
  ASSERT_NE(latest, nullptr);
  EXPECT_EQ(latest->name(), "b-2020-renewal");
}

TEST(InternationalDecisionOnTest, NoneBeforeTheFirstDatedDecision) {
  MissionRecord record = RecordWithInternationalDecisions();
  record.mutable_international_mandates()->DeleteSubrange(1, 1);  // undated
  EXPECT_EQ(InternationalDecisionOn(record, absl::CivilDay(2019, 5, 31), false),
            nullptr);
}

std::vector<std::string> InForce(const MissionRecord& record, int year) {
  std::vector<std::string> names;
  for (const NationalMandateDecision* decision :
       NationalDecisionsInForceDuring(record, year)) {
    names.push_back(decision->name());
  }
  return names;
}

TEST(NationalDecisionsInForceDuringTest, OverlapWithTheYear) {
  const auto record = ParseText<MissionRecord>(R"pb(
    mission { name: "missions/m" }
    national_mandates {
      name: "2016"
      decided_on { year: 2016 month: 1 day: 1 }
      valid_until {
        kind: DATE
        date { year: 2019 month: 12 day: 31 }
      }
    }
    national_mandates {
      name: "2019"
      decided_on { year: 2019 month: 12 day: 20 }
      valid_until {
        kind: DATE
        date { year: 2020 month: 6 day: 30 }
      }
    }
    national_mandates {
      name: "2020"
      decided_on { year: 2020 month: 6 day: 15 }
      valid_until { kind: INDEFINITE }
    }
    national_mandates {
      name: "2021"
      decided_on { year: 2021 month: 1 day: 10 }
      valid_until { kind: PER_ACTIVITY }
    }
  )pb");
  EXPECT_EQ(InForce(record, 2020), (std::vector<std::string>{"2019", "2020"}));
  EXPECT_EQ(InForce(record, 2019), (std::vector<std::string>{"2016", "2019"}));
  EXPECT_EQ(InForce(record, 2021), (std::vector<std::string>{"2020", "2021"}));
  EXPECT_EQ(InForce(record, 2015), (std::vector<std::string>{}));
}

TEST(NationalDecisionsInForceDuringTest, SupersededBeforeTheYearIsNotInForce) {
  // The 2017 decision runs until 2022 on paper but was replaced in 2019.
  const auto record = ParseText<MissionRecord>(R"pb(
    mission { name: "missions/m" }
    national_mandates {
      name: "2017"
      decided_on { year: 2017 month: 3 day: 1 }
      valid_until {
        kind: DATE
        date { year: 2022 month: 12 day: 31 }
      }
    }
    national_mandates {
      name: "2019"
      decided_on { year: 2019 month: 3 day: 1 }
      valid_until {
        kind: DATE
        date { year: 2022 month: 12 day: 31 }
      }
    }
  )pb");
  EXPECT_EQ(InForce(record, 2020), (std::vector<std::string>{"2019"}));
}

TEST(NationalDecisionsInForceDuringTest, UndatedAndSameDayDecisions) {
  const auto record = ParseText<MissionRecord>(R"pb(
    mission { name: "missions/m" }
    national_mandates {
      name: "undated-1"
      valid_until { kind: INDEFINITE }
    }
    national_mandates {
      name: "undated-2"
      valid_until { kind: INDEFINITE }
    }
    national_mandates {
      name: "same-day-1"
      decided_on { year: 2020 month: 5 day: 1 }
      valid_until { kind: INDEFINITE }
    }
    national_mandates {
      name: "same-day-2"
      decided_on { year: 2020 month: 5 day: 1 }
      valid_until { kind: INDEFINITE }
    }
  )pb");
  // undated-1 is replaced by undated-2 from the start; same-day-1 by
  // same-day-2 on its first day.
  EXPECT_EQ(InForce(record, 2020),
            (std::vector<std::string>{"undated-2", "same-day-2"}));
  EXPECT_EQ(InForce(record, 2019), (std::vector<std::string>{"undated-2"}));
}

TEST(NationalDecisionOnTest, LatestTakenByTheDay) {
  const auto record = ParseText<MissionRecord>(R"pb(
    mission { name: "missions/m" }
    national_mandates {
      name: "2021"
      decided_on { year: 2021 month: 4 day: 16 }
      valid_until {
        kind: DATE
        date { year: 2022 month: 8 day: 1 }
      }
    }
    national_mandates {
      name: "2019"
      decided_on { year: 2019 month: 7 day: 1 }
      valid_until {
        kind: DATE
        date { year: 2021 month: 8 day: 1 }
      }
    }
  )pb");
  ASSERT_NE(NationalDecisionOn(record, absl::CivilDay(2021, 5, 19)), nullptr);
  EXPECT_EQ(NationalDecisionOn(record, absl::CivilDay(2021, 5, 19))->name(),
            "2021");
  EXPECT_EQ(NationalDecisionOn(record, absl::CivilDay(2020, 12, 31))->name(),
            "2019");
  EXPECT_EQ(NationalDecisionOn(record, absl::CivilDay(2019, 6, 30)), nullptr);
}

TEST(CapSizeTest, SumsWhatTheCapStates) {
  using ::registry::v1::PersonnelCap;
  EXPECT_EQ(CapSize(ParseText<PersonnelCap>("military: 6 civilian: 10")), 16);
  EXPECT_EQ(CapSize(ParseText<PersonnelCap>("military: 3")), 3);
  EXPECT_EQ(CapSize(ParseText<PersonnelCap>("civilian: 0")), 0);
  EXPECT_EQ(CapSize(ParseText<PersonnelCap>("combined: 15")), 15);
  EXPECT_EQ(CapSize(PersonnelCap()), -1);
}

}  // namespace
}  // namespace missions::report
