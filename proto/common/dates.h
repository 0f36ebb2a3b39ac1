// Calendar dates as the registry uses them (google.type.Date): parsing,
// checking and formatting. Pure functions, no time zone involved.
#ifndef PROTO_COMMON_DATES_H_
#define PROTO_COMMON_DATES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "google/type/date.pb.h"

namespace missions {

// Parses "YYYY-MM-DD", "YYYY-MM" or "YYYY" into a date (partial for the
// last two). Returns InvalidArgument for any other text, for a year outside
// 1..9999 and for a day that does not exist (2021-02-30).
absl::StatusOr<google::type::Date> ParseDate(absl::string_view text);

// True if year, month and day are set and form a real calendar day.
bool IsFullDate(const google::type::Date& date);

// True for a full date, a year with a month (day 0) or a year alone
// (month and day 0).
bool IsValidPartialDate(const google::type::Date& date);

// True if no field is set (the "unset" value of an optional date).
bool IsEmptyDate(const google::type::Date& date);

// The first and last day a valid (possibly partial) date covers:
// "2021-03" covers 2021-03-01 to 2021-03-31. Undefined for invalid dates.
absl::CivilDay FirstDay(const google::type::Date& date);
absl::CivilDay LastDay(const google::type::Date& date);

// True if the period from `start` to `end` (partial dates cover their
// whole month or year; an empty start means "long ago", an empty end
// "still running") overlaps calendar year `year`.
bool PeriodOverlapsYear(const google::type::Date& start, const google::type::Date& end,
                        int year);

// Converts a civil day to a full date.
google::type::Date ToDate(absl::CivilDay day);

// "2021-06-14", "2021-03" or "2021".
std::string FormatIsoDate(const google::type::Date& date);

// The date in words: "14 juni 2021" (nl) or "14 June 2021" (en); partial
// dates as "maart 2021" / "March 2021" or "2021". Unknown languages get
// English.
std::string FormatLongDate(const google::type::Date& date,
                           absl::string_view language);

}  // namespace missions

#endif  // PROTO_COMMON_DATES_H_
