#include "wire/sse.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ff::wire {
namespace {

std::vector<std::string> all_events(SseSplitter& s) {
  std::vector<std::string> out;
  while (auto e = s.next()) out.push_back(*e);
  return out;
}

TEST(SseSplitter, SplitsOnBlankLinesWhateverTheLineEnds) {
  SseSplitter s;
  // LF, CRLF, CR and a mix of them each end an event at their blank line.
  s.feed("data: 1\n\ndata: 2\r\n\r\ndata: 3\r\rdata: 4\r\n\nevent: x\ndata: 5\n\n: keep-alive\n\n");
  EXPECT_EQ(all_events(s), (std::vector<std::string>{"data: 1\n\n", "data: 2\r\n\r\n", "data: 3\r\r", "data: 4\r\n\n",
                                                     "event: x\ndata: 5\n\n", ": keep-alive\n\n"}));
  EXPECT_EQ(s.buffered(), 0u);
  EXPECT_EQ(s.take_rest(), "");
}

TEST(SseSplitter, AnEventSplitAcrossReadsComesOutWhole) {
  SseSplitter s;
  const std::string stream = "data: {\"a\":1}\r\n\r\ndata: [DONE]\r\n\r\n";
  std::vector<std::string> got;
  for (char c : stream) {  // one byte per read: a "\r" at the end of a read waits for the next byte
    s.feed(std::string(1, c));
    for (auto& e : all_events(s)) got.push_back(e);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"data: {\"a\":1}\r\n\r\n", "data: [DONE]\r\n\r\n"}));
}

TEST(SseSplitter, ALoneCarriageReturnAtTheEndIsNotYetAnEnd) {
  SseSplitter s;
  s.feed("data: 1\r\r");  // the second "\r" may be the start of "\r\n"
  EXPECT_FALSE(s.next());
  s.feed("\n");           // "\r" then "\r\n": still a blank line
  EXPECT_EQ(s.next(), "data: 1\r\r\n");
}

TEST(SseSplitter, TheRestIsWhatTheStreamEndedInside) {
  SseSplitter s;
  s.feed("data: 1\n\ndata: {\"cut");
  EXPECT_EQ(s.next(), "data: 1\n\n");
  EXPECT_FALSE(s.next());
  EXPECT_EQ(s.buffered(), 11u);  // `data: {"cut`: "data:" 5, " {" 2, quote 1, "cut" 3
  EXPECT_EQ(s.take_rest(), "data: {\"cut");
  EXPECT_EQ(s.buffered(), 0u);
}

TEST(SseField, TheFirstFieldOfANameAfterOneOptionalSpace) {
  const std::string e = "event: message_delta\r\ndata:{\"x\":1}\r\ndata: second\r\n\r\n";
  auto d = sse_field(e, "data");
  ASSERT_TRUE(d);
  EXPECT_EQ(e.substr(d->offset, d->length), "{\"x\":1}");
  auto t = sse_field(e, "event");
  ASSERT_TRUE(t);
  EXPECT_EQ(e.substr(t->offset, t->length), "message_delta");
  EXPECT_FALSE(sse_field(": comment\n\n", "data"));
  EXPECT_FALSE(sse_field("dataset: 1\n\n", "data"));  // a longer name is another field
  auto empty = sse_field("data:\n\n", "data");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->offset, 5u);
  EXPECT_EQ(empty->length, 0u);
}

}  // namespace
}  // namespace ff::wire
