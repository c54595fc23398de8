#include "gateway/serve_config.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/config_file.h"
#include "pricing/price_book_loader.h"

namespace ff::gateway {

using core::parse_toml;

namespace {

// The tiers of a `tiers = ["flash", "pro"]` field of the table at `where`.
std::optional<core::Error> parse_tiers(const core::ConfigReader& rd, const toml::node& node, const std::string& where,
                                       std::vector<core::Tier>& out) {
  const std::string path = core::field_path(where, "tiers");
  const toml::array* tiers = node.as_array();
  if (tiers == nullptr || tiers->empty()) return rd.error(&node, path, "must list \"flash\" and/or \"pro\"");
  for (const toml::node& tn : *tiers) {
    const std::string v = tn.is_string() ? tn.as_string()->get() : "";
    if (v != "flash" && v != "pro") return rd.error(&tn, path, fmt::format("'{}' is not flash or pro", v));
    out.push_back(v == "pro" ? core::Tier::kPro : core::Tier::kFlash);
  }
  return std::nullopt;
}

// `[[upstream]]`: each account's name, key_env, base_url, weight, tiers and concurrency.
std::optional<core::Error> parse_accounts(const core::ConfigReader& rd, const toml::array& tables,
                                          std::vector<UpstreamAccount>& out) {
  int index = 0;
  for (const toml::node& item : tables) {
    const toml::table& t = *item.as_table();
    const std::string where = core::element_path("upstream", ++index);
    UpstreamAccount acct;
    if (auto e = rd.only(t, where, {"name", "key_env", "base_url", "weight", "tiers", "concurrency"})) return e;
    for (auto [key, slot] :
         {std::pair{"name", &acct.name}, std::pair{"key_env", &acct.key_env}, std::pair{"base_url", &acct.base_url}}) {
      if (auto e = rd.string(t, where, key, *slot, true)) return e;
    }
    if (auto e = rd.number(t, where, "weight", core::Range::more_than(0, 1e6), acct.weight)) return e;
    if (const toml::node* tiers = t.get("tiers")) {
      if (auto e = parse_tiers(rd, *tiers, where, acct.tiers)) return e;
    }
    const toml::table* c = nullptr;
    if (auto e = rd.table(t, where, "concurrency", c, "{ flash = 2500, pro = 500 }")) return e;
    if (c != nullptr) {
      const std::string cw = core::field_path(where, "concurrency");
      if (auto e = rd.only(*c, cw, {"flash", "pro"})) return e;
      if (auto e = rd.whole_number(*c, cw, "flash", 1, 1'000'000, acct.concurrency[0])) return e;
      if (auto e = rd.whole_number(*c, cw, "pro", 1, 1'000'000, acct.concurrency[1])) return e;
    }
    for (const UpstreamAccount& other : out) {
      if (other.name == acct.name)
        return rd.error(&t, where, fmt::format("the name '{}' is used twice", acct.name));
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
  const core::ConfigReader rd(source, text);
  ServeConfig c;
  using K = ConfigField::Kind;
  for (auto&& [key, node] : root) {
    const std::string_view k = key.str();
    if (k == "key") continue;
    if (k == "admin_keys" || k == "admin_keys_sha256") {
      const toml::array* list = node.as_array();
      if (list == nullptr) return rd.error(&node, k, "must be a list of strings");
      for (const toml::node& item : *list) {
        const std::optional<std::string> v = item.value<std::string>();
        if (!v || v->empty()) return rd.error(&item, k, "must hold non-empty strings");
        if (k == "admin_keys") {
          c.admin_key_hashes.push_back(sha256_hex(*v));
          continue;
        }
        const bool hex = v->size() == 64 && std::all_of(v->begin(), v->end(), [](char ch) {
          return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
        });
        if (!hex) return rd.error(&item, k, "must hold 64 lower-case hex digits each");
        c.admin_key_hashes.push_back(*v);
      }
      continue;
    }
    if (k == "upstream" && node.is_array_of_tables()) {
      if (auto e = parse_accounts(rd, *node.as_array(), c.accounts)) return *e;
      continue;
    }
    if (k == "upstream_queue") {
      const toml::table* q = nullptr;
      if (auto e = rd.table(root, "", k, q, "{ length = 1000, wait_seconds = 5 }")) return *e;
      if (auto e = rd.only(*q, k, {"length", "wait_seconds"})) return *e;
      if (auto e = rd.whole_number(*q, k, "length", 0, 1'000'000, c.queue_length)) return *e;
      if (auto e = rd.number(*q, k, "wait_seconds", core::Range::of(0, 3600), c.queue_wait_seconds)) return *e;
      continue;
    }
    const auto& fields = serve_config_fields();
    auto f = std::find_if(fields.begin(), fields.end(), [&](const ConfigField& cf) { return cf.name == k; });
    if (f == fields.end()) {
      std::string names;
      for (const ConfigField& cf : fields) names.append(cf.name).append(", ");
      return rd.error(&node, k, fmt::format("unknown field (expected {}admin_keys, admin_keys_sha256, upstream_queue, "
                                            "[[key]], [[upstream]])",
                                            names));
    }
    switch (f->kind) {
      case K::kString: {
        std::string v;
        std::vector<std::string_view> choices;
        for (std::string_view rest = f->choices ? f->choices : ""; !rest.empty();) {
          const auto bar = rest.find('|');
          choices.push_back(rest.substr(0, bar));
          rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
        }
        if (auto e = choices.empty() ? rd.string(root, "", k, v) : rd.one_of(root, "", k, choices, v)) return *e;
        c.values.emplace(std::string(k), v);
        break;
      }
      case K::kBool: {
        bool v = false;
        if (auto e = rd.boolean(root, "", k, v)) return *e;
        c.values.emplace(std::string(k), v);
        break;
      }
      case K::kInteger: {
        std::int64_t v = 0;
        const auto lo = static_cast<std::int64_t>(f->min) + (f->min_exclusive ? 1 : 0);
        if (auto e = rd.whole_number(root, "", k, lo, static_cast<std::int64_t>(f->max), v)) return *e;
        c.values.emplace(std::string(k), v);
        break;
      }
      case K::kNumber: {
        double v = 0;
        if (auto e = rd.number(root, "", k, core::Range{f->min, f->max, f->min_exclusive}, v)) return *e;
        if (node.is_integer()) {
          c.values.emplace(std::string(k), *node.value<std::int64_t>());
        } else {
          c.values.emplace(std::string(k), v);
        }
        break;
      }
    }
  }
  if (const toml::node* keys = root.get("key")) {
    const toml::array* arr = keys->as_array();
    if (arr == nullptr) return rd.error(keys, "key", "must be an array of tables ([[key]])");
    int index = 0;
    for (const toml::node& item : *arr) {
      const std::string where = core::element_path("key", ++index);
      const toml::table* t = item.as_table();
      if (t == nullptr) return rd.error(&item, where, "must be a table");
      if (auto e = rd.only(*t, where,
                           {"name", "key", "key_sha256", "budget_per_day", "budget_per_month", "budget_total", "rpm",
                            "tpm", "max_concurrent", "tiers", "user_id"})) {
        return *e;
      }
      VirtualKey vk;
      if (auto e = rd.string(*t, where, "name", vk.name, true)) return *e;
      std::string secret;
      if (auto e = rd.string(*t, where, "key", secret)) return *e;
      if (!secret.empty()) vk.sha256_hex = sha256_hex(secret);
      if (const toml::node* n = t->get("key_sha256")) {
        const std::string v = n->is_string() ? n->as_string()->get() : "";
        if (v.size() != 64 || v.find_first_not_of("0123456789abcdef") != std::string::npos) {
          return rd.error(n, core::field_path(where, "key_sha256"), "must be 64 lower-case hex digits");
        }
        vk.sha256_hex = v;
      }
      if (vk.sha256_hex.empty()) return rd.error(t, where, "give 'key' or 'key_sha256'");
      for (auto [name, slot] : {std::pair{"budget_per_day", &vk.budgets.per_day},
                                std::pair{"budget_per_month", &vk.budgets.per_month},
                                std::pair{"budget_total", &vk.budgets.total}}) {
        const toml::node* n = t->get(name);
        if (n == nullptr) continue;
        const std::string path = core::field_path(where, name);
        std::string textual;
        if (n->is_string()) {
          textual = n->as_string()->get();
        } else if (n->is_integer() || n->is_floating_point()) {
          textual = rd.number_as_written(*n);  // 5.5 and 1_000 as written, not as a double holds them
        } else {
          return rd.error(n, path, "must be an amount (\"12.50\", 12.5 or 12)");
        }
        auto m = core::parse_money(textual);
        if (!m.ok() || m->femto() < 0) return rd.error(n, path, fmt::format("'{}' is not an amount", textual));
        *slot = *m;
      }
      if (const toml::node* n = t->get("user_id")) {
        const std::string v = n->is_string() ? n->as_string()->get() : "";
        if (v.empty() || v.size() > 512 ||
            v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != std::string::npos) {
          return rd.error(n, core::field_path(where, "user_id"), "must be 1 to 512 of A-Z, a-z, 0-9, _ and -");
        }
        vk.user_id = v;
      }
      for (auto [name, slot] : {std::pair{"rpm", &vk.rates.rpm}, std::pair{"tpm", &vk.rates.tpm},
                                std::pair{"max_concurrent", &vk.rates.max_concurrent}}) {
        if (t->get(name) == nullptr) continue;
        std::int64_t v = 0;
        if (auto e = rd.whole_number(*t, where, name, 1, 1'000'000'000, v)) return *e;
        *slot = v;
      }
      if (const toml::node* n = t->get("tiers")) {
        if (auto e = parse_tiers(rd, *n, where, vk.tiers)) return *e;
      }
      for (const VirtualKey& other : c.keys) {
        if (other.name == vk.name) return rd.error(t, where, fmt::format("the name '{}' is used twice", vk.name));
        if (other.sha256_hex == vk.sha256_hex)
          return rd.error(t, where, fmt::format("the same key as '{}'", other.name));
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
