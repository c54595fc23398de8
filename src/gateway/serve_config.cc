#include "gateway/serve_config.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/config_file.h"
#include "pricing/price_book_loader.h"

namespace ff::gateway {

using core::parse_toml;
using core::toml_error_at;

namespace {

// The text of the number `node` as it stands in `text`, underscores dropped, so
// that an amount written 5.5 is read exactly as 5.5.
std::string number_as_written(std::string_view text, const toml::node& node) {
  const toml::source_position at = node.source().begin;
  std::size_t pos = 0;
  for (std::uint32_t line = 1; line < at.line && pos != std::string_view::npos; ++line) {
    pos = text.find('\n', pos);
    if (pos != std::string_view::npos) ++pos;
  }
  if (pos == std::string_view::npos) return "";
  pos += at.column - 1;
  std::string out;
  for (; pos < text.size() && std::string_view("0123456789+-._eE").find(text[pos]) != std::string_view::npos; ++pos) {
    if (text[pos] != '_') out.push_back(text[pos]);
  }
  return out;
}

// The tiers of a `tiers = ["flash", "pro"]` field.
std::optional<core::Error> parse_tiers(const std::string& source, const toml::node& node, const std::string& where,
                                       std::vector<core::Tier>& out) {
  const toml::array* tiers = node.as_array();
  if (tiers == nullptr || tiers->empty())
    return toml_error_at(source, &node, fmt::format("{} field 'tiers' must list \"flash\" and/or \"pro\"", where));
  for (const toml::node& tn : *tiers) {
    const std::string v = tn.is_string() ? tn.as_string()->get() : "";
    if (v != "flash" && v != "pro")
      return toml_error_at(source, &tn, fmt::format("{} field 'tiers': '{}' is not flash or pro", where, v));
    out.push_back(v == "pro" ? core::Tier::kPro : core::Tier::kFlash);
  }
  return std::nullopt;
}

// `[[upstream]]`: each account's name, key_env, base_url, weight, tiers and concurrency.
std::optional<core::Error> parse_accounts(const std::string& source, const toml::array& tables,
                                          std::vector<UpstreamAccount>& out) {
  int index = 0;
  for (const toml::node& item : tables) {
    const toml::table& t = *item.as_table();
    const std::string where = fmt::format("[[upstream]] #{}", ++index);
    UpstreamAccount acct;
    for (auto&& [name, node] : t) {
      const std::string_view n = name.str();
      if (n == "name" || n == "key_env" || n == "base_url") {
        if (!node.is_string() || node.as_string()->get().empty())
          return toml_error_at(source, &node, fmt::format("{} field '{}' must be a string", where, n));
        (n == "name" ? acct.name : n == "key_env" ? acct.key_env : acct.base_url) = node.as_string()->get();
      } else if (n == "weight") {
        const std::optional<double> w = node.value<double>();
        if (!w || *w <= 0 || *w > 1e6)
          return toml_error_at(source, &node, fmt::format("{} field 'weight' must be a number above 0", where));
        acct.weight = *w;
      } else if (n == "tiers") {
        if (auto e = parse_tiers(source, node, where, acct.tiers)) return e;
      } else if (n == "concurrency") {
        const toml::table* c = node.as_table();
        if (c == nullptr)
          return toml_error_at(source, &node,
                               fmt::format("{} field 'concurrency' must be a table like {{ flash = 2500, pro = 500 }}",
                                           where));
        for (auto&& [tier, limit] : *c) {
          const std::optional<std::int64_t> v = limit.value<std::int64_t>();
          if (tier.str() != "flash" && tier.str() != "pro")
            return toml_error_at(source, &limit,
                                 fmt::format("{} concurrency: unknown tier '{}' (expected flash or pro)", where,
                                             tier.str()));
          if (!limit.is_integer() || !v || *v < 1 || *v > 1'000'000)
            return toml_error_at(source, &limit,
                                 fmt::format("{} concurrency: '{}' must be a whole number from 1 to 1000000", where,
                                             tier.str()));
          acct.concurrency[tier.str() == "pro" ? 1 : 0] = *v;
        }
      } else {
        return toml_error_at(source, &node,
                             fmt::format("{}: unknown field '{}' (expected name, key_env, base_url, weight, tiers, "
                                         "concurrency)",
                                         where, n));
      }
    }
    if (acct.name.empty() || acct.key_env.empty() || acct.base_url.empty())
      return toml_error_at(source, &t, fmt::format("{}: name, key_env and base_url are required", where));
    for (const UpstreamAccount& other : out) {
      if (other.name == acct.name)
        return toml_error_at(source, &t, fmt::format("{}: the name '{}' is used twice", where, acct.name));
    }
    out.push_back(std::move(acct));
  }
  return std::nullopt;
}

}  // namespace

const std::vector<ConfigField>& serve_config_fields() {
  using K = ConfigField::Kind;
  static const std::vector<ConfigField> fields = {
      {"listen", K::kString},
      {"upstream", K::kString},
      {"ledger", K::kString},
      {"ledger_sync", K::kString, 0, 0, false, "full|process"},
      {"currency", K::kString},
      {"policy", K::kString},
      {"prices", K::kString},
      {"holidays", K::kString},
      {"access_log", K::kString},
      {"max_retries", K::kInteger, 0, 10},
      {"fallback_after", K::kInteger, 0, 1000},
      {"fallback_seconds", K::kInteger, 0, 1e9, true},
      {"budget_sync_ms", K::kInteger, 0, 1e9, true},
      {"read_timeout", K::kNumber, 0, 1e6, true},
      {"upstream_connect_timeout", K::kNumber, 0, 1e6, true},
      {"upstream_first_byte_timeout", K::kNumber, 0, 1e6, true},
      {"upstream_idle_timeout", K::kNumber, 0, 1e6, true},
      {"max_body_mb", K::kInteger, 0, 1 << 20, true},
      {"max_connections", K::kInteger, 0, 1e7, true},
      {"ca_file", K::kString},
      {"insecure", K::kBool},
      {"record_requests", K::kBool},
      {"sim_speed", K::kNumber, 0, 1e6},
      {"dashboard", K::kBool},
      {"evals_dir", K::kString},
      {"sim_quality", K::kString},
  };
  return fields;
}

core::Result<ServeConfig> parse_serve_config(std::string_view text, const std::string& source) {
  auto parsed = parse_toml(text, source);
  if (!parsed.ok()) return parsed.error();
  toml::table& root = *parsed;
  ServeConfig c;
  using K = ConfigField::Kind;
  for (auto&& [key, node] : root) {
    const std::string_view k = key.str();
    if (k == "key") continue;
    if (k == "admin_keys" || k == "admin_keys_sha256") {
      const toml::array* list = node.as_array();
      if (list == nullptr) return toml_error_at(source, &node, fmt::format("'{}' must be a list of strings", k));
      for (const toml::node& item : *list) {
        const std::optional<std::string> v = item.value<std::string>();
        if (!v || v->empty()) return toml_error_at(source, &item, fmt::format("'{}' must hold non-empty strings", k));
        if (k == "admin_keys") {
          c.admin_key_hashes.push_back(sha256_hex(*v));
          continue;
        }
        const bool hex = v->size() == 64 && std::all_of(v->begin(), v->end(), [](char ch) {
          return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
        });
        if (!hex) return toml_error_at(source, &item, "'admin_keys_sha256' holds 64 lower-case hex digits each");
        c.admin_key_hashes.push_back(*v);
      }
      continue;
    }
    if (k == "upstream" && node.is_array_of_tables()) {
      if (auto e = parse_accounts(source, *node.as_array(), c.accounts)) return *e;
      continue;
    }
    if (k == "upstream_queue") {
      const toml::table* q = node.as_table();
      if (q == nullptr) return toml_error_at(source, &node, "[upstream_queue] must be a table (length, wait_seconds)");
      for (auto&& [qk, qv] : *q) {
        const std::optional<double> v = qv.value<double>();
        if (qk.str() == "length" && qv.is_integer() && *qv.value<std::int64_t>() >= 0 &&
            *qv.value<std::int64_t>() <= 1'000'000) {
          c.queue_length = *qv.value<std::int64_t>();
        } else if (qk.str() == "wait_seconds" && v && *v >= 0 && *v <= 3600) {
          c.queue_wait_seconds = *v;
        } else {
          return toml_error_at(source, &qv,
                               fmt::format("[upstream_queue] field '{}': expected length (0 to 1000000 calls) or "
                                           "wait_seconds (0 to 3600)",
                                           qk.str()));
        }
      }
      continue;
    }
    const auto& fields = serve_config_fields();
    auto f = std::find_if(fields.begin(), fields.end(), [&](const ConfigField& cf) { return cf.name == k; });
    if (f == fields.end()) {
      std::string names;
      for (const ConfigField& cf : fields) names.append(cf.name).append(", ");
      return toml_error_at(source, &node, fmt::format("unknown field '{}' (expected {}admin_keys, admin_keys_sha256, [[key]])", k, names));
    }
    auto range = [&]() -> std::string {
      if (f->min_exclusive && f->max >= 1e6) return fmt::format("above {}", f->min);
      return fmt::format("from {} to {}", f->min, f->max);
    };
    switch (f->kind) {
      case K::kString: {
        if (!node.is_string() || node.as_string()->get().empty())
          return toml_error_at(source, &node, fmt::format("field '{}' must be a string", k));
        const std::string& v = node.as_string()->get();
        if (f->choices != nullptr) {
          bool found = false;
          for (std::string_view rest = f->choices; !found && !rest.empty();) {
            const auto bar = rest.find('|');
            found = rest.substr(0, bar) == v;
            rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
          }
          if (!found) return toml_error_at(source, &node, fmt::format("field '{}' must be one of {}", k, f->choices));
        }
        c.values.emplace(std::string(k), v);
        break;
      }
      case K::kBool: {
        auto v = node.value_exact<bool>();
        if (!v) return toml_error_at(source, &node, fmt::format("field '{}' must be true or false", k));
        c.values.emplace(std::string(k), *v);
        break;
      }
      case K::kInteger:
      case K::kNumber: {
        std::optional<double> d;
        auto i = node.value_exact<std::int64_t>();
        if (i) d = static_cast<double>(*i);
        if (!i && f->kind == K::kNumber) d = node.value_exact<double>();
        const bool in_range = d && (f->min_exclusive ? *d > f->min : *d >= f->min) && *d <= f->max;
        if (!in_range) {
          return toml_error_at(
              source, &node,
              fmt::format("field '{}' must be {} {}", k, f->kind == K::kInteger ? "an integer" : "a number", range()));
        }
        if (i) {
          c.values.emplace(std::string(k), *i);
        } else {
          c.values.emplace(std::string(k), *d);
        }
        break;
      }
    }
  }
  if (const toml::node* keys = root.get("key")) {
    const toml::array* arr = keys->as_array();
    if (arr == nullptr) return toml_error_at(source, keys, "[[key]] must be an array of tables");
    int index = 0;
    for (const toml::node& item : *arr) {
      ++index;
      const toml::table* t = item.as_table();
      if (t == nullptr) return toml_error_at(source, &item, fmt::format("[[key]] #{} must be a table", index));
      VirtualKey vk;
      const std::string where = fmt::format("[[key]] #{}", index);
      for (auto&& member : *t) {
        const std::string_view n = member.first.str();
        const toml::node& node = member.second;
        auto money = [&](std::optional<core::Money>& out) -> std::optional<core::Error> {
          std::string textual;
          if (node.is_string()) {
            textual = node.as_string()->get();
          } else if (node.is_integer() || node.is_floating_point()) {
            // The number as written (5.5, 1_000), not as a double holds it.
            textual = number_as_written(text, node);
          } else {
            return toml_error_at(source, &node,
                                 fmt::format("{} field '{}' must be an amount (\"12.50\", 12.5 or 12)", where, n));
          }
          auto m = core::parse_money(textual);
          if (!m.ok() || m->femto() < 0)
            return toml_error_at(source, &node, fmt::format("{} field '{}': '{}' is not an amount", where, n, textual));
          out = *m;
          return std::nullopt;
        };
        if (n == "name" || n == "key" || n == "key_sha256") {
          if (!node.is_string() || node.as_string()->get().empty())
            return toml_error_at(source, &node, fmt::format("{} field '{}' must be a string", where, n));
          const std::string& v = node.as_string()->get();
          if (n == "name") vk.name = v;
          if (n == "key") vk.sha256_hex = sha256_hex(v);
          if (n == "key_sha256") {
            if (v.size() != 64 || v.find_first_not_of("0123456789abcdef") != std::string::npos) {
              return toml_error_at(source, &node,
                                   fmt::format("{} field 'key_sha256' must be 64 lower-case hex digits", where));
            }
            vk.sha256_hex = v;
          }
        } else if (n == "budget_per_day") {
          if (auto e = money(vk.budgets.per_day)) return *e;
        } else if (n == "budget_per_month") {
          if (auto e = money(vk.budgets.per_month)) return *e;
        } else if (n == "budget_total") {
          if (auto e = money(vk.budgets.total)) return *e;
        } else if (n == "user_id") {
          const std::string v = node.is_string() ? node.as_string()->get() : "";
          if (v.empty() || v.size() > 512 ||
              v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != std::string::npos) {
            return toml_error_at(source, &node,
                                 fmt::format("{} field 'user_id' must be 1 to 512 of A-Z, a-z, 0-9, _ and -", where));
          }
          vk.user_id = v;
        } else if (n == "rpm" || n == "tpm" || n == "max_concurrent") {
          const std::optional<std::int64_t> v = node.value<std::int64_t>();
          if (!node.is_integer() || !v || *v < 1 || *v > 1'000'000'000) {
            return toml_error_at(source, &node,
                                 fmt::format("{} field '{}' must be a whole number from 1 to 1000000000", where, n));
          }
          (n == "rpm" ? vk.rates.rpm : n == "tpm" ? vk.rates.tpm : vk.rates.max_concurrent) = *v;
        } else if (n == "tiers") {
          if (auto e = parse_tiers(source, node, where, vk.tiers)) return *e;
        } else {
          return toml_error_at(source, &node,
                               fmt::format("{}: unknown field '{}' (expected name, key, key_sha256, budget_per_day, "
                                           "budget_per_month, budget_total, rpm, tpm, max_concurrent, tiers, user_id)",
                                           where, n));
        }
      }
      if (vk.name.empty()) return toml_error_at(source, t, fmt::format("{}: missing field 'name'", where));
      if (vk.sha256_hex.empty()) return toml_error_at(source, t, fmt::format("{}: give 'key' or 'key_sha256'", where));
      for (const VirtualKey& other : c.keys) {
        if (other.name == vk.name)
          return toml_error_at(source, t, fmt::format("{}: the name '{}' is used twice", where, vk.name));
        if (other.sha256_hex == vk.sha256_hex)
          return toml_error_at(source, t, fmt::format("{}: the same key as '{}'", where, other.name));
      }
      c.keys.push_back(std::move(vk));
    }
  }
  return c;
}

core::Result<ServeConfig> load_serve_config(const std::string& path) {
  auto text = core::read_text_file(path);
  if (!text.ok()) return text.error();
  return parse_serve_config(*text, path);
}

}  // namespace ff::gateway
