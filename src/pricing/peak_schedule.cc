#include "pricing/peak_schedule.h"

#include <algorithm>

#include <fmt/format.h>

namespace ff::pricing {

PeakSchedule::PeakSchedule(std::int64_t utc_offset_seconds, std::vector<Window> windows, std::uint8_t weekday_mask,
                           std::set<std::int64_t> holiday_days)
    : utc_offset_seconds_(utc_offset_seconds),
      windows_(std::move(windows)),
      weekday_mask_(weekday_mask),
      holiday_days_(std::move(holiday_days)) {
  std::sort(windows_.begin(), windows_.end(),
            [](const Window& a, const Window& b) { return a.start_minute < b.start_minute; });
}

bool PeakSchedule::is_holiday(core::CivilDate d) const { return holiday_days_.count(core::days_from_civil(d)) != 0; }

PeakSchedule::Span PeakSchedule::at(core::Timestamp t) const {
  const std::int64_t local = t.unix_seconds + utc_offset_seconds_;
  const std::int64_t day = core::floor_div(local, core::kSecondsPerDay);
  const std::int64_t day_start_utc = day * core::kSecondsPerDay - utc_offset_seconds_;
  const std::int64_t second_of_day = local - day * core::kSecondsPerDay;
  const core::Timestamp next_midnight{day_start_utc + core::kSecondsPerDay};

  const bool peak_day = (weekday_mask_ >> core::weekday_from_days(day) & 1) && holiday_days_.count(day) == 0;
  if (!peak_day) return {false, next_midnight};
  for (const Window& w : windows_) {
    const std::int64_t start = w.start_minute * 60, end = w.end_minute * 60;
    if (second_of_day < start) return {false, core::Timestamp{day_start_utc + start}};
    if (second_of_day < end) return {true, core::Timestamp{day_start_utc + end}};
  }
  return {false, next_midnight};
}

std::string PeakSchedule::describe() const {
  static constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  std::string out;
  for (const Window& w : windows_) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{:02d}:{:02d}-{:02d}:{:02d}", w.start_minute / 60, w.start_minute % 60, w.end_minute / 60,
                       w.end_minute % 60);
  }
  const std::int64_t off = utc_offset_seconds_ < 0 ? -utc_offset_seconds_ : utc_offset_seconds_;
  out += fmt::format(" UTC{}{:02d}:{:02d}", utc_offset_seconds_ < 0 ? '-' : '+', off / 3600, (off / 60) % 60);
  std::string days;
  for (int d = 0; d < 7; ++d) {
    if (weekday_mask_ >> d & 1) days += std::string(days.empty() ? "" : ",") + kDays[d];
  }
  if (weekday_mask_ == 0x1f) days = "Mon-Fri";
  out += " on " + days;
  if (!holiday_days_.empty()) out += fmt::format(" except {} listed holidays", holiday_days_.size());
  return out;
}

}  // namespace ff::pricing
