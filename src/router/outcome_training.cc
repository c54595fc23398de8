#include "router/outcome_training.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include <fmt/format.h>

#include "core/text.h"

namespace ff::router {

namespace {

// A permutation of 0..n-1 from the seed: Fisher-Yates over mt19937_64, whose
// output the standard fixes (std::shuffle's algorithm it does not).
std::vector<std::size_t> permutation(std::size_t n, std::mt19937_64& rng) {
  std::vector<std::size_t> p(n);
  std::iota(p.begin(), p.end(), 0);
  for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[rng() % i]);
  return p;
}

// One logistic regression, fitted by AdaGrad SGD with L2 on soft targets.
struct Regression {
  std::vector<double> w, g;  // weights and their squared-gradient sums
  double bias = 0, bias_g = 0;
  explicit Regression(std::uint32_t buckets) : w(buckets, 0.0), g(buckets, 0.0) {}

  void step(const std::vector<std::uint32_t>& x, double target, const TrainOptions& o) {
    double z = bias;
    for (std::uint32_t i : x) z += w[i];
    const double d = sigmoid(z) - target;
    for (std::uint32_t i : x) {
      const double grad = d + o.l2 * w[i];
      g[i] += grad * grad;
      w[i] -= o.rate * grad / std::sqrt(g[i] + 1e-12);
    }
    bias_g += d * d;
    bias -= o.rate * d / std::sqrt(bias_g + 1e-12);
  }
};

OutcomeModel fit(const std::vector<OutcomeCase>& cases, const std::vector<std::size_t>& rows, const TrainOptions& o) {
  Regression flash(o.buckets), pro(o.buckets);
  std::mt19937_64 rng(o.seed);
  for (int e = 0; e < o.epochs; ++e) {
    for (std::size_t k : permutation(rows.size(), rng)) {
      const OutcomeCase& c = cases[rows[k]];
      flash.step(c.features, c.flash, o);
      pro.step(c.features, c.pro, o);
    }
  }
  OutcomeModel m(o.buckets, 1, 0);
  for (std::uint32_t i = 0; i < o.buckets; ++i) {
    m.flash_weights()[i] = static_cast<float>(flash.w[i]);
    m.pro_weights()[i] = static_cast<float>(pro.w[i]);
  }
  m.flash_bias() = flash.bias;
  m.pro_bias() = pro.bias;
  return m;
}

// Platt scaling: a, b minimising the log loss of sigmoid(a * score + b) against
// the labels, with Platt's smoothed targets, by Newton's method.
std::pair<double, double> platt(const std::vector<double>& scores, const std::vector<bool>& labels) {
  double positives = 0;
  for (bool y : labels) positives += y ? 1 : 0;
  const double negatives = static_cast<double>(labels.size()) - positives;
  const double hi = (positives + 1) / (positives + 2), lo = 1 / (negatives + 2);
  auto loss = [&](double a, double b) {
    double l = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
      const double p = std::clamp(sigmoid(a * scores[i] + b), 1e-15, 1 - 1e-15);
      const double t = labels[i] ? hi : lo;
      l -= t * std::log(p) + (1 - t) * std::log(1 - p);
    }
    return l;
  };
  double a = 1, b = std::log((positives + 1) / (negatives + 1));
  double current = loss(a, b);
  for (int it = 0; it < 100; ++it) {
    double ga = 0, gb = 0, haa = 1e-9, hab = 0, hbb = 1e-9;
    for (std::size_t i = 0; i < scores.size(); ++i) {
      const double p = sigmoid(a * scores[i] + b), t = labels[i] ? hi : lo, s = scores[i];
      const double d = p - t, w = p * (1 - p);
      ga += d * s;
      gb += d;
      haa += w * s * s;
      hab += w * s;
      hbb += w;
    }
    const double det = haa * hbb - hab * hab;
    if (det <= 0) break;
    double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    double step = 1;
    while (step > 1e-6) {
      const double next = loss(a - step * da, b - step * db);
      if (next <= current) {
        a -= step * da;
        b -= step * db;
        const bool done = current - next < 1e-12 * std::max(1.0, current);
        current = next;
        if (done) return {a, b};
        break;
      }
      step /= 2;
    }
    if (step <= 1e-6) break;
  }
  return {a, b};
}

// PGR at each number of requests sent to Pro, 0..n, in the order of the scores
// (highest first); requests with equal scores share their gain evenly.
std::vector<double> pgr_curve(const std::vector<double>& scores, const std::vector<OutcomeCase>& cases) {
  const std::size_t n = cases.size();
  double flash = 0, pro = 0;
  for (const OutcomeCase& c : cases) {
    flash += c.flash;
    pro += c.pro;
  }
  const double gap = pro - flash;
  std::vector<double> curve(n + 1, std::numeric_limits<double>::quiet_NaN());
  if (n == 0 || !(gap > 0)) return curve;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return scores[x] > scores[y]; });
  curve[0] = 0;
  double gained = 0;
  for (std::size_t k = 0; k < n;) {
    std::size_t end = k;
    double group = 0;
    while (end < n && scores[order[end]] == scores[order[k]]) {
      group += cases[order[end]].pro - cases[order[end]].flash;
      ++end;
    }
    const double each = group / static_cast<double>(end - k);
    for (; k < end; ++k) {
      gained += each;
      curve[k + 1] = gained / gap;
    }
  }
  return curve;
}

}  // namespace

double apgr(const std::vector<double>& scores, const std::vector<OutcomeCase>& cases) {
  const std::vector<double> curve = pgr_curve(scores, cases);
  const std::size_t n = cases.size();
  if (n == 0 || std::isnan(curve[0])) return std::numeric_limits<double>::quiet_NaN();
  double area = 0;
  for (std::size_t k = 0; k < n; ++k) area += (curve[k] + curve[k + 1]) / 2;
  return area / static_cast<double>(n);
}

double cpt(const std::vector<double>& scores, const std::vector<OutcomeCase>& cases, double target) {
  const std::vector<double> curve = pgr_curve(scores, cases);
  const std::size_t n = cases.size();
  if (n == 0 || std::isnan(curve[0])) return std::numeric_limits<double>::quiet_NaN();
  if (target <= 0) return 0;
  for (std::size_t k = 1; k <= n; ++k) {
    if (curve[k] >= target) {
      const double rise = curve[k] - curve[k - 1];
      const double within = rise > 0 ? (target - curve[k - 1]) / rise : 1;
      return (static_cast<double>(k - 1) + within) / static_cast<double>(n);
    }
  }
  return 1;
}

RoutingMetrics routing_metrics(const std::vector<double>& p, const std::vector<OutcomeCase>& cases) {
  RoutingMetrics m;
  m.cases = cases.size();
  if (cases.empty()) return m;
  const double n = static_cast<double>(cases.size());
  double needed = 0;
  for (const OutcomeCase& c : cases) {
    m.flash_quality += c.flash / n;
    m.pro_quality += c.pro / n;
    needed += c.pro_needed() ? 1 : 0;
  }
  m.pro_needed_share = needed / n;
  m.apgr = apgr(p, cases);
  m.cpt50 = cpt(p, cases, 0.5);
  m.cpt80 = cpt(p, cases, 0.8);
  m.reliability.resize(10);
  for (int b = 0; b < 10; ++b) {
    m.reliability[b].from = b / 10.0;
    m.reliability[b].to = (b + 1) / 10.0;
  }
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const double y = cases[i].pro_needed() ? 1 : 0;
    m.brier += (p[i] - y) * (p[i] - y) / n;
    m.base_brier += (m.pro_needed_share - y) * (m.pro_needed_share - y) / n;
    ReliabilityBin& bin = m.reliability[std::min<std::size_t>(9, static_cast<std::size_t>(p[i] * 10))];
    ++bin.cases;
    bin.mean_p += p[i];
    bin.observed += y;
  }
  for (ReliabilityBin& bin : m.reliability) {
    if (bin.cases > 0) {
      bin.mean_p /= static_cast<double>(bin.cases);
      bin.observed /= static_cast<double>(bin.cases);
    }
  }
  return m;
}

core::Result<TrainResult> train_outcome_model(const std::vector<OutcomeCase>& cases, const TrainOptions& o) {
  if (o.folds < 2) return core::make_error("cross-validation needs at least 2 folds");
  if (cases.size() < static_cast<std::size_t>(o.folds)) {
    return core::make_error(fmt::format("{} too few for {} folds", core::count_of(static_cast<std::int64_t>(cases.size()), "case is", "cases are"), o.folds));
  }
  std::size_t needed = 0;
  for (const OutcomeCase& c : cases) needed += c.pro_needed() ? 1 : 0;
  if (needed == 0) return core::make_error("no case needs Pro (Pro never does better than Flash): nothing to learn");
  if (needed == cases.size()) return core::make_error("every case needs Pro: nothing to learn");

  // Folds: positions in a seeded permutation, dealt round-robin.
  std::mt19937_64 rng(o.seed ^ 0x9e3779b97f4a7c15ULL);
  const std::vector<std::size_t> order = permutation(cases.size(), rng);
  std::vector<double> oof_gain(cases.size(), 0);
  for (int k = 0; k < o.folds; ++k) {
    std::vector<std::size_t> train, test;
    for (std::size_t pos = 0; pos < order.size(); ++pos) {
      (static_cast<int>(pos % static_cast<std::size_t>(o.folds)) == k ? test : train).push_back(order[pos]);
    }
    const OutcomeModel m = fit(cases, train, o);
    for (std::size_t i : test) oof_gain[i] = m.gain(cases[i].features);
  }
  std::vector<bool> labels(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) labels[i] = cases[i].pro_needed();
  const auto [a, b] = platt(oof_gain, labels);

  std::vector<std::size_t> all(cases.size());
  std::iota(all.begin(), all.end(), 0);
  TrainResult r{fit(cases, all, o), {}, {}};
  r.model.set_calibration(a, b);
  r.oof_p.resize(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) r.oof_p[i] = r.model.calibrated(oof_gain[i]);
  r.cross_validated = routing_metrics(r.oof_p, cases);
  return r;
}

}  // namespace ff::router
