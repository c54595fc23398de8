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
    "a",      "aan",    "about",   "ai",      "akan",    "al",    "all",     "alla",    "alle",   "als",
    "also",   "am",     "an",      "anche",   "and",     "any",   "ao",      "apa",     "are",    "as",
    "at",     "atau",   "au",      "auch",    "auf",     "aus",   "aux",     "avec",    "avoir",  "be",
    "been",   "bei",    "beim",    "being",   "bij",     "bir",   "biz",     "bu",      "but",    "by",
    "can",    "ce",     "ces",     "cette",   "che",     "com",   "come",    "comment", "como",   "con",
    "cosa",   "could",  "cuál",    "cuándo",  "cómo",    "da",    "dalam",   "dan",     "dans",   "dari",
    "das",    "dass",   "dat",     "de",      "dei",     "del",   "della",   "delle",   "dem",    "den",
    "dengan", "der",    "des",     "deze",    "di",      "did",   "die",     "dit",     "do",     "does",
    "dos",    "dove",   "du",      "dónde",   "e",       "each",  "een",     "ein",     "eine",   "einem",
    "einer",  "eines",  "el",      "elke",    "elle",    "em",    "en",      "er",      "es",     "est",
    "está",   "están",  "et",      "eu",      "for",     "from",  "fur",     "für",     "gli",    "haben",
    "had",    "hanno",  "has",     "hat",     "have",    "he",    "heeft",   "her",     "here",   "het",
    "him",    "his",    "ho",      "hoe",     "how",     "i",     "ich",     "if",      "ihr",    "ik",
    "il",     "ile",    "ils",     "im",      "in",      "ini",   "into",    "is",      "ist",    "it",
    "its",    "itu",    "için",    "je",      "jede",    "jeder", "juga",    "just",    "kami",   "kann",
    "kapan",  "ke",     "kita",    "la",      "las",     "le",    "les",     "leur",    "leurs",  "lo",
    "los",    "mais",   "mas",     "may",     "me",      "mein",  "meine",   "mengapa", "mes",    "meu",
    "mi",     "mia",    "mich",    "might",   "mijn",    "minha", "mio",     "mir",     "mis",    "mit",
    "moet",   "molto",  "mon",     "more",    "most",    "muito", "muss",    "must",    "muy",    "my",
    "na",     "naar",   "nach",    "nas",     "nasıl",   "ne",    "neden",   "nel",     "nella",  "nicht",
    "niet",   "no",     "noch",    "noi",     "non",     "nos",   "nossa",   "nosso",   "nostra", "nostro",
    "not",    "notre",  "nous",    "nuestra", "nuestro", "nur",   "nós",     "o",       "oder",   "of",
    "ogni",   "on",     "onde",    "only",    "ons",     "onto",  "onze",    "ook",     "op",     "or",
    "os",     "other",  "ou",      "our",     "over",    "où",    "pada",    "par",     "para",   "pas",
    "pela",   "pelo",   "per",     "perché",  "pero",    "peut",  "por",     "porque",  "pour",   "pourquoi",
    "qual",   "quale",  "quand",   "quando",  "que",     "quel",  "quelle",  "qui",     "quién",  "quoi",
    "qué",    "sa",     "saya",    "se",      "sehr",    "ses",   "seu",     "shall",   "she",    "should",
    "si",     "siapa",  "sich",    "sie",     "sind",    "so",    "some",    "son",     "sono",   "sont",
    "su",     "sua",    "such",    "suis",    "sur",     "sus",   "são",     "también", "te",     "tem",
    "than",   "that",   "the",     "their",   "them",    "then",  "there",   "these",   "they",   "this",
    "those",  "tidak",  "to",      "too",     "tous",    "tout",  "toute",   "toutes",  "tu",     "tutti",
    "tutto",  "uit",    "um",      "uma",     "un",      "una",   "unas",    "und",     "under",  "une",
    "unos",   "uns",    "unser",   "unsere",  "untuk",   "ve",    "very",    "vom",     "von",    "voor",
    "vos",    "votre",  "vous",    "waar",    "waarom",  "wann",  "wanneer", "warum",   "was",    "wat",
    "we",     "welche", "welcher", "welches", "wenn",    "wer",   "werden",  "were",    "what",   "when",
    "where",  "which",  "who",     "whom",    "whose",   "why",   "wie",     "wij",     "will",   "wir",
    "wird",   "with",   "without", "wo",      "worden",  "wordt", "would",   "y",       "yang",   "yes",
    "yo",     "you",    "your",    "zu",      "zum",     "zur",   "être",    "与",      "个",     "之",
    "也",     "了",     "于",      "以",      "其",      "及",    "和",      "在",      "就",     "或",
    "把",     "是",     "的",      "而",      "被",      "这",    "那",      "都"};

// kFunctionWords packed (pack8) in an open-addressed table: a lookup is a
// multiply and a probe or two (a packed word is never 0, an empty slot is).
constexpr std::size_t kSlots = 1024;  // a power of two, over twice the words
constexpr std::size_t slot_of(std::uint64_t packed) {
  return static_cast<std::size_t>((packed * 0x9E3779B97F4A7C15ULL) >> 54);  // the top 10 bits
}
static_assert(kSlots == std::size_t{1} << 10 && std::size(kFunctionWords) * 2 < kSlots);
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
