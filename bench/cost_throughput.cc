// Throughput of `flashfirst cost` against jq on the same large usage log.
//
// Generates a realistic JSONL log (bench/usage_generator.h), runs the real
// `flashfirst cost --json` binary and `jq` summing the same token fields over
// it, checks both answers against the generator's independent totals (exact
// costs included), and only then reports MB/s for each and the ratio. Exit code
// 1 if any answer is wrong. The page cache is warmed first, so both read from
// memory; each command runs single-threaded.
//
//   cost_throughput --flashfirst build/release/flashfirst [--mb 512] [--dir /tmp] [--runs 3]
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "usage_generator.h"

namespace {

struct Run {
  std::string output;
  double seconds = 0;
  int status = 0;
};

Run run_command(const std::string& cmd) {
  Run r;
  auto start = std::chrono::steady_clock::now();
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) {
    r.status = -1;
    return r;
  }
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  r.status = pclose(p);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

bool check(bool ok, const std::string& what) {
  if (!ok) fmt::print(stderr, "MISMATCH: {}\n", what);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Benchmark: flashfirst cost vs jq on a generated usage log (answers checked first)");
  std::string flashfirst = "build/release/flashfirst";
  std::string dir = "/tmp";
  std::string jq = "jq";
  int mb = 512;
  int runs = 5;
  bool keep = false;
  app.add_option("--flashfirst", flashfirst, "Path to the flashfirst binary")->capture_default_str();
  app.add_option("--mb", mb, "Size of the generated log in MB")->capture_default_str();
  app.add_option("--dir", dir, "Where to write the log")->capture_default_str();
  app.add_option("--jq", jq, "jq binary")->capture_default_str();
  app.add_option("--runs", runs, "Runs of flashfirst (the fastest counts; jq runs once)")->capture_default_str();
  app.add_flag("--keep", keep, "Keep the generated log");
  CLI11_PARSE(app, argc, argv);
#ifndef NDEBUG
  fmt::print(stderr, "warning: this benchmark was built without optimisation (NDEBUG unset)\n");
#endif

  // Generate.
  const std::string path = dir + "/flashfirst-bench-usage.jsonl";
  const std::int64_t n = static_cast<std::int64_t>(mb) * 1'000'000 / 700;  // lines average ~700 bytes
  ff::bench::UsageGenerator gen({});
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    std::string batch;
    for (std::int64_t i = 0; i < n; ++i) {
      gen.append_line(i, n, batch);
      if (batch.size() > (8u << 20)) {
        out << batch;
        batch.clear();
      }
    }
    out << batch;
    if (!out) {
      fmt::print(stderr, "cannot write {}\n", path);
      return 2;
    }
  }
  const ff::bench::ExpectedTotals& e = gen.expected();
  const double size_mb = static_cast<double>(std::ifstream(path, std::ios::ate | std::ios::binary).tellg()) / 1e6;
  fmt::print("log: {} ({:.1f} MB, {} records)\n", path, size_mb, e.records);
  run_command("cat '" + path + "' > /dev/null");  // warm the page cache

  // flashfirst: the fastest of `runs`.
  Run best;
  for (int i = 0; i < runs; ++i) {
    Run r = run_command(fmt::format("'{}' cost --json --no-progress '{}'", flashfirst, path));
    if (r.status != 0) {
      fmt::print(stderr, "flashfirst failed (status {}):\n{}\n", r.status, r.output);
      return 1;
    }
    if (i == 0 || r.seconds < best.seconds) best = r;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(best.output).get(doc)) {
    fmt::print(stderr, "flashfirst printed invalid JSON\n");
    return 1;
  }
  bool ok = true;
  auto str = [&](const char* a, const char* b) {
    return std::string(std::string_view(doc[a][b].get_string().value_unsafe()));
  };
  ok &= check(doc["records"].get_int64().value_unsafe() == e.records, "records");
  ok &= check(doc["tokens"]["cache_hit"].get_int64().value_unsafe() == e.cache_hit, "cache_hit tokens");
  ok &= check(doc["tokens"]["cache_miss"].get_int64().value_unsafe() == e.cache_miss, "cache_miss tokens");
  ok &= check(doc["tokens"]["output"].get_int64().value_unsafe() == e.output, "output tokens");
  ok &= check(str("cost", "actual") == ff::bench::femto_to_decimal(e.actual),
              fmt::format("actual {} vs expected {}", str("cost", "actual"), ff::bench::femto_to_decimal(e.actual)));
  ok &= check(str("cost", "all_flash") == ff::bench::femto_to_decimal(e.all_flash), "all_flash");
  ok &= check(str("cost", "all_pro") == ff::bench::femto_to_decimal(e.all_pro), "all_pro");

  // jq: the same token totals.
  Run q = run_command(
      fmt::format("'{}' -n -c 'reduce inputs as $r ([0,0,0,0]; [.[0]+1, .[1]+$r.usage.prompt_cache_hit_tokens, "
                  ".[2]+$r.usage.prompt_cache_miss_tokens, .[3]+$r.usage.completion_tokens])' '{}'",
                  jq, path));
  std::string expected_jq = fmt::format("[{},{},{},{}]\n", e.records, e.cache_hit, e.cache_miss, e.output);
  ok &= check(q.status == 0 && q.output == expected_jq, "jq totals: " + q.output);
  if (!keep) std::remove(path.c_str());
  if (!ok) return 1;

  fmt::print(
      "answers match the independent totals (records, tokens, actual/all-Flash/all-Pro cost = {} / {} / {} USD)\n",
      ff::bench::femto_to_decimal(e.actual), ff::bench::femto_to_decimal(e.all_flash),
      ff::bench::femto_to_decimal(e.all_pro));
  fmt::print("{:<28} {:>9} {:>10}\n", "", "seconds", "MB/s");
  fmt::print("{:<28} {:>9.2f} {:>10.1f}\n", "flashfirst cost (best of " + std::to_string(runs) + ")", best.seconds,
             size_mb / best.seconds);
  fmt::print("{:<28} {:>9.2f} {:>10.1f}\n", "jq (token sums only)", q.seconds, size_mb / q.seconds);
  fmt::print("ratio: flashfirst is {:.1f}x jq\n", q.seconds / best.seconds);
  return 0;
}
