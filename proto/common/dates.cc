#include "proto/common/dates.h"

#include <array>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace missions {
namespace {

constexpr std::array<absl::string_view, 12> kMonthsNl = {
    "januari", "februari", "maart",     "april",   "mei",      "juni",
    "juli",    "augustus", "september", "oktober", "november", "december"};
constexpr std::array<absl::string_view, 12> kMonthsEn = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

}  // namespace

absl::StatusOr<google::type::Date> ParseDate(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a date (YYYY-MM-DD, YYYY-MM or YYYY): ", why));
  };
  if (parts.empty() || parts.size() > 3) return bad("wrong shape");
  const std::array<size_t, 3> widths = {4, 2, 2};
  std::array<int, 3> values = {0, 0, 0};
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].size() != widths[i] || !AllDigits(parts[i]) ||
        !absl::SimpleAtoi(parts[i], &values[i])) {
      return bad("wrong shape");
    }
  }
  google::type::Date date;
  date.set_year(values[0]);
  date.set_month(values[1]);
  date.set_day(values[2]);
  if (date.year() < 1) return bad("year out of range");
  if (parts.size() >= 2 && (date.month() < 1 || date.month() > 12)) {
    return bad("no such month");
  }
  if (parts.size() == 3 && !IsFullDate(date)) return bad("no such day");
  return date;
}

bool IsFullDate(const google::type::Date& date) {
  if (date.year() < 1 || date.year() > 9999 || date.month() < 1 ||
      date.month() > 12 || date.day() < 1 || date.day() > 31) {
    return false;
  }
  const absl::CivilDay day(date.year(), date.month(), date.day());
  return day.year() == date.year() && day.month() == date.month() &&
         day.day() == date.day();
}

bool IsValidPartialDate(const google::type::Date& date) {
  if (date.year() < 1 || date.year() > 9999) return false;
  if (date.month() == 0) return date.day() == 0;
  if (date.day() == 0) return date.month() >= 1 && date.month() <= 12;
  return IsFullDate(date);
}

bool IsEmptyDate(const google::type::Date& date) {
  return date.year() == 0 && date.month() == 0 && date.day() == 0;
}

absl::CivilDay FirstDay(const google::type::Date& date) {
  return absl::CivilDay(date.year(), date.month() == 0 ? 1 : date.month(),
                        date.day() == 0 ? 1 : date.day());
}

absl::CivilDay LastDay(const google::type::Date& date) {
  if (date.month() == 0) return absl::CivilDay(date.year(), 12, 31);
  if (date.day() == 0) {
    return absl::CivilDay(absl::CivilMonth(date.year(), date.month()) + 1) - 1;
  }
  return absl::CivilDay(date.year(), date.month(), date.day());
}

bool PeriodOverlapsYear(const google::type::Date& start, const google::type::Date& end,
                        int year) {
  if (!IsEmptyDate(start) && FirstDay(start) > absl::CivilDay(year, 12, 31)) return false;
  if (!IsEmptyDate(end) && LastDay(end) < absl::CivilDay(year, 1, 1)) return false;
  return true;
}

google::type::Date ToDate(absl::CivilDay day) {
  google::type::Date date;
  date.set_year(static_cast<int>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

std::string FormatIsoDate(const google::type::Date& date) {
  if (date.month() == 0) return absl::StrFormat("%04d", date.year());
  if (date.day() == 0) {
    return absl::StrFormat("%04d-%02d", date.year(), date.month());
  }
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

std::string FormatLongDate(const google::type::Date& date,
                           absl::string_view language) {
  if (date.month() < 1 || date.month() > 12) return absl::StrCat(date.year());
  const auto& months = language == "nl" ? kMonthsNl : kMonthsEn;
  const absl::string_view month = months[date.month() - 1];
  if (date.day() == 0) return absl::StrCat(month, " ", date.year());
  return absl::StrCat(date.day(), " ", month, " ", date.year());
}

}  // namespace missions
