#include "wire/sse.h"

namespace ff::wire {

void SseSplitter::feed(std::string_view bytes) {
  if (start_ > 0 && start_ >= buffer_.size() / 2) {  // drop what was handed out, now and then
    buffer_.erase(0, start_);
    scanned_ -= start_;
    line_start_ -= start_;
    start_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<std::string> SseSplitter::next() {
  const std::size_t size = buffer_.size();
  while (scanned_ < size) {
    const char c = buffer_[scanned_];
    if (c != '\n' && c != '\r') {
      ++scanned_;
      continue;
    }
    std::size_t end = scanned_ + 1;  // past the line's terminator
    if (c == '\r') {
      if (end == size) return std::nullopt;  // "\r" or "\r\n": the next byte decides
      if (buffer_[end] == '\n') ++end;
    }
    const bool blank = scanned_ == line_start_;
    scanned_ = line_start_ = end;
    if (blank) {
      std::string event = buffer_.substr(start_, end - start_);
      start_ = end;
      return event;
    }
  }
  return std::nullopt;
}

std::string SseSplitter::take_rest() {
  std::string rest = buffer_.substr(start_);
  buffer_.clear();
  start_ = scanned_ = line_start_ = 0;
  return rest;
}

std::optional<SseValue> sse_field(std::string_view event, std::string_view name) {
  std::size_t line = 0;
  while (line < event.size()) {
    std::size_t end = event.find_first_of("\r\n", line);
    if (end == std::string_view::npos) end = event.size();
    const std::string_view text = event.substr(line, end - line);
    if (text.size() > name.size() && text.compare(0, name.size(), name) == 0 && text[name.size()] == ':') {
      std::size_t value = line + name.size() + 1;
      if (value < end && event[value] == ' ') ++value;
      return SseValue{value, end - value};
    }
    if (end == event.size()) break;
    line = end + (event[end] == '\r' && end + 1 < event.size() && event[end + 1] == '\n' ? 2 : 1);
  }
  return std::nullopt;
}

}  // namespace ff::wire
