// The metering stage's end: the gateway's rows into the ledger, awaited without
// blocking the server's thread.
//   - commit(): the ledger's writer thread posts the outcome back to the
//     awaiting coroutine's executor, and the row is lent to it meanwhile (moved
//     out and back, not copied). A ledger that commits in microseconds (SQLite
//     with --ledger-sync process) and is idle commits the row on the caller's
//     thread instead: no thread switch for a lone request.
//   - While the ledger fails (a full disk, a lost server), the gateway serves
//     nothing it could not record: ready() is false until a probe (at most one
//     a second, made by the request or readiness check that finds one due)
//     commits a write. A row that could not be committed (the upstream may have
//     billed the call) is kept, at most kUnrecordedCap of them, and recorded
//     first, in order, once the ledger writes again.
//
// Server's thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/result.h"
#include "ledger/ledger.h"

namespace ff::gateway {

class LedgerBridge {
 public:
  // `failures` counts the rows and ratings that could not be committed (a
  // counter of the gateway's metrics); `now_ms` is the gateway's clock.
  LedgerBridge(ledger::Ledger& ledger, std::int64_t& failures, std::function<std::int64_t()> now_ms)
      : ledger_(ledger), failures_(failures), now_ms_(std::move(now_ms)) {}

  // Commits `row`: ok, or the ledger's failure (the gateway is then down).
  boost::asio::awaitable<core::Status> commit(ledger::Row& row);
  // The same for a row already in shared memory: the ledger's writer thread
  // reads it there, where commit(Row&) moves it out and back.
  boost::asio::awaitable<core::Status> commit(const std::shared_ptr<ledger::Row>& row);
  // Whether answers can be recorded now; probes a failing ledger when one is due.
  boost::asio::awaitable<bool> ready();
  // Why the ledger is down (the last failure's message).
  const std::string& down_reason() const { return down_reason_; }
  // Records a rating of an answer (POST /v1/flashfirst/feedback); the caller
  // counts a failure (count_failure()).
  boost::asio::awaitable<core::Result<ledger::FeedbackOutcome>> rate(std::shared_ptr<const ledger::Feedback> f);

  void count_failure() { ++failures_; }

  static constexpr std::size_t kUnrecordedCap = 10'000;

 private:
  // A commit's outcome, noted: a failure takes the gateway down and keeps the row.
  core::Status noted(core::Status s, const ledger::Row& row);

  ledger::Ledger& ledger_;
  std::int64_t& failures_;
  std::function<std::int64_t()> now_ms_;
  std::deque<ledger::Row> unrecorded_;
  bool down_ = false;
  std::string down_reason_;
  std::int64_t last_probe_ms_ = 0;
  bool probing_ = false;
};

}  // namespace ff::gateway
