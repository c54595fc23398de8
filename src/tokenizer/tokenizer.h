// Token counting and encoding for DeepSeek models.
//
// `Tokenizer` is the interface the simulator, the router and budget admission use:
// count what DeepSeek would bill for a piece of text. `BpeTokenizer` is the exact
// DeepSeek V3/V4 byte-level BPE (vocabulary and merges from the published
// tokenizer.json, pre-tokenizer regexes reimplemented by hand); it produces the
// same ids as the reference implementation, including on invalid UTF-8, which is
// first decoded the way JavaScript's TextDecoder does (U+FFFD per bad subpart).
// `RatioEstimator` is the documented rule of thumb for when no vocabulary is loaded.
//
// Tokenizers are immutable after loading and safe to share between threads; each
// thread keeps its own scratch space and cache of recently seen words.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ff::tokenizer {

using TokenId = std::uint32_t;

// Whether added tokens such as <｜begin▁of▁sentence｜> written in the text are
// single tokens (kRecognize, as for a chat template) or plain text (kIgnore, the
// safe default for user content).
enum class SpecialTokens { kIgnore, kRecognize };

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  // Number of tokens of `text` (no BOS/EOS added).
  virtual std::int64_t count(std::string_view text, SpecialTokens special = SpecialTokens::kIgnore) const = 0;
  // A short name for messages, e.g. "deepseek-v3-bpe".
  virtual std::string name() const = 0;
};

class BpeTokenizer final : public Tokenizer {
 public:
  ~BpeTokenizer() override;

  // Loads a Hugging Face tokenizer.json (byte-level BPE). Fails with a message
  // naming `source_name` and the problem.
  static core::Result<std::unique_ptr<BpeTokenizer>> load(std::string_view json, const std::string& source_name);
  static core::Result<std::unique_ptr<BpeTokenizer>> load_file(const std::string& path);
  // The DeepSeek V3/V4 vocabulary compiled into the binary, loaded on first use
  // (thread-safe; a few milliseconds).
  static const BpeTokenizer& deepseek();

  // A compact binary form of the loaded vocabulary, and loading from it. The build
  // compiles tokenizer.json into this form (ff_vocab_compile), since parsing 8 MB
  // of JSON and hashing 128K merges at every start would cost ~100 ms.
  std::string serialize() const;
  static core::Result<std::unique_ptr<BpeTokenizer>> load_compiled(std::string_view data);

  // Appends the ids of `text` to `out`.
  void encode(std::string_view text, std::vector<TokenId>& out, SpecialTokens special = SpecialTokens::kIgnore) const;
  std::vector<TokenId> encode(std::string_view text, SpecialTokens special = SpecialTokens::kIgnore) const {
    std::vector<TokenId> ids;
    encode(text, ids, special);
    return ids;
  }
  std::int64_t count(std::string_view text, SpecialTokens special = SpecialTokens::kIgnore) const override;
  std::string name() const override { return "deepseek-v3-bpe"; }

  // The bytes the ids stand for. Fails on an id outside the vocabulary.
  core::Result<std::string> decode(std::span<const TokenId> ids) const;
  // How many bytes decode() would return, without building them: the ids of
  // encode(text) stand for exactly `text`, so a prefix of them is a prefix of
  // it this long. Fails on an id outside the vocabulary.
  core::Result<size_t> decoded_size(std::span<const TokenId> ids) const;

  // Number of ids (one more than the largest id).
  size_t vocab_size() const;
  // The id of an added token's text, e.g. "<｜end▁of▁sentence｜>".
  std::optional<TokenId> added_token_id(std::string_view content) const;

  struct Impl;

 private:
  explicit BpeTokenizer(std::unique_ptr<Impl> impl);
  template <typename Sink>
  void run(std::string_view text, SpecialTokens special, Sink& sink) const;
  std::unique_ptr<Impl> impl_;
};

// The documented estimate: about 0.3 token per character outside CJK scripts and
// 0.6 per CJK character, rounded up. For when exactness is not needed.
class RatioEstimator final : public Tokenizer {
 public:
  std::int64_t count(std::string_view text, SpecialTokens special = SpecialTokens::kIgnore) const override;
  std::string name() const override { return "ratio-estimate"; }
};

}  // namespace ff::tokenizer
