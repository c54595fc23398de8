// wire::SseSplitter and sse_field against a straightforward reference that sees
// the whole stream at once: the events must be the same however the bytes are
// cut into reads. The first byte of the input seeds the read sizes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "wire/sse.h"

namespace {

// The line ends of `s` in order: {start of the terminator, past it}. A "\r" at the
// very end is left undecided (not a line end), as the splitter leaves it.
std::vector<std::pair<std::size_t, std::size_t>> line_ends(std::string_view s) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n') {
      out.push_back({i, i + 1});
    } else if (s[i] == '\r') {
      if (i + 1 == s.size()) break;
      if (s[i + 1] == '\n') {
        out.push_back({i, i + 2});
        ++i;
      } else {
        out.push_back({i, i + 1});
      }
    }
  }
  return out;
}

// Events: the text up to and including each empty line's terminator.
std::vector<std::string> reference_events(std::string_view s, std::string& rest) {
  std::vector<std::string> events;
  std::size_t event_start = 0, line_start = 0;
  for (auto [term, past] : line_ends(s)) {
    if (term == line_start) {
      events.emplace_back(s.substr(event_start, past - event_start));
      event_start = past;
    }
    line_start = past;
  }
  rest = std::string(s.substr(event_start));
  return events;
}

std::optional<std::string> reference_field(const std::string& event, std::string_view name) {
  std::size_t line_start = 0;
  auto ends = line_ends(event);
  ends.push_back({event.size(), event.size()});  // the last line, unterminated
  for (auto [term, past] : ends) {
    std::string line = event.substr(line_start, term - line_start);
    const std::string prefix = std::string(name) + ":";
    if (line.rfind(prefix, 0) == 0) {
      std::string value = line.substr(prefix.size());
      if (!value.empty() && value[0] == ' ') value.erase(0, 1);
      return value;
    }
    line_start = past;
    if (past == event.size()) break;
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::uint32_t seed = data[0];
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);

  std::string want_rest;
  const std::vector<std::string> want = reference_events(stream, want_rest);

  ff::wire::SseSplitter splitter;
  std::vector<std::string> got;
  std::size_t pos = 0;
  while (pos < stream.size()) {
    seed = seed * 1103515245u + 12345u;
    const std::size_t n = std::min<std::size_t>(stream.size() - pos, 1 + (seed >> 16) % 7);
    splitter.feed(stream.substr(pos, n));
    pos += n;
    while (auto e = splitter.next()) got.push_back(std::move(*e));
  }
  FF_FUZZ_CHECK(got == want, "%zu events, the reference has %zu", got.size(), want.size());
  FF_FUZZ_CHECK(splitter.buffered() == want_rest.size(), "%zu bytes held, the reference %zu", splitter.buffered(),
                want_rest.size());
  FF_FUZZ_CHECK(splitter.take_rest() == want_rest, "the rest differs");

  for (const std::string& e : want) {
    for (std::string_view name : {"data", "event"}) {
      const auto v = ff::wire::sse_field(e, name);
      const auto r = reference_field(e, name);
      FF_FUZZ_CHECK(v.has_value() == r.has_value(), "field %.*s found by one only", int(name.size()), name.data());
      if (v) FF_FUZZ_CHECK(e.substr(v->offset, v->length) == *r, "field value differs");
    }
  }
  return 0;
}
