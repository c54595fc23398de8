// JsonWriter: builds a JSON document as text, indented two spaces.
//
// Strings are escaped; bytes that are not valid UTF-8 become U+FFFD so that the
// output is always valid JSON. Amounts of money are written as strings by the
// callers (exact decimals), never as JSON numbers. Misuse (a value where a key is
// due) is a programming error and asserts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ff::core {

class JsonWriter {
 public:
  // Indented (for people) by default; compact writes one line (for SSE and APIs).
  explicit JsonWriter(bool compact = false) : compact_(compact) { out_.reserve(1024); }

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(bool b);
  JsonWriter& null();
  // A number already formatted (e.g. "0.8123"); the caller guarantees JSON syntax.
  JsonWriter& number_text(std::string_view text);

  // The document; complete once every object and array is closed.
  const std::string& str() const { return out_; }

 private:
  void before_value();
  void newline();

  std::string out_;
  struct Level {
    bool is_object;
    bool empty;
  };
  std::vector<Level> stack_;
  bool after_key_ = false;
  bool compact_ = false;
};

// Appends `s` as a quoted, escaped JSON string.
void append_json_string(std::string& out, std::string_view s);
// The same written at `out`, which has room for json_string_room(s.size())
// bytes; returns the end of what was written.
char* write_json_string(char* out, std::string_view s);
// The most bytes a string of `n` bytes takes escaped: each byte as "\u00XX",
// and the quotes.
constexpr std::size_t json_string_room(std::size_t n) { return 6 * n + 2; }

}  // namespace ff::core
