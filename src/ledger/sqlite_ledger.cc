#include <sqlite3.h>

#include <array>
#include <atomic>
#include <deque>
#include <optional>
#include <variant>

#include <fmt/format.h>

#include "ledger/batching_ledger.h"

namespace ff::ledger {

namespace {

// `seq` orders the rows (a follower reads those after the last it saw). A new row
// gets the largest seq so far plus one; the ledger never deletes rows, so that is
// never reused. (Without AUTOINCREMENT, which updated sqlite_sequence with every
// row: a quarter of the writer's instructions. Older files keep it; both read alike.)
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS requests (
  seq INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL, key_hash TEXT NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,
  requested_model TEXT NOT NULL, routed_model TEXT NOT NULL, effort TEXT NOT NULL, category TEXT NOT NULL,
  reason TEXT NOT NULL, escalated_from TEXT NOT NULL, stream INTEGER NOT NULL, status INTEGER NOT NULL,
  cache_hit INTEGER NOT NULL, cache_miss INTEGER NOT NULL, output INTEGER NOT NULL, reasoning INTEGER NOT NULL,
  usage_estimated INTEGER NOT NULL,
  -- exact amounts in femto-units (1e-15) of `currency`: one request fits an int64
  cost_femto INTEGER NOT NULL, cost_if_pro_femto INTEGER NOT NULL, currency TEXT NOT NULL,
  first_byte_ms INTEGER NOT NULL, error TEXT NOT NULL, key_name TEXT NOT NULL DEFAULT '');
-- Ratings of answers (POST /v1/flashfirst/feedback): appended, never changed.
CREATE TABLE IF NOT EXISTS feedback (
  seq INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL, key_hash TEXT NOT NULL, key_name TEXT NOT NULL, created_ms INTEGER NOT NULL,
  metric TEXT NOT NULL, value REAL NOT NULL, value_is_bool INTEGER NOT NULL, comment TEXT NOT NULL);
-- A rating finds its request by id.
CREATE INDEX IF NOT EXISTS requests_request_id ON requests (request_id);
-- One row, rewritten by the gateway's check that the ledger can write again
-- after a failure (a full disk): a write of its own, so no request row is faked.
CREATE TABLE IF NOT EXISTS ledger_probe (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL);
-- Clients' requests, when the gateway records them (serve --record-requests).
CREATE TABLE IF NOT EXISTS request_bodies (seq INTEGER PRIMARY KEY, request_id TEXT NOT NULL, body TEXT NOT NULL);
)sql";
// Ledgers written before keys' names were kept get the column (empty in old rows).
constexpr const char* kAddKeyName = "ALTER TABLE requests ADD COLUMN key_name TEXT NOT NULL DEFAULT ''";

constexpr const char* kInsert =
    "INSERT INTO requests (" FF_LEDGER_COLUMNS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
constexpr const char* kFindRequest = "SELECT key_hash FROM requests WHERE request_id = ? ORDER BY seq LIMIT 1";
constexpr const char* kInsertFeedback = "INSERT INTO feedback (" FF_FEEDBACK_COLUMNS ") VALUES (?,?,?,?,?,?,?,?)";
constexpr const char* kSelectFeedback = "SELECT " FF_FEEDBACK_COLUMNS " FROM feedback ORDER BY seq";
constexpr const char* kSelectFeedbackOf =
    "SELECT " FF_FEEDBACK_COLUMNS " FROM feedback WHERE request_id = ? ORDER BY seq";
constexpr const char* kInsertBody = "INSERT INTO request_bodies (request_id, body) VALUES (?,?)";

// Whether the ledger's table has the key_name column.
bool has_key_name(sqlite3* db) {
  sqlite3_stmt* st = nullptr;
  bool found = false;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info('requests') WHERE name = 'key_name'", -1, &st, nullptr) ==
      SQLITE_OK) {
    found = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return found;
}

std::string sqlite_error(sqlite3* db, const std::string& path, std::string_view what) {
  return fmt::format("ledger {}: {}: {}", path, what, db ? sqlite3_errmsg(db) : "out of memory");
}

constexpr int kBusyTimeoutMs = 10'000;  // how long a connection waits for another's lock

core::Result<sqlite3*> open_db(const std::string& path, int flags) {
  // Set before SQLite's first use:
  // - SQLite counts its memory under one process-wide mutex by default: every
  //   allocation of every connection (the gateway's commits, the dashboard's
  //   reads) takes it. Nothing here reads the counts.
  // - Each connection takes room for 256 cache pages (about 1 MB) at once, when
  //   its cache first grows, and keeps it. A reader of a ledger being written
  //   drops its cache at every read (the WAL changed) and read ~90 pages per
  //   poll: past the 20 pages SQLite takes at once by default, each was
  //   allocated and freed every 250 ms, and the allocator's decommits of them
  //   stalled the gateway's thread (bench/README.md).
  static const bool configured = [] {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK &&
           sqlite3_config(SQLITE_CONFIG_PAGECACHE, nullptr, 0, 256) == SQLITE_OK;
  }();
  (void)configured;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message = sqlite_error(db, path, "cannot open");
    sqlite3_close(db);
    return core::make_error(message);
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  return db;
}

// A bound parameter of a reader's query: an integer or a text.
using Param = std::variant<std::int64_t, std::string>;

// Calls `on_columns(seq, text, integer, flag)` for each row of `SELECT <columns>,
// seq FROM requests <tail>`, with the parameters of `tail` bound in order, on
// the open connection `db` to the ledger at `path`; the three read a column as
// assign_row_from_columns() takes them.
template <typename OnColumns>
core::Status each_result_row(sqlite3* db, const std::string& path, const std::string& tail,
                             const std::vector<Param>& params, OnColumns&& on_columns) {
  const std::string sql =
      fmt::format("SELECT {}, seq FROM requests {}", has_key_name(db) ? FF_LEDGER_COLUMNS : FF_LEDGER_COLUMNS_V1, tail);
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
  if (rc == SQLITE_OK) {
    int i = 0;
    for (const Param& p : params) {
      if (const auto* n = std::get_if<std::int64_t>(&p)) {
        sqlite3_bind_int64(st, ++i, *n);
      } else {
        const std::string& t = std::get<std::string>(p);
        sqlite3_bind_text(st, ++i, t.data(), static_cast<int>(t.size()), SQLITE_STATIC);
      }
    }
    // Valid until the next step.
    auto text = [&](int c) {
      const unsigned char* t = sqlite3_column_text(st, c);
      return t ? std::string_view(reinterpret_cast<const char*>(t)) : std::string_view();
    };
    auto integer = [&](int c) { return static_cast<std::int64_t>(sqlite3_column_int64(st, c)); };
    auto flag = [&](int c) { return sqlite3_column_int(st, c) != 0; };
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) on_columns(integer(kLedgerColumnCount), text, integer, flag);
  }
  std::string message = rc == SQLITE_DONE ? "" : sqlite_error(db, path, "cannot read");
  sqlite3_finalize(st);
  if (!message.empty()) return core::make_error(message);
  return core::Status::Ok();
}

// Calls `on_row(seq, Row&&)` for each row of each_result_row's query.
template <typename OnRow>
core::Status each_row_in(sqlite3* db, const std::string& path, const std::string& tail,
                         const std::vector<Param>& params, OnRow&& on_row) {
  return each_result_row(db, path, tail, params, [&](std::int64_t seq, auto& text, auto& integer, auto& flag) {
    on_row(seq, row_from_columns(text, integer, flag));
  });
}

// each_row_in on a connection of its own, opened read-only and closed after.
template <typename OnRow>
core::Status each_row(const std::string& path, const std::string& tail, const std::vector<Param>& params,
                      OnRow&& on_row) {
  auto db = open_db(path, SQLITE_OPEN_READONLY);
  if (!db.ok()) return db.error();
  core::Status s = each_row_in(*db, path, tail, params, std::forward<OnRow>(on_row));
  sqlite3_close(*db);
  return s;
}

// Every row of the ledger at `path`, read-only; or with `last`, the rows after
// position `after`, and in `last` the position of the last one.
core::Result<std::vector<Row>> read_rows(const std::string& path, std::int64_t after, std::int64_t* last) {
  std::vector<Row> rows;
  auto s = each_row(path, last ? "WHERE seq > ? ORDER BY seq" : "ORDER BY seq",
                    last ? std::vector<Param>{after} : std::vector<Param>{}, [&](std::int64_t seq, Row&& r) {
                      rows.push_back(std::move(r));
                      if (last) *last = seq;
                    });
  if (!s.ok()) return core::make_error(s.message());
  return rows;
}

// The rows of `SELECT <columns>, seq FROM requests <tail>`, with their positions.
core::Result<std::vector<Positioned>> select_positioned(const std::string& path, const std::string& tail,
                                                        const std::vector<Param>& params) {
  std::vector<Positioned> out;
  auto s = each_row(path, tail, params, [&](std::int64_t seq, Row&& r) { out.push_back({seq, std::move(r)}); });
  if (!s.ok()) return core::make_error(s.message());
  return out;
}

// Whether the file's schema has the table (a read-only reader does not create it).
bool has_table(sqlite3* db, const char* name) {
  sqlite3_stmt* st = nullptr;
  bool found = false;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1, &st, nullptr) ==
      SQLITE_OK) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return found;
}

core::Result<std::vector<std::pair<std::string, std::string>>> read_body_rows(const std::string& path) {
  auto db = open_db(path, SQLITE_OPEN_READONLY);
  if (!db.ok()) return db.error();
  std::vector<std::pair<std::string, std::string>> out;
  sqlite3_stmt* st = nullptr;
  int rc = SQLITE_DONE;
  if (has_table(*db, "request_bodies")) {
    rc = sqlite3_prepare_v2(*db, "SELECT request_id, body FROM request_bodies ORDER BY seq", -1, &st, nullptr);
    if (rc == SQLITE_OK) {
      auto text = [&](int i) {
        const unsigned char* t = sqlite3_column_text(st, i);
        return t ? std::string(reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(st, i)))
                 : std::string();
      };
      while ((rc = sqlite3_step(st)) == SQLITE_ROW) out.emplace_back(text(0), text(1));
    }
  }
  std::string message = rc == SQLITE_DONE ? "" : sqlite_error(*db, path, "cannot read the recorded requests");
  sqlite3_finalize(st);
  sqlite3_close(*db);
  if (!message.empty()) return core::make_error(message);
  return out;
}

// Every rating in the ledger at `path`, read-only (none before the table existed).
core::Result<std::vector<Feedback>> read_feedback_rows(const std::string& path,
                                                      const std::string* request_id = nullptr) {
  auto db = open_db(path, SQLITE_OPEN_READONLY);
  if (!db.ok()) return db.error();
  std::vector<Feedback> out;
  sqlite3_stmt* st = nullptr;
  int rc = SQLITE_DONE;
  if (has_table(*db, "feedback")) {
    rc = sqlite3_prepare_v2(*db, request_id ? kSelectFeedbackOf : kSelectFeedback, -1, &st, nullptr);
    if (rc == SQLITE_OK) {
      if (request_id) {
        sqlite3_bind_text(st, 1, request_id->data(), static_cast<int>(request_id->size()), SQLITE_STATIC);
      }
      auto text = [&](int i) {
        const unsigned char* t = sqlite3_column_text(st, i);
        return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
      };
      while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        out.push_back({text(0), text(1), text(2), sqlite3_column_int64(st, 3), text(4), sqlite3_column_double(st, 5),
                       sqlite3_column_int(st, 6) != 0, text(7)});
      }
    }
  }
  std::string message = rc == SQLITE_DONE ? "" : sqlite_error(*db, path, "cannot read the ratings");
  sqlite3_finalize(st);
  sqlite3_close(*db);
  if (!message.empty()) return core::make_error(message);
  return out;
}

class SqliteLedger final : public BatchingLedger {
 public:
  // `statements`: kInsert, BEGIN IMMEDIATE, COMMIT, ROLLBACK, kFindRequest,
  // kInsertFeedback and kInsertBody, prepared on `db` (owned from here).
  // `checkpointer`: a second connection to the same file, for --ledger-sync
  // process (nullptr otherwise).
  SqliteLedger(std::string path, sqlite3* db, std::array<sqlite3_stmt*, 7> statements, sqlite3* checkpointer)
      : BatchingLedger(path), path_(std::move(path)), db_(db), statements_(statements),
        checkpointer_(checkpointer), quick_(checkpointer != nullptr) {
    // Without a sync to wait for, a commit takes microseconds and is made on the
    // caller's thread when the ledger is idle (append_here). The WAL checkpoint,
    // which SQLite would otherwise run inside a commit every 1,000 pages (and
    // which syncs the database file, for milliseconds), is then the writer
    // thread's upkeep, on a connection of its own, while commits go on: the hook
    // below replaces SQLite's automatic checkpoint and counts the WAL's pages.
    // It runs after each commit, one at a time.
    if (quick_) {
      sqlite3_wal_hook(
          db_,
          [](void* self, sqlite3*, const char*, int pages) {
            auto* ledger = static_cast<SqliteLedger*>(self);
            // Fewer pages than after the last commit: the WAL started over.
            if (pages < ledger->wal_pages_.load(std::memory_order_relaxed)) {
              ledger->checkpointed_.store(0, std::memory_order_relaxed);
            }
            ledger->wal_pages_.store(pages, std::memory_order_relaxed);
            return SQLITE_OK;
          },
          this);
    }
    start();
  }

  ~SqliteLedger() override {
    stop();
    for (sqlite3_stmt* s : statements_) sqlite3_finalize(s);
    if (checkpointer_ != nullptr) sqlite3_close(checkpointer_);
    sqlite3_close(db_);  // the last connection: it checkpoints the WAL and removes it
  }

  core::Result<std::vector<Row>> read_all() override { return read_sqlite_ledger(path_); }
  core::Result<std::vector<Feedback>> read_feedback() override { return read_feedback_rows(path_); }

  // On a connection of its own: the writer thread keeps `db_`.
  core::Result<std::vector<Row>> read_after(std::int64_t after, std::int64_t& last) override {
    return read_rows(path_, after, &last);
  }
  core::Result<std::vector<Positioned>> read_page(std::int64_t after, std::size_t limit) override {
    return read_sqlite_page(path_, after, limit);
  }
  core::Result<std::vector<Positioned>> read_positions(const std::vector<std::int64_t>& positions) override {
    return read_sqlite_positions(path_, positions);
  }

 private:
  // Runs a prepared statement that returns no rows (BEGIN, COMMIT, ROLLBACK).
  static bool run(sqlite3_stmt* s) {
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
  }

  bool commits_quickly() const override { return quick_; }
  bool upkeep_due() const override {
    return quick_ && wal_pages_.load(std::memory_order_relaxed) - checkpointed_.load(std::memory_order_relaxed) >=
                         kCheckpointPages;
  }
  // PASSIVE, as SQLite's own: copies what no reader still needs, waits for no
  // reader or writer, and syncs the WAL and then the file. It copies the WAL as
  // it was when it began, so commits made meanwhile keep the WAL from starting
  // over (the next commit starts it over only if every page in it is copied).
  // Before finish_upkeep() held commits back, the writer checkpointed again after
  // every commit, about 900 times in 8 s at 1 connection, each with its syncs
  // (bench/README.md: the added p50 fell from about 125 to 65 us).
  void upkeep() override {
    sqlite3_wal_checkpoint_v2(checkpointer_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  // With no commit under way: copies the pages committed during upkeep() (a
  // millisecond or two), so the next commit starts the WAL over. A reader still
  // using older pages can keep some from being copied; the WAL then grows until
  // kCheckpointPages more are due.
  void finish_upkeep() override {
    int copied = 0;
    sqlite3_wal_checkpoint_v2(checkpointer_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, &copied);
    checkpointed_.store(std::max(copied, 0), std::memory_order_relaxed);
  }

  core::Status commit(const std::deque<Pending>& batch) override {
    // Prepared once: parsing BEGIN and COMMIT again for every batch cost about as
    // much as inserting a row.
    if (!run(begin_)) return core::make_error(sqlite_error(db_, path_, "cannot begin a transaction"));
    return commit_begun(batch);
  }

  // On a request's thread: never wait there for another connection's write lock
  // (another process writing the same file); the writer thread will.
  std::optional<core::Status> commit_here(const std::deque<Pending>& one) override {
    sqlite3_busy_timeout(db_, 0);
    const bool began = run(begin_);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    if (!began) return std::nullopt;
    return commit_begun(one);
  }

  // The rest of commit(), in a transaction begun.
  core::Status commit_begun(const std::deque<Pending>& batch) {
    for (const Pending& p : batch) {
      if (p.feedback) {
        if (!record(*p.feedback, p.outcome)) {
          std::string message = sqlite_error(db_, path_, "cannot record a rating");
          run(rollback_);
          return core::make_error(message);
        }
        continue;
      }
      if (!p.row) {  // a probe: rarely, so not a prepared statement
        if (sqlite3_exec(db_,
                         "INSERT OR REPLACE INTO ledger_probe (id, at_ms) "
                         "VALUES (1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))",
                         nullptr, nullptr, nullptr) != SQLITE_OK) {
          std::string message = sqlite_error(db_, path_, "cannot write");
          run(rollback_);
          return core::make_error(message);
        }
        continue;
      }
      const Row& r = *p.row;
      sqlite3_stmt* s = insert_;
      sqlite3_reset(s);
      int i = 0;
      // SQLITE_STATIC: the batch (and so the row) outlives the step that reads it; no copy.
      auto text = [&](const std::string& v) {
        sqlite3_bind_text(s, ++i, v.c_str(), static_cast<int>(v.size()), SQLITE_STATIC);
      };
      auto num = [&](std::int64_t v) { sqlite3_bind_int64(s, ++i, v); };
      text(r.request_id);
      text(r.key_hash);
      num(r.start_ms);
      num(r.end_ms);
      text(r.requested_model);
      text(r.routed_model);
      text(r.effort);
      text(r.category);
      text(r.reason);
      text(r.escalated_from);
      num(r.stream ? 1 : 0);
      num(r.status);
      num(r.usage.cache_hit);
      num(r.usage.cache_miss);
      num(r.usage.output);
      num(r.usage.reasoning);
      num(r.usage_estimated ? 1 : 0);
      num(static_cast<std::int64_t>(r.cost.femto()));
      num(static_cast<std::int64_t>(r.cost_if_pro.femto()));
      text(r.currency);
      num(r.first_byte_ms);
      text(r.error);
      text(r.key_name);
      if (sqlite3_step(s) != SQLITE_DONE) {
        std::string message = sqlite_error(db_, path_, "cannot write");
        sqlite3_clear_bindings(insert_);
        run(rollback_);
        return core::make_error(message);
      }
      if (!r.request_body.empty()) {
        sqlite3_stmt* b = insert_body_;
        sqlite3_reset(b);
        sqlite3_bind_text(b, 1, r.request_id.c_str(), static_cast<int>(r.request_id.size()), SQLITE_STATIC);
        sqlite3_bind_text(b, 2, r.request_body.c_str(), static_cast<int>(r.request_body.size()), SQLITE_STATIC);
        const bool ok = sqlite3_step(b) == SQLITE_DONE;
        sqlite3_reset(b);
        sqlite3_clear_bindings(b);
        if (!ok) {
          std::string message = sqlite_error(db_, path_, "cannot record a request");
          sqlite3_clear_bindings(insert_);
          run(rollback_);
          return core::make_error(message);
        }
      }
    }
    // The bound text points into the batch's rows, freed after this: unbind it.
    sqlite3_clear_bindings(insert_);
    if (!run(commit_)) {
      std::string message = sqlite_error(db_, path_, "cannot commit");
      run(rollback_);
      return core::make_error(message);
    }
    return core::Status::Ok();
  }

  // Looks the rating's request up and records the rating if it is the key's own.
  bool record(const Feedback& f, FeedbackOutcome& outcome) {
    sqlite3_reset(find_);
    sqlite3_bind_text(find_, 1, f.request_id.c_str(), static_cast<int>(f.request_id.size()), SQLITE_TRANSIENT);
    const int rc = sqlite3_step(find_);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return false;
    const unsigned char* owner = rc == SQLITE_ROW ? sqlite3_column_text(find_, 0) : nullptr;
    outcome = rc == SQLITE_DONE ? FeedbackOutcome::kUnknownRequest
              : f.key_hash != reinterpret_cast<const char*>(owner) ? FeedbackOutcome::kNotYours
                                                                  : FeedbackOutcome::kRecorded;
    sqlite3_reset(find_);
    if (outcome != FeedbackOutcome::kRecorded) return true;
    sqlite3_stmt* s = insert_feedback_;
    sqlite3_reset(s);
    int i = 0;
    auto text = [&](const std::string& v) {
      sqlite3_bind_text(s, ++i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    };
    text(f.request_id);
    text(f.key_hash);
    text(f.key_name);
    sqlite3_bind_int64(s, ++i, f.created_ms);
    text(f.metric);
    sqlite3_bind_double(s, ++i, f.value);
    sqlite3_bind_int(s, ++i, f.value_is_bool ? 1 : 0);
    text(f.comment);
    const bool ok = sqlite3_step(s) == SQLITE_DONE;
    sqlite3_reset(s);
    return ok;
  }

  const std::string path_;
  // Used by one thread at a time: the writer's, or a caller of append_here()
  // while the ledger is idle (BatchingLedger's busy flag); and the destructor.
  sqlite3* const db_;
  const std::array<sqlite3_stmt*, 7> statements_;
  sqlite3* const checkpointer_;                  // the writer thread's, for upkeep() (quick_ only)
  const bool quick_;                             // --ledger-sync process: no sync in a commit
  std::atomic<int> wal_pages_{0};                // the WAL's pages after the last commit (quick_ only)
  std::atomic<int> checkpointed_{0};             // of those, copied by the last upkeep, until the WAL starts over
  static constexpr int kCheckpointPages = 1000;  // SQLite's own default
  sqlite3_stmt* const insert_ = statements_[0];
  sqlite3_stmt* const begin_ = statements_[1];
  sqlite3_stmt* const commit_ = statements_[2];
  sqlite3_stmt* const rollback_ = statements_[3];
  sqlite3_stmt* const find_ = statements_[4];
  sqlite3_stmt* const insert_feedback_ = statements_[5];
  sqlite3_stmt* const insert_body_ = statements_[6];
};

}  // namespace

core::Result<std::vector<Row>> read_sqlite_ledger(const std::string& path) { return read_rows(path, 0, nullptr); }
core::Result<std::vector<Feedback>> read_sqlite_feedback(const std::string& path) { return read_feedback_rows(path); }
core::Result<std::vector<std::pair<std::string, std::string>>> read_sqlite_requests(const std::string& path) {
  return read_body_rows(path);
}

core::Result<std::vector<Positioned>> read_sqlite_page(const std::string& path, std::int64_t after,
                                                       std::size_t limit) {
  std::vector<Positioned> rows;
  if (auto s = SqlitePageReader(path).read(after, limit, rows); !s.ok()) return core::make_error(s.message());
  return rows;
}

SqlitePageReader::~SqlitePageReader() { sqlite3_close(db_); }

core::Status SqlitePageReader::read(std::int64_t after, std::size_t limit, std::vector<Positioned>& rows) {
  if (db_ == nullptr) {
    auto db = open_db(path_, SQLITE_OPEN_READONLY);
    if (!db.ok()) return core::make_error(db.error().message);  // a file not created yet: opened at a later call
    db_ = *db;
  }
  std::size_t n = 0;
  auto s = each_result_row(db_, path_, "WHERE seq > ? ORDER BY seq LIMIT ?",
                           {after, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX))},
                           [&](std::int64_t seq, auto& text, auto& integer, auto& flag) {
                             if (n == rows.size()) rows.emplace_back();
                             rows[n].seq = seq;
                             assign_row_from_columns(rows[n].row, text, integer, flag);
                             ++n;
                           });
  rows.resize(n);
  if (!s.ok()) {
    sqlite3_close(db_);  // opened afresh at the next call (a table created since, a file replaced)
    db_ = nullptr;
    rows.clear();
    return s;
  }
  return core::Status::Ok();
}

core::Result<std::vector<Positioned>> read_sqlite_positions(const std::string& path,
                                                            const std::vector<std::int64_t>& positions) {
  if (positions.empty()) return std::vector<Positioned>{};
  std::string tail = "WHERE seq IN (";
  std::vector<Param> params;
  for (std::int64_t p : positions) {
    tail += params.empty() ? "?" : ",?";
    params.emplace_back(p);
  }
  tail += ") ORDER BY seq";
  return select_positioned(path, tail, params);
}

core::Result<std::vector<Positioned>> read_sqlite_request(const std::string& path, const std::string& request_id) {
  return select_positioned(path, "WHERE request_id = ? ORDER BY seq", {request_id});
}

core::Result<std::vector<Feedback>> read_sqlite_feedback_of(const std::string& path, const std::string& request_id) {
  return read_feedback_rows(path, &request_id);
}

core::Result<std::unique_ptr<Ledger>> open_sqlite_ledger(const std::string& path, Durability durability) {
  auto db = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
  if (!db.ok()) return db.error();
  // WAL: readers never block the writer; FULL: a commit survives the OS, not just the process.
  const char* sync = durability == Durability::kFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
  for (const char* sql : {"PRAGMA journal_mode=WAL", sync, kSchema}) {
    if (sqlite3_exec(*db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      std::string message = sqlite_error(*db, path, "cannot set up");
      sqlite3_close(*db);
      return core::make_error(message);
    }
  }
  if (!has_key_name(*db) && sqlite3_exec(*db, kAddKeyName, nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string message = sqlite_error(*db, path, "cannot add the key_name column");
    sqlite3_close(*db);
    return core::make_error(message);
  }
  std::array<sqlite3_stmt*, 7> statements{};
  const std::array<const char*, 7> sql{kInsert,      "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK",
                                       kFindRequest, kInsertFeedback,   kInsertBody};
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (sqlite3_prepare_v2(*db, sql[i], -1, &statements[i], nullptr) != SQLITE_OK) {
      std::string message = sqlite_error(*db, path, "cannot prepare");
      for (sqlite3_stmt* s : statements) sqlite3_finalize(s);
      sqlite3_close(*db);
      return core::make_error(message);
    }
  }
  sqlite3* checkpointer = nullptr;
  if (durability == Durability::kProcess) {
    // A connection checkpoints only once it has read the file in WAL mode.
    auto second = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
    if (!second.ok() || sqlite3_exec(*second, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) != SQLITE_OK) {
      std::string message = second.ok() ? sqlite_error(*second, path, "cannot set up") : second.error().message;
      if (second.ok()) sqlite3_close(*second);
      for (sqlite3_stmt* s : statements) sqlite3_finalize(s);
      sqlite3_close(*db);
      return core::make_error(message);
    }
    checkpointer = *second;
  }
  return std::unique_ptr<Ledger>(new SqliteLedger(path, *db, statements, checkpointer));
}

}  // namespace ff::ledger
