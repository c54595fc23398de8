#include "router/outcome_data.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <simdjson.h>

#include "core/json_writer.h"
#include "core/text.h"

namespace ff::router {

namespace dom = simdjson::dom;

std::string user_request(const std::string& prompt) {
  core::JsonWriter w(true);
  w.begin_object().key("messages").begin_array().begin_object();
  w.key("role").value("user").key("content").value(prompt);
  w.end_object().end_array().end_object();
  return w.str();
}

namespace {

core::Error at(const std::string& path, std::int64_t line, std::string_view what) {
  return core::make_error(fmt::format("{}:{}: {}", path, line, what));
}

// A 0..1 score from a boolean or a number field; `found` false when absent.
core::Status score_field(const dom::element& root, const char* name, double& out, bool& found) {
  dom::element v;
  found = root[name].get(v) == simdjson::SUCCESS;
  if (!found) return core::Status::Ok();
  if (v.is_bool()) {
    out = v.get_bool().value() ? 1 : 0;
  } else if (v.is_number()) {
    out = v.get_double().value();
    if (!(out >= 0 && out <= 1)) return core::make_error(fmt::format("field `{}` must be from 0 to 1", name));
  } else {
    return core::make_error(fmt::format("field `{}` must be a boolean or a number from 0 to 1", name));
  }
  return core::Status::Ok();
}

// RFC 4180 records: fields split by commas, quoted fields may hold commas,
// newlines and doubled quotes. f(line the record starts on, fields).
template <typename F>
core::Status each_csv_record(const std::string& path, std::string_view text, F&& f) {
  std::vector<std::string> fields(1);
  std::int64_t line = 1, record_line = 1;
  bool quoted = false, field_started = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          fields.back().push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        fields.back().push_back(c);
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      fields.emplace_back();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (!(fields.size() == 1 && fields[0].empty() && !field_started)) {
        if (core::Status s = f(record_line, fields); !s.ok()) return s;
      }
      fields.assign(1, std::string());
      field_started = false;
      record_line = ++line;
    } else {
      fields.back().push_back(c);
      field_started = true;
    }
  }
  if (quoted) return at(path, record_line, "a quoted field is never closed");
  if (!(fields.size() == 1 && fields[0].empty())) return f(record_line, fields);
  return core::Status::Ok();
}

}  // namespace

core::Result<std::vector<OutcomeRecord>> read_outcomes_jsonl(const std::string& path, const std::string& text) {
  std::vector<OutcomeRecord> out;
  dom::parser parser;
  core::Status s = core::each_nonblank_line(text, [&](std::int64_t number, std::string_view line) -> core::Status {
    dom::element root;
    if (auto err = parser.parse(line.data(), line.size()).get(root)) {
      return at(path, number, fmt::format("not valid JSON: {}", simdjson::error_message(err)));
    }
    if (root.type() != dom::element_type::OBJECT) return at(path, number, "a line must be a JSON object");
    OutcomeRecord r;
    const dom::object fields = root.get_object().value();
    for (auto [key, value] : fields) {
      static constexpr std::string_view kKnown[] = {"id",       "request",     "category", "flash_ok",
                                                    "pro_ok",   "flash_score", "pro_score"};
      if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown)) {
        return at(path, number,
                  fmt::format("unknown field `{}` (an outcome line has id, request, category, flash_ok, pro_ok, "
                              "flash_score, pro_score)",
                              key));
      }
      (void)value;
    }
    dom::element v;
    if (root["id"].get(v) == simdjson::SUCCESS) {
      r.id = v.is_string() ? std::string(v.get_string().value()) : simdjson::to_string(v);
    } else {
      r.id = fmt::format("line {}", number);
    }
    if (root["request"].get(v) != simdjson::SUCCESS || !v.is_object()) {
      return at(path, number, "field `request` must be a chat request object");
    }
    r.body = simdjson::to_string(v);
    if (root["category"].get(v) == simdjson::SUCCESS) {
      if (!v.is_string()) return at(path, number, "field `category` must be a string");
      r.category = std::string(v.get_string().value());
    }
    for (const bool flash : {true, false}) {
      double ok = 0, score = 0;
      bool has_ok = false, has_score = false;
      if (core::Status e = score_field(root, flash ? "flash_ok" : "pro_ok", ok, has_ok); !e.ok()) {
        return at(path, number, e.message());
      }
      if (core::Status e = score_field(root, flash ? "flash_score" : "pro_score", score, has_score); !e.ok()) {
        return at(path, number, e.message());
      }
      if (!has_ok && !has_score) {
        return at(path, number, fmt::format("needs `{0}_ok` or `{0}_score`", flash ? "flash" : "pro"));
      }
      (flash ? r.flash : r.pro) = has_score ? score : ok;
    }
    out.push_back(std::move(r));
    return core::Status::Ok();
  });
  if (!s.ok()) return core::make_error(s.message());
  return out;
}

core::Result<std::vector<OutcomeRecord>> read_routellm_csv(const std::string& path, const std::string& text) {
  std::vector<OutcomeRecord> out;
  bool header = true;
  core::Status s = each_csv_record(path, text, [&](std::int64_t line, const std::vector<std::string>& f) -> core::Status {
    if (f.size() < 3) return at(path, line, "a row needs at least 3 fields: prompt, weak model, strong model");
    if (header) {
      header = false;
      if (f[0] != "prompt") return at(path, line, "the header's first column must be `prompt`");
      return core::Status::Ok();
    }
    auto correct = [](const std::string& v) -> int { return v == "True" || v == "true" ? 1 : v == "False" || v == "false" ? 0 : -1; };
    const int weak = correct(f[1]), strong = correct(f[2]);
    if (weak < 0 || strong < 0) return at(path, line, "the weak and strong columns must be True or False");
    out.push_back({fmt::format("{}:{}", path, line), user_request(f[0]), "", static_cast<double>(weak),
                   static_cast<double>(strong)});
    return core::Status::Ok();
  });
  if (!s.ok()) return core::make_error(s.message());
  if (header) return core::make_error(fmt::format("{}: empty file", path));
  return out;
}

core::Result<std::vector<OutcomeRecord>> read_mt_bench(const std::vector<std::pair<std::string, std::string>>& files,
                                                       const std::string& weak_model, const std::string& strong_model) {
  std::map<std::int64_t, std::string> first_turn;
  std::map<std::int64_t, std::string> category;
  struct Scores {
    double weak = 0, strong = 0;
    int weak_n = 0, strong_n = 0;
  };
  std::map<std::int64_t, Scores> scores;
  dom::parser parser;
  for (const auto& file : files) {
    const std::string& path = file.first;
    core::Status s = core::each_nonblank_line(file.second, [&](std::int64_t number, std::string_view line) -> core::Status {
      dom::element root;
      if (parser.parse(line.data(), line.size()).get(root) || !root.is_object()) {
        return at(path, number, "not a JSON object");
      }
      std::int64_t id = 0;
      if (root["question_id"].get_int64().get(id)) return at(path, number, "needs an integer `question_id`");
      dom::array turns;
      if (root["turns"].get_array().get(turns) == simdjson::SUCCESS) {
        std::string_view t;
        if (turns.size() == 0 || turns.at(0).get_string().get(t)) {
          return at(path, number, "`turns` must be a non-empty array of strings");
        }
        first_turn[id] = std::string(t);
        std::string_view c;
        if (root["category"].get_string().get(c) == simdjson::SUCCESS) category[id] = std::string(c);
        return core::Status::Ok();
      }
      std::string_view model;
      double score = 0;
      if (root["model"].get_string().get(model) || root["score"].get_double().get(score)) {
        return at(path, number, "a judgement needs `model` and a numeric `score` (a question needs `turns`)");
      }
      if (score < 1 || score > 10) {
        if (score == -1) return core::Status::Ok();  // the judge gave no rating
        return at(path, number, "`score` must be from 1 to 10");
      }
      Scores& sc = scores[id];
      if (model == weak_model) {
        sc.weak += score / 10;
        ++sc.weak_n;
      } else if (model == strong_model) {
        sc.strong += score / 10;
        ++sc.strong_n;
      }
      return core::Status::Ok();
    });
    if (!s.ok()) return core::make_error(s.message());
  }
  if (first_turn.empty()) return core::make_error("mt-bench: no questions (a file of {\"question_id\", \"turns\"} lines)");
  std::vector<OutcomeRecord> out;
  for (const auto& [id, sc] : scores) {
    if (sc.weak_n == 0 || sc.strong_n == 0) continue;
    auto q = first_turn.find(id);
    if (q == first_turn.end()) return core::make_error(fmt::format("mt-bench: question {} is judged but not in the questions file", id));
    out.push_back({fmt::format("question {}", id), user_request(q->second), category[id], sc.weak / sc.weak_n,
                   sc.strong / sc.strong_n});
  }
  if (out.empty()) {
    return core::make_error(
        fmt::format("mt-bench: no question has judgements of both `{}` and `{}`", weak_model, strong_model));
  }
  return out;
}

}  // namespace ff::router
