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
#include "tokenizer/unicode_tables.h"
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

// The merge rules: (left id, right id) -> rank, in an open-addressing table of
// 8-byte slots (left and right ids and the rank packed into 20 bits each), so
// that the hot lookups of BPE touch half the memory of a plain table; the merged
// id is kept per rank, since only the chosen merge needs it.
class MergeTable {
 public:
  static constexpr std::uint32_t kMaxId = (1u << 20) - 1;
  static constexpr std::uint32_t kNoRank = UINT32_MAX;

  void reserve(size_t n) {
    size_t cap = 16;
    while (cap < n * 2) cap <<= 1;
    slots_.assign(cap, kEmpty);
    mask_ = cap - 1;
    merged_.clear();
    merged_.reserve(n);
  }
  // Adds the next merge (ranks are given in order). Ids and ranks must be at most
  // kMaxId. A repeated pair keeps its first, lower rank.
  void push(TokenId a, TokenId b, TokenId merged) {
    const auto rank = static_cast<std::uint32_t>(merged_.size());
    merged_.push_back(merged);
    const std::uint64_t k = pair_key(a, b);
    for (size_t i = hash(k) & mask_;; i = (i + 1) & mask_) {
      if (slots_[i] == kEmpty) {
        slots_[i] = (k << 20) | rank;
        return;
      }
      if ((slots_[i] >> 20) == k) return;
    }
  }
  // The rank of merging a with b, or kNoRank.
  std::uint32_t rank(TokenId a, TokenId b) const {
    const std::uint64_t k = pair_key(a, b);
    for (size_t i = hash(k) & mask_;; i = (i + 1) & mask_) {
      const std::uint64_t v = slots_[i];
      if (v == kEmpty) return kNoRank;
      if ((v >> 20) == k) return static_cast<std::uint32_t>(v & kMaxId);
    }
  }
  TokenId merged(std::uint32_t rank) const { return merged_[rank]; }
  size_t size() const { return merged_.size(); }
  // Every merge as {left, right, merged}, by rank.
  std::vector<std::array<std::uint32_t, 3>> by_rank() const {
    std::vector<std::array<std::uint32_t, 3>> out(merged_.size());
    for (std::uint64_t v : slots_) {
      if (v == kEmpty) continue;
      const auto r = static_cast<std::uint32_t>(v & kMaxId);
      const std::uint64_t k = v >> 20;
      out[r] = {static_cast<std::uint32_t>(k >> 20), static_cast<std::uint32_t>(k & kMaxId), merged_[r]};
    }
    return out;
  }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  static std::uint64_t pair_key(TokenId a, TokenId b) { return (std::uint64_t{a} << 20) | b; }
  static size_t hash(std::uint64_t k) { return static_cast<size_t>((k * 0x9E3779B97F4A7C15ULL) >> 24); }
  std::vector<std::uint64_t> slots_;
  std::vector<TokenId> merged_;
  size_t mask_ = 0;
};

// A fast hash of a short byte string; never 0, which marks empty slots below.
[[gnu::always_inline]] inline std::uint64_t hash_bytes(std::string_view s) {
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
  return (h ^ (h >> 29)) | 1;
}

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
  static std::uint64_t hash(std::string_view s) { return hash_bytes(s); }
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

// A direct-mapped cache of the ids of recently seen pieces (like the reference
// implementation's own cache, results do not depend on it): one slot per hash
// value, the newest piece wins a slot, everything is dropped when the arenas fill.
class WordCache {
  // Equality of short byte strings without a library call.
  [[gnu::always_inline]] static bool same_bytes(const char* a, std::string_view b) {
    size_t i = 0;
    for (; i + 8 <= b.size(); i += 8) {
      std::uint64_t x, y;
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b.data() + i, 8);
      if (x != y) return false;
    }
    for (; i < b.size(); ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }

 public:
  static constexpr size_t kSlots = 1u << 17;
  static constexpr size_t kMaxPieceBytes = 512;
  static constexpr size_t kMaxArenaBytes = 4u << 20;

  WordCache() : slots_(kSlots) {}
  void clear() {
    std::fill(slots_.begin(), slots_.end(), Slot{});
    keys_.clear();
    ids_.clear();
  }
  // The cached ids of `piece` (hash h), or nullptr with n = 0.
  const TokenId* find(std::string_view piece, std::uint64_t h, size_t& n) const {
    const Slot& s = slots_[h & (kSlots - 1)];
    if (s.hash == h && s.key_len == piece.size() && same_bytes(keys_.data() + s.key_off, piece)) {
      n = s.ids_len;
      return ids_.data() + s.ids_off;
    }
    n = 0;
    return nullptr;
  }
  void insert(std::string_view piece, std::uint64_t h, const std::vector<TokenId>& ids) {
    if (keys_.size() + piece.size() > kMaxArenaBytes || (ids_.size() + ids.size()) * 4 > kMaxArenaBytes) clear();
    Slot& s = slots_[h & (kSlots - 1)];
    s = {h, static_cast<std::uint32_t>(keys_.size()), static_cast<std::uint32_t>(piece.size()),
         static_cast<std::uint32_t>(ids_.size()), static_cast<std::uint32_t>(ids.size())};
    keys_.append(piece);
    ids_.insert(ids_.end(), ids.begin(), ids.end());
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t key_off = 0, key_len = 0, ids_off = 0, ids_len = 0;
  };
  std::vector<Slot> slots_;
  std::string keys_;
  std::vector<TokenId> ids_;
};

// Per-thread scratch and word cache.
struct ThreadState {
  std::uint64_t serial = 0;
  std::string repaired;
  PretokenizerScratch pre;
  std::vector<TokenId> word;
  std::vector<std::uint32_t> ranks;
  WordCache cache;
  std::string key;
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
// the adjacent pair with the lowest rank, leftmost first. `ranks` and `merged`
// are scratch.
void bpe_merge(const MergeTable& merges, std::vector<TokenId>& word, std::vector<std::uint32_t>& ranks) {
  const size_t n = word.size();
  if (n < 2) return;
  if (n <= 256) {
    // The rank of each adjacent pair, kept up to date: a merge costs a scan of
    // plain integers and two table lookups.
    ranks.resize(n - 1);
    for (size_t i = 0; i + 1 < n; ++i) ranks[i] = merges.rank(word[i], word[i + 1]);
    size_t m = n;
    while (m > 1) {
      size_t best = 0;
      for (size_t i = 1; i + 1 < m; ++i) {
        if (ranks[i] < ranks[best]) best = i;
      }
      if (ranks[best] == MergeTable::kNoRank) break;
      word[best] = merges.merged(ranks[best]);
      std::copy(word.begin() + best + 2, word.begin() + m, word.begin() + best + 1);
      if (best + 2 < m - 1) {  // pairs after the merged one move down by one
        std::copy(ranks.begin() + best + 2, ranks.begin() + m - 1, ranks.begin() + best + 1);
      }
      --m;
      if (best + 1 < m) ranks[best] = merges.rank(word[best], word[best + 1]);
      if (best > 0) ranks[best - 1] = merges.rank(word[best - 1], word[best]);
    }
    word.resize(m);
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
    std::uint32_t r = merges.rank(id[i], id[next[i]]);
    if (r != MergeTable::kNoRank) heap.push({r, i, id[i], id[next[i]]});
  };
  for (size_t i = 0; i + 1 < n; ++i) push(static_cast<std::int64_t>(i));
  while (!heap.empty()) {
    Cand c = heap.top();
    heap.pop();
    std::int64_t i = c.pos;
    // Skip candidates made stale by an earlier merge.
    if (!alive[i] || next[i] < 0 || id[i] != c.left || id[next[i]] != c.right) continue;
    std::int64_t j = next[i];
    id[i] = merges.merged(c.rank);
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

core::Result<std::unique_ptr<BpeTokenizer>> BpeTokenizer::load(std::string_view json, const std::string& source_name) {
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
    if (value.get_int64().get(id) || id < 0 || id > MergeTable::kMaxId) return fail("a vocab id is not below 2^20");
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
    if (rank > MergeTable::kMaxId) return fail("more than 2^20 merges");
    impl->merges.push(*l, *r, *lr);
    ++rank;
  }

  simdjson::dom::array added;
  if (!root["added_tokens"].get_array().get(added)) {
    for (simdjson::dom::element t : added) {
      std::string_view content;
      std::int64_t id;
      if (t["content"].get_string().get(content) || t["id"].get_int64().get(id) || id < 0 || id > MergeTable::kMaxId) {
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
  const std::vector<std::array<std::uint32_t, 3>> merges = im.merges.by_rank();
  std::string out(kMagic);
  put_u32(out, static_cast<std::uint32_t>(vocab_size()));
  put_u32(out, static_cast<std::uint32_t>(merges.size()));
  put_u32(out, static_cast<std::uint32_t>(im.added_by_content.size()));
  for (TokenId id : im.byte_id) put_u32(out, id);
  for (std::uint32_t o : im.offsets) put_u32(out, o);
  out += im.bytes;
  for (const auto& m : merges) {
    put_u32(out, m[0]);
    put_u32(out, m[1]);
    put_u32(out, m[2]);
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
  if (!r.ok || n_ids == 0 || n_ids > MergeTable::kMaxId + 1 || n_merges > MergeTable::kMaxId + 1) return fail();
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
    impl->merges.push(a, b, merged);
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
  auto encode_window = [&](std::string_view section) {
    pretokenize(section, st.pre, [&](std::uint32_t b, std::uint32_t e) {
      std::string_view piece = section.substr(b, e - b);
      if (piece.size() == 1) {
        sink(&im.byte_id[static_cast<unsigned char>(piece[0])], 1);
        return;
      }
      const bool cacheable = piece.size() <= WordCache::kMaxPieceBytes;
      std::uint64_t h = 0;
      if (cacheable) {
        h = hash_bytes(piece);
        size_t n;
        if (const TokenId* ids = st.cache.find(piece, h, n)) {
          sink(ids, n);
          return;
        }
      }
      st.word.clear();
      for (unsigned char ch : piece) st.word.push_back(im.byte_id[ch]);
      bpe_merge(im.merges, st.word, st.ranks);
      sink(st.word.data(), st.word.size());
      if (cacheable) st.cache.insert(piece, h, st.word);
    });
  };
  // Long texts are pre-tokenized in windows that end where every stage must end a
  // piece anyway: after a line break and before a character that is not
  // whitespace. The pieces are the same; the scratch stays small and cache-hot.
  auto encode_plain = [&](std::string_view section) {
    constexpr size_t kWindow = 64 * 1024;
    while (section.size() > kWindow) {
      size_t cut = 0;
      for (size_t p = kWindow; p < section.size(); ++p) {
        if (section[p - 1] == '\n') {
          size_t next = p;
          if (!(char_classes(next_code_point(section, next)) & kSpace)) {
            cut = p;
            break;
          }
        }
      }
      if (cut == 0) break;
      encode_window(section.substr(0, cut));
      section.remove_prefix(cut);
    }
    encode_window(section);
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

core::Result<size_t> BpeTokenizer::decoded_size(std::span<const TokenId> ids) const {
  size_t n = 0;
  for (TokenId id : ids) {
    const size_t len = id < vocab_size() ? impl_->token(id).size() : 0;
    if (len == 0) return core::make_error(fmt::format("token id {} is not in the vocabulary", id));
    n += len;
  }
  return n;
}

std::int64_t RatioEstimator::count(std::string_view text, SpecialTokens) const {
  // Tenths of a token: 3 per character, 6 per CJK character (documented ratios).
  std::string repaired;
  if (!is_valid_utf8(text)) {
    repaired = repair_utf8(text);
    text = repaired;
  }
  // Valid UTF-8 from here: a lead byte says the length, and runs of ASCII go
  // eight bytes at a time (this runs on every request the router sees).
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::int64_t tenths = 0;
  std::size_t i = 0;
  while (i < n) {
    // Long ASCII stretches (a pasted document) 32 bytes at a time: a quarter of
    // the loop turns of 8 at a time, the most of this function's cost on 1 MB.
    while (i + 32 <= n) {
      std::uint64_t w[4];
      std::memcpy(w, p + i, 32);
      if (((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ull) != 0) break;
      tenths += 96;
      i += 32;
    }
    if (i == n) break;
    if (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        tenths += 24;
        i += 8;
        continue;
      }
    }
    const unsigned char b = p[i];
    char32_t c;
    if (b < 0x80) {
      c = b;
      i += 1;
    } else if (b < 0xE0) {
      c = 0x80;  // two-byte characters are never CJK
      i += 2;
    } else if (b < 0xF0) {
      c = (static_cast<char32_t>(b & 0x0F) << 12) | (static_cast<char32_t>(p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
      i += 3;
    } else {
      c = (static_cast<char32_t>(b & 0x07) << 18) | (static_cast<char32_t>(p[i + 1] & 0x3F) << 12) |
          (static_cast<char32_t>(p[i + 2] & 0x3F) << 6) | (p[i + 3] & 0x3F);
      i += 4;
    }
    const bool cjk = (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0xF900 && c <= 0xFAFF) ||
                     (c >= 0x20000 && c <= 0x3FFFF);
    tenths += cjk ? 6 : 3;
  }
  return (tenths + 9) / 10;
}

}  // namespace ff::tokenizer
