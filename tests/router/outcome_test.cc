// The outcome model: routing metrics, training, the model file, the readers of
// outcome files, and the router deciding by a learned model.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "router/features.h"
#include "router/outcome_data.h"
#include "router/outcome_model.h"
#include "router/outcome_training.h"
#include "router/policy.h"
#include "router/router.h"
#include "tokenizer/tokenizer.h"

namespace ff::router {
namespace {

std::vector<OutcomeCase> four_cases() {
  // flash, pro: A and B need Pro, C is answered by both, D by neither.
  // Sum flash 1, sum pro 3: the gap is 2.
  return {{"A", {}, 0, 1}, {"B", {}, 0, 1}, {"C", {}, 1, 1}, {"D", {}, 0, 0}};
}

// ---------------------------------------------------------------- metrics

TEST(RoutingMetrics, APerfectRankingRecoversTheGapWithTheFirstHalf) {
  // Order A, B, C, D: PGR after 0..4 requests to Pro is 0, .5, 1, 1, 1.
  // Area = (0+.5)/2 + (.5+1)/2 + 1 + 1 = 3, over 4 steps: 0.75.
  const std::vector<double> scores = {0.9, 0.6, 0.5, 0.3};
  EXPECT_DOUBLE_EQ(apgr(scores, four_cases()), 0.75);
  // PGR 0.5 after one request of four; 0.8 is 60% of the way from 1 to 2: (1 + 0.6) / 4.
  EXPECT_DOUBLE_EQ(cpt(scores, four_cases(), 0.5), 0.25);
  EXPECT_DOUBLE_EQ(cpt(scores, four_cases(), 0.8), 0.4);
}

TEST(RoutingMetrics, ARouterThatCannotTellRequestsApartScoresExactlyOneHalf) {
  // Equal scores move together: PGR 0, .25, .5, .75, 1; area 2 over 4 steps.
  const std::vector<double> scores(4, 0.3);
  EXPECT_DOUBLE_EQ(apgr(scores, four_cases()), 0.5);
  EXPECT_DOUBLE_EQ(cpt(scores, four_cases(), 0.8), 0.8);
}

TEST(RoutingMetrics, TheWorstRankingScoresBelowOneHalf) {
  // Order D, C, B, A: PGR 0, 0, 0, .5, 1; area (0 + 0 + .25 + .75) / 4 = 0.25.
  const std::vector<double> scores = {0.1, 0.2, 0.3, 0.4};
  EXPECT_DOUBLE_EQ(apgr(scores, four_cases()), 0.25);
}

TEST(RoutingMetrics, NoGapBetweenTheModelsHasNoCurve) {
  const std::vector<OutcomeCase> same = {{"a", {}, 1, 1}, {"b", {}, 0, 0}};
  EXPECT_TRUE(std::isnan(apgr({0.5, 0.4}, same)));
}

TEST(RoutingMetrics, BrierAndReliability) {
  // p = .9 for A (needs Pro), .2 for the others: Brier = (.01 + .64 + .04 + .04) / 4... A and B need Pro:
  // (.9-1)^2 + (.2-1)^2 + (.2-0)^2 + (.2-0)^2 = .01 + .64 + .04 + .04 = .73, / 4 = .1825.
  // The base rate .5 for all: .25 each.
  const RoutingMetrics m = routing_metrics({0.9, 0.2, 0.2, 0.2}, four_cases());
  EXPECT_NEAR(m.brier, 0.1825, 1e-12);
  EXPECT_NEAR(m.base_brier, 0.25, 1e-12);
  EXPECT_DOUBLE_EQ(m.pro_needed_share, 0.5);
  EXPECT_EQ(m.reliability[2].cases, 3);
  EXPECT_NEAR(m.reliability[2].observed, 1.0 / 3, 1e-12);
  EXPECT_EQ(m.reliability[9].cases, 1);
  EXPECT_DOUBLE_EQ(m.reliability[9].observed, 1.0);
}

// ---------------------------------------------------------------- training

Features features_of(const std::string& text) {
  static const tokenizer::RatioEstimator ratio;
  auto f = extract_features(user_request(text), ratio);
  EXPECT_TRUE(f.ok());
  return f.ok() ? *f : Features{};
}

// 200 cases: Flash fails where the prompt says "prove", Pro answers all.
std::vector<OutcomeCase> synthetic(std::uint32_t buckets) {
  std::vector<OutcomeCase> cases;
  for (int i = 0; i < 200; ++i) {
    const bool hard = i % 4 == 0;
    const std::string text = (hard ? "prove that the sequence converges, case " : "rename the variable, case ") +
                             std::to_string(i % 7);
    cases.push_back({std::to_string(i), OutcomeModel::features(features_of(text), buckets), hard ? 0.0 : 1.0, 1.0});
  }
  return cases;
}

TEST(OutcomeTraining, LearnsWhereFlashFailsAndCalibratesOutOfFold) {
  TrainOptions o;
  o.buckets = 1U << 12;
  const auto cases = synthetic(o.buckets);
  auto r = train_outcome_model(cases, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  // The cue separates the cases perfectly: out of fold, all 50 hard cases rank
  // first, so PGR reaches 1 after 25% of the requests.
  EXPECT_DOUBLE_EQ(r->cross_validated.apgr, 1 - 0.25 / 2);
  EXPECT_DOUBLE_EQ(r->cross_validated.cpt80, 0.2);
  EXPECT_LT(r->cross_validated.brier, r->cross_validated.base_brier / 4);
  const double hard = r->model.p_pro(features_of("prove that the sequence converges, case 3"));
  const double easy = r->model.p_pro(features_of("rename the variable, case 3"));
  EXPECT_GT(hard, 0.8);
  EXPECT_LT(easy, 0.2);
}

TEST(OutcomeTraining, IsDeterministicAndTheFileRoundTrips) {
  TrainOptions o;
  o.buckets = 1U << 12;
  const auto cases = synthetic(o.buckets);
  auto a = train_outcome_model(cases, o), b = train_outcome_model(cases, o);
  ASSERT_TRUE(a.ok() && b.ok());
  const std::string text = a->model.serialize("test");
  EXPECT_EQ(text, b->model.serialize("test"));
  auto parsed = OutcomeModel::parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->serialize("test"), text);
  o.seed = 2;
  auto c = train_outcome_model(cases, o);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->model.serialize("test"), text);
}

TEST(OutcomeTraining, RefusesDataWithNothingToLearn) {
  std::vector<OutcomeCase> cases(10, OutcomeCase{"x", {1, 2}, 1, 1});
  auto r = train_outcome_model(cases, TrainOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "no case needs Pro (Pro never does better than Flash): nothing to learn");
  auto few = train_outcome_model(four_cases(), TrainOptions{});
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.error().message, "4 cases are too few for 5 folds");
}

TEST(OutcomeModelFile, NamesTheLineOfAnError) {
  EXPECT_EQ(OutcomeModel::parse("buckets 4\n").error().message,
            "outcome model line 1: expected \"outcome-model 1\" (a file written by `flashfirst route train`)");
  EXPECT_EQ(OutcomeModel::parse("outcome-model 1\nbuckets 6\n").error().message,
            "outcome model line 2: the bucket count must be a power of two up to 2^24");
  EXPECT_EQ(OutcomeModel::parse("outcome-model 1\nbuckets 4\ncalibration 1 0\n4 0.5 0.5\n").error().message,
            "outcome model line 4: '4' is neither a known field nor a bucket index below 4");
  EXPECT_EQ(OutcomeModel::parse("outcome-model 1\nbuckets 4\n1 0.5\n").error().message,
            "outcome model line 3: expected \"INDEX FLASH_WEIGHT PRO_WEIGHT\"");
  EXPECT_EQ(OutcomeModel::parse("outcome-model 1\nbuckets 4\n").error().message,
            "outcome model: no `calibration` line");
  EXPECT_EQ(OutcomeModel::parse("# only a comment\n").error().message, "outcome model: the file is empty");
}

TEST(OutcomeModelFile, ScoresByItsWeights) {
  // Every feature weight 0: P(Flash ok) = sigmoid(0) = .5, P(Pro ok) = sigmoid(ln 3) = .75,
  // gain .25; calibrated sigmoid(4 * .25 + 0) = sigmoid(1).
  auto m = OutcomeModel::parse("outcome-model 1\nbuckets 4\ncalibration 4 0\nflash_bias 0\npro_bias 1.0986122886681098\n");
  ASSERT_TRUE(m.ok());
  EXPECT_NEAR(m->p_pro(features_of("anything")), 1 / (1 + std::exp(-1.0)), 1e-9);
}

// ---------------------------------------------------------------- readers

TEST(OutcomeData, ReadsRouteLlmCsvWithQuotedNewlinesAndQuotes) {
  const std::string csv =
      "prompt,weak,strong,weak_response\n"
      "\"What is 2+2?\nAnswer:\",True,True,\"4\"\n"
      "\"Say \"\"hi\"\"\",False,True,x\n";
  auto r = read_routellm_csv("t.csv", csv);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2U);
  EXPECT_EQ((*r)[0].id, "t.csv:2");
  EXPECT_EQ((*r)[0].body, R"({"messages":[{"role":"user","content":"What is 2+2?\nAnswer:"}]})");
  EXPECT_EQ((*r)[1].id, "t.csv:4");  // the first record spans lines 2 and 3
  EXPECT_EQ((*r)[1].body, R"({"messages":[{"role":"user","content":"Say \"hi\""}]})");
  EXPECT_EQ((*r)[1].flash, 0);
  EXPECT_EQ((*r)[1].pro, 1);
  EXPECT_EQ(read_routellm_csv("t.csv", "prompt,a,b\nx,maybe,True\n").error().message,
            "t.csv:2: the weak and strong columns must be True or False");
  EXPECT_EQ(read_routellm_csv("t.csv", "prompt,a,b\n\"x,True,True\n").error().message,
            "t.csv:2: a quoted field is never closed");
}

TEST(OutcomeData, ReadsEvalOutcomesAndNamesBadLines) {
  const std::string text =
      R"({"id":"c1","request":{"messages":[{"role":"user","content":"hi"}]},"category":"rag","flash_ok":false,"pro_ok":true})"
      "\n\n"
      R"({"id":7,"request":{"messages":[]},"flash_ok":true,"pro_ok":true,"flash_score":0.25,"pro_score":0.75})"
      "\n";
  auto r = read_outcomes_jsonl("o.jsonl", text);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2U);
  EXPECT_EQ((*r)[0].id, "c1");
  EXPECT_EQ((*r)[0].category, "rag");
  EXPECT_EQ((*r)[0].flash, 0);
  EXPECT_EQ((*r)[0].pro, 1);
  EXPECT_EQ((*r)[1].id, "7");
  EXPECT_EQ((*r)[1].flash, 0.25);  // scores win over the booleans
  EXPECT_EQ((*r)[1].pro, 0.75);
  EXPECT_EQ(read_outcomes_jsonl("o.jsonl", "\n{\"id\":1,\"request\":{},\"flash_ok\":true,\"pro\":1}\n").error().message,
            "o.jsonl:2: unknown field `pro` (an outcome line has id, request, category, flash_ok, pro_ok, "
            "flash_score, pro_score)");
  EXPECT_EQ(read_outcomes_jsonl("o.jsonl", "{\"request\":{},\"flash_ok\":true}").error().message,
            "o.jsonl:1: needs `pro_ok` or `pro_score`");
  EXPECT_EQ(read_outcomes_jsonl("o.jsonl", "{\"request\":{},\"flash_ok\":true,\"pro_score\":7}").error().message,
            "o.jsonl:1: field `pro_score` must be from 0 to 1");
}

TEST(OutcomeData, ReadsMtBenchJudgementsWithTheirQuestions) {
  const std::string questions =
      R"({"question_id": 81, "category": "writing", "turns": ["Write a poem.", "Shorter."]})"
      "\n";
  const std::string judgements =
      R"({"question_id": 81, "model": "weak", "score": 6, "turn": 1})"
      "\n"
      R"({"question_id": 81, "model": "weak", "score": 8, "turn": 2})"
      "\n"
      R"({"question_id": 81, "model": "strong", "score": 9, "turn": 1})"
      "\n"
      R"({"question_id": 81, "model": "other", "score": 1, "turn": 1})"
      "\n";
  auto r = read_mt_bench({{"j.jsonl", judgements}, {"q.jsonl", questions}}, "weak", "strong");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1U);
  EXPECT_EQ((*r)[0].id, "question 81");
  EXPECT_EQ((*r)[0].category, "writing");
  EXPECT_DOUBLE_EQ((*r)[0].flash, 0.7);  // (6 + 8) / 2 / 10
  EXPECT_DOUBLE_EQ((*r)[0].pro, 0.9);
  EXPECT_EQ((*r)[0].body, R"({"messages":[{"role":"user","content":"Write a poem."}]})");
  EXPECT_EQ(read_mt_bench({{"q.jsonl", questions}}, "weak", "strong").error().message,
            "mt-bench: no question has judgements of both `weak` and `strong`");
}

// ---------------------------------------------------------------- routing by it

TEST(OutcomeRouting, APolicysModelDecidesTheTierAndTheDecisionCarriesPPro) {
  TrainOptions o;
  o.buckets = 1U << 12;
  auto r = train_outcome_model(synthetic(o.buckets), o);
  ASSERT_TRUE(r.ok());
  const auto dir = std::filesystem::temp_directory_path() / "ff_outcome_policy_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "learned.model") << r->model.serialize("test");
  // A relative path is read from the policy's folder; the threshold defaults to 0.5.
  std::ofstream(dir / "policy.toml") << "model = \"learned.model\"\n";
  auto policy = Policy::load_file((dir / "policy.toml").string());
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->model_threshold, 0.5);
  Router router(*policy, std::make_shared<tokenizer::RatioEstimator>());

  auto hard = router.route(user_request("prove that the sequence converges, case 3"));
  ASSERT_TRUE(hard.ok());
  EXPECT_EQ(hard->tier, core::Tier::kPro);
  EXPECT_GT(hard->p_pro, 0.8);
  const std::string expected = fmt::format("learned model: P(Pro needed) {:.2f} >= 0.50 (", hard->p_pro);
  EXPECT_EQ(hard->reason.rfind(expected, 0), 0U) << hard->reason;
  auto easy = router.route(user_request("rename the variable, case 3"));
  ASSERT_TRUE(easy.ok());
  EXPECT_EQ(easy->tier, core::Tier::kFlash);
  EXPECT_LT(easy->p_pro, 0.2);
  // The caller's header still wins.
  auto pinned = router.route(user_request("prove that the sequence converges, case 3"), {"", "flash"});
  ASSERT_TRUE(pinned.ok());
  EXPECT_EQ(pinned->tier, core::Tier::kFlash);

  std::ofstream(dir / "bad.toml") << "model = \"missing.model\"\n";
  auto bad = Policy::load_file((dir / "bad.toml").string());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, (dir / "bad.toml").string() + ":1: model: cannot open '" +
                                     (dir / "missing.model").string() + "': No such file or directory");
  std::filesystem::remove_all(dir);
}

TEST(OutcomeRouting, TheBuiltInRouterScoresPProOnlyWhenAsked) {
  auto p = Policy::embedded();
  ASSERT_TRUE(p.ok());
  Router router(*p, std::make_shared<tokenizer::RatioEstimator>());
  // A Pro category by the rules: the tier model could not move it, so it is not scored.
  const std::string body = user_request("Debug this race condition in our Go worker pool: goroutines deadlock under load.");
  auto quiet = router.route(body);
  ASSERT_TRUE(quiet.ok());
  EXPECT_EQ(quiet->p_pro, -1);
  auto asked = router.route(body, {"", "", true});
  ASSERT_TRUE(asked.ok());
  EXPECT_GE(asked->p_pro, 0);
  EXPECT_LE(asked->p_pro, 1);
  EXPECT_EQ(asked->tier, quiet->tier);
}

TEST(OutcomeRouting, ASpecificFlashCueWithNoProEvidenceIsNotScored) {
  auto p = Policy::embedded();
  ASSERT_TRUE(p.ok());
  Router router(*p, std::make_shared<tokenizer::RatioEstimator>());
  // A summary asked for, with no rule evidence of a Pro category, no tools, no
  // stack trace and no long length: the tier model may not overrule it, so the
  // gateway's path does not score it. Asked for, P(Pro) is there, and the
  // decision is the same.
  const std::string summary = user_request("Summarize in one line: the meeting moved to Friday.");
  auto quiet = router.route(summary);
  ASSERT_TRUE(quiet.ok());
  EXPECT_EQ(quiet->category, Category::kSummarization);
  EXPECT_EQ(quiet->p_pro, -1);
  auto asked = router.route(summary, {"", "", true});
  ASSERT_TRUE(asked.ok());
  EXPECT_GE(asked->p_pro, 0);
  EXPECT_EQ(asked->tier, quiet->tier);
  EXPECT_EQ(asked->reason, quiet->reason);
  // A generic question has no specific Flash cue: the model could move it, so
  // it is scored on the gateway's path too.
  auto question = router.route(user_request("Which city is the capital of Australia, and why not Sydney?"));
  ASSERT_TRUE(question.ok());
  EXPECT_EQ(question->category, Category::kStraightforwardQa);
  EXPECT_GE(question->p_pro, 0);
}

}  // namespace
}  // namespace ff::router
