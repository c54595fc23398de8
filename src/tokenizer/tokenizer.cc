#include "tokenizer/tokenizer.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>
#include <queue>
#include <unordered_map>

#include <fmt/format.h>

#include "tokenizer/pretokenizer.h"
#include "tokenizer/utf8.h"

namespace ff::tokenizer {

namespace {

// GPT-2's byte-level alphabet: byte b is written as code point kByteToChar[b].
std::array<char32_t, 256> byte_to_char() {
  std::array<char32_t, 256> map{};
  std::array<bool, 256> direct{};
  for (int b = 33; b <= 126; ++b) direct[b] = true;
  for (int b = 161; b <= 172; ++b) direct[b] = true;
  for (int b = 174; b <= 255; ++b) direct[b] = true;
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) map[b] = direct[b] ? static_cast<char32_t>(b) : next++;
  return map;
}

// Open-addressing map from a pair of ids to (rank, merged id); the BPE hot path.
class MergeTable {
 public:
  struct Entry {
    std::uint64_t key = kEmpty;
    std::uint32_t rank = 0;
    TokenId merged = 0;
  };
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

  void reserve(size_t n) {
    size_t cap = 16;
    while (cap < n * 2) cap <<= 1;
    slots_.assign(cap, Entry{});
    mask_ = cap - 1;
  }
  static std::uint64_t key(TokenId a, TokenId b) { return (std::uint64_t{a} << 32) | b; }
  static size_t hash(std::uint64_t k) { return static_cast<size_t>((k * 0x9E3779B97F4A7C15ULL) >> 20); }
  // Returns false if the pair is already present (the first, lower rank wins).
  bool insert(TokenId a, TokenId b, std::uint32_t rank, TokenId merged) {
    std::uint64_t k = key(a, b);
    for (size_t i = hash(k) & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == kEmpty) {
        slots_[i] = {k, rank, merged};
        return true;
      }
      if (slots_[i].key == k) return false;
    }
  }
  // Every merge as {rank, left, right, merged}, in no particular order.
  std::vector<std::array<std::uint32_t, 4>> entries() const {
    std::vector<std::array<std::uint32_t, 4>> out;
    for (const Entry& e : slots_) {
      if (e.key != kEmpty) {
        out.push_back({e.rank, static_cast<std::uint32_t>(e.key >> 32), static_cast<std::uint32_t>(e.key), e.merged});
      }
    }
    return out;
  }
  const Entry* find(TokenId a, TokenId b) const {
    std::uint64_t k = key(a, b);
    for (size_t i = hash(k) & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == k) return &slots_[i];
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }

 private:
  std::vector<Entry> slots_;
  size_t mask_ = 0;
};

// Open-addressing map from byte-level token text (views into the parsed JSON,
// which outlives it) to ids; used only while loading. One slot holds the hash,
// the key and the id, so a probe touches one cache line.
class TokenTextMap {
 public:
  explicit TokenTextMap(size_t n) {
    size_t cap = 16;
    while (cap < n * 2) cap <<= 1;
    slots_.resize(cap);
    mask_ = cap - 1;
  }
  static std::uint64_t hash(std::string_view s) {
    std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ s.size();
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
      h ^= h >> 31;
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, s.data() + i, s.size() - i);
    h = (h ^ tail) * 0x94D049BB133111EBULL;
    return (h ^ (h >> 29)) | 1;  // never 0, which marks an empty slot
  }
  void insert(std::string_view key, TokenId id) {
    const std::uint64_t h = hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.hash == 0) {
        s = {h, key.data(), static_cast<std::uint32_t>(key.size()), id};
        return;
      }
      if (s.hash == h && std::string_view(s.data, s.size) == key) return;
    }
  }
  std::optional<TokenId> find(std::string_view key) const {
    const std::uint64_t h = hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.hash == 0) return std::nullopt;
      if (s.hash == h && std::string_view(s.data, s.size) == key) return s.id;
    }
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    const char* data = nullptr;
    std::uint32_t size = 0;
    TokenId id = 0;
  };
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

}  // namespace

struct BpeTokenizer::Impl {
  // Token id -> raw bytes: bytes[offsets[id] .. offsets[id + 1]); empty for unused ids.
  std::string bytes;
  std::vector<std::uint32_t> offsets{0};
  std::array<TokenId, 256> byte_id{};
  MergeTable merges;
  // Added tokens, matched longest first: their lengths, longest first, and which
  // bytes can start one.
  std::unordered_map<std::string, TokenId> added_by_content;
  std::vector<size_t> added_lengths;
  std::array<bool, 256> added_first_byte{};
  std::uint64_t serial = 0;  // tells thread-local caches which tokenizer they belong to

  std::string_view token(TokenId id) const {
    return std::string_view(bytes).substr(offsets[id], offsets[id + 1] - offsets[id]);
  }
  void set_tokens(const std::vector<std::string>& by_id) {
    bytes.clear();
    offsets.assign(1, 0);
    for (const std::string& t : by_id) {
      bytes += t;
      offsets.push_back(static_cast<std::uint32_t>(bytes.size()));
    }
  }
  void add_special(std::string content, TokenId id) {
    added_first_byte[static_cast<unsigned char>(content[0])] = true;
    if (std::find(added_lengths.begin(), added_lengths.end(), content.size()) == added_lengths.end()) {
      added_lengths.push_back(content.size());
      std::sort(added_lengths.rbegin(), added_lengths.rend());
    }
    added_by_content[std::move(content)] = id;
  }
};

namespace {

// Per-thread scratch and a cache of the ids of recently seen pieces, like the
// reference implementation's own cache (results do not depend on it).
struct ThreadState {
  std::uint64_t serial = 0;
  PretokenizerScratch pre;
  std::string repaired;
  std::vector<TokenId> word;
  std::unordered_map<std::string, std::vector<TokenId>> cache;
  std::string key;
  static constexpr size_t kMaxCacheEntries = 1u << 16;
  static constexpr size_t kMaxCachedPieceBytes = 64;
};

ThreadState& thread_state(std::uint64_t serial) {
  thread_local ThreadState state;
  if (state.serial != serial) {
    state.cache.clear();
    state.serial = serial;
  }
  return state;
}

std::uint64_t next_serial() {
  static std::atomic<std::uint64_t> serial{0};
  return ++serial;
}

// Byte-pair merges over `word` (ids of single bytes on entry): repeatedly merge
// the adjacent pair with the lowest rank, leftmost first.
void bpe_merge(const MergeTable& merges, std::vector<TokenId>& word) {
  const size_t n = word.size();
  if (n < 2) return;
  if (n <= 48) {
    // Small words: a scan per merge beats any bookkeeping.
    while (word.size() > 1) {
      std::uint32_t best_rank = UINT32_MAX;
      size_t best = 0;
      TokenId merged = 0;
      for (size_t i = 0; i + 1 < word.size(); ++i) {
        if (const auto* e = merges.find(word[i], word[i + 1]); e != nullptr && e->rank < best_rank) {
          best_rank = e->rank;
          best = i;
          merged = e->merged;
        }
      }
      if (best_rank == UINT32_MAX) break;
      word[best] = merged;
      word.erase(word.begin() + static_cast<std::ptrdiff_t>(best) + 1);
    }
    return;
  }
  // Long words (long runs of letters or symbols): a heap of candidate pairs keyed
  // by (rank, position) over a linked list of symbols, O(n log n).
  std::vector<TokenId> id(word);
  std::vector<std::int64_t> prev(n), next(n);
  std::vector<bool> alive(n, true);
  for (size_t i = 0; i < n; ++i) {
    prev[i] = static_cast<std::int64_t>(i) - 1;
    next[i] = i + 1 < n ? static_cast<std::int64_t>(i) + 1 : -1;
  }
  struct Cand {
    std::uint32_t rank;
    std::int64_t pos;
    TokenId left, right;
    bool operator>(const Cand& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Cand, std::vector<Cand>, std::greater<Cand>> heap;
  auto push = [&](std::int64_t i) {
    if (i < 0 || next[i] < 0) return;
    if (const auto* e = merges.find(id[i], id[next[i]])) heap.push({e->rank, i, id[i], id[next[i]]});
  };
  for (size_t i = 0; i + 1 < n; ++i) push(static_cast<std::int64_t>(i));
  while (!heap.empty()) {
    Cand c = heap.top();
    heap.pop();
    std::int64_t i = c.pos;
    // Skip candidates made stale by an earlier merge.
    if (!alive[i] || next[i] < 0 || id[i] != c.left || id[next[i]] != c.right) continue;
    std::int64_t j = next[i];
    id[i] = merges.find(c.left, c.right)->merged;
    alive[j] = false;
    next[i] = next[j];
    if (next[j] >= 0) prev[next[j]] = i;
    push(prev[i]);
    push(i);
  }
  word.clear();
  for (std::int64_t i = 0; i >= 0; i = next[i]) word.push_back(id[i]);
}

}  // namespace

BpeTokenizer::BpeTokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BpeTokenizer::~BpeTokenizer() = default;

size_t BpeTokenizer::vocab_size() const { return impl_->offsets.size() - 1; }

std::optional<TokenId> BpeTokenizer::added_token_id(std::string_view content) const {
  auto it = impl_->added_by_content.find(std::string(content));
  if (it == impl_->added_by_content.end()) return std::nullopt;
  return it->second;
}

core::Result<std::unique_ptr<BpeTokenizer>> BpeTokenizer::load(std::string_view json,
                                                               const std::string& source_name) {
  auto fail = [&](const std::string& what) {
    return core::make_error(fmt::format("{}: not a usable byte-level BPE tokenizer.json: {}", source_name, what));
  };
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::padded_string padded(json);
  if (auto err = parser.parse(padded).get(root)) return fail(simdjson::error_message(err));
  simdjson::dom::object model;
  if (root["model"].get_object().get(model)) return fail("no 'model' object");
  std::string_view type;
  if (model["type"].get_string().get(type) || type != "BPE") return fail("model.type is not \"BPE\"");
  simdjson::dom::object vocab;
  simdjson::dom::array merges;
  if (model["vocab"].get_object().get(vocab)) return fail("no model.vocab object");
  if (model["merges"].get_array().get(merges)) return fail("no model.merges array");

  auto impl = std::make_unique<Impl>();
  impl->serial = next_serial();
  // Inverse of the byte-level alphabet.
  const auto b2c = byte_to_char();
  std::array<int, 512> char_to_byte;
  char_to_byte.fill(-1);
  for (int b = 0; b < 256; ++b) char_to_byte[b2c[b]] = b;
  auto to_bytes = [&](std::string_view token, std::string& out) {
    out.clear();
    for (size_t i = 0; i < token.size();) {
      char32_t c = next_code_point(token, i);
      if (c >= char_to_byte.size() || char_to_byte[c] < 0) return false;
      out.push_back(static_cast<char>(char_to_byte[c]));
    }
    return true;
  };

  // Vocab and merges are matched on their byte-level text; only the vocab is
  // converted to raw bytes.
  std::vector<std::string> by_id;
  by_id.reserve(vocab.size() + 1024);
  TokenTextMap text_to_id(vocab.size());
  std::string bytes;
  for (auto [key, value] : vocab) {
    std::int64_t id;
    if (value.get_int64().get(id) || id < 0 || id > 10'000'000) return fail("a vocab id is not a small integer");
    if (static_cast<size_t>(id) >= by_id.size()) by_id.resize(id + 1);
    if (!to_bytes(key, bytes)) {
      // Special tokens such as <｜begin▁of▁sentence｜> sit in the vocab as plain
      // text; BPE never produces them, so they take no part in merges.
      by_id[id] = std::string(key);
      continue;
    }
    by_id[id] = bytes;
    text_to_id.insert(key, static_cast<TokenId>(id));
  }
  for (int b = 0; b < 256; ++b) {
    std::string text;
    char32_t c = b2c[b];
    // UTF-8 of the byte's stand-in character (all below U+0800).
    if (c < 0x80) {
      text.push_back(static_cast<char>(c));
    } else {
      text.push_back(static_cast<char>(0xC0 | (c >> 6)));
      text.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
    auto id = text_to_id.find(text);
    if (!id) return fail(fmt::format("the vocab lacks the single byte 0x{:02x}", b));
    impl->byte_id[b] = *id;
  }

  impl->merges.reserve(merges.size());
  std::uint32_t rank = 0;
  std::string joined;
  for (simdjson::dom::element m : merges) {
    std::string_view a, b;
    std::string_view line;
    if (!m.get_string().get(line)) {
      size_t space = line.find(' ');
      if (space == std::string_view::npos) return fail(fmt::format("merge {} has no space", rank));
      a = line.substr(0, space);
      b = line.substr(space + 1);
    } else {
      simdjson::dom::array pair;
      if (m.get_array().get(pair) || pair.size() != 2 || pair.at(0).get_string().get(a) ||
          pair.at(1).get_string().get(b)) {
        return fail(fmt::format("merge {} is neither \"a b\" nor [a, b]", rank));
      }
    }
    joined.assign(a);
    joined.append(b);
    auto l = text_to_id.find(a), r = text_to_id.find(b), lr = text_to_id.find(joined);
    if (!l || !r || !lr) return fail(fmt::format("merge {} uses a token missing from the vocab", rank));
    impl->merges.insert(*l, *r, rank, *lr);
    ++rank;
  }

  simdjson::dom::array added;
  if (!root["added_tokens"].get_array().get(added)) {
    for (simdjson::dom::element t : added) {
      std::string_view content;
      std::int64_t id;
      if (t["content"].get_string().get(content) || t["id"].get_int64().get(id) || id < 0 || id > 10'000'000) {
        return fail("an added token lacks content or id");
      }
      if (content.empty()) continue;
      if (static_cast<size_t>(id) >= by_id.size()) by_id.resize(id + 1);
      by_id[id] = std::string(content);
      impl->add_special(std::string(content), static_cast<TokenId>(id));
    }
  }
  impl->set_tokens(by_id);
  return std::unique_ptr<BpeTokenizer>(new BpeTokenizer(std::move(impl)));
}

// Compiled form: "FFBPE001", then u32 counts (ids, merges, added), u32 byte_id[256],
// u32 offsets[ids + 1], the token bytes, u32 merges[3 * merges] (left, right,
// merged, by rank), u32 added ids. Native byte order: written and read on the
// same machine by the build.
namespace {
constexpr std::string_view kMagic = "FFBPE001";

void put_u32(std::string& out, std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }

struct Reader32 {
  std::string_view in;
  size_t pos = 0;
  bool ok = true;
  std::uint32_t u32() {
    if (pos + 4 > in.size()) {
      ok = false;
      return 0;
    }
    std::uint32_t v;
    std::memcpy(&v, in.data() + pos, 4);
    pos += 4;
    return v;
  }
  std::string_view take(size_t n) {
    if (pos + n > in.size()) {
      ok = false;
      return {};
    }
    std::string_view v = in.substr(pos, n);
    pos += n;
    return v;
  }
};
}  // namespace

std::string BpeTokenizer::serialize() const {
  const Impl& im = *impl_;
  std::vector<std::array<std::uint32_t, 4>> merges = im.merges.entries();  // rank, left, right, merged
  std::sort(merges.begin(), merges.end());
  std::string out(kMagic);
  put_u32(out, static_cast<std::uint32_t>(vocab_size()));
  put_u32(out, static_cast<std::uint32_t>(merges.size()));
  put_u32(out, static_cast<std::uint32_t>(im.added_by_content.size()));
  for (TokenId id : im.byte_id) put_u32(out, id);
  for (std::uint32_t o : im.offsets) put_u32(out, o);
  out += im.bytes;
  for (const auto& m : merges) {
    put_u32(out, m[1]);
    put_u32(out, m[2]);
    put_u32(out, m[3]);
  }
  std::vector<TokenId> added;
  for (const auto& [content, id] : im.added_by_content) added.push_back(id);
  std::sort(added.begin(), added.end());
  for (TokenId id : added) put_u32(out, id);
  return out;
}

core::Result<std::unique_ptr<BpeTokenizer>> BpeTokenizer::load_compiled(std::string_view data) {
  auto fail = [] { return core::make_error("the compiled vocabulary is truncated or corrupt"); };
  if (data.substr(0, kMagic.size()) != kMagic) return fail();
  Reader32 r{data, kMagic.size()};
  const std::uint32_t n_ids = r.u32(), n_merges = r.u32(), n_added = r.u32();
  if (!r.ok || n_ids == 0 || n_ids > 10'000'000) return fail();
  auto impl = std::make_unique<Impl>();
  impl->serial = next_serial();
  for (TokenId& id : impl->byte_id) id = r.u32();
  impl->offsets.resize(n_ids + 1);
  for (std::uint32_t& o : impl->offsets) o = r.u32();
  if (!r.ok || impl->offsets.front() != 0 || !std::is_sorted(impl->offsets.begin(), impl->offsets.end())) return fail();
  impl->bytes = std::string(r.take(impl->offsets.back()));
  impl->merges.reserve(n_merges);
  for (std::uint32_t rank = 0; rank < n_merges; ++rank) {
    std::uint32_t a = r.u32(), b = r.u32(), merged = r.u32();
    if (a >= n_ids || b >= n_ids || merged >= n_ids) return fail();
    impl->merges.insert(a, b, rank, merged);
  }
  for (std::uint32_t i = 0; i < n_added; ++i) {
    std::uint32_t id = r.u32();
    if (id >= n_ids || impl->token(id).empty()) return fail();
    impl->add_special(std::string(impl->token(id)), id);
  }
  for (TokenId id : impl->byte_id) {
    if (id >= n_ids) return fail();
  }
  if (!r.ok || r.pos != data.size()) return fail();
  return std::unique_ptr<BpeTokenizer>(new BpeTokenizer(std::move(impl)));
}

core::Result<std::unique_ptr<BpeTokenizer>> BpeTokenizer::load_file(const std::string& path) {
  simdjson::padded_string content;
  if (auto err = simdjson::padded_string::load(path).get(content)) {
    return core::make_error(fmt::format("cannot read '{}': {}", path, simdjson::error_message(err)));
  }
  return load(std::string_view(content.data(), content.size()), path);
}

template <typename Sink>
void BpeTokenizer::run(std::string_view text, SpecialTokens special, Sink& sink) const {
  const Impl& im = *impl_;
  ThreadState& st = thread_state(im.serial);
  if (!is_valid_utf8(text)) {
    st.repaired = repair_utf8(text);
    text = st.repaired;
  }
  auto encode_plain = [&](std::string_view section) {
    pretokenize(section, st.pre, [&](std::uint32_t b, std::uint32_t e) {
      std::string_view piece = section.substr(b, e - b);
      if (piece.size() == 1) {
        sink(&im.byte_id[static_cast<unsigned char>(piece[0])], 1);
        return;
      }
      const bool cacheable = piece.size() <= ThreadState::kMaxCachedPieceBytes;
      if (cacheable) {
        st.key.assign(piece);
        auto it = st.cache.find(st.key);
        if (it != st.cache.end()) {
          sink(it->second.data(), it->second.size());
          return;
        }
      }
      st.word.clear();
      for (unsigned char ch : piece) st.word.push_back(im.byte_id[ch]);
      bpe_merge(im.merges, st.word);
      sink(st.word.data(), st.word.size());
      if (cacheable) {
        if (st.cache.size() >= ThreadState::kMaxCacheEntries) st.cache.clear();
        st.cache.emplace(st.key, st.word);
      }
    });
  };
  if (special == SpecialTokens::kIgnore || im.added_by_content.empty()) {
    encode_plain(text);
    return;
  }
  // Added tokens: the longest match at each position, scanning left to right.
  size_t plain_start = 0;
  for (size_t i = 0; i < text.size();) {
    std::optional<TokenId> found;
    size_t found_len = 0;
    if (im.added_first_byte[static_cast<unsigned char>(text[i])]) {
      for (size_t len : im.added_lengths) {
        if (i + len > text.size()) continue;
        st.key.assign(text.substr(i, len));
        if (auto it = im.added_by_content.find(st.key); it != im.added_by_content.end()) {
          found = it->second;
          found_len = len;
          break;
        }
      }
    }
    if (!found) {
      ++i;
      continue;
    }
    if (plain_start < i) encode_plain(text.substr(plain_start, i - plain_start));
    sink(&*found, 1);
    i += found_len;
    plain_start = i;
  }
  if (plain_start < text.size()) encode_plain(text.substr(plain_start));
}

void BpeTokenizer::encode(std::string_view text, std::vector<TokenId>& out, SpecialTokens special) const {
  auto sink = [&out](const TokenId* ids, size_t n) { out.insert(out.end(), ids, ids + n); };
  run(text, special, sink);
}

std::int64_t BpeTokenizer::count(std::string_view text, SpecialTokens special) const {
  std::int64_t n = 0;
  auto sink = [&n](const TokenId*, size_t k) { n += static_cast<std::int64_t>(k); };
  run(text, special, sink);
  return n;
}

core::Result<std::string> BpeTokenizer::decode(std::span<const TokenId> ids) const {
  std::string out;
  for (TokenId id : ids) {
    if (id >= vocab_size() || impl_->token(id).empty()) {
      return core::make_error(fmt::format("token id {} is not in the vocabulary", id));
    }
    out += impl_->token(id);
  }
  return out;
}

std::int64_t RatioEstimator::count(std::string_view text, SpecialTokens) const {
  // Tenths of a token: 3 per character, 6 per CJK character (documented ratios).
  std::int64_t tenths = 0;
  std::string repaired;
  if (!is_valid_utf8(text)) {
    repaired = repair_utf8(text);
    text = repaired;
  }
  for (size_t i = 0; i < text.size();) {
    char32_t c = next_code_point(text, i);
    bool cjk = (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0xF900 && c <= 0xFAFF) ||
               (c >= 0x20000 && c <= 0x3FFFF);
    tenths += cjk ? 6 : 3;
  }
  return (tenths + 9) / 10;
}

}  // namespace ff::tokenizer
