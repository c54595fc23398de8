#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "net/http_server.h"
#include "sim/sim_config.h"
#include "sim/simulator.h"

namespace ff::cli {

namespace {

struct SimArgs {
  BookOptions book;
  std::string listen = "127.0.0.1:8787";
  std::vector<std::string> keys;
  std::string balance;
  std::string date;
  double speed = 1.0;
  std::uint64_t seed = 42;
  std::int64_t cache_interval = 8192;
  std::string faults;
  std::string concurrency;
  std::string quality;
  std::string config;
};

// "k=v,k=v" into pairs; false on a part without '='.
bool split_pairs(const std::string& spec, std::vector<std::pair<std::string, std::string>>& out) {
  size_t start = 0;
  while (start < spec.size()) {
    size_t comma = spec.find(',', start);
    std::string part = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? spec.size() : comma + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string::npos) return false;
    out.emplace_back(part.substr(0, eq), part.substr(eq + 1));
  }
  return true;
}

int run_sim(const SimArgs& a, const CLI::App& cmd) {
  auto book = load_book(a.book);
  if (!book.ok()) return fail("sim", kExitUsage, book.error().message);
  // The config file first; flags given on the command line override it.
  sim::SimOptions options;
  std::string listen = a.listen;
  std::string quality_file = a.quality;
  if (!a.config.empty()) {
    auto cfg = sim::load_sim_config(a.config);
    if (!cfg.ok()) return fail("sim", kExitUsage, cfg.error().message);
    options = cfg->options;
    if (cfg->listen && cmd.count("--listen") == 0) listen = *cfg->listen;
    if (cfg->quality_file && cmd.count("--quality") == 0) quality_file = *cfg->quality_file;
  }
  auto given = [&](const char* flag) { return a.config.empty() || cmd.count(flag) > 0; };
  if (given("--key") && !a.keys.empty()) options.keys = a.keys;
  if (given("--speed")) options.speed = a.speed;
  if (given("--seed")) options.seed = a.seed;
  if (given("--cache-interval")) options.cache.interval_tokens = a.cache_interval;
  if (a.speed < 0) return fail("sim", kExitUsage, "--speed must be 0 (instant) or more");
  if (!a.balance.empty()) {
    auto m = core::parse_money(a.balance);
    if (!m.ok() || m->femto() < 0)
      return fail("sim", kExitUsage, fmt::format("--balance: '{}' is not an amount", a.balance));
    options.balance = *m;
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  if (!split_pairs(a.faults, pairs)) return fail("sim", kExitUsage, "--faults must look like 503=0.01,cut=0.005");
  for (const auto& [k, v] : pairs) {
    double p = -1;
    try {
      p = std::stod(v);
    } catch (const std::exception&) {
    }
    if (p < 0 || p > 1)
      return fail("sim", kExitUsage, fmt::format("--faults: {}={} is not a probability from 0 to 1", k, v));
    sim::FaultRates& f = options.faults;
    if (k == "429")
      f.rate_limited = p;
    else if (k == "500")
      f.server_error = p;
    else if (k == "503")
      f.overloaded = p;
    else if (k == "slow")
      f.slow_first_byte = p;
    else if (k == "cut")
      f.stream_cut = p;
    else if (k == "malformed")
      f.malformed_chunk = p;
    else
      return fail("sim", kExitUsage,
                  fmt::format("--faults: unknown fault '{}' (429, 500, 503, slow, cut, malformed)", k));
  }
  pairs.clear();
  if (!split_pairs(a.concurrency, pairs))
    return fail("sim", kExitUsage, "--concurrency must look like flash=2500,pro=500");
  for (const auto& [k, v] : pairs) {
    auto n = parse_token_count(v);
    if (!n.ok() || *n < 1 || (k != "flash" && k != "pro")) {
      return fail("sim", kExitUsage, fmt::format("--concurrency: '{}={}' is not flash=N or pro=N", k, v));
    }
    (k == "flash" ? options.flash_concurrency : options.pro_concurrency) = *n;
  }
  if (!a.date.empty()) {
    auto t = core::parse_time(a.date);
    if (!t.ok()) return fail("sim", kExitUsage, "--date: " + t.error().message);
    options.date = *t;
  }
  auto address = parse_listen(listen);
  if (!address.ok()) return fail("sim", kExitUsage, address.error().message);
  net::ServerOptions server_options;
  server_options.host = address->first;
  server_options.port = address->second;
  server_options.server_name = "flashfirst-sim";
  auto quality = sim::QualityModel::from_flag(quality_file);
  if (!quality.ok()) return fail("sim", kExitUsage, quality.error().message);
  sim::Simulator simulator(*book, tokenizer::BpeTokenizer::deepseek(), *quality, options, core::system_clock());
  net::HttpServer server(server_options, [&simulator](const net::Request& r) { return simulator.handle(r); });
  if (auto s = server.listen(); !s.ok()) return fail("sim", kExitUsage, s.message());
  std::printf("listening on http://%s:%u\n", server_options.host.c_str(), static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  server.run(/*handle_signals=*/true);
  return kExitOk;
}

}  // namespace

void register_sim(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SimArgs>();
  CLI::App* cmd = app.add_subcommand("sim", "A local simulator of the DeepSeek API (no key, no network)");
  cmd->footer(
      "Serves POST /chat/completions (also /v1/ and /beta/; JSON and SSE), POST /anthropic/v1/messages (the "
      "Anthropic format), GET /models and GET /user/balance like the DeepSeek API (and GET /healthz, no key, for "
      "probes; it has no /metrics): Bearer keys, errors as {\"error\":{\"message\",\"type\",\"code\"}}, thinking mode, "
      "tool calls, "
      "JSON mode, usage with prefix-cache hits (V4 rules) and exact token counts. The first line on stdout is "
      "'listening on http://HOST:PORT'. SIGINT/SIGTERM stop it.");
  cmd->add_option("--listen", args->listen, "Address to listen on; port 0 picks a free port")->capture_default_str();
  cmd->add_option("--key", args->keys, "An accepted API key (repeatable); without any, every non-empty key works")
      ->type_name("KEY");
  cmd->add_option("--balance", args->balance, "USD balance; requests get 402 once it is spent (default: none)")
      ->type_name("USD");
  cmd->add_option("--date", args->date, "The simulated date for model ids and prices (default: now)")
      ->type_name("TIME");
  cmd->add_option("--speed", args->speed, "Speed factor of the latency model; 0 answers at once")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of all randomness (answers are reproducible)")->capture_default_str();
  cmd->add_option("--cache-interval", args->cache_interval,
                  "Tokens between cache units inside long inputs (unpublished by DeepSeek; 0 = none)")
      ->capture_default_str();
  cmd->add_option("--faults", args->faults,
                  "Fault probabilities per request: 429, 500, 503, slow (first byte), cut (stream), malformed (chunk); "
                  "e.g. 503=0.01,cut=0.005. A request header x-sim-fault: 503|429|500|slow|cut|malformed forces one.")
      ->type_name("SPEC");
  cmd->add_option("--concurrency", args->concurrency,
                  "Concurrent requests per tier before 429 (default flash=2500,pro=500)")
      ->type_name("SPEC");
  cmd->add_option("--quality", args->quality,
                  "Failure rates per tier and task category (TOML, as data/quality.toml; by default the built-in "
                  "priors, so some answers fail on purpose; `off` for none); a request picks its category with "
                  "metadata.category and may carry metadata.expected_answer")
      ->type_name("FILE");
  add_book_options(*cmd, args->book);
  cmd->add_option("--config", args->config,
                  "TOML file with any of the settings above and more (latency per model, cache, fault rates); "
                  "flags override it. See src/sim/sim_config.h for the fields")
      ->type_name("FILE");
  cmd->callback([args, cmd, &exit_code] { exit_code = run_sim(*args, *cmd); });
}

}  // namespace ff::cli
