// Training and measuring the outcome model (router/outcome_model.h), and the
// routing metrics of the RouteLLM paper.
//
// Training is deterministic: the same cases, options and seed give the same
// model, byte for byte. Each of the two regressions is fitted by AdaGrad SGD
// with L2, over the cases in an order shuffled by the seed. Calibration is out
// of fold: K models, each trained without one fold, score that fold; a Platt
// fit of those scores against "Pro needed" calibrates the model trained on all.
//
// Metrics, for a router that ranks requests by a score (higher: more Pro):
//   PGR(c), the performance gap recovered when the top share c goes to Pro:
//     (quality(c) - quality(all Flash)) / (quality(all Pro) - quality(all Flash));
//   APGR, the area under PGR(c) for c from 0 to 1 (trapezoids at every request;
//     requests with equal scores move to Pro together, so PGR is linear across
//     them and a router that cannot tell requests apart scores exactly 0.5);
//   CPT(x), the least share of requests sent to Pro at which PGR reaches x.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "router/outcome_model.h"

namespace ff::router {

// One case: its hashed features and how well each model answered (0..1: a
// correct answer is 1, a judge's 7 of 10 is 0.7).
struct OutcomeCase {
  std::string id;
  std::vector<std::uint32_t> features;
  double flash = 0, pro = 0;
  bool pro_needed() const { return pro > flash; }
};

struct TrainOptions {
  std::uint32_t buckets = OutcomeModel::kDefaultBuckets;
  int folds = 5;  // for the out-of-fold calibration and the cross-validated report
  int epochs = 2;
  double rate = 0.05;
  double l2 = 1e-3;
  std::uint64_t seed = 1;
};

struct ReliabilityBin {
  double from = 0, to = 0;  // P(Pro needed) in [from, to)
  std::int64_t cases = 0;
  double mean_p = 0;    // mean predicted
  double observed = 0;  // share that needed Pro
};

struct RoutingMetrics {
  std::size_t cases = 0;
  double flash_quality = 0, pro_quality = 0;  // mean score all-Flash, all-Pro
  double pro_needed_share = 0;
  double apgr = 0;
  double cpt50 = 0, cpt80 = 0;    // shares 0..1; 1 when never reached
  double brier = 0;               // of the calibrated P(Pro needed)
  double base_brier = 0;          // of predicting the base rate for every case
  std::vector<ReliabilityBin> reliability;  // ten bins of width 0.1
};

struct TrainResult {
  OutcomeModel model;         // trained on all cases, calibrated out of fold
  std::vector<double> oof_p;  // each case's calibrated P(Pro needed) from the model that did not see it
  RoutingMetrics cross_validated;
};

// Fails when there are fewer cases than folds, or no case needs Pro, or all do.
core::Result<TrainResult> train_outcome_model(const std::vector<OutcomeCase>& cases, const TrainOptions& options);

// The metrics of a ranking `scores` (one per case; higher: more Pro).
double apgr(const std::vector<double>& scores, const std::vector<OutcomeCase>& cases);
// The least share sent to Pro at which PGR reaches `target` (1 when never).
double cpt(const std::vector<double>& scores, const std::vector<OutcomeCase>& cases, double target);
// All of them; `p` are calibrated probabilities (used as the scores, and for
// the Brier score and the reliability table).
RoutingMetrics routing_metrics(const std::vector<double>& p, const std::vector<OutcomeCase>& cases);

}  // namespace ff::router
