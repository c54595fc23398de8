// The `flashfirst sim` configuration file (TOML), parsed once at start-up into
// SimOptions. Every field is optional; command-line flags override the file.
// A bad file stops start-up with "file:line: [table] field: problem".
//
//   listen = "127.0.0.1:8787"
//   keys = ["sk-1", "sk-2"]
//   balance = "100.00"            # USD
//   date = 2026-11-24T02:00:00Z
//   speed = 1.0
//   seed = 42
//   quality = "my_quality.toml"
//   keep_alive_ms = 1000
//   [concurrency] flash = 2500, pro = 500
//   [latency.flash] first_token_ms = 350, tokens_per_second = 90
//   [latency.pro]   first_token_ms = 900, tokens_per_second = 35
//   [cache] interval_tokens, min_common_prefix_tokens, build_delay_seconds,
//           expiry_seconds, capacity_tokens
//   [faults] rate_limited, server_error, overloaded, slow_first_byte, stream_cut,
//            malformed_chunk (probabilities), slow_first_byte_ms
#pragma once

#include <optional>
#include <string>

#include "core/result.h"
#include "sim/simulator.h"

namespace ff::sim {

struct SimConfigFile {
  SimOptions options;
  std::optional<std::string> listen;
  std::optional<std::string> quality_file;
};

core::Result<SimConfigFile> parse_sim_config(std::string_view toml, const std::string& source_name);
core::Result<SimConfigFile> load_sim_config(const std::string& path);

}  // namespace ff::sim
