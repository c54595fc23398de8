// What every config-file loader of the project needs (price book, quality
// priors, simulator and gateway configs, routing policy, workload profiles):
// reading a file whole, parsing TOML with the error as "file:line: what", and
// errors that point at a node's line. Included only by loaders, which include
// toml++ anyway. Pure functions; any thread.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "core/result.h"

namespace ff::core {

// The whole file at `path`; fails naming the path (a directory is refused).
core::Result<std::string> read_text_file(const std::string& path);

// The document, or "source:line: description" of the first syntax error.
core::Result<toml::table> parse_toml(std::string_view text, const std::string& source_name);

// "source:line: what", with the line of `node` (0 when there is none).
core::Error toml_error_at(const std::string& source_name, const toml::node* node, std::string_view what);

// The first key of `table` that is not in `allowed`, as "source:line: <context>unknown
// field 'x' (expected a, b, c)"; nullopt when every key is allowed. A misspelt
// key is an error, never a setting silently left at its default.
std::optional<core::Error> check_fields(const std::string& source_name, const toml::table& table,
                                        std::string_view context, std::initializer_list<std::string_view> allowed);

}  // namespace ff::core
