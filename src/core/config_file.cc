#include "core/config_file.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace ff::core {

core::Result<std::string> read_text_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return core::make_error(fmt::format("'{}' is a directory, not a file", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::make_error(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return core::make_error(fmt::format("cannot read '{}'", path));
  return ss.str();
}

core::Result<toml::table> parse_toml(std::string_view text, const std::string& source_name) {
  try {
    return toml::parse(text, std::string_view(source_name));
  } catch (const toml::parse_error& e) {
    return core::make_error(fmt::format("{}:{}: {}", source_name, e.source().begin.line, e.description()));
  }
}

std::string field_path(std::string_view table, std::string_view key) {
  if (table.empty()) return std::string(key);
  std::string out(table);
  out.append(".").append(key);
  return out;
}

std::string element_path(std::string_view array, int index_from_1) {
  return fmt::format("{}[{}]", array, index_from_1);
}

namespace {
// A bound as a person writes it: 1000000000000000000, not 1e+18; 0.1 as 0.1.
std::string bound(double v) {
  return std::floor(v) == v && std::fabs(v) < 1e21 ? fmt::format("{:.0f}", v) : fmt::format("{}", v);
}
}  // namespace

std::string Range::describe() const {
  const bool bounded = max != std::numeric_limits<double>::infinity();
  if (!min_exclusive) {
    return bounded ? fmt::format("from {} to {}", bound(min), bound(max)) : fmt::format("of at least {}", bound(min));
  }
  return bounded ? fmt::format("above {} and at most {}", bound(min), bound(max)) : fmt::format("above {}", bound(min));
}

core::Error ConfigReader::error(const toml::node* at, std::string_view path, std::string_view message) const {
  // "file:line: " where the value has a line (a document's top level may not).
  const auto line = at != nullptr ? at->source().begin.line : 0;
  std::string out = line > 0 ? fmt::format("{}:{}: ", source_, line) : source_ + ": ";
  if (!path.empty()) out.append(path).append(": ");
  out.append(message);
  return core::make_error(std::move(out));
}

std::optional<core::Error> ConfigReader::only(const toml::table& table, std::string_view path,
                                              std::initializer_list<std::string_view> allowed) const {
  for (auto&& [key, node] : table) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == key.str();
    if (known) continue;
    std::string list;
    for (std::string_view a : allowed) list.append(list.empty() ? "" : ", ").append(a);
    return error(&node, field_path(path, key.str()), fmt::format("unknown field (expected {})", list));
  }
  return std::nullopt;
}

std::optional<core::Error> ConfigReader::table(const toml::table& in, std::string_view path, std::string_view key,
                                               const toml::table*& out, std::string_view like) const {
  out = nullptr;
  const toml::node* n = in.get(key);
  if (n == nullptr) return std::nullopt;
  out = n->as_table();
  if (out == nullptr) {
    return error(n, field_path(path, key), like.empty() ? "must be a table" : fmt::format("must be a table like {}", like));
  }
  return std::nullopt;
}

std::optional<core::Error> ConfigReader::number(const toml::table& t, std::string_view path, std::string_view key,
                                                Range range, double& out) const {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  const std::optional<double> v = n->is_number() ? n->value<double>() : std::nullopt;
  if (!v || !range.holds(*v)) {
    return error(n, field_path(path, key), fmt::format("must be a number {}", range.describe()));
  }
  out = *v;
  return std::nullopt;
}

std::optional<core::Error> ConfigReader::whole_number(const toml::table& t, std::string_view path,
                                                      std::string_view key, std::int64_t lo, std::int64_t hi,
                                                      std::int64_t& out) const {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  const std::optional<std::int64_t> v = n->value_exact<std::int64_t>();
  if (!v || *v < lo || *v > hi) {
    return error(n, field_path(path, key), fmt::format("must be a whole number from {} to {}", lo, hi));
  }
  out = *v;
  return std::nullopt;
}

std::optional<core::Error> ConfigReader::string(const toml::table& t, std::string_view path, std::string_view key,
                                                std::string& out, bool required) const {
  const toml::node* n = t.get(key);
  if (n == nullptr) return required ? require(t, path, key) : std::nullopt;
  if (!n->is_string() || n->as_string()->get().empty()) {
    return error(n, field_path(path, key), "must be a non-empty string");
  }
  out = n->as_string()->get();
  return std::nullopt;
}

std::optional<core::Error> ConfigReader::one_of(const toml::table& t, std::string_view path, std::string_view key,
                                                const std::vector<std::string_view>& choices,
                                                std::string& out) const {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  if (n->is_string()) {
    for (std::string_view c : choices) {
      if (c == n->as_string()->get()) {
        out = std::string(c);
        return std::nullopt;
      }
    }
  }
  std::string list;
  std::size_t i = 0;
  for (std::string_view c : choices) {
    ++i;
    list.append(i == 1 ? "" : i == choices.size() ? " or " : ", ").append("\"").append(c).append("\"");
  }
  return error(n, field_path(path, key), fmt::format("must be {}", list));
}

std::optional<core::Error> ConfigReader::boolean(const toml::table& t, std::string_view path, std::string_view key,
                                                 bool& out) const {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  const std::optional<bool> v = n->value_exact<bool>();
  if (!v) return error(n, field_path(path, key), "must be true or false");
  out = *v;
  return std::nullopt;
}

std::optional<core::Error> ConfigReader::require(const toml::table& t, std::string_view path,
                                                 std::string_view key) const {
  if (t.get(key) != nullptr) return std::nullopt;
  return error(&t, field_path(path, key), "missing");
}

std::string ConfigReader::number_as_written(const toml::node& node) const {
  const toml::source_position at = node.source().begin;
  std::size_t pos = 0;
  for (std::uint32_t line = 1; line < at.line && pos != std::string_view::npos; ++line) {
    pos = text_.find('\n', pos);
    if (pos != std::string_view::npos) ++pos;
  }
  if (pos == std::string_view::npos || at.column == 0) return "";
  pos += at.column - 1;
  std::string out;
  for (; pos < text_.size() && std::string_view("0123456789+-._eE").find(text_[pos]) != std::string_view::npos; ++pos) {
    if (text_[pos] != '_') out.push_back(text_[pos]);
  }
  return out;
}

}  // namespace ff::core
