#include <gtest/gtest.h>
#include <simdjson.h>

#include "cascade/check.h"
#include "gateway/body_edit.h"
#include "gateway/gateway.h"
#include "gateway/serve_config.h"
#include "wire/chat_completion.h"

namespace ff::gateway {
namespace {

TEST(BodyEdit, FindsTopLevelMembersOnly) {
  const std::string body = R"({"messages":[{"model":"inner"}],"x":{"model":1}, "model" : "auto","n":2})";
  auto span = find_member(body, "model");
  ASSERT_TRUE(span.has_value());
  EXPECT_EQ(body.substr(span->offset, span->length), "\"auto\"");
  EXPECT_FALSE(find_member(body, "absent").has_value());
  auto n = find_member(body, "n");
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(body.substr(n->offset, n->length), "2");
}

TEST(BodyEdit, AKeyWrittenWithEscapesIsTheSameKey) {
  // "mod\u0065l" is "model" to every JSON parser: it is found, and replaced, not added twice.
  const std::string body = R"({"mod\u0065l":"auto","n":1})";
  auto span = find_member(body, "model");
  ASSERT_TRUE(span.has_value());
  EXPECT_EQ(body.substr(span->offset, span->length), "\"auto\"");
  EXPECT_EQ(set_member(body, "model", "\"x\""), R"({"mod\u0065l":"x","n":1})");
}

TEST(BodyEdit, AMemberNamedTwiceIsFound) {
  simdjson::dom::parser p;
  EXPECT_EQ(repeated_member(p.parse(std::string(R"({"model":"flash","stream":false,"model":"pro"})"))), "model");
  EXPECT_EQ(repeated_member(p.parse(std::string(R"({"stream":true,"str\u0065am":false})"))), "stream");
  EXPECT_EQ(repeated_member(p.parse(std::string(R"({"model":"m","messages":[{"a":1,"a":2}]})"))), std::nullopt);
  // Over 32 members they are sorted, not compared pairwise: the same answer.
  std::string many = "{";
  for (int i = 0; i < 40; ++i) many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  EXPECT_EQ(repeated_member(p.parse(many + "\"k7\":0}")), "k7");
  EXPECT_EQ(repeated_member(p.parse(many + "\"k40\":0}")), std::nullopt);
}

TEST(BodyEdit, ReplacesInPlaceAndKeepsEveryOtherByte) {
  const std::string body =
      "{ \"model\":\"auto\",\n  \"messages\":[{\"role\":\"user\",\"content\":\"a \\\"quoted\\\" }\"}] }";
  EXPECT_EQ(
      set_member(body, "model", "\"deepseek-v4-pro\""),
      "{ \"model\":\"deepseek-v4-pro\",\n  \"messages\":[{\"role\":\"user\",\"content\":\"a \\\"quoted\\\" }\"}] }");
}

TEST(BodyEdit, AddsAMissingMember) {
  EXPECT_EQ(set_member(R"({"stream":true})", "stream_options", R"({"include_usage":true})"),
            R"({"stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_EQ(set_member("{ }", "model", "\"x\""), "{\"model\":\"x\" }");
  // An existing value is replaced whole, whatever its type.
  EXPECT_EQ(
      set_member(R"({"stream_options":{"include_usage":false},"a":1})", "stream_options", R"({"include_usage":true})"),
      R"({"stream_options":{"include_usage":true},"a":1})");
}

TEST(BodyEdit, EditsAreMadeInOnePassAsSetMemberWouldMakeThem) {
  const std::string body = R"({ "model" : "auto", "messages":[{"role":"user","content":"}"}], "m\u006fde":1 } )";
  BodyEdits none(body);
  EXPECT_EQ(none.apply(), body);  // no edit: the body as it came
  BodyEdits e(body);
  e.set("model", R"("deepseek-v4-flash")");
  e.set("stream_options", R"({"include_usage":true})");
  e.set("user_id", R"("a")");
  e.set("user_id", R"("b")");  // set again: the later wins
  e.set("mode", "2");          // an escaped key is found by its decoded name
  const Span messages = *e.find("messages");
  EXPECT_EQ(body.substr(messages.offset, messages.length), R"([{"role":"user","content":"}"}])");
  e.replace(Span{messages.offset + 1, messages.length - 2}, R"({"role":"user","content":"x"})");
  EXPECT_EQ(e.apply(), R"({ "model" : "deepseek-v4-flash", "messages":[{"role":"user","content":"x"}], )"
                       R"("m\u006fde":2,"stream_options":{"include_usage":true},"user_id":"b" } )");
  // The same edits one at a time, a copy each, give the same body.
  std::string step = set_member(body, "model", R"("deepseek-v4-flash")");
  step = set_member(step, "stream_options", R"({"include_usage":true})");
  step = set_member(step, "user_id", R"("b")");
  BodyEdits three(body);
  three.set("model", R"("deepseek-v4-flash")");
  three.set("stream_options", R"({"include_usage":true})");
  three.set("user_id", R"("b")");
  EXPECT_EQ(three.apply(), step);
  // An empty object gets its first member without a comma.
  BodyEdits empty("{}");
  empty.set("a", "1");
  empty.set("b", "2");
  EXPECT_EQ(empty.apply(), R"({"a":1,"b":2})");
  EXPECT_FALSE(empty.find("a").has_value());  // added members are not in the client's body
}

// apply_effort on `body` as the gateway calls it: {body as sent, effort recorded}.
constexpr auto kChat = ff::wire::Protocol::kOpenAi;
constexpr auto kAnthropic = ff::wire::Protocol::kAnthropic;
constexpr auto kResponses = ff::wire::Protocol::kResponses;

std::pair<std::string, std::string> effort(std::string body, ff::wire::Protocol protocol, std::string_view policy) {
  simdjson::dom::parser p;
  simdjson::dom::element root = p.parse(body);
  BodyEdits edits(body);
  std::string sent = apply_effort(edits, root, protocol, policy);
  return {edits.apply(), sent};
}

TEST(BodyEdit, ThePolicysEffortIsSentTheWayTheApiTakesIt) {
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(effort(R"({"model":"m"})", kChat, "low"), P(R"({"model":"m","reasoning_effort":"low"})", "low"));
  EXPECT_EQ(effort(R"({"model":"m"})", kChat, "none"), P(R"({"model":"m","thinking":{"type":"disabled"}})", "none"));
  EXPECT_EQ(effort(R"({"model":"m"})", kAnthropic, "max"), P(R"({"model":"m","output_config":{"effort":"max"}})", "max"));
  EXPECT_EQ(effort(R"({"model":"m"})", kAnthropic, "none"), P(R"({"model":"m","thinking":{"type":"disabled"}})", "none"));
  // A null is as good as absent.
  EXPECT_EQ(effort(R"({"reasoning_effort":null})", kChat, "low"), P(R"({"reasoning_effort":"low"})", "low"));
  // The Responses API: reasoning.effort, where none turns thinking off.
  EXPECT_EQ(effort(R"({"model":"m"})", kResponses, "low"), P(R"({"model":"m","reasoning":{"effort":"low"}})", "low"));
  EXPECT_EQ(effort(R"({"model":"m"})", kResponses, "none"),
            P(R"({"model":"m","reasoning":{"effort":"none"}})", "none"));
  EXPECT_EQ(effort(R"({"reasoning":null})", kResponses, "max"), P(R"({"reasoning":{"effort":"max"}})", "max"));
}

TEST(BodyEdit, TheClientsOwnEffortIsKeptAndRecorded) {
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(effort(R"({"reasoning_effort":"max"})", kChat, "low"), P(R"({"reasoning_effort":"max"})", "max"));
  EXPECT_EQ(effort(R"({"thinking":{"type":"disabled"}})", kChat, "low"),
            P(R"({"thinking":{"type":"disabled"}})", "none"));
  // Thinking on without an effort: the API's default, high.
  EXPECT_EQ(effort(R"({"thinking":{"type":"enabled"}})", kChat, "low"),
            P(R"({"thinking":{"type":"enabled"}})", "high"));
  EXPECT_EQ(effort(R"({"output_config":{"effort":"low"}})", kAnthropic, "max"),
            P(R"({"output_config":{"effort":"low"}})", "low"));
  EXPECT_EQ(effort(R"({"thinking":{"type":"enabled","budget_tokens":9}})", kAnthropic, "low"),
            P(R"({"thinking":{"type":"enabled","budget_tokens":9}})", "high"));
  // Thinking off wins over an effort, in whatever order they come.
  EXPECT_EQ(effort(R"({"reasoning_effort":"max","thinking":{"type":"disabled"}})", kChat, "low"),
            P(R"({"reasoning_effort":"max","thinking":{"type":"disabled"}})", "none"));
  EXPECT_EQ(effort(R"({"reasoning":{"effort":"none"}})", kResponses, "max"),
            P(R"({"reasoning":{"effort":"none"}})", "none"));
  // reasoning without an effort (a summary setting): the API's default, high.
  EXPECT_EQ(effort(R"({"reasoning":{"summary":"auto"}})", kResponses, "low"),
            P(R"({"reasoning":{"summary":"auto"}})", "high"));
  // No policy effort (a concrete model named by the client): nothing is edited.
  EXPECT_EQ(effort(R"({"model":"m"})", kChat, ""), P(R"({"model":"m"})", ""));
}

// apply_user_id on `body` as the gateway calls it: the body as sent.
std::string with_user(std::string body, ff::wire::Protocol protocol, std::string_view user) {
  simdjson::dom::parser p;
  simdjson::dom::element root = p.parse(body);
  BodyEdits edits(body);
  apply_user_id(edits, root, protocol, user);
  return edits.apply();
}

TEST(BodyEdit, TheKeysUserIdUnlessTheRequestNamesOne) {
  EXPECT_EQ(with_user(R"({"model":"m"})", kChat, "team-a"), R"({"model":"m","user_id":"team-a"})");
  EXPECT_EQ(with_user(R"({"user_id":"u-7"})", kChat, "team-a"), R"({"user_id":"u-7"})");  // passes unchanged
  EXPECT_EQ(with_user(R"({"user_id":null})", kChat, "team-a"), R"({"user_id":"team-a"})");
  EXPECT_EQ(with_user(R"({"model":"m"})", kChat, ""), R"({"model":"m"})");  // no key user: nothing
  // Anthropic Messages: metadata.user_id, added to a metadata object the client sent.
  EXPECT_EQ(with_user(R"({"model":"m"})", kAnthropic, "team-a"), R"({"model":"m","metadata":{"user_id":"team-a"}})");
  EXPECT_EQ(with_user(R"({"metadata":{"trace":"x"},"n":1})", kAnthropic, "team-a"),
            R"({"metadata":{"trace":"x","user_id":"team-a"},"n":1})");
  EXPECT_EQ(with_user(R"({"metadata":{"user_id":"u-7"}})", kAnthropic, "team-a"), R"({"metadata":{"user_id":"u-7"}})");
  EXPECT_EQ(with_user(R"({"metadata":"odd"})", kAnthropic, "team-a"), R"({"metadata":"odd"})");  // the API's 400
  // The Responses API: user_id, as on chat completions.
  EXPECT_EQ(with_user(R"({"input":"hi"})", kResponses, "team-a"), R"({"input":"hi","user_id":"team-a"})");
}

TEST(ServeConfig, TheExampleSetsEverySetting) {
  auto c = load_serve_config(FF_SOURCE_DIR "/examples/serve.toml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  for (const ConfigField& f : serve_config_fields()) EXPECT_TRUE(c->values.count(f.name)) << f.name;
  EXPECT_EQ(c->values.size(), serve_config_fields().size());
  EXPECT_EQ(std::get<std::int64_t>(c->values.at("max_body_mb")), 64);
  EXPECT_EQ(std::get<double>(c->values.at("sim_speed")), 1.0);
  EXPECT_EQ(std::get<bool>(c->values.at("insecure")), false);
  EXPECT_EQ(std::get<std::string>(c->values.at("access_log")), "-");
  ASSERT_EQ(c->keys.size(), 2u);
  // 5.5 as written, 100 as a string, 1000 as an integer: all exact.
  EXPECT_EQ(c->keys[0].budgets.per_day->to_decimal(), "5.50");
  EXPECT_EQ(c->keys[0].budgets.per_month->to_decimal(), "100.00");
  EXPECT_EQ(c->keys[0].budgets.total->to_decimal(), "1000.00");
  EXPECT_EQ(c->keys[0].rates.rpm, 600);
  EXPECT_EQ(c->keys[0].rates.tpm, 2'000'000);
  EXPECT_EQ(c->keys[0].rates.max_concurrent, 50);
  EXPECT_EQ(c->keys[1].tiers, std::vector<core::Tier>{core::Tier::kFlash});
  EXPECT_FALSE(c->keys[1].rates.any());
  EXPECT_EQ(c->keys[0].user_id, "team-a");
}

TEST(ServeConfig, RateLimitsAreWholeNumbers) {
  auto limit = [](const std::string& v) {
    auto c = parse_serve_config("[[key]]\nname = \"a\"\nkey = \"k\"\nrpm = " + v + "\n", "t.toml");
    return c.ok() ? std::to_string(*c->keys[0].rates.rpm) : c.error().message;
  };
  EXPECT_EQ(limit("60"), "60");
  const std::string bad = "t.toml:4: key[1].rpm: must be a whole number from 1 to 1000000000";
  EXPECT_EQ(limit("0"), bad);
  EXPECT_EQ(limit("1.5"), bad);
  EXPECT_EQ(limit("\"60\""), bad);
  auto user = parse_serve_config("[[key]]\nname = \"a\"\nkey = \"k\"\nuser_id = \"a b\"\n", "t.toml");
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.error().message, "t.toml:4: key[1].user_id: must be 1 to 512 of A-Z, a-z, 0-9, _ and -");
}

TEST(ServeConfig, ExactDecimalBudgetsAndClearErrors) {
  auto budget = [](const std::string& v) {
    auto c = parse_serve_config("[[key]]\nname = \"a\"\nkey = \"k\"\nbudget_per_day = " + v + "\n", "t.toml");
    return c.ok() ? c->keys[0].budgets.per_day->to_decimal() : c.error().message;
  };
  EXPECT_EQ(budget("5.5"), "5.50");
  EXPECT_EQ(budget("0.1"), "0.10");  // as written, not the double nearest 0.1
  EXPECT_EQ(budget("0.000000001"), "0.000000001");
  EXPECT_EQ(budget("1_000.25"), "1000.25");
  EXPECT_EQ(budget("\"12.50\""), "12.50");
  EXPECT_EQ(budget("5e3"), "t.toml:4: key[1].budget_per_day: '5e3' is not an amount");
  EXPECT_EQ(budget("-1.5"), "t.toml:4: key[1].budget_per_day: '-1.5' is not an amount");
  auto error = [](const std::string& text) {
    auto c = parse_serve_config(text, "t.toml");
    return c.ok() ? std::string("ok") : c.error().message;
  };
  EXPECT_EQ(error("max_body_mb = 0\n"), "t.toml:1: max_body_mb: must be a whole number from 1 to 1048576");
  EXPECT_EQ(error("read_timeout = \"30\"\n"), "t.toml:1: read_timeout: must be a number above 0 and at most 1000000");
  EXPECT_EQ(error("ledger_sync = \"fast\"\n"), "t.toml:1: ledger_sync: must be \"full\" or \"process\"");
  EXPECT_EQ(error("insecure = 1\n"), "t.toml:1: insecure: must be true or false");
  EXPECT_EQ(error("max_retries = 11\n"), "t.toml:1: max_retries: must be a whole number from 0 to 10");
  EXPECT_EQ(error("read_timeout = 2.5\n"), "ok");
}

TEST(Sha256, KnownVector) {
  // FIPS 180-2 example: SHA-256("abc").
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

const char* kToolRequest = R"({"messages":[{"role":"user","content":"weather"}],
  "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
    "properties":{"city":{"type":"string"},"days":{"type":"integer"},"unit":{"enum":["c","f"]}},"required":["city"]}}}]})";

std::string answer_with_call(const std::string& name, const std::string& args) {
  std::string escaped;
  for (char c : args) {
    if (c == '"') escaped += '\\';
    escaped += c;
  }
  return R"({"choices":[{"finish_reason":"tool_calls","message":{"role":"assistant","content":null,"tool_calls":[{"id":"1","type":"function","function":{"name":")" +
         name + R"(","arguments":")" + escaped + R"("}}]}}]})";
}

TEST(CascadeCheck, PassesAGoodAnswer) {
  EXPECT_EQ(cascade::check_answer("{}", R"({"choices":[{"finish_reason":"stop","message":{"content":"Hi."}}]})"),
            std::nullopt);
  EXPECT_EQ(
      cascade::check_answer(kToolRequest, answer_with_call("get_weather", R"({"city":"Oslo","days":3,"unit":"c"})")),
      std::nullopt);
}

TEST(CascadeCheck, EachFailure) {
  auto check = [](const std::string& req, const std::string& res) {
    return cascade::check_answer(req, res).value_or("pass");
  };
  EXPECT_EQ(check("{}", R"({"choices":[{"finish_reason":"length","message":{"content":"Hi"}}]})"),
            "finish_reason length at the model's own output limit (the client set no max_tokens)");
  EXPECT_EQ(check("{}", R"({"choices":[{"finish_reason":"content_filter","message":{"content":"x"}}]})"),
            "finish_reason content_filter");
  EXPECT_EQ(check("{}", R"({"choices":[{"finish_reason":"insufficient_system_resource","message":{"content":"x"}}]})"),
            "finish_reason insufficient_system_resource");
  EXPECT_EQ(check("{}", R"({"choices":[{"finish_reason":"stop","message":{"content":"  \n"}}]})"), "empty answer");
  EXPECT_EQ(check(R"({"response_format":{"type":"json_object"}})",
                  R"({"choices":[{"finish_reason":"stop","message":{"content":"{\"a\": 1"}}]})"),
            "answer is not a JSON object under json_object");
  EXPECT_EQ(check(kToolRequest, answer_with_call("get_time", "{}")), "tool call to undefined tool 'get_time'");
  EXPECT_EQ(check(kToolRequest, answer_with_call("get_weather", "{}")),
            "tool 'get_weather': missing required property 'city'");
  EXPECT_EQ(check(kToolRequest, answer_with_call("get_weather", R"({"city":"Oslo","days":"3"})")),
            "tool 'get_weather': 'days' must be integer");
  EXPECT_EQ(check(kToolRequest, answer_with_call("get_weather", R"({"city":"Oslo","unit":"k"})")),
            "tool 'get_weather': 'unit' is not one of the allowed values");
  EXPECT_EQ(check(kToolRequest, answer_with_call("get_weather", "{city")),
            "tool 'get_weather': arguments are not valid JSON");
  EXPECT_EQ(check("{}", "<html>"), "not a chat completion");
}

TEST(CascadeCheck, AnAnswerReadWithoutItsDomIsCheckedTheSame) {
  // The gateway reads the usual answer in one On-Demand pass (wire::read_completion)
  // and checks its first choice (check_choice): the verdicts of check_answer().
  const std::pair<const char*, const char*> cases[] = {
      {"{}", R"({"choices":[{"finish_reason":"stop","message":{"content":"Hi."}}]})"},
      {"{}", R"({"choices":[{"finish_reason":"length","message":{"content":"Hi"}}]})"},
      {R"({"max_tokens":5})", R"({"choices":[{"finish_reason":"length","message":{"content":""}}]})"},
      {"{}", R"({"choices":[{"finish_reason":"content_filter","message":{"content":"x"}}]})"},
      {"{}", R"({"choices":[{"finish_reason":"insufficient_system_resource"}]})"},
      {"{}", R"({"choices":[{"finish_reason":"stop","message":{"content":"  \n"}}]})"},
      {"{}", R"({"choices":[{"finish_reason":"stop","message":{"content":null,"tool_calls":[]}}]})"},
      {R"({"response_format":{"type":"json_object"}})",
       R"({"choices":[{"finish_reason":"stop","message":{"content":"{\"a\": 1"}}]})"},
      {R"({"response_format":{"type":"json_object"}})",
       R"({"choices":[{"finish_reason":"stop","message":{"content":"{\"a\": 1}"}}]})"},
  };
  for (const auto& [req, res] : cases) {
    simdjson::dom::parser p;
    simdjson::dom::element request;
    ASSERT_FALSE(p.parse(std::string(req)).get(request)) << req;
    const cascade::Terms terms = cascade::chat_terms(request);
    std::string body = res;
    body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    const auto read = wire::read_completion(body);
    ASSERT_TRUE(read.has_value()) << res;
    EXPECT_EQ(cascade::check_choice(terms, read->choice), cascade::check_answer(req, res)) << req << " " << res;
  }
}

TEST(CascadeCheck, ACutAtTheClientsOwnCapPasses) {
  // The client asked for at most 5 tokens and got them: Pro would stop at the
  // same cap, so escalating would only pay twice. Empty content too (in thinking
  // mode the reasoning can use the whole cap).
  const std::string cut = R"({"choices":[{"finish_reason":"length","message":{"content":"The cap"}}]})";
  const std::string empty =
      R"({"choices":[{"finish_reason":"length","message":{"content":"","reasoning_content":"Hm"}}]})";
  for (const char* req : {R"({"max_tokens":5})", R"({"max_completion_tokens":5})"}) {
    EXPECT_EQ(cascade::check_answer(req, cut), std::nullopt) << req;
    EXPECT_EQ(cascade::check_answer(req, empty), std::nullopt) << req;
  }
  // A cap of 0 or of the wrong type is not a cap the client set.
  EXPECT_EQ(cascade::check_answer(R"({"max_tokens":"5"})", cut).value_or("pass"),
            "finish_reason length at the model's own output limit (the client set no max_tokens)");
  // Anthropic: max_tokens is the client's cap as well.
  const std::string msg = R"({"type":"message","stop_reason":"max_tokens","content":[{"type":"text","text":""}]})";
  EXPECT_EQ(cascade::check_anthropic_answer(R"({"max_tokens":5})", msg), std::nullopt);
  // Without a cap, an empty answer cut at the model's limit still fails.
  EXPECT_EQ(cascade::check_anthropic_answer("{}", msg).value_or("pass"),
            "stop_reason max_tokens at the model's own output limit (the client set no max_tokens)");
}

TEST(CascadeCheck, AnthropicMessages) {
  auto check = [](const std::string& req, const std::string& res) {
    return cascade::check_anthropic_answer(req, res).value_or("pass");
  };
  const std::string tools = R"({"messages":[{"role":"user","content":"weather"}],"tools":[{"name":"get_weather",
    "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]})";
  auto use = [](const std::string& name, const std::string& input) {
    return R"({"type":"message","role":"assistant","stop_reason":"tool_use","content":[{"type":"tool_use","id":"t1","name":")" +
           name + R"(","input":)" + input + "}]}";
  };
  EXPECT_EQ(check("{}", R"({"type":"message","stop_reason":"end_turn","content":[{"type":"text","text":"Hi."}]})"),
            "pass");
  EXPECT_EQ(check(tools, use("get_weather", R"({"city":"Oslo"})")), "pass");
  EXPECT_EQ(check("{}", R"({"type":"message","stop_reason":"max_tokens","content":[{"type":"text","text":"Hi"}]})"),
            "stop_reason max_tokens at the model's own output limit (the client set no max_tokens)");
  EXPECT_EQ(
      check(
          "{}",
          R"({"type":"message","stop_reason":"end_turn","content":[{"type":"thinking","thinking":"hm"},{"type":"text","text":" "}]})"),
      "empty answer");
  EXPECT_EQ(check(tools, use("get_time", "{}")), "tool call to undefined tool 'get_time'");
  EXPECT_EQ(check(tools, use("get_weather", "{}")), "tool 'get_weather': missing required property 'city'");
  EXPECT_EQ(check(tools, use("get_weather", R"({"city":7})")), "tool 'get_weather': 'city' must be string");
  EXPECT_EQ(check("{}", R"({"choices":[]})"), "not a message");
}

// The terms an answer is checked against are read once from the request, in
// each protocol's shape; a schema is kept as its minified JSON text.
TEST(CascadeCheck, TheTermsAreReadOnceFromEachShape) {
  simdjson::dom::parser p;
  const cascade::Terms chat = cascade::chat_terms(p.parse(std::string(
      R"({"max_completion_tokens":5,"response_format":{"type":"json_object"},"tools":[)"
      R"({"type":"function","function":{"name":"get_weather","parameters":{"type":"object","required":["city"]}}},)"
      R"({"type":"function","function":{"name":"now"}}]})")));
  EXPECT_TRUE(chat.capped);
  EXPECT_TRUE(chat.json_object);
  ASSERT_EQ(chat.tools.size(), 2u);
  EXPECT_EQ(chat.tools[0].name, "get_weather");
  EXPECT_EQ(chat.tools[0].schema, R"({"type":"object","required":["city"]})");
  EXPECT_EQ(chat.tools[1].name, "now");
  EXPECT_EQ(chat.tools[1].schema, "");

  const cascade::Terms messages = cascade::messages_terms(
      p.parse(std::string(R"({"max_tokens":0,"tools":[{"name":"t","input_schema":{"type":"object"}}]})")));
  EXPECT_FALSE(messages.capped);  // 0 is no cap
  EXPECT_FALSE(messages.json_object);
  ASSERT_EQ(messages.tools.size(), 1u);
  EXPECT_EQ(messages.tools[0].schema, R"({"type":"object"})");

  const cascade::Terms responses = cascade::responses_terms(p.parse(std::string(
      R"({"max_output_tokens":100,"text":{"format":{"type":"json_object"}},)"
      R"("tools":[{"type":"function","name":"f","parameters":{"type":"object"}}]})")));
  EXPECT_TRUE(responses.capped);
  EXPECT_TRUE(responses.json_object);
  ASSERT_EQ(responses.tools.size(), 1u);
  EXPECT_EQ(responses.tools[0].name, "f");

  // A request that cannot be read has no terms: a cut is uncapped, any tool undefined.
  EXPECT_EQ(cascade::check_answer("not json", R"({"choices":[{"finish_reason":"length","message":{"content":"x"}}]})")
                .value_or("pass"),
            "finish_reason length at the model's own output limit (the client set no max_tokens)");
  const cascade::Terms none;
  EXPECT_EQ(cascade::check_answer(none, p.parse(std::string(
                                            R"({"choices":[{"finish_reason":"tool_calls","message":{"tool_calls":[)"
                                            R"({"function":{"name":"now","arguments":"{}"}}]}}]})")))
                .value_or("pass"),
            "tool call to undefined tool 'now'");
}

TEST(CascadeCheck, ResponsesApi) {
  auto check = [](const std::string& req, const std::string& res) {
    simdjson::dom::parser p;
    return cascade::check_responses_answer(req, p.parse(res)).value_or("pass");
  };
  const std::string tools = R"({"input":"weather","tools":[{"type":"function","name":"get_weather",
    "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]})";
  auto answer = [](const std::string& status, const std::string& items, const std::string& details = "null") {
    return R"({"object":"response","status":")" + status + R"(","incomplete_details":)" + details +
           R"(,"output":[)" + items + "]}";
  };
  const std::string text = R"({"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hi."}]})";
  auto call = [](const std::string& name, const std::string& args) {
    return R"({"type":"function_call","call_id":"c","name":")" + name + R"(","arguments":)" + args + "}";
  };
  EXPECT_EQ(check("{}", answer("completed", text)), "pass");
  EXPECT_EQ(check(tools, answer("completed", call("get_weather", R"("{\"city\":\"Oslo\"}")"))), "pass");
  const std::string cut = R"({"reason":"max_output_tokens"})";
  EXPECT_EQ(check("{}", answer("incomplete", text, cut)),
            "status incomplete (max_output_tokens) at the model's own output limit (the client set no max_tokens)");
  // A cut at the client's own cap is the answer it asked for.
  EXPECT_EQ(check(R"({"input":"x","max_output_tokens":5})", answer("incomplete", "", cut)), "pass");
  EXPECT_EQ(check("{}", answer("incomplete", text, R"({"reason":"content_filter"})")),
            "status incomplete (content_filter)");
  EXPECT_EQ(check("{}", answer("failed", text)), "status failed");
  EXPECT_EQ(check("{}", answer("completed", R"({"type":"reasoning","content":[{"type":"reasoning_text","text":"hm"}]},)"
                                            R"({"type":"message","content":[{"type":"output_text","text":" \n"}]})")),
            "empty answer");
  EXPECT_EQ(check(R"({"input":"x","text":{"format":{"type":"json_object"}}})", answer("completed", text)),
            "answer is not a JSON object under json_object");
  EXPECT_EQ(check(tools, answer("completed", call("get_time", R"("{}")"))), "tool call to undefined tool 'get_time'");
  EXPECT_EQ(check(tools, answer("completed", call("get_weather", R"("{}")"))),
            "tool 'get_weather': missing required property 'city'");
  EXPECT_EQ(check(tools, answer("completed", call("get_weather", R"("{\"city\":7}")"))),
            "tool 'get_weather': 'city' must be string");
  EXPECT_EQ(check("{}", R"({"choices":[]})"), "not a response");
}

}  // namespace
}  // namespace ff::gateway

#include "budget/budget.h"
#include "budget/rate_limit.h"

namespace ff::budget {
namespace {

core::Money usd(const char* s) { return *core::parse_money(s); }

TEST(Budget, DayAndMonthIndexes) {
  EXPECT_EQ(day_index(0), 0);
  EXPECT_EQ(day_index(86'399'999), 0);
  EXPECT_EQ(day_index(86'400'000), 1);
  EXPECT_EQ(day_index(-1), -1);
  // 2026-11-28T12:00:00Z = 1795867200 s; 1970-01 is month 1970*12.
  EXPECT_EQ(month_index(1'795'867'200'000), 2026 * 12 + 10);
  EXPECT_EQ(month_index(0), 1970 * 12);
}

TEST(Budget, ReservationsCountUntilSettled) {
  BudgetBook b;
  b.set_limits("h", "team-a", Limits{usd("1.00"), std::nullopt, std::nullopt});
  const std::int64_t t = 1'795'867'200'000;
  auto r1 = b.reserve("h", usd("0.60"), t, "USD");
  ASSERT_TRUE(r1.ok());
  // 0.60 in flight + 0.50 > 1.00: refused while the first call is open.
  auto r2 = b.reserve("h", usd("0.50"), t, "USD");
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(
      r2.error().message,
      "the daily budget of 1.00 USD of key team-a would be exceeded: 0.00 spent, 0.60 in flight, this call up to 0.50");
  b.settle(*r1, usd("0.20"));                               // billed less than reserved
  EXPECT_TRUE(b.reserve("h", usd("0.50"), t, "USD").ok());  // 0.20 spent + 0.50 <= 1.00 (and stays in flight)
  // The next day starts from zero spent, but what is in flight still counts:
  // 0.50 in flight + 0.50 <= 1.00, while 0.50 + 0.51 is not.
  EXPECT_TRUE(b.reserve("h", usd("0.50"), t + 86'400'000, "USD").ok());
  EXPECT_FALSE(b.reserve("h", usd("0.01"), t + 86'400'000, "USD").ok());
  // A key without budgets is never refused.
  EXPECT_TRUE(b.reserve("other", usd("1000"), t, "USD").ok());
}

TEST(Budget, SeededFromTheLedger) {
  BudgetBook b;
  b.set_limits("h", "k", Limits{std::nullopt, usd("10"), usd("12")});
  const std::int64_t t = 1'795'867'200'000;
  b.add_spent("h", usd("9.5"), t - 86'400'000LL * 40);     // October: total only
  EXPECT_FALSE(b.reserve("h", usd("3"), t, "USD").ok());   // total: 9.5 + 3 > 12
  EXPECT_TRUE(b.reserve("h", usd("2.5"), t, "USD").ok());  // month 2.5 <= 10, total 12 <= 12
}

// Rate limits: a sliding minute, one entry per admitted request.
TEST(RateBook, RequestsAMinuteSlide) {
  RateBook b;
  b.set_limits("h", "team-a", RateLimits{.rpm = 2});
  const std::int64_t t = 1'000'000;
  auto first = b.admit("h", 10, t);
  ASSERT_TRUE(first.admitted);
  ASSERT_TRUE(first.requests.has_value());
  EXPECT_EQ(first.requests->remaining, 1);
  EXPECT_EQ(first.requests->reset_ms, 60'000);  // the window is empty 60 s after its newest entry
  EXPECT_FALSE(first.tokens.has_value());       // no tpm limit: no token figures
  EXPECT_TRUE(b.admit("h", 10, t + 20'000).admitted);
  auto third = b.admit("h", 10, t + 30'000);
  EXPECT_FALSE(third.admitted);
  EXPECT_EQ(third.refusal, "the rpm limit of key team-a (2 requests a minute) is reached");
  EXPECT_EQ(third.retry_after_ms, 30'000);  // the first leaves the window at t + 60 s
  EXPECT_EQ(third.requests->remaining, 0);
  EXPECT_EQ(third.requests->reset_ms, 50'000);  // the second leaves at t + 80 s
  EXPECT_TRUE(b.admit("h", 10, t + 60'000).admitted);  // the first has left
  EXPECT_TRUE(b.admit("x", 10, t).admitted);             // a key without limits
}

TEST(RateBook, TokensAMinuteCountInputAndReservedOutput) {
  RateBook b;
  b.set_limits("h", "team-a", RateLimits{.tpm = 1000});
  const std::int64_t t = 5'000'000;
  EXPECT_TRUE(b.admit("h", 600, t).admitted);
  EXPECT_TRUE(b.admit("h", 300, t + 1'000).admitted);
  auto over = b.admit("h", 200, t + 2'000);  // 900 + 200 > 1000
  EXPECT_FALSE(over.admitted);
  EXPECT_EQ(over.refusal,
            "the tpm limit of key team-a (1000 tokens a minute) is reached: 900 in the last minute, this request 200");
  EXPECT_EQ(over.retry_after_ms, 58'000);  // once the 600 leave (t + 60 s), 300 + 200 fit
  EXPECT_EQ(over.tokens->remaining, 100);
  auto huge = b.admit("h", 1001, t + 2'000);
  EXPECT_FALSE(huge.admitted);
  EXPECT_EQ(huge.refusal,
            "the request's 1001 tokens (input and reserved output) are over the tpm limit of key team-a (1000 tokens "
            "a minute); lower max_tokens");
  // Taken back (refused by its budget): the room returns.
  EXPECT_TRUE(b.admit("h", 100, t + 3'000).admitted);
  b.undo("h", 100, t + 3'000);
  EXPECT_TRUE(b.admit("h", 100, t + 3'000).admitted);
}

TEST(RateBook, RequestsAtOnceAndOtherGateways) {
  RateBook b;
  b.set_limits("h", "team-a", RateLimits{.rpm = 3, .max_concurrent = 1});
  const std::int64_t t = 9'000'000;
  EXPECT_TRUE(b.admit("h", 1, t).admitted);
  auto second = b.admit("h", 1, t);
  EXPECT_FALSE(second.admitted);
  EXPECT_EQ(second.refusal, "the max_concurrent limit of key team-a (1 request at once) is reached");
  b.release("h");
  EXPECT_TRUE(b.admit("h", 1, t + 1).admitted);
  b.release("h");
  // Another gateway's request (a row of the shared ledger) fills the minute.
  b.add_other("h", 50, t - 10'000, t);
  b.add_other("h", 50, t - 60'000, t);  // a minute old: not in the window, not kept
  auto full = b.admit("h", 1, t + 2);
  EXPECT_FALSE(full.admitted);
  EXPECT_EQ(full.retry_after_ms, 49'998);  // the other's request, at t - 10 s, leaves first
}

TEST(RateBook, ResetsWrittenAsOpenAiWritesThem) {
  EXPECT_EQ(reset_text(250), "250ms");
  EXPECT_EQ(reset_text(1000), "1s");
  EXPECT_EQ(reset_text(6500), "6.5s");
  EXPECT_EQ(reset_text(59'988), "59.988s");
  EXPECT_EQ(reset_text(60'000), "1m0s");
}

}  // namespace
}  // namespace ff::budget
