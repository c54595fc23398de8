// The statistics of an eval report: pass-rate intervals and the paired test of
// Flash against Pro on the same cases. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>

namespace ff::eval {

struct Interval {
  double low = 0, high = 0;
};

// The Wilson score interval at 95% for `passed` of `n` (n > 0).
Interval wilson95(std::int64_t passed, std::int64_t n);

// The exact (binomial) two-sided McNemar test on the discordant pairs: `b`
// pairs where only Flash passed, `c` where only Pro did. 1 when there are none.
double mcnemar_exact(std::int64_t b, std::int64_t c);

// How many more pairs, at the discordance seen so far, would make the test
// decide (p < 0.05); nullopt when more cases at these rates never would
// (Flash fails no more often than Pro).
std::optional<std::int64_t> pairs_to_decide(std::int64_t pairs, std::int64_t b, std::int64_t c);

}  // namespace ff::eval
