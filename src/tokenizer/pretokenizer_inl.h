// Implementation of pretokenize(); included by pretokenizer.h only.
#pragma once

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

// Length in code points of the stage-3 match at `pos` within [pos, end), or 0.
inline size_t match_stage3(const char32_t* cp, const std::uint8_t* fl, size_t pos, size_t end) {
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

}  // namespace detail

template <typename Emit>
void pretokenize(std::string_view text, PretokenizerScratch& s, Emit&& emit) {
  s.cps.clear();
  s.flags.clear();
  s.offsets.clear();
  for (size_t i = 0; i < text.size();) {
    s.offsets.push_back(static_cast<std::uint32_t>(i));
    char32_t c = next_code_point(text, i);
    s.cps.push_back(c);
    s.flags.push_back(char_classes(c));
  }
  s.offsets.push_back(static_cast<std::uint32_t>(text.size()));
  const char32_t* cp = s.cps.data();
  const std::uint8_t* fl = s.flags.data();
  const std::uint32_t* off = s.offsets.data();

  auto stage3 = [&](size_t b, size_t e) {
    detail::split_isolated(
        b, e, [&](size_t pos, size_t end) { return detail::match_stage3(cp, fl, pos, end); },
        [&](size_t pb, size_t pe) { emit(off[pb], off[pe]); });
  };
  auto stage2 = [&](size_t b, size_t e) {
    detail::split_isolated(
        b, e,
        [&](size_t pos, size_t end) {
          size_t j = pos;
          while (j < end && detail::is_cjk(cp[j])) ++j;
          return j - pos;
        },
        stage3);
  };
  detail::split_isolated(
      0, s.cps.size(),
      [&](size_t pos, size_t end) {
        size_t j = pos;
        while (j < end && j < pos + 3 && (fl[j] & kNumber)) ++j;
        return j - pos;
      },
      stage2);
}

}  // namespace ff::tokenizer
