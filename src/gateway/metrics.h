// The gateway's metrics for /metrics: counters declared once (the list below
// makes both the members and their Prometheus lines), upstream calls by tier
// and status, cost and tokens in total and per virtual key, the OpenTelemetry
// GenAI client histograms per model, and the gateway's own time per request.
//
// Not thread-safe: the gateway keeps it on its server thread.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/money.h"
#include "core/usage.h"

namespace ff::ledger {
struct Row;
}

namespace ff::gateway {

// The gateway's plain counters: each becomes a member of Metrics and a
// Prometheus counter flashfirst_<name>_total with this help text.
#define FF_GATEWAY_COUNTERS(COUNTER)                                                                   \
  COUNTER(escalations, "Flash answers that failed the check and went to Pro.")                         \
  COUNTER(fallbacks, "Requests sent to the other tier because theirs kept failing.")                   \
  COUNTER(upstream_errors, "Upstream calls that failed without an answer (connect, timeout, broken).") \
  COUNTER(retries, "Upstream calls made again after a connect failure or a 429/500/503.")              \
  COUNTER(reasoning_restored, "Assistant tool-call turns whose reasoning_content was put back.")       \
  COUNTER(budget_refusals, "Calls refused (or escalations skipped) for a key's budget.")               \
  COUNTER(rate_limit_refusals, "Requests refused for a key's rpm, tpm or max_concurrent limit.")       \
  COUNTER(ledger_failures, "Ledger rows that could not be committed.")

// A Prometheus histogram over fixed bucket bounds (upper bounds, ascending).
struct Histogram {
  explicit Histogram(const std::vector<double>& b) : bounds(&b), counts(b.size() + 1) {}
  void observe(double v) {
    const auto at = std::lower_bound(bounds->begin(), bounds->end(), v) - bounds->begin();
    ++counts[static_cast<std::size_t>(at)];
    sum += v;
    ++count;
  }
  // `name`_bucket (cumulative, le="+Inf" last), _sum and _count, with `labels` ("" or `a="b",c="d"`).
  void render(std::string& out, std::string_view name, std::string_view labels) const;
  const std::vector<double>* bounds;
  std::vector<std::uint64_t> counts;
  double sum = 0;
  std::uint64_t count = 0;
};
// The bounds the OpenTelemetry GenAI semantic conventions give these metrics.
inline const std::vector<double> kTokenBounds = {1,     4,     16,     64,      256,     1024,     4096,
                                                 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864};
inline const std::vector<double> kDurationBounds = {0.01, 0.02, 0.04, 0.08,  0.16,  0.32,  0.64,
                                                    1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92};
// The gateway's own time per request: tens of microseconds to a ledger commit's milliseconds.
inline const std::vector<double> kOverheadBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                    0.025,  0.05,    0.1,    0.25,  0.5,    1};

class Metrics {
 public:
#define FF_DECLARE_COUNTER(name, help) std::int64_t name = 0;
  FF_GATEWAY_COUNTERS(FF_DECLARE_COUNTER)
#undef FF_DECLARE_COUNTER

  // One upstream call, as its ledger row records it, on `tier`.
  void count(const ledger::Row& row, core::Tier tier);
  // The gateway's own time for one request that reached the upstream.
  void observe_overhead(double seconds) { overhead_.observe(seconds); }

  // The Prometheus text of everything above; `currency` names the cost's unit.
  std::string text(std::string_view currency) const;

 private:
  std::map<std::pair<core::Tier, int>, std::int64_t> requests_;  // (tier, status) -> count
  core::Money cost_total_, cost_if_pro_total_;
  core::TokenUsage tokens_total_;
  // Spend per virtual key and tier. Bounded: the keys are the config's (or the
  // one "anonymous" key when none is configured), the tiers two.
  struct Spend {
    bool any = false;  // a call of this key and tier was counted
    core::Money cost;
    core::TokenUsage tokens;
  };
  // Looked up by the row's key name without a copy: no allocation per request.
  std::map<std::string, std::array<Spend, 2>, std::less<>> spend_by_key_;
  // The OpenTelemetry GenAI client metrics, in their Prometheus spelling, per
  // label set: an upstream call is one operation ("chat") of system "deepseek".
  // Kept per routed model (the request and the response model are the one the
  // gateway calls), the label text written only when /metrics is scraped.
  struct ModelOperations {
    std::map<int, Histogram> duration;  // by the status of a failed call; 0: answered 200
    Histogram input{kTokenBounds}, output{kTokenBounds};
  };
  std::map<std::string, ModelOperations, std::less<>> operations_;
  Histogram overhead_{kOverheadBounds};
};

}  // namespace ff::gateway
