#include "gateway/ledger_bridge.h"

#include <boost/asio.hpp>

namespace ff::gateway {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

// A ledger operation that reports on a ledger thread, awaited: `start(done)`
// begins it; the outcome is posted back to the awaiting coroutine's executor.
// Not a coroutine: what `start` holds (a row in a shared_ptr) is never a
// capture of a coroutine's frame.
template <typename Outcome, typename Start>
awaitable<Outcome> ledger_op(Start start) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(Outcome)>(
      [start = std::move(start)](auto handler) mutable {
        auto ex = asio::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        start([ex, h](Outcome out) { asio::post(ex, [h, out = std::move(out)]() mutable { (*h)(std::move(out)); }); });
      },
      asio::use_awaitable);
}

awaitable<core::Status> probe_op(ledger::Ledger& l) {
  return ledger_op<core::Status>([&l](std::function<void(core::Status)> done) { l.probe_async(std::move(done)); });
}

awaitable<core::Status> append_op(ledger::Ledger& l, std::shared_ptr<ledger::Row> row) {
  return ledger_op<core::Status>(
      [&l, row = std::move(row)](std::function<void(core::Status)> done) { l.append_async(row, std::move(done)); });
}

}  // namespace

awaitable<core::Status> LedgerBridge::commit(ledger::Row& row) {
  core::Status s;
  if (std::optional<core::Status> here = ledger_.append_here(row)) {
    s = std::move(*here);
  } else {
    auto lent = std::make_shared<ledger::Row>(std::move(row));
    s = co_await append_op(ledger_, lent);
    row = std::move(*lent);
  }
  co_return noted(std::move(s), row);
}

awaitable<core::Status> LedgerBridge::commit(const std::shared_ptr<ledger::Row>& row) {
  core::Status s;
  if (std::optional<core::Status> here = ledger_.append_here(*row)) {
    s = std::move(*here);
  } else {
    s = co_await append_op(ledger_, row);
  }
  co_return noted(std::move(s), *row);
}

core::Status LedgerBridge::noted(core::Status s, const ledger::Row& row) {
  if (!s.ok()) {
    ++failures_;
    down_ = true;
    down_reason_ = s.message();
    last_probe_ms_ = now_ms_();
    if (unrecorded_.size() < kUnrecordedCap) {
      ledger::Row& kept = unrecorded_.emplace_back(row);
      kept.request_body.clear();  // bounded memory: the bill, not the request
      kept.error += kept.error.empty() ? "" : "; ";
      kept.error += "recorded late: the ledger failed when the answer came, and it was not served";
    }
  }
  // Once down, only ready() brings the gateway back: it records the kept rows first.
  return s;
}

awaitable<bool> LedgerBridge::ready() {
  if (!down_) co_return true;
  if (probing_ || now_ms_() - last_probe_ms_ < 1000) co_return false;
  probing_ = true;
  last_probe_ms_ = now_ms_();
  core::Status s = co_await probe_op(ledger_);
  // The rows that could not be committed first, in order, before anything new.
  while (s.ok() && !unrecorded_.empty()) {
    auto row = std::make_shared<ledger::Row>(std::move(unrecorded_.front()));
    s = co_await append_op(ledger_, row);
    if (s.ok()) {
      unrecorded_.pop_front();
    } else {
      unrecorded_.front() = std::move(*row);
    }
  }
  probing_ = false;
  if (s.ok()) {
    down_ = false;
  } else {
    down_reason_ = s.message();
  }
  co_return s.ok();
}

// Not a coroutine: under GCC 12, a coroutine's by-value shared_ptr parameter
// moved into a lambda's capture was released once too often (ASan: the rating
// freed while the gateway still used it).
awaitable<core::Result<ledger::FeedbackOutcome>> LedgerBridge::rate(std::shared_ptr<const ledger::Feedback> f) {
  using Outcome = core::Result<ledger::FeedbackOutcome>;
  return ledger_op<Outcome>([&l = ledger_, f = std::move(f)](std::function<void(Outcome)> done) {
    l.append_feedback_async(f, std::move(done));
  });
}

}  // namespace ff::gateway
