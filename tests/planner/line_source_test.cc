// LineSource: line numbering across chunk boundaries, a last line without a
// newline, CRLF, and over-long lines that must not take the process down.
#include "planner/line_source.h"

#include <fstream>

#include <fmt/format.h>

#include <unistd.h>

#include <gtest/gtest.h>

#include "lib/temp_path.h"

namespace ff::planner {
namespace {

struct Line {
  std::int64_t number;
  std::string text;
};

std::vector<Line> read_all(const std::string& path, std::vector<std::int64_t>* dropped = nullptr) {
  auto src = LineSource::open(path);
  EXPECT_TRUE(src.ok());
  std::vector<Line> out;
  while (true) {
    auto chunk = (*src)->next();
    EXPECT_TRUE(chunk.ok());
    if (!chunk.ok() || !chunk->has_value()) break;
    const LineSource::Chunk& c = **chunk;
    EXPECT_GE(c.readable, c.text.size() + LineSource::kPadding);
    if (c.dropped_line != 0 && dropped != nullptr) dropped->push_back(c.dropped_line);
    std::int64_t n = c.first_line;
    size_t start = 0;
    while (start < c.text.size()) {
      size_t nl = c.text.find('\n', start);
      size_t end = nl == std::string_view::npos ? c.text.size() : nl;
      out.push_back({n++, std::string(c.text.substr(start, end - start))});
      start = end + 1;
    }
  }
  return out;
}

std::string write(const std::string& name, const std::string& content) {
  std::string path = test::temp_path(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(LineSource, LastLineWithoutNewlineAndEmptyFile) {
  auto lines = read_all(write("a.txt", "one\ntwo\r\nthree"));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1].text, "two\r");  // the parser trims the \r
  EXPECT_EQ(lines[2].number, 3);
  EXPECT_EQ(lines[2].text, "three");
  EXPECT_TRUE(read_all(write("empty.txt", "")).empty());
}

TEST(LineSource, NumbersLinesAcrossManyChunks) {
  // 3 million lines of 10 bytes: 30 MB, several 4 MB reads.
  std::string content;
  for (int i = 0; i < 3'000'000; ++i) content += fmt::format("{:09d}\n", i);
  auto lines = read_all(write("many.txt", content));
  ASSERT_EQ(lines.size(), 3'000'000u);
  for (size_t i = 0; i < lines.size(); i += 99'991) {
    EXPECT_EQ(lines[i].number, static_cast<std::int64_t>(i) + 1);
    EXPECT_EQ(lines[i].text, fmt::format("{:09d}", i));
  }
  EXPECT_EQ(lines.back().text, "002999999");
}

TEST(LineSource, LongLinesUpToTheLimitAreKeptBeyondItDropped) {
  std::string ok(10u << 20, 'x');  // 10 MiB: buffered whole
  std::string huge(LineSource::kMaxLineBytes + (5u << 20), 'y');
  std::vector<std::int64_t> dropped;
  auto lines = read_all(write("long.txt", "first\n" + ok + "\n" + huge + "\nlast\n"), &dropped);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, "first");
  EXPECT_EQ(lines[1].text.size(), ok.size());
  EXPECT_EQ(lines[2].number, 4);
  EXPECT_EQ(lines[2].text, "last");
  EXPECT_EQ(dropped, std::vector<std::int64_t>{3});

  // Ending inside an over-long line still reports it.
  dropped.clear();
  lines = read_all(write("long_end.txt", "first\n" + huge), &dropped);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(dropped, std::vector<std::int64_t>{2});
}

TEST(LineSource, MissingFile) {
  auto src = LineSource::open("/nonexistent/x");
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.error().message, "cannot open '/nonexistent/x': No such file or directory");
}

}  // namespace
}  // namespace ff::planner
