#include "core/time.h"

#include <gtest/gtest.h>

namespace ff::core {
namespace {

TEST(Time, ParsesIsoForms) {
  // 2026-04-24T12:00:00Z: 20567 days after the epoch (checked with `date -ud @1777032000`).
  EXPECT_EQ(parse_time("2026-04-24T12:00:00Z")->unix_seconds, 1777032000);
  EXPECT_EQ(parse_time("2026-04-24T12:00Z")->unix_seconds, 1777032000);
  EXPECT_EQ(parse_time("2026-04-24 12:00:00")->unix_seconds, 1777032000);
  EXPECT_EQ(parse_time("2026-04-24T20:00:00+08:00")->unix_seconds, 1777032000);
  EXPECT_EQ(parse_time("2026-04-24T07:30:00-04:30")->unix_seconds, 1777032000);
  EXPECT_EQ(parse_time("2026-04-24T12:00:00.999Z")->unix_seconds, 1777032000);
  EXPECT_EQ(parse_time("2026-04-24")->unix_seconds, 1777032000 - 12 * 3600);
  EXPECT_EQ(parse_time("1777032000")->unix_seconds, 1777032000);
}

TEST(Time, RejectsMalformedTimes) {
  for (const char* bad : {"", "2026-13-01", "2026-02-30", "2026-04-24T25:00Z", "2026-04-24T12", "yesterday",
                          "2026-04-24T12:00:00Q", "2026-04-24T12:00:00+8", "12345678901234567890"}) {
    EXPECT_FALSE(parse_time(bad).ok()) << bad;
  }
  // 14 digits were refused as seconds; they are milliseconds now (unix_time_any_unit).
  EXPECT_EQ(parse_time("12345678901234")->unix_seconds, 12345678901);
  EXPECT_NE(parse_time("yesterday").error().message.find("'yesterday' is not a time"), std::string::npos);
}

TEST(Time, FormatsAndCivilDates) {
  EXPECT_EQ(format_time(Timestamp{1777032000}), "2026-04-24T12:00:00Z");
  EXPECT_EQ(format_time(Timestamp{-1}), "1969-12-31T23:59:59Z");
  EXPECT_EQ(days_from_civil({1970, 1, 1}), 0);
  EXPECT_EQ(days_from_civil({2000, 3, 1}), 11017);
  EXPECT_EQ(format_date(civil_from_days(days_from_civil({2024, 2, 29}))), "2024-02-29");
  // 2026-11-28 is a Saturday; 2026-10-01 a Thursday.
  EXPECT_EQ(weekday_from_days(days_from_civil({2026, 11, 28})), 5);
  EXPECT_EQ(weekday_from_days(days_from_civil({2026, 10, 1})), 3);
  EXPECT_EQ(weekday_from_days(days_from_civil({1969, 12, 29})), 0);  // a Monday before the epoch
}

TEST(UnixTimeAnyUnit, ToldApartByMagnitude) {
  // 2026-11-02T12:00:00Z is 1,793,620,800 s (python3: datetime(2026,11,2,12,tzinfo=utc).timestamp()).
  EXPECT_EQ(unix_time_any_unit(1793620800).unix_seconds, 1793620800);
  EXPECT_EQ(unix_time_any_unit(1793620800123).unix_seconds, 1793620800);        // ms
  EXPECT_EQ(unix_time_any_unit(1793620800123456).unix_seconds, 1793620800);     // us
  EXPECT_EQ(unix_time_any_unit(1793620800123456789).unix_seconds, 1793620800);  // ns
  // The boundaries: 10^11 - 1 s is the year 5138; 10^11 is read as ms (1973-03-03).
  EXPECT_EQ(unix_time_any_unit(99'999'999'999).unix_seconds, 99'999'999'999);
  EXPECT_EQ(unix_time_any_unit(100'000'000'000).unix_seconds, 100'000'000);
  // Before 1970, toward the past: -1500 ms is -2 s.
  EXPECT_EQ(unix_time_any_unit(-100'000'001'500).unix_seconds, -100'000'002);
  EXPECT_EQ(unix_time_any_unit(INT64_MIN).unix_seconds, -9'223'372'037);
  // The same through parse_time's digits.
  EXPECT_EQ(parse_time("1793620800123")->unix_seconds, 1793620800);
  EXPECT_EQ(parse_time("1793620800123456789")->unix_seconds, 1793620800);
  EXPECT_FALSE(parse_time("99999999999999999999").ok());
}

}  // namespace
}  // namespace ff::core
