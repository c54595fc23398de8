// Dashboard: the pages under /ui/ and the JSON API behind them, served by `serve`.
//
//   GET /v1/flashfirst/spend?by=&from=&to=&key=      spend, as `cost --ledger` prices it
//   GET /v1/flashfirst/requests?limit=&before=&key=&category=&tier=&status=&from=&to=
//   GET /v1/flashfirst/requests/{id}                 one call, its escalation's other call, ratings
//   GET /v1/flashfirst/budgets                       per key: used, projected, warnings
//   GET /v1/flashfirst/live                          calls a second and latency now; the price band
//   GET /v1/flashfirst/events                        server-sent events as the ledger grows
//   GET /v1/flashfirst/evals[/{name}]                `flashfirst eval --json` reports in a folder
//
// A thread of its own reads the ledger (the rows already there, then every
// `poll` the ones appended since, by any gateway sharing it) into a SpendIndex.
// The API's answers are computed on a worker thread, never on the server's;
// the gateway authenticates and passes a Viewer: an admin sees every key, a
// virtual key only its own calls (a `key` filter of another key finds nothing).
// Docs: docs/dashboard.md.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "budget/budget.h"
#include "core/result.h"

namespace ff::pricing {
class PriceBook;
}
namespace ff::net {
struct Request;
struct Response;
class ResponseWriter;
}  // namespace ff::net

namespace ff::dashboard {

class SpendIndex;

struct KeyBudget {
  std::string name;
  std::string sha256_hex;
  budget::Limits limits;
};

struct DashboardOptions {
  std::string ledger;  // its location (SQLite file or PostgreSQL URL)
  std::string currency = "USD";
  std::vector<KeyBudget> keys;  // the configured virtual keys
  std::string evals_dir;        // where `eval --json` reports are kept; "" for none
  std::chrono::milliseconds poll{250};
  std::size_t page_rows = 50'000;  // rows read from the ledger at a time
  std::function<std::int64_t()> now_ms;  // unset: the system clock
};

// Who asks: an admin key, or one virtual key (by its hash and name).
struct Viewer {
  bool admin = false;
  std::string key_hash, key_name;
};

class Dashboard {
 public:
  Dashboard(const pricing::PriceBook& book, DashboardOptions options);
  ~Dashboard();
  Dashboard(const Dashboard&) = delete;
  Dashboard& operator=(const Dashboard&) = delete;

  // Starts the thread that reads the ledger.
  void start();
  // Ends the event streams (within one poll), from any thread: when the server
  // begins to stop, so that they do not hold its shutdown.
  void end_streams() { streams_ending_ = true; }
  // Ends the event streams, the reader and the worker (after the server has
  // stopped: the worker's answers post to the server's loop).
  void stop();

  // Whether `path` is the dashboard's: a page (/ui, /ui/…, no key needed: they
  // hold no data) or an API path (a key needed).
  static bool is_page(std::string_view path);
  static bool is_api(std::string_view path);

  // A page or asset of the UI.
  net::Response page(const net::Request& request) const;
  // Answers an API request for `viewer`.
  boost::asio::awaitable<void> api(const net::Request& request, net::ResponseWriter& writer, Viewer viewer);

  // The index's rows, and whether the rows there at start have all been read.
  std::int64_t rows() const;
  bool loaded() const { return loaded_.load(); }
  // Waits until the rows there at start are read (or `timeout`); false on timeout.
  bool wait_loaded(std::chrono::milliseconds timeout) const;
  const SpendIndex& index() const { return *index_; }

  // The JSON answer to an API GET (`target` is path and query) for `viewer`, as
  // api() sends it; exposed for tests and the benchmark.
  net::Response answer(std::string_view target, const Viewer& viewer) const;

 private:
  void follow();
  std::int64_t now_ms() const;

  const pricing::PriceBook& book_;
  DashboardOptions options_;
  std::unique_ptr<SpendIndex> index_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> streams_ending_{false};
  std::atomic<bool> loaded_{false};
  std::thread reader_;
  struct Worker;
  std::unique_ptr<Worker> worker_;
};

}  // namespace ff::dashboard
