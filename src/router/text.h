// Small text helpers shared by the router's feature extraction and its tier model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ff::router {

// Moves a cut point forward to the start of a UTF-8 character.
inline std::size_t char_boundary(std::string_view s, std::size_t i) {
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}

// An ASCII capital lower-cased; every other byte as it is.
constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Whether `text` is `lower` (lower-case ASCII, or other bytes) once its ASCII
// capitals are lower-cased.
constexpr bool equals_lowered(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t c = 0; c < text.size(); ++c) {
    if (ascii_lower(text[c]) != lower[c]) return false;
  }
  return true;
}

// Up to 8 bytes as one integer, in order from the low byte (text holds no NUL,
// so the zero padding is unambiguous): a short word compared in one step.
// `lower`: ASCII letters lower-cased first.
constexpr std::uint64_t pack8(std::string_view s, bool lower = false) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < s.size() && i < 8; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (lower && c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + 32);
    v |= std::uint64_t{c} << (8 * i);
  }
  return v;
}

// 64-bit FNV-1a over one or more pieces, as if they were one string.
class Fnv {
 public:
  constexpr Fnv& add(std::string_view s) {
    for (char c : s) byte(static_cast<unsigned char>(c));
    return *this;
  }
  constexpr Fnv& byte(unsigned char c) {
    h_ = (h_ ^ c) * 0x100000001b3ull;
    return *this;
  }
  constexpr std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ull;
};

}  // namespace ff::router
