#include "tokenizer/utf8.h"

#include <simdjson.h>

#include <array>

#include "tokenizer/unicode_tables.h"

namespace ff::tokenizer {

bool is_valid_utf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

std::string repair_utf8(std::string_view s) {
  static constexpr char kReplacement[] = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(s.size() + 16);
  const size_t n = s.size();
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  while (i < n) {
    unsigned char b = byte(i);
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    int need;
    unsigned char lower = 0x80, upper = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      need = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      need = 2;
      if (b == 0xE0) lower = 0xA0;
      if (b == 0xED) upper = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      need = 3;
      if (b == 0xF0) lower = 0x90;
      if (b == 0xF4) upper = 0x8F;
    } else {
      out += kReplacement;
      ++i;
      continue;
    }
    size_t j = i + 1;
    bool ok = true;
    for (int k = 0; k < need; ++k, ++j) {
      if (j >= n || byte(j) < lower || byte(j) > upper) {
        ok = false;
        break;
      }
      lower = 0x80;
      upper = 0xBF;
    }
    if (ok) {
      out.append(s.substr(i, j - i));
    } else {
      out += kReplacement;  // the offending byte (at j) is decoded afresh
    }
    i = j;
  }
  return out;
}

std::uint8_t g_bmp_classes[0x10000];

namespace {
// Fills g_bmp_classes during static initialisation of this file.
const bool kBmpFilled = [] {
  for (int r = 0; r < kUnicodeRunCount; ++r) {
    char32_t start = kUnicodeRuns[r].start;
    if (start >= 0x10000) break;
    char32_t end = r + 1 < kUnicodeRunCount ? kUnicodeRuns[r + 1].start : 0x110000;
    for (char32_t c = start; c < end && c < 0x10000; ++c) g_bmp_classes[c] = kUnicodeRuns[r].flags;
  }
  return true;
}();
}  // namespace

std::uint8_t astral_char_classes(char32_t cp) {
  // Binary search for the last run starting at or before cp.
  int lo = 0, hi = kUnicodeRunCount - 1;
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (kUnicodeRuns[mid].start <= cp) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return kUnicodeRuns[lo].flags;
}

}  // namespace ff::tokenizer
