// What every config-file loader of the project needs (price book, quality
// priors, simulator and gateway configs, routing policy, workload profiles):
// reading a file whole, parsing TOML with the error as "file:line: what", and
// one reader of typed fields whose errors say "file:line: field: message".
// Included only by loaders, which include toml++ anyway. Any thread.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "core/result.h"

namespace ff::core {

// The whole file at `path`; fails naming the path (a directory is refused).
core::Result<std::string> read_text_file(const std::string& path);

// The document, or "source:line: description" of the first syntax error.
core::Result<toml::table> parse_toml(std::string_view text, const std::string& source_name);

// Where a value sits in a config file, for its errors: a dotted path of keys,
// an element of an array of tables written name[N] with N counting from 1
// ("rates[2].flat.miss", "key[1].rpm", "category.rag.tier"), "" for the file's
// top level.
std::string field_path(std::string_view table, std::string_view key);
std::string element_path(std::string_view array, int index_from_1);

// The range a number must be in, as an error states it: "from 0 to 1",
// "above 0", "above 0 and at most 10".
struct Range {
  double min = 0;
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  static Range of(double lo, double hi) { return {lo, hi, false}; }
  static Range more_than(double lo, double hi = std::numeric_limits<double>::infinity()) { return {lo, hi, true}; }
  bool holds(double v) const { return (min_exclusive ? v > min : v >= min) && v <= max; }
  std::string describe() const;
};

// Reads one config file's TOML for its loader: every error is
// "source:line: path: message" with the line of the value at fault (of its
// table when it is missing) and its path (field_path). A value present with the
// wrong type or out of range is an error; an absent one leaves `out` as it was,
// unless the field is required ("missing"). Unknown keys are errors too, so a
// misspelt key never silently leaves a setting at its default.
class ConfigReader {
 public:
  // `text`: the file's text, for number_as_written.
  explicit ConfigReader(std::string source, std::string_view text = {}) : source_(std::move(source)), text_(text) {}
  const std::string& source() const { return source_; }

  core::Error error(const toml::node* at, std::string_view path, std::string_view message) const;

  // The first key of `table` (at `path`) that is not in `allowed`:
  // "path.key: unknown field (expected a, b, c)".
  std::optional<core::Error> only(const toml::table& table, std::string_view path,
                                  std::initializer_list<std::string_view> allowed) const;
  // A table at `key`: nullptr when absent; an error when it is not a table
  // ("must be a table", followed by `like` when given).
  std::optional<core::Error> table(const toml::table& in, std::string_view path, std::string_view key,
                                   const toml::table*& out, std::string_view like = {}) const;

  // A number (integer or float) within `range`.
  std::optional<core::Error> number(const toml::table& t, std::string_view path, std::string_view key, Range range,
                                    double& out) const;
  template <typename T>
  std::optional<core::Error> number_as(const toml::table& t, std::string_view path, std::string_view key, Range range,
                                       T& out) const {
    double v = static_cast<double>(out);
    if (auto e = number(t, path, key, range, v)) return e;
    out = static_cast<T>(v);
    return std::nullopt;
  }
  // An integer from `lo` to `hi`: "must be a whole number from lo to hi".
  std::optional<core::Error> whole_number(const toml::table& t, std::string_view path, std::string_view key,
                                          std::int64_t lo, std::int64_t hi, std::int64_t& out) const;
  // A non-empty string.
  std::optional<core::Error> string(const toml::table& t, std::string_view path, std::string_view key,
                                    std::string& out, bool required = false) const;
  // A string that is one of `choices`: 'must be "a" or "b"', 'must be "a", "b" or "c"'.
  std::optional<core::Error> one_of(const toml::table& t, std::string_view path, std::string_view key,
                                    const std::vector<std::string_view>& choices, std::string& out) const;
  std::optional<core::Error> boolean(const toml::table& t, std::string_view path, std::string_view key,
                                     bool& out) const;
  // "missing" when `key` is absent from `t`.
  std::optional<core::Error> require(const toml::table& t, std::string_view path, std::string_view key) const;

  // The number `node` as written in the file, '_' dropped ("0.007", "1000"), so
  // that an amount or a rate is read exactly; "" without the text.
  std::string number_as_written(const toml::node& node) const;

 private:
  std::string source_;
  std::string_view text_;
};

}  // namespace ff::core
