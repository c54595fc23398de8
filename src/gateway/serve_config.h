// ServeConfig: `flashfirst serve --config FILE` (TOML), read and validated once
// at start-up; a bad file names its line and field. It holds every setting
// `serve` has a flag for, named as the flag with `_` for `-` (`--max-body-mb`
// is `max_body_mb`), plus the virtual keys; flags given on the command line
// override the file. examples/serve.toml lists them all.
//
//   listen = "127.0.0.1:8080"
//   upstream = "https://api.deepseek.com"   # or "sim"
//   max_retries = 2
//   access_log = "access.log"
//   [[key]]
//   name = "team-a"
//   key = "sk-..."                 # or key_sha256 = "<64 hex digits>"
//   budget_per_day = "5.50"        # in `currency`; exact decimals, as strings or numbers
//   budget_per_month = 100
//   budget_total = "1000"
//   tiers = ["flash"]              # allowed tiers (default both)
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "gateway/gateway.h"

namespace ff::gateway {

// What one setting holds: text, a whole number, a number, or true/false.
using ConfigValue = std::variant<std::string, std::int64_t, double, bool>;

// One setting a config file may hold: its name, kind and the range of a number
// (inclusive; `min_exclusive` makes the lower bound strict).
struct ConfigField {
  enum class Kind { kString, kInteger, kNumber, kBool };
  const char* name;
  Kind kind;
  double min = 0;
  double max = 1e18;
  bool min_exclusive = false;
  const char* choices = nullptr;  // for strings: the allowed values, "a|b"
};

// Every setting of `serve`'s config file, in the order the example lists them.
const std::vector<ConfigField>& serve_config_fields();

// One DeepSeek account of `[[upstream]]` (several accounts behind one gateway).
struct UpstreamAccount {
  std::string name;
  std::string key_env;   // the environment variable that holds its API key
  std::string base_url;  // "https://api.deepseek.com"
  double weight = 1;
  std::vector<core::Tier> tiers;                       // empty: both
  std::array<std::int64_t, 2> concurrency{2500, 500};  // in flight at most: Flash, Pro (DeepSeek's limits)
};

struct ServeConfig {
  std::map<std::string, ConfigValue, std::less<>> values;  // the settings the file sets
  std::vector<VirtualKey> keys;
  // admin_keys / admin_keys_sha256: the dashboard's admin keys, by SHA-256 (hex).
  std::vector<std::string> admin_key_hashes;
  // `upstream` as an array of tables; empty when it is one URL (a value above).
  std::vector<UpstreamAccount> accounts;
  // [upstream_queue]: calls waiting when every account is at its limit, and for how long.
  std::int64_t queue_length = 1000;
  double queue_wait_seconds = 10;
};

core::Result<ServeConfig> parse_serve_config(std::string_view toml, const std::string& source_name);
core::Result<ServeConfig> load_serve_config(const std::string& path);

}  // namespace ff::gateway
