#include "sim/sim_config.h"

#include <fmt/format.h>

#include "core/config_file.h"
#include "pricing/price_book_loader.h"

namespace ff::sim {

using core::parse_toml;

core::Result<SimConfigFile> parse_sim_config(std::string_view text, const std::string& source) {
  auto parsed = parse_toml(text, source);
  if (!parsed.ok()) return parsed.error();
  toml::table& root = *parsed;
  const core::ConfigReader rd(source);
  using core::Range;
  SimConfigFile cfg;
  SimOptions& o = cfg.options;
  if (auto e = rd.only(root,
                       "", {"listen", "keys", "balance", "date", "speed", "seed", "quality", "keep_alive_ms",
                            "concurrency", "latency", "cache", "faults"})) {
    return *e;
  }
  std::string value;
  if (auto e = rd.string(root, "", "listen", value)) return *e;
  if (!value.empty()) cfg.listen = value;
  value.clear();
  if (auto e = rd.string(root, "", "quality", value)) return *e;
  if (!value.empty()) cfg.quality_file = value;
  if (const toml::node* n = root.get("keys")) {
    const toml::array* a = n->as_array();
    if (a == nullptr) return rd.error(n, "keys", "must be an array of strings");
    for (const toml::node& k : *a) {
      if (!k.is_string() || k.value<std::string>()->empty()) return rd.error(&k, "keys", "each key must be a non-empty string");
      o.keys.push_back(*k.value<std::string>());
    }
  }
  if (const toml::node* n = root.get("balance")) {
    std::string literal = n->is_string()    ? *n->value<std::string>()
                          : n->is_integer() ? std::to_string(*n->value<std::int64_t>())
                                            : "";
    auto m = core::parse_money(literal);
    if (!m.ok() || m->femto() < 0)
      return rd.error(n, "balance", "must be an amount of USD as a string, e.g. \"100.00\"");
    o.balance = *m;
  }
  if (const toml::node* n = root.get("date")) {
    const auto* dt = n->as_date_time();
    if (dt == nullptr || !dt->get().offset) return rd.error(n, "date", "must be a date-time with a zone");
    const toml::date_time& v = dt->get();
    std::int64_t days = core::days_from_civil({v.date.year, v.date.month, v.date.day});
    o.date = core::Timestamp{days * core::kSecondsPerDay + v.time.hour * 3600 + v.time.minute * 60 + v.time.second -
                             v.offset->minutes * 60};
  }
  if (auto e = rd.number_as(root, "", "speed", Range::of(0, 1000), o.speed)) return *e;
  if (auto e = rd.number_as(root, "", "seed", Range::of(0, 9e15), o.seed)) return *e;
  std::int64_t keep_alive_ms = o.keep_alive_interval.count();
  if (auto e = rd.number_as(root, "", "keep_alive_ms", Range::of(10, 600'000), keep_alive_ms)) return *e;
  o.keep_alive_interval = std::chrono::milliseconds(keep_alive_ms);

  const toml::table* t = nullptr;
  if (auto e = rd.table(root, "", "concurrency", t)) return *e;
  if (t != nullptr) {
    if (auto e = rd.only(*t, "concurrency", {"flash", "pro"})) return *e;
    if (auto e = rd.number_as(*t, "concurrency", "flash", Range::of(1, 1e7), o.flash_concurrency)) return *e;
    if (auto e = rd.number_as(*t, "concurrency", "pro", Range::of(1, 1e7), o.pro_concurrency)) return *e;
  }
  if (auto e = rd.table(root, "", "latency", t)) return *e;
  if (t != nullptr) {
    if (auto e = rd.only(*t, "latency", {"flash", "pro"})) return *e;
    for (auto [name, speed] : {std::pair{"flash", &o.flash}, std::pair{"pro", &o.pro}}) {
      const toml::table* m = nullptr;
      if (auto e = rd.table(*t, "latency", name, m)) return *e;
      if (m == nullptr) continue;
      const std::string where = core::field_path("latency", name);
      if (auto e = rd.only(*m, where, {"first_token_ms", "tokens_per_second"})) return *e;
      if (auto e = rd.number_as(*m, where, "first_token_ms", Range::of(0, 600'000), speed->first_token_ms)) return *e;
      if (auto e = rd.number_as(*m, where, "tokens_per_second", Range::of(0.1, 1e6), speed->tokens_per_second))
        return *e;
    }
  }
  if (auto e = rd.table(root, "", "cache", t)) return *e;
  if (t != nullptr) {
    const char* w = "cache";
    if (auto e = rd.only(*t, w,
                         {"interval_tokens", "min_common_prefix_tokens", "build_delay_seconds", "expiry_seconds",
                          "capacity_tokens"})) {
      return *e;
    }
    PrefixCacheConfig& c = o.cache;
    if (auto e = rd.number_as(*t, w, "interval_tokens", Range::of(0, 1e9), c.interval_tokens)) return *e;
    if (auto e = rd.number_as(*t, w, "min_common_prefix_tokens", Range::of(1, 1e9), c.min_common_prefix_tokens))
      return *e;
    if (auto e = rd.number_as(*t, w, "build_delay_seconds", Range::of(0, 86'400), c.build_delay_seconds)) return *e;
    if (auto e = rd.number_as(*t, w, "expiry_seconds", Range::of(1, 1e8), c.expiry_seconds)) return *e;
    if (auto e = rd.number_as(*t, w, "capacity_tokens", Range::of(1, 1e15), c.capacity_tokens)) return *e;
  }
  if (auto e = rd.table(root, "", "faults", t)) return *e;
  if (t != nullptr) {
    const char* w = "faults";
    if (auto e = rd.only(*t, w,
                         {"rate_limited", "server_error", "overloaded", "slow_first_byte", "stream_cut",
                          "malformed_chunk", "slow_first_byte_ms"})) {
      return *e;
    }
    FaultRates& f = o.faults;
    for (auto [key, out] : {std::pair{"rate_limited", &f.rate_limited}, std::pair{"server_error", &f.server_error},
                            std::pair{"overloaded", &f.overloaded}, std::pair{"slow_first_byte", &f.slow_first_byte},
                            std::pair{"stream_cut", &f.stream_cut}, std::pair{"malformed_chunk", &f.malformed_chunk}}) {
      if (auto e = rd.number_as(*t, w, key, Range::of(0, 1), *out)) return *e;
    }
    if (auto e = rd.number_as(*t, w, "slow_first_byte_ms", Range::of(0, 600'000), f.slow_first_byte_ms)) return *e;
  }
  return cfg;
}

core::Result<SimConfigFile> load_sim_config(const std::string& path) {
  auto text = core::read_text_file(path);
  if (!text.ok()) return text.error();
  return parse_sim_config(*text, path);
}

}  // namespace ff::sim
