// Writes a realistic DeepSeek usage log (JSON lines) to standard output; used to
// make examples/usage.jsonl and for trying `flashfirst cost` on big inputs.
//   gen_usage --records 400 --start 2026-11-02T00:00:00Z --days 12 --seed 7
#include <cstdio>

#include <CLI/CLI.hpp>

#include "core/time.h"
#include "usage_generator.h"

int main(int argc, char** argv) {
  CLI::App app("Generate a realistic DeepSeek usage log (JSONL) on standard output");
  std::int64_t records = 1000;
  std::string start = "2026-11-01T00:00:00Z";
  double days = 27;
  std::uint64_t seed = 42;
  app.add_option("--records", records, "Number of lines")->capture_default_str();
  app.add_option("--start", start, "First record's time")->capture_default_str();
  app.add_option("--days", days, "Time span of the log")->capture_default_str();
  app.add_option("--seed", seed, "Random seed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  auto t = ff::core::parse_time(start);
  if (!t.ok()) {
    std::fprintf(stderr, "%s\n", t.error().message.c_str());
    return 2;
  }
  ff::bench::UsageGenerator gen({t->unix_seconds, static_cast<std::int64_t>(days * 86400), seed});
  std::string out;
  for (std::int64_t i = 0; i < records; ++i) {
    gen.append_line(i, records, out);
    if (out.size() > (1u << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
