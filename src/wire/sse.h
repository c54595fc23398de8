// Server-sent events as the gateway reads them from an upstream stream
// (html.spec.whatwg.org, "Server-sent events", the event stream format).
//
// SseSplitter: bytes in, whole events out. An event ends at a blank line; a
// line ends at "\r\n", "\n" or "\r", in any mix. Events come out byte for byte
// as received, terminators included, so the gateway forwards what it does not
// edit unchanged. A "\r" that is the last byte fed so far is not decided yet (a
// "\n" may follow), so an event whose blank line ends there waits for the next
// bytes or stays in the rest.
//
// sse_field: where the value of an event's first field of a name is, e.g. the
// data of `data: {...}` (after the colon and one optional space, up to the line's
// end). OpenAI, DeepSeek and Anthropic put an event's data on one line.
//
// Not thread-safe (one stream's state); sse_field is a pure function.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ff::wire {

class SseSplitter {
 public:
  // Appends bytes received from the stream.
  void feed(std::string_view bytes);
  // The next whole event, its closing blank line included; nullopt until one is complete.
  std::optional<std::string> next();
  // The bytes after the last whole event (an event the stream ended inside), removed.
  std::string take_rest();
  // Bytes held that are not yet part of a whole event (what a limit applies to).
  std::size_t buffered() const { return buffer_.size() - start_; }

 private:
  std::string buffer_;
  std::size_t start_ = 0;       // where the current event starts
  std::size_t scanned_ = 0;     // bytes of buffer_ already looked at
  std::size_t line_start_ = 0;  // where the line being scanned starts
};

struct SseValue {
  std::size_t offset = 0;  // into the event
  std::size_t length = 0;
};

// The value of the first `name:` field of `event`, or nullopt when it has none.
std::optional<SseValue> sse_field(std::string_view event, std::string_view name);

}  // namespace ff::wire
