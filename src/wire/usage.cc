#include "wire/usage.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "wire/usage_ondemand.h"

namespace ff::wire {

namespace dom = simdjson::dom;
namespace od = simdjson::ondemand;
using Slot = UsageFields::Slot;

std::optional<Slot> usage_slot(std::string_view key) {
  static constexpr std::pair<std::string_view, Slot> kTop[] = {
      {"prompt_cache_hit_tokens", UsageFields::kHit},   {"prompt_cache_miss_tokens", UsageFields::kMiss},
      {"prompt_tokens", UsageFields::kPrompt},          {"completion_tokens", UsageFields::kCompletion},
      {"input_tokens", UsageFields::kInput},            {"output_tokens", UsageFields::kOutput},
      {"cache_read_input_tokens", UsageFields::kCacheRead},
      {"cache_creation_input_tokens", UsageFields::kCacheCreation}};
  for (const auto& [name, slot] : kTop) {
    if (name == key) return slot;
  }
  return std::nullopt;
}

std::optional<std::pair<std::string_view, Slot>> usage_detail(std::string_view key) {
  if (key == "prompt_tokens_details") return std::pair{std::string_view("cached_tokens"), UsageFields::kCached};
  if (key == "completion_tokens_details") return std::pair{std::string_view("reasoning_tokens"), UsageFields::kReasoning};
  if (key == "input_tokens_details") return std::pair{std::string_view("cached_tokens"), UsageFields::kInputCached};
  if (key == "output_tokens_details") {
    return std::pair{std::string_view("reasoning_tokens"), UsageFields::kOutputReasoning};
  }
  return std::nullopt;
}

core::Result<core::TokenUsage> billed_usage(const UsageFields& f) {
  auto c = [&](Slot s) { return f.count[s]; };
  core::TokenUsage t;
  if (c(UsageFields::kCompletion)) {
    // Chat Completions (DeepSeek or OpenAI style).
    t.output = *c(UsageFields::kCompletion);
    t.reasoning = c(UsageFields::kReasoning).value_or(0);
    const auto hit = c(UsageFields::kHit), miss = c(UsageFields::kMiss), prompt = c(UsageFields::kPrompt);
    if (hit || miss) {
      // DeepSeek's own fields; cached_tokens repeats the hit count and is not added.
      if (hit && miss) {
        t.cache_hit = *hit;
        t.cache_miss = *miss;
      } else if (prompt) {
        t.cache_hit = hit ? *hit : *prompt - *miss;
        t.cache_miss = miss ? *miss : *prompt - *hit;
      } else {
        return core::make_error("a cache hit or miss count without the other or prompt_tokens");
      }
      if (t.cache_hit < 0 || t.cache_miss < 0) return core::make_error("cache hits or misses above prompt_tokens");
      if (prompt && *prompt != t.cache_hit + t.cache_miss) {
        return core::make_error(fmt::format("prompt_tokens {} is not cache hits {} + misses {}", *prompt, t.cache_hit,
                                            t.cache_miss));
      }
    } else if (prompt) {
      t.cache_hit = c(UsageFields::kCached).value_or(0);
      t.cache_miss = *prompt - t.cache_hit;
      if (t.cache_miss < 0) return core::make_error("cached_tokens above prompt_tokens");
    } else {
      return core::make_error("completion_tokens without prompt_tokens or cache hit and miss counts");
    }
  } else if (c(UsageFields::kOutput) && c(UsageFields::kInput)) {
    t.output = *c(UsageFields::kOutput);
    t.reasoning = c(UsageFields::kOutputReasoning).value_or(0);
    if (c(UsageFields::kCacheRead) || c(UsageFields::kCacheCreation)) {
      // Anthropic: input_tokens excludes cache reads and writes; DeepSeek bills
      // no write surcharge, so written tokens are ordinary misses.
      t.cache_hit = c(UsageFields::kCacheRead).value_or(0);
      t.cache_miss = *c(UsageFields::kInput) + c(UsageFields::kCacheCreation).value_or(0);
    } else {
      // Responses API (or Anthropic without cache fields): input_tokens includes the cached part.
      t.cache_hit = c(UsageFields::kInputCached).value_or(0);
      t.cache_miss = *c(UsageFields::kInput) - t.cache_hit;
      if (t.cache_miss < 0) return core::make_error("cached_tokens above input_tokens");
    }
  } else {
    return core::make_error("no output count (completion_tokens or input_tokens with output_tokens)");
  }
  if (t.reasoning > t.output) {
    return core::make_error(fmt::format("reasoning tokens {} above the output {}", t.reasoning, t.output));
  }
  return t;
}

namespace {

// A count from a parsed value: nullopt for null; false when it is no count.
bool count_of(dom::element e, std::optional<std::int64_t>& out) {
  if (e.is_null()) {
    out.reset();
    return true;
  }
  std::int64_t n = 0;
  if (e.get_int64().get(n) || n < 0 || n > kMaxTokensPerField) return false;
  out = n;
  return true;
}

}  // namespace

UsageRead read_usage(const dom::element& root) {
  UsageRead r;
  dom::element usage;
  if (root.type() != dom::element_type::OBJECT || root["usage"].get(usage) || usage.is_null()) return r;
  r.status = UsageRead::Status::kInvalid;
  dom::object u;
  if (usage.get(u)) {
    r.why = "usage is not an object";
    return r;
  }
  UsageFields f;
  for (auto [key, value] : u) {
    std::optional<std::int64_t> n;
    if (auto slot = usage_slot(key)) {
      if (f.named[*slot]) continue;
      if (!count_of(value, n)) {
        r.why = fmt::format("{} is not a token count", key);
        return r;
      }
      f.set(*slot, n);
    } else if (auto detail = usage_detail(key)) {
      // The first details object decides (as a lookup by name would find it).
      if (f.named[detail->second]) continue;
      if (value.is_null()) {
        f.set(detail->second, std::nullopt);
        continue;
      }
      dom::object o;
      if (value.get(o)) {
        r.why = fmt::format("{} is not an object", key);
        return r;
      }
      for (auto [k, v] : o) {
        if (k != detail->first || f.named[detail->second]) continue;
        if (!count_of(v, n)) {
          r.why = fmt::format("{}.{} is not a token count", key, k);
          return r;
        }
        f.set(detail->second, n);
      }
      f.set(detail->second, std::nullopt);  // no-op when the count was there
    }
  }
  auto billed = billed_usage(f);
  if (!billed.ok()) {
    r.why = billed.error().message;
    return r;
  }
  r.status = UsageRead::Status::kOk;
  r.usage = *billed;
  return r;
}

namespace {

// A token count: a non-negative JSON integer no larger than kMaxTokensPerField.
// Absent or null fields leave `out` unset.
enum class Field { kAbsent, kOk, kBad };

Field read_count(od::value v, std::optional<std::int64_t>& out) {
  // The integer read first (the usual case, one call); a value of another type
  // is left unread by the failed read, and may be null.
  std::int64_t n = 0;
  const simdjson::error_code e = v.get_int64().get(n);
  if (e == simdjson::SUCCESS) {
    if (n < 0 || n > kMaxTokensPerField) return Field::kBad;
    out = n;
    return Field::kOk;
  }
  return e == simdjson::INCORRECT_TYPE && v.is_null() ? Field::kAbsent : Field::kBad;
}

// Reads a details object's one count field (e.g. prompt_tokens_details.cached_tokens).
bool read_nested(od::value v, std::string_view want, UsageFields::Slot slot, UsageFields& u) {
  od::json_type type;
  if (v.type().get(type)) return false;
  if (type == od::json_type::null) {
    u.set(slot, std::nullopt);
    return true;
  }
  if (type != od::json_type::object) return false;
  od::object obj;
  if (v.get_object().get(obj)) return false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    if (key != want || u.named[slot]) continue;
    std::optional<std::int64_t> n;
    if (read_count(field.value(), n) == Field::kBad) return false;
    u.set(slot, n);
  }
  u.set(slot, std::nullopt);  // no-op when the count was there
  return true;
}

}  // namespace

bool collect_usage(od::object obj, UsageFields& u) {
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    od::value v = field.value();
    if (auto slot = usage_slot(key)) {
      if (u.named[*slot]) continue;
      std::optional<std::int64_t> n;
      if (read_count(v, n) == Field::kBad) return false;
      u.set(*slot, n);
    } else if (auto detail = usage_detail(key)) {
      if (u.named[detail->second]) continue;
      if (!read_nested(v, detail->first, detail->second, u)) return false;
    }
  }
  return true;
}

}  // namespace ff::wire
