// The simulator's API behaviour, called as a function (no sockets): routes, auth,
// validation errors, model ids by date, thinking-mode rules, usage arithmetic,
// prefix-cache hits across turns, balance, and the SSE chunk sequence.
#include "sim/simulator.h"

#include <simdjson.h>

#include <gtest/gtest.h>

#include "pricing/price_book_loader.h"

namespace ff::sim {
namespace {

class FixedClock final : public core::Clock {
 public:
  core::Timestamp now() const override { return core::Timestamp{1795485600}; }  // Tue 2026-11-24 02:00 UTC (peak)
};

// A simulator with the shipped price book and quality priors, answering at once.
struct ShippedSim {
  FixedClock clock;
  pricing::PriceBook book = pricing::load_embedded_price_book().value();
  sim::QualityModel quality = sim::QualityModel::embedded().value();
  Simulator sim{book, tokenizer::BpeTokenizer::deepseek(), quality, SimOptions{.speed = 0}, clock};
};

class SimTest : public ::testing::Test {
 protected:
  SimTest()
      : book_(std::move(pricing::load_embedded_price_book().value())),
        // Tests of the wire format must not see drawn failures.
        never_fails_(sim::QualityModel::parse(
                         "[effort]\nnone = 1\nlow = 1\nhigh = 1\nmax = 1\n[[category]]\n"
                         "name = \"straightforward_qa\"\nflash = 0\npro = 0\ncheckable = 0\nsource = \"test\"\n",
                         "test.toml")
                         .value()) {}

  Simulator make(SimOptions o = {}, const sim::QualityModel* quality = nullptr) {
    o.speed = 0;
    return Simulator(book_, tokenizer::BpeTokenizer::deepseek(), quality ? *quality : never_fails_, o, clock_);
  }
  static net::Request post(std::string body, std::string path = "/chat/completions") {
    net::Request r;
    r.method = "POST";
    r.target = std::move(path);
    r.headers = {{"authorization", "Bearer sk-test"}, {"content-type", "application/json"}};
    r.body = std::move(body);
    return r;
  }
  static std::string code_of(const net::Response& r) {
    simdjson::dom::parser p;
    std::string_view code;
    if (p.parse(r.body)["error"]["code"].get_string().get(code)) return "<no error code>";
    return std::string(code);
  }
  std::int64_t tokens(std::string_view text) { return tokenizer::BpeTokenizer::deepseek().count(text); }

  pricing::PriceBook book_;
  sim::QualityModel never_fails_;
  FixedClock clock_;
};

TEST_F(SimTest, RoutesAndAuth) {
  Simulator sim = make();
  net::Request r = post("{}");
  r.headers = {};
  EXPECT_EQ(sim.handle(r).status, 401);
  r.headers = {{"authorization", "Basic abc"}};
  EXPECT_EQ(sim.handle(r).status, 401);
  net::Request unknown = post("{}", "/v2/nothing");
  EXPECT_EQ(sim.handle(unknown).status, 404);
  Simulator keyed = make(SimOptions{.keys = {"sk-right"}});
  EXPECT_EQ(keyed.handle(post(R"({"model":"deepseek-flash","messages":[{"role":"user","content":"hi"}]})")).status,
            401);
  net::Request models = post("", "/v1/models");
  models.method = "GET";
  net::Response m = sim.handle(models);
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.body, R"({"object":"list","data":[{"id":"deepseek-flash","object":"model","owned_by":"deepseek"},)"
                    R"({"id":"deepseek-v4-pro","object":"model","owned_by":"deepseek"}]})");
}

TEST_F(SimTest, ValidationErrors) {
  Simulator sim = make();
  const std::string msgs = R"("messages":[{"role":"user","content":"hi"}])";
  struct Case {
    std::string body;
    int status;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"{not json", 400, "invalid_request"},
      {"[1,2]", 400, "invalid_request"},
      {R"({"messages":[{"role":"user","content":"hi"}]})", 400, "invalid_request"},
      {R"({"model":"gpt-4o",)" + msgs + "}", 400, "model_not_found"},
      {R"({"model":"deepseek-chat",)" + msgs + "}", 400, "model_not_found"},  // retired 2026-07-24
      {R"({"model":"deepseek-flash","messages":[]})", 400, "invalid_request"},
      {R"({"model":"deepseek-flash","max_tokens":0,)" + msgs + "}", 422, "invalid_parameter"},
      {R"({"model":"deepseek-flash","max_tokens":393217,)" + msgs + "}", 422, "invalid_parameter"},
      {R"({"model":"deepseek-flash","temperature":2.5,)" + msgs + "}", 422, "invalid_parameter"},
      {R"({"model":"deepseek-flash","messages":[{"role":"developer","content":"x"}]})", 422, "invalid_parameter"},
      {R"({"model":"deepseek-flash","tools":[{"type":"function","function":{"name":"bad name!"}}],)" + msgs + "}", 422,
       "invalid_parameter"},
      {R"({"model":"deepseek-flash","tool_choice":"required","tools":[{"type":"function","function":{"name":"f"}}],)" +
           msgs + "}",
       400, "invalid_request"},
  };
  for (const Case& c : cases) {
    net::Response r = sim.handle(post(c.body));
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
    EXPECT_EQ(code_of(r), c.code) << c.body;
  }
  std::string many = R"({"model":"deepseek-flash",)" + msgs + R"(,"tools":[)";
  for (int i = 0; i < 129; ++i)
    many += std::string(i ? "," : "") + R"({"type":"function","function":{"name":"f)" + std::to_string(i) + R"("}})";
  many += "]}";
  EXPECT_EQ(sim.handle(post(many)).status, 422);
  // The real API's message when a thinking-mode tool loop drops reasoning_content.
  net::Response dropped = sim.handle(post(
      R"({"model":"deepseek-flash","tools":[{"type":"function","function":{"name":"get"}}],"messages":[)"
      R"({"role":"user","content":"weather?"},)"
      R"({"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function","function":{"name":"get","arguments":"{}"}}]},)"
      R"({"role":"tool","tool_call_id":"c1","content":"sunny"}]})"));
  EXPECT_EQ(dropped.status, 400);
  EXPECT_NE(dropped.body.find(R"(The \"reasoning_content\" in the thinking mode must be passed back to the API)"),
            std::string::npos);
}

TEST_F(SimTest, UsageArithmeticAndCacheAcrossTurns) {
  Simulator sim = make();
  simdjson::dom::parser p;
  // Turn 1, non-thinking: BOS + system + <｜User｜> + user + <｜Assistant｜>.
  const std::string system = "You are a careful assistant.", user1 = "What is the capital of France?";
  net::Response r1 = sim.handle(post(R"({"model":"deepseek-flash","thinking":{"type":"disabled"},"messages":[)"
                                     R"({"role":"system","content":")" +
                                     system + R"("},{"role":"user","content":")" + user1 + R"("}]})"));
  ASSERT_EQ(r1.status, 200) << r1.body;
  simdjson::dom::element u1 = p.parse(r1.body)["usage"];
  const std::int64_t prompt1 = 1 + tokens(system) + 1 + tokens(user1) + 1;
  EXPECT_EQ(std::int64_t(u1["prompt_tokens"]), prompt1);
  EXPECT_EQ(std::int64_t(u1["prompt_cache_hit_tokens"]), 0);
  EXPECT_EQ(std::int64_t(u1["prompt_cache_miss_tokens"]), prompt1);
  EXPECT_EQ(std::int64_t(u1["completion_tokens_details"]["reasoning_tokens"]), 0);
  const std::string answer1(std::string_view(p.parse(r1.body)["choices"].at(0)["message"]["content"]));
  const std::int64_t completion1 = tokens(answer1);
  EXPECT_EQ(std::int64_t(p.parse(r1.body)["usage"]["completion_tokens"]), completion1);
  EXPECT_EQ(std::int64_t(p.parse(r1.body)["usage"]["total_tokens"]), prompt1 + completion1);

  // Turn 2 sends turn 1 back: the unit at the end of turn 1's output (its prompt,
  // the answer and <｜end▁of▁sentence｜>) is a full prefix and is billed as hits.
  const std::string user2 = "And of Spain?";
  net::Response r2 = sim.handle(
      post(R"({"model":"deepseek-flash","thinking":{"type":"disabled"},"messages":[{"role":"system","content":")" +
           system + R"("},{"role":"user","content":")" + user1 + R"("},{"role":"assistant","content":")" + answer1 +
           R"("},{"role":"user","content":")" + user2 + R"("}]})"));
  ASSERT_EQ(r2.status, 200) << r2.body;
  simdjson::dom::element u2 = p.parse(r2.body)["usage"];
  const std::int64_t hit = prompt1 + completion1 + 1;
  const std::int64_t prompt2 = hit + 1 + tokens(user2) + 1;
  EXPECT_EQ(std::int64_t(u2["prompt_tokens"]), prompt2);
  EXPECT_EQ(std::int64_t(u2["prompt_cache_hit_tokens"]), hit);
  EXPECT_EQ(std::int64_t(u2["prompt_tokens_details"]["cached_tokens"]), hit);
  EXPECT_EQ(std::int64_t(u2["prompt_cache_miss_tokens"]), prompt2 - hit);
}

TEST_F(SimTest, ThinkingModeAndMaxTokens) {
  Simulator sim = make();
  simdjson::dom::parser p;
  net::Response r = sim.handle(post(R"({"model":"deepseek-v4-pro","messages":[{"role":"user","content":"think"}]})"));
  ASSERT_EQ(r.status, 200);
  simdjson::dom::element doc = p.parse(r.body);
  std::string_view reasoning = doc["choices"].at(0)["message"]["reasoning_content"];
  EXPECT_FALSE(reasoning.empty());
  EXPECT_EQ(std::int64_t(doc["usage"]["completion_tokens_details"]["reasoning_tokens"]), tokens(reasoning));
  // max_tokens 3 cuts the reasoning: finish_reason length, no content, 3 completion tokens.
  net::Response cut =
      sim.handle(post(R"({"model":"deepseek-v4-pro","max_tokens":3,"messages":[{"role":"user","content":"think"}]})"));
  simdjson::dom::element c = p.parse(cut.body);
  EXPECT_EQ(std::string_view(c["choices"].at(0)["finish_reason"]), "length");
  EXPECT_EQ(std::int64_t(c["usage"]["completion_tokens"]), 3);
  EXPECT_EQ(std::string_view(c["choices"].at(0)["message"]["content"]), "");
}

TEST_F(SimTest, JsonModeAndToolCallsFollowTheSchema) {
  Simulator sim = make();
  simdjson::dom::parser p;
  net::Response j = sim.handle(post(R"({"model":"deepseek-flash","response_format":{"type":"json_object"},)"
                                    R"("messages":[{"role":"user","content":"answer in JSON"}]})"));
  std::string content(std::string_view(p.parse(j.body)["choices"].at(0)["message"]["content"]));
  simdjson::dom::parser inner;
  simdjson::dom::object parsed;
  EXPECT_FALSE(inner.parse(content).get_object().get(parsed)) << content;

  net::Response t = sim.handle(post(
      R"({"model":"deepseek-flash","thinking":{"type":"disabled"},"tool_choice":{"type":"function","function":{"name":"get_weather"}},)"
      R"("tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",)"
      R"("properties":{"city":{"type":"string"},"days":{"type":"integer"},"unit":{"type":"string","enum":["c","f"]}},)"
      R"("required":["city"]}}}],"messages":[{"role":"user","content":"weather in Paris"}]})"));
  ASSERT_EQ(t.status, 200) << t.body;
  simdjson::dom::element choice = p.parse(t.body)["choices"].at(0);
  EXPECT_EQ(std::string_view(choice["finish_reason"]), "tool_calls");
  simdjson::dom::element call = choice["message"]["tool_calls"].at(0);
  EXPECT_EQ(std::string_view(call["function"]["name"]), "get_weather");
  EXPECT_EQ(std::string_view(call["function"]["arguments"]), R"({"city":"example","days":1,"unit":"c"})");
}

TEST_F(SimTest, StreamChunkSequence) {
  Simulator sim = make();
  net::Response r =
      sim.handle(post(R"({"model":"deepseek-v4-pro","stream":true,"stream_options":{"include_usage":true},)"
                      R"("messages":[{"role":"user","content":"hi"}]})"));
  ASSERT_TRUE(r.stream.has_value());
  const auto& chunks = *r.stream;
  ASSERT_GE(chunks.size(), 4u);
  EXPECT_EQ(chunks.back().data, "data: [DONE]\n\n");
  simdjson::dom::parser p;
  auto json = [&](size_t i) {
    const std::string& d = chunks[i].data;
    EXPECT_EQ(d.rfind("data: ", 0), 0u);
    return p.parse(d.substr(6));
  };
  EXPECT_EQ(std::string_view(json(0)["choices"].at(0)["delta"]["role"]), "assistant");
  EXPECT_TRUE(json(0)["usage"].is_null());
  // Reasoning deltas come before content deltas.
  bool seen_content = false;
  std::string reasoning, content;
  for (size_t i = 1; i + 2 < chunks.size(); ++i) {
    simdjson::dom::element delta = json(i)["choices"].at(0)["delta"];
    std::string_view s;
    if (!delta["reasoning_content"].get_string().get(s)) {
      EXPECT_FALSE(seen_content) << "reasoning after content";
      reasoning += s;
    }
    if (!delta["content"].get_string().get(s)) {
      seen_content = true;
      content += s;
    }
  }
  simdjson::dom::element last = json(chunks.size() - 2);
  EXPECT_EQ(std::string_view(last["choices"].at(0)["finish_reason"]), "stop");
  EXPECT_EQ(std::int64_t(last["usage"]["completion_tokens"]), tokens(reasoning) + tokens(content));
  EXPECT_EQ(std::int64_t(last["usage"]["completion_tokens_details"]["reasoning_tokens"]), tokens(reasoning));
}

TEST_F(SimTest, BalanceIsSpentExactlyAndThen402) {
  // $0.0005 of balance; one Pro request at peak costs (prompt x 1.32 + output x 3.96) per 1M.
  Simulator sim = make(SimOptions{.balance = *core::parse_money("0.0005")});
  simdjson::dom::parser p;
  net::Response r = sim.handle(post(R"({"model":"deepseek-v4-pro","messages":[{"role":"user","content":"hi"}]})"));
  ASSERT_EQ(r.status, 200);
  simdjson::dom::element u = p.parse(r.body)["usage"];
  const std::int64_t prompt = std::int64_t(u["prompt_tokens"]), output = std::int64_t(u["completion_tokens"]);
  const core::Money cost = core::Money::from_femto(static_cast<core::int128>(prompt) * 1'320'000'000 +
                                                   static_cast<core::int128>(output) * 3'960'000'000);
  EXPECT_EQ(*sim.balance(), *core::parse_money("0.0005") - cost);
  // Spend the rest, then the API answers 402.
  for (int i = 0; i < 50 && sim.balance()->femto() > 0; ++i) {
    (void)sim.handle(post(R"({"model":"deepseek-v4-pro","messages":[{"role":"user","content":"again )" +
                          std::to_string(i) + R"("}]})"));
  }
  net::Response broke = sim.handle(post(R"({"model":"deepseek-v4-pro","messages":[{"role":"user","content":"hi"}]})"));
  EXPECT_EQ(broke.status, 402);
  EXPECT_EQ(code_of(broke), "insufficient_balance");
}

TEST_F(SimTest, AnthropicMessages) {
  Simulator sim = make();
  simdjson::dom::parser p;
  net::Request r = post(R"({"model":"claude-opus-4","max_tokens":1024,"system":"Be brief.",)"
                        R"("messages":[{"role":"user","content":"hello"}]})",
                        "/anthropic/v1/messages");
  r.headers = {{"x-api-key", "sk-test"}};
  net::Response resp = sim.handle(r);
  ASSERT_EQ(resp.status, 200) << resp.body;
  simdjson::dom::element m = p.parse(resp.body);
  EXPECT_EQ(std::string_view(m["type"]), "message");
  EXPECT_EQ(std::string_view(m["content"].at(0)["type"]), "thinking");
  EXPECT_EQ(std::string_view(m["content"].at(1)["type"]), "text");
  EXPECT_EQ(std::string_view(m["stop_reason"]), "end_turn");
  // claude-opus* is billed as Pro: BOS + system + <｜User｜> + "hello" + <｜Assistant｜>.
  EXPECT_EQ(std::int64_t(m["usage"]["input_tokens"]) + std::int64_t(m["usage"]["cache_read_input_tokens"]),
            3 + tokens("Be brief.") + tokens("hello"));
  // Errors come in Anthropic's shape.
  net::Request bad = r;
  bad.body = R"({"model":"claude-sonnet-4","messages":[{"role":"user","content":"x"}]})";  // no max_tokens
  net::Response e = sim.handle(bad);
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(std::string_view(p.parse(e.body)["type"]), "error");
  EXPECT_EQ(std::string_view(p.parse(e.body)["error"]["type"]), "invalid_request_error");
}

TEST_F(SimTest, ResponsesApi) {
  Simulator sim = make();
  simdjson::dom::parser p;
  net::Response resp = sim.handle(post(R"({"model":"deepseek-v4-pro","instructions":"Be brief.","input":"hello"})",
                                       "/v1/responses"));
  ASSERT_EQ(resp.status, 200) << resp.body;
  simdjson::dom::element r = p.parse(resp.body);
  EXPECT_EQ(std::string_view(r["object"]), "response");
  EXPECT_EQ(std::string_view(r["status"]), "completed");
  EXPECT_EQ(std::string_view(r["output"].at(0)["type"]), "reasoning");  // thinking is on by default
  EXPECT_EQ(std::string_view(r["output"].at(1)["type"]), "message");
  // The same prompt as a chat request: BOS + system + <｜User｜> + "hello" + <｜Assistant｜>.
  const std::int64_t input = std::int64_t(r["usage"]["input_tokens"]);
  EXPECT_EQ(input, 3 + tokens("Be brief.") + tokens("hello"));
  const std::int64_t output = std::int64_t(r["usage"]["output_tokens"]);
  EXPECT_EQ(std::int64_t(r["usage"]["total_tokens"]), input + output);
  EXPECT_EQ(std::int64_t(r["usage"]["input_tokens_details"]["cached_tokens"]), 0);
  // Reasoning and text add up to the output (no tools).
  const std::string_view reasoning = r["output"].at(0)["content"].at(0)["text"];
  const std::string_view text = r["output"].at(1)["content"].at(0)["text"];
  EXPECT_EQ(std::int64_t(r["usage"]["output_tokens_details"]["reasoning_tokens"]), tokens(reasoning));
  EXPECT_EQ(output, tokens(reasoning) + tokens(text));

  // Streamed: typed events, numbered from 0, whose deltas add up to the final
  // text; the last is response.completed and there is no [DONE].
  net::Response streamed = sim.handle(post(R"({"model":"deepseek-flash","input":"hello","stream":true})", "/responses"));
  ASSERT_EQ(streamed.status, 200);
  std::string deltas, last;
  std::int64_t expected_sequence = 0;
  ASSERT_TRUE(streamed.stream.has_value());
  for (const net::Chunk& c : *streamed.stream) {
    ASSERT_EQ(c.data.rfind("event: ", 0), 0u) << c.data;
    const std::string data = c.data.substr(c.data.find("\ndata: ") + 7);
    simdjson::dom::element e = p.parse(data);
    EXPECT_EQ(std::int64_t(e["sequence_number"]), expected_sequence++);
    if (std::string_view(e["type"]) == "response.output_text.delta") deltas += std::string_view(e["delta"]);
    last = data;
  }
  simdjson::dom::element end = p.parse(last);
  EXPECT_EQ(std::string_view(end["type"]), "response.completed");
  EXPECT_EQ(std::string_view(end["response"]["output"].at(1)["content"].at(0)["text"]), deltas);
  EXPECT_GT(std::int64_t(end["response"]["usage"]["output_tokens"]), 0);

  // Cut by max_output_tokens: incomplete, and the cap is what was billed.
  simdjson::dom::element cut = p.parse(
      sim.handle(post(R"({"model":"deepseek-v4-pro","input":"hello","max_output_tokens":5})", "/v1/responses")).body);
  EXPECT_EQ(std::string_view(cut["status"]), "incomplete");
  EXPECT_EQ(std::string_view(cut["incomplete_details"]["reason"]), "max_output_tokens");
  EXPECT_EQ(std::int64_t(cut["usage"]["output_tokens"]), 5);

  // Errors in the OpenAI shape, naming the field.
  net::Response stateful = sim.handle(post(R"({"model":"deepseek-flash","input":"x","previous_response_id":"r"})",
                                           "/v1/responses"));
  EXPECT_EQ(stateful.status, 400);
  EXPECT_EQ(code_of(stateful), "invalid_request");
  EXPECT_EQ(sim.handle(post(R"({"model":"deepseek-flash"})", "/v1/responses")).status, 400);
  EXPECT_EQ(sim.handle(post(R"({"model":"deepseek-flash","input":"x","reasoning":{"effort":"huge"}})",
                            "/v1/responses")).status,
            422);
  EXPECT_EQ(code_of(sim.handle(post(R"({"model":"nope","input":"x"})", "/v1/responses"))), "model_not_found");
}

TEST_F(SimTest, ForcedFaults) {
  Simulator sim = make();
  const std::string body = R"({"model":"deepseek-flash","stream":true,"messages":[{"role":"user","content":"x"}]})";
  for (auto [fault, status, code] :
       {std::tuple{"429", 429, "rate_limit_exceeded"}, std::tuple{"500", 500, "server_error"},
        std::tuple{"503", 503, "server_overloaded"}}) {
    net::Request r = post(body);
    r.headers.emplace_back("x-sim-fault", fault);
    net::Response resp = sim.handle(r);
    EXPECT_EQ(resp.status, status);
    EXPECT_EQ(code_of(resp), code);
  }
  net::Request cut = post(body);
  cut.headers.emplace_back("x-sim-fault", "cut");
  net::Response c = sim.handle(cut);
  ASSERT_TRUE(c.stream);
  EXPECT_TRUE(c.abort_after_stream);
  EXPECT_EQ(c.stream->back().data.find("[DONE]"), std::string::npos);
  net::Request malformed = post(body);
  malformed.headers.emplace_back("x-sim-fault", "malformed");
  net::Response m = sim.handle(malformed);
  size_t broken = 0;
  for (const net::Chunk& ch : *m.stream) broken += ch.data == "data: {\"id\": \"broken\n\n";
  EXPECT_EQ(broken, 1u);
  // Five chat requests, one fault each, counted by kind.
  net::Request metrics;
  metrics.method = "GET";
  metrics.target = "/metrics";
  const std::string text = sim.handle(metrics).body;
  for (const char* line :
       {"flashfirst_sim_chat_requests_total 5\n", "flashfirst_sim_faults_total{kind=\"429\"} 1\n",
        "flashfirst_sim_faults_total{kind=\"500\"} 1\n", "flashfirst_sim_faults_total{kind=\"503\"} 1\n",
        "flashfirst_sim_faults_total{kind=\"slow\"} 0\n", "flashfirst_sim_faults_total{kind=\"cut\"} 1\n",
        "flashfirst_sim_faults_total{kind=\"malformed\"} 1\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
  }
}

TEST_F(SimTest, ConcurrencyLimitAndInFlight) {
  Simulator sim = make(SimOptions{.pro_concurrency = 2});
  const std::string body = R"({"model":"deepseek-v4-pro","messages":[{"role":"user","content":"x"}]})";
  net::Response a = sim.handle(post(body));
  net::Response b = sim.handle(post(body));
  EXPECT_EQ(sim.in_flight(core::Tier::kPro), 2);
  EXPECT_EQ(sim.handle(post(body)).status, 429);  // a third while two are being answered
  a = net::Response{};                            // the first answer is done
  EXPECT_EQ(sim.in_flight(core::Tier::kPro), 1);
  EXPECT_EQ(sim.handle(post(body)).status, 200);
  // The refusal is counted apart from drawn faults.
  net::Request metrics;
  metrics.method = "GET";
  metrics.target = "/metrics";
  EXPECT_NE(sim.handle(metrics).body.find("flashfirst_sim_concurrency_refusals_total 1\n"), std::string::npos);
}

TEST(SimTiming, KeepAlivesWhileWaiting) {
  FixedClock clock;
  pricing::PriceBook book = pricing::load_embedded_price_book().value();
  SimOptions o;
  o.speed = 1;
  o.pro = ModelSpeed{2500, 1000.0};  // 2.5 s to the first token
  o.keep_alive_interval = std::chrono::milliseconds(1000);
  sim::QualityModel quality = sim::QualityModel::embedded().value();
  Simulator sim(book, tokenizer::BpeTokenizer::deepseek(), quality, o, clock);
  net::Request r;
  r.method = "POST";
  r.target = "/chat/completions";
  r.headers = {{"authorization", "Bearer k"}};
  r.body = R"({"model":"deepseek-v4-pro","stream":true,"messages":[{"role":"user","content":"x"}]})";
  net::Response s = sim.handle(r);
  ASSERT_TRUE(s.stream);
  // 2.5 s of waiting: keep-alive at 1 s and 2 s, then the first chunk 0.5 s later.
  EXPECT_EQ((*s.stream)[0].data, ": keep-alive\n\n");
  EXPECT_EQ((*s.stream)[1].data, ": keep-alive\n\n");
  EXPECT_EQ((*s.stream)[2].delay, std::chrono::milliseconds(500));
  EXPECT_EQ((*s.stream)[2].data.rfind("data: {", 0), 0u);
  r.body = R"({"model":"deepseek-v4-pro","thinking":{"type":"disabled"},"messages":[{"role":"user","content":"x"}]})";
  net::Response j = sim.handle(r);
  ASSERT_TRUE(j.stream);
  EXPECT_EQ((*j.stream)[0].data, "\n");  // a blank line before the JSON body
  EXPECT_EQ(j.stream->back().data.front(), '{');
}

}  // namespace
}  // namespace ff::sim

namespace ff::sim {
namespace {

TEST(QualityModel, ShippedPriorsAndEffort) {
  sim::QualityModel q = sim::QualityModel::embedded().value();
  EXPECT_EQ(q.categories().size(), 11u);
  // data/quality.toml: AIME 2025 at high effort, Flash 66.3 and Pro 78.9.
  EXPECT_DOUBLE_EQ(*q.failure_probability(core::Tier::kFlash, "multi_step_reasoning", "high"), 0.337);
  EXPECT_DOUBLE_EQ(*q.failure_probability(core::Tier::kPro, "multi_step_reasoning", "high"), 0.211);
  // Non-thinking multiplies by 1.3: 0.211 x 1.3 = 0.2743.
  EXPECT_DOUBLE_EQ(*q.failure_probability(core::Tier::kPro, "multi_step_reasoning", "none"), 0.211 * 1.3);
  EXPECT_FALSE(q.failure_probability(core::Tier::kPro, "poetry", "high").has_value());
  for (const auto& c : q.categories()) EXPECT_FALSE(c.source.empty()) << c.name;
}

TEST(QualityModel, LoaderErrorsNameLineAndField) {
  const std::string head = "[effort]\nnone = 1\nlow = 1\nhigh = 1\nmax = 1\n";
  auto no_source = sim::QualityModel::parse(
      head + "[[category]]\nname = \"straightforward_qa\"\nflash = 0.1\npro = 0.1\ncheckable = 0.5\n", "q.toml");
  ASSERT_FALSE(no_source.ok());
  EXPECT_EQ(no_source.error().message,
            "q.toml:6: category[1].source: missing: say where the numbers come from");
  auto bad_p = sim::QualityModel::parse(
      head + "[[category]]\nname = \"straightforward_qa\"\nflash = 1.5\npro = 0.1\ncheckable = 0.5\nsource = \"x\"\n",
      "q.toml");
  ASSERT_FALSE(bad_p.ok());
  EXPECT_EQ(bad_p.error().message, "q.toml:8: category[1].flash: must be a number from 0 to 1");
}

class QualityTest : public ::testing::Test {
 protected:
  struct Clock final : core::Clock {
    core::Timestamp now() const override { return core::Timestamp{1795485600}; }
  };
  QualityTest()
      : book_(pricing::load_embedded_price_book().value()),
        // Flash always fails, Pro never does.
        quality_(sim::QualityModel::parse(
                     "[effort]\nnone = 1\nlow = 1\nhigh = 1\nmax = 1\n[[category]]\n"
                     "name = \"straightforward_qa\"\nflash = 1\npro = 0\ncheckable = 1\nsource = \"test\"\n",
                     "test.toml")
                     .value()),
        sim_(book_, tokenizer::BpeTokenizer::deepseek(), quality_, SimOptions{.speed = 0}, clock_) {}
  simdjson::dom::element ask(const std::string& body) {
    net::Request r;
    r.method = "POST";
    r.target = "/chat/completions";
    r.headers = {{"authorization", "Bearer k"}};
    r.body = body;
    last_ = sim_.handle(r);
    EXPECT_EQ(last_.status, 200) << last_.body;
    return parser_.parse(last_.body);
  }
  pricing::PriceBook book_;
  sim::QualityModel quality_;
  Clock clock_;
  Simulator sim_;
  net::Response last_;
  simdjson::dom::parser parser_;
};

TEST_F(QualityTest, FailuresAreCheckable) {
  const std::string q =
      R"("thinking":{"type":"disabled"},"metadata":{"expected_answer":"42"},"messages":[{"role":"user","content":"6 x 7?"}])";
  EXPECT_EQ(std::string_view(ask(R"({"model":"deepseek-v4-pro",)" + q + "}")["choices"].at(0)["message"]["content"]),
            "42");
  EXPECT_EQ(std::string_view(ask(R"({"model":"deepseek-flash",)" + q + "}")["choices"].at(0)["message"]["content"]),
            "43");
  // JSON mode: a failing answer is not JSON.
  std::string json(std::string_view(
      ask(R"({"model":"deepseek-flash","thinking":{"type":"disabled"},"response_format":{"type":"json_object"},"messages":[{"role":"user","content":"json"}]})")
          ["choices"]
              .at(0)["message"]["content"]));
  simdjson::dom::parser p;
  EXPECT_TRUE(p.parse(json).error()) << json;
  // Tools: the arguments break the schema (a required property is missing).
  simdjson::dom::element t = ask(
      R"({"model":"deepseek-flash","thinking":{"type":"disabled"},"tool_choice":"required","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],"messages":[{"role":"user","content":"go"}]})");
  EXPECT_EQ(std::string_view(t["choices"].at(0)["message"]["tool_calls"].at(0)["function"]["arguments"]), "{}");
  // Free text: the answer is cut short.
  EXPECT_EQ(
      std::string_view(ask(R"({"model":"deepseek-flash","messages":[{"role":"user","content":"hi"}]})")["choices"].at(
          0)["finish_reason"]),
      "length");
  // An unknown category is a 422 naming the known ones.
  net::Request r;
  r.method = "POST";
  r.target = "/chat/completions";
  r.headers = {{"authorization", "Bearer k"}};
  r.body = R"({"model":"deepseek-flash","metadata":{"category":"poetry"},"messages":[{"role":"user","content":"x"}]})";
  net::Response bad = sim_.handle(r);
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("'poetry' is not one of: straightforward_qa"), std::string::npos);
}

// POSTs `body` to the simulator's chat route with a key.
net::Response chat(Simulator& sim, std::string body) {
  net::Request r;
  r.method = "POST";
  r.target = "/chat/completions";
  r.headers = {{"authorization", "Bearer k"}};
  r.body = std::move(body);
  return sim.handle(r);
}

TEST(QualityRates, DrawnFailuresMatchThePrior) {
  // 2,000 different multi-step reasoning questions to Flash at high effort: the
  // prior is 0.337, so the failure count should be 674 +- 3 sigma
  // (sigma = sqrt(2000 x 0.337 x 0.663) = 21.1): between 611 and 737.
  ShippedSim shipped;
  Simulator& sim = shipped.sim;
  simdjson::dom::parser p;
  int wrong = 0;
  for (int i = 0; i < 2000; ++i) {
    net::Response resp =
        chat(sim, R"({"model":"deepseek-flash","metadata":{"category":"multi_step_reasoning","expected_answer":"7"},)"
                  R"("messages":[{"role":"user","content":"question )" +
                      std::to_string(i) + R"("}]})");
    wrong += std::string_view(p.parse(resp.body)["choices"].at(0)["message"]["content"]) != "7";
  }
  EXPECT_GE(wrong, 611);
  EXPECT_LE(wrong, 737);
}

TEST(QualityRates, OnlyTheCheckableShareOfFailuresShows) {
  // Flash always fails in this category, and 30% of its failures show in the
  // answer's form. 2,000 free-text questions without max_tokens: a failure that
  // shows is cut (finish_reason length); the rest are whole answers in good form.
  // Expected 600 cut, sigma = sqrt(2000 x 0.3 x 0.7) = 20.5: between 539 and 661.
  FixedClock clock;
  pricing::PriceBook book = pricing::load_embedded_price_book().value();
  sim::QualityModel quality =
      sim::QualityModel::parse(
          "[effort]\nnone = 1\nlow = 1\nhigh = 1\nmax = 1\n[[category]]\n"
          "name = \"straightforward_qa\"\nflash = 1\npro = 0\ncheckable = 0.3\nsource = \"t\"\n",
          "t.toml")
          .value();
  Simulator sim{book, tokenizer::BpeTokenizer::deepseek(), quality, SimOptions{.speed = 0}, clock};
  simdjson::dom::parser p;
  int cut = 0;
  for (int i = 0; i < 2000; ++i) {
    net::Response resp = chat(sim, R"({"model":"deepseek-flash","thinking":{"type":"disabled"},)"
                                   R"("messages":[{"role":"user","content":"question )" +
                                       std::to_string(i) + R"("}]})");
    cut += std::string_view(p.parse(resp.body)["choices"].at(0)["finish_reason"]) == "length";
  }
  EXPECT_GE(cut, 539);
  EXPECT_LE(cut, 661);
}

}  // namespace
}  // namespace ff::sim

#include "sim/sim_config.h"

namespace ff::sim {
namespace {

TEST(SimConfig, ParsesEveryTable) {
  auto cfg = parse_sim_config(R"(
listen = "127.0.0.1:0"
keys = ["a", "b"]
balance = "12.50"
date = 2026-11-24T02:00:00Z
speed = 0
seed = 7
keep_alive_ms = 500
[concurrency]
flash = 10
pro = 2
[latency.pro]
first_token_ms = 100
tokens_per_second = 50
[cache]
interval_tokens = 1024
expiry_seconds = 60
[faults]
overloaded = 0.25
slow_first_byte_ms = 20
)",
                              "sim.toml");
  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  const SimOptions& o = cfg->options;
  EXPECT_EQ(*cfg->listen, "127.0.0.1:0");
  EXPECT_EQ(o.keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o.balance->to_decimal(), "12.50");
  EXPECT_EQ(o.date->unix_seconds, 1795485600);
  EXPECT_EQ(o.speed, 0);
  EXPECT_EQ(o.seed, 7u);
  EXPECT_EQ(o.keep_alive_interval, std::chrono::milliseconds(500));
  EXPECT_EQ(o.flash_concurrency, 10);
  EXPECT_EQ(o.pro_concurrency, 2);
  EXPECT_EQ(o.pro.first_token_ms, 100);
  EXPECT_EQ(o.pro.tokens_per_second, 50);
  EXPECT_EQ(o.flash.first_token_ms, 350);  // untouched default
  EXPECT_EQ(o.cache.interval_tokens, 1024);
  EXPECT_EQ(o.cache.expiry_seconds, 60);
  EXPECT_EQ(o.faults.overloaded, 0.25);
  EXPECT_EQ(o.faults.slow_first_byte_ms, 20);
}

TEST(SimConfig, ErrorsNameLineAndField) {
  auto typo = parse_sim_config("speed = 1\n[faults]\noverload = 0.1\n", "sim.toml");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().message,
            "sim.toml:3: faults.overload: unknown field (expected rate_limited, server_error, overloaded, "
            "slow_first_byte, stream_cut, malformed_chunk, slow_first_byte_ms)");
  auto range = parse_sim_config("[faults]\noverloaded = 2\n", "sim.toml");
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.error().message, "sim.toml:2: faults.overloaded: must be a number from 0 to 1");
  auto money = parse_sim_config("balance = -5\n", "sim.toml");
  ASSERT_FALSE(money.ok());
  EXPECT_EQ(money.error().message,
            "sim.toml:1: balance: must be an amount of USD as a string, e.g. \"100.00\"");
}

}  // namespace
}  // namespace ff::sim

namespace ff::sim {
namespace {

TEST(SimRobustness, MutatedBodiesNeverCrashAndAlwaysAnswerJson) {
  // 4,000 corruptions of valid requests (truncation, byte flips, spliced values)
  // for both protocols: every answer is a status the API uses, with a JSON body.
  ShippedSim shipped;
  Simulator& sim = shipped.sim;
  const std::vector<std::pair<std::string, std::string>> seeds = {
      {"/chat/completions",
       R"({"model":"deepseek-flash","stream":true,"response_format":{"type":"json_object"},"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"array","items":{"type":"integer"}}},"required":["a"]}}}],"messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"assistant","content":null,"reasoning_content":"r","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c","content":"x"}]})"},
      {"/anthropic/v1/messages",
       R"({"model":"claude-opus-4","max_tokens":100,"system":[{"type":"text","text":"s"}],"tools":[{"name":"t","input_schema":{"type":"object","properties":{"q":{"type":"string"}}}}],"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"thinking","thinking":"x"},{"type":"tool_use","id":"u","name":"t","input":{"q":"a"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"u","content":"ok"}]}]})"},
  };
  const std::vector<std::string> splices = {"null",
                                            "-1",
                                            "1e308",
                                            "\"\"",
                                            "[]",
                                            "{}",
                                            "true",
                                            "\"\xff\xfe\"",
                                            "393217",
                                            "\"developer\"",
                                            "[[[[[[[[[[]]]]]]]]]]"};
  std::uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  simdjson::dom::parser p;
  int statuses[600] = {};
  for (int i = 0; i < 4000; ++i) {
    const auto& [path, seed] = seeds[i % seeds.size()];
    std::string body = seed;
    switch (next() % 3) {
      case 0:
        body.resize(next() % body.size());
        break;
      case 1:
        for (int k = 0; k < 3; ++k) body[next() % body.size()] = static_cast<char>(next() % 256);
        break;
      default: {
        // Replace the value after a random ':' with another JSON value.
        size_t colon = body.find(':', next() % body.size());
        if (colon != std::string::npos) {
          size_t end = body.find_first_of(",}", colon + 1);
          body.replace(colon + 1, end == std::string::npos ? std::string::npos : end - colon - 1,
                       splices[next() % splices.size()]);
        }
      }
    }
    net::Request r;
    r.method = "POST";
    r.target = path;
    r.headers = {{"authorization", "Bearer k"}};
    r.body = body;
    net::Response resp = sim.handle(r);
    ASSERT_TRUE(resp.status == 200 || resp.status == 400 || resp.status == 422) << resp.status << " for " << body;
    ++statuses[resp.status];
    if (resp.stream) continue;
    simdjson::dom::element e;
    EXPECT_FALSE(p.parse(resp.body).get(e)) << resp.body;
  }
  // Both outcomes occur: the corruptions are not all caught by the same check.
  EXPECT_GT(statuses[200], 0);
  EXPECT_GT(statuses[400] + statuses[422], 1000);
}

}  // namespace
}  // namespace ff::sim
