// PeakSchedule: which instants DeepSeek bills at its peak rate.
//
// The rule is stated in a local time (Beijing, UTC+08:00): peak windows on given
// weekdays, except public holidays, which are whole local dates. Everything else
// is off-peak. The schedule only matters for rate rows that carry peak/off-peak
// bands; flat rows ignore it. Immutable after construction; thread-safe.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/time.h"

namespace ff::pricing {

class PeakSchedule {
 public:
  struct Window {
    int start_minute = 0;  // local minutes after midnight, inclusive
    int end_minute = 0;    // exclusive; at most 24*60
  };

  // What holds at an instant, and until when it keeps holding.
  struct Span {
    bool peak = false;
    core::Timestamp until;  // first instant at which `peak` may change
  };

  PeakSchedule() = default;
  PeakSchedule(std::int64_t utc_offset_seconds, std::vector<Window> windows, std::uint8_t weekday_mask,
               std::set<std::int64_t> holiday_days);

  Span at(core::Timestamp t) const;
  bool is_peak(core::Timestamp t) const { return at(t).peak; }
  bool is_holiday(core::CivilDate local_date) const;

  std::int64_t utc_offset_seconds() const { return utc_offset_seconds_; }
  const std::vector<Window>& windows() const { return windows_; }
  // Bit d set = weekday d (0 = Monday) has peak windows.
  std::uint8_t weekday_mask() const { return weekday_mask_; }
  size_t holiday_count() const { return holiday_days_.size(); }

  // Adds local holiday dates (days since the epoch).
  void add_holidays(const std::set<std::int64_t>& days) { holiday_days_.insert(days.begin(), days.end()); }

  // "09:00-12:00, 14:00-18:00 UTC+08:00, Mon-Fri except holidays"
  std::string describe() const;

 private:
  std::int64_t utc_offset_seconds_ = 0;
  std::vector<Window> windows_;  // sorted, non-overlapping
  std::uint8_t weekday_mask_ = 0;
  std::set<std::int64_t> holiday_days_;  // local dates as days since the epoch
};

}  // namespace ff::pricing
