// lower_ascii: the header-name lower-casing that MessageReader does eight bytes
// at a time, against the plain one-byte rule.
#include "net/message_reader.h"

#include <string>

#include <gtest/gtest.h>

namespace ff::net {
namespace {

TEST(MessageReader, LowerCasesHeaderNames) {
  std::string s = "X-FlashFirst-Tier";  // 17 bytes: two 8-byte steps and one left over
  lower_ascii(s);
  EXPECT_EQ(s, "x-flashfirst-tier");
  // The neighbours of A-Z ('@' before 'A', '[' after 'Z') and the lower-case letters stay.
  s = "@[`{AZaz";
  lower_ascii(s);
  EXPECT_EQ(s, "@[`{azaz");
  s = "";
  lower_ascii(s);
  EXPECT_EQ(s, "");
}

TEST(MessageReader, LowerCasesEachAsciiByteAsTheOneByteRuleDoes) {
  auto one_by_one = [](std::string s) {
    for (char& c : s) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    return s;
  };
  // Every ASCII byte at every position of names 1 to 19 bytes long, among
  // upper-case letters (so a carry from one byte into the next would show).
  for (std::size_t length = 1; length <= 19; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      for (int c = 1; c < 0x80; ++c) {
        std::string s(length, 'Z');
        s[at] = static_cast<char>(c);
        const std::string want = one_by_one(s);
        lower_ascii(s);
        ASSERT_EQ(s, want) << "byte " << c << " at " << at << " of " << length;
      }
    }
  }
}

TEST(MessageReader, LeavesBytesAbove0x7FAsTheyAre) {
  std::string s = "AB\xC3\x89" "CDEFGHIJ";  // "É" in the first eight bytes: one byte at a time from there
  lower_ascii(s);
  EXPECT_EQ(s, "ab\xC3\x89" "cdefghij");
}

}  // namespace
}  // namespace ff::net
