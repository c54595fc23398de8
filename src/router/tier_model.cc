#include "router/tier_model.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "router/text.h"
#include "router/word_tokens.h"

namespace ff::router {

extern const std::string_view kEmbeddedTierModel;

namespace {

constexpr std::size_t kHead = TierModel::kWindow, kTail = TierModel::kWindow;

// Whether a unigram says something to a reader of the reason: not a number, a
// letter or two, or one of the commonest English words.
bool telling(std::string_view w, const Token& t) {
  if (t.digits) return false;
  const std::string_view s = w.substr(t.begin, t.end - t.begin);
  if (s.size() < 3) return static_cast<unsigned char>(s[0]) >= 0x80;  // a CJK character tells
  static constexpr std::string_view kCommon[] = {"and", "the",  "for", "with", "that", "this", "are",  "from", "our",
                                                 "you", "your", "was", "has",  "have", "will", "what", "how",  "not",
                                                 "but", "all",  "can", "its",  "one",  "two",  "who",  "why",  "each"};
  return std::none_of(std::begin(kCommon), std::end(kCommon), [&](std::string_view c) { return equals_lowered(s, c); });
}

// Calls f(hash) for each character n-gram of the window, lo to hi characters
// long (UTF-8 sequences: a CJK character is one), of the window read with its
// ASCII letters lower-cased, each run of ASCII digits as one '#' and each run of
// ASCII whitespace as one space; each hashed with the prefix "c:". The
// trainer's char_grams() gives the same hashes.
template <typename F>
void each_char_gram(std::string_view w, std::size_t lo, std::size_t hi, F&& f) {
  // The normalized text is never longer than the window; starts[k] is the offset
  // of its k-th character, and starts[count] its size.
  thread_local std::string text;
  thread_local std::vector<std::uint32_t> starts;
  if (text.size() < w.size()) text.resize(w.size());
  if (starts.size() < w.size() + 1) starts.resize(w.size() + 1);
  char* const out = text.data();
  std::uint32_t* const start = starts.data();
  std::size_t size = 0, count = 0;
  auto is_space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  for (std::size_t i = 0; i < w.size();) {
    const char c = w[i];
    char put;
    if (c >= '0' && c <= '9') {
      while (i < w.size() && w[i] >= '0' && w[i] <= '9') ++i;
      put = '#';
    } else if (is_space(c)) {
      while (i < w.size() && is_space(w[i])) ++i;
      put = ' ';
    } else {
      put = ascii_lower(c);
      ++i;
    }
    if ((static_cast<unsigned char>(put) & 0xC0) != 0x80) start[count++] = static_cast<std::uint32_t>(size);
    out[size++] = put;
  }
  start[count] = static_cast<std::uint32_t>(size);
  static constexpr Fnv kChar = Fnv().add("c:");
  for (std::size_t i = 0; i + lo <= count; ++i) {
    Fnv h = kChar;
    for (std::uint32_t b = start[i]; b < start[i + lo - 1]; ++b) h.byte(static_cast<unsigned char>(out[b]));
    for (std::size_t n = lo; n <= hi && i + n <= count; ++n) {
      for (std::uint32_t b = start[i + n - 1]; b < start[i + n]; ++b) h.byte(static_cast<unsigned char>(out[b]));
      f(h.value());
    }
  }
}

std::string token_text(std::string_view w, const Token& t) {
  if (t.digits) return "#";
  std::string s(w.substr(t.begin, t.end - t.begin));
  std::transform(s.begin(), s.end(), s.begin(), ascii_lower);
  return s;
}

}  // namespace

core::Result<TierModel> TierModel::parse(std::string_view text) {
  TierModel m;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const std::size_t sp = line.find(' ');
    if (sp == std::string_view::npos)
      return core::make_error(fmt::format("tier model line {}: expected two fields", line_no));
    const std::string_view key = line.substr(0, sp), value = line.substr(sp + 1);
    auto number = [&](std::string_view v, double& out) {
      const auto r = std::from_chars(v.data(), v.data() + v.size(), out);
      return r.ec == std::errc() && r.ptr == v.data() + v.size();
    };
    if (key == "chars") {
      // "chars LO HI": character n-grams of LO to HI characters.
      unsigned lo = 0, hi = 0;
      const std::size_t sp2 = value.find(' ');
      const auto whole = [](std::string_view v, unsigned& out) {
        const auto r = std::from_chars(v.data(), v.data() + v.size(), out);
        return r.ec == std::errc() && r.ptr == v.data() + v.size();
      };
      if (sp2 == std::string_view::npos || !whole(value.substr(0, sp2), lo) || !whole(value.substr(sp2 + 1), hi) ||
          lo < 1 || lo > hi || hi > 8) {
        return core::make_error(
            fmt::format("tier model line {}: expected \"chars LO HI\" with 1 <= LO <= HI <= 8", line_no));
      }
      m.chars_lo_ = lo;
      m.chars_hi_ = hi;
      continue;
    }
    if (key == "calibration") {
      const std::size_t sp2 = value.find(' ');
      if (sp2 == std::string_view::npos || !number(value.substr(0, sp2), m.cal_a_) ||
          !number(value.substr(sp2 + 1), m.cal_b_)) {
        return core::make_error(fmt::format("tier model line {}: expected \"calibration A B\"", line_no));
      }
      continue;
    }
    double v = 0;
    if (!number(value, v))
      return core::make_error(fmt::format("tier model line {}: '{}' is not a number", line_no, value));
    if (key == "buckets") {
      // A power of two: an index is the hash's low bits (the trainer's hash % buckets).
      const auto b = v >= 1 && v <= (1 << 24) ? static_cast<std::uint32_t>(v) : 0U;
      if (b == 0 || b != v || (b & (b - 1)) != 0) {
        return core::make_error(
            fmt::format("tier model line {}: the bucket count must be a power of two up to 2^24", line_no));
      }
      m.buckets_ = b;
      m.mask_ = b - 1;
      m.weights_.assign(m.buckets_, 0.0F);
    } else if (key == "bias") {
      m.bias_ = v;
    } else {
      std::uint32_t index = 0;
      const auto r = std::from_chars(key.data(), key.data() + key.size(), index);
      if (r.ec != std::errc() || r.ptr != key.data() + key.size() || index >= m.buckets_) {
        return core::make_error(fmt::format("tier model line {}: bad index '{}'", line_no, key));
      }
      m.weights_[index] = static_cast<float>(v);
    }
  }
  if (m.buckets_ == 0) return core::make_error("tier model: no `buckets` line");
  return m;
}

const TierModel& TierModel::builtin() {
  static const TierModel model = [] {
    auto m = parse(kEmbeddedTierModel);
    return m.ok() ? std::move(m).value() : TierModel();  // the shipped file is tested to parse
  }();
  return model;
}

template <typename F>
void TierModel::each_feature(std::span<const std::string_view> windows, int tools, bool history, F&& f) const {
  thread_local std::vector<Token> toks;
  std::size_t count = 0, questions = 0;
  for (std::size_t wi = 0; wi < windows.size(); ++wi) {
    const std::string_view w = windows[wi];
    tokenize(w, toks);
    count += toks.size();
    questions += static_cast<std::size_t>(std::count(w.begin(), w.end(), '?'));
    for (std::size_t pos = w.find("？"); pos != std::string_view::npos; pos = w.find("？", pos + 3)) ++questions;
    // Each token is read twice: once for its unigram and the start of the bigram
    // it begins ("b:" t " "), once as the end of the bigram before it.
    // Numbers and function words make no feature, alone or in a pair. A single
    // CJK character makes none alone either ("多", "求", "返" carry no task the
    // way a word does), only in a pair with its neighbour.
    Fnv next_prefix;
    bool previous_tells = false;
    for (std::size_t i = 0; i < toks.size(); ++i) {
      const bool tells = telling_token(w, toks[i]);
      // The hashes of "u:" and "b:", the features' prefixes, are constants.
      static constexpr Fnv kUnigram = Fnv().add("u:"), kBigram = Fnv().add("b:");
      Fnv u = kUnigram, prefix = kBigram;
      if (i > 0 && previous_tells && tells) {
        Fnv bigram = next_prefix;
        add_token(w, toks[i], bigram);
        f(static_cast<std::uint32_t>(bigram.value() & mask_), w, &toks[i - 1], &toks[i]);
      }
      add_token(w, toks[i], u, &prefix);
      prefix.byte(' ');
      next_prefix = prefix;
      if (tells && !toks[i].cjk) f(static_cast<std::uint32_t>(u.value() & mask_), w, &toks[i], nullptr);
      previous_tells = tells;
    }
    if (chars_lo_ > 0) {
      each_char_gram(w, chars_lo_, chars_hi_,
                     [&](std::uint64_t h) { f(static_cast<std::uint32_t>(h & mask_), w, nullptr, nullptr); });
    }
  }
  char buf[32];
  auto structural = [&](std::string_view name, std::size_t v) {
    const std::size_t n = name.size();
    std::memcpy(buf, name.data(), n);
    buf[n] = static_cast<char>('0' + v);  // every value is a single digit
    f(static_cast<std::uint32_t>(Fnv().add(std::string_view(buf, n + 1)).value() & mask_), std::string_view(), nullptr,
      nullptr);
  };
  structural("tools:", static_cast<std::size_t>(std::clamp(tools, 0, 3)));
  structural("history:", history ? 1 : 0);
  structural("length:", std::min<std::size_t>(count / 40, 6));
  structural("questions:", std::min<std::size_t>(questions, 3));
}

std::vector<std::uint32_t> TierModel::features(std::span<const std::string_view> windows, int tools,
                                               bool history) const {
  std::vector<std::uint32_t> out;
  if (buckets_ == 0) return out;
  each_feature(windows, tools, history,
               [&](std::uint32_t index, std::string_view, const void*, const void*) { out.push_back(index); });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

template <typename OnNew>
double TierModel::sum(std::span<const std::string_view> windows, int tools, bool history, OnNew&& on_new) const {
  // Each index counts once, as in the trainer's set of features: a bitmap of the
  // indices seen, cleared again afterwards.
  thread_local std::vector<std::uint64_t> seen;
  thread_local std::vector<std::uint32_t> touched;
  if (seen.size() < (buckets_ + 63) / 64) seen.assign((buckets_ + 63) / 64, 0);
  touched.clear();
  double z = bias_;
  each_feature(windows, tools, history, [&](std::uint32_t index, std::string_view w, const void* a, const void* b) {
    std::uint64_t& word = seen[index >> 6];
    const std::uint64_t bit = std::uint64_t{1} << (index & 63);
    if (word & bit) return;
    word |= bit;
    touched.push_back(index);
    z += weights_[index];
    on_new(weights_[index], w, a, b);
  });
  for (std::uint32_t index : touched) seen[index >> 6] = 0;
  // The raw score clamped as the trainer clamps it, then calibrated.
  return 1.0 / (1.0 + std::exp(-std::clamp(cal_a_ * std::clamp(z, -30.0, 30.0) + cal_b_, -30.0, 30.0)));
}

double TierModel::probability(std::span<const std::string_view> windows, int tools, bool history) const {
  if (buckets_ == 0) return 0;
  return sum(windows, tools, history, [](float, std::string_view, const void*, const void*) {});
}

TierScore TierModel::score(std::span<const std::string_view> windows, int tools, bool history) const {
  TierScore s;
  if (buckets_ == 0) return s;
  struct Top {
    float weight = 0;
    std::string_view window;
    const Token* first = nullptr;
    const Token* second = nullptr;
  };
  std::array<Top, 3> top{};
  std::array<std::string, 3> names;
  s.pro = sum(windows, tools, history, [&](float weight, std::string_view w, const void* a, const void* b) {
    if (a == nullptr || weight <= top.back().weight) return;
    if (b == nullptr && !telling(w, *static_cast<const Token*>(a))) return;
    // The strongest n-grams toward Pro, named now: the tokens are reused per window.
    std::size_t k = top.size() - 1;
    while (k > 0 && weight > top[k - 1].weight) --k;
    std::move_backward(top.begin() + static_cast<std::ptrdiff_t>(k), top.end() - 1, top.end());
    std::move_backward(names.begin() + static_cast<std::ptrdiff_t>(k), names.end() - 1, names.end());
    top[k] = {weight, w, static_cast<const Token*>(a), static_cast<const Token*>(b)};
    names[k] = token_text(w, *top[k].first);
    if (b != nullptr) names[k].append(" ").append(token_text(w, *top[k].second));
  });
  for (std::size_t k = 0; k < top.size() && top[k].first != nullptr; ++k) {
    if (!s.top_terms.empty()) s.top_terms += ", ";
    s.top_terms.append("\"").append(names[k]).append("\"");
  }
  return s;
}

std::vector<std::string> instruction_windows(std::span<const std::string_view> parts) {
  // The joined text's bytes [from, to), read across the parts and the spaces between them.
  std::size_t total = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) total += parts[i].size() + (i > 0 ? 1 : 0);
  auto slice = [&](std::size_t from, std::size_t to) {
    std::string out;
    std::size_t at = 0;
    for (std::size_t i = 0; i < parts.size() && at < to; ++i) {
      if (i > 0) {
        if (at >= from && at < to) out.push_back(' ');
        ++at;
      }
      const std::string_view p = parts[i];
      const std::size_t b = std::max(from, at), e = std::min(to, at + p.size());
      if (b < e) out.append(p.substr(b - at, e - b));
      at += p.size();
    }
    return out;
  };
  if (total <= kHead + kTail) return {slice(0, total)};
  // Cut points move forward to a character's start, as Features' windows do.
  std::string head = slice(0, kHead + 3);
  head.resize(char_boundary(head, kHead));
  std::string tail = slice(total - kTail, total);
  tail.erase(0, char_boundary(tail, 0));
  return {std::move(head), std::move(tail)};
}

}  // namespace ff::router
