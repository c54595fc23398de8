#include "router/word_tokens.h"

#include <algorithm>
#include <array>
#include <iterator>

namespace ff::router {

namespace {

bool is_cjk(std::uint32_t cp) {
  return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
         (cp >= 0xF900 && cp <= 0xFAFF);
}
bool is_separator(std::uint32_t cp) {  // spaces and punctuation beyond ASCII, CJK included
  return cp == 0x3000 || cp == 0x00A0 || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3001 && cp <= 0x303F) ||
         (cp >= 0xFF00 && cp <= 0xFF65);
}

// Lower-case: the trainer's FUNCTION_WORDS.
constexpr std::string_view kFunctionWords[] = {
    "a", "about", "al", "all", "also", "am", "an", "and", "any", "are", "as", "at", "au", "auf", "aux",
    "avec", "be", "been", "being", "but", "by", "can", "ce", "ces", "cette", "che", "com", "como",
    "con", "could", "da", "dans", "das", "de", "del", "dem", "den", "der", "des", "di", "did", "die",
    "do", "does", "dos", "du", "e", "each", "ein", "eine", "einem", "einer", "eines", "el", "elle",
    "em", "en", "es", "est", "et", "for", "from", "fur", "gli", "had", "has", "have", "he", "her",
    "here", "him", "his", "how", "i", "if", "il", "ils", "im", "in", "into", "is", "ist", "it", "its",
    "just", "la", "las", "le", "les", "lo", "los", "mas", "may", "me", "might", "mit", "more", "most",
    "must", "my", "na", "nas", "nicht", "no", "non", "nos", "not", "nous", "o", "oder", "of", "on",
    "only", "onto", "or", "os", "other", "ou", "our", "over", "par", "para", "per", "pero", "por",
    "pour", "que", "qui", "se", "shall", "she", "should", "sich", "sind", "so", "some", "son", "su",
    "such", "sur", "sus", "than", "that", "the", "their", "them", "then", "there", "these", "they",
    "this", "those", "to", "too", "um", "uma", "un", "una", "unas", "und", "under", "une", "unos",
    "very", "von", "vous", "was", "we", "were", "what", "when", "where", "which", "who", "whom",
    "whose", "why", "will", "with", "without", "would", "y", "yes", "you", "your", "zu", "für", "与",
    "个", "之", "也", "了", "于", "以", "其", "及", "和", "在", "就", "或", "把", "是", "的", "而", "被", "这", "那", "都"
};

// kFunctionWords packed (pack8) in an open-addressed table: a lookup is a
// multiply and a probe or two (a packed word is never 0, an empty slot is).
constexpr std::size_t kSlots = 512;  // a power of two, over twice the words
constexpr std::size_t slot_of(std::uint64_t packed) {
  return static_cast<std::size_t>((packed * 0x9E3779B97F4A7C15ULL) >> 55);  // the top 9 bits
}
static_assert(kSlots == std::size_t{1} << 9 && std::size(kFunctionWords) * 2 < kSlots);
constexpr auto kFunctionWordTable = [] {
  std::array<std::uint64_t, kSlots> table{};
  for (std::string_view w : kFunctionWords) {
    const std::uint64_t packed = pack8(w);
    std::size_t i = slot_of(packed);
    while (table[i] != 0 && table[i] != packed) i = (i + 1) % kSlots;
    table[i] = packed;
  }
  return table;
}();

constexpr std::size_t kLongestFunctionWord = [] {
  std::size_t n = 0;
  for (std::string_view w : kFunctionWords) n = std::max(n, w.size());
  return n;
}();
static_assert(kLongestFunctionWord <= 8, "a function word must pack into 64 bits");

// What an ASCII byte is to a word: a letter or '_', a digit, or neither (a
// table: most bytes of an instruction are ASCII).
enum class AsciiClass : unsigned char { kOther, kWord, kDigit };
constexpr auto kAsciiClass = [] {
  std::array<AsciiClass, 128> t{};
  for (int c = 0; c < 128; ++c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_') t[c] = AsciiClass::kWord;
    if (c >= '0' && c <= '9') t[c] = AsciiClass::kDigit;
  }
  return t;
}();

}  // namespace

bool telling_token(std::string_view w, const Token& t) {
  if (t.digits) return false;
  const std::size_t n = t.end - t.begin;
  if (n > kLongestFunctionWord) return true;
  const std::uint64_t packed = pack8(w.substr(t.begin, n), true);
  for (std::size_t i = slot_of(packed);; i = (i + 1) % kSlots) {
    if (kFunctionWordTable[i] == packed) return false;
    if (kFunctionWordTable[i] == 0) return true;
  }
}

void tokenize(std::string_view w, std::vector<Token>& out) {
  out.clear();
  std::size_t start = 0;
  bool in_word = false, digits_only = true;
  auto flush = [&](std::size_t at) {
    if (in_word) out.push_back({static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(at), digits_only});
    in_word = false;
    digits_only = true;
  };
  auto extend = [&](std::size_t at, bool digit) {
    if (!in_word) {
      in_word = true;
      start = at;
    }
    digits_only = digits_only && digit;
  };
  const auto* p = reinterpret_cast<const unsigned char*>(w.data());
  const std::size_t n = w.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      switch (kAsciiClass[c]) {
        case AsciiClass::kWord:
          extend(i, false);
          break;
        case AsciiClass::kDigit:
          extend(i, true);
          break;
        case AsciiClass::kOther:
          flush(i);
          break;
      }
      ++i;
      continue;
    }
    const std::size_t len = c >> 5 == 0b110 ? 2 : c >> 4 == 0b1110 ? 3 : c >> 3 == 0b11110 ? 4 : 1;
    if (len == 1 || i + len > n) {
      flush(i);
      ++i;
      continue;
    }
    std::uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (p[i + k] & 0x3F);
    if (is_cjk(cp)) {
      flush(i);
      out.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + len), false, true});
    } else if (is_separator(cp)) {
      flush(i);
    } else {
      extend(i, false);
    }
    i += len;
  }
  flush(n);
}

}  // namespace ff::router
