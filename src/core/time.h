// Instants, civil dates and the clock.
//
// A Timestamp is a count of seconds since 1970-01-01T00:00:00Z (UTC, no leap
// seconds), the resolution DeepSeek's `created` field has. Civil-date helpers use
// the proleptic Gregorian calendar. The Clock interface is how code that needs
// "now" gets it, so tests and the simulator can fix the time.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ff::core {

struct Timestamp {
  std::int64_t unix_seconds = 0;
  auto operator<=>(const Timestamp&) const = default;
};

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  auto operator<=>(const CivilDate&) const = default;
};

constexpr std::int64_t kSecondsPerDay = 86'400;

// Days since 1970-01-01 for a civil date, and back (Howard Hinnant's algorithms).
std::int64_t days_from_civil(CivilDate d);
CivilDate civil_from_days(std::int64_t days);
// 0 = Monday ... 6 = Sunday, for days since the epoch.
int weekday_from_days(std::int64_t days);

// floor division, since timestamps before 1970 must map to the right day.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Parses an instant. Accepted forms:
//   2026-04-24T12:00:00Z, 2026-04-24T12:00Z, 2026-04-24 12:00:00+08:00,
//   2026-04-24T12:00:00.123Z (fraction dropped), 2026-04-24 (midnight UTC),
//   and a plain integer of Unix seconds (1777032000).
// A time without a zone is UTC. Fails with a message that quotes the input.
Result<Timestamp> parse_time(std::string_view text);

// A Unix time in seconds, milliseconds, microseconds or nanoseconds, told apart
// by magnitude: below 10^11 it is seconds (up to the year 5138), below 10^14
// milliseconds, below 10^17 microseconds, else nanoseconds. Truncated to the
// second (toward the past).
Timestamp unix_time_any_unit(std::int64_t value);

// Parses YYYY-MM-DD.
Result<CivilDate> parse_date(std::string_view text);

// "2026-04-24T12:00:00Z"
std::string format_time(Timestamp t);
// "2026-04-24"
std::string format_date(CivilDate d);

// Source of the current time. Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

// The system's real-time clock.
const Clock& system_clock();

}  // namespace ff::core
