#include "eval/assertions.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <regex>

#include <fmt/format.h>
#include <simdjson.h>

#include "cascade/check.h"
#include "core/json_writer.h"

namespace ff::eval {

namespace dom = simdjson::dom;

namespace {

std::string lower(std::string s) {
  for (char& ch : s) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
  }
  return s;
}

std::string shown(std::string_view s) {
  std::string q(s.substr(0, 60));
  if (s.size() > 60) q += "…";
  return "'" + q + "'";
}

Verdict yes() { return {true, 1, ""}; }
Verdict no(std::string why) { return {false, 0, std::move(why)}; }

// The first JSON object or array inside `text` that parses, as JSON text.
std::optional<std::string> embedded_json(const std::string& text) {
  dom::parser p;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{' && text[i] != '[') continue;
    const char open = text[i], close = open == '{' ? '}' : ']';
    // Each candidate end, from the last one back: the longest document first.
    for (std::size_t j = text.rfind(close); j != std::string::npos && j > i; j = text.rfind(close, j - 1)) {
      dom::element e;
      if (!p.parse(text.substr(i, j - i + 1)).get(e)) return simdjson::to_string(e);
      if (j == 0) break;
    }
  }
  return std::nullopt;
}

Verdict json_check(const Assertion& a, const std::optional<std::string>& json, std::string_view what) {
  if (!json) return no(fmt::format("{}: no JSON", what));
  if (a.has_value) {
    if (auto why = cascade::check_schema(a.value, *json)) return no(fmt::format("{}: {}", what, *why));
  }
  return yes();
}

Verdict tools_call(const Answer& answer, const Case& c) {
  if (answer.tool_calls_json.empty()) return no("no tool call");
  dom::parser rp, ap;
  dom::element request, calls;
  if (rp.parse(c.request).get(request) || ap.parse(answer.tool_calls_json).get(calls) || !calls.is_array()) {
    return no("tool calls that cannot be read");
  }
  std::map<std::string, std::string, std::less<>> schemas;
  dom::array tools;
  if (!request["tools"].get_array().get(tools)) {
    for (dom::element t : tools) {
      std::string_view name;
      if (t["function"]["name"].get_string().get(name)) continue;
      dom::element params;
      schemas[std::string(name)] = t["function"]["parameters"].get(params) ? "" : simdjson::to_string(params);
    }
  }
  const dom::array call_list = calls.get_array().value();
  for (dom::element call : call_list) {
    std::string_view name, arguments;
    if (call["function"]["name"].get_string().get(name)) return no("a tool call without a function name");
    auto schema = schemas.find(name);
    if (schema == schemas.end()) return no(fmt::format("calls '{}', which the request does not define", name));
    if (call["function"]["arguments"].get_string().get(arguments)) return no("tool arguments that are not a string");
    dom::parser p;
    dom::element args;
    if (p.parse(arguments).get(args)) return no(fmt::format("'{}': arguments are not JSON", name));
    if (!schema->second.empty()) {
      if (auto why = cascade::check_schema(schema->second, arguments)) return no(fmt::format("'{}': {}", name, *why));
    }
  }
  return yes();
}

// The python wrapper: reads {"output", "context", "code", "file"} from stdin and
// prints {"pass", "score", "reason"}.
constexpr const char* kPythonWrapper = R"PY(
import json, sys, resource, textwrap
try:
    resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))
except Exception:
    pass
data = json.load(sys.stdin)
output, context = data["output"], data["context"]
if data["file"]:
    ns = {"__name__": "flashfirst_assert"}
    exec(compile(open(data["file"]).read(), data["file"], "exec"), ns)
    result = ns["get_assert"](output, context)
else:
    code = data["code"].strip()
    if "\n" not in code and not code.startswith("return"):
        result = eval(code, {"output": output, "context": context, "json": json})
    else:
        ns = {"json": json}
        exec("def __check(output, context):\n" + textwrap.indent(code, "    "), ns)
        result = ns["__check"](output, context)
if isinstance(result, dict):
    out = {"pass": bool(result.get("pass", result.get("pass_", False))), "score": float(result.get("score", 1.0 if result.get("pass") else 0.0)), "reason": str(result.get("reason", ""))}
elif isinstance(result, bool):
    out = {"pass": result, "score": 1.0 if result else 0.0, "reason": ""}
elif isinstance(result, (int, float)):
    out = {"pass": None, "score": float(result), "reason": ""}
else:
    raise TypeError("the check returned %r; return a bool, a number or a dict" % type(result).__name__)
print(json.dumps(out))
)PY";

Verdict python_check(const Assertion& a, const Answer& answer, const Case& c, const CheckContext& ctx) {
  core::JsonWriter w(true);
  w.begin_object().key("output").value(answer.content);
  w.key("context").begin_object().key("vars").number_text(c.vars_json).key("prompt").value(c.prompt_text);
  w.key("test").begin_object().key("description").value(c.description).key("metadata").begin_object();
  w.key("category").value(c.category).end_object().end_object().end_object();
  const bool file = a.value.rfind("file://", 0) == 0;
  std::string path = file ? a.value.substr(7) : "";
  if (file && !path.empty() && path[0] != '/' && !ctx.suite_dir.empty()) path = ctx.suite_dir + "/" + path;
  w.key("code").value(file ? "" : a.value).key("file").value(path).end_object();
  auto out = run_process({ctx.python, "-c", kPythonWrapper}, w.str(), 10'000);
  if (!out.ok()) return no(fmt::format("python: {}", out.error().message));
  dom::parser p;
  dom::element r;
  if (p.parse(*out).get(r)) return no("python: its result cannot be read");
  Verdict v;
  v.score = r["score"].get_double().value_unsafe();
  bool pass = false;
  v.pass = r["pass"].get_bool().get(pass) ? v.score >= a.threshold.value_or(0.5) : pass;
  std::string_view reason;
  if (!r["reason"].get_string().get(reason)) v.reason = std::string(reason);
  if (!v.pass && v.reason.empty()) v.reason = fmt::format("python: score {:.2f}", v.score);
  return v;
}

Verdict check_positive(const Assertion& a, const Answer& answer, const Case& c, const CheckContext& ctx) {
  const std::string& t = a.type;
  const std::string& out = answer.content;
  if (t == "equals") return out == a.value ? yes() : no(fmt::format("equals {}: got {}", shown(a.value), shown(out)));
  if (t == "contains") {
    return out.find(a.value) != std::string::npos ? yes() : no(fmt::format("contains {}: not found", shown(a.value)));
  }
  if (t == "icontains") {
    return lower(out).find(lower(a.value)) != std::string::npos
               ? yes()
               : no(fmt::format("icontains {}: not found", shown(a.value)));
  }
  if (t == "starts-with") {
    return out.rfind(a.value, 0) == 0 ? yes() : no(fmt::format("starts-with {}: got {}", shown(a.value), shown(out)));
  }
  if (t == "contains-any" || t == "contains-all") {
    int found = 0;
    std::string missing;
    for (const std::string& v : a.values) {
      if (out.find(v) != std::string::npos) {
        ++found;
      } else if (missing.empty()) {
        missing = v;
      }
    }
    if (t == "contains-any") return found > 0 ? yes() : no("contains-any: none found");
    return missing.empty() ? yes() : no(fmt::format("contains-all: {} not found", shown(missing)));
  }
  if (t == "regex") {
    try {
      return std::regex_search(out, std::regex(a.value)) ? yes() : no(fmt::format("regex {}: no match", shown(a.value)));
    } catch (const std::regex_error& e) {
      return no(fmt::format("regex {}: {}", shown(a.value), e.what()));
    }
  }
  if (t == "is-json") {
    dom::parser p;
    dom::element e;
    std::optional<std::string> json;
    if (!p.parse(out).get(e)) json = simdjson::to_string(e);
    return json_check(a, json, "is-json");
  }
  if (t == "contains-json") return json_check(a, embedded_json(out), "contains-json");
  if (t == "is-valid-openai-tools-call") return tools_call(answer, c);
  if (t == "finish-reason") {
    return answer.finish_reason == a.value
               ? yes()
               : no(fmt::format("finish-reason {}: got {}", shown(a.value), shown(answer.finish_reason)));
  }
  if (t == "cost") {
    auto limit = core::parse_money(a.has_value ? a.value : fmt::format("{:.15f}", *a.threshold));
    if (!limit.ok()) limit = core::parse_money(fmt::format("{:.15f}", a.threshold.value_or(0)));
    return answer.cost <= *limit ? yes()
                                 : no(fmt::format("cost {} is over {}", answer.cost.to_decimal(), limit->to_decimal()));
  }
  if (t == "latency") {
    return answer.latency_ms <= *a.threshold ? yes()
                                             : no(fmt::format("latency {:.0f} ms is over {} ms", answer.latency_ms,
                                                              *a.threshold));
  }
  if (t == "python") return python_check(a, answer, c, ctx);
  if (t == "llm-rubric") {
    if (!ctx.judge) return no("llm-rubric: no judge available");
    auto v = ctx.judge(a.value, answer, c);
    if (!v.ok()) return no(fmt::format("llm-rubric: {}", v.error().message));
    if (a.threshold) v->pass = v->pass && v->score >= *a.threshold;
    return *v;
  }
  return no(fmt::format("unknown assertion type {}", t));
}

}  // namespace

Verdict check(const Assertion& a, const Answer& answer, const Case& c, const CheckContext& ctx) {
  Verdict v = check_positive(a, answer, c, ctx);
  if (!a.negate) return v;
  Verdict n;
  n.pass = !v.pass;
  n.score = 1 - v.score;
  if (!n.pass) n.reason = fmt::format("not-{}: it holds", a.type);
  return n;
}

CaseVerdict check_case(const Case& c, const Answer& answer, const CheckContext& ctx) {
  CaseVerdict cv;
  cv.pass = true;
  double weight = 0, score = 0;
  for (const Assertion& a : c.asserts) {
    const Verdict v = check(a, answer, c, ctx);
    weight += a.weight;
    score += a.weight * v.score;
    if (!v.pass && a.weight > 0) {
      cv.pass = false;
      cv.failures.push_back(v.reason.empty() ? a.type : v.reason);
    }
  }
  cv.score = weight > 0 ? score / weight : (cv.pass ? 1 : 0);
  return cv;
}

core::Result<std::string> run_process(const std::vector<std::string>& argv, const std::string& input, int timeout_ms) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0) return core::make_error("cannot make a pipe");
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return core::make_error("cannot make a pipe");
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
    return core::make_error("cannot make a pipe");
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    return core::make_error("cannot start a process");
  }
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  fcntl(in[1], F_SETFL, O_NONBLOCK);
  std::string output, errors;
  std::size_t written = 0;
  int stdin_fd = in[1];
  if (input.empty()) {
    close(stdin_fd);
    stdin_fd = -1;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool timed_out = false;
  int open_fds = 2;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {stdin_fd, POLLOUT, 0}};
    const int n = poll(fds, stdin_fd >= 0 ? 3 : 2, static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) break;
    char buf[4096];
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t got = read(fds[k].fd, buf, sizeof buf);
      if (got > 0) {
        (k == 0 ? output : errors).append(buf, static_cast<std::size_t>(got));
        if (output.size() > (1U << 20)) {
          timed_out = true;  // far more than a verdict: stop it
          break;
        }
      } else {
        close(k == 0 ? out[0] : err[0]);
        (k == 0 ? out[0] : err[0]) = -1;
        --open_fds;
      }
    }
    if (stdin_fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t w = write(stdin_fd, input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      if (w < 0 || written == input.size()) {
        close(stdin_fd);
        stdin_fd = -1;
      }
    }
  }
  if (stdin_fd >= 0) close(stdin_fd);
  for (int fd : {out[0], err[0]}) {
    if (fd >= 0) close(fd);
  }
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) return core::make_error(fmt::format("stopped after {} ms", timeout_ms));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    while (!errors.empty() && errors.back() == '\n') errors.pop_back();
    const std::size_t last = errors.rfind('\n');
    return core::make_error(fmt::format("exited with status {}{}", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                                        errors.empty() ? "" : ": " + errors.substr(last == std::string::npos ? 0 : last + 1)));
  }
  return output;
}

}  // namespace ff::eval
