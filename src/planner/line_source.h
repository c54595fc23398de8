// LineSource: reads a usage log (a file, or "-" for standard input) as chunks of
// whole lines, decompressing gzip transparently (detected by content, not name).
//
// Each chunk is followed in memory by at least kPadding readable bytes, so a
// JSON parser that reads ahead (simdjson) can parse a line in place without a
// copy. A line longer than kMaxLineBytes is not buffered whole: it is reported
// once as an over-long line and its bytes are dropped. Not thread-safe; one
// reader per input.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ff::planner {

class LineSource {
 public:
  static constexpr size_t kPadding = 64;
  // A usage record is a few KB; 64 MiB bounds memory on a file with no newlines.
  static constexpr size_t kMaxLineBytes = 64u << 20;

  struct Chunk {
    std::string_view text;          // whole lines, each ended by '\n' except maybe the input's last
    std::int64_t first_line = 1;    // 1-based number of the chunk's first line
    size_t readable = 0;            // bytes readable from text.data(): >= text.size() + kPadding
    std::int64_t dropped_line = 0;  // if non-zero, the number of an over-long line dropped before this chunk
  };

  ~LineSource();
  LineSource(const LineSource&) = delete;
  LineSource& operator=(const LineSource&) = delete;

  // Opens `path` ("-" is standard input). Fails with a message naming the path.
  static core::Result<std::unique_ptr<LineSource>> open(const std::string& path);

  // The next chunk; std::nullopt at the end. The chunk is valid until the next call.
  core::Result<std::optional<Chunk>> next();

  // Compressed bytes consumed so far, and the input's size when known (for progress).
  std::uint64_t bytes_consumed() const;
  std::optional<std::uint64_t> total_bytes() const { return total_bytes_; }
  const std::string& name() const { return name_; }

 private:
  LineSource() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string name_;
  std::optional<std::uint64_t> total_bytes_;
};

}  // namespace ff::planner
