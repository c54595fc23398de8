#include "planner/usage_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

#include "wire/usage.h"
#include "wire/usage_ondemand.h"

namespace ff::planner {

namespace od = simdjson::ondemand;

const char* skip_reason_name(SkipReason r) {
  static constexpr const char* kNames[kSkipReasonCount] = {
      "malformed_json", "no_usage", "invalid_usage", "no_model",     "unknown_model", "retired_model",
      "no_timestamp",   "no_price", "malformed_csv", "unrecognized", "line_too_long"};
  return kNames[static_cast<int>(r)];
}

const char* skip_reason_text(SkipReason r) {
  static constexpr const char* kTexts[kSkipReasonCount] = {
      "malformed JSON",
      "JSON without usage",
      "usage with missing, negative, non-integer or inconsistent token counts",
      "no model named",
      "model not in the price book",
      "model retired at that time",
      "no timestamp (give --at to price it)",
      "no price in force at that time",
      "malformed CSV row",
      "neither JSON nor CSV with a header",
      "line longer than 64 MiB"};
  return kTexts[static_cast<int>(r)];
}

struct UsageParser::Json {
  od::parser parser;
};

UsageParser::UsageParser() : json_(std::make_unique<Json>()) {}
UsageParser::~UsageParser() = default;

void UsageParser::begin_input() { csv_.reset(); }

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

LineOutcome UsageParser::parse(std::string_view line, size_t readable) {
  LineOutcome out;
  std::string_view s = trim(line);
  if (s.empty()) return out;
  // Saved SSE streams: keep the data, ignore the framing.
  if (s.front() == ':' || s.rfind("event:", 0) == 0 || s.rfind("id:", 0) == 0 || s.rfind("retry:", 0) == 0) return out;
  if (s.rfind("data:", 0) == 0) {
    s = trim(s.substr(5));
    if (s == "[DONE]" || s.empty()) return out;
  }
  if (s.size() >= 3 && static_cast<unsigned char>(s[0]) == 0xEF && static_cast<unsigned char>(s[1]) == 0xBB &&
      static_cast<unsigned char>(s[2]) == 0xBF) {
    s.remove_prefix(3);  // UTF-8 byte order mark
  }
  if (!s.empty() && s.front() == '{') {
    size_t offset = static_cast<size_t>(s.data() - line.data());
    return parse_json(s, readable - offset);
  }
  if (try_csv_header(s)) return out;
  if (csv_) return parse_csv_row(s);
  out.kind = LineOutcome::Kind::kSkip;
  out.reason = SkipReason::kUnrecognized;
  return out;
}

LineOutcome UsageParser::parse_json(std::string_view s, size_t readable) {
  LineOutcome out;
  out.kind = LineOutcome::Kind::kSkip;
  out.reason = SkipReason::kMalformedJson;

  od::document doc;
  if (json_->parser.iterate(s.data(), s.size(), readable).get(doc)) return out;
  od::object obj;
  if (doc.get_object().get(obj)) return out;

  bool has_usage = false, usage_ok = true, model_ok = true;
  wire::UsageFields raw;
  std::optional<std::string_view> model;
  std::optional<core::Timestamp> time;
  // A member named twice counts where it is first named, as the ledger's reader
  // (a DOM lookup) takes it.
  bool usage_named = false, model_named = false, time_named = false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return out;
    od::value v = field.value();
    bool& named = key == "usage" ? usage_named : key == "model" ? model_named : time_named;
    const bool counted = key == "usage" || key == "model" || key == "created" || key == "created_at" || key == "timestamp";
    if (counted && named) continue;
    if (counted) named = true;
    if (key == "usage") {
      od::json_type type;
      if (v.type().get(type)) return out;
      if (type == od::json_type::null) continue;
      od::object u;
      if (type != od::json_type::object || v.get_object().get(u)) {
        usage_ok = false;
        if (type != od::json_type::object) continue;
        return out;
      }
      has_usage = true;
      usage_ok = wire::collect_usage(u, raw);
      if (!usage_ok) {
        // Consume the rest so the document can still be checked for structure.
        continue;
      }
    } else if (key == "model") {
      std::string_view m;
      if (v.get_string().get(m)) {
        model_ok = false;
        continue;
      }
      model = m;
    } else if (key == "created" || key == "created_at" || key == "timestamp") {
      od::json_type type;
      if (v.type().get(type)) return out;
      if (type == od::json_type::number) {
        std::int64_t secs;
        if (!v.get_int64().get(secs)) time = core::unix_time_any_unit(secs);
      } else if (type == od::json_type::string) {
        std::string_view ts;
        if (!v.get_string().get(ts)) {
          auto parsed = core::parse_time(ts);
          if (parsed.ok()) time = *parsed;
        }
      }
    }
  }
  // Anything after the root object makes the line malformed ("{...} junk").
  if (!doc.current_location().error()) return out;
  if (!has_usage && usage_ok) {
    out.reason = SkipReason::kNoUsage;
    return out;
  }
  std::optional<core::TokenUsage> usage;
  if (usage_ok) {
    if (auto billed = wire::billed_usage(raw); billed.ok()) usage = *billed;
  }
  if (!usage) {
    out.reason = SkipReason::kInvalidUsage;
    return out;
  }
  if (!model || !model_ok || model->empty()) {
    out.reason = SkipReason::kNoModel;
    return out;
  }
  out.kind = LineOutcome::Kind::kRecord;
  out.record = UsageRecord{*model, time, *usage};
  return out;
}

namespace {

// Splits a CSV line into cells (RFC 4180 quoting; quotes are kept out of plain
// numeric and id cells, which is all the columns we read).
bool split_csv(std::string_view line, std::vector<std::string_view>& cells) {
  cells.clear();
  size_t i = 0;
  while (true) {
    if (i < line.size() && line[i] == '"') {
      size_t start = ++i;
      while (i < line.size() && !(line[i] == '"' && (i + 1 >= line.size() || line[i + 1] != '"'))) {
        i += line[i] == '"' ? 2 : 1;
      }
      if (i >= line.size()) return false;  // unterminated quote
      cells.push_back(line.substr(start, i - start));
      ++i;
      if (i < line.size() && line[i] != ',') return false;
    } else {
      size_t end = line.find(',', i);
      cells.push_back(trim(line.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i)));
      i = end == std::string_view::npos ? line.size() : end;
    }
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

std::string normalize_header(std::string_view cell) {
  std::string out;
  for (char c : trim(cell)) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ' || c == '-' || c == '.') c = '_';
    out.push_back(c);
  }
  return out;
}

bool parse_count_cell(std::string_view cell, std::int64_t& out) {
  cell = trim(cell);
  if (cell.empty() || cell.size() > 10) return false;
  std::int64_t v = 0;
  for (char c : cell) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > wire::kMaxTokensPerField) return false;
  out = v;
  return true;
}

}  // namespace

bool UsageParser::try_csv_header(std::string_view line) {
  if (!split_csv(line, cells_)) return false;
  CsvColumns c;
  c.count = static_cast<int>(cells_.size());
  for (int i = 0; i < c.count; ++i) {
    std::string h = normalize_header(cells_[i]);
    auto is = [&](std::initializer_list<const char*> names) {
      return std::any_of(names.begin(), names.end(), [&](const char* n) { return h == n; });
    };
    if (is({"time", "timestamp", "created", "created_at", "date", "datetime", "start_time"}))
      c.time = i;
    else if (is({"model", "model_id"}))
      c.model = i;
    else if (is({"cache_hit_tokens", "cache_hit", "hit", "hit_tokens", "prompt_cache_hit_tokens", "cached_tokens"}))
      c.hit = i;
    else if (is({"cache_miss_tokens", "cache_miss", "miss", "miss_tokens", "prompt_cache_miss_tokens"}))
      c.miss = i;
    else if (is({"output_tokens", "output", "completion_tokens"}))
      c.output = i;
    else if (is({"prompt_tokens", "input_tokens"}))
      c.prompt = i;
    else if (is({"reasoning_tokens"}))
      c.reasoning = i;
  }
  bool input_known = (c.hit >= 0 && c.miss >= 0) || c.prompt >= 0;
  if (c.model < 0 || c.output < 0 || !input_known) return false;
  csv_ = c;
  return true;
}

LineOutcome UsageParser::parse_csv_row(std::string_view line) {
  LineOutcome out;
  out.kind = LineOutcome::Kind::kSkip;
  out.reason = SkipReason::kMalformedCsv;
  const CsvColumns& c = *csv_;
  if (!split_csv(line, cells_) || static_cast<int>(cells_.size()) != c.count) return out;
  core::TokenUsage u;
  std::int64_t prompt = 0;
  if (!parse_count_cell(cells_[c.output], u.output)) return out;
  if (c.reasoning >= 0 && !cells_[c.reasoning].empty() && !parse_count_cell(cells_[c.reasoning], u.reasoning))
    return out;
  if (c.hit >= 0 && c.miss >= 0) {
    if (!parse_count_cell(cells_[c.hit], u.cache_hit) || !parse_count_cell(cells_[c.miss], u.cache_miss)) return out;
    if (c.prompt >= 0 && (!parse_count_cell(cells_[c.prompt], prompt) || prompt != u.prompt())) return out;
  } else {
    if (!parse_count_cell(cells_[c.prompt], prompt)) return out;
    if (c.hit >= 0 && !cells_[c.hit].empty() && !parse_count_cell(cells_[c.hit], u.cache_hit)) return out;
    if (u.cache_hit > prompt) return out;
    u.cache_miss = prompt - u.cache_hit;
  }
  std::string_view model = trim(cells_[c.model]);
  if (model.empty()) {
    out.reason = SkipReason::kNoModel;
    return out;
  }
  std::optional<core::Timestamp> time;
  if (c.time >= 0 && !trim(cells_[c.time]).empty()) {
    auto t = core::parse_time(trim(cells_[c.time]));
    if (!t.ok()) return out;
    time = *t;
  }
  out.kind = LineOutcome::Kind::kRecord;
  out.record = UsageRecord{model, time, u};
  return out;
}

}  // namespace ff::planner
