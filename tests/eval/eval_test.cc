// eval: suites in both formats, every assertion type, the statistics and the
// verdicts, and the files a run writes.
#include <gtest/gtest.h>

#include <cmath>

#include "eval/assertions.h"
#include "eval/report.h"
#include "eval/stats.h"
#include "eval/suite.h"

namespace ff::eval {
namespace {

// ---------------------------------------------------------------- suites

TEST(Suite, ReadsPromptfooYamlWithDefaultTestAndVars) {
  const std::string yaml = R"Y(description: demo
prompts:
  - "Q: {{ question }}"
  - "{{question}} (short)"
providers: [openai:gpt-4o]
defaultTest:
  metadata: {category: rag}
  assert:
    - type: cost
      threshold: 0.01
tests:
  - description: capital
    vars:
      question: "Capital of France?"
    metadata:
      expected_answer: Paris
    assert:
      - type: not-icontains
        value: London
        weight: 2
        metric: accuracy
)Y";
  auto s = parse_suite("s.yaml", yaml);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->cases.size(), 2U);  // one test, two prompts
  const Case& c = s->cases[0];
  EXPECT_EQ(c.id, "test 1 / prompt 1");
  EXPECT_EQ(s->cases[1].id, "test 1 / prompt 2");
  EXPECT_EQ(c.description, "capital");
  EXPECT_EQ(c.category, "rag");  // from defaultTest
  EXPECT_EQ(c.expected_answer, "Paris");
  EXPECT_EQ(c.request, R"({"messages":[{"role":"user","content":"Q: Capital of France?"}]})");
  EXPECT_EQ(s->cases[1].prompt_text, "Capital of France? (short)");
  EXPECT_EQ(c.vars_json, R"({"question":"Capital of France?"})");
  ASSERT_EQ(c.asserts.size(), 2U);  // defaultTest's first
  EXPECT_EQ(c.asserts[0].type, "cost");
  EXPECT_EQ(*c.asserts[0].threshold, 0.01);
  EXPECT_EQ(c.asserts[1].type, "icontains");
  EXPECT_TRUE(c.asserts[1].negate);
  EXPECT_EQ(c.asserts[1].value, "London");
  EXPECT_EQ(c.asserts[1].weight, 2);
  EXPECT_EQ(c.asserts[1].metric, "accuracy");
  EXPECT_EQ(c.asserts[1].source, "s.yaml:18");  // the assertion's own line
}

TEST(Suite, NamesTheLineOfEveryMistake) {
  EXPECT_EQ(parse_suite("s.yaml", "prompts: [\"{{q}}\"]\ntests:\n  - vars: {q: x}\n    asserts: []\n").error().message,
            "s.yaml:4: unknown field `asserts` in a test (known: vars, assert, description, metadata)");
  EXPECT_EQ(parse_suite("s.yaml", "prompts: [\"{{q}}\"]\ntests:\n  - vars: {q: x}\n    assert:\n      - type: similar\n        value: x\n")
                .error()
                .message,
            "s.yaml:5: unknown assertion type `similar` (known: equals, contains, icontains, contains-any, "
            "contains-all, regex, starts-with, is-json, contains-json, is-valid-openai-tools-call, finish-reason, "
            "cost, latency, python, llm-rubric; not- inverts most)");
  EXPECT_EQ(parse_suite("s.yaml", "prompts: [\"{{q}}\"]\ntests:\n  - vars: {r: x}\n").error().message,
            "s.yaml:3: the prompt uses {{q}}, which this test's vars do not set");
  EXPECT_EQ(parse_suite("s.yaml", "prompts: [x]\ntests: [{}]\nproviders: []\nscenarios: []\n").error().message,
            "s.yaml:4: unknown field `scenarios` in the suite (known: description, prompts, providers, tests, "
            "defaultTest)");
  EXPECT_EQ(parse_suite("s.yaml", "prompts: [x\n").error().message.rfind("s.yaml:", 0), 0U);
  EXPECT_EQ(parse_suite("c.jsonl", "{\"request\":{\"messages\":[]},\"assert\":[{\"type\":\"not-cost\",\"value\":1}]}")
                .error()
                .message,
            "c.jsonl:1: `not-cost` is not a check (use a threshold)");
  EXPECT_EQ(parse_suite("c.jsonl", "\n{\"request\":{\"model\":\"x\",\"messages\":[]}}").error().message,
            "c.jsonl:2: leave `model` out of the request: eval asks each model in turn");
  EXPECT_EQ(parse_suite("c.jsonl", "{\"request\":{\"messages\":[]},\"asert\":[]}").error().message,
            "c.jsonl:1: unknown field `asert` (a case has id, description, request, assert, metadata)");
  EXPECT_EQ(parse_suite("c.jsonl", "{\"request\":{\"messages\":[]},\"assert\":[{\"type\":\"regex\",\"value\":\"(\"}]}")
                .error()
                .message.rfind("c.jsonl:1: `regex` ( is not a regular expression", 0),
            0U);
  EXPECT_EQ(parse_suite("c.jsonl", "{\"request\":{\"messages\":[]},\"assert\":[{\"type\":\"contains\"}]}").error().message,
            "c.jsonl:1: a `contains` assertion needs a `value`");
  EXPECT_EQ(parse_suite("e.yaml", "  \n").error().message, "e.yaml: the suite is empty");
}

// ---------------------------------------------------------------- assertions

Verdict run(const std::string& assertion_json, const Answer& answer, const CheckContext& ctx = {}) {
  auto s = parse_suite("a.jsonl", R"({"request":{"messages":[{"role":"user","content":"Weather?"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","required":["city"],"properties":{"city":{"type":"string"}}}}}]},"assert":[)" +
                                      assertion_json + "]}");
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  if (!s.ok()) return {};
  return check(s->cases[0].asserts[0], answer, s->cases[0], ctx);
}

Answer text(const std::string& content) {
  Answer a;
  a.content = content;
  a.finish_reason = "stop";
  a.cost = core::Money::from_femto(2'000'000'000);  // $0.000002
  a.latency_ms = 300;
  return a;
}

TEST(Assertions, TextChecks) {
  EXPECT_TRUE(run(R"({"type":"equals","value":"Paris"})", text("Paris")).pass);
  EXPECT_EQ(run(R"({"type":"equals","value":"Paris"})", text("paris")).reason, "equals 'Paris': got 'paris'");
  EXPECT_TRUE(run(R"({"type":"contains","value":"ari"})", text("Paris")).pass);
  EXPECT_TRUE(run(R"({"type":"icontains","value":"PARIS"})", text("in paris")).pass);
  EXPECT_TRUE(run(R"({"type":"not-icontains","value":"london"})", text("Paris")).pass);
  EXPECT_EQ(run(R"({"type":"not-contains","value":"Par"})", text("Paris")).reason, "not-contains: it holds");
  EXPECT_TRUE(run(R"({"type":"starts-with","value":"Pa"})", text("Paris")).pass);
  EXPECT_TRUE(run(R"({"type":"contains-any","value":["x","ris"]})", text("Paris")).pass);
  EXPECT_FALSE(run(R"({"type":"contains-all","value":["Par","x"]})", text("Paris")).pass);
  EXPECT_EQ(run(R"({"type":"contains-all","value":["Par","x"]})", text("Paris")).reason, "contains-all: 'x' not found");
  EXPECT_TRUE(run(R"({"type":"regex","value":"^P[a-z]+s$"})", text("Paris")).pass);
  EXPECT_TRUE(run(R"({"type":"not-regex","value":"\\d"})", text("Paris")).pass);
}

TEST(Assertions, JsonToolsFinishCostLatency) {
  const std::string schema = R"({"type":"object","required":["a"],"properties":{"a":{"type":"integer"}}})";
  EXPECT_TRUE(run(R"({"type":"is-json"})", text(R"({"a": 1})")).pass);
  EXPECT_FALSE(run(R"({"type":"is-json"})", text(R"(Sure: {"a": 1})")).pass);
  EXPECT_TRUE(run(R"({"type":"contains-json","value":)" + schema + "}", text(R"(Sure: {"a": 1} done)")).pass);
  EXPECT_EQ(run(R"({"type":"is-json","value":)" + schema + "}", text(R"({"a": "x"})")).reason,
            "is-json: 'a' must be integer");
  Answer call = text("");
  call.tool_calls_json = R"([{"id":"c","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}])";
  EXPECT_TRUE(run(R"({"type":"is-valid-openai-tools-call"})", call).pass);
  call.tool_calls_json = R"([{"id":"c","type":"function","function":{"name":"get_weather","arguments":"{}"}}])";
  EXPECT_EQ(run(R"({"type":"is-valid-openai-tools-call"})", call).reason,
            "'get_weather': missing required property 'city'");
  call.tool_calls_json = R"([{"id":"c","type":"function","function":{"name":"book","arguments":"{}"}}])";
  EXPECT_EQ(run(R"({"type":"is-valid-openai-tools-call"})", call).reason, "calls 'book', which the request does not define");
  EXPECT_EQ(run(R"({"type":"is-valid-openai-tools-call"})", text("hi")).reason, "no tool call");
  EXPECT_TRUE(run(R"({"type":"finish-reason","value":"stop"})", text("x")).pass);
  EXPECT_TRUE(run(R"({"type":"cost","threshold":0.000002})", text("x")).pass);  // exactly at the limit
  EXPECT_EQ(run(R"({"type":"cost","value":0.000001})", text("x")).reason, "cost 0.000002 is over 0.000001");
  EXPECT_TRUE(run(R"({"type":"latency","threshold":300})", text("x")).pass);
  EXPECT_FALSE(run(R"({"type":"latency","value":299})", text("x")).pass);
}

TEST(Assertions, PythonAsPromptfooRunsIt) {
  EXPECT_TRUE(run(R"({"type":"python","value":"output.upper() == 'PARIS'"})", text("Paris")).pass);
  EXPECT_TRUE(run(R"({"type":"python","value":"x = len(output)\nreturn {'pass': x == 5, 'score': 0.9, 'reason': 'five'}"})",
                  text("Paris"))
                  .pass);
  // A number is a score, passing at the threshold.
  const Verdict low = run(R"({"type":"python","value":"0.4"})", text("x"));
  EXPECT_FALSE(low.pass);
  EXPECT_EQ(low.score, 0.4);
  EXPECT_TRUE(run(R"({"type":"python","value":"0.4","threshold":0.3})", text("x")).pass);
  EXPECT_TRUE(run(R"({"type":"python","value":"context['prompt'] == 'Weather?'"})", text("x")).pass);
  // A promptfoo test's vars reach the check as context['vars'].
  auto y = parse_suite("v.yaml",
                       "prompts: [\"{{q}}\"]\ntests:\n  - vars: {q: hi}\n    assert:\n      - type: python\n"
                       "        value: \"context['vars']['q'] == 'hi' and context['prompt'] == 'hi'\"\n");
  ASSERT_TRUE(y.ok()) << y.error().message;
  EXPECT_TRUE(check(y->cases[0].asserts[0], text("x"), y->cases[0], {}).pass);
  const Verdict broken = run(R"({"type":"python","value":"1/0"})", text("x"));
  EXPECT_FALSE(broken.pass);
  EXPECT_EQ(broken.reason, "python: exited with status 1: ZeroDivisionError: division by zero");
  const Verdict slow = run(R"({"type":"python","value":"import time\ntime.sleep(60)\nreturn True"})", text("x"));
  EXPECT_EQ(slow.reason, "python: stopped after 10000 ms");
}

TEST(Assertions, LlmRubricAsksTheJudgeAndCaseVerdictsWeighThem) {
  CheckContext ctx;
  std::string seen;
  ctx.judge = [&](const std::string& rubric, const Answer& a, const Case&) -> core::Result<Verdict> {
    seen = rubric + " | " + a.content;
    return Verdict{a.content == "Paris", a.content == "Paris" ? 0.9 : 0.2, "judged"};
  };
  EXPECT_TRUE(run(R"({"type":"llm-rubric","value":"names the capital"})", text("Paris"), ctx).pass);
  EXPECT_EQ(seen, "names the capital | Paris");
  EXPECT_FALSE(run(R"({"type":"llm-rubric","value":"r","threshold":0.95})", text("Paris"), ctx).pass);
  EXPECT_EQ(run(R"({"type":"llm-rubric","value":"r"})", text("Paris")).reason, "llm-rubric: no judge available");

  auto s = parse_suite("w.jsonl",
                       R"({"request":{"messages":[]},"assert":[{"type":"contains","value":"a","weight":3},{"type":"contains","value":"z","weight":0},{"type":"contains","value":"b"}]})");
  ASSERT_TRUE(s.ok());
  // "ab": all weighted checks pass; the weight-0 one fails but does not count. Score (3 + 0 + 1) / 4.
  const CaseVerdict v = check_case(s->cases[0], text("ab"), {});
  EXPECT_TRUE(v.pass);
  EXPECT_DOUBLE_EQ(v.score, 1.0);
  const CaseVerdict w = check_case(s->cases[0], text("a"), {});
  EXPECT_FALSE(w.pass);
  EXPECT_DOUBLE_EQ(w.score, 0.75);
  ASSERT_EQ(w.failures.size(), 1U);
  EXPECT_EQ(w.failures[0], "contains 'b': not found");
}

// ---------------------------------------------------------------- statistics

TEST(Stats, WilsonAndExactMcNemar) {
  // Wilson 95% for 8 of 10: centre (0.8 + 1.92/20)/1.384, half-width 1.96 sqrt(0.016 + 0.0096)/1.384.
  const Interval w = wilson95(8, 10);
  EXPECT_NEAR(w.low, 0.4902, 1e-4);
  EXPECT_NEAR(w.high, 0.9433, 1e-4);
  EXPECT_NEAR(wilson95(0, 20).high, 0.1611, 1e-4);
  // Two-sided exact binomial on the discordant pairs: 0 vs 6 -> 2 / 2^6; 1 vs 5 -> 2 (1 + 6) / 64.
  EXPECT_NEAR(mcnemar_exact(0, 6), 0.03125, 1e-12);
  EXPECT_NEAR(mcnemar_exact(1, 5), 0.21875, 1e-12);
  EXPECT_DOUBLE_EQ(mcnemar_exact(3, 3), 1.0);
  EXPECT_DOUBLE_EQ(mcnemar_exact(0, 0), 1.0);
  EXPECT_EQ(pairs_to_decide(10, 2, 2), std::nullopt);  // no lead: more never decides
  EXPECT_EQ(pairs_to_decide(10, 0, 6), 0);             // decided already
  // 1 vs 5 in 10 pairs: with 9 more (x1.9), 1.9 -> 2 vs 9.5 -> 10 gives p = 2 (1 + 12 + 66) / 4096 = 0.0386;
  // with 8 more, 2 vs 9 gives p = 2 (1 + 11 + 55) / 2048 = 0.0654.
  EXPECT_EQ(pairs_to_decide(10, 1, 5), 9);
}

// ---------------------------------------------------------------- report

RunResult fake_run(const Suite& s, const std::vector<std::pair<bool, bool>>& passes) {
  RunResult r;
  r.calls.resize(s.cases.size());
  for (std::size_t c = 0; c < s.cases.size(); ++c) {
    for (int m = 0; m < 2; ++m) {
      CallResult cr;
      cr.verdict.pass = m == 0 ? passes[c].first : passes[c].second;
      cr.answer.cost = core::Money::from_femto(m == 0 ? 1'000'000'000 : 4'000'000'000);  // $0.000001 / $0.000004
      r.calls[c][static_cast<std::size_t>(m)].push_back(cr);
    }
  }
  return r;
}

TEST(Report, VerdictsPolicyAndOutcomes) {
  std::string jsonl;
  for (int i = 0; i < 12; ++i) {
    jsonl += std::string(R"({"id":"m)") + std::to_string(i) +
             R"(","request":{"messages":[{"role":"user","content":"q"}]},"metadata":{"category":"multi_step_reasoning"}})" + "\n";
  }
  for (int i = 0; i < 4; ++i) {
    jsonl += std::string(R"({"id":"t)") + std::to_string(i) +
             R"(","request":{"messages":[{"role":"user","content":"q"}]},"metadata":{"category":"translation"}})" + "\n";
  }
  auto s = parse_suite("r.jsonl", jsonl);
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::vector<std::pair<bool, bool>> passes;
  for (int i = 0; i < 12; ++i) passes.emplace_back(i < 4, true);  // maths: Flash fails 8 that Pro passes
  for (int i = 0; i < 4; ++i) passes.emplace_back(true, i != 0);  // translation: Pro fails one
  const RunResult run = fake_run(*s, passes);
  const Report r = summarize(*s, run, 1);
  ASSERT_EQ(r.categories.size(), 2U);
  const GroupStats& maths = r.categories[0];
  EXPECT_EQ(maths.category, "multi_step_reasoning");
  EXPECT_EQ(maths.only_pro, 8);
  EXPECT_NEAR(maths.p, 2.0 / 256, 1e-12);  // 0 vs 8: 2 / 2^8
  EXPECT_EQ(maths.verdict, "Pro needed (p = 0.00781; Flash fails 8 more of 12)");
  EXPECT_EQ(r.categories[1].verdict, "Flash holds");
  // Flash's extra failures: 8/12 per request at $0.01 = $0.00667 > Pro's extra $0.000003: Pro.
  const std::string policy = policy_toml(r, core::Money::from_femto(10'000'000'000'000));
  EXPECT_NE(policy.find("[category.multi_step_reasoning]\ntier = \"pro\""), std::string::npos) << policy;
  EXPECT_NE(policy.find("[category.translation]\ntier = \"flash\""), std::string::npos) << policy;
  // At a failure cost of $0.000001 the failures are cheaper than Pro: Flash everywhere.
  const std::string cheap = policy_toml(r, core::Money::from_femto(1'000'000'000));
  EXPECT_NE(cheap.find("[category.multi_step_reasoning]\ntier = \"flash\""), std::string::npos) << cheap;
  const std::string outcomes = outcomes_jsonl(*s, run);
  EXPECT_EQ(outcomes.substr(0, outcomes.find('\n')),
            R"({"id":"m0","request":{"messages":[{"role":"user","content":"q"}]},"category":"multi_step_reasoning","flash_ok":true,"pro_ok":true,"flash_score":1.0000,"pro_score":1.0000})");
  const std::string quality = quality_toml(r, "r.jsonl");
  EXPECT_NE(quality.find("name = \"multi_step_reasoning\"\nflash = 0.6667\npro = 0.0000\n"), std::string::npos) << quality;
}

}  // namespace
}  // namespace ff::eval
