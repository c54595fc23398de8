// The tokenizer against slow references: the hand-written pre-tokenizer against
// a straightforward reading of its three regular expressions (tried alternative
// by alternative, at every position, as a backtracking regex engine tries them),
// count() against encode().size(), and decode(encode(text)) against the text
// (repaired the way TextDecoder repairs invalid UTF-8).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace {

using ff::tokenizer::char_classes;
namespace tk = ff::tokenizer;

struct Text {
  std::vector<char32_t> cp;
  std::vector<std::size_t> offset;  // byte offset of each code point, plus the end
};

bool has(char32_t c, std::uint8_t cls) { return (char_classes(c) & cls) != 0; }
bool newline(char32_t c) { return c == '\r' || c == '\n'; }
bool space(char32_t c) { return has(c, tk::kSpace); }
bool cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FA5) || (c >= 0x3040 && c <= 0x309F) || (c >= 0x30A0 && c <= 0x30FF);
}
bool ascii_punct(char32_t c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}
bool ascii_alpha(char32_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

template <typename Pred>
std::size_t run(const Text& t, std::size_t i, std::size_t end, Pred p) {
  std::size_t n = 0;
  while (i + n < end && p(t.cp[i + n])) ++n;
  return n;
}

// \p{N}{1,3}
std::size_t stage1(const Text& t, std::size_t s, std::size_t end) {
  return std::min<std::size_t>(3, run(t, s, end, [](char32_t c) { return has(c, tk::kNumber); }));
}
// [一-龥぀-ゟ゠-ヿ]+
std::size_t stage2(const Text& t, std::size_t s, std::size_t end) { return run(t, s, end, cjk); }
// The six alternatives of stage 3, first match wins.
std::size_t stage3(const Text& t, std::size_t s, std::size_t end) {
  const char32_t c = t.cp[s];
  auto letter_or_mark = [](char32_t x) { return has(x, tk::kLetter | tk::kMark); };
  auto punct_or_symbol = [](char32_t x) { return has(x, tk::kPunct | tk::kSymbol); };
  // [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+
  if (ascii_punct(c)) {
    if (std::size_t k = run(t, s + 1, end, ascii_alpha)) return 1 + k;
  }
  // [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+ : with the optional character, then without
  if (!newline(c) && !has(c, tk::kLetter | tk::kPunct | tk::kSymbol)) {
    if (std::size_t k = run(t, s + 1, end, letter_or_mark)) return 1 + k;
  }
  if (std::size_t k = run(t, s, end, letter_or_mark)) return k;
  //  ?[\p{P}\p{S}]+[\r\n]*
  if (c == ' ') {
    if (std::size_t k = run(t, s + 1, end, punct_or_symbol)) return 1 + k + run(t, s + 1 + k, end, newline);
  }
  if (std::size_t k = run(t, s, end, punct_or_symbol)) return k + run(t, s + k, end, newline);
  const std::size_t w = run(t, s, end, space);
  // \s*[\r\n]+ : \s* gives back until a newline follows; [\r\n]+ then takes the newlines there
  for (std::size_t l = w; l-- > 0;) {
    if (newline(t.cp[s + l])) return l + run(t, s + l, end, newline);
  }
  // \s+(?!\S) : at the piece's end the lookahead sees the end
  if (w >= 1 && s + w == end) return w;
  if (w >= 2) return w - 1;
  // \s+
  return w;
}

// One Split stage (matches and the text between them kept as pieces), over each piece.
template <typename Match>
std::vector<std::pair<std::size_t, std::size_t>> split(const Text& t,
                                                       const std::vector<std::pair<std::size_t, std::size_t>>& pieces,
                                                       Match match) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (auto [begin, end] : pieces) {
    std::size_t p = begin;
    for (std::size_t s = begin; s < end;) {
      const std::size_t n = match(t, s, end);
      if (n == 0) {
        ++s;
        continue;
      }
      if (p < s) out.push_back({p, s});
      out.push_back({s, s + n});
      s = p = s + n;
    }
    if (p < end) out.push_back({p, end});
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const std::string text = tk::repair_utf8(raw);
  FF_FUZZ_CHECK(tk::is_valid_utf8(text), "repair_utf8 left invalid UTF-8");

  Text t;
  for (std::size_t i = 0; i < text.size();) {
    t.offset.push_back(i);
    t.cp.push_back(tk::next_code_point(text, i));
  }
  t.offset.push_back(text.size());
  std::vector<std::pair<std::size_t, std::size_t>> pieces;
  if (!t.cp.empty()) pieces.push_back({0, t.cp.size()});
  pieces = split(t, split(t, split(t, pieces, stage1), stage2), stage3);

  std::vector<std::pair<std::size_t, std::size_t>> got;
  tk::PretokenizerScratch scratch;
  tk::pretokenize(text, scratch, [&](std::size_t b, std::size_t e) { got.push_back({b, e}); });
  FF_FUZZ_CHECK(got.size() == pieces.size(), "%zu pieces, the reference %zu", got.size(), pieces.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    FF_FUZZ_CHECK(got[i].first == t.offset[pieces[i].first] && got[i].second == t.offset[pieces[i].second],
                  "piece %zu is bytes [%zu, %zu), the reference [%zu, %zu)", i, got[i].first, got[i].second,
                  t.offset[pieces[i].first], t.offset[pieces[i].second]);
  }

  const tk::BpeTokenizer& bpe = tk::BpeTokenizer::deepseek();
  for (auto special : {tk::SpecialTokens::kIgnore, tk::SpecialTokens::kRecognize}) {
    const std::vector<tk::TokenId> ids = bpe.encode(raw, special);
    FF_FUZZ_CHECK(bpe.count(raw, special) == static_cast<std::int64_t>(ids.size()), "count %lld, encode %zu",
                  static_cast<long long>(bpe.count(raw, special)), ids.size());
    const auto decoded = bpe.decode(ids);
    FF_FUZZ_CHECK(decoded.ok() && *decoded == text, "decode(encode(text)) is not the text");
    const auto n = bpe.decoded_size(ids);
    FF_FUZZ_CHECK(n.ok() && *n == text.size(), "decoded_size %zu, the text %zu", n.ok() ? *n : 0, text.size());
  }
  return 0;
}
