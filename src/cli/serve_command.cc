// flashfirst serve: the Flash-first gateway.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <variant>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/in_process_sim.h"
#include "core/text.h"
#include "dashboard/dashboard.h"
#include "gateway/access_log.h"
#include "gateway/accounts.h"
#include "gateway/body_edit.h"
#include "gateway/gateway.h"
#include "gateway/serve_config.h"
#include "ledger/ledger.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "sim/quality_model.h"
#include "router/router.h"
#include "sim/simulator.h"
#include "tokenizer/tokenizer.h"

namespace ff::cli {

namespace {

struct ServeArgs {
  BookOptions book;
  std::string config;
  std::string listen = "127.0.0.1:8080";
  std::string upstream = "https://api.deepseek.com";
  std::string ledger = "flashfirst-ledger.db";
  std::vector<std::string> keys;
  std::string policy;
  std::string currency = "USD";
  std::string ca_file;
  bool insecure = false;
  bool record_requests = false;
  int max_retries = 2;
  int fallback_after = 0;
  std::int64_t fallback_seconds = 30;
  std::int64_t budget_sync_ms = 1000;
  double sim_speed = 1.0;
  std::string sim_quality;
  double read_timeout_s = 30;
  double upstream_connect_timeout_s = 10;
  double upstream_first_byte_timeout_s = 600;
  double upstream_idle_timeout_s = 300;
  std::int64_t max_body_mb = 64;
  std::int64_t max_connections = 10000;
  std::string access_log = "-";
  std::string ledger_sync = "full";
  bool dashboard = true;
  std::string evals_dir;
  std::vector<std::string> admin_keys;
};

int run_serve(ServeArgs a, const CLI::App& cmd) {
  // The config file first; flags given on the command line override it.
  std::vector<gateway::VirtualKey> config_keys;
  std::vector<std::string> admin_hashes;  // the dashboard's admin keys (SHA-256)
  std::vector<gateway::UpstreamAccount> config_accounts;  // [[upstream]]: several accounts
  gateway::Accounts::Queue queue;
  if (!a.config.empty()) {
    auto cfg = gateway::load_serve_config(a.config);
    if (!cfg.ok()) return fail("serve", kExitUsage, cfg.error().message);
    // Each setting of the file is the flag of the same name (`_` for `-`).
    using Target = std::variant<std::string*, int*, std::int64_t*, double*, bool*>;
    const std::pair<const char*, Target> targets[] = {{"listen", &a.listen},
                                                      {"upstream", &a.upstream},
                                                      {"ledger", &a.ledger},
                                                      {"ledger_sync", &a.ledger_sync},
                                                      {"currency", &a.currency},
                                                      {"policy", &a.policy},
                                                      {"prices", &a.book.prices_file},
                                                      {"holidays", &a.book.holidays_file},
                                                      {"access_log", &a.access_log},
                                                      {"max_retries", &a.max_retries},
                                                      {"fallback_after", &a.fallback_after},
                                                      {"fallback_seconds", &a.fallback_seconds},
                                                      {"budget_sync_ms", &a.budget_sync_ms},
                                                      {"read_timeout", &a.read_timeout_s},
                                                      {"upstream_connect_timeout", &a.upstream_connect_timeout_s},
                                                      {"upstream_first_byte_timeout", &a.upstream_first_byte_timeout_s},
                                                      {"upstream_idle_timeout", &a.upstream_idle_timeout_s},
                                                      {"max_body_mb", &a.max_body_mb},
                                                      {"max_connections", &a.max_connections},
                                                      {"ca_file", &a.ca_file},
                                                      {"insecure", &a.insecure},
                                                      {"record_requests", &a.record_requests},
                                                      {"sim_speed", &a.sim_speed},
                                                      {"sim_quality", &a.sim_quality},
                                                      {"dashboard", &a.dashboard},
                                                      {"evals_dir", &a.evals_dir}};
    static_assert(std::size(targets) == 26, "one target per config field");
    for (const auto& [name, target] : targets) {
      auto it = cfg->values.find(std::string_view(name));
      std::string flag = "--" + std::string(name);
      std::replace(flag.begin(), flag.end(), '_', '-');
      if (flag == "--dashboard") flag = "--no-dashboard";  // the one setting whose flag turns it off
      if (it == cfg->values.end() || cmd.count(flag) > 0) continue;
      const gateway::ConfigValue& v = it->second;
      std::visit(
          [&v](auto* out) {
            using T = std::remove_pointer_t<decltype(out)>;
            if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool>) {
              *out = std::get<T>(v);
            } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
              *out = static_cast<T>(*i);
            } else {
              *out = static_cast<T>(std::get<double>(v));
            }
          },
          target);
    }
    config_keys = cfg->keys;
    admin_hashes = cfg->admin_key_hashes;
    if (cmd.count("--upstream") == 0) config_accounts = cfg->accounts;  // the flag's one URL wins
    queue.length = static_cast<std::size_t>(cfg->queue_length);
    queue.wait = std::chrono::milliseconds(static_cast<std::int64_t>(cfg->queue_wait_seconds * 1000));
  }
  auto book = load_book(a.book);
  if (!book.ok()) return fail("serve", kExitUsage, book.error().message);
  if (auto s = check_currency(*book, a.currency); !s.ok()) return fail("serve", kExitUsage, s.message());
  auto policy = a.policy.empty() ? router::Policy::embedded() : router::Policy::load_file(a.policy);
  if (!policy.ok()) return fail("serve", kExitUsage, policy.error().message);
  auto listen = parse_listen(a.listen);
  if (!listen.ok()) return fail("serve", kExitUsage, listen.error().message);
  if (a.max_retries < 0 || a.max_retries > 10) return fail("serve", kExitUsage, "--max-retries must be from 0 to 10");
  if (a.budget_sync_ms <= 0) return fail("serve", kExitUsage, "--budget-sync-ms must be positive");
  if (a.fallback_after < 0 || a.fallback_seconds <= 0) {
    return fail("serve", kExitUsage, "--fallback-after must be 0 (off) or more and --fallback-seconds positive");
  }
  if (a.read_timeout_s <= 0 || a.max_body_mb <= 0 || a.max_connections <= 0) {
    return fail("serve", kExitUsage, "--read-timeout, --max-body-mb and --max-connections must be positive");
  }
  if (a.upstream_connect_timeout_s <= 0 || a.upstream_first_byte_timeout_s <= 0 || a.upstream_idle_timeout_s <= 0) {
    return fail("serve", kExitUsage,
                "--upstream-connect-timeout, --upstream-first-byte-timeout and "
                "--upstream-idle-timeout must be positive");
  }
  if (a.ledger_sync != "full" && a.ledger_sync != "process") {
    return fail("serve", kExitUsage, "--ledger-sync must be full or process");
  }

  net::UpstreamOptions up;
  up.answer_fields = gateway::upstream_answer_fields();
  // The quality priors outlive the simulator thread that reads them.
  std::optional<sim::QualityModel> quality;
  std::unique_ptr<InProcessSim> sim;
  if (a.upstream == "sim") {
    auto q = sim::QualityModel::from_flag(a.sim_quality);
    if (!q.ok()) return fail("serve", kExitUsage, q.error().message);
    quality = std::move(*q);
    if (a.sim_speed < 0) return fail("serve", kExitUsage, "--sim-speed must be 0 (instant) or more");
    sim = std::make_unique<InProcessSim>(*book, *quality, a.sim_speed);
    if (auto s = sim->start(); !s.ok()) return fail("serve", kExitUsage, s.message());
    up.base_url = sim->url();
    up.api_key = InProcessSim::kKey;
  } else if (!config_accounts.empty()) {
    up.base_url = fmt::format("{} accounts ([[upstream]])", config_accounts.size());
  } else {
    up.base_url = a.upstream;
    const char* env = std::getenv("DEEPSEEK_API_KEY");
    if (env == nullptr || *env == '\0') {
      return fail("serve", kExitUsage,
                  "set DEEPSEEK_API_KEY to the upstream API key (or use --upstream sim to try it without one)");
    }
    up.api_key = env;
  }
  up.verify_tls = !a.insecure;
  up.ca_file = a.ca_file;
  auto millis = [](double seconds) { return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000)); };
  up.connect_timeout = millis(a.upstream_connect_timeout_s);
  up.first_byte_timeout = millis(a.upstream_first_byte_timeout_s);
  up.idle_timeout = millis(a.upstream_idle_timeout_s);

  auto ledger =
      ledger::open_ledger(a.ledger, a.ledger_sync == "full" ? ledger::Durability::kFull : ledger::Durability::kProcess);
  if (!ledger.ok()) return fail("serve", kExitUsage, ledger.error().message);

  router::Router router(std::move(*policy), std::make_shared<tokenizer::RatioEstimator>());
  gateway::GatewayOptions go;
  go.currency = a.currency;
  go.max_retries = a.max_retries;
  go.fallback_after = a.fallback_after;
  go.record_requests = a.record_requests;
  go.fallback_for = std::chrono::seconds(a.fallback_seconds);
  go.keys = config_keys;
  std::FILE* access_file = nullptr;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> owned_access_file(nullptr, &std::fclose);
  if (a.access_log == "-") {
    access_file = stderr;
  } else if (a.access_log != "off") {
    owned_access_file.reset(std::fopen(a.access_log.c_str(), "a"));
    access_file = owned_access_file.get();
    if (access_file == nullptr)
      return fail("serve", kExitUsage, fmt::format("cannot open access log '{}'", a.access_log));
  }
  for (std::size_t i = 0; i < a.keys.size(); ++i) {
    if (a.keys[i].empty()) return fail("serve", kExitUsage, "--key must not be empty");
    const std::string hash = gateway::sha256_hex(a.keys[i]);
    go.keys.push_back({fmt::format("key-{}", hash.substr(0, 8)), hash, {}, {}});
  }
  for (const std::string& k : a.admin_keys) {
    if (k.empty()) return fail("serve", kExitUsage, "--admin-key must not be empty");
    admin_hashes.push_back(gateway::sha256_hex(k));
  }
  for (const gateway::VirtualKey& k : go.keys) {
    if (std::find(admin_hashes.begin(), admin_hashes.end(), k.sha256_hex) != admin_hashes.end()) {
      return fail("serve", kExitUsage,
                  fmt::format("key '{}' is both a virtual key and an admin key: give admins keys of their own", k.name));
    }
  }
  // The dashboard reads the ledger on a thread of its own (the rows there, then
  // the new ones); its API answers on another.
  std::unique_ptr<dashboard::Dashboard> board;
  if (a.dashboard) {
    dashboard::DashboardOptions dopt;
    dopt.ledger = a.ledger;
    dopt.currency = a.currency;
    dopt.evals_dir = a.evals_dir;
    for (const gateway::VirtualKey& k : go.keys) dopt.keys.push_back({k.name, k.sha256_hex, k.budgets});
    board = std::make_unique<dashboard::Dashboard>(*book, std::move(dopt));
    go.dashboard = board.get();
    go.admin_key_hashes = admin_hashes;
  }

  net::ServerOptions so;
  so.host = listen->first;
  so.port = listen->second;
  so.server_name = "flashfirst";
  so.read_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(a.read_timeout_s * 1000));
  so.body_limit = static_cast<std::size_t>(a.max_body_mb) << 20;
  so.max_connections = static_cast<std::size_t>(a.max_connections);
  std::unique_ptr<gateway::Gateway> gw;
  std::unique_ptr<net::UpstreamClient> client;
  so.on_hangup = [] {
    fmt::print(stderr,
               "flashfirst serve: SIGHUP ignored: keys, budgets, the policy and the price book are read once "
               "at start; restart the gateway to load new ones\n");
  };
  so.on_stop = [&board] {
    if (board) board->end_streams();
  };
  so.on_rejected = [&gw](const net::Request& r, int status, std::string_view message) {
    if (gw) gw->log_rejected(r, status, message);
  };
  net::HttpServer server(so, [&gw](const net::Request& r, net::ResponseWriter& w) { return gw->handle(r, w); });
  std::optional<gateway::AccessLog> access_log;
  if (access_file != nullptr) {
    access_log.emplace(access_file, server.executor());
    go.access_log = [&access_log](std::string_view line) { access_log->line(line); };
  }
  std::unique_ptr<gateway::Accounts> accounts;
  if (!config_accounts.empty()) {
    // Several DeepSeek accounts, each with its own key and concurrency limits.
    std::vector<gateway::Accounts::Account> list;
    for (const gateway::UpstreamAccount& acct : config_accounts) {
      net::UpstreamOptions o = up;
      o.base_url = acct.base_url;
      const char* key = std::getenv(acct.key_env.c_str());
      if (key == nullptr || *key == '\0') {
        return fail("serve", kExitUsage,
                    fmt::format("[[upstream]] '{}': set {} to its API key", acct.name, acct.key_env));
      }
      o.api_key = key;
      auto made = net::UpstreamClient::create(server.executor(), o);
      if (!made.ok()) return fail("serve", kExitUsage, fmt::format("[[upstream]] '{}': {}", acct.name, made.error().message));
      list.push_back({acct.name, std::move(*made), acct.weight, acct.tiers, acct.concurrency});
    }
    const pricing::PriceBook& prices = *book;
    const std::string currency = a.currency;
    accounts = std::make_unique<gateway::Accounts>(
        server.executor(), std::move(list), queue, [&prices, currency](std::string_view body) {
          const auto model = gateway::find_member(body, "model");
          if (!model || model->length < 2) return core::Tier::kFlash;
          const std::string_view id = body.substr(model->offset + 1, model->length - 2);
          return prices.tier_of(id, core::system_clock().now(), currency).value_or(core::Tier::kFlash);
        });
    go.extra_metrics = [&accounts] { return accounts->metrics_text(); };
    gw = std::make_unique<gateway::Gateway>(*book, router, **ledger, *accounts, go);
  } else {
    auto c = net::UpstreamClient::create(server.executor(), up);
    if (!c.ok()) return fail("serve", kExitUsage, c.error().message);
    client = std::move(*c);
    gw = std::make_unique<gateway::Gateway>(*book, router, **ledger, *client, go);
  }
  if (auto s = gw->seed_budgets(); !s.ok()) return fail("serve", kExitFailure, s.message());
  gw->follow_shared_ledger(server.executor(), std::chrono::milliseconds(a.budget_sync_ms));
  if (auto s = server.listen(); !s.ok()) return fail("serve", kExitUsage, s.message());
  if (board) board->start();
  std::printf("listening on http://%s:%u\n", so.host.c_str(), static_cast<unsigned>(server.port()));
  if (board) {
    std::printf("dashboard on http://%s:%u/ui/%s\n", so.host.c_str(), static_cast<unsigned>(server.port()),
                admin_hashes.empty() ? " (no admin key: each virtual key sees its own calls; --admin-key for all)" : "");
  }
  std::fflush(stdout);
  fmt::print(stderr, "flashfirst serve: upstream {}{}, ledger {}, {}\n",
             a.upstream == "sim" ? "the built-in simulator at " : "", up.base_url, ledger::display_name(a.ledger),
             go.keys.empty() ? "no virtual keys (any bearer key is accepted)"
                             : core::count_of(static_cast<std::int64_t>(go.keys.size()), "virtual key"));
  if (quality && a.sim_quality != "off") {
    double lo = 1, hi = 0;
    for (const auto& c : quality->categories()) {
      lo = std::min({lo, c.flash, c.pro});
      hi = std::max({hi, c.flash, c.pro});
    }
    if (hi > 0) {
      fmt::print(stderr,
                 "flashfirst serve: the simulator makes {:.0f}-{:.0f}% of its answers fail on purpose (wrong, "
                 "cut, invalid JSON), as real ones do, from {}; --sim-quality off turns that off\n",
                 lo * 100, hi * 100, a.sim_quality.empty() ? "data/quality.toml" : a.sim_quality);
    }
  }
  server.run(/*handle_signals=*/true);
  if (board) board->stop();
  if (access_log) access_log->flush();
  gw.reset();
  client.reset();
  accounts.reset();
  // The ledger's writer thread posts commit completions to the server's event
  // loop: it is joined here, before the server and its loop are destroyed.
  ledger->reset();
  return kExitOk;
}

}  // namespace

void register_serve(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand("serve", "The Flash-first gateway: route, cascade, account (OpenAI-compatible)");
  cmd->footer(
      "Point an OpenAI SDK's base URL at http://HOST:PORT/v1. `model`: auto lets the router decide; flash or pro "
      "picks a tier; a DeepSeek id passes through. Answers carry x-flashfirst-model, -route, -escalated, -cost and "
      "-cost-if-pro headers (streams: a `flashfirst` object on the usage event). Every upstream call is a ledger "
      "row, committed before the answer's last byte; `flashfirst cost --ledger FILE` reports on it.\n"
      "Routes: POST /v1/chat/completions (OpenAI), POST /v1/messages (Anthropic; also /anthropic/v1/messages), "
      "GET /v1/models, GET /healthz and /readyz, GET /metrics (Prometheus text).\n"
      "The first line on stdout is `listening on http://HOST:PORT`. SIGTERM/SIGINT stop accepting and let "
      "requests in progress finish; SIGHUP is ignored (restart to load a new config).");
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on; port 0 picks a free one")->capture_default_str();
  cmd->add_option("--upstream", args->upstream,
                  "The DeepSeek API base URL (key from $DEEPSEEK_API_KEY), or `sim` for the built-in simulator")
      ->capture_default_str();
  cmd->add_option("--ledger", args->ledger,
                  "Ledger: an SQLite file (created if missing) or a PostgreSQL URL (postgresql://user@host/db) that "
                  "several gateways can share")
      ->capture_default_str();
  cmd->add_option("--key", args->keys, "A virtual API key clients must send (repeatable); none: any key is accepted")
      ->type_name("KEY");
  cmd->add_option("--policy", args->policy, "Routing policy (TOML) instead of the built-in data/routing.toml")
      ->type_name("FILE");
  cmd->add_option("--currency", args->currency, "Currency of the recorded costs: USD or CNY")->capture_default_str();
  cmd->add_option("--max-retries", args->max_retries,
                  "Retries on connect failures and 429/500/503 before anything reached the client")
      ->capture_default_str();
  cmd->add_option("--fallback-after", args->fallback_after,
                  "Failed calls in a row (upstream errors, 429/5xx after retries) after which a tier's requests go "
                  "to the other tier for --fallback-seconds; a failed non-stream call is also re-made once there "
                  "(0 = off)")
      ->capture_default_str();
  cmd->add_option("--fallback-seconds", args->fallback_seconds, "How long a failing tier is avoided")
      ->capture_default_str();
  cmd->add_option("--budget-sync-ms", args->budget_sync_ms,
                  "With keys that have budgets: how often the spending of other gateways sharing the ledger is read "
                  "and counted (milliseconds)")
      ->capture_default_str();
  cmd->add_option("--ca-file", args->ca_file, "Extra CA certificates (PEM) to trust for the upstream")
      ->type_name("FILE");
  cmd->add_flag("--insecure", args->insecure, "Do not verify the upstream's TLS certificate (testing only)");
  cmd->add_option("--admin-key", args->admin_keys,
                  "A key that sees every key's spend and calls in the dashboard (repeatable; not a key for chat)")
      ->type_name("KEY");
  cmd->add_flag("--no-dashboard{false}", args->dashboard,
                "Do not serve the dashboard (/ui/ and /v1/flashfirst/spend, requests, budgets, live, events, evals)");
  cmd->add_option("--evals-dir", args->evals_dir,
                  "A folder of `flashfirst eval --json` reports for the dashboard's Evals page")
      ->type_name("DIR");
  cmd->add_flag("--record-requests", args->record_requests,
                "Keep each client request's body in the ledger (table request_bodies), for `flashfirst route train "
                "--format ledger`. Off by default: the ledger then holds no prompt text");
  cmd->add_option("--sim-speed", args->sim_speed, "With --upstream sim: its speed factor (0 = instant)")
      ->capture_default_str();
  cmd->add_option("--sim-quality", args->sim_quality,
                  "With --upstream sim: failure-rate priors (TOML, as data/quality.toml) for its answers; by default "
                  "the built-in priors, so some answers fail (wrong, cut, invalid JSON) as real ones do; `off` for "
                  "none")
      ->type_name("FILE");
  cmd->add_option("--read-timeout", args->read_timeout_s, "Seconds a client has to send a whole request (408 after)")
      ->capture_default_str();
  cmd->add_option("--upstream-connect-timeout", args->upstream_connect_timeout_s,
                  "Seconds to connect to the upstream (and finish TLS); a connect failure is retried")
      ->capture_default_str();
  cmd->add_option("--upstream-first-byte-timeout", args->upstream_first_byte_timeout_s,
                  "Seconds the upstream has to start its answer (504 after; thinking models can take minutes)")
      ->capture_default_str();
  cmd->add_option("--upstream-idle-timeout", args->upstream_idle_timeout_s,
                  "Seconds the upstream may go silent in the middle of an answer or a stream")
      ->capture_default_str();
  cmd->add_option("--max-body-mb", args->max_body_mb,
                  "Largest request body in MiB (413 above; a 1M-token context is a few MiB)")
      ->capture_default_str();
  cmd->add_option("--ledger-sync", args->ledger_sync,
                  "full: every batch of rows is synced to disk (survives power loss); process: rows survive the "
                  "gateway being killed (kill -9) but not an OS crash, for more requests per second")
      ->capture_default_str();
  cmd->add_option("--access-log", args->access_log,
                  "Where the JSON access log lines go: a file (appended), - for stderr, or off")
      ->capture_default_str();
  cmd->add_option("--max-connections", args->max_connections, "Open client connections at most")->capture_default_str();
  add_book_options(*cmd, args->book);
  cmd->add_option("--config", args->config,
                  "Config file (TOML): every flag above as a field of the same name with _ for - (max_body_mb = 8), "
                  "and [[key]] tables with name, key or key_sha256, budgets and allowed tiers; flags given here "
                  "override it. examples/serve.toml lists them all")
      ->type_name("FILE");
  cmd->callback([args, cmd, &exit_code] { exit_code = run_serve(*args, *cmd); });
}

}  // namespace ff::cli
