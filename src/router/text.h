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

// 64-bit FNV-1a over one or more pieces, as if they were one string.
class Fnv {
 public:
  Fnv& add(std::string_view s) {
    for (unsigned char c : s) byte(c);
    return *this;
  }
  Fnv& byte(unsigned char c) {
    h_ = (h_ ^ c) * 0x100000001b3ull;
    return *this;
  }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ull;
};

}  // namespace ff::router
