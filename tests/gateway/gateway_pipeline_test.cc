// The gateway's request path in C++, deterministic: a fake upstream answers from
// a script and records what it was asked, the clock and the random source are
// fixed, backoff waits are recorded instead of slept, and the ledger is a real
// SQLite file. No sockets, no sleeps.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include "gateway/gateway.h"
#include "ledger/ledger.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "pricing/price_book_loader.h"
#include "router/router.h"
#include "tokenizer/tokenizer.h"

namespace ff::gateway {
namespace {

namespace asio = boost::asio;
using Headers = std::vector<std::pair<std::string, std::string>>;

// 2026-11-24T02:00:00Z, a Tuesday in peak hours: Flash output 1.20, Pro 3.96 USD per 1M.
constexpr std::int64_t kNowMs = 1'795'485'600'000;

// Answers each call with the next scripted answer, after yielding to the event
// loop once (as a real call would), and records the calls.
class FakeUpstream final : public net::Upstream {
 public:
  struct Call {
    std::string path, body;
  };
  std::deque<net::UpstreamResponse> answers;
  std::deque<std::vector<std::string>> streams;  // each the pieces of one streamed answer
  std::vector<Call> calls;

  asio::awaitable<std::variant<net::UpstreamResponse, net::UpstreamError>> request(std::string_view,
                                                                                  std::string_view path,
                                                                                  std::string_view body,
                                                                                  const Headers&) override {
    calls.push_back({std::string(path), std::string(body)});
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    if (answers.empty()) co_return net::UpstreamError{net::UpstreamError::Kind::kConnect, "no more answers"};
    net::UpstreamResponse r = std::move(answers.front());
    answers.pop_front();
    co_return r;
  }
  asio::awaitable<std::variant<net::UpstreamStream, net::UpstreamError>> open(std::string_view, std::string_view path,
                                                                             std::string_view body,
                                                                             const Headers&) override {
    calls.push_back({std::string(path), std::string(body)});
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    if (streams.empty()) co_return net::UpstreamError{net::UpstreamError::Kind::kConnect, "no more streams"};
    std::vector<std::string> pieces = std::move(streams.front());
    streams.pop_front();
    net::UpstreamHead head;
    head.status = 200;
    head.headers = {{"content-type", "text/event-stream"}};
    co_return net::UpstreamStream::canned(std::move(head), std::move(pieces));
  }
};

net::UpstreamResponse answer(int status, std::string body, Headers headers = {}) {
  net::UpstreamResponse r;
  r.head.status = status;
  r.head.headers = std::move(headers);
  r.head.headers.emplace_back("content-type", "application/json");
  r.body = std::move(body);
  return r;
}

// A chat completion with 1,000 prompt tokens (all misses) and 100 output tokens.
std::string completion(const std::string& model, const std::string& message_json,
                       const std::string& finish = "stop") {
  return R"({"id":"x","object":"chat.completion","created":1795485600,"model":")" + model +
         R"(","choices":[{"index":0,"message":)" + message_json + R"(,"finish_reason":")" + finish +
         R"("}],"usage":{"prompt_tokens":1000,"completion_tokens":100,"prompt_cache_hit_tokens":0,)"
         R"("prompt_cache_miss_tokens":1000}})";
}

class Writer final : public net::ResponseWriter {
 public:
  int status = 0;
  Headers headers;
  std::string body;
  asio::awaitable<bool> send(net::Response r) override {
    status = r.status;
    headers = std::move(r.headers);
    add_lines(r.header_lines);
    body = std::move(r.body);
    started_ = true;
    co_return true;
  }
  asio::awaitable<bool> start(int s, Headers h, std::string_view lines) override {
    status = s;
    headers = std::move(h);
    add_lines(lines);
    started_ = true;
    co_return true;
  }
  asio::awaitable<bool> write(std::string_view data) override {
    body += data;
    co_return true;
  }
  asio::awaitable<bool> finish() override { co_return true; }
  void abort() override {}
  bool started() const override { return started_; }
  std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return "";
  }

 private:
  // Response::header_lines, `name: value\r\n` each, read into `headers`.
  void add_lines(std::string_view lines) {
    while (!lines.empty()) {
      const std::size_t end = lines.find("\r\n");
      ASSERT_NE(end, std::string_view::npos) << "a header line without its CRLF: " << lines;
      const std::string_view line = lines.substr(0, end);
      const std::size_t colon = line.find(": ");
      ASSERT_NE(colon, std::string_view::npos) << line;
      headers.emplace_back(line.substr(0, colon), line.substr(colon + 2));
      lines.remove_prefix(end + 2);
    }
  }
  bool started_ = false;
};

class Pipeline : public ::testing::Test {
 protected:
  Pipeline()
      : book_(pricing::load_embedded_price_book().value()),
        router_(router::Policy::embedded().value(), std::make_shared<tokenizer::RatioEstimator>()) {
    char dir[] = "/tmp/ff-pipeline-XXXXXX";
    dir_ = mkdtemp(dir);
    ledger_ = ledger::open_sqlite_ledger(dir_ + "/ledger.db").value();
    options_.keys.push_back({"team-a", sha256_hex("key-a"), {}, {}});
    options_.now_ms = [] { return kNowMs; };
    options_.seed = 7;
    options_.sleep = [this](std::chrono::milliseconds d) { waits_.push_back(d.count()); };
  }
  ~Pipeline() override {
    ledger_.reset();
    for (const char* f : {"/ledger.db", "/ledger.db-wal", "/ledger.db-shm"}) std::remove((dir_ + f).c_str());
    rmdir(dir_.c_str());
  }

  static net::Request post(std::string body, std::string key = "key-a") {
    net::Request r;
    r.method = "POST";
    r.target = "/v1/chat/completions";
    r.headers = {{"authorization", "Bearer " + key}, {"content-type", "application/json"}};
    r.body = std::move(body);
    return r;
  }

  // Runs `requests` through one gateway concurrently; one writer each.
  std::vector<Writer> run(const std::vector<net::Request>& requests) {
    Gateway gw(book_, router_, *ledger_, upstream_, options_);
    std::vector<Writer> writers(requests.size());
    io_.restart();
    for (std::size_t i = 0; i < requests.size(); ++i) {
      asio::co_spawn(io_, gw.handle(requests[i], writers[i]), asio::detached);
    }
    io_.run();
    return writers;
  }

  std::vector<ledger::Row> rows() { return ledger_->read_all().value(); }

  // The ledger's writer thread posts each commit's completion to io_, and may
  // still be inside that post when io_.run() has returned: io_ lives until the
  // ledger (reset first, in the destructor) has joined that thread.
  asio::io_context io_;
  pricing::PriceBook book_;
  router::Router router_;
  std::string dir_;
  std::unique_ptr<ledger::Ledger> ledger_;
  FakeUpstream upstream_;
  GatewayOptions options_;
  std::vector<std::int64_t> waits_;
};

TEST_F(Pipeline, CascadeEscalatesAFailedFlashAnswerAndBillsBoth) {
  // Flash's JSON answer is cut mid-object; Pro's is whole.
  upstream_.answers.push_back(answer(200, completion("deepseek-v4-flash", R"({"role":"assistant","content":"{\"a\": 1"})")));
  upstream_.answers.push_back(answer(200, completion("deepseek-v4-pro", R"({"role":"assistant","content":"{\"a\": 1}"})")));
  auto w = run({post(R"({"model":"auto","response_format":{"type":"json_object"},)"
                     R"("messages":[{"role":"user","content":"Extract the city as JSON: Ana lives in Porto."}]})")});
  ASSERT_EQ(w[0].status, 200) << w[0].body;
  EXPECT_EQ(w[0].header("x-flashfirst-escalated"), "true");
  EXPECT_EQ(w[0].header("x-flashfirst-model"), "deepseek-v4-pro");
  ASSERT_EQ(upstream_.calls.size(), 2u);
  EXPECT_NE(upstream_.calls[0].body.find(R"("model":"deepseek-v4-flash")"), std::string::npos);
  EXPECT_NE(upstream_.calls[1].body.find(R"("model":"deepseek-v4-pro")"), std::string::npos);
  auto r = rows();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].escalated_from, r[0].request_id);
  EXPECT_EQ(r[1].reason.rfind("escalated: Flash's answer failed (answer is not a JSON object under json_object)", 0), 0u)
      << r[1].reason;
  // Flash at peak: 1,000 misses x 0.30 + 100 x 1.20 = 300 + 120 per 1M = 0.00042;
  // Pro: 1,000 x 1.32 + 100 x 3.96 = 1320 + 396 per 1M = 0.001716. The client pays both.
  EXPECT_EQ(r[0].cost.to_decimal(), "0.00042");
  EXPECT_EQ(r[1].cost.to_decimal(), "0.001716");
  EXPECT_EQ(w[0].header("x-flashfirst-cost"), "0.002136");
}

TEST_F(Pipeline, ACutAtTheClientsCapIsNotEscalated) {
  upstream_.answers.push_back(
      answer(200, completion("deepseek-v4-flash", R"({"role":"assistant","content":""})", "length")));
  auto w = run({post(R"({"model":"auto","max_tokens":5,"messages":[{"role":"user","content":"Summarize: it rained."}]})")});
  EXPECT_EQ(w[0].header("x-flashfirst-escalated"), "false");
  EXPECT_EQ(upstream_.calls.size(), 1u);
  EXPECT_EQ(rows().size(), 1u);
}

// A header value is ASCII on one line: the route's reason quotes a Chinese cue,
// whose UTF-8 bytes are percent-encoded ("总" is E6 80 BB, "结" E7 BB 93); the
// ASCII around it is copied as it is.
TEST_F(Pipeline, TheRouteHeaderPercentEncodesWhatIsNotPrintableAscii) {
  upstream_.answers.push_back(answer(200, completion("deepseek-v4-flash", R"({"role":"assistant","content":"雨。"})")));
  auto w = run({post(R"({"model":"auto","messages":[{"role":"user","content":"总结一下：今天下雨，明天晴。"}]})")});
  ASSERT_EQ(w[0].status, 200) << w[0].body;
  EXPECT_EQ(w[0].header("x-flashfirst-route"), "summarization; summarization: cue \"%E6%80%BB%E7%BB%93\" (summarize)");
}

TEST_F(Pipeline, AStreamWithCrlfLineEndsIsReadEventByEvent) {
  // SSE lines may end in "\r\n"; the pieces split the stream inside a "\r\n\r\n".
  upstream_.streams.push_back(
      {"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\r\n\r",
       "\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100,"
       "\"prompt_cache_hit_tokens\":0,\"prompt_cache_miss_tokens\":1000}}\r\n",
       "\r\ndata: [DONE]\r\n\r\n"});
  auto w = run({post(R"({"model":"flash","stream":true,"messages":[{"role":"user","content":"Hello"}]})")});
  ASSERT_EQ(w[0].status, 200);
  auto r = rows();
  ASSERT_EQ(r.size(), 1u);
  // The usage event was found: billed as sent, not estimated. Flash at peak:
  // 1,000 misses x 0.30 + 100 x 1.20 = 420 per 1M tokens = 0.00042.
  EXPECT_FALSE(r[0].usage_estimated);
  EXPECT_EQ(r[0].usage.output, 100);
  EXPECT_EQ(r[0].cost.to_decimal(), "0.00042");
  // The usage event carries the figures; every event keeps its CRLF ends.
  EXPECT_NE(w[0].body.find(R"("prompt_cache_miss_tokens":1000},"flashfirst":{)"), std::string::npos) << w[0].body;
  EXPECT_NE(w[0].body.find("}\r\n\r\ndata: [DONE]\r\n\r\n"), std::string::npos) << w[0].body;
}

TEST_F(Pipeline, AStreamThatNeverEndsAnEventIsBrokenNotHeld) {
  // 5 MiB with no blank line: over the 4 MiB the gateway holds of one event.
  upstream_.streams.push_back({"data: {\"choices\":[{\"delta\":{\"content\":\"" + std::string(5 << 20, 'a')});
  auto w = run({post(R"({"model":"flash","stream":true,"messages":[{"role":"user","content":"Hello"}]})")});
  auto r = rows();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].error, "the upstream's stream sent over 4194304 bytes without ending an event");
  EXPECT_TRUE(r[0].usage_estimated);
}

TEST_F(Pipeline, TheKeysUserIdGoesUpstream) {
  options_.keys[0].user_id = "team-a";
  upstream_.answers.push_back(answer(200, completion("deepseek-v4-flash", R"({"role":"assistant","content":"Hi."})")));
  upstream_.answers.push_back(answer(200, completion("deepseek-v4-flash", R"({"role":"assistant","content":"Hi."})")));
  run({post(R"({"model":"flash","messages":[{"role":"user","content":"Hello"}]})"),
       post(R"({"model":"flash","user_id":"end-user-9","messages":[{"role":"user","content":"Hello"}]})")});
  ASSERT_EQ(upstream_.calls.size(), 2u);
  EXPECT_NE(upstream_.calls[0].body.find(R"("user_id":"team-a")"), std::string::npos) << upstream_.calls[0].body;
  EXPECT_NE(upstream_.calls[1].body.find(R"("user_id":"end-user-9")"), std::string::npos);  // the client's own
  EXPECT_EQ(upstream_.calls[1].body.find("team-a"), std::string::npos);
}

TEST_F(Pipeline, RetriesWaitWhatRetryAfterSays) {
  options_.max_retries = 2;
  upstream_.answers.push_back(answer(429, R"({"error":{"message":"slow down"}})", {{"retry-after", "3"}}));
  upstream_.answers.push_back(answer(503, R"({"error":{"message":"busy"}})"));
  upstream_.answers.push_back(answer(200, completion("deepseek-v4-flash", R"({"role":"assistant","content":"Hi."})")));
  auto w = run({post(R"({"model":"flash","messages":[{"role":"user","content":"Hello"}]})")});
  EXPECT_EQ(w[0].status, 200);
  EXPECT_EQ(upstream_.calls.size(), 3u);
  ASSERT_EQ(waits_.size(), 2u);
  EXPECT_EQ(waits_[0], 3000);  // Retry-After: 3 seconds
  // The second wait is the backoff: 200 ms x 2 (second retry) plus jitter up to half of it.
  EXPECT_GE(waits_[1], 400);
  EXPECT_LE(waits_[1], 600);
  EXPECT_EQ(rows().size(), 1u);  // the retried attempts are one call, one row
}

TEST_F(Pipeline, AFailedFlashCallFallsBackToPro) {
  options_.max_retries = 0;
  options_.fallback_after = 1;
  upstream_.answers.push_back(answer(503, R"({"error":{"message":"busy"}})"));
  upstream_.answers.push_back(answer(200, completion("deepseek-v4-pro", R"({"role":"assistant","content":"Hi."})")));
  auto w = run({post(R"({"model":"flash","messages":[{"role":"user","content":"Hello"}]})")});
  EXPECT_EQ(w[0].status, 200);
  EXPECT_EQ(w[0].header("x-flashfirst-model"), "deepseek-v4-pro");
  auto r = rows();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, 503);
  EXPECT_EQ(r[1].escalated_from, r[0].request_id);
  EXPECT_EQ(r[1].reason.rfind("fallback: flash answered 503", 0), 0u) << r[1].reason;
}

TEST_F(Pipeline, ReasoningIsRestoredInAToolLoop) {
  const std::string call = R"({"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}})";
  const std::string tools =
      R"([{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}])";
  upstream_.answers.push_back(answer(
      200, completion("deepseek-v4-flash",
                      R"({"role":"assistant","content":null,"reasoning_content":"I should look it up.","tool_calls":[)" +
                          call + "]}",
                      "tool_calls")));
  upstream_.answers.push_back(answer(200, completion("deepseek-v4-flash", R"({"role":"assistant","content":"Sunny."})")));
  const std::string first = R"({"model":"flash","tools":)" + tools +
                            R"(,"messages":[{"role":"user","content":"Weather in Oslo?"}]})";
  // The client sends the call back without reasoning_content.
  const std::string second = R"({"model":"flash","tools":)" + tools +
                             R"(,"messages":[{"role":"user","content":"Weather in Oslo?"},)"
                             R"({"role":"assistant","content":null,"tool_calls":[)" +
                             call + R"(]},{"role":"tool","tool_call_id":"call_1","content":"sunny"}]})";
  // One gateway for both turns (it remembers the first turn's reasoning); the
  // requests outlive the coroutines that read them.
  Gateway gw(book_, router_, *ledger_, upstream_, options_);
  const net::Request turns[] = {post(first), post(second)};
  std::vector<Writer> w(2);
  for (int i = 0; i < 2; ++i) {
    io_.restart();
    asio::co_spawn(io_, gw.handle(turns[i], w[i]), asio::detached);
    io_.run();
  }
  EXPECT_EQ(w[1].status, 200);
  EXPECT_EQ(w[1].header("x-flashfirst-reasoning-restored"), "1");
  ASSERT_EQ(upstream_.calls.size(), 2u);
  EXPECT_NE(upstream_.calls[1].body.find(R"("reasoning_content":"I should look it up.")"), std::string::npos)
      << upstream_.calls[1].body;
}

TEST_F(Pipeline, ConcurrentRequestsCannotRacePastABudget) {
  // Each request may cost at most its prompt at the miss rate plus max_tokens
  // 1,000 at Flash's peak output rate (1.20 per 1M = 0.0012): the budget of
  // 0.0015 holds one such reservation, not two. Both are in flight at once.
  options_.keys[0].budgets.per_day = core::parse_money("0.0015").value();
  for (int i = 0; i < 2; ++i) {
    upstream_.answers.push_back(answer(200, completion("deepseek-v4-flash", R"({"role":"assistant","content":"Hi."})")));
  }
  const std::string body = R"({"model":"flash","max_tokens":1000,"messages":[{"role":"user","content":"Hello"}]})";
  auto w = run({post(body), post(body)});
  EXPECT_EQ(w[0].status, 200);
  EXPECT_EQ(w[1].status, 429);
  EXPECT_NE(w[1].body.find("budget_exceeded"), std::string::npos) << w[1].body;
  EXPECT_EQ(upstream_.calls.size(), 1u);
  EXPECT_EQ(rows().size(), 1u);
}

}  // namespace
}  // namespace ff::gateway
