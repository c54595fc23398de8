#include "eval/suite.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

#include <fmt/format.h>
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include "core/config_file.h"
#include "core/json_writer.h"
#include "core/text.h"

namespace ff::eval {

namespace dom = simdjson::dom;

const std::vector<std::string_view>& assertion_types() {
  static const std::vector<std::string_view> kTypes = {
      "equals", "contains",    "icontains",     "contains-any", "contains-all",
      "regex",  "starts-with", "is-json",       "contains-json", "is-valid-openai-tools-call",
      "finish-reason", "cost", "latency",       "python",       "llm-rubric"};
  return kTypes;
}

namespace {

core::Error at(std::string_view source, std::string_view what) {
  return core::make_error(fmt::format("{}: {}", source, what));
}

bool negatable(std::string_view type) { return type != "cost" && type != "latency" && type != "llm-rubric"; }

// One assertion from its JSON form.
core::Result<Assertion> parse_assertion(const dom::element& e, const std::string& source) {
  dom::object o;
  if (e.get_object().get(o)) return at(source, "an assertion must be an object {type, value, ...}");
  Assertion a;
  a.source = source;
  bool has_type = false;
  for (auto [key, v] : o) {
    if (key == "type") {
      std::string_view t;
      if (v.get_string().get(t)) return at(source, "assertion `type` must be a string");
      a.type = std::string(t);
      has_type = true;
    } else if (key == "value") {
      a.has_value = true;
      if (v.is_string()) {
        a.value = std::string(v.get_string().value());
      } else if (v.is_array()) {
        const dom::array items = v.get_array().value();
        for (dom::element x : items) {
          if (x.is_string()) {
            a.values.emplace_back(x.get_string().value());
          } else {
            a.values.push_back(simdjson::to_string(x));
          }
        }
        a.value = simdjson::to_string(v);
      } else {
        a.value = simdjson::to_string(v);  // a number, a bool or a schema object, as JSON text
      }
    } else if (key == "threshold" || key == "weight") {
      double d = 0;
      if (v.get_double().get(d) || !std::isfinite(d)) {
        return at(source, fmt::format("assertion `{}` must be a number", key));
      }
      if (key == "threshold") {
        a.threshold = d;
      } else {
        if (d < 0) return at(source, "assertion `weight` must be 0 or more");
        a.weight = d;
      }
    } else if (key == "metric") {
      std::string_view m;
      if (v.get_string().get(m)) return at(source, "assertion `metric` must be a string");
      a.metric = std::string(m);
    } else {
      return at(source, fmt::format("unknown assertion field `{}` (type, value, threshold, weight, metric)", key));
    }
  }
  if (!has_type) return at(source, "an assertion needs a `type`");
  if (a.type.rfind("not-", 0) == 0) {
    a.negate = true;
    a.type.erase(0, 4);
  }
  const auto& types = assertion_types();
  if (std::find(types.begin(), types.end(), a.type) == types.end()) {
    std::string list;
    for (std::string_view t : types) list += (list.empty() ? "" : ", ") + std::string(t);
    return at(source, fmt::format("unknown assertion type `{}{}` (known: {}; not- inverts most)", a.negate ? "not-" : "",
                                  a.type, list));
  }
  if (a.negate && !negatable(a.type)) return at(source, fmt::format("`not-{}` is not a check (use a threshold)", a.type));
  const bool needs_value = a.type != "is-json" && a.type != "contains-json" && a.type != "is-valid-openai-tools-call" &&
                           !((a.type == "cost" || a.type == "latency") && a.threshold);
  if (needs_value && !a.has_value) return at(source, fmt::format("a `{}` assertion needs a `value`", a.type));
  if ((a.type == "contains-any" || a.type == "contains-all") && a.values.empty()) {
    return at(source, fmt::format("`{}` needs a list of strings as its value", a.type));
  }
  if (a.type == "regex") {
    try {
      std::regex check(a.value);
    } catch (const std::regex_error& e) {
      return at(source, fmt::format("`regex` {} is not a regular expression: {}", a.value, e.what()));
    }
  }
  if (a.type == "cost" || a.type == "latency") {
    double limit = 0;
    dom::parser p;
    dom::element n;
    if (a.has_value && (p.parse(a.value).get(n) || n.get_double().get(limit) || limit < 0)) {
      return at(source, fmt::format("`{}` takes a number, the limit (in its value or threshold)", a.type));
    }
    if (!a.threshold) a.threshold = limit;
  }
  if ((a.type == "is-json" || a.type == "contains-json") && a.has_value) {
    dom::parser p;
    dom::element schema;
    if (p.parse(a.value).get(schema) || !schema.is_object()) {
      return at(source, fmt::format("`{}` takes a JSON schema (an object) as its value", a.type));
    }
  }
  return a;
}

// The last user message's text of a request (for python and llm-rubric).
std::string last_user_text(const dom::element& request) {
  std::string text;
  dom::array messages;
  if (request["messages"].get_array().get(messages)) return text;
  for (dom::element m : messages) {
    std::string_view role, content;
    if (m["role"].get_string().get(role) || role != "user") continue;
    if (!m["content"].get_string().get(content)) text = std::string(content);
  }
  return text;
}

core::Status read_metadata(const dom::element& meta, Case& c, const std::string& source) {
  dom::object o;
  if (meta.get_object().get(o)) return at(source, "`metadata` must be an object");
  for (auto [key, v] : o) {
    std::string_view s;
    if (key == "category" || key == "expected_answer") {
      if (v.get_string().get(s)) return at(source, fmt::format("metadata.{} must be a string", key));
      (key == "category" ? c.category : c.expected_answer) = std::string(s);
    }
    // Other metadata is the suite's own business (promptfoo allows any).
  }
  return core::Status::Ok();
}

core::Result<Suite> parse_jsonl(const std::string& path, std::string_view text) {
  Suite suite;
  suite.path = path;
  dom::parser parser;
  core::Status read = core::each_nonblank_line(text, [&](std::int64_t line_no, std::string_view line) -> core::Status {
    const std::string source = fmt::format("{}:{}", path, line_no);
    dom::element root;
    if (auto err = parser.parse(line.data(), line.size()).get(root)) {
      return at(source, fmt::format("not valid JSON: {}", simdjson::error_message(err)));
    }
    dom::object o;
    if (root.get_object().get(o)) return at(source, "a case must be a JSON object");
    Case c;
    c.source = source;
    c.id = fmt::format("line {}", line_no);
    bool has_request = false;
    for (auto [key, v] : o) {
      if (key == "id") {
        c.id = v.is_string() ? std::string(v.get_string().value()) : simdjson::to_string(v);
      } else if (key == "description") {
        std::string_view s;
        if (v.get_string().get(s)) return at(source, "`description` must be a string");
        c.description = std::string(s);
      } else if (key == "request") {
        dom::array messages;
        if (!v.is_object() || v["messages"].get_array().get(messages)) {
          return at(source, "`request` must be a chat request object with a `messages` array");
        }
        dom::element m;
        if (v["model"].get(m) == simdjson::SUCCESS) {
          return at(source, "leave `model` out of the request: eval asks each model in turn");
        }
        if (v["metadata"].get(m) == simdjson::SUCCESS) {
          return at(source, "put `metadata` beside the request, not in it (it goes to the simulator only)");
        }
        c.request = simdjson::to_string(v);
        c.prompt_text = last_user_text(v);
        has_request = true;
      } else if (key == "assert") {
        dom::array list;
        if (v.get_array().get(list)) return at(source, "`assert` must be a list of assertions");
        for (dom::element e : list) {
          auto a = parse_assertion(e, source);
          if (!a.ok()) return a.error();
          c.asserts.push_back(std::move(*a));
        }
      } else if (key == "metadata") {
        if (core::Status s = read_metadata(v, c, source); !s.ok()) return core::make_error(s.message());
      } else {
        return at(source, fmt::format("unknown field `{}` (a case has id, description, request, assert, metadata)", key));
      }
    }
    if (!has_request) return at(source, "a case needs a `request`");
    suite.cases.push_back(std::move(c));
    return core::Status::Ok();
  });
  if (!read.ok()) return core::make_error(read.message());
  return suite;
}

// ---------------------------------------------------------------- YAML

std::string yaml_source(const std::string& path, const YAML::Node& n) {
  return fmt::format("{}:{}", path, n.Mark().line + 1);
}

// A YAML node as JSON text: quoted scalars are strings; plain ones are null,
// booleans or numbers when they read as such, strings otherwise.
void to_json(const YAML::Node& n, core::JsonWriter& w) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      w.begin_object();
      for (const auto& kv : n) {
        w.key(kv.first.as<std::string>());
        to_json(kv.second, w);
      }
      w.end_object();
      return;
    case YAML::NodeType::Sequence:
      w.begin_array();
      for (const auto& x : n) to_json(x, w);
      w.end_array();
      return;
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      w.null();
      return;
    case YAML::NodeType::Scalar:
      break;
  }
  const std::string& s = n.Scalar();
  if (n.Tag() != "!") {
    if (s == "true" || s == "True") {
      w.value(true);
      return;
    }
    if (s == "false" || s == "False") {
      w.value(false);
      return;
    }
    if (s == "null" || s == "~") {
      w.null();
      return;
    }
    dom::parser p;
    dom::element e;
    if (!s.empty() && !p.parse(s).get(e) && e.is_number()) {
      w.number_text(s);
      return;
    }
  }
  w.value(s);
}

std::string json_of(const YAML::Node& n) {
  core::JsonWriter w(true);
  to_json(n, w);
  return w.str();
}

// {{ name }} placeholders replaced by the variables' text.
core::Result<std::string> render(const std::string& prompt, const std::map<std::string, std::string>& vars,
                                 const std::string& source) {
  std::string out;
  std::size_t i = 0;
  while (i < prompt.size()) {
    const std::size_t open = prompt.find("{{", i);
    if (open == std::string::npos) {
      out.append(prompt, i, std::string::npos);
      break;
    }
    const std::size_t close = prompt.find("}}", open + 2);
    if (close == std::string::npos) return at(source, "a prompt has `{{` without `}}`");
    out.append(prompt, i, open - i);
    std::string name = prompt.substr(open + 2, close - open - 2);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    auto v = vars.find(name);
    if (v == vars.end()) {
      return at(source, fmt::format("the prompt uses {{{{{}}}}}, which this test's vars do not set", name));
    }
    out += v->second;
    i = close + 2;
  }
  return out;
}

// The chat request for a rendered prompt: a JSON array of messages as they are,
// anything else as one user message.
std::string request_for(const std::string& prompt) {
  dom::parser p;
  dom::element e;
  if (!prompt.empty() && prompt.front() == '[' && !p.parse(prompt).get(e) && e.is_array()) {
    return "{\"messages\":" + simdjson::to_string(e) + "}";
  }
  core::JsonWriter w(true);
  w.begin_object().key("messages").begin_array().begin_object().key("role").value("user");
  w.key("content").value(prompt).end_object().end_array().end_object();
  return w.str();
}

core::Status check_keys(const YAML::Node& map, std::initializer_list<std::string_view> known, const std::string& path,
                        std::string_view what) {
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return at(yaml_source(path, kv.first), fmt::format("unknown field `{}` in {} (known: {})", key, what, list));
    }
  }
  return core::Status::Ok();
}

core::Result<std::vector<Assertion>> yaml_asserts(const YAML::Node& list, const std::string& path) {
  std::vector<Assertion> out;
  if (!list) return out;
  if (!list.IsSequence()) return at(yaml_source(path, list), "`assert` must be a list");
  for (const YAML::Node& item : list) {
    const std::string json = json_of(item);
    dom::parser p;
    dom::element e;
    if (p.parse(json).get(e)) return at(yaml_source(path, item), "an assertion that cannot be read");
    auto a = parse_assertion(e, yaml_source(path, item));
    if (!a.ok()) return a.error();
    a->line = item.Mark().line + 1;
    out.push_back(std::move(*a));
  }
  return out;
}

core::Status yaml_vars(const YAML::Node& vars, std::map<std::string, std::string>& out, const std::string& path) {
  if (!vars) return core::Status::Ok();
  if (!vars.IsMap()) return at(yaml_source(path, vars), "`vars` must be a map of names to values");
  for (const auto& kv : vars) {
    const YAML::Node& v = kv.second;
    out[kv.first.as<std::string>()] = v.IsScalar() ? v.Scalar() : json_of(v);
  }
  return core::Status::Ok();
}

core::Status yaml_metadata(const YAML::Node& meta, Case& c, const std::string& path) {
  if (!meta) return core::Status::Ok();
  dom::parser p;
  dom::element e;
  if (p.parse(json_of(meta)).get(e)) return at(yaml_source(path, meta), "`metadata` cannot be read");
  return read_metadata(e, c, yaml_source(path, meta));
}

core::Result<Suite> parse_yaml(const std::string& path, std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return core::make_error(fmt::format("{}:{}: not valid YAML: {}", path, e.mark.line + 1, e.msg));
  }
  if (!root.IsMap()) return core::make_error(fmt::format("{}: a suite is a map with `prompts` and `tests`", path));
  try {
    if (auto s = check_keys(root, {"description", "prompts", "providers", "tests", "defaultTest"}, path, "the suite");
        !s.ok()) {
      return core::make_error(s.message());
    }
    Suite suite;
    suite.path = path;
    if (root["description"]) suite.description = root["description"].as<std::string>();
    std::vector<std::string> prompts;
    const YAML::Node pn = root["prompts"];
    if (!pn) return core::make_error(fmt::format("{}: a suite needs `prompts`", path));
    if (pn.IsScalar()) {
      prompts.push_back(pn.Scalar());
    } else if (pn.IsSequence()) {
      for (const YAML::Node& p : pn) {
        if (!p.IsScalar()) return at(yaml_source(path, p), "a prompt must be a string (file:// prompts are not read)");
        prompts.push_back(p.Scalar());
      }
    } else {
      return at(yaml_source(path, pn), "`prompts` must be a string or a list of strings");
    }
    for (const std::string& p : prompts) {
      if (p.rfind("file://", 0) == 0) return at(yaml_source(path, pn), "file:// prompts are not read: write the prompt inline");
    }
    // defaultTest: its vars, asserts and metadata go into every test.
    std::map<std::string, std::string> default_vars;
    std::vector<Assertion> default_asserts;
    Case default_meta;
    if (const YAML::Node d = root["defaultTest"]) {
      if (auto s = check_keys(d, {"vars", "assert", "metadata", "description"}, path, "defaultTest"); !s.ok()) {
        return core::make_error(s.message());
      }
      if (auto s = yaml_vars(d["vars"], default_vars, path); !s.ok()) return core::make_error(s.message());
      auto a = yaml_asserts(d["assert"], path);
      if (!a.ok()) return a.error();
      default_asserts = std::move(*a);
      if (auto s = yaml_metadata(d["metadata"], default_meta, path); !s.ok()) return core::make_error(s.message());
    }
    const YAML::Node tests = root["tests"];
    if (!tests || !tests.IsSequence()) return core::make_error(fmt::format("{}: a suite needs a `tests` list", path));
    int n = 0;
    for (const YAML::Node& t : tests) {
      ++n;
      if (!t.IsMap()) return at(yaml_source(path, t), "a test must be a map (vars, assert, description, metadata)");
      if (auto s = check_keys(t, {"vars", "assert", "description", "metadata"}, path, "a test"); !s.ok()) {
        return core::make_error(s.message());
      }
      std::map<std::string, std::string> vars = default_vars;
      if (auto s = yaml_vars(t["vars"], vars, path); !s.ok()) return core::make_error(s.message());
      auto asserts = yaml_asserts(t["assert"], path);
      if (!asserts.ok()) return asserts.error();
      Case base;
      base.category = default_meta.category;
      base.expected_answer = default_meta.expected_answer;
      if (auto s = yaml_metadata(t["metadata"], base, path); !s.ok()) return core::make_error(s.message());
      base.source = yaml_source(path, t);
      if (t["description"]) base.description = t["description"].as<std::string>();
      base.asserts = default_asserts;
      base.asserts.insert(base.asserts.end(), asserts->begin(), asserts->end());
      core::JsonWriter vj(true);
      vj.begin_object();
      for (const auto& [name, value] : vars) vj.key(name).value(value);
      vj.end_object();
      base.vars_json = vj.str();
      for (std::size_t k = 0; k < prompts.size(); ++k) {
        Case c = base;
        auto text = render(prompts[k], vars, base.source);
        if (!text.ok()) return text.error();
        c.request = request_for(*text);
        dom::parser p;
        dom::element req;
        if (!p.parse(c.request).get(req)) c.prompt_text = last_user_text(req);
        c.id = fmt::format("test {}", n);
        if (prompts.size() > 1) c.id += fmt::format(" / prompt {}", k + 1);
        suite.cases.push_back(std::move(c));
      }
    }
    return suite;
  } catch (const YAML::Exception& e) {
    return core::make_error(fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg));
  }
}

}  // namespace

core::Result<Suite> parse_suite(const std::string& path, std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return core::make_error(fmt::format("{}: the suite is empty", path));
  auto suite = text[first] == '{' ? parse_jsonl(path, text) : parse_yaml(path, text);
  if (suite.ok() && suite->cases.empty()) return core::make_error(fmt::format("{}: the suite has no cases", path));
  return suite;
}

core::Result<Suite> load_suite(const std::string& path) {
  auto text = core::read_text_file(path);
  if (!text.ok()) return text.error();
  return parse_suite(path, *text);
}

}  // namespace ff::eval
