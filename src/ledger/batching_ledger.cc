#include "ledger/batching_ledger.h"

#include <limits>

#include <fmt/format.h>

#include "core/thread_name.h"

namespace ff::ledger {

namespace {
// Costs are stored as int64 femto-units: one request's cost always fits.
bool fits_int64(core::Money m) {
  return m.femto() >= std::numeric_limits<std::int64_t>::min() && m.femto() <= std::numeric_limits<std::int64_t>::max();
}
// Why `row` cannot be stored (a cost out of range), or nullopt.
std::optional<core::Error> unstorable(const std::string& ledger, const Row& row) {
  if (fits_int64(row.cost) && fits_int64(row.cost_if_pro)) return std::nullopt;
  return core::make_error(fmt::format("ledger {}: cost of request {} is out of range", ledger, row.request_id));
}
}  // namespace

BatchingLedger::~BatchingLedger() { stop(); }

void BatchingLedger::start() {
  writer_ = std::thread([this] {
    core::name_this_thread("ff-ledger");
    write_loop();
  });
}

void BatchingLedger::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();  // the writer drains the queue first
}

core::Status BatchingLedger::append(const Row& row) {
  std::mutex m;
  std::condition_variable done_cv;
  bool done = false;
  core::Status result;
  // The row outlives the wait: it can be shared without a copy.
  append_async(std::shared_ptr<const Row>(&row, [](const Row*) {}), [&](core::Status s) {
    std::lock_guard<std::mutex> lock(m);
    result = std::move(s);
    done = true;
    done_cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(m);
  done_cv.wait(lock, [&] { return done; });
  return result;
}

void BatchingLedger::append_async(std::shared_ptr<const Row> row, std::function<void(core::Status)> done) {
  if (auto e = unstorable(name_, *row)) {
    done(std::move(*e));
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back({std::move(row), std::move(done)});
  }
  cv_.notify_one();
}

std::optional<core::Status> BatchingLedger::append_here(const Row& row) {
  if (!commits_quickly()) return std::nullopt;
  if (auto e = unstorable(name_, row)) return core::Status(std::move(*e));
  {
    // Only when the ledger is idle: rows already queued are committed first, in order.
    std::lock_guard<std::mutex> lock(mu_);
    if (busy_ || stop_ || !queue_.empty()) return std::nullopt;
    busy_ = true;
  }
  std::deque<Pending> one;
  one.push_back({std::shared_ptr<const Row>(&row, [](const Row*) {}), nullptr});
  std::optional<core::Status> status = commit_here(one);
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    busy_ = false;
    wake = stop_ || !queue_.empty() || upkeep_due() || pausing_;
  }
  if (wake) cv_.notify_one();
  return status;  // nullopt: not made, for the caller to queue
}

void BatchingLedger::append_feedback_async(std::shared_ptr<const Feedback> feedback,
                                           std::function<void(core::Result<FeedbackOutcome>)> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Pending p;
    p.feedback = std::move(feedback);
    p.feedback_done = std::move(done);
    queue_.push_back(std::move(p));
  }
  cv_.notify_one();
}

void BatchingLedger::probe_async(std::function<void(core::Status)> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Pending p;
    p.done = std::move(done);
    queue_.push_back(std::move(p));
  }
  cv_.notify_one();
}

void BatchingLedger::write_loop() {
  for (;;) {
    std::deque<Pending> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // A commit made by append_here() on another thread ends before a batch
      // starts; upkeep needs no turn of its own (upkeep()).
      cv_.wait(lock, [&] { return upkeep_due() || (!busy_ && (stop_ || !queue_.empty())); });
      if (!busy_) {
        if (queue_.empty() && stop_) return;
        batch.swap(queue_);
        busy_ = !batch.empty();
      }
    }
    if (!batch.empty()) {
      core::Status status = commit(batch);
      for (Pending& p : batch) {
        if (p.feedback) {
          p.feedback_done(status.ok() ? core::Result<FeedbackOutcome>(p.outcome) : core::make_error(status.message()));
        } else {
          p.done(status);
        }
      }
      std::lock_guard<std::mutex> lock(mu_);
      busy_ = false;
    }
    if (upkeep_due()) {
      upkeep();  // alongside commits made here
      {
        // Holds commits back as a batch does: a commit made here ends first.
        std::unique_lock<std::mutex> lock(mu_);
        pausing_ = true;
        cv_.wait(lock, [&] { return !busy_; });
        busy_ = true;
        pausing_ = false;
      }
      finish_upkeep();
      std::lock_guard<std::mutex> lock(mu_);
      busy_ = false;
    }
  }
}

}  // namespace ff::ledger
