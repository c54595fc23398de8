#include "gateway/serve_config.h"

#include <fmt/format.h>

#include "pricing/price_book_loader.h"
#include "pricing/toml_support.h"

namespace ff::gateway {

using pricing::parse_toml;
using pricing::toml_error_at;

namespace {}  // namespace

core::Result<ServeConfig> parse_serve_config(std::string_view text, const std::string& source) {
  auto parsed = parse_toml(text, source);
  if (!parsed.ok()) return parsed.error();
  toml::table& root = *parsed;
  ServeConfig c;
  for (auto&& [key, node] : root) {
    const std::string_view k = key.str();
    if (k == "key") continue;
    std::optional<std::string>* field = k == "listen" ? &c.listen : k == "upstream" ? &c.upstream : k == "ledger" ? &c.ledger
                                        : k == "currency" ? &c.currency : k == "policy" ? &c.policy : nullptr;
    if (field != nullptr) {
      if (!node.is_string() || node.as_string()->get().empty())
        return toml_error_at(source, &node, fmt::format("field '{}' must be a string", k));
      *field = node.as_string()->get();
    } else if (k == "max_retries") {
      auto v = node.value_exact<std::int64_t>();
      if (!v || *v < 0 || *v > 10)
        return toml_error_at(source, &node, "field 'max_retries' must be an integer from 0 to 10");
      c.max_retries = static_cast<int>(*v);
    } else if (k == "fallback_after") {
      auto v = node.value_exact<std::int64_t>();
      if (!v || *v < 0 || *v > 1000)
        return toml_error_at(source, &node, "field 'fallback_after' must be an integer from 0 (off) to 1000");
      c.fallback_after = static_cast<int>(*v);
    } else if (k == "fallback_seconds") {
      auto v = node.value_exact<std::int64_t>();
      if (!v || *v <= 0) return toml_error_at(source, &node, "field 'fallback_seconds' must be a positive integer");
      c.fallback_seconds = *v;
    } else {
      return toml_error_at(source, &node,
                           fmt::format("unknown field '{}' (expected listen, upstream, ledger, currency, policy, "
                                       "max_retries, fallback_after, fallback_seconds, [[key]])",
                                       k));
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
      for (auto&& [name, node] : *t) {
        const std::string_view n = name.str();
        auto money = [&](std::optional<core::Money>& out) -> std::optional<core::Error> {
          std::string textual;
          if (node.is_string()) {
            textual = node.as_string()->get();
          } else if (auto i = node.value_exact<std::int64_t>()) {
            textual = std::to_string(*i);
          } else {
            return toml_error_at(
                source, &node,
                fmt::format("{} field '{}' must be an amount as a string (\"12.50\") or an integer", where, n));
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
        } else if (n == "tiers") {
          const toml::array* tiers = node.as_array();
          if (tiers == nullptr || tiers->empty())
            return toml_error_at(source, &node,
                                 fmt::format("{} field 'tiers' must list \"flash\" and/or \"pro\"", where));
          for (const toml::node& tn : *tiers) {
            const std::string v = tn.is_string() ? tn.as_string()->get() : "";
            if (v != "flash" && v != "pro")
              return toml_error_at(source, &tn, fmt::format("{} field 'tiers': '{}' is not flash or pro", where, v));
            vk.tiers.push_back(v == "pro" ? core::Tier::kPro : core::Tier::kFlash);
          }
        } else {
          return toml_error_at(source, &node,
                               fmt::format("{}: unknown field '{}' (expected name, key, key_sha256, budget_per_day, "
                                           "budget_per_month, budget_total, tiers)",
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
  auto text = pricing::read_text_file(path);
  if (!text.ok()) return text.error();
  return parse_serve_config(*text, path);
}

}  // namespace ff::gateway
