// What every TOML file loader of the project needs (price book, quality priors,
// simulator and gateway configs, routing policy, workload profiles): parsing with
// the error as "file:line: what", and errors that point at a node's line.
// Included only by loaders, which include toml++ anyway.
#pragma once

#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "core/result.h"

namespace ff::pricing {

// The document, or "source:line: description" of the first syntax error.
core::Result<toml::table> parse_toml(std::string_view text, const std::string& source_name);

// "source:line: what", with the line of `node` (0 when there is none).
core::Error toml_error_at(const std::string& source_name, const toml::node* node, std::string_view what);

}  // namespace ff::pricing
