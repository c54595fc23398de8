// ServeConfig: `flashfirst serve --config FILE` (TOML), read and validated once
// at start-up; a bad file names its line and field. Flags given on the command
// line override the file.
//
//   listen = "127.0.0.1:8080"
//   upstream = "https://api.deepseek.com"   # or "sim"
//   ledger = "ledger.db"
//   currency = "USD"
//   policy = "routing.toml"
//   max_retries = 2
//   fallback_after = 5             # failed calls in a row before a tier is avoided (0 = off)
//   fallback_seconds = 30
//   [[key]]
//   name = "team-a"
//   key = "sk-..."                 # or key_sha256 = "<64 hex digits>"
//   budget_per_day = "5.00"        # in `currency`; strings or integers (exact)
//   budget_per_month = "100"
//   budget_total = "1000"
//   tiers = ["flash"]              # allowed tiers (default both)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "gateway/gateway.h"

namespace ff::gateway {

struct ServeConfig {
  std::optional<std::string> listen, upstream, ledger, currency, policy;
  std::optional<int> max_retries, fallback_after;
  std::optional<std::int64_t> fallback_seconds;
  std::vector<VirtualKey> keys;
};

core::Result<ServeConfig> parse_serve_config(std::string_view toml, const std::string& source_name);
core::Result<ServeConfig> load_serve_config(const std::string& path);

}  // namespace ff::gateway
