#include "router/cue_scanner.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>
#include <deque>
#include <string>

namespace ff::router {

namespace {

constexpr const char* kSignalNames[] = {
    "summarize",    "translate", "classify",       "passage_ref",      "structured",   "extract",       "code_task",
    "debug",        "proof",     "not_proof",      "competition_math", "math",         "justify",       "logic_puzzle",
    "planning",     "optimise",  "quant_analysis", "concurrency",      "intermittent", "codebase",      "symptom",
    "cause_ask",    "system",    "first_person",   "agent_steps",      "action",       "long_form",     "write",
    "ask_for",      "whole",     "list",           "length_unit",      "step_by_step", "question",      "creative",
    "lang_es",      "lang_de",   "lang_fr",        "count_ways",       "tech",         "code_artifact", "short_text",
    "quantity_ask", "not_write", "ratio",          "not_summarize",    "each",         "different",     "compare",
    "code_lang"};
static_assert(sizeof(kSignalNames) / sizeof(kSignalNames[0]) == kSignalCount);

// Bytes compared case-insensitively (ASCII only) and with every kind of
// whitespace as one space, so "Step\nby step" matches "step by step".
inline unsigned char fold(unsigned char b) {
  if (b >= 'A' && b <= 'Z') return static_cast<unsigned char>(b + 32);
  if (b == '\n' || b == '\t' || b == '\r') return ' ';
  return b;
}

inline bool ascii_word(unsigned char b) {
  return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
}

// A code point that continues a Latin-script word: accented and other
// alphabetic letters (U+00C0 to U+1FFF). Punctuation such as '¿' or '«', and
// CJK, end a word.
inline bool letter_cp(char32_t c) { return c >= 0xC0 && c < 0x2000; }

// Whether the character ending just before byte `i` continues a word.
bool word_before(const unsigned char* p, std::size_t i) {
  if (i == 0) return false;
  if (p[i - 1] < 0x80) return ascii_word(p[i - 1]);
  std::size_t j = i - 1;
  while (j > 0 && (p[j] & 0xC0) == 0x80 && i - j < 4) --j;
  char32_t c = 0;
  if ((p[j] & 0xE0) == 0xC0)
    c = ((p[j] & 0x1F) << 6) | (p[j + 1] & 0x3F);
  else if ((p[j] & 0xF0) == 0xE0 && i - j == 3)
    c = ((p[j] & 0x0F) << 12) | ((p[j + 1] & 0x3F) << 6) | (p[j + 2] & 0x3F);
  return letter_cp(c);
}

// Whether the character starting at byte `i` continues a word.
bool word_at(const unsigned char* p, std::size_t n, std::size_t i) {
  if (i >= n) return false;
  if (p[i] < 0x80) return ascii_word(p[i]);
  if ((p[i] & 0xE0) == 0xC0 && i + 1 < n) return letter_cp(((p[i] & 0x1F) << 6) | (p[i + 1] & 0x3F));
  return false;
}

inline bool latin(std::string_view cue) { return ascii_word(static_cast<unsigned char>(cue.front())); }

// A Latin-1 capital (À to Þ but ×, U+00C0 to U+00DE) is 0xC3 then 0x80 to 0x9E;
// its lower case is 0x20 higher in the second byte.
inline bool latin1_capital(const unsigned char* p, std::size_t i) {
  return p[i] == 0xC3 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9E && p[i + 1] != 0x97;
}

// A Cyrillic capital (Ё and А to Я, U+0401 and U+0410 to U+042F) is 0xD0 then
// 0x81 or 0x90 to 0xAF.
inline bool cyrillic_capital(const unsigned char* p, std::size_t i) {
  return p[i] == 0xD0 && (p[i + 1] == 0x81 || (p[i + 1] >= 0x90 && p[i + 1] <= 0xAF));
}

// Its lower case, in the same two bytes: а to п (U+0430 to U+043F) are 0xD0 0xB0
// to 0xBF, р to я (U+0440 to U+044F) 0xD1 0x80 to 0x8F, and ё (U+0451) 0xD1 0x91.
inline void lower_cyrillic(char* q) {
  const auto b = static_cast<unsigned char>(q[1]);
  if (b == 0x81) {
    q[0] = static_cast<char>(0xD1);
    q[1] = static_cast<char>(0x91);
  } else if (b <= 0x9F) {
    q[1] = static_cast<char>(b + 0x20);
  } else {
    q[0] = static_cast<char>(0xD1);
    q[1] = static_cast<char>(b - 0x20);
  }
}

// The first byte `b` at or after `from`, or `n` (memchr: most texts have none).
std::size_t find_byte(const unsigned char* p, std::size_t n, unsigned char b, std::size_t from) {
  if (from + 1 >= n) return n;
  const void* x = std::memchr(p + from, b, n - from - 1);
  return x == nullptr ? n : static_cast<std::size_t>(static_cast<const unsigned char*>(x) - p);
}

// `text` with its Latin-1 and Cyrillic capitals lower-cased, in `copy`; `text`
// itself when it has none (most texts: only a capital's two bytes would change,
// and never its length). The first capital is found by two memchr cursors, one
// per lead byte, each moved on only past its own byte: a text full of small
// Cyrillic letters (0xD0 but no capital) is still read once.
std::string_view lowered(std::string_view text, std::string& copy) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t latin = find_byte(p, n, 0xC3, 0), cyrillic = find_byte(p, n, 0xD0, 0);
  std::size_t i = n;
  while (latin < n || cyrillic < n) {
    if (latin < cyrillic) {
      if (latin1_capital(p, latin)) {
        i = latin;
        break;
      }
      latin = find_byte(p, n, 0xC3, latin + 1);
    } else {
      if (cyrillic_capital(p, cyrillic)) {
        i = cyrillic;
        break;
      }
      cyrillic = find_byte(p, n, 0xD0, cyrillic + 1);
    }
  }
  if (i >= n) return text;
  copy.assign(text);
  for (; i + 1 < n; ++i) {
    if (latin1_capital(p, i)) {
      copy[i + 1] = static_cast<char>(p[i + 1] + 0x20);
    } else if (cyrillic_capital(p, i)) {
      lower_cyrillic(&copy[i]);
      ++i;
    }
  }
  return copy;
}

}  // namespace

const char* signal_name(Signal s) { return kSignalNames[static_cast<std::size_t>(s)]; }

void CueHits::add(Signal s, std::size_t cue_index, std::string_view cue, std::size_t at) {
  // A text is not scanned in order (see CueScanner::scan), so the first cue is
  // the one that starts earliest, wherever it was found.
  const auto i = static_cast<std::size_t>(s);
  const std::uint64_t where = scanned_ + at;
  if (count[i] == 0 || where < first_at_[i]) {
    first[i] = cue;
    first_at_[i] = where;
  }
  if (seen_[cue_index]) return;
  seen_[cue_index] = true;
  if (count[i] < UINT16_MAX) ++count[i];
}

const CueScanner& CueScanner::builtin() {
  static const CueScanner scanner(builtin_cues());
  return scanner;
}

CueScanner::CueScanner(const std::vector<Cue>& cues) : cues_(cues) {
  // Bytes that occur in no cue all behave alike (back to the root), so the
  // table has one column per byte that does occur, plus one (column 0) for the
  // rest: a fraction of 256 columns, and more of it stays in cache. The trie is
  // built in those columns from the start (with 256 it took 25 MB of memory
  // while it was being built).
  class_.fill(0);
  classes_ = 1;
  for (const Cue& c : cues_) {
    for (char ch : c.text) {
      unsigned char b = fold(static_cast<unsigned char>(ch));
      if (class_[b] == 0) class_[b] = static_cast<std::uint8_t>(classes_++);
    }
  }
  for (int b = 0; b < kAlphabet; ++b) class_[b] = class_[fold(static_cast<unsigned char>(b))];
  const std::size_t width = classes_;

  // The trie, state s's row at go[s * width], with -1 for a missing edge until
  // the BFS folds the failure links in.
  std::vector<std::int32_t> go(width, -1);
  std::vector<std::vector<std::uint16_t>> own(1);
  for (std::size_t ci = 0; ci < cues_.size(); ++ci) {
    std::size_t s = 0;
    for (char ch : cues_[ci].text) {
      const std::size_t col = class_[static_cast<unsigned char>(ch)];
      if (go[s * width + col] < 0) {
        go[s * width + col] = static_cast<std::int32_t>(own.size());
        go.resize(go.size() + width, -1);
        own.emplace_back();
      }
      s = static_cast<std::size_t>(go[s * width + col]);
    }
    own[s].push_back(static_cast<std::uint16_t>(ci));
  }
  const std::size_t states = own.size();
  assert(states < UINT16_MAX && cues_.size() <= CueHits::kMaxCues);
  for (const Cue& c : cues_) longest_cue_ = std::max(longest_cue_, c.text.size());

  std::vector<std::int32_t> fail(states, 0);
  std::vector<std::vector<std::uint16_t>> outs(states);
  std::deque<std::int32_t> queue;
  for (std::size_t col = 0; col < width; ++col) {
    if (go[col] < 0) {
      go[col] = 0;
    } else {
      queue.push_back(go[col]);
    }
  }
  outs[0] = own[0];
  while (!queue.empty()) {
    const auto u = static_cast<std::size_t>(queue.front());
    queue.pop_front();
    const auto f = static_cast<std::size_t>(fail[u]);
    outs[u] = own[u];
    outs[u].insert(outs[u].end(), outs[f].begin(), outs[f].end());
    for (std::size_t col = 0; col < width; ++col) {
      std::int32_t& v = go[u * width + col];
      if (v < 0) {
        v = go[f * width + col];
      } else {
        fail[static_cast<std::size_t>(v)] = go[f * width + col];
        queue.push_back(v);
      }
    }
  }

  // Each entry is (the next state's row offset << 1) | whether that state ends a cue.
  out_begin_.reserve(states + 1);
  for (std::size_t st = 0; st < states; ++st) {
    out_begin_.push_back(static_cast<std::uint32_t>(out_.size()));
    out_.insert(out_.end(), outs[st].begin(), outs[st].end());
  }
  out_begin_.push_back(static_cast<std::uint32_t>(out_.size()));
  assert(go.size() < (1u << 30));
  next_.resize(go.size());
  for (std::size_t i = 0; i < go.size(); ++i) {
    const auto st = static_cast<std::size_t>(go[i]);
    next_[i] = static_cast<std::uint32_t>(st * width) << 1 | (out_begin_[st + 1] > out_begin_[st] ? 1u : 0u);
  }
}

namespace {

// Whether a cue for a task on a text is a name in code there: the tail of a
// name or a member ("build_summary", "doc.summary"), the head of one or a call
// ("summary_text", "translate(s)"), or a variable assigned ("summary =
// compute(rows)", not "=="). Such a name is no summary, translation or format
// asked for.
bool names_in_code(Signal s, const unsigned char* p, std::size_t n, std::size_t start, std::size_t end) {
  if (s != Signal::kSummarize && s != Signal::kTranslate && s != Signal::kClassify && s != Signal::kExtract &&
      s != Signal::kStructured) {
    return false;
  }
  if (start > 0 && (p[start - 1] == '_' || p[start - 1] == '.')) return true;
  std::size_t k = end;
  while (k < n && ascii_word(p[k])) ++k;  // the rest of the word ("summar" in "summary")
  if (k < n && (p[k] == '_' || p[k] == '(')) return true;
  while (k < n && k < end + 24 && p[k] == ' ') ++k;
  return k < n && p[k] == '=' && (k + 1 == n || p[k + 1] != '=');
}

}  // namespace

void CueScanner::report(std::uint32_t v, const unsigned char* p, std::size_t n, std::size_t end, CueHits& hits) const {
  const std::size_t s = (v >> 1) / classes_;
  for (std::uint32_t b = out_begin_[s], e = out_begin_[s + 1]; b < e; ++b) {
    const Cue& cue = cues_[out_[b]];
    const std::size_t start = end - cue.text.size();
    if (latin(cue.text) && word_before(p, start)) continue;
    // Nor the head of a hyphenated word: "check$" is not in "check-in".
    if (cue.word_end && (word_at(p, n, end) || (end + 1 < n && p[end] == '-' && word_at(p, n, end + 1)))) continue;
    if (cue.not_after_hyphen && start >= 2 && p[start - 1] == '-' && word_before(p, start - 1)) continue;
    if (latin(cue.text) && names_in_code(cue.signal, p, n, start, end)) continue;
    hits.add(cue.signal, out_[b], cue.text, start);
  }
}

void CueScanner::scan(std::string_view original, CueHits& hits) const {
  thread_local std::string lowered_copy;  // reused: no allocation per scan once it has grown
  const std::string_view text = lowered(original, lowered_copy);
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  const std::uint32_t* next = next_.data();
  // Each entry is (row offset << 1) | ends-a-cue, as next_ stores it.
  auto run = [&](std::uint32_t v, std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      v = next[(v >> 1) + class_[p[i]]];
      if (v & 1) report(v, p, n, i + 1, hits);
    }
  };
  constexpr std::size_t kLanes = 4;
  const std::size_t stretch = n / kLanes;
  if (stretch < 4 * longest_cue_) {
    run(0, 0, n);
    hits.scanned_ += n;
    return;
  }
  // Lane k covers [begin[k], end[k]); every lane but the first starts
  // `longest_cue_` early, so a cue that crosses into it from the previous
  // stretch is still seen whole (found twice, it counts once).
  std::array<std::size_t, kLanes> begin{}, end{};
  for (std::size_t k = 0; k < kLanes; ++k) {
    begin[k] = k == 0 ? 0 : k * stretch - longest_cue_;
    end[k] = k + 1 == kLanes ? n : (k + 1) * stretch;
  }
  const std::size_t common = end[0] - begin[0];  // the shortest lane
  std::uint32_t v0 = 0, v1 = 0, v2 = 0, v3 = 0;
  for (std::size_t i = 0; i < common; ++i) {
    v0 = next[(v0 >> 1) + class_[p[begin[0] + i]]];
    v1 = next[(v1 >> 1) + class_[p[begin[1] + i]]];
    v2 = next[(v2 >> 1) + class_[p[begin[2] + i]]];
    v3 = next[(v3 >> 1) + class_[p[begin[3] + i]]];
    if (((v0 | v1 | v2 | v3) & 1) == 0) continue;
    if (v0 & 1) report(v0, p, n, begin[0] + i + 1, hits);
    if (v1 & 1) report(v1, p, n, begin[1] + i + 1, hits);
    if (v2 & 1) report(v2, p, n, begin[2] + i + 1, hits);
    if (v3 & 1) report(v3, p, n, begin[3] + i + 1, hits);
  }
  run(v1, begin[1] + common, end[1]);
  run(v2, begin[2] + common, end[2]);
  run(v3, begin[3] + common, end[3]);
  hits.scanned_ += n;
}

}  // namespace ff::router
