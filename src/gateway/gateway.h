// Gateway: the request path of `flashfirst serve`.
//
// For each chat request: authenticate the virtual key, route (the router
// decides for `auto`; `flash`/`pro` pick a tier; a concrete id passes through),
// rewrite only `model` (and ask streams for their usage), call the upstream
// with retries while nothing has reached the client, check a Flash answer and
// escalate it to Pro when it demonstrably fails (cascade), price the billed
// usage exactly, commit the ledger row(s), and only then send the answer's last
// bytes, with the route, model and cost in `x-flashfirst-*` headers (and, for
// streams, in a `flashfirst` object on the event that carries the usage).
//
// One Gateway serves one HttpServer: handle() runs on the server's thread; the
// book, router and policy are immutable; the ledger is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "budget/budget.h"
#include "budget/rate_limit.h"
#include "core/money.h"
#include "core/result.h"
#include "core/usage.h"

namespace ff::pricing {
class PriceBook;
}
namespace ff::router {
class Router;
}
namespace ff::ledger {
class Ledger;
}
namespace ff::dashboard {
class Dashboard;
}
namespace ff::net {
struct Request;
class ResponseWriter;
class Upstream;
}  // namespace ff::net

namespace ff::gateway {

struct VirtualKey {
  std::string name;
  std::string sha256_hex;         // of the key; the key itself is not kept
  budget::Limits budgets;         // in GatewayOptions::currency
  budget::RateLimits rates;       // requests and tokens a minute, requests at once
  std::vector<core::Tier> tiers;  // allowed tiers; empty: both
  // DeepSeek's user_id (KV-cache and scheduling isolation) for the key's
  // requests that name none; [A-Za-z0-9_-], at most 512 characters. Empty: none.
  std::string user_id;
};

struct GatewayOptions {
  std::string currency = "USD";
  // Empty: any non-empty bearer key is accepted, as the key "anonymous".
  std::vector<VirtualKey> keys;
  int max_retries = 2;                        // after the first attempt
  std::chrono::milliseconds retry_base{200};  // doubled each retry, plus jitter
  std::chrono::milliseconds retry_after_cap{10'000};
  // The output a request without max_tokens is assumed to produce, for budget
  // admission.
  std::int64_t default_output_cap = 8192;
  // Fallback tier: after this many failed calls in a row to one tier (an upstream
  // error or 429/5xx once retries are spent) its requests go to the other tier
  // for `fallback_for`, and a call that fails is re-made once on the other tier.
  // 0: off. Requests naming a concrete model never fall back.
  int fallback_after = 0;
  std::chrono::seconds fallback_for{30};
  // Keep each client request's body (valid UTF-8 only) with its first call's
  // ledger row, for learning routing from the ledger.
  bool record_requests = false;
  // The dashboard (/ui/ and its API under /v1/flashfirst/), when serve runs one;
  // and the SHA-256 (hex) of the admin keys, which see every key's figures there.
  dashboard::Dashboard* dashboard = nullptr;
  std::vector<std::string> admin_key_hashes;
  // Receives one JSON line per client request (route, status, cost, latency);
  // unset: no access log.
  std::function<void(std::string_view)> access_log;

  // The world, injected so that tests are deterministic. Unset: the system's
  // clock (Unix milliseconds), a random seed, and a timer for backoff waits.
  std::function<std::int64_t()> now_ms;
  // More Prometheus text for /metrics (the upstream accounts' figures).
  std::function<std::string()> extra_metrics;
  std::uint64_t seed = 0;  // of the backoff jitter and request ids; 0: random
  // Called instead of waiting `d` before a retry (a test records the waits).
  std::function<void(std::chrono::milliseconds d)> sleep;
};

// Lower-case hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text);

// The fields of an upstream answer's head the gateway reads (its content-type
// and retry-after): its upstream client need keep no others
// (net::UpstreamOptions::answer_fields).
std::vector<std::string> upstream_answer_fields();

class LoggedWriter;

class Gateway {
 public:
  Gateway(const pricing::PriceBook& book, const router::Router& router, ledger::Ledger& ledger,
          net::Upstream& upstream, GatewayOptions options);
  ~Gateway();

  // Seeds the keys' budgets with what the ledger already records they spent;
  // call once before serving. Fails when the ledger cannot be read (serving
  // then would let keys spend their budgets again).
  core::Status seed_budgets();

  // For a ledger that other gateways append to as well (a shared PostgreSQL
  // database, or an SQLite file on one host): every `every`, a thread of its own
  // reads the rows other instances appended since the last look and counts
  // their cost against the keys' budgets, on `executor` (the server's). So a
  // budget is overrun across instances by at most what they spend in one
  // interval, plus what is in flight. Call after seed_budgets(); nothing to do
  // when no key has a budget. Stops with the Gateway.
  void follow_shared_ledger(boost::asio::any_io_executor executor, std::chrono::milliseconds every);

  // Answers one client request. Every request but the probes and scrapes
  // (/healthz, /readyz, /metrics) writes exactly one access-log line.
  boost::asio::awaitable<void> handle(const net::Request& request, net::ResponseWriter& writer);

  // The access-log line of a request the server answered itself, before the
  // gateway saw it (net::ServerOptions::on_rejected: 400, 408, 413, 431). Its
  // key is "-" (not read) and its latency 0.
  void log_rejected(const net::Request& request, int status, std::string_view error);

  // Prometheus text exposition of the counters.
  std::string metrics_text() const;

  struct Impl;

 private:
  boost::asio::awaitable<void> dispatch(const net::Request& request, LoggedWriter& writer, const VirtualKey*& key);
  // The paths other than the API's POSTs (probes, /metrics, the dashboard,
  // /v1/models, unknown paths): apart, so that their answers' locals are not in
  // the coroutine frame every chat request allocates.
  boost::asio::awaitable<void> dispatch_other(const net::Request& request, LoggedWriter& writer,
                                              const VirtualKey*& key);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ff::gateway
