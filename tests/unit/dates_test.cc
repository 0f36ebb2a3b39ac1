#include "proto/common/dates.h"

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace missions {
namespace {

using ::testing::HasSubstr;

google::type::Date MakeDate(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

TEST(ParseDateTest, AcceptsFullDatesIncludingLeapDays) {
  absl::StatusOr<google::type::Date> date = ParseDate("2020-02-29");
  ASSERT_TRUE(date.ok()) << date.status();
  EXPECT_EQ(date->year(), 2020);
  EXPECT_EQ(date->month(), 2);
  EXPECT_EQ(date->day(), 29);
  EXPECT_TRUE(ParseDate("2000-02-29").ok());
  EXPECT_TRUE(ParseDate("2021-12-31").ok());
}

TEST(ParseDateTest, RejectsDaysThatDoNotExist) {
  for (const char* text : {"2021-02-30", "2021-02-29", "1900-02-29",
                           "2021-04-31", "2021-01-32", "2021-01-00"}) {
    absl::StatusOr<google::type::Date> date = ParseDate(text);
    ASSERT_FALSE(date.ok()) << text;
    EXPECT_EQ(date.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(date.status().message(), HasSubstr(text));
  }
}

TEST(ParseDateTest, AcceptsPartialDates) {
  absl::StatusOr<google::type::Date> month = ParseDate("2021-03");
  ASSERT_TRUE(month.ok());
  EXPECT_EQ(month->year(), 2021);
  EXPECT_EQ(month->month(), 3);
  EXPECT_EQ(month->day(), 0);
  absl::StatusOr<google::type::Date> year = ParseDate("1956");
  ASSERT_TRUE(year.ok());
  EXPECT_EQ(year->year(), 1956);
  EXPECT_EQ(year->month(), 0);
  EXPECT_EQ(year->day(), 0);
}

TEST(ParseDateTest, RejectsOtherShapes) {
  for (const char* text :
       {"", "2021-13", "2021-00", "21-03-01", "2021-3-01", "2021-03-1",
        "2021/03/01", "2021-03-01-01", "0000", "abcd", " 2021", "2021-03-01T",
        "+2021", "-2021", "2021-"}) {
    EXPECT_FALSE(ParseDate(text).ok()) << "'" << text << "'";
  }
}

TEST(DateChecksTest, FullPartialEmpty) {
  EXPECT_TRUE(IsFullDate(MakeDate(2020, 2, 29)));
  EXPECT_FALSE(IsFullDate(MakeDate(2021, 2, 29)));
  EXPECT_FALSE(IsFullDate(MakeDate(2021, 3, 0)));
  EXPECT_FALSE(IsFullDate(MakeDate(0, 1, 1)));

  EXPECT_TRUE(IsValidPartialDate(MakeDate(2021, 3, 14)));
  EXPECT_TRUE(IsValidPartialDate(MakeDate(2021, 3, 0)));
  EXPECT_TRUE(IsValidPartialDate(MakeDate(2021, 0, 0)));
  EXPECT_FALSE(IsValidPartialDate(MakeDate(2021, 0, 5)));
  EXPECT_FALSE(IsValidPartialDate(MakeDate(2021, 13, 0)));
  EXPECT_FALSE(IsValidPartialDate(MakeDate(2021, 2, 30)));
  EXPECT_FALSE(IsValidPartialDate(MakeDate(0, 0, 0)));

  EXPECT_TRUE(IsEmptyDate(google::type::Date()));
  EXPECT_FALSE(IsEmptyDate(MakeDate(2021, 0, 0)));
}

TEST(DateRangeTest, FirstAndLastDayOfPartialDates) {
  EXPECT_EQ(FirstDay(MakeDate(2021, 2, 0)), absl::CivilDay(2021, 2, 1));
  EXPECT_EQ(LastDay(MakeDate(2021, 2, 0)), absl::CivilDay(2021, 2, 28));
  EXPECT_EQ(LastDay(MakeDate(2020, 2, 0)), absl::CivilDay(2020, 2, 29));
  EXPECT_EQ(LastDay(MakeDate(2020, 12, 0)), absl::CivilDay(2020, 12, 31));
  EXPECT_EQ(FirstDay(MakeDate(2021, 0, 0)), absl::CivilDay(2021, 1, 1));
  EXPECT_EQ(LastDay(MakeDate(2021, 0, 0)), absl::CivilDay(2021, 12, 31));
  EXPECT_EQ(FirstDay(MakeDate(2020, 3, 31)), absl::CivilDay(2020, 3, 31));
  EXPECT_EQ(LastDay(MakeDate(2020, 3, 31)), absl::CivilDay(2020, 3, 31));
}

TEST(DateFormatTest, IsoAndRoundTrip) {
  EXPECT_EQ(FormatIsoDate(MakeDate(2021, 6, 14)), "2021-06-14");
  EXPECT_EQ(FormatIsoDate(MakeDate(2021, 3, 0)), "2021-03");
  EXPECT_EQ(FormatIsoDate(MakeDate(2021, 0, 0)), "2021");
  const google::type::Date date = ToDate(absl::CivilDay(2020, 4, 1));
  EXPECT_EQ(FormatIsoDate(date), "2020-04-01");
  EXPECT_EQ(FormatIsoDate(*ParseDate("2008-02")), "2008-02");
}

TEST(DateFormatTest, LongDatesInDutchAndEnglish) {
  EXPECT_EQ(FormatLongDate(MakeDate(2021, 6, 14), "nl"), "14 juni 2021");
  EXPECT_EQ(FormatLongDate(MakeDate(2021, 6, 14), "en"), "14 June 2021");
  EXPECT_EQ(FormatLongDate(MakeDate(2020, 3, 31), "nl"), "31 maart 2020");
  EXPECT_EQ(FormatLongDate(MakeDate(2021, 3, 0), "nl"), "maart 2021");
  EXPECT_EQ(FormatLongDate(MakeDate(2021, 3, 0), "en"), "March 2021");
  EXPECT_EQ(FormatLongDate(MakeDate(1956, 0, 0), "nl"), "1956");
  EXPECT_EQ(FormatLongDate(MakeDate(2021, 1, 1), "fr"), "1 January 2021");
}

}  // namespace
}  // namespace missions
