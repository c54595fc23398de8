// Small text helpers for messages a person reads. Pure; any thread.
#pragma once

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ff::core {

// "1 tool", "2 tools", "0 tools": a count and its noun, plural by adding "s"
// unless `plural` names another form ("1 query", "2 queries").
inline std::string count_of(std::int64_t n, std::string_view singular, std::string_view plural = {}) {
  std::string out = std::to_string(n);
  out += ' ';
  if (n == 1) {
    out += singular;
  } else if (plural.empty()) {
    out.append(singular).push_back('s');
  } else {
    out += plural;
  }
  return out;
}

// Calls f(line number, line) for each line of `text` with anything but spaces,
// tabs and a CR in it (numbers count from 1, blank lines included); stops at the
// first call that returns a failed Status, and returns it.
template <typename F>
Status each_nonblank_line(std::string_view text, F&& f) {
  std::int64_t number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    const std::string_view line = text.substr(start, end - start);
    ++number;
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (Status s = f(number, line); !s.ok()) return s;
  }
  return Status::Ok();
}

// Eight bytes looked at at once (SWAR), for the scans of a per-request path
// that look for the rare byte to escape: `load8` reads them, the tests say
// whether any of them is one byte or is not printable ASCII.
namespace swar {
inline constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
inline std::uint64_t load8(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
// Whether any byte of `w` is `c` (exact as to "any": the classic zero-byte test).
inline bool has_byte(std::uint64_t w, unsigned char c) {
  const std::uint64_t v = w ^ (kOnes * c);
  return ((v - kOnes) & ~v & kHigh) != 0;
}
// Whether any byte of `w` is a control, DEL, or 0x80 and above.
inline bool has_unprintable(std::uint64_t w) {
  const std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;  // exact for bytes below 0x80
  return ((w & kHigh) | below_space) != 0 || has_byte(w, 0x7f);
}
}  // namespace swar

namespace detail {
inline std::string_view part(std::string_view s) { return s; }
// A string literal: its length is known when compiled (a string_view made of it
// inside append_parts is not folded, and measures it each time). Literals only:
// a char buffer holding a shorter string would be appended whole.
template <std::size_t N>
std::string_view part(const char (&s)[N]) {
  assert(std::char_traits<char>::length(s) == N - 1);
  return {s, N - 1};
}
}  // namespace detail

// Appends the parts (strings, string_views, literals) to `out` in order, growing
// it at most once: how a per-request path writes an HTTP head or a log line.
template <typename... Parts>
void append_parts(std::string& out, const Parts&... parts) {
  const std::string_view views[] = {detail::part(parts)...};
  const std::size_t at = out.size();
  std::size_t n = at;
  for (std::string_view v : views) n += v.size();
  if (n > out.capacity()) out.reserve(std::max(n, 2 * out.capacity()));
  out.resize(n);  // one call into the string; each part is then a plain copy
  char* p = out.data() + at;
  for (std::string_view v : views) {
    if (v.empty()) continue;  // an empty view's data may be null
    std::memcpy(p, v.data(), v.size());
    p += v.size();
  }
}

// Appends the decimal digits of `n` to `out`.
inline void append_int(std::string& out, std::int64_t n) {
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
}

}  // namespace ff::core
