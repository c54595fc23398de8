#include "router/features.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <utility>
#include <vector>

#include "router/text.h"
#include "router/tier_model.h"
#include "tokenizer/tokenizer.h"
#include "wire/chat_view.h"

namespace ff::router {

namespace dom = simdjson::dom;

namespace {

// How much of a long instruction is searched for cues: its start and its end,
// where people put what they want done; the middle is material.
constexpr std::size_t kWindow = 1024;
// How much of the system prompt and of each earlier user turn.
constexpr std::size_t kContextWindow = 1024;
// How far into the instruction the blank line after its lead is looked for.
constexpr std::size_t kLeadBytes = 512;

// A lead, a blank line, then the rest: text given with the request. Where the
// lead ends (the blank line, within the first kLeadBytes: one further in is
// inside the given text itself), or npos when there is none or no lead before it.
std::size_t lead_end(std::string_view text) {
  const std::size_t blank = text.substr(0, kLeadBytes).find("\n\n");
  return blank == 0 ? std::string_view::npos : blank;
}
constexpr int kMaxFiles = 64;

// A cue that reads its word another way ("proof of address", "do I need",
// "executive summary,") takes back one cue of the signal it shadows, so every
// reader of the hits sees the net: a proof, a text or a summary asked for only
// by more cues than those.
void take_back_negated(CueHits& h) {
  static constexpr std::array<std::pair<Signal, Signal>, 3> kNegated{{{Signal::kProof, Signal::kNotProof},
                                                                      {Signal::kWriteVerb, Signal::kNotWrite},
                                                                      {Signal::kSummarize, Signal::kNotSummarize}}};
  for (const auto& [signal, negated] : kNegated) {
    auto& n = h.count[static_cast<std::size_t>(signal)];
    n -= std::min(n, h.count[static_cast<std::size_t>(negated)]);
  }
}

// Most lines fail on the first byte, so that is compared before the rest.
inline bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && !p.empty() && s[0] == p[0] && std::memcmp(s.data(), p.data(), p.size()) == 0;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '-' || c == '/';
}

// The parts of `text` that are searched for cues: all of it when short, else its
// first and last kWindow bytes.
template <typename F>
void for_windows(std::string_view text, std::size_t window, bool tail, F&& f) {
  if (text.size() <= (tail ? 2 * window : window)) {
    f(text);
    return;
  }
  f(text.substr(0, char_boundary(text, window)));
  if (tail) f(text.substr(char_boundary(text, text.size() - window)));
}

constexpr std::size_t kLongestExtension = 5;
constexpr std::array<std::uint64_t, 27> kSourceExtensions = {
    pack8("py"),  pack8("js"),   pack8("ts"), pack8("tsx"),   pack8("jsx"),   pack8("java"), pack8("go"),
    pack8("rs"),  pack8("c"),    pack8("cc"), pack8("cpp"),   pack8("h"),     pack8("hpp"),  pack8("cs"),
    pack8("rb"),  pack8("php"),  pack8("kt"), pack8("swift"), pack8("scala"), pack8("sql"),  pack8("yaml"),
    pack8("yml"), pack8("toml"), pack8("sh"), pack8("vue"),   pack8("m"),     pack8("mm")};

bool source_extension(std::string_view ext) {
  if (ext.empty() || ext.size() > kLongestExtension) return false;
  const std::uint64_t v = pack8(ext);
  return std::find(kSourceExtensions.begin(), kSourceExtensions.end(), v) != kSourceExtensions.end();
}

// A list's line: "1. ", "12) ", "3、", "- ", "* ", "• ".
bool list_line(std::string_view t) {
  std::size_t i = 0;
  while (i < t.size() && i < 2 && is_digit(t[i])) ++i;
  if (i > 0) {
    if (t.substr(i, 3) == "、") return true;
    return i + 1 < t.size() && (t[i] == '.' || t[i] == ')') && t[i + 1] == ' ';
  }
  if (t.size() >= 2 && (t[0] == '-' || t[0] == '*') && t[1] == ' ') return true;
  return t.size() >= 4 && t.substr(0, 3) == "•" && t[3] == ' ';
}

// A line led by a short label and a colon: a speaker's ("Kim: will do"), a
// field's ("Where: Room 4.12", "型号：RC-30"). The label is one to three words
// of at most 24 bytes that starts with a letter; a colon in a URL, a time or
// code ("https://", "10:30", "a::b") leads none.
bool field_line(std::string_view t) {
  auto word_byte = [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
  };
  if (t.empty() || is_digit(t[0]) || !word_byte(static_cast<unsigned char>(t[0]))) return false;
  int spaces = 0;
  const std::size_t end = std::min<std::size_t>(t.size(), 25);
  for (std::size_t i = 1; i < end; ++i) {
    const auto c = static_cast<unsigned char>(t[i]);
    if (c == ':') return i + 1 == t.size() || t[i + 1] == ' ';
    if (c == 0xEF && t.substr(i, 3) == "：") return true;
    if (c == ' ') {
      if (++spaces > 2) return false;
    } else if (c != '-' && c != '.' && c != '\'' && !word_byte(c)) {
      return false;
    }
  }
  return false;
}

class TextScanner {
 public:
  explicit TextScanner(Features& f) : f_(f) {}

  // Counts the structural signals of one user or system text: of all of it up
  // to kStructureHead + kStructureTail bytes, else of its first kStructureHead
  // and last kStructureTail bytes (whole lines). What a text is -- code, a
  // trace, passages -- shows long before 192 KB, and this keeps a 1 MB request
  // inside the router's time budget.
  void scan(std::string_view text, bool instruction = false) {
    instruction_ = instruction;
    if (text.size() <= kStructureHead + kStructureTail) {
      lines(text);
      return;
    }
    std::size_t head_end = text.rfind('\n', kStructureHead);
    lines(text.substr(0, head_end == std::string_view::npos ? kStructureHead : head_end));
    std::size_t tail_start = text.find('\n', text.size() - kStructureTail);
    if (tail_start != std::string_view::npos) lines(text.substr(tail_start + 1));
  }

 private:
  static constexpr std::size_t kStructureHead = 128 * 1024;
  static constexpr std::size_t kStructureTail = 64 * 1024;

  void lines(std::string_view text) {
    in_block_ = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
      const char* nl = static_cast<const char*>(std::memchr(text.data() + pos, '\n', text.size() - pos));
      std::size_t end = nl ? static_cast<std::size_t>(nl - text.data()) : text.size();
      line(text.substr(pos, end - pos));
      pos = end + 1;
    }
  }

  void line(std::string_view l) {
    std::size_t i = 0;  // a loop: find_first_not_of calls memchr once per byte
    while (i < l.size() && (l[i] == ' ' || l[i] == '\t')) ++i;
    if (i == l.size()) return;
    std::string_view t = l.substr(i);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\r' || t.back() == '\t')) t.remove_suffix(1);
    if (t.empty()) return;

    if (starts_with(t, "```")) ++f_.code_fences;
    // The prefixes of interest, bucketed by first byte: most lines have none.
    bool code = t.back() == ';' || t.back() == '{' || t.back() == '}' ||
                (t.back() == ':' && (starts_with(t, "for ") || starts_with(t, "if ") || starts_with(t, "while ") ||
                                     starts_with(t, "else") || starts_with(t, "try") || starts_with(t, "except")));
    bool frame = false, passage = t.size() >= 3 && t[0] == '[' && is_digit(t[1]);
    for (const Prefix& p : prefixes()[static_cast<unsigned char>(t[0])]) {
      if (!starts_with(t, p.text)) continue;
      switch (p.kind) {
        case Prefix::kCode:
          code = code || p.text != "@" ||
                 (t.size() > 1 && t[1] >= 'a' && t[1] <= 'z' && t.find(' ') == std::string_view::npos);
          break;
        case Prefix::kTrace:
          frame = true;
          break;
        case Prefix::kFrameAt:  // "at com.x.Y.f(Y.java:12)", "at f (file.js:3:9)"
          frame = frame ||
                  (t.find_first_of("(:", 3) != std::string_view::npos && t.find(' ', 3) == std::string_view::npos) ||
                  t.find(".java:") != std::string_view::npos;
          break;
        case Prefix::kPassage:
          passage = true;
          break;
      }
    }
    if (t.size() > 2 && t[0] == '#' && is_digit(t[1]) && t.find(" in ") != std::string_view::npos) frame = true;  // gdb
    // An indented line in a block a code line opened with a colon ("def f(x):",
    // "for row in rows:") is code too: Python's assignments and calls
    // ("    last = order") end in nothing a line of code is known by.
    code = code || (i > 0 && in_block_);
    in_block_ = code && (i > 0 || t.back() == ':');
    f_.code_lines += code;
    f_.stack_frames += frame;
    f_.passage_markers += passage;
    f_.field_lines += instruction_ && !code && field_line(t);
    f_.list_items += instruction_ && !code && list_line(t);
    if (t.size() >= 3 && ((t[0] >= 'A' && t[0] <= 'E' && (t[1] == '.' || t[1] == ')')) ||
                          (t[0] == '(' && t[1] >= 'A' && t[1] <= 'E' && t[2] == ')'))) {
      ++f_.choices;
    }
    files(t);
  }

  struct Prefix {
    enum Kind { kCode, kTrace, kFrameAt, kPassage };
    std::string_view text;
    Kind kind;
  };

  static const std::array<std::vector<Prefix>, 256>& prefixes() {
    static const std::array<std::vector<Prefix>, 256> table = [] {
      std::array<std::vector<Prefix>, 256> t;
      auto add = [&](std::initializer_list<std::string_view> list, Prefix::Kind kind) {
        for (std::string_view p : list) t[static_cast<unsigned char>(p[0])].push_back({p, kind});
      };
      add({"def ",  "class ",  "import ",  "from ", "#include", "return ",  "function ", "const ",  "let ",
           "var ",  "public ", "private ", "fn ",   "func ",    "SELECT ",  "INSERT ",   "UPDATE ", "CREATE TABLE",
           "for (", "if (",    "while (",  "elif ", "print(",   "console.", "package ",  "async ",  "@"},
          Prefix::kCode);
      add({"Traceback (most recent call last)", "Exception in thread", "Caused by:", "panic:", "goroutine ", "thread '",
           "Uncaught "},
          Prefix::kTrace);
      add({"at "}, Prefix::kFrameAt);
      add({"Document ", "Passage ", "Source ", "Doc ", "<doc", "Article ", "Excerpt ", "Context:", "Documento ",
           "Dokument ", "Texte ", "Pasaje ", "文档", "資料", "段落", "文書", "参考"},
          Prefix::kPassage);
      return t;
    }();
    return table;
  }

  // Records each distinct name.ext with a source extension; a name followed by
  // a line number (":12", "\", line 12") is also a stack frame.
  void files(std::string_view t) {
    std::size_t dot = 0;
    while ((dot = t.find('.', dot)) != std::string_view::npos) {
      std::size_t e = dot + 1;
      while (e < t.size() && t[e] >= 'a' && t[e] <= 'z') ++e;
      std::string_view ext = t.substr(dot + 1, e - dot - 1);
      std::size_t b = dot;
      while (b > 0 && is_ident(t[b - 1])) --b;
      bool boundary = e == t.size() || !is_ident(t[e]);
      if (b < dot && boundary && source_extension(ext)) {
        remember(t.substr(b, e - b));
        if ((e + 1 < t.size() && t[e] == ':' && is_digit(t[e + 1])) || t.substr(e, 8) == "\", line ") ++f_.stack_frames;
      }
      dot = e;
    }
  }

  void remember(std::string_view name) {
    // Only the base name counts: "src/a.py" and "a.py" are one file.
    std::size_t slash = name.rfind('/');
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    const std::uint64_t h = Fnv().add(name).value();
    if (std::find(seen_.begin(), seen_.begin() + f_.files, h) != seen_.begin() + f_.files) return;
    if (f_.files < kMaxFiles) seen_[f_.files++] = h;
  }

  Features& f_;
  bool instruction_ = false;
  bool in_block_ = false;  // the last code line opened an indented block, or was in one
  std::array<std::uint64_t, kMaxFiles> seen_{};
};

// The length of output a text asks for, in estimated tokens: "10,000 words",
// "20 pages", "两万字", "一萬五千字", "5000文字", "3000 palabras". Takes the
// largest it finds. With `text_units_only`, only lengths of text (words, pages,
// chapters, characters) count, not lessons, episodes, parts or a play's minutes,
// which measure other things as often ("14 lessons done").
std::int64_t requested_output(std::string_view s, bool text_units_only = false) {
  struct Unit {
    std::string_view word;
    std::int64_t tokens_per_100;  // tokens per 100 units
  };
  // Singular forms: a unit matches as a whole word, or with a plural "s"
  // ("3 parts", not "3 participants").
  static constexpr Unit kUnits[] = {
      // "chapters" only: "an outline for a 10-chapter book" names the book's length, not the answer's.
      {"word", 133},
      {"page", 65000},
      {"token", 100},
      {"chapters", 250000},
      {"palabra", 150},
      {"palavra", 150},
      {"parole", 150},
      {"wörter", 150},
      {"wörtern", 150},
      {"worte", 150},
      {"mot", 150},
      {"woorden", 150},
      {"kata", 150},
      {"kelime", 150},
      {"słów", 150},
      {"słowa", 150},
      {"слов", 150},
      // A line of verse or a script: about 7 words, 10 tokens.
      {"line", 1000},
      {"字", 60},
      {"文字", 60},
      {"页", 65000},
      {"頁", 65000},
      {"ページ", 65000},
      {"章", 250000},
      {"página", 65000},
      {"pagine", 65000},
      {"seiten", 65000},
      {"seite", 65000},
      // Not lengths of text: counted only with `text_units_only` false.
      {"lesson", 200000},
      {"episode", 500000},
      {"part", 200000},
      {"installment", 200000},
      {"module", 300000},
      {"section", 100000},
      {"endpoint", 40000},
      {"newsletter", 80000},
      // A script's running time, spoken at about 130 words (175 tokens) a
      // minute: "a 60-minute radio drama". A meeting's or a talk's own length
      // ("this 45-minute meeting", "a 90-minute workshop agenda") names no text.
      {"minute radio", 17500},
      {"minute play", 17500},
      {"minute stage play", 17500},
      {"minute drama", 17500},
      {"minute script", 17500},
      {"minute screenplay", 17500},
      {"minute film", 17500},
      {"minute movie", 17500},
      {"minute podcast script", 17500},
      {"hour radio", 1050000},
      {"hour play", 1050000},
      {"hour stage play", 1050000},
      {"hour drama", 1050000},
      {"hour script", 1050000},
      {"hour screenplay", 1050000},
      {"hour film", 1050000},
      {"hour movie", 1050000},
      {"hour podcast script", 1050000}};
  // The units before "lesson" measure text.
  constexpr std::size_t kTextUnits = 28;
  static_assert(kUnits[kTextUnits].word == "lesson");
  std::int64_t best = 0;
  for (std::size_t i = 0; i < s.size();) {
    // A number: ASCII digits with separators, or Chinese numerals before 万/千.
    std::int64_t value = 0;
    std::size_t j = i;
    bool digits = false;
    // Thousands separators: "12,000", "12.000", "12 000", "12\u00a0000" (a
    // separator followed by exactly three digits).
    auto separator = [&](std::size_t at) -> std::size_t {
      std::size_t len = 0;
      if (s[at] == ',' || s[at] == '.' || s[at] == ' ' || s[at] == '\'')
        len = 1;
      else if (s.substr(at, 2) == "\u00a0")
        len = 2;
      else if (s.substr(at, 3) == "\u202f")
        len = 3;
      if (len == 0 || at + len + 3 > s.size()) return 0;
      for (std::size_t d = 0; d < 3; ++d) {
        if (!is_digit(s[at + len + d])) return 0;
      }
      return at + len + 3 < s.size() && is_digit(s[at + len + 3]) ? 0 : len;
    };
    while (j < s.size()) {
      if (is_digit(s[j])) {
        value = std::min<std::int64_t>(value * 10 + (s[j] - '0'), 100'000'000);
        digits = true;
        ++j;
      } else if (std::size_t len = digits ? separator(j) : 0) {
        j += len;
      } else {
        break;
      }
    }
    static constexpr std::pair<std::string_view, int> kCjkDigits[] = {{"一", 1}, {"两", 2}, {"兩", 2}, {"二", 2},
                                                                      {"三", 3}, {"四", 4}, {"五", 5}, {"六", 6},
                                                                      {"七", 7}, {"八", 8}, {"九", 9}, {"十", 10}};
    // A CJK digit at `at`: its value and length, or 0 (every one used here
    // starts with byte 0xE4 or 0xE5).
    auto cjk_digit = [&](std::size_t at, int& v) -> std::size_t {
      const auto lead = at < s.size() ? static_cast<unsigned char>(s[at]) : 0;
      if (lead != 0xE4 && lead != 0xE5) return 0;
      for (auto [d, dv] : kCjkDigits) {
        if (s.substr(at, d.size()) == d) {
          v = dv;
          return d.size();
        }
      }
      return 0;
    };
    if (!digits) {
      int v = 0;
      if (std::size_t len = cjk_digit(j, v)) {
        value = v;
        j += len;
        digits = true;
      }
    }
    if (!digits) {
      ++i;
      continue;
    }
    while (j < s.size() && s[j] == '.') ++j;  // "2.5" counts as 2
    while (j < s.size() && is_digit(s[j])) ++j;
    if (s.substr(j, 1) == "k" || s.substr(j, 1) == "K") {
      value *= 1000;
      ++j;
    } else if (s.substr(j, 3) == "万" || s.substr(j, 3) == "萬") {
      value *= 10000;
      j += 3;
      // "一万五千", "两萬三千", "1万5千": the thousands after the ten thousands.
      int v = 0;
      std::size_t len = cjk_digit(j, v);
      if (len == 0 && j < s.size() && is_digit(s[j])) {
        v = s[j] - '0';
        len = 1;
      }
      if (len > 0 && v < 10 && s.substr(j + len, 3) == "千") {
        value += v * 1000;
        j += len + 3;
      }
    } else if (s.substr(j, 3) == "千") {
      value *= 1000;
      j += 3;
    }
    // A number that names a school year or a level ("a year 4 lesson", "grade 6
    // pages") counts nothing.
    auto names_a_level = [&] {
      static constexpr std::string_view kLevels[] = {"year ", "grade ", "level ", "stage ", "class "};
      return std::any_of(std::begin(kLevels), std::end(kLevels), [&](std::string_view l) {
        return i >= l.size() && equals_lowered(s.substr(i - l.size(), l.size()), l);
      });
    };
    if (names_a_level()) {
      i = j;
      continue;
    }
    std::size_t k = j;
    if (k < s.size() && s[k] == '+') ++k;  // "8k+ words", "10+ pages": at least that many
    while (k < s.size() && (s[k] == ' ' || s[k] == '-')) ++k;
    for (const Unit& u : std::span(kUnits).first(text_units_only ? kTextUnits : std::size(kUnits))) {
      bool match = equals_lowered(s.substr(k, u.word.size()), u.word);
      if (match) {
        // The word must end here, or after a plural "s".
        auto letter = [&](std::size_t at) {
          return at < s.size() && ((s[at] >= 'a' && s[at] <= 'z') || (s[at] >= 'A' && s[at] <= 'Z'));
        };
        const std::size_t after = k + u.word.size();
        match = !letter(after) || ((s[after] == 's' || s[after] == 'S') && !letter(after + 1));
      }
      if (match) {
        best = std::max(best, value * u.tokens_per_100 / 100);
        break;
      }
    }
    i = j > i ? j : i + 1;
  }
  return best;
}

// Characters by script. ASCII is only counted (eight bytes at a time), not
// told apart: about four in five ASCII bytes of prose are letters.
struct ScriptCounts {
  std::int64_t han = 0, kana = 0, hangul = 0, cyrillic = 0, ascii = 0;
  void add(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    for (std::size_t i = 0; i < n;) {
      if (i + 8 <= n) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        if ((w & 0x8080808080808080ull) == 0) {
          ascii += 8;
          i += 8;
          continue;
        }
      }
      const unsigned char b = p[i];
      if (b < 0x80) {
        ++ascii;
        ++i;
      } else if (b >= 0xE3 && b <= 0xE9 && i + 2 < n) {
        char32_t c = ((b & 0x0F) << 12) | ((p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
        if (c >= 0x3040 && c <= 0x30FF)
          ++kana;
        else if (c >= 0x4E00 && c <= 0x9FFF)
          ++han;
        i += 3;
      } else if (b >= 0xEA && b <= 0xED) {
        ++hangul;
        i += 3;
      } else if (b == 0xD0 || b == 0xD1) {
        ++cyrillic;
        i += 2;
      } else {
        ++i;
      }
    }
  }
};

std::string_view language_of(const ScriptCounts& sc, const CueHits& cues) {
  if (sc.kana > 0 && sc.kana * 4 >= sc.han / 4) return "ja";
  if (sc.han > 0 && sc.han * 2 >= sc.ascii / 5) return "zh";
  if (sc.hangul > 0 && sc.hangul * 2 >= sc.ascii / 5) return "ko";
  if (sc.cyrillic * 5 > sc.ascii * 4) return "ru";
  int es = cues[Signal::kLangEs], de = cues[Signal::kLangDe], fr = cues[Signal::kLangFr];
  int top = std::max({es, de, fr});
  if (top >= 2) return top == es ? "es" : top == de ? "de" : "fr";
  return "en";
}

bool is_letter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }

// Whether w[b, e) is a name as formulas write them: one letter ("x", "n"), or
// two or three capitals ("AB", "ABC" in geometry), standing alone: not part of
// a longer word, a number or "it's".
bool short_name(std::string_view w, std::size_t b, std::size_t e) {
  if (e <= b || e - b > 3) return false;
  for (std::size_t k = b; k < e; ++k) {
    const auto c = static_cast<unsigned char>(w[k]);
    if (!(e - b == 1 ? is_letter(c) : is_upper(c))) return false;
  }
  // Letters, digits, ' and _ join a name to its neighbour; so do accented
  // letters (two-byte UTF-8), but not CJK text or punctuation ("，a(n+1)").
  auto joins = [](unsigned char c) { return is_letter(c) || (c >= '0' && c <= '9') || c == '\'' || c == '_'; };
  auto two_byte_lead = [](unsigned char c) { return c >= 0xC2 && c <= 0xDF; };
  const auto* p = reinterpret_cast<const unsigned char*>(w.data());
  const bool before = b > 0 && (joins(p[b - 1]) || (p[b - 1] >= 0x80 && b >= 2 && two_byte_lead(p[b - 2])));
  const bool after = e < w.size() && (joins(p[e]) || two_byte_lead(p[e]));
  return !before && !after;
}

// The token just before `end` and just from `begin`, spaces skipped: [b, e).
std::pair<std::size_t, std::size_t> token_before(std::string_view w, std::size_t end) {
  while (end > 0 && w[end - 1] == ' ') --end;
  std::size_t b = end;
  while (b > 0 && is_letter(static_cast<unsigned char>(w[b - 1])) && end - b <= 3) --b;
  return {b, end};
}
std::pair<std::size_t, std::size_t> token_after(std::string_view w, std::size_t begin) {
  while (begin < w.size() && w[begin] == ' ') ++begin;
  std::size_t e = begin;
  while (e < w.size() && is_letter(static_cast<unsigned char>(w[e])) && e - begin <= 3) ++e;
  return {begin, e};
}

// Whether an operator at `q` stands between names or numbers as in a formula.
// `=`, `^`, `<`, `>` need a name on one side ("x = 3", "AB = 13", "n^5"); `+ - * /`
// need one letter on one side and a letter or a number on the other ("x + y",
// "n - 1", "2/k"): in prose they join words ("e-mail", "C++", "and/or").
bool operator_of_names(std::string_view w, std::size_t q, bool arithmetic) {
  auto [lb, le] = token_before(w, q);
  auto [rb, re] = token_after(w, q + 1);
  const bool left = short_name(w, lb, le), right = short_name(w, rb, re);
  if (!arithmetic) return left || right;
  const bool left_one = left && le - lb == 1, right_one = right && re - rb == 1;
  const bool left_number = le > 0 && is_digit(w[le - 1]) && lb == le;
  const bool right_number = rb < w.size() && is_digit(w[rb]) && rb == re;
  return (left_one && (right_one || right_number)) || (right_one && left_number);
}

// Whether the word (letters and underscores) that starts at `b` is a name from
// code: a lower-case letter followed by an upper-case one ("getUserData",
// "OrderService", "JwtFilter") or an underscore between letters
// ("select_related"). Returns the word's end; digits, '-' and '/' end a word,
// so numbers and operators after it are still counted.
std::size_t code_name_end(std::string_view w, std::size_t b, bool& is_name) {
  const auto* p = reinterpret_cast<const unsigned char*>(w.data());
  const std::size_t n = w.size();
  std::size_t e = b;
  bool hump = false, underscore = false;
  for (;;) {
    // Most bytes of prose are lower-case letters: one comparison each.
    while (e < n && static_cast<unsigned char>(p[e] - 'a') < 26) ++e;
    if (e == n) break;
    if (is_upper(p[e])) {
      if (e > b && p[e - 1] >= 'a' && p[e - 1] <= 'z') hump = true;
    } else if (p[e] == '_') {
      if (e > b && e + 1 < n && is_letter(p[e + 1])) underscore = true;
    } else {
      break;
    }
    ++e;
  }
  is_name = hump || underscore;
  return e;
}

// Whether the digits at `q` number a list's item: one or two digits at the start
// of a line (or of `w`), then ". ", ") " or "、". "1.5 kg" and "12.000" are
// figures.
bool list_item_number(std::string_view w, std::size_t q) {
  std::size_t b = q;
  while (b > 0 && (w[b - 1] == ' ' || w[b - 1] == '\t')) --b;
  if (b > 0 && w[b - 1] != '\n') return false;
  std::size_t e = q;
  while (e < w.size() && is_digit(w[e])) ++e;
  if (e - q > 2 || e >= w.size()) return false;
  if (w.substr(e, 3) == "、") return true;
  return (w[e] == '.' || w[e] == ')') && (e + 1 == w.size() || w[e + 1] == ' ');
}

// Currency signs and units beyond ASCII '$', which money() and listing() both read.
constexpr std::string_view kCurrencies[] = {"€", "£", "¥", "円", "元"};

// Whether the figure at [b, e) is an amount of money: a currency sign or unit
// right before or after it ("$2000", "2000元", "2000 €"). "In 2000" is a year.
bool money(std::string_view w, std::size_t b, std::size_t e) {
  if (b > 0 && (w[b - 1] == '$' || w.substr(0, b).ends_with("€") || w.substr(0, b).ends_with("£"))) return true;
  std::string_view after = w.substr(e);
  if (after.starts_with(" ")) after.remove_prefix(1);
  if (after.starts_with("$") || after.starts_with("块")) return true;
  return std::any_of(std::begin(kCurrencies), std::end(kCurrencies),
                     [&](std::string_view unit) { return after.starts_with(unit); });
}

// Whether a statement of `text` (of its first 2 KB) names "each" and then
// "different", in the languages the lexicon reads, and two sentences or more
// follow it (the clues and the question): "Four photographers each shot one
// event on a different day … Bo worked the day after the wedding. … Who shot
// what?", "chacun a choisi un plat différent", "每人养的宠物各不相同". Not "What
// makes each season different?".
bool one_each(std::string_view text) {
  text = text.substr(0, 2048);
  static constexpr std::array<std::string_view, 11> kEach{
      "each", "chacun", "chacune", "cada uno", "cada una", "ciascuno", "ciascuna", "jeder", "jede", "每", "各"};
  static constexpr std::array<std::string_view, 10> kDifferent{
      "different", "différent", "distint", "diferent", "divers", "anderes", "anderen", "不同", "不相同", "不一样"};
  // Whether `word` starts at i, at the start of a word (CJK words start anywhere).
  auto at = [&](std::size_t i, std::string_view word) {
    if (i + word.size() > text.size()) return false;
    if (i > 0 && is_letter(static_cast<unsigned char>(text[i - 1])) && static_cast<unsigned char>(word[0]) < 0x80) {
      return false;
    }
    return equals_lowered(text.substr(i, word.size()), word);
  };
  bool each = false, both = false;  // in the sentence read
  int after = -1;                   // sentences ended since the first statement of both; -1 before it
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool ask = c == '?' || text.substr(i, 3) == "？";
    if (ask || c == '.' || c == '!' || c == '\n' || text.substr(i, 3) == "。") {
      if (after >= 0) {
        ++after;
      } else if (both && !ask) {
        after = 0;
      }
      each = both = false;
      continue;
    }
    if (after >= 0 || both) continue;
    if (!each) {
      each = std::any_of(kEach.begin(), kEach.end(), [&](std::string_view w) { return at(i, w); });
    } else {
      both = std::any_of(kDifferent.begin(), kDifferent.end(), [&](std::string_view w) { return at(i, w); });
    }
  }
  return after >= 2;
}

// Whether `between`, the text between two numbers, only lists them: commas,
// "+", "&", spaces, currency signs and units of money, and at most one "and"
// ("12, 15 and 30", "$5, $10 & $15", "100円、200円、300円"). Not "3 shirts at 5",
// "9:40", nor a space alone ("10 2-legged animals").
bool listing(std::string_view between) {
  if (between.size() > 12) return false;
  bool word = false, separated = false;
  for (std::size_t i = 0; i < between.size();) {
    const char c = between[i];
    if (c == ' ' || c == ',' || c == '+' || c == '&' || c == '$') {
      separated = separated || c != ' ';
      ++i;
      continue;
    }
    if (is_letter(static_cast<unsigned char>(c))) {
      std::size_t e = i;
      while (e < between.size() && is_letter(static_cast<unsigned char>(between[e]))) ++e;
      const std::string_view w = between.substr(i, e - i);
      if (word || (w != "and" && w != "und" && w != "et" && w != "y" && w != "e" && w != "plus")) return false;
      word = separated = true;
      i = e;
      continue;
    }
    // A currency, or a CJK list separator or "and" ("、", "，", "和").
    static constexpr std::string_view kCjkSeparators[] = {"、", "，", "和"};
    auto length_at = [&](const auto& list) -> std::size_t {
      for (std::string_view s : list) {
        if (between.substr(i, s.size()) == s) return s.size();
      }
      return 0;
    };
    std::size_t len = length_at(kCurrencies);
    if (len == 0) len = length_at(kCjkSeparators);
    if (len == 0) return false;
    i += len;
    separated = true;
  }
  return separated;
}

// Whether the separator at `q` follows a closing quote ("'Taxi 24.50', 'Lunch
// 86.00'", "「晴れ」、「雨」"): it separates quoted items, the material of the
// task, not clauses of it.
bool after_quote(std::string_view w, std::size_t q) {
  while (q > 0 && w[q - 1] == ' ') --q;
  if (q == 0) return false;
  if (w[q - 1] == '\'' || w[q - 1] == '"') return true;
  if (q < 2) return false;
  if (w.substr(q - 2, 2) == "»") return true;
  if (q < 3) return false;
  const std::string_view last = w.substr(q - 3, 3);
  return last == "’" || last == "”" || last == "」" || last == "』";
}

// Lists of options offered to choose among, and quoted items, in an
// instruction window. An option is one to three words of at most 40 bytes. A
// list is offered in parentheses ("(P1, P2, P3)", "(high/medium/low)"; not
// "f(a, b)"), as "A, B or C" or "A, B, or C" (also "oder", "ou"), or as "A/B/C"
// of single words; two options as yes or no ("yes/no", "ja oder nein"), or as
// a question that ends on them ("Is this review positive or negative?",
// "phishing or legit?"). "A, B and C" enumerates, and offers nothing.
class ItemCounter {
 public:
  // `given_from`: where the text given after the instruction's lead starts in
  // this window (0 when the window starts inside it), npos when none is given.
  ItemCounter(std::string_view w, std::size_t given_from) : w_(w), given_from_(given_from) {}

  void count(Features& f) {
    thread_local std::vector<Tok> buffer;  // reused: no allocation per window once it has grown
    toks_ = &buffer;
    tokenize();
    f.quoted_items += quotes_;
    f.quoted_actions += quoted_actions_[Signal::kAction];
    f.quoted_bytes = std::max(f.quoted_bytes, static_cast<int>(std::min<std::size_t>(longest_quote_, 1 << 20)));
    f.quoted_asks = f.quoted_asks || quoted_question_ || quoted_actions_[Signal::kQuestion] > 0 ||
                    quoted_actions_[Signal::kQuantityAsk] > 0;
    for (std::size_t i = 0; i < toks_->size(); ++i) {
      if (const std::size_t end = list_at(i); end > i) {
        ++f.offered_labels;
        i = end - 1;
      }
    }
  }

 private:
  // kSeg: one to three words; kLong: more; kSlashed: words joined by slashes.
  enum class K : std::uint8_t { kSeg, kLong, kSlashed, kComma, kSlash, kOr, kOpen, kClose, kAsk, kBreak };
  struct Tok {
    K kind;
    std::uint8_t words = 0;   // in a seg; in kSlashed, the alternatives (at most 255)
    bool yes_no = false;      // a seg whose last word answers yes or no; kSlashed, all of its words
    bool after_word = false;  // a '(' right after a letter or digit: f(a, b)
  };

  // Punctuation outside ASCII ends a word: Latin-1's signs (« » ¿ ¡ ×), general
  // punctuation (“ ” ‘ ’ …), CJK symbols (、 。 「 」) and fullwidth ones (， ：).
  static bool punctuation(char32_t c) {
    return (c >= 0x80 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || (c >= 0x2000 && c <= 0x206F) ||
           (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20);
  }
  // The code point at i and its length in bytes (a stray byte is one U+FFFD).
  std::pair<char32_t, std::size_t> decode(std::size_t i) const {
    const auto c = static_cast<unsigned char>(w_[i]);
    const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len == 1 || i + len > w_.size()) return {c < 0x80 ? c : 0xFFFD, 1};
    char32_t cp = c & (0x3F >> (len - 1));
    for (std::size_t k = 1; k < len; ++k) cp = cp << 6 | (static_cast<unsigned char>(w_[i + k]) & 0x3F);
    return {cp, len};
  }
  static bool ascii_word(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  // Whether `word`, ASCII letters lower-cased, is one of `list` (lower-case words
  // of at most 8 bytes).
  static bool any_of(std::string_view word, std::initializer_list<std::string_view> list) {
    if (word.size() > 8) return false;
    const std::uint64_t packed = pack8(word, true);
    for (std::string_view l : list) {
      if (packed == pack8(l)) return true;
    }
    return false;
  }

  // A quoted text from the quote at i: the end of its closing quote, or i.
  std::size_t quote_end(std::size_t i, std::string_view close, bool apostrophe) const {
    const std::size_t from = i + (apostrophe ? 1 : decode(i).second);
    std::size_t e = from;
    // At most 300 bytes on: an apostrophe that closes nothing costs no scan of the window.
    while (e < w_.size() && w_[e] != '\n' && e - from < 300) {
      if (w_.compare(e, close.size(), close) == 0) {
        const std::size_t after = e + close.size();
        // An apostrophe closes only before a non-word: "'Rent', 'Tax'", not "it's".
        if (!apostrophe || after >= w_.size() || !ascii_word(static_cast<unsigned char>(w_[after]))) {
          return e - from >= 3 ? after : i;
        }
      }
      ++e;
    }
    return i;
  }

  // The end of the word whose first character ends at `e`.
  std::size_t word_end(std::size_t e) const {
    const std::size_t n = w_.size();
    while (e < n) {
      const auto d = static_cast<unsigned char>(w_[e]);
      if (ascii_word(d) || d == '-' || (d == '\'' && e + 1 < n && ascii_word(static_cast<unsigned char>(w_[e + 1])))) {
        ++e;
      } else if (d >= 0x80 && !punctuation(decode(e).first)) {
        e += decode(e).second;
      } else {
        break;
      }
    }
    return e;
  }
  static bool yes_no(std::string_view word) {
    return any_of(word, {"yes", "no", "true", "false", "ja", "nein", "sí", "si", "oui", "non", "sim", "não", "y", "n"});
  }

  void push(K kind) {
    seg_open_ = false;
    toks_->push_back(Tok{kind});
  }
  void word(std::size_t b, std::size_t e) {
    const std::string_view text = w_.substr(b, e - b);
    // Not "o": Spanish and Italian "or", but Portuguese "the".
    if (any_of(text, {"or", "oder", "ou"})) return push(K::kOr);
    if (seg_open_ && !toks_->empty() && toks_->back().kind == K::kSeg && toks_->back().words < 3 &&
        e - seg_begin_ <= 40) {
      ++toks_->back().words;
      toks_->back().yes_no = yes_no(text);  // "answer yes or no": the option is the last word
      return;
    }
    if (seg_open_ && !toks_->empty()) {
      toks_->back() = Tok{K::kLong};
      return;
    }
    seg_open_ = true;
    seg_begin_ = b;
    toks_->push_back(Tok{K::kSeg, 1, yes_no(text)});
  }

  // Whether the line that starts at `b` is material: an item of a list, a
  // labelled field ("Battery: 500 Wh, 3-year or 800 cycles"), or a line of the
  // text given with the request. Options there belong to the material
  // ("Mushroom risotto (V, GF)"), not to the request.
  bool material_line(std::size_t b) const {
    if (b >= given_from_) return true;
    while (b < w_.size() && (w_[b] == ' ' || w_[b] == '\t')) ++b;
    std::size_t e = w_.find('\n', b);
    std::string_view t = w_.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\r')) t.remove_suffix(1);
    return list_line(t) || field_line(t);
  }

  // The quote at i opens a quoted item: the end of its closing quote, or i.
  std::size_t quoted_item(std::size_t i, unsigned char c, char32_t cp) const {
    const bool apostrophe = c == '\'' || c == '"';
    std::string_view close;
    if (apostrophe) {
      if (i > 0 && ascii_word(static_cast<unsigned char>(w_[i - 1]))) return i;  // "it's", "users'"
      close = w_.substr(i, 1);
    } else if (cp == U'“') {
      close = "”";
    } else if (cp == U'‘') {
      close = "’";
    } else if (cp == U'«') {
      close = "»";
    } else if (cp == U'「') {
      close = "」";
    } else if (cp == U'『') {
      close = "』";
    } else {
      return i;
    }
    return quote_end(i, close, apostrophe);
  }

  void tokenize() {
    toks_->clear();
    const std::size_t n = w_.size();
    bool material = material_line(0);
    std::size_t i = 0;
    while (i < n) {
      const auto c = static_cast<unsigned char>(w_[i]);
      if (c == ' ' || c == '\t') {
        ++i;
        continue;
      }
      if (c == '\n') {
        push(K::kBreak);
        material = material_line(++i);
        continue;
      }
      const auto [cp, len] = decode(i);
      // A quoted item is an item, not options, wherever it stands.
      if (const std::size_t e = quoted_item(i, c, cp); e > i) {
        ++quotes_;
        longest_quote_ = std::max(longest_quote_, e - i);
        // Its verbs are the item's ("'App freezes when I upload a photo'"), not actions asked for.
        CueScanner::builtin().scan(w_.substr(i, e - i), quoted_actions_);
        quoted_question_ = quoted_question_ || w_.substr(i, e - i).find('?') != std::string_view::npos;
        push(K::kBreak);
        i = e;
        continue;
      }
      if (material) {
        if (toks_->empty() || toks_->back().kind != K::kBreak) push(K::kBreak);
        i += len;
        continue;
      }
      if (ascii_word(c) || (c >= 0x80 && !punctuation(cp))) {
        std::size_t e = word_end(i + len);
        if (e + 1 < n && w_[e] == '/' && ascii_word(static_cast<unsigned char>(w_[e + 1]))) {
          // Words joined by slashes, "high/medium/low", "yes/no", "TCP/IP": one token.
          Tok t{K::kSlashed, 1, yes_no(w_.substr(i, e - i))};
          while (e + 1 < n && w_[e] == '/' && ascii_word(static_cast<unsigned char>(w_[e + 1]))) {
            const std::size_t b = e + 1;
            e = word_end(b);
            t.words = static_cast<std::uint8_t>(std::min(t.words + 1, 255));
            t.yes_no = t.yes_no && yes_no(w_.substr(b, e - b));
          }
          push(K::kSlashed);
          toks_->back() = t;
          i = e;
          continue;
        }
        word(i, e);
        i = e;
        continue;
      }
      if (c == ',' || cp == U'、' || cp == U'，') {
        push(K::kComma);
      } else if (c == '/') {
        push(K::kSlash);
      } else if (c == '(') {
        push(K::kOpen);
        toks_->back().after_word = i > 0 && ascii_word(static_cast<unsigned char>(w_[i - 1]));
      } else if (c == ')') {
        push(K::kClose);
      } else if (c == '?' || cp == U'？') {
        push(K::kAsk);
      } else {
        push(K::kBreak);
      }
      i += len;
    }
  }

  // The end of an offered list that starts at token i, or i.
  std::size_t list_at(std::size_t i) const {
    auto kind = [&](std::size_t k) { return k < toks_->size() ? (*toks_)[k].kind : K::kBreak; };
    if (kind(i) == K::kOpen) {
      if ((*toks_)[i].after_word) return i;
      std::size_t k = i + 1, options = 0;
      while (kind(k) == K::kSeg) {
        ++options;
        ++k;
        if (kind(k) == K::kComma && kind(k + 1) == K::kOr) ++k;
        if (kind(k) != K::kComma && kind(k) != K::kSlash && kind(k) != K::kOr) break;
        ++k;
      }
      return options >= 2 && kind(k) == K::kClose ? k + 1 : i;
    }
    // "A/B/C" of single words, "yes/no".
    if (kind(i) == K::kSlashed) {
      const Tok& t = (*toks_)[i];
      return t.words >= 3 || (t.words == 2 && t.yes_no) ? i + 1 : i;
    }
    // "A, B or C", "A, B, or C"; the first option may end a longer run of words
    // ("Is this review about the location, the staff or the price?").
    if (kind(i) != K::kSeg && kind(i) != K::kLong) return i;
    std::size_t k = i, options = 1;
    while (kind(k + 1) == K::kComma && kind(k + 2) == K::kSeg) {
      k += 2;
      ++options;
    }
    if (options >= 2) {
      if (kind(k + 1) == K::kComma) ++k;  // the serial comma: "A, B, or C"
      if (kind(k + 1) == K::kOr && kind(k + 2) == K::kSeg) return k + 3;
    }
    // "yes or no"; "A or B?", the second option of one or two words.
    if (kind(i + 1) != K::kOr || kind(i + 2) != K::kSeg) return i;
    const bool yes_or_no = kind(i) == K::kSeg && (*toks_)[i].yes_no && (*toks_)[i + 2].yes_no;
    const bool asked = kind(i + 3) == K::kAsk && (*toks_)[i + 2].words <= 2;
    return yes_or_no || asked ? i + 3 : i;
  }

  std::string_view w_;
  std::size_t given_from_;
  std::vector<Tok>* toks_ = nullptr;
  int quotes_ = 0;
  std::size_t longest_quote_ = 0;
  bool quoted_question_ = false;  // a '?' inside a quoted item
  CueHits quoted_actions_;        // every cue of the quoted items; their action, question and quantity cues are counted
  bool seg_open_ = false;
  std::size_t seg_begin_ = 0;
};

// Question marks, numbers, formula symbols, clause separators and (when
// `formulas`, i.e. in prose without code) the operators between named
// quantities and the names from code, of an instruction window, in one pass:
// most bytes are none of them and are skipped by one table lookup.
void count_marks(std::string_view w, bool formulas, Features& f) {
  // The bytes looked at; arithmetic operators only where formulas are counted.
  auto table = [](std::string_view bytes) {
    std::array<bool, 256> t{};
    for (unsigned char c : bytes) t[c] = true;
    t[0xE2] = t[0xE3] = t[0xEF] = true;  // lead bytes of the symbols below, "、" and the fullwidth "？，；"
    return t;
  };
  static const auto kMarks = table("0123456789?^=<>,;()\n");
  // In prose, every letter may start a name from code.
  static const auto kMarksAndOperators =
      table("0123456789?^=<>,;()\n+-*/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_");
  // A separator in parentheses on its line ("a category (travel, meals,
  // equipment)") or after a closing quote separates items, the material of the
  // task or its options, not clauses of it.
  constexpr std::size_t kNone = std::string_view::npos;
  std::size_t open_paren = kNone;
  std::size_t number_end = kNone;  // where the last number ended
  auto clause_at = [&](std::size_t q) { return open_paren == kNone && !after_quote(w, q); };
  const auto& interesting = formulas ? kMarksAndOperators : kMarks;
  const auto* p = reinterpret_cast<const unsigned char*>(w.data());
  const std::size_t n = w.size();
  for (std::size_t q = 0; q < n; ++q) {
    const unsigned char c = p[q];
    if (!interesting[c]) continue;
    if (c >= '0' && c <= '9') {
      // A list's item number ("1. ", "2) ", "3、" at the start of a line) counts
      // no quantity: "1. Der Aufzug… 2. Die Heizung…" is a list, not figures.
      if (list_item_number(w, q)) {
        while (q + 1 < n && is_digit(w[q + 1])) ++q;
        continue;
      }
      ++f.numbers;
      const std::size_t start = q;
      while (q + 1 < n && (is_digit(w[q + 1]) || w[q + 1] == ',' || w[q + 1] == '.')) ++q;
      std::string_view run = w.substr(start, q + 1 - start);
      while (!run.empty() && !is_digit(run.back())) run.remove_suffix(1);  // "2021," ends a list item
      f.years += run.size() == 4 && std::all_of(run.begin(), run.end(), is_digit) && run >= "1800" && run <= "2199" &&
                 !money(w, start, start + run.size());
      f.listed += number_end != kNone && listing(w.substr(number_end, start - number_end));
      number_end = start + run.size();
      if (q + 1 < n && w[q + 1] == '!') ++f.math_symbols;  // n!
    } else if (c == '?') {
      ++f.question_marks;
    } else if (c == ',' || c == ';') {
      f.clauses += clause_at(q);
    } else if (c == '\n' || c == ')') {
      open_paren = kNone;
    } else if (is_letter(c) || c == '_') {
      // A word (only reached in prose): a name from code, or skipped whole.
      if (q > 0 && (is_letter(p[q - 1]) || p[q - 1] == '_')) continue;
      bool name = false;
      const std::size_t e = code_name_end(w, q, name);
      f.code_names += name;
      if (e > q + 1) q = e - 1;
      // A one-letter word may be a formula's name: its operator comes next.
    } else if (c == '(') {
      open_paren = q;
      // Function notation: f(n), P(A), g(x); "(a)" and "see (1)" are not.
      if (formulas && q > 0 && short_name(w, q - 1, q)) ++f.variables;
    } else if (c == '+' || c == '-' || c == '*' || c == '/') {
      if (operator_of_names(w, q, true)) ++f.variables;
    } else if (c < 0x80) {
      ++f.math_symbols;  // ^ = < >
      if (formulas && operator_of_names(w, q, false)) ++f.variables;
    } else if (q + 2 < n) {
      const std::string_view three = w.substr(q, 3);
      if (three == "？") {
        ++f.question_marks;
      } else if (three == "，" || three == "；" || three == "、") {
        f.clauses += clause_at(q);
      } else if (three == "≤" || three == "≥" || three == "√" || three == "∑" || three == "≠") {
        ++f.math_symbols;
      }
    }
  }
}

}  // namespace

core::Result<Features> extract_features(std::string_view body, const tokenizer::Tokenizer& tokenizer) {
  thread_local dom::parser parser;
  dom::element root;
  if (auto err = parser.parse(body.data(), body.size()).get(root)) {
    return core::make_error(fmt::format("the request is not valid JSON: {}", simdjson::error_message(err)));
  }
  return extract_features(wire::ChatView(root, wire::Protocol::kOpenAi), tokenizer);
}

core::Result<Features> extract_features(const wire::ChatView& view, const tokenizer::Tokenizer& tokenizer,
                                        std::size_t messages_end) {
  if (!view.problem().empty()) return core::make_error(view.problem());

  Features f;
  TextScanner scanner(f);
  // With no problem, every message is an object with a role: messages[i] is the i-th.
  const std::vector<wire::MessageView>& messages = view.messages();

  // System text: OpenAI system/developer messages or the Anthropic top-level field.
  auto add_text = [&](std::string_view text) {
    f.text_bytes += static_cast<std::int64_t>(text.size());
    const std::int64_t tokens = tokenizer.count(text);
    f.input_tokens += tokens;
    return tokens;
  };
  auto context_text = [&](std::string_view text) {
    add_text(text);
    scanner.scan(text);
    for_windows(text, kContextWindow, false,
                [&](std::string_view w) { CueScanner::builtin().scan(w, f.context_cues); });
  };
  for (std::string_view s : view.system()) context_text(s);

  // The last user message is the instruction; find it first.
  const std::size_t end = std::min(messages_end, messages.size());
  std::size_t last_user = messages.size();
  for (std::size_t i = 0; i < end; ++i) {
    if (messages[i].role == "user") {
      if (last_user < messages.size()) f.earlier_user = static_cast<int>(last_user);
      last_user = i;
    }
  }

  for (std::size_t i = 0; i < end; ++i) {
    const wire::MessageView& m = messages[i];
    const std::string_view role = m.role;
    ++f.messages;
    const bool user = role == "user";
    const bool system = role == "system" || role == "developer";
    const bool tool = role == "tool" || role == "function";
    if (user) ++f.user_turns;
    if (role == "assistant") ++f.assistant_turns;
    if (tool) ++f.tool_results;

    auto on_text = [&](std::string_view text) {
      if (i == last_user) {
        f.instruction_tokens += add_text(text);
        scanner.scan(text, true);
        if (const std::size_t blank = lead_end(text); blank != std::string_view::npos) {
          f.given_bytes = static_cast<int>(std::min<std::size_t>(text.size() - blank - 2, 1 << 20));
          const std::string_view lead = text.substr(0, blank);
          Features marks;  // the lead's separators, counted as count_marks counts the instruction's
          count_marks(lead, false, marks);
          f.lead_clauses = marks.clauses;
          f.lead_numbers = marks.numbers;
          f.lead_cues = CueHits{};  // the last part with a lead is the one read
          CueHits& hits = f.lead_cues;
          CueScanner::builtin().scan(lead, hits);
          take_back_negated(hits);
          f.lead_question_mark = lead.find('?') != std::string_view::npos;
        }
        for_windows(text, kWindow, true, [&](std::string_view w) { CueScanner::builtin().scan(w, f.cues); });
      } else if (user || system) {
        context_text(text);
      } else {
        add_text(text);  // assistant answers and tool results: size only
        if (role == "assistant" && i + 1 == last_user) {
          f.reply_bytes = static_cast<int>(std::min<std::size_t>(std::max(f.reply_bytes, 0) + text.size(), 1 << 20));
        }
      }
    };

    if (m.content == wire::MessageView::Content::kText) {
      on_text(m.text);
    } else if (m.content == wire::MessageView::Content::kParts) {
      bool calls_tools = false;
      for (std::size_t k = 0; k < m.part_count; ++k) {
        const wire::PartView& p = view.part(m.first_part + k);
        if (p.type == "text") {
          on_text(p.text);
        } else if (p.type == "tool_use") {
          calls_tools = true;
          ++f.tool_calls;
          dom::element input;
          if (p.part["input"].get(input) == simdjson::SUCCESS) add_text(simdjson::to_string(input));
        } else if (p.type == "tool_result") {
          ++f.tool_results;
          dom::element rc;
          std::string_view s;
          if (p.part["content"].get(rc) == simdjson::SUCCESS && !rc.get_string().get(s)) add_text(s);
        }
      }
      // An Anthropic assistant turn with tool_use blocks is a tool-call turn.
      if (role == "assistant" && calls_tools) ++f.tool_call_turns;
    }
    if (m.call_count > 0) {
      ++f.tool_call_turns;
      f.tool_calls += static_cast<int>(m.call_count);
      for (std::size_t k = 0; k < m.call_count; ++k) {
        const wire::ToolCallView& c = view.call(m.first_call + k);
        if (c.has_arguments) add_text(c.arguments);
      }
    }
  }

  take_back_negated(f.cues);
  take_back_negated(f.context_cues);
  f.tools_defined = static_cast<int>(view.tools().size());
  for (const wire::ToolView& t : view.tools()) add_text(simdjson::to_string(t.tool));
  f.json_mode = view.response_format_type() == "json_object" || view.response_format_type() == "json_schema";
  f.max_tokens = view.max_tokens();

  // Language and requested length from the instruction.
  if (last_user < messages.size()) {
    const wire::MessageView& m = messages[last_user];
    ScriptCounts sc;
    // Operators in source code are not formulas (and code has many of them).
    const bool formulas = f.code_lines == 0 && f.code_fences == 0;
    // Offered labels and quoted items make a classification only where nothing
    // names another task, and beside tools they tell the items' verbs from
    // actions asked for (classifier.cc): they are counted only there, which
    // spares most requests the pass (a third of a 4 KB request's decision). A
    // bug named is no other task: it may be an item's ("'The app crashes'").
    const CueHits& u = f.cues;
    const bool other_task = u[Signal::kClassify] + u[Signal::kSummarize] + u[Signal::kTranslate] + u[Signal::kExtract] +
                                u[Signal::kCodeTask] + u[Signal::kCodeLang] + u[Signal::kStructured] +
                                u[Signal::kCreative] + u[Signal::kWriteVerb] + u[Signal::kPassageRef] >
                            0;
    const bool items = f.code_lines < 3 && f.code_fences < 2 && f.passage_markers < 2 && f.stack_frames == 0 &&
                       (!other_task || f.tools_defined > 0);
    const bool only_lines =
        u[Signal::kLengthUnit] == 1 && u.first[static_cast<std::size_t>(Signal::kLengthUnit)] == "line";
    const bool measures_length = u[Signal::kLengthUnit] > 0 && (!only_lines || u[Signal::kCreative] > 0);
    auto look = [&](std::string_view text) {
      if (measures_length && f.leading_length_tokens == 0) {
        f.leading_length_tokens = requested_output(text.substr(0, std::min<std::size_t>(text.size(), 48)), true);
      }
      // Read only when the instruction names both words somewhere (most do not).
      if (f.cues[Signal::kEach] > 0 && f.cues[Signal::kDifferent] > 0) f.one_each = f.one_each || one_each(text);
      const std::size_t lead = lead_end(text);
      for_windows(text, kWindow, true, [&](std::string_view w) {
        sc.add(w);
        // Only a text that names a unit of length can ask for one; lines only in a
        // creative text asked for (a poem's "2,000 lines"), since "line" is common
        // in other texts ("two days per line") and the pass costs microseconds.
        if (measures_length) {
          f.requested_output_tokens = std::max(f.requested_output_tokens, requested_output(w));
        }
        count_marks(w, formulas, f);
        if (items) {
          // The given text starts on the line after the blank line.
          const auto offset = static_cast<std::size_t>(w.data() - text.data());
          const std::size_t given_from = lead == std::string_view::npos ? lead
                                         : lead + 2 > offset            ? lead + 2 - offset
                                                                        : 0;
          ItemCounter(w, given_from).count(f);
        }
      });
    };
    // The tier model reads the instruction's first and last 500 bytes.
    if (m.content == wire::MessageView::Content::kText) {
      look(m.text);
      f.model_windows = instruction_windows(std::span(&m.text, 1));
    } else if (m.content == wire::MessageView::Content::kParts) {
      std::vector<std::string_view> texts;
      for (std::size_t k = 0; k < m.part_count; ++k) {
        const wire::PartView& p = view.part(m.first_part + k);
        if (!p.has_text) continue;
        look(p.text);
        if (p.type == "text") texts.push_back(p.text);
      }
      f.model_windows = instruction_windows(texts);
    }
    f.language = language_of(sc, f.cues);
  }
  return f;
}

}  // namespace ff::router
