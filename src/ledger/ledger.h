// Ledger: the append-only record of every request the gateway sent upstream.
//
// One row per upstream call: ids, the caller's key (its name and hash, never the
// key), times, requested and
// routed model, category and reason, the link to the call it escalated from,
// stream flag, status, billed usage, exact cost and what the same tokens would
// have cost on Pro, latencies, error. Rows are never updated or deleted.
//
// append() returns once the row is durable (committed), so a caller that waits
// for it before sending the last byte of a response loses no completed request
// even to `kill -9`. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/result.h"
#include "core/time.h"
#include "core/usage.h"

namespace ff::ledger {

struct Row {
  std::string request_id;
  std::string key_hash;       // never the key itself
  std::string key_name;       // the virtual key's name from the config ("" in ledgers from before names were kept)
  std::int64_t start_ms = 0;  // Unix milliseconds
  std::int64_t end_ms = 0;
  std::string requested_model;
  std::string routed_model;
  std::string effort;
  std::string category;
  std::string reason;
  std::string escalated_from;  // request_id of the Flash call this one escalated, or ""
  bool stream = false;
  int status = 0;
  core::TokenUsage usage;
  bool usage_estimated = false;  // a stream that broke before its usage arrived
  core::Money cost;
  core::Money cost_if_pro;
  std::string currency = "USD";
  std::int64_t first_byte_ms = 0;
  std::string error;
  // The client's request as it arrived, on the first call of a request, when the
  // gateway records requests (`serve --record-requests`); kept in a table of its
  // own (read back by read_ledger_requests, not by read_all).
  std::string request_body;

  bool operator==(const Row&) const = default;
};

// A row with its position in the ledger (its `seq`: rows appended later have
// larger ones).
struct Positioned {
  std::int64_t seq = 0;
  Row row;
};

// A rating of one answer, from the client that asked for it
// (POST /v1/flashfirst/feedback). Kept in a table of its own, append-only.
struct Feedback {
  std::string request_id;  // the x-flashfirst-request-id the client received
  std::string key_hash;    // the rating key's; it must be the request's own
  std::string key_name;
  std::int64_t created_ms = 0;
  std::string metric;          // the client's name for what it rates ("correct", "thumbs", …)
  double value = 0;            // a number as sent, or 1 / 0 for true / false
  bool value_is_bool = false;  // the value was sent as true or false
  std::string comment;

  bool operator==(const Feedback&) const = default;
};

// What became of a rating: recorded, or refused because the ledger has no such
// request, or the request is another key's.
enum class FeedbackOutcome { kRecorded, kUnknownRequest, kNotYours };

class Ledger {
 public:
  virtual ~Ledger() = default;

  // Durably appends `row`; returns once it is committed.
  virtual core::Status append(const Row& row) = 0;
  // Appends without waiting: `done` runs (on a ledger thread) once the row is
  // committed or has failed. For callers that must not block, e.g. an event loop.
  // The row is shared, not copied: the caller must not change it until `done`.
  virtual void append_async(std::shared_ptr<const Row> row, std::function<void(core::Status)> done) = 0;
  // Commits `row` on the calling thread, at once, when this ledger commits
  // quickly (no sync to wait for) and nothing else is queued or being committed:
  // a lone request then waits for no thread switch. nullopt when the row must
  // go through append_async instead.
  virtual std::optional<core::Status> append_here(const Row& /*row*/) { return std::nullopt; }
  // Every row, in the order appended.
  virtual core::Result<std::vector<Row>> read_all() = 0;
  // The rows appended after position `after` (0: all of them), in order, and in
  // `last` the position of the last one (left as is when there is none): to
  // follow a ledger that other processes append to as well.
  virtual core::Result<std::vector<Row>> read_after(std::int64_t after, std::int64_t& last) = 0;
  // Up to `limit` rows after position `after`, with their positions; and the
  // rows at `positions` (for a Follower, follower.h), on connections of their own.
  virtual core::Result<std::vector<Positioned>> read_page(std::int64_t after, std::size_t limit) = 0;
  virtual core::Result<std::vector<Positioned>> read_positions(const std::vector<std::int64_t>& positions) = 0;

  // Records a rating once its request is found and belongs to the rating key,
  // in the writer's next batch; `done` runs on a ledger thread with the outcome,
  // or an error when the ledger could not be read or written.
  virtual void append_feedback_async(std::shared_ptr<const Feedback> feedback,
                                     std::function<void(core::Result<FeedbackOutcome>)> done) = 0;
  // Every rating, in the order recorded.
  virtual core::Result<std::vector<Feedback>> read_feedback() = 0;
  // Whether the ledger can commit a write now, in the writer's next batch (a
  // full disk or a lost database server fails it): `done` runs on a ledger
  // thread with the outcome. Leaves no row behind.
  virtual void probe_async(std::function<void(core::Status)> done) = 0;
};

// An SQLite ledger in WAL mode; rows are committed in batches on one writer
// thread (group commit). Opens or creates `path`.
//
// Durability: kFull syncs each batch to disk (a row survives an OS crash or power
// loss); kProcess keeps WAL commits in the OS's hands (a row survives the
// process being killed, kill -9 included, but not an OS crash), at a fraction of
// the cost per batch.
enum class Durability { kFull, kProcess };
core::Result<std::unique_ptr<Ledger>> open_sqlite_ledger(const std::string& path,
                                                         Durability durability = Durability::kFull);

// Every row of an existing SQLite ledger, read-only (fails if `path` is missing).
core::Result<std::vector<Row>> read_sqlite_ledger(const std::string& path);
core::Result<std::vector<Feedback>> read_sqlite_feedback(const std::string& path);
core::Result<std::vector<std::pair<std::string, std::string>>> read_sqlite_requests(const std::string& path);

// A PostgreSQL ledger (libpq URL: postgresql://user:password@host:port/db, or
// postgresql:///db?host=/socket/dir&port=5432), for several gateway instances
// writing to one place. The same table and columns as the SQLite ledger,
// created if missing; rows are committed in batches on one writer thread, and a
// commit is durable as the server's synchronous_commit (on by default) makes it.
core::Result<std::unique_ptr<Ledger>> open_pg_ledger(const std::string& url);
core::Result<std::vector<Row>> read_pg_ledger(const std::string& url);
core::Result<std::vector<Feedback>> read_pg_feedback(const std::string& url);
core::Result<std::vector<std::pair<std::string, std::string>>> read_pg_requests(const std::string& url);

// Readers for a ledger that is being written (the dashboard): each opens a
// connection of its own, read-only, and reads what is committed.
//
// Up to `limit` rows after position `after`, in order (to follow the ledger in
// pieces of bounded size).
core::Result<std::vector<Positioned>> read_ledger_page(const std::string& spec, std::int64_t after, std::size_t limit);
// The rows at `positions` (those that exist), in position order.
core::Result<std::vector<Positioned>> read_ledger_positions(const std::string& spec,
                                                            const std::vector<std::int64_t>& positions);
// The calls with this request id (one, unless ids were reused), by the index on it.
core::Result<std::vector<Positioned>> read_ledger_request(const std::string& spec, const std::string& request_id);
// The ratings of one call, in the order recorded.
core::Result<std::vector<Feedback>> read_ledger_feedback_of(const std::string& spec, const std::string& request_id);

// Whether a ledger location is a PostgreSQL URL (postgresql:// or postgres://).
bool is_postgres_url(std::string_view spec);
// A ledger by location: a PostgreSQL URL, else an SQLite file (`durability`
// applies to SQLite; PostgreSQL's is the server's).
core::Result<std::unique_ptr<Ledger>> open_ledger(const std::string& spec, Durability durability = Durability::kFull);
core::Result<std::vector<Row>> read_ledger(const std::string& spec);
// The recorded requests of the ledger at `spec`: (request_id, body) in the order
// recorded (none when the gateway did not record them).
core::Result<std::vector<std::pair<std::string, std::string>>> read_ledger_requests(const std::string& spec);
// Every rating in the ledger at `spec` (none in a ledger from before ratings).
core::Result<std::vector<Feedback>> read_ledger_feedback(const std::string& spec);
// A ledger location fit for messages and logs: a URL's password replaced by ***.
std::string display_name(const std::string& spec);

}  // namespace ff::ledger
