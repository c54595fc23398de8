// Character classes used by the DeepSeek pre-tokenizer, as JavaScript's regular
// expressions define them (\p{L}, \p{M}, \p{N}, \p{P}, \p{S}, \s). The table is
// generated from the reference engine's Unicode data (unicode_tables.cc).
#pragma once

#include <cstdint>

namespace ff::tokenizer {

enum CharClass : std::uint8_t {
  kLetter = 1,
  kMark = 2,
  kNumber = 4,
  kPunct = 8,
  kSymbol = 16,
  kSpace = 32,
};

struct UnicodeRun {
  char32_t start;
  std::uint8_t flags;
};

extern const UnicodeRun kUnicodeRuns[];
extern const int kUnicodeRunCount;

// Classes of the Basic Multilingual Plane, filled from the runs before main().
extern std::uint8_t g_bmp_classes[0x10000];
// Classes above the BMP (binary search over the runs).
std::uint8_t astral_char_classes(char32_t cp);

// The CharClass bits of a code point. Thread-safe; O(1) in the BMP.
inline std::uint8_t char_classes(char32_t cp) { return cp < 0x10000 ? g_bmp_classes[cp] : astral_char_classes(cp); }

}  // namespace ff::tokenizer
