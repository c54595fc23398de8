// Implementation of pretokenize(); included by pretokenizer.h only.
#pragma once

#include <cstring>

#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace ff::tokenizer {
namespace detail {

inline bool is_cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FA5) || (c >= 0x3040 && c <= 0x309F) || (c >= 0x30A0 && c <= 0x30FF);
}
inline bool is_ascii_punct(char32_t c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}
inline bool is_ascii_alpha(char32_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
inline bool is_newline(char32_t c) { return c == '\r' || c == '\n'; }

// Code points and their classes by index: decoded arrays for general text, the
// bytes themselves for ASCII-only text (the common case, with no decoding at all).
struct DecodedView {
  const char32_t* cps;
  const std::uint8_t* fls;
  const std::uint32_t* offs;
  char32_t operator[](size_t i) const { return cps[i]; }
  std::uint8_t cls(size_t i) const { return fls[i]; }
  std::uint32_t offset(size_t i) const { return offs[i]; }
};
struct AsciiView {
  const unsigned char* bytes;
  char32_t operator[](size_t i) const { return bytes[i]; }
  std::uint8_t cls(size_t i) const { return g_bmp_classes[bytes[i]]; }
  std::uint32_t offset(size_t i) const { return static_cast<std::uint32_t>(i); }
};

inline bool is_ascii(std::string_view s) {
  size_t i = 0;
  std::uint64_t acc = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    acc |= w;
  }
  for (; i < s.size(); ++i) acc |= static_cast<unsigned char>(s[i]);
  return (acc & 0x8080808080808080ULL) == 0;
}

// Length in code points of the stage-3 match at `pos` within [pos, end), or 0.
template <typename View>
inline size_t match_stage3(const View& cp, size_t pos, size_t end) {
  struct Flags {
    const View& v;
    std::uint8_t operator[](size_t i) const { return v.cls(i); }
  } fl{cp};
  const char32_t c = cp[pos];
  const std::uint8_t f = fl[pos];
  // [ASCII punctuation][A-Za-z]+
  if (is_ascii_punct(c) && pos + 1 < end && is_ascii_alpha(cp[pos + 1])) {
    size_t j = pos + 2;
    while (j < end && is_ascii_alpha(cp[j])) ++j;
    return j - pos;
  }
  // [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
  constexpr std::uint8_t kLM = kLetter | kMark;
  if (f & kLM) {
    // A mark may be taken as the optional character; the match ends the same.
    size_t j = pos + 1;
    while (j < end && (fl[j] & kLM)) ++j;
    return j - pos;
  }
  if (!is_newline(c) && !(f & (kLetter | kPunct | kSymbol)) && pos + 1 < end && (fl[pos + 1] & kLM)) {
    size_t j = pos + 2;
    while (j < end && (fl[j] & kLM)) ++j;
    return j - pos;
  }
  // " ?[\p{P}\p{S}]+[\r\n]*"
  constexpr std::uint8_t kPS = kPunct | kSymbol;
  {
    size_t j = pos;
    if (c == ' ' && pos + 1 < end && (fl[pos + 1] & kPS)) j = pos + 1;
    if (fl[j] & kPS) {
      while (j < end && (fl[j] & kPS)) ++j;
      while (j < end && is_newline(cp[j])) ++j;
      return j - pos;
    }
  }
  if (!(f & kSpace)) return 0;
  size_t w_end = pos;
  size_t last_newline = end;  // none
  while (w_end < end && (fl[w_end] & kSpace)) {
    if (is_newline(cp[w_end])) last_newline = w_end;
    ++w_end;
  }
  // \s*[\r\n]+ : the whitespace up to and including its last line break.
  if (last_newline != end) return last_newline + 1 - pos;
  // \s+(?!\S) : the whole run at the end of the piece, else all but its last char.
  if (w_end == end) return w_end - pos;
  if (w_end - pos >= 2) return w_end - pos - 1;
  // \s+
  return w_end - pos;
}

// Splits [begin, end) by the matcher, emitting matches and the gaps between them.
template <typename Match, typename Emit>
inline void split_isolated(size_t begin, size_t end, Match&& match, Emit&& emit) {
  size_t gap = begin, pos = begin;
  while (pos < end) {
    size_t len = match(pos, end);
    if (len == 0) {
      ++pos;
      continue;
    }
    if (gap < pos) emit(gap, pos);
    emit(pos, pos + len);
    pos += len;
    gap = pos;
  }
  if (gap < end) emit(gap, end);
}

template <typename View, typename Emit>
void pretokenize_view(const View& v, size_t n, Emit& emit) {
  auto stage3 = [&](size_t b, size_t e) {
    split_isolated(
        b, e, [&](size_t pos, size_t end) { return match_stage3(v, pos, end); },
        [&](size_t pb, size_t pe) { emit(v.offset(pb), v.offset(pe)); });
  };
  // Stages 1 and 2 in one scan: no CJK character in stage 2's ranges is a number,
  // so the pieces are digit groups of up to three, CJK runs, and the runs between.
  size_t i = 0, other = 0;
  while (i < n) {
    size_t j = i;
    if (v.cls(i) & kNumber) {
      while (j < n && j < i + 3 && (v.cls(j) & kNumber)) ++j;
    } else if (is_cjk(v[i])) {
      while (j < n && is_cjk(v[j])) ++j;
    } else {
      ++i;
      continue;
    }
    if (other < i) stage3(other, i);
    if (v.cls(i) & kNumber) {
      emit(v.offset(i), v.offset(j));  // digits match no stage-3 alternative: one piece
    } else {
      stage3(i, j);
    }
    i = j;
    other = j;
  }
  if (other < n) stage3(other, n);
}

}  // namespace detail

template <typename Emit>
void pretokenize(std::string_view text, PretokenizerScratch& s, Emit&& emit) {
  if (detail::is_ascii(text)) {
    detail::pretokenize_view(detail::AsciiView{reinterpret_cast<const unsigned char*>(text.data())}, text.size(), emit);
    return;
  }
  // Sized once, filled by index: the decode loop is the pre-tokenizer's hot spot.
  s.cps.resize(text.size());
  s.flags.resize(text.size());
  s.offsets.resize(text.size() + 1);
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++n) {
    s.offsets[n] = static_cast<std::uint32_t>(i);
    unsigned char b = static_cast<unsigned char>(text[i]);
    char32_t c = b < 0x80 ? (++i, b) : next_code_point(text, i);
    s.cps[n] = c;
    s.flags[n] = char_classes(c);
  }
  s.offsets[n] = static_cast<std::uint32_t>(text.size());
  detail::pretokenize_view(detail::DecodedView{s.cps.data(), s.flags.data(), s.offsets.data()}, n, emit);
}

}  // namespace ff::tokenizer
