#include "core/config_file.h"

#include <cerrno>
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

core::Error toml_error_at(const std::string& source_name, const toml::node* node, std::string_view what) {
  return core::make_error(fmt::format("{}:{}: {}", source_name, node ? node->source().begin.line : 0, what));
}

std::optional<core::Error> check_fields(const std::string& source_name, const toml::table& table,
                                        std::string_view context, std::initializer_list<std::string_view> allowed) {
  for (auto&& [key, node] : table) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == key.str();
    if (known) continue;
    std::string list;
    for (std::string_view a : allowed) list.append(list.empty() ? "" : ", ").append(a);
    return toml_error_at(source_name, &node, fmt::format("{}unknown field '{}' (expected {})", context, key.str(), list));
  }
  return std::nullopt;
}

}  // namespace ff::core
