// router_latency: how long one routing decision takes, including feature
// extraction, for a 4 KB and a 1 MB request, on one core: a RAG lookup, a
// multi-file debug, a follow-up that makes the router read back two turns, and a
// question the rules leave on Flash with nothing specific, which the tier model
// scores (its word and character n-grams of the first and last 500 bytes).
//
// Each request's decision is first checked against the expected tier and
// category; then the median and p99 of many timed decisions are reported next to
// the time simdjson alone needs to parse the same body (the reference: no router
// can decide without reading the request once), as a ratio.
//
// With --model, the router decides by a model learned from outcomes
// (`flashfirst route train`); the tier then depends on the model, so the check
// is that the model scored the request (or the 1 MB context threshold decided).
//
//   router_latency [--runs N] [--small] [--model FILE]
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "router/outcome_model.h"
#include "router/router.h"
#include "tokenizer/tokenizer.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Workload {
  std::string name;
  std::string body;
  ff::core::Tier tier;
  ff::router::Category category;
  bool model_scored = false;  // the tier model must have scored it (p_pro set)
};

// A RAG request of about `bytes`: numbered passages, then one lookup question.
std::string rag_request(std::size_t bytes) {
  std::string body =
      R"({"model":"auto","messages":[{"role":"system","content":"Answer from the passages and cite them."},{"role":"user","content":")";
  const std::string passage =
      "The northern plant produced 1,240 units in March, up from 1,100 in February; the southern plant stayed at 900. "
      "Maintenance is scheduled every six weeks and takes two days per line. ";
  for (int i = 1; body.size() < bytes - 200; ++i) body += fmt::format("[{}] {}\\n", i, passage);
  body += R"(Based on the passages above, how many units did the northern plant produce in March?"}]})";
  return body;
}

// A multi-file debugging request of about `bytes`: a stack trace and the files.
std::string debug_request(std::size_t bytes) {
  std::string body =
      R"({"model":"auto","messages":[{"role":"user","content":"Our checkout fails intermittently under load. Find the root cause.\nTraceback (most recent call last):\n  File \"app/main.py\", line 88, in handle\n  File \"app/orders.py\", line 142, in place\n  File \"app/stock.py\", line 57, in reserve\nStaleDataError: SKU-1182\n)";
  for (int i = 0; body.size() < bytes - 100; ++i) {
    body += fmt::format(
        "```python\\n# app/module_{}.py\\ndef handler_{}(request):\\n    return process(request.body);\\n```\\n", i, i);
  }
  body += R"("}]})";
  return body;
}

// A conversation of about `bytes`: a proof asked for, a long answer, then two
// turns that ask nothing new. The router reads back two turns to the proof.
std::string follow_up_request(std::size_t bytes) {
  std::string body =
      R"({"model":"auto","messages":[{"role":"user","content":"Prove that there are infinitely many primes of the form 4k+3."},{"role":"assistant","content":")";
  const std::string step = "Suppose there are finitely many such primes p1..pn and consider N = 4 p1 ... pn - 1. ";
  while (body.size() < bytes - 300) body += step;
  body += R"("},{"role":"user","content":"Thanks."},{"role":"assistant","content":"You are welcome."},)"
          R"({"role":"user","content":"Is that right, though?"}]})";
  return body;
}

// A question of about `bytes` with no cue of any category: notes, then an open
// question. The rules leave it on Flash on too little evidence, so the tier model
// is scored (and finds no Pro work).
std::string open_question_request(std::size_t bytes) {
  std::string body = R"({"model":"auto","messages":[{"role":"user","content":")";
  const std::string note =
      "The river runs past the old mill, under the stone bridge and along the village green, where the market "
      "stalls stand on Saturdays. ";
  while (body.size() < bytes - 100) body += note;
  body += R"(What do you make of the place?"}]})";
  return body;
}

template <typename F>
std::vector<double> time_runs(int runs, F&& f) {
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(runs));
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    f();
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  return us;
}

double pct(const std::vector<double>& v, double p) {
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Routing decision latency (feature extraction + classification + policy)"};
  int runs = 2000;
  app.add_option("--runs", runs, "Timed decisions per request size (the 1 MB case uses runs/20)");
  bool small = false;
  app.add_flag("--small", small, "Only the 4 KB requests");
  std::string model_file;
  app.add_option("--model", model_file, "Decide by this learned model (flashfirst route train --out)");
  CLI11_PARSE(app, argc, argv);
#ifndef NDEBUG
  fmt::print(stderr, "warning: router_latency built without optimisation (NDEBUG unset)\n");
#endif
  auto policy = ff::router::Policy::embedded();
  if (!policy.ok()) {
    fmt::print(stderr, "{}\n", policy.error().message);
    return 1;
  }
  if (!model_file.empty()) {
    auto model = ff::router::OutcomeModel::load_file(model_file);
    if (!model.ok()) {
      fmt::print(stderr, "{}\n", model.error().message);
      return 1;
    }
    policy->outcome_model = std::make_shared<const ff::router::OutcomeModel>(std::move(*model));
    policy->model_threshold = 0.5;
  }
  const bool learned = policy->outcome_model != nullptr;
  ff::router::Router router(*policy, std::make_shared<ff::tokenizer::RatioEstimator>());
  const std::vector<Workload> loads = {
      {"4 KB RAG lookup", rag_request(4096), ff::core::Tier::kFlash, ff::router::Category::kRag},
      {"4 KB multi-file debug", debug_request(4096), ff::core::Tier::kPro, ff::router::Category::kCodebaseDebugging},
      {"4 KB follow-up, 2 turns", follow_up_request(4096), ff::core::Tier::kPro,
       ff::router::Category::kMultiStepReasoning},
      {"4 KB open question", open_question_request(4096), ff::core::Tier::kFlash,
       ff::router::Category::kStraightforwardQa, true},
      // 1 MB is about 310K tokens: over the context threshold, so Pro whatever the task.
      {"1 MB RAG lookup", rag_request(1 << 20), ff::core::Tier::kPro, ff::router::Category::kRag},
      {"1 MB multi-file debug", debug_request(1 << 20), ff::core::Tier::kPro, ff::router::Category::kCodebaseDebugging},
      {"1 MB follow-up, 2 turns", follow_up_request(1 << 20), ff::core::Tier::kPro,
       ff::router::Category::kMultiStepReasoning},
      {"1 MB open question", open_question_request(1 << 20), ff::core::Tier::kPro,
       ff::router::Category::kStraightforwardQa},
  };
  fmt::print("{:<24} {:>9} {:>12} {:>12} {:>14} {:>8}\n", "request", "bytes", "median (us)", "p99 (us)",
             "parse only (us)", "ratio");
  simdjson::dom::parser parser;
  for (const Workload& w : loads) {
    if (small && w.body.size() > 100000) continue;
    auto d = router.route(w.body);
    const bool by_size = w.body.size() > 100000;
    const bool right = d.ok() && d->category == w.category &&
                       (learned && !by_size ? d->p_pro >= 0 && d->reason.rfind("learned model", 0) == 0
                                            : d->tier == w.tier && (!w.model_scored || d->p_pro >= 0));
    if (!right) {
      fmt::print(stderr, "wrong decision for {}: {}\n", w.name, d.ok() ? d->reason : d.error().message);
      return 1;
    }
    const int n = w.body.size() > 100000 ? std::max(runs / 20, 10) : runs;
    auto decide = time_runs(n, [&] {
      auto r = router.route(w.body);
      if (!r.ok() || r->tier != d->tier) std::abort();
    });
    auto parse = time_runs(n, [&] {
      simdjson::dom::element e;
      if (parser.parse(w.body.data(), w.body.size()).get(e)) std::abort();
    });
    fmt::print("{:<24} {:>9} {:>12.2f} {:>12.2f} {:>14.2f} {:>7.1f}x\n", w.name, w.body.size(), pct(decide, 0.5),
               pct(decide, 0.99), pct(parse, 0.5), pct(decide, 0.5) / pct(parse, 0.5));
  }
  return 0;
}
