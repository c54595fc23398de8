// A generator of realistic DeepSeek usage logs, with an independent reference
// computation of what they cost.
//
// The lines look like real /chat/completions responses (id, object, created,
// model, choices with content and reasoning_content, usage with all cache
// fields, system_fingerprint), spread over a time window in November 2026 with
// a Flash/Pro mix, varied prompt sizes and cache-hit shares. The expected totals
// are computed here from a hand-written copy of the November 2026 USD rates and
// the peak rule (UTC Mon-Fri 01-04 and 06-10; no holidays fall in November), not
// through the price book code, so a benchmark can check flashfirst against them.
#pragma once

#include <cstdint>
#include <string>

namespace ff::bench {

__extension__ typedef __int128 i128;

struct ExpectedTotals {
  std::int64_t records = 0;
  std::int64_t cache_hit = 0, cache_miss = 0, output = 0;
  // Femto-dollars, as exact integers.
  i128 actual = 0, all_flash = 0, all_pro = 0;
};

struct GeneratorOptions {
  std::int64_t start_unix = 1793491200;  // 2026-11-01T00:00:00Z
  std::int64_t span_seconds = 27 * 86400;
  std::uint64_t seed = 42;
};

class UsageGenerator {
 public:
  explicit UsageGenerator(GeneratorOptions options) : opt_(options), state_(options.seed) {}

  // Appends one line (with its newline) for record number `i` of `n` to `out`,
  // and adds it to the expected totals.
  void append_line(std::int64_t i, std::int64_t n, std::string& out);

  const ExpectedTotals& expected() const { return expected_; }

 private:
  std::uint64_t next();
  GeneratorOptions opt_;
  std::uint64_t state_;
  ExpectedTotals expected_;
};

// Exact decimal string of a femto amount, e.g. "12.3456" (at least 2 decimals),
// written independently of core::Money.
std::string femto_to_decimal(i128 v);

}  // namespace ff::bench
