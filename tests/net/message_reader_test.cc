// lower_ascii: the header-name lower-casing that MessageReader does eight bytes
// at a time, against the plain one-byte rule; and the fields a reader keeps.
#include "net/message_reader.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/buffer.hpp>

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
  std::string s =
      "AB\xC3\x89"
      "CDEFGHIJ";  // "É" in the first eight bytes: one byte at a time from there
  lower_ascii(s);
  EXPECT_EQ(s,
            "ab\xC3\x89"
            "cdefghij");
}

// A whole answer read with keep_only: the named fields, lower-cased, in the
// order they came (whatever case the answer wrote them in); the rest skipped;
// the body whole.
TEST(MessageReader, KeepsOnlyTheFieldsNamed) {
  const std::string answer =
      "HTTP/1.1 429 Too Many Requests\r\nServer: api\r\nRetry-After: 7\r\nX-Request-Id: r1\r\n"
      "CONTENT-TYPE: application/json\r\nContent-Length: 2\r\n\r\n{}";
  auto read = [&](const std::vector<std::string>* keep) {
    MessageReader<false>::Headers headers;
    std::string body;
    MessageReader<false> reader(headers, body);
    if (keep != nullptr) reader.keep_only(*keep);
    reader.eager(true);
    boost::beast::error_code ec;
    const std::size_t used = reader.put(boost::asio::buffer(answer), ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(used, answer.size());
    EXPECT_TRUE(reader.is_done());
    EXPECT_EQ(body, "{}");
    return headers;
  };
  const std::vector<std::string> two = {"content-type", "retry-after"};
  using Headers = MessageReader<false>::Headers;
  EXPECT_EQ(read(&two), (Headers{{"retry-after", "7"}, {"content-type", "application/json"}}));
  EXPECT_EQ(read(nullptr), (Headers{{"server", "api"},
                                    {"retry-after", "7"},
                                    {"x-request-id", "r1"},
                                    {"content-type", "application/json"},
                                    {"content-length", "2"}}));
}

}  // namespace
}  // namespace ff::net
