// UTF-8 helpers for the tokenizer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ff::tokenizer {

// True if `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);

// Replaces every ill-formed subsequence with U+FFFD the way the WHATWG decoder
// (and so JavaScript's TextDecoder) does: one replacement per maximal subpart.
std::string repair_utf8(std::string_view s);

// Decodes the code point at s[i] of valid UTF-8 and advances i.
inline char32_t next_code_point(std::string_view s, size_t& i) {
  unsigned char b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  auto cont = [&](size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F); };
  char32_t cp;
  if (b < 0xE0) {
    cp = (static_cast<char32_t>(b & 0x1F) << 6) | cont(1);
    i += 2;
  } else if (b < 0xF0) {
    cp = (static_cast<char32_t>(b & 0x0F) << 12) | (cont(1) << 6) | cont(2);
    i += 3;
  } else {
    cp = (static_cast<char32_t>(b & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3);
    i += 4;
  }
  return cp;
}

}  // namespace ff::tokenizer
