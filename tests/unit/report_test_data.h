// Small builders of registry records for the report_core tests.
#ifndef TESTS_UNIT_REPORT_TEST_DATA_H_
#define TESTS_UNIT_REPORT_TEST_DATA_H_

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "registry/v1/registry_service.pb.h"
#include "registry/v1/resources.pb.h"

namespace missions::report::test_data {

// Parses a message from protobuf text format; fails the test on errors.
template <typename Message>
Message ParseText(absl::string_view text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(std::string(text),
                                                            &message))
      << text;
  return message;
}

// A date; month and day 0 make it partial.
inline google::type::Date Day(int year, int month = 0, int day = 0) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

// A dataset with report year `year` (published 19 May of the next year)
// and one region, `regions/r1` ("Regio 1" / "Region 1", order 10).
inline ::registry::v1::Dataset BaseDataset(int year = 2020) {
  ::registry::v1::Dataset data;
  ::registry::v1::ReportYear* report_year = data.add_report_years();
  report_year->set_name(absl::StrCat("reportYears/", year));
  report_year->set_year(year);
  *report_year->mutable_publication_date() = Day(year + 1, 5, 19);
  ::registry::v1::Region* region = data.add_regions();
  region->set_name("regions/r1");
  (*region->mutable_display_name())["nl"] = "Regio 1";
  (*region->mutable_display_name())["en"] = "Region 1";
  region->set_report_order(10);
  return data;
}

// Adds an international mission `missions/{id}` with short name `short_name`
// to `data`, in `region`, active since 2000.
inline ::registry::v1::MissionRecord& AddMission(
    ::registry::v1::Dataset& data, absl::string_view id,
    absl::string_view short_name, absl::string_view region = "regions/r1",
    int report_order = 10) {
  ::registry::v1::MissionRecord* record = data.add_missions();
  ::registry::v1::Mission* mission = record->mutable_mission();
  mission->set_name(absl::StrCat("missions/", id));
  mission->set_short_name(std::string(short_name));
  mission->set_region(std::string(region));
  mission->set_report_order(report_order);
  mission->set_lead_organization(::registry::v1::LEAD_ORGANIZATION_UN);
  mission->set_kind(::registry::v1::MISSION_KIND_INTERNATIONAL);
  *mission->mutable_start_date() = Day(2000);
  return *record;
}

// Adds a national decision taken on `decided_on` (nullopt: undated), valid
// until the end of `valid_until_year`, with the cap given in text format
// (e.g. "military: 3 civilian: 0", "combined: 15", "pool: 'capPools/p'").
inline ::registry::v1::NationalMandateDecision& AddNationalDecision(
    ::registry::v1::MissionRecord& record,
    std::optional<google::type::Date> decided_on, int valid_until_year,
    absl::string_view cap) {
  ::registry::v1::NationalMandateDecision* decision =
      record.add_national_mandates();
  decision->set_name(absl::StrCat(record.mission().name(), "/nationalMandates/",
                                  record.national_mandates_size()));
  if (decided_on.has_value()) *decision->mutable_decided_on() = *decided_on;
  decision->mutable_valid_until()->set_kind(::registry::v1::EndDate::DATE);
  *decision->mutable_valid_until()->mutable_date() =
      Day(valid_until_year, 12, 31);
  *decision->mutable_cap() = ParseText<::registry::v1::PersonnelCap>(cap);
  return *decision;
}

// Adds personnel figures for `year`.
inline void AddPersonnel(::registry::v1::MissionRecord& record, int year,
                         int military, int civilian) {
  ::registry::v1::PersonnelFigures* figures = record.add_personnel();
  figures->set_name(
      absl::StrCat(record.mission().name(), "/personnelFigures/", year));
  figures->set_year(year);
  figures->set_military(military);
  figures->set_civilian(civilian);
}

// Adds a cap pool `capPools/{id}` with the cap given in text format.
inline void AddPool(::registry::v1::Dataset& data, absl::string_view id,
                    absl::string_view title, absl::string_view cap) {
  ::registry::v1::CapPool* pool = data.add_cap_pools();
  pool->set_name(absl::StrCat("capPools/", id));
  (*pool->mutable_display_name())["nl"] = std::string(title);
  *pool->mutable_cap() = ParseText<::registry::v1::PersonnelCap>(cap);
}

}  // namespace missions::report::test_data

#endif  // TESTS_UNIT_REPORT_TEST_DATA_H_
