#include "gateway/body_edit.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <optional>

#include "core/text.h"

namespace ff::gateway {

namespace {

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view s, std::size_t i) {
  while (i < s.size() && space(s[i])) ++i;
  return i;
}

// Index just past the string that starts at s[i] == '"'.
std::size_t skip_string(std::string_view s, std::size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return s.size();
}

// Index just past the value that starts at s[i].
std::size_t skip_value(std::string_view s, std::size_t i) {
  if (i >= s.size()) return s.size();
  if (s[i] == '"') return skip_string(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    for (; i < s.size(); ++i) {
      const char c = s[i];
      if (c == '"') {
        i = skip_string(s, i) - 1;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
    }
    return s.size();
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !space(s[i])) ++i;
  return i;
}

// Whether the key s[start, end) (quotes included) names `key`. A key written
// with escapes ("mod\u0065l") is decoded first, as the JSON parsers that read
// the body after the gateway decode it.
bool key_is(std::string_view s, std::size_t start, std::size_t end, std::string_view key) {
  const std::string_view raw = s.substr(start, end - start);
  if (raw.find('\\') == std::string_view::npos) {
    return raw.size() == key.size() + 2 && raw.substr(1, key.size()) == key;
  }
  thread_local simdjson::dom::parser parser;
  std::string_view decoded;
  if (parser.parse(simdjson::padded_string(raw)).get_string().get(decoded)) return false;
  return decoded == key;
}

}  // namespace

std::optional<std::string> repeated_member(const simdjson::dom::element& root) {
  simdjson::dom::object top;
  if (root.get(top)) return std::nullopt;
  // A request has a handful of members: compared pairwise; a body with many is sorted.
  if (top.size() <= 32) {
    for (auto a = top.begin(); a != top.end(); ++a) {
      auto b = a;
      for (++b; b != top.end(); ++b) {
        if (a.key() == b.key()) return std::string(a.key());
      }
    }
    return std::nullopt;
  }
  std::vector<std::string_view> keys;
  for (auto [key, value] : top) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  const auto twice = std::adjacent_find(keys.begin(), keys.end());
  if (twice == keys.end()) return std::nullopt;
  return std::string(*twice);
}

std::optional<Span> find_member(std::string_view s, std::string_view key) { return BodyEdits(s).find(key); }

std::vector<Span> array_elements(std::string_view s) {
  std::vector<Span> out;
  std::size_t i = skip_space(s, 0);
  if (i >= s.size() || s[i] != '[') return out;
  i = skip_space(s, i + 1);
  while (i < s.size() && s[i] != ']') {
    const std::size_t end = skip_value(s, i);
    out.push_back({i, end - i});
    i = skip_space(s, end);
    if (i < s.size() && s[i] == ',') i = skip_space(s, i + 1);
  }
  return out;
}

std::string set_member(std::string_view s, std::string_view key, std::string_view json_value) {
  if (auto span = find_member(s, key)) {
    std::string out;
    out.reserve(s.size() + json_value.size());
    out.append(s.substr(0, span->offset)).append(json_value).append(s.substr(span->offset + span->length));
    return out;
  }
  return add_member(s, key, json_value);
}

std::string add_member(std::string_view s, std::string_view key, std::string_view json_value) {
  std::string out;
  // Added before the closing brace of the top-level object.
  std::size_t close = s.find_last_of('}');
  if (close == std::string_view::npos) return std::string(s);
  std::size_t before = close;
  while (before > 0 && space(s[before - 1])) --before;
  const bool empty = before > 0 && s[before - 1] == '{';
  out.reserve(s.size() + key.size() + json_value.size() + 4);
  out.append(s.substr(0, before));
  if (!empty) out.push_back(',');
  out.push_back('"');
  out.append(key).append("\":").append(json_value);
  out.append(s.substr(before));
  return out;
}

std::optional<Span> BodyEdits::find(std::string_view key) {
  for (const Member& m : members_) {
    if (key_is(body_, m.key.offset, m.key.offset + m.key.length, key)) return m.value;
  }
  // Read on from where the last lookup stopped, up to `key`.
  const std::string_view s = body_;
  std::size_t i = scanned_;
  if (!scan_done_ && i == 0) {
    i = skip_space(s, 0);
    if (i >= s.size() || s[i] != '{') scan_done_ = true;
    i = skip_space(s, i + 1);
  }
  while (!scan_done_) {
    if (i >= s.size() || s[i] != '"') {
      scan_done_ = true;
      break;
    }
    const std::size_t key_end = skip_string(s, i);
    const Span key_span{i, key_end - i};
    i = skip_space(s, key_end);
    if (i >= s.size() || s[i] != ':') {
      scan_done_ = true;
      break;
    }
    i = skip_space(s, i + 1);
    const std::size_t value_end = skip_value(s, i);
    members_.push_back({key_span, Span{i, value_end - i}});
    i = skip_space(s, value_end);
    if (i < s.size() && s[i] == ',') i = skip_space(s, i + 1);
    scanned_ = i;
    if (key_is(s, key_span.offset, key_span.offset + key_span.length, key)) return members_.back().value;
  }
  return std::nullopt;
}

void BodyEdits::add(std::string_view key, std::string json_value) {
  added_.emplace_back(std::string(key), std::move(json_value));
}

void BodyEdits::set(std::string_view key, std::string json_value) {
  if (auto span = find(key)) {
    replace(*span, std::move(json_value));
    return;
  }
  for (auto& [k, v] : added_) {
    if (k == key) {
      v = std::move(json_value);
      return;
    }
  }
  added_.emplace_back(std::string(key), std::move(json_value));
}

void BodyEdits::replace(Span span, std::string text) {
  for (auto& [at, t] : replaced_) {
    if (at.offset == span.offset && at.length == span.length) {
      t = std::move(text);
      return;
    }
  }
  // Kept in body order, for apply(): an edit of each of a few members at most.
  auto at =
      std::find_if(replaced_.begin(), replaced_.end(), [&](const auto& r) { return r.first.offset > span.offset; });
  replaced_.emplace(at, span, std::move(text));
}

std::string BodyEdits::apply() const {
  if (replaced_.empty() && added_.empty()) return std::string(body_);
  std::size_t size = body_.size();
  for (const auto& r : replaced_) size += r.second.size();
  for (const auto& [k, v] : added_) size += k.size() + v.size() + 4;
  // Members are added before the top-level object's closing brace.
  std::size_t close = body_.find_last_of('}');
  if (close == std::string_view::npos) close = body_.size();
  std::size_t before = close;
  while (before > 0 && space(body_[before - 1])) --before;
  std::string out;
  out.reserve(size);
  std::size_t copied = 0;
  for (const auto& [span, text] : replaced_) {
    out.append(body_.substr(copied, span.offset - copied)).append(text);
    copied = span.offset + span.length;
  }
  if (added_.empty() || close == body_.size()) {
    out.append(body_.substr(copied));
    return out;
  }
  out.append(body_.substr(copied, before - copied));
  bool first = before > 0 && body_[before - 1] == '{';  // an object with no members yet
  for (const auto& [k, v] : added_) {
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    out.append(k).append("\":").append(v);
  }
  out.append(body_.substr(before));
  return out;
}

void put_member(BodyEdits& edits, const simdjson::dom::element& root, std::string_view key, std::string json_value) {
  simdjson::dom::element present;
  if (root[key].get(present)) {
    edits.add(key, std::move(json_value));
  } else {
    edits.set(key, std::move(json_value));
  }
}

std::string apply_effort(BodyEdits& edits, const simdjson::dom::element& root, wire::Protocol protocol,
                         std::string_view policy_effort) {
  const bool anthropic = protocol == wire::Protocol::kAnthropic, responses = protocol == wire::Protocol::kResponses;
  // One pass over the top-level members (a lookup by name would scan them per name).
  simdjson::dom::object top;
  if (root.get(top)) return std::string(policy_effort);
  const std::string_view effort_field = anthropic ? "output_config" : responses ? "reasoning" : "reasoning_effort";
  bool client_set = false, disabled = false, named_null = false;
  std::optional<std::string_view> effort;
  for (auto [key, value] : top) {
    if (key != "thinking" && key != effort_field) continue;
    if (value.is_null()) {  // as good as absent
      named_null = true;
      continue;
    }
    client_set = true;
    std::string_view v;
    if (key == "thinking") {
      disabled = disabled || (!value["type"].get_string().get(v) && v == "disabled");
    } else if (anthropic || responses ? !value["effort"].get_string().get(v) : !value.get_string().get(v)) {
      effort = v;
    }
  }
  if (disabled) return "none";
  if (effort) return std::string(*effort);
  if (client_set) return "high";
  if (policy_effort.empty()) return "";
  // Neither member is there: added without a lookup (a null one is replaced).
  auto put = [&](std::string_view key, std::string value) {
    if (named_null) {
      edits.set(key, std::move(value));
    } else {
      edits.add(key, std::move(value));
    }
  };
  // The effort between `before` and `after`: it is one of the policy's checked
  // names, with nothing in it to escape.
  auto with_effort = [&](std::string_view before, std::string_view after) {
    std::string value;
    core::append_parts(value, before, policy_effort, after);
    return value;
  };
  if (responses) {
    put("reasoning", with_effort(R"({"effort":")", R"("})"));
  } else if (policy_effort == "none") {
    put("thinking", R"({"type":"disabled"})");
  } else if (anthropic) {
    put("output_config", with_effort(R"({"effort":")", R"("})"));
  } else {
    put("reasoning_effort", with_effort("\"", "\""));
  }
  return std::string(policy_effort);
}

bool apply_user_id(BodyEdits& edits, const simdjson::dom::element& root, wire::Protocol protocol,
                   std::string_view user_id) {
  if (user_id.empty()) return false;
  const std::string value = fmt::format(R"("{}")", user_id);
  if (protocol != wire::Protocol::kAnthropic) {
    simdjson::dom::element own;
    if (!root["user_id"].get(own) && !own.is_null()) return false;
    put_member(edits, root, "user_id", value);
    return true;
  }
  simdjson::dom::element metadata;
  if (root["metadata"].get(metadata) || metadata.is_null()) {
    put_member(edits, root, "metadata", fmt::format(R"({{"user_id":{}}})", value));
    return true;
  }
  simdjson::dom::element own;
  if (metadata.type() != simdjson::dom::element_type::OBJECT || (!metadata["user_id"].get(own) && !own.is_null())) {
    return false;  // not an object (the API's 400 to give), or the client's own user
  }
  const auto span = edits.find("metadata");
  if (!span) return false;
  edits.replace(*span, set_member(edits.body().substr(span->offset, span->length), "user_id", value));
  return true;
}

}  // namespace ff::gateway
