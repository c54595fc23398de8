// Micro-benchmarks of the cost pipeline's per-line steps. Each checks its result
// once before timing, and the process warns when built without optimisation.
#include <benchmark/benchmark.h>

#include <cstdio>

#include "planner/cost_engine.h"
#include "planner/usage_reader.h"
#include "pricing/price_book_loader.h"
#include "usage_generator.h"

namespace {

const ff::pricing::PriceBook& book() {
  static const ff::pricing::PriceBook b = std::move(*ff::pricing::load_embedded_price_book());
  return b;
}

std::string sample_line() {
  ff::bench::UsageGenerator gen({});
  std::string line;
  gen.append_line(0, 1, line);
  line.pop_back();  // the newline
  return line;
}

void BM_ParseLine(benchmark::State& state) {
  std::string line = sample_line();
  std::string padded = line + std::string(64, '\0');
  ff::planner::UsageParser parser;
  ff::bench::UsageGenerator gen({});
  std::string tmp;
  gen.append_line(0, 1, tmp);
  auto check = parser.parse(std::string_view(padded.data(), line.size()), padded.size());
  if (check.kind != ff::planner::LineOutcome::Kind::kRecord ||
      check.record.usage.cache_hit != gen.expected().cache_hit || check.record.usage.output != gen.expected().output) {
    state.SkipWithError("parser gave the wrong usage");
    return;
  }
  for (auto _ : state) {
    auto o = parser.parse(std::string_view(padded.data(), line.size()), padded.size());
    benchmark::DoNotOptimize(o);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * (line.size() + 1)));
}
BENCHMARK(BM_ParseLine);

void BM_Quote(benchmark::State& state) {
  auto t = *ff::core::parse_time("2026-11-24T02:00:00Z");
  auto q = book().quote("deepseek-v4-flash", t, "USD");
  if (!q.quote || q.quote->rates.output.nano_per_million != 1'200'000'000) {
    state.SkipWithError("wrong quote");
    return;
  }
  std::int64_t i = 0;
  for (auto _ : state) {
    auto r = book().quote("deepseek-v4-flash", ff::core::Timestamp{t.unix_seconds + (i++ % 86400)}, "USD");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Quote);

void BM_EngineAdd(benchmark::State& state) {
  ff::planner::CostEngine engine(book(), {});
  ff::planner::UsageRecord rec{"deepseek-flash", ff::core::Timestamp{1793491200}, {1000, 200, 300, 0}};
  // Off-peak Sunday 2026-11-01: 1000*0.003 + 200*0.15 + 300*0.6 = 3 + 30 + 180 = 213 per 1M.
  if (engine.add(rec).has_value() || engine.summary().total.cost.to_decimal() != "0.000213") {
    state.SkipWithError("wrong cost");
    return;
  }
  std::int64_t i = 0;
  for (auto _ : state) {
    rec.time = ff::core::Timestamp{1793491200 + (i++ % (27 * 86400))};
    benchmark::DoNotOptimize(engine.add(rec));
  }
}
BENCHMARK(BM_EngineAdd);

}  // namespace

int main(int argc, char** argv) {
#ifndef NDEBUG
  std::fprintf(stderr, "warning: micro_bench built without optimisation (NDEBUG unset)\n");
#endif
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
