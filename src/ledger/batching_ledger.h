// BatchingLedger: what the SQLite and PostgreSQL ledgers share. Rows are queued
// and committed in batches by one writer thread (group commit): whatever
// arrived while the last batch was being committed goes in the next one, and
// every waiter is told its batch's outcome. A subclass provides commit().
//
// A subclass calls start() at the end of its constructor and stop() first in its
// destructor, so the writer thread never calls commit() on a half-built or
// half-destroyed object. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "ledger/ledger.h"

struct sqlite3;

namespace ff::ledger {

// The columns of the `requests` table, in the order both ledgers write and read
// them (the schema itself differs by its SQL types).
#define FF_LEDGER_COLUMNS                                                                                   \
  "request_id, key_hash, start_ms, end_ms, requested_model, routed_model, effort, category, reason, "       \
  "escalated_from, stream, status, cache_hit, cache_miss, output, reasoning, usage_estimated, cost_femto, " \
  "cost_if_pro_femto, currency, first_byte_ms, error, key_name"
inline constexpr int kLedgerColumnCount = 23;
// The columns of the `feedback` table, in the order both ledgers write and read them.
#define FF_FEEDBACK_COLUMNS "request_id, key_hash, key_name, created_ms, metric, value, value_is_bool, comment"
inline constexpr int kFeedbackColumnCount = 8;
// The same columns from a ledger written before key_name was kept, which a
// reader (opening it read-only) does not migrate: the name reads as "".
#define FF_LEDGER_COLUMNS_V1                                                                                        \
  "request_id, key_hash, start_ms, end_ms, requested_model, routed_model, effort, category, "                       \
  "reason, escalated_from, stream, status, cache_hit, cache_miss, output, reasoning, usage_estimated, cost_femto, " \
  "cost_if_pro_femto, currency, first_byte_ms, error, '' AS key_name"

// The readers of ledger.h for each kind of ledger (read_ledger_page() and the
// others choose by location).
core::Result<std::vector<Positioned>> read_sqlite_page(const std::string& path, std::int64_t after, std::size_t limit);
core::Result<std::vector<Positioned>> read_sqlite_positions(const std::string& path,
                                                            const std::vector<std::int64_t>& positions);
// read_sqlite_page on one read-only connection kept open from call to call, for
// a caller that reads again and again (a follower's polls): the connection, its
// schema and its page cache (megabytes, allocated and freed again each time
// otherwise) are made once. After a failure the next call opens it again.
// One thread at a time.
class SqlitePageReader {
 public:
  explicit SqlitePageReader(std::string path) : path_(std::move(path)) {}
  ~SqlitePageReader();
  SqlitePageReader(const SqlitePageReader&) = delete;
  SqlitePageReader& operator=(const SqlitePageReader&) = delete;
  // The rows after position `after`, at most `limit`, into `rows`: the rows it
  // held are reused (see assign_row_from_columns), the rest dropped.
  core::Status read(std::int64_t after, std::size_t limit, std::vector<Positioned>& rows);

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};
core::Result<std::vector<Positioned>> read_sqlite_request(const std::string& path, const std::string& request_id);
core::Result<std::vector<Feedback>> read_sqlite_feedback_of(const std::string& path, const std::string& request_id);
core::Result<std::vector<Positioned>> read_pg_page(const std::string& url, std::int64_t after, std::size_t limit);
core::Result<std::vector<Positioned>> read_pg_positions(const std::string& url,
                                                        const std::vector<std::int64_t>& positions);
core::Result<std::vector<Positioned>> read_pg_request(const std::string& url, const std::string& request_id);
core::Result<std::vector<Feedback>> read_pg_feedback_of(const std::string& url, const std::string& request_id);

// `r` set from a result's columns in FF_LEDGER_COLUMNS order: `text(i)` (a
// std::string or a string_view), `integer(i)` (int64) and `flag(i)` read column
// i. Every field is set, so a row read before can be reused: its strings keep
// their memory (a follower reads thousands of rows a second into the same ones).
template <typename Text, typename Integer, typename Flag>
void assign_row_from_columns(Row& r, Text&& text, Integer&& integer, Flag&& flag) {
  r.request_id.assign(text(0));
  r.key_hash.assign(text(1));
  r.start_ms = integer(2);
  r.end_ms = integer(3);
  r.requested_model.assign(text(4));
  r.routed_model.assign(text(5));
  r.effort.assign(text(6));
  r.category.assign(text(7));
  r.reason.assign(text(8));
  r.escalated_from.assign(text(9));
  r.stream = flag(10);
  r.status = static_cast<int>(integer(11));
  r.usage.cache_hit = integer(12);
  r.usage.cache_miss = integer(13);
  r.usage.output = integer(14);
  r.usage.reasoning = integer(15);
  r.usage_estimated = flag(16);
  r.cost = core::Money::from_femto(integer(17));
  r.cost_if_pro = core::Money::from_femto(integer(18));
  r.currency.assign(text(19));
  r.first_byte_ms = integer(20);
  r.error.assign(text(21));
  r.key_name.assign(text(22));
  r.request_body.clear();  // in a table of its own
}

// A row from a result's columns, as assign_row_from_columns reads them.
template <typename Text, typename Integer, typename Flag>
Row row_from_columns(Text&& text, Integer&& integer, Flag&& flag) {
  Row r;
  assign_row_from_columns(r, text, integer, flag);
  return r;
}

class BatchingLedger : public Ledger {
 public:
  core::Status append(const Row& row) final;
  void append_async(std::shared_ptr<const Row> row, std::function<void(core::Status)> done) final;
  std::optional<core::Status> append_here(const Row& row) final;
  void append_feedback_async(std::shared_ptr<const Feedback> feedback,
                             std::function<void(core::Result<FeedbackOutcome>)> done) final;
  void probe_async(std::function<void(core::Status)> done) final;

 protected:
  // A row to append, a rating to check and record, or (neither) a probe.
  struct Pending {
    std::shared_ptr<const Row> row;
    std::function<void(core::Status)> done;
    std::shared_ptr<const Feedback> feedback;
    std::function<void(core::Result<FeedbackOutcome>)> feedback_done;
    mutable FeedbackOutcome outcome = FeedbackOutcome::kRecorded;  // set by commit() for a rating
  };

  // `name` identifies the ledger in messages (a path, or a URL without its password).
  explicit BatchingLedger(std::string name) : name_(std::move(name)) {}
  ~BatchingLedger() override;
  void start();
  void stop();  // commits what is queued, then ends the writer thread
  // Commits `batch` in one transaction (on the writer thread). For a rating, it
  // looks the request up in the same transaction, records the rating only when
  // the request is the rating key's, and sets `outcome`. A probe makes the
  // transaction write (and leaves nothing a reader sees).
  virtual core::Status commit(const std::deque<Pending>& batch) = 0;
  const std::string& name() const { return name_; }
  // Whether a commit is quick enough to make on the caller's thread (append_here):
  // no sync to wait for, no network round trip.
  virtual bool commits_quickly() const { return false; }
  // commit() on the caller's thread: nullopt when it cannot be made at once
  // (another connection holds the lock), and nothing was written.
  virtual std::optional<core::Status> commit_here(const std::deque<Pending>& one) { return commit(one); }
  // Work the writer thread does between batches, off every caller's path (an
  // SQLite WAL checkpoint); upkeep_due() says whether there is some. upkeep()
  // may run while a commit is made on another thread (append_here), so it uses
  // no state that commit() uses; upkeep_due() is called from any thread. Then
  // finish_upkeep() runs with commits held back (append_here() declines, batches
  // wait), to finish briefly what commits made during upkeep() left.
  virtual bool upkeep_due() const { return false; }
  virtual void upkeep() {}
  virtual void finish_upkeep() {}

 private:
  void write_loop();

  const std::string name_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  bool stop_ = false;          // guarded by mu_
  bool busy_ = false;          // guarded by mu_: a commit is under way, on some thread
  bool pausing_ = false;       // guarded by mu_: the writer waits to hold commits back
  std::thread writer_;
};

}  // namespace ff::ledger
