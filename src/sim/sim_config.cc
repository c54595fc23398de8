#include "sim/sim_config.h"

#include <fmt/format.h>

#include "core/config_file.h"
#include "pricing/price_book_loader.h"

namespace ff::sim {

using core::parse_toml;

namespace {

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  core::Error error(const toml::node* node, std::string_view where, std::string_view what) const {
    return core::make_error(fmt::format("{}:{}: {}: {}", source_, node ? node->source().begin.line : 0, where, what));
  }
  // Rejects unknown keys, so a typo never silently keeps a default.
  std::optional<core::Error> keys(const toml::table& t, std::initializer_list<std::string_view> allowed,
                                  std::string_view where) const {
    return core::check_fields(source_, t, fmt::format("{}: ", where), allowed);
  }
  template <typename T>
  std::optional<core::Error> number(const toml::table& t, std::string_view key, std::string_view where, double lo,
                                    double hi, T& out) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    std::optional<double> v = n->is_number() ? n->value<double>() : std::nullopt;
    if (!v || *v < lo || *v > hi) {
      return error(n, where, fmt::format("field '{}' must be a number from {} to {}", key, lo, hi));
    }
    out = static_cast<T>(*v);
    return std::nullopt;
  }

 private:
  std::string source_;
};

}  // namespace

core::Result<SimConfigFile> parse_sim_config(std::string_view text, const std::string& source) {
  auto parsed = parse_toml(text, source);
  if (!parsed.ok()) return parsed.error();
  toml::table& root = *parsed;
  Reader rd(source);
  SimConfigFile cfg;
  SimOptions& o = cfg.options;
  if (auto e = rd.keys(root,
                       {"listen", "keys", "balance", "date", "speed", "seed", "quality", "keep_alive_ms", "concurrency",
                        "latency", "cache", "faults"},
                       "top level")) {
    return *e;
  }
  auto str = [&](std::string_view key) -> std::optional<std::string> {
    if (const auto* s = root.get_as<std::string>(key)) return s->get();
    return std::nullopt;
  };
  if (const toml::node* n = root.get("listen")) {
    if (!n->is_string()) return rd.error(n, "top level", "field 'listen' must be a string like \"127.0.0.1:8787\"");
    cfg.listen = str("listen");
  }
  if (const toml::node* n = root.get("quality")) {
    if (!n->is_string()) return rd.error(n, "top level", "field 'quality' must be a file name");
    cfg.quality_file = str("quality");
  }
  if (const toml::node* n = root.get("keys")) {
    const toml::array* a = n->as_array();
    if (a == nullptr) return rd.error(n, "top level", "field 'keys' must be an array of strings");
    for (const toml::node& k : *a) {
      if (!k.is_string() || k.value<std::string>()->empty())
        return rd.error(&k, "keys", "each key must be a non-empty string");
      o.keys.push_back(*k.value<std::string>());
    }
  }
  if (const toml::node* n = root.get("balance")) {
    std::string literal = n->is_string()    ? *n->value<std::string>()
                          : n->is_integer() ? std::to_string(*n->value<std::int64_t>())
                                            : "";
    auto m = core::parse_money(literal);
    if (!m.ok() || m->femto() < 0)
      return rd.error(n, "top level", "field 'balance' must be an amount of USD as a string, e.g. \"100.00\"");
    o.balance = *m;
  }
  if (const toml::node* n = root.get("date")) {
    const auto* dt = n->as_date_time();
    if (dt == nullptr || !dt->get().offset)
      return rd.error(n, "top level", "field 'date' must be a date-time with a zone");
    const toml::date_time& v = dt->get();
    std::int64_t days = core::days_from_civil({v.date.year, v.date.month, v.date.day});
    o.date = core::Timestamp{days * core::kSecondsPerDay + v.time.hour * 3600 + v.time.minute * 60 + v.time.second -
                             v.offset->minutes * 60};
  }
  if (auto e = rd.number(root, "speed", "top level", 0, 1000, o.speed)) return *e;
  if (auto e = rd.number(root, "seed", "top level", 0, 9e15, o.seed)) return *e;
  std::int64_t keep_alive_ms = o.keep_alive_interval.count();
  if (auto e = rd.number(root, "keep_alive_ms", "top level", 10, 600'000, keep_alive_ms)) return *e;
  o.keep_alive_interval = std::chrono::milliseconds(keep_alive_ms);

  if (const toml::table* t = root["concurrency"].as_table()) {
    if (auto e = rd.keys(*t, {"flash", "pro"}, "[concurrency]")) return *e;
    if (auto e = rd.number(*t, "flash", "[concurrency]", 1, 1e7, o.flash_concurrency)) return *e;
    if (auto e = rd.number(*t, "pro", "[concurrency]", 1, 1e7, o.pro_concurrency)) return *e;
  }
  if (const toml::table* t = root["latency"].as_table()) {
    if (auto e = rd.keys(*t, {"flash", "pro"}, "[latency]")) return *e;
    for (auto [name, speed] : {std::pair{"flash", &o.flash}, std::pair{"pro", &o.pro}}) {
      if (const toml::table* m = (*t)[name].as_table()) {
        const std::string where = fmt::format("[latency.{}]", name);
        if (auto e = rd.keys(*m, {"first_token_ms", "tokens_per_second"}, where)) return *e;
        if (auto e = rd.number(*m, "first_token_ms", where, 0, 600'000, speed->first_token_ms)) return *e;
        if (auto e = rd.number(*m, "tokens_per_second", where, 0.1, 1e6, speed->tokens_per_second)) return *e;
      }
    }
  }
  if (const toml::table* t = root["cache"].as_table()) {
    const char* w = "[cache]";
    if (auto e = rd.keys(
            *t,
            {"interval_tokens", "min_common_prefix_tokens", "build_delay_seconds", "expiry_seconds", "capacity_tokens"},
            w)) {
      return *e;
    }
    PrefixCacheConfig& c = o.cache;
    if (auto e = rd.number(*t, "interval_tokens", w, 0, 1e9, c.interval_tokens)) return *e;
    if (auto e = rd.number(*t, "min_common_prefix_tokens", w, 1, 1e9, c.min_common_prefix_tokens)) return *e;
    if (auto e = rd.number(*t, "build_delay_seconds", w, 0, 86'400, c.build_delay_seconds)) return *e;
    if (auto e = rd.number(*t, "expiry_seconds", w, 1, 1e8, c.expiry_seconds)) return *e;
    if (auto e = rd.number(*t, "capacity_tokens", w, 1, 1e15, c.capacity_tokens)) return *e;
  }
  if (const toml::table* t = root["faults"].as_table()) {
    const char* w = "[faults]";
    if (auto e = rd.keys(*t,
                         {"rate_limited", "server_error", "overloaded", "slow_first_byte", "stream_cut",
                          "malformed_chunk", "slow_first_byte_ms"},
                         w)) {
      return *e;
    }
    FaultRates& f = o.faults;
    for (auto [key, out] : {std::pair{"rate_limited", &f.rate_limited}, std::pair{"server_error", &f.server_error},
                            std::pair{"overloaded", &f.overloaded}, std::pair{"slow_first_byte", &f.slow_first_byte},
                            std::pair{"stream_cut", &f.stream_cut}, std::pair{"malformed_chunk", &f.malformed_chunk}}) {
      if (auto e = rd.number(*t, key, w, 0, 1, *out)) return *e;
    }
    if (auto e = rd.number(*t, "slow_first_byte_ms", w, 0, 600'000, f.slow_first_byte_ms)) return *e;
  }
  return cfg;
}

core::Result<SimConfigFile> load_sim_config(const std::string& path) {
  auto text = core::read_text_file(path);
  if (!text.ok()) return text.error();
  return parse_sim_config(*text, path);
}

}  // namespace ff::sim
