#include "eval/runner.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <fstream>
#include <map>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <simdjson.h>

#include "cascade/check.h"
#include "core/json_writer.h"
#include "core/time.h"
#include "net/http_client.h"
#include "pricing/price_book.h"
#include "wire/usage.h"

namespace ff::eval {

namespace asio = boost::asio;
namespace dom = simdjson::dom;

namespace {

// The id a tier name stands for on the DeepSeek API (the gateway's defaults).
std::string api_model(const std::string& m) {
  if (m == "flash") return "deepseek-v4-flash";
  if (m == "pro") return "deepseek-v4-pro";
  return m;
}

std::string judge_prompt(const std::string& rubric, const Answer& answer, const Case& c) {
  return fmt::format(
      "Grade the answer below against the rubric. Reply with one JSON object only: "
      "{{\"pass\": true or false, \"score\": a number from 0 to 1, \"reason\": \"one sentence\"}}.\n\n"
      "Rubric:\n{}\n\nQuestion:\n{}\n\nAnswer:\n{}",
      rubric, c.prompt_text, answer.content);
}

// A call's outcome from an HTTP answer: the answer's parts, or why it is an error.
CallResult read_answer(int status, const std::string& body, std::string_view cost_header, const std::string& model,
                       const std::string& request, const pricing::PriceBook& book) {
  CallResult r;
  dom::parser p;
  dom::element root;
  if (status != 200) {
    std::string_view msg;
    r.error = true;
    r.error_message = !p.parse(body).get(root) && !root["error"]["message"].get_string().get(msg)
                          ? fmt::format("HTTP {}: {}", status, msg)
                          : fmt::format("HTTP {}", status);
    return r;
  }
  dom::element choice;
  if (p.parse(body).get(root) || root["choices"].at(0).get(choice)) {
    r.error = true;
    r.error_message = "not a chat completion";
    return r;
  }
  std::string_view s;
  if (!choice["message"]["content"].get_string().get(s)) r.answer.content = std::string(s);
  if (!choice["finish_reason"].get_string().get(s)) r.answer.finish_reason = std::string(s);
  dom::array calls;
  if (!choice["message"]["tool_calls"].get_array().get(calls) && calls.size() > 0) {
    r.answer.tool_calls_json = simdjson::to_string(calls);
  }
  if (!cost_header.empty()) {
    auto m = core::parse_money(cost_header);
    if (!m.ok()) {
      r.error = true;
      r.error_message = fmt::format("the gateway's cost '{}' cannot be read", cost_header);
      return r;
    }
    r.answer.cost = *m;
  } else {
    const wire::UsageRead u = wire::read_usage(root);
    if (u.status != wire::UsageRead::Status::kOk) {
      r.error = true;
      r.error_message = u.status == wire::UsageRead::Status::kAbsent ? "the answer has no usage" : "usage: " + u.why;
      return r;
    }
    std::string_view served;
    if (root["model"].get_string().get(served)) served = model;
    pricing::QuoteResult q = book.quote(served, core::system_clock().now(), "USD");
    if (!q.quote) q = book.quote(model, core::system_clock().now(), "USD");
    if (!q.quote) {
      r.error = true;
      r.error_message = fmt::format("no USD price for '{}'", served);
      return r;
    }
    r.answer.cost = q.quote->rates.cost(u.usage);
  }
  if (auto why = cascade::check_answer(request, root)) r.form_failure = *why;
  return r;
}

std::string call_key(std::size_t c, int m, int rep) { return fmt::format("{}:{}:{}", c, m, rep); }

struct Job {
  std::size_t c;
  int model;
  int repeat;
};

struct Judged {
  Verdict verdict;
  bool error = false;
  std::string error_message;
};

class Runner {
 public:
  Runner(const Suite& suite, const RunOptions& o, const pricing::PriceBook& book,
         const std::function<void(std::int64_t, std::int64_t)>& progress)
      : suite_(suite), o_(o), book_(book), progress_(progress) {}

  core::Result<RunResult> run() {
    result_.calls.resize(suite_.cases.size());
    for (auto& per : result_.calls) {
      for (auto& reps : per) reps.resize(static_cast<std::size_t>(o_.repeat));
    }
    if (auto s = open_journal(); !s.ok()) return core::make_error(s.message());
    std::vector<Job> jobs;
    for (std::size_t c = 0; c < suite_.cases.size(); ++c) {
      for (int m = 0; m < 2; ++m) {
        for (int rep = 0; rep < o_.repeat; ++rep) {
          if (!done_.count(call_key(c, m, rep))) jobs.push_back({c, m, rep});
        }
      }
    }
    total_ = static_cast<std::int64_t>(suite_.cases.size()) * 2 * o_.repeat;
    finished_ = total_ - static_cast<std::int64_t>(jobs.size());
    result_.resumed = finished_;

    asio::io_context io{1};
    net::UpstreamOptions uo;
    uo.base_url = o_.base_url;
    uo.api_key = o_.api_key;
    uo.ca_file = o_.ca_file;
    uo.pool_size = static_cast<std::size_t>(o_.concurrency);
    auto client = net::UpstreamClient::create(io.get_executor(), uo);
    if (!client.ok()) return client.error();
    client_ = client->get();
    std::size_t next = 0;
    for (int w = 0; w < o_.concurrency; ++w) {
      asio::co_spawn(io, call_worker(jobs, next), asio::detached);
    }
    io.run();
    // The judge's grades, for the llm-rubric assertions of answers that came back.
    std::vector<std::pair<std::string, std::string>> judge_jobs;  // key, prompt
    for (std::size_t c = 0; c < suite_.cases.size(); ++c) {
      std::size_t k = 0;
      for (const Assertion& a : suite_.cases[c].asserts) {
        if (a.type != "llm-rubric") continue;
        for (int m = 0; m < 2; ++m) {
          for (int rep = 0; rep < o_.repeat; ++rep) {
            const CallResult& cr = result_.calls[c][m][rep];
            const std::string key = fmt::format("{}:{}", call_key(c, m, rep), k);
            if (!cr.error && !judged_.count(key)) {
              judge_jobs.emplace_back(key, judge_prompt(a.value, cr.answer, suite_.cases[c]));
            }
          }
        }
        ++k;
      }
    }
    if (!judge_jobs.empty()) {
      asio::io_context jio{1};
      auto jclient = net::UpstreamClient::create(jio.get_executor(), uo);
      if (!jclient.ok()) return jclient.error();
      client_ = jclient->get();
      std::size_t jnext = 0;
      for (int w = 0; w < o_.concurrency; ++w) asio::co_spawn(jio, judge_worker(judge_jobs, jnext), asio::detached);
      jio.run();
    }
    client_ = nullptr;
    // Verdicts.
    for (std::size_t c = 0; c < suite_.cases.size(); ++c) {
      for (int m = 0; m < 2; ++m) {
        for (int rep = 0; rep < o_.repeat; ++rep) {
          CallResult& cr = result_.calls[c][m][rep];
          if (cr.error) continue;
          std::size_t k = 0;
          bool judge_failed = false;
          std::string judge_error;
          CheckContext ctx;
          ctx.python = o_.python;
          ctx.suite_dir = o_.suite_dir;
          ctx.judge = [&](const std::string&, const Answer&, const Case&) -> core::Result<Verdict> {
            const Judged& j = judged_[fmt::format("{}:{}", call_key(c, m, rep), k++)];
            if (j.error) {
              judge_failed = true;
              judge_error = j.error_message;
              return core::make_error(j.error_message);
            }
            return j.verdict;
          };
          cr.verdict = check_case(suite_.cases[c], cr.answer, ctx);
          if (judge_failed) {
            // The judge could not grade it: not the model's failure.
            cr.error = true;
            cr.error_message = "the judge failed: " + judge_error;
          }
        }
      }
    }
    return std::move(result_);
  }

 private:
  core::Status open_journal() {
    if (o_.journal.empty()) return core::Status::Ok();
    const std::string header = journal_header();
    std::ifstream in(o_.journal, std::ios::binary);
    std::string line;
    bool matches = false;
    if (in && std::getline(in, line)) matches = line == header;
    if (matches) {
      dom::parser p;
      while (std::getline(in, line)) {
        dom::element e;
        if (line.empty() || p.parse(line).get(e)) continue;  // a line cut by the interruption
        std::string_view key;
        if (!e["judge"].get_string().get(key)) {
          Judged j;
          bool pass = false;
          if (e["pass"].get_bool().get(pass)) pass = false;
          j.verdict.pass = pass;
          if (e["score"].get_double().get(j.verdict.score)) j.verdict.score = 0;
          std::string_view s;
          if (!e["reason"].get_string().get(s)) j.verdict.reason = std::string(s);
          if (!e["error"].get_string().get(s) && !s.empty()) {
            j.error = true;
            j.error_message = std::string(s);
          }
          if (!e["cost"].get_string().get(s)) {
            if (auto m = core::parse_money(s); m.ok()) result_.judge_cost += *m;
          }
          judged_[std::string(key)] = j;
          continue;
        }
        std::int64_t c = 0, m = 0, rep = 0;
        if (e["case"].get_int64().get(c) || e["model"].get_int64().get(m) || e["repeat"].get_int64().get(rep)) continue;
        if (c < 0 || static_cast<std::size_t>(c) >= suite_.cases.size() || m < 0 || m > 1 || rep < 0 ||
            rep >= o_.repeat) {
          continue;
        }
        CallResult cr;
        std::string_view s;
        if (!e["error"].get_string().get(s) && !s.empty()) {
          cr.error = true;
          cr.error_message = std::string(s);
        }
        if (!e["content"].get_string().get(s)) cr.answer.content = std::string(s);
        if (!e["finish_reason"].get_string().get(s)) cr.answer.finish_reason = std::string(s);
        if (!e["tool_calls"].get_string().get(s)) cr.answer.tool_calls_json = std::string(s);
        if (!e["form_failure"].get_string().get(s)) cr.form_failure = std::string(s);
        if (!e["cost"].get_string().get(s)) {
          if (auto money = core::parse_money(s); money.ok()) cr.answer.cost = *money;
        }
        if (e["latency_ms"].get_double().get(cr.answer.latency_ms)) cr.answer.latency_ms = 0;
        result_.calls[static_cast<std::size_t>(c)][static_cast<std::size_t>(m)][static_cast<std::size_t>(rep)] = cr;
        done_.insert(call_key(static_cast<std::size_t>(c), static_cast<int>(m), static_cast<int>(rep)));
      }
      in.close();
      journal_.open(o_.journal, std::ios::binary | std::ios::app);
    } else {
      in.close();
      journal_.open(o_.journal, std::ios::binary | std::ios::trunc);
      journal_ << header << "\n";
    }
    journal_.flush();
    if (!journal_) return core::make_error(fmt::format("cannot write the journal {}", o_.journal));
    return core::Status::Ok();
  }

  // What a journal must match to be resumed: the suite's cases, the models, the
  // repeats and where the calls go.
  std::string journal_header() const {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    auto add = [&](std::string_view s) {
      for (unsigned char ch : s) h = (h ^ ch) * 0x100000001b3ULL;
      h = (h ^ 0xff) * 0x100000001b3ULL;
    };
    for (const Case& c : suite_.cases) {
      add(c.id);
      add(c.request);
      add(c.category);
      add(c.expected_answer);
    }
    core::JsonWriter w(true);
    w.begin_object().key("flashfirst_eval_journal").value(static_cast<std::int64_t>(1));
    w.key("suite").value(fmt::format("{:016x}", h)).key("models").begin_array().value(o_.models[0]).value(o_.models[1]);
    w.end_array().key("repeat").value(static_cast<std::int64_t>(o_.repeat)).key("upstream").value(o_.upstream_name.empty() ? o_.base_url : o_.upstream_name);
    w.key("via_gateway").value(o_.via_gateway).end_object();
    return w.str();
  }

  void journal_call(const Job& j, const CallResult& cr) {
    if (!journal_.is_open()) return;
    core::JsonWriter w(true);
    w.begin_object().key("case").value(static_cast<std::int64_t>(j.c)).key("model").value(static_cast<std::int64_t>(j.model));
    w.key("repeat").value(static_cast<std::int64_t>(j.repeat)).key("error").value(cr.error_message);
    w.key("content").value(cr.answer.content).key("finish_reason").value(cr.answer.finish_reason);
    w.key("tool_calls").value(cr.answer.tool_calls_json).key("form_failure").value(cr.form_failure);
    w.key("cost").value(cr.answer.cost.to_decimal());
    w.key("latency_ms").number_text(fmt::format("{:.1f}", cr.answer.latency_ms)).end_object();
    journal_ << w.str() << "\n";
    journal_.flush();
  }

  // One POST with two retries on a transport error, 429 or 5xx.
  asio::awaitable<std::pair<int, std::pair<std::string, std::string>>> post(const std::string& body,
                                                                            const std::string& tier) {
    std::vector<std::pair<std::string, std::string>> headers = {{"content-type", "application/json"}};
    if (o_.via_gateway) headers.emplace_back("x-flashfirst-tier", tier);
    std::string last_error;
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (attempt > 0) {
        asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(500 * attempt));
        co_await t.async_wait(asio::use_awaitable);
      }
      auto res = co_await client_->request("POST", "/chat/completions", body, headers);
      if (auto* e = std::get_if<net::UpstreamError>(&res)) {
        last_error = e->message;
        continue;
      }
      auto& ok = std::get<net::UpstreamResponse>(res);
      if (ok.head.status == 429 || ok.head.status >= 500) {
        last_error = fmt::format("HTTP {}", ok.head.status);
        if (attempt < 2) continue;
      }
      co_return std::pair{ok.head.status, std::pair{std::move(ok.body), std::string(ok.head.header("x-flashfirst-cost"))}};
    }
    co_return std::pair{0, std::pair{last_error, std::string()}};
  }

  asio::awaitable<void> call_worker(const std::vector<Job>& jobs, std::size_t& next) {
    while (next < jobs.size()) {
      const Job j = jobs[next++];
      const Case& c = suite_.cases[j.c];
      const std::string tier = j.model == 0 ? "flash" : "pro";
      const std::string model = o_.via_gateway ? o_.models[static_cast<std::size_t>(j.model)]
                                               : api_model(o_.models[static_cast<std::size_t>(j.model)]);
      const std::string body = request_body(c, model, o_.send_metadata);
      const auto t0 = std::chrono::steady_clock::now();
      auto [status, answer] = co_await post(body, tier);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      CallResult cr;
      if (status == 0) {
        cr.error = true;
        cr.error_message = answer.first;
      } else {
        cr = read_answer(status, answer.first, o_.via_gateway ? answer.second : "", model, body, book_);
      }
      cr.answer.latency_ms = ms;
      journal_call(j, cr);
      result_.calls[j.c][static_cast<std::size_t>(j.model)][static_cast<std::size_t>(j.repeat)] = std::move(cr);
      ++finished_;
      if (progress_) progress_(finished_, total_);
    }
  }

  asio::awaitable<void> judge_worker(const std::vector<std::pair<std::string, std::string>>& jobs, std::size_t& next) {
    while (next < jobs.size()) {
      const auto& [key, prompt] = jobs[next++];
      core::JsonWriter w(true);
      w.begin_object().key("model").value(o_.via_gateway ? o_.models[1] : api_model(o_.models[1]));
      w.key("response_format").begin_object().key("type").value("json_object").end_object();
      w.key("messages").begin_array().begin_object().key("role").value("user").key("content").value(prompt);
      w.end_object().end_array().end_object();
      auto [status, answer] = co_await post(w.str(), "pro");
      Judged j;
      CallResult cr;
      if (status == 0) {
        cr.error = true;
        cr.error_message = answer.first;
      } else {
        cr = read_answer(status, answer.first, o_.via_gateway ? answer.second : "", o_.models[1], w.str(), book_);
      }
      ++result_.judge_calls;
      result_.judge_cost += cr.answer.cost;
      if (cr.error) {
        j.error = true;
        j.error_message = cr.error_message;
      } else {
        dom::parser p;
        dom::element v;
        bool pass = false;
        if (p.parse(cr.answer.content).get(v) || v["pass"].get_bool().get(pass)) {
          j.error = true;
          j.error_message = "its answer is not {\"pass\", \"score\", \"reason\"}";
        } else {
          j.verdict.pass = pass;
          double score = pass ? 1 : 0;
          if (v["score"].get_double().get(score)) score = pass ? 1 : 0;
          j.verdict.score = std::clamp(score, 0.0, 1.0);
          std::string_view reason;
          if (!v["reason"].get_string().get(reason)) j.verdict.reason = std::string(reason);
        }
      }
      if (journal_.is_open()) {
        core::JsonWriter jw(true);
        jw.begin_object().key("judge").value(key).key("pass").value(j.verdict.pass);
        jw.key("score").number_text(fmt::format("{:.4f}", j.verdict.score)).key("reason").value(j.verdict.reason);
        jw.key("error").value(j.error_message).key("cost").value(cr.answer.cost.to_decimal()).end_object();
        journal_ << jw.str() << "\n";
        journal_.flush();
      }
      judged_[key] = std::move(j);
    }
  }

  const Suite& suite_;
  const RunOptions& o_;
  const pricing::PriceBook& book_;
  const std::function<void(std::int64_t, std::int64_t)>& progress_;
  RunResult result_;
  std::set<std::string> done_;
  std::map<std::string, Judged> judged_;
  std::ofstream journal_;
  net::UpstreamClient* client_ = nullptr;
  std::int64_t total_ = 0, finished_ = 0;
};

}  // namespace

std::string request_body(const Case& c, const std::string& model, bool send_metadata) {
  std::string body = c.request;
  std::string members = "\"model\":";
  core::JsonWriter m(true);
  m.value(model);
  members += m.str();
  if (send_metadata && (!c.category.empty() || !c.expected_answer.empty())) {
    core::JsonWriter w(true);
    w.begin_object();
    if (!c.category.empty()) w.key("category").value(c.category);
    if (!c.expected_answer.empty()) w.key("expected_answer").value(c.expected_answer);
    w.end_object();
    members += ",\"metadata\":" + w.str();
  }
  // The request is an object (checked when the suite was read): add the members first.
  const std::size_t open = body.find('{');
  const bool empty = body.find_first_not_of(" \t\r\n", open + 1) == body.find('}', open + 1);
  body.insert(open + 1, empty ? members : members + ",");
  return body;
}

core::Result<RunResult> run_suite(const Suite& suite, const RunOptions& options, const pricing::PriceBook& book,
                                  const std::function<void(std::int64_t, std::int64_t)>& progress) {
  if (options.repeat < 1) return core::make_error("--repeat must be 1 or more");
  if (options.concurrency < 1) return core::make_error("--concurrency must be 1 or more");
  Runner r(suite, options, book, progress);
  return r.run();
}

}  // namespace ff::eval
