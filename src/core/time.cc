#include "core/time.h"

#include <cstdint>

#include <chrono>

#include <fmt/format.h>

namespace ff::core {

std::int64_t days_from_civil(CivilDate d) {
  std::int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (d.month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, day};
}

int weekday_from_days(std::int64_t days) {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

namespace {

bool read_digits(std::string_view s, size_t& pos, int count, int& out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (int i = 0; i < count; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += count;
  out = v;
  return true;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

Result<CivilDate> parse_date_prefix(std::string_view s, size_t& pos) {
  CivilDate d;
  if (!read_digits(s, pos, 4, d.year) || pos >= s.size() || s[pos++] != '-' || !read_digits(s, pos, 2, d.month) ||
      pos >= s.size() || s[pos++] != '-' || !read_digits(s, pos, 2, d.day)) {
    return make_error(fmt::format("'{}' is not a date (expected YYYY-MM-DD)", s));
  }
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month)) {
    return make_error(fmt::format("'{}' is not a valid calendar date", s));
  }
  return d;
}

}  // namespace

Result<CivilDate> parse_date(std::string_view text) {
  size_t pos = 0;
  auto d = parse_date_prefix(text, pos);
  if (!d.ok()) return d;
  if (pos != text.size()) return make_error(fmt::format("'{}' is not a date (expected YYYY-MM-DD)", text));
  return d;
}

Timestamp unix_time_any_unit(std::int64_t v) {
  auto floor_div = [](std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); };
  const std::uint64_t magnitude = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  if (magnitude < 100'000'000'000) return Timestamp{v};
  if (magnitude < 100'000'000'000'000) return Timestamp{floor_div(v, 1'000)};
  if (magnitude < 100'000'000'000'000'000) return Timestamp{floor_div(v, 1'000'000)};
  return Timestamp{floor_div(v, 1'000'000'000)};
}

Result<Timestamp> parse_time(std::string_view text) {
  auto bad = [&] {
    return make_error(fmt::format(
        "'{}' is not a time: use ISO 8601 like 2026-04-24T12:00:00Z (UTC when no zone is given) or Unix seconds",
        text));
  };
  if (text.empty()) return bad();
  if (text.find_first_not_of("0123456789") == std::string_view::npos) {
    if (text.size() > 19) return bad();  // no Unix time of any unit has 20 digits before the year 2286
    std::uint64_t v = 0;
    for (char c : text) v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v > static_cast<std::uint64_t>(INT64_MAX)) return bad();
    return unix_time_any_unit(static_cast<std::int64_t>(v));
  }
  size_t pos = 0;
  auto date = parse_date_prefix(text, pos);
  if (!date.ok()) return bad();
  int hour = 0, minute = 0, second = 0;
  std::int64_t offset_seconds = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return bad();
    ++pos;
    if (!read_digits(text, pos, 2, hour) || pos >= text.size() || text[pos++] != ':' ||
        !read_digits(text, pos, 2, minute)) {
      return bad();
    }
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!read_digits(text, pos, 2, second)) return bad();
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
        if (pos == start) return bad();
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return bad();
    if (pos < text.size()) {
      char z = text[pos];
      if (z == 'Z' || z == 'z') {
        ++pos;
      } else if (z == '+' || z == '-') {
        ++pos;
        int oh = 0, om = 0;
        if (!read_digits(text, pos, 2, oh)) return bad();
        if (pos < text.size() && text[pos] == ':') ++pos;
        if (!read_digits(text, pos, 2, om) || oh > 23 || om > 59) return bad();
        offset_seconds = (oh * 3600 + om * 60) * (z == '+' ? 1 : -1);
      } else {
        return bad();
      }
    }
    if (pos != text.size()) return bad();
  }
  if (second == 60) second = 59;  // a leap second belongs to the minute it ends
  std::int64_t t = days_from_civil(date.value()) * kSecondsPerDay + hour * 3600 + minute * 60 + second;
  return Timestamp{t - offset_seconds};
}

std::string format_date(CivilDate d) { return fmt::format("{:04d}-{:02d}-{:02d}", d.year, d.month, d.day); }

std::string format_time(Timestamp t) {
  std::int64_t days = floor_div(t.unix_seconds, kSecondsPerDay);
  std::int64_t sod = t.unix_seconds - days * kSecondsPerDay;
  return fmt::format("{}T{:02d}:{:02d}:{:02d}Z", format_date(civil_from_days(days)), sod / 3600, (sod / 60) % 60,
                     sod % 60);
}

namespace {
class SystemClock final : public Clock {
 public:
  Timestamp now() const override {
    auto s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    return Timestamp{s.count()};
  }
};
}  // namespace

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace ff::core
