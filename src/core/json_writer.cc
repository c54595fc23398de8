#include "core/json_writer.h"

#include <cassert>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "core/text.h"

namespace ff::core {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not valid.
size_t utf8_length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  }
  if (n == 2 && c < 0xC2) return 0;                                       // overlong
  if (n == 3 && c == 0xE0 && b(i + 1) < 0xA0) return 0;                   // overlong
  if (n == 3 && c == 0xED && b(i + 1) >= 0xA0) return 0;                  // surrogate
  if (n == 4 && c == 0xF0 && b(i + 1) < 0x90) return 0;                   // overlong
  if (n == 4 && (c > 0xF4 || (c == 0xF4 && b(i + 1) >= 0x90))) return 0;  // above U+10FFFF
  return n;
}

}  // namespace

namespace {
// Bytes that cannot be copied as they are: controls, '"', '\\', DEL and every
// non-ASCII byte (checked as UTF-8 below).
struct SpecialBytes {
  bool special[256] = {};
  constexpr SpecialBytes() {
    for (int c = 0; c < 256; ++c) special[c] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
  }
};
constexpr SpecialBytes kSpecial;

// Whether any of 8 bytes is special, without looking at them one by one.
inline bool any_special8(const unsigned char* p) {
  const std::uint64_t w = swar::load8(reinterpret_cast<const char*>(p));
  return swar::has_unprintable(w) || swar::has_byte(w, '"') || swar::has_byte(w, '\\');
}
}  // namespace

namespace {

// Where an escaped string goes: a growing std::string, or a buffer with room
// for the most it can take (write_json_string).
struct StringSink {
  std::string& out;
  void put(char c) { out.push_back(c); }
  void put(const char* p, std::size_t n) { out.append(p, n); }
};
struct BufferSink {
  char* p;
  void put(char c) { *p++ = c; }
  void put(const char* q, std::size_t n) {
    std::memcpy(p, q, n);
    p += n;
  }
};

template <typename Sink>
void escape_json_string(Sink& out, std::string_view s) {
  out.put('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size();) {
    // Copy the run of plain printable ASCII in one go: most text is just that.
    size_t run = i;
    while (run + 8 <= s.size() && !any_special8(p + run)) run += 8;
    while (run < s.size() && !kSpecial.special[p[run]]) ++run;
    if (run > i) {
      out.put(s.data() + i, run - i);
      i = run;
      if (i == s.size()) break;
    }
    unsigned char c = p[i];
    if (c == '"' || c == '\\') {
      const char escaped[2] = {'\\', static_cast<char>(c)};
      out.put(escaped, 2);
      ++i;
    } else if (c == '\n') {
      out.put("\\n", 2);
      ++i;
    } else if (c == '\t') {
      out.put("\\t", 2);
      ++i;
    } else if (c == '\r') {
      out.put("\\r", 2);
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      const char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.put(escaped, 6);
      ++i;
    } else {
      size_t n = utf8_length(s, i);
      if (n == 0) {
        out.put("\\ufffd", 6);
        ++i;
      } else {
        out.put(s.data() + i, n);
        i += n;
      }
    }
  }
  out.put('"');
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  StringSink sink{out};
  escape_json_string(sink, s);
}

char* write_json_string(char* out, std::string_view s) {
  BufferSink sink{out};
  escape_json_string(sink, s);
  return sink.p;
}

void JsonWriter::newline() {
  if (compact_) return;
  out_.push_back('\n');
  out_.append(stack_.size() * 2, ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!stack_.empty()) {
    assert(!stack_.back().is_object && "a value inside an object needs a key");
    if (!stack_.back().empty) out_.push_back(',');
    stack_.back().empty = false;
    newline();
  }
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_.push_back('{');
  stack_.push_back({true, true});
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  assert(!stack_.empty() && stack_.back().is_object);
  bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline();
  out_.push_back('}');
  if (stack_.empty() && !compact_) out_.push_back('\n');
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_.push_back('[');
  stack_.push_back({false, true});
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  assert(!stack_.empty() && !stack_.back().is_object);
  bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline();
  out_.push_back(']');
  if (stack_.empty() && !compact_) out_.push_back('\n');
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  assert(!stack_.empty() && stack_.back().is_object && !after_key_);
  if (!stack_.back().empty) out_.push_back(',');
  stack_.back().empty = false;
  newline();
  append_json_string(out_, k);
  out_.append(": ", compact_ ? 1 : 2);
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  before_value();
  append_json_string(out_, s);
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t n) {
  before_value();
  char digits[24];
  out_.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
  return *this;
}

JsonWriter& JsonWriter::value(bool b) {
  before_value();
  out_ += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::number_text(std::string_view text) {
  before_value();
  out_.append(text);
  return *this;
}

}  // namespace ff::core
