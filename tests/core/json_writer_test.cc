#include "core/json_writer.h"

#include <gtest/gtest.h>

namespace ff::core {
namespace {

TEST(JsonWriter, NestedDocument) {
  JsonWriter w;
  w.begin_object();
  w.key("a").value(std::int64_t{1});
  w.key("b").begin_array().value("x").null().value(true).end_array();
  w.key("c").begin_object().end_object();
  w.key("d").number_text("0.5");
  w.end_object();
  EXPECT_EQ(w.str(),
            "{\n  \"a\": 1,\n  \"b\": [\n    \"x\",\n    null,\n    true\n  ],\n  \"c\": {},\n  \"d\": 0.5\n}\n");
}

TEST(JsonWriter, CompactIsOneLine) {
  JsonWriter w(true);
  w.begin_object().key("a").begin_array().value(std::int64_t{1}).value("x").end_array().key("b").null().end_object();
  EXPECT_EQ(w.str(), R"({"a":[1,"x"],"b":null})");
}

TEST(JsonWriter, EscapesAndReplacesInvalidUtf8) {
  std::string out;
  append_json_string(out, "q\"b\\n\n\t\x01 \xe6\xaf\x95 \xff \xc0\xaf \xed\xa0\x80 \xf0\x9f\x98\x80");
  // The valid 3-byte 毕 and the 4-byte emoji are kept; 0xff, an overlong '/', and a
  // UTF-16 surrogate each become U+FFFD (one per byte that cannot start a sequence).
  EXPECT_EQ(out,
            "\"q\\\"b\\\\n\\n\\t\\u0001 \xe6\xaf\x95 \\ufffd \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \xf0\x9f\x98\x80\"");
}

TEST(JsonWriter, SpecialBytesAtEveryPositionOfLongRuns) {
  // Runs of plain bytes are skipped 8 at a time; a special byte anywhere in a
  // block must still be escaped. Expected: the same text with the byte escaped.
  const std::pair<std::string, std::string> specials[] = {
      {"\"", "\\\""},           {"\\", "\\\\"},      {"\n", "\\n"}, {"\x1f", "\\u001f"}, {"\x7f", "\\u007f"},
      {"\xc3\xa9", "\xc3\xa9"}, {"\xff", "\\ufffd"}, {" ", " "},    {"~", "~"}};
  for (const auto& [raw, escaped] : specials) {
    for (size_t pos = 0; pos <= 24; ++pos) {
      std::string in(24, 'a'), want(24, 'a');
      in.insert(pos, raw);
      want.insert(pos, escaped);
      std::string out;
      append_json_string(out, in);
      EXPECT_EQ(out, "\"" + want + "\"") << "byte " << static_cast<int>(static_cast<unsigned char>(raw[0])) << " at "
                                         << pos;
    }
  }
}

TEST(JsonWriter, WritingAtAPointerGivesTheSameTextWithinItsRoom) {
  // Every byte that cannot start a sequence takes the most room: "\ufffd", six
  // bytes each, plus the quotes: json_string_room(n) = 6n + 2, used to the byte.
  const std::string worst(50, '\xff');
  std::string buf(json_string_room(worst.size()), '#');
  char* end = write_json_string(buf.data(), worst);
  EXPECT_EQ(end - buf.data(), 6 * 50 + 2);
  std::string appended;
  append_json_string(appended, worst);
  EXPECT_EQ(std::string(buf.data(), end), appended);
  // And a mixed text: the same bytes as append_json_string's.
  const std::string mixed = "q\"b\\n\n\t\x01 \xe6\xaf\x95 \xff \xc0\xaf plain text past eight bytes";
  std::string room(json_string_room(mixed.size()), '#');
  std::string want;
  append_json_string(want, mixed);
  EXPECT_EQ(std::string(room.data(), write_json_string(room.data(), mixed)), want);
}

}  // namespace
}  // namespace ff::core
