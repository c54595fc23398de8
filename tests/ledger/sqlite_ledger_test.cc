// The SQLite ledger: exact round trips, concurrent appends, and durability across
// a kill -9 of the writing process.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <optional>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "ledger/follower.h"
#include "ledger/ledger.h"
#include "lib/temp_path.h"

namespace ff::ledger {
namespace {

std::string fresh_path(const std::string& name) { return test::temp_path(name); }

Row sample(int i) {
  Row r;
  r.request_id = "req-" + std::to_string(i);
  r.key_hash = "k1";
  r.key_name = i % 2 ? "team-a" : "";
  r.start_ms = 1'795'485'600'000 + i;
  r.end_ms = r.start_ms + 850;
  r.requested_model = "auto";
  r.routed_model = i % 2 ? "deepseek-v4-pro" : "deepseek-flash";
  r.effort = "high";
  r.category = "rag";
  r.reason = "passages supplied";
  r.escalated_from = i % 3 == 0 ? "req-x" : "";
  r.stream = i % 2 == 0;
  r.status = 200;
  r.usage = core::TokenUsage{800, 200, 10 + i, 4};
  r.usage_estimated = false;
  // 800 x 0.044 + 200 x 1.32 + 10 x 3.96 per 1M (Pro, peak) = $0.0003388 in femto-dollars.
  r.cost = core::Money::from_femto(338'800'000'000);
  r.cost_if_pro = core::Money::from_femto(338'800'000'000);
  r.first_byte_ms = 120;
  r.error = i % 5 == 0 ? "upstream 503, retried" : "";
  return r;
}

// Every one of `n` rows appended with distinct request ids is in `ledger`, once.
void expect_each_kept_once(Ledger& ledger, std::size_t n) {
  auto rows = ledger.read_all();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), n);
  std::set<std::string> ids;
  for (const Row& r : *rows) ids.insert(r.request_id);
  EXPECT_EQ(ids.size(), n);
}

TEST(SqliteLedger, RoundTripsEveryFieldExactly) {
  const std::string path = fresh_path("ledger_roundtrip.db");
  {
    auto ledger = open_sqlite_ledger(path);
    ASSERT_TRUE(ledger.ok()) << ledger.error().message;
    for (int i = 0; i < 10; ++i) ASSERT_TRUE((*ledger)->append(sample(i)).ok());
  }
  auto reopened = open_sqlite_ledger(path);
  ASSERT_TRUE(reopened.ok());
  auto rows = (*reopened)->read_all();
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ((*rows)[i], sample(i)) << i;
  EXPECT_EQ((*rows)[3].cost.to_decimal(), "0.0003388");
}

TEST(SqliteLedger, ReadAfterFollowsWhatIsAppended) {
  const std::string path = fresh_path("ledger_follow.db");
  auto ledger = open_sqlite_ledger(path);
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*ledger)->append(sample(i)).ok());
  std::int64_t position = 0;
  auto first = (*ledger)->read_after(0, position);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ((*first)[2], sample(2));
  EXPECT_EQ(position, 3);  // the third row's position
  auto none = (*ledger)->read_after(position, position);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(position, 3);  // unchanged
  ASSERT_TRUE((*ledger)->append(sample(7)).ok());
  auto next = (*ledger)->read_after(position, position);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0], sample(7));
  EXPECT_EQ(position, 4);
}

// Gateways sharing a PostgreSQL ledger commit in their own order: position 6
// can be read before 4 and 5 are committed. The follower reads 6, looks for 4
// and 5 at each poll, returns 4 when it appears, and gives 5 up (a rollback)
// once its patience (1000 ms here) has passed.
TEST(Follower, ARowCommittedAfterLargerPositionsIsReturnedWhenItAppears) {
  const std::string path = fresh_path("ledger_follower.db");
  {
    auto ledger = open_sqlite_ledger(path);
    ASSERT_TRUE(ledger.ok());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*ledger)->append(sample(i)).ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  // A copy of row 0 at `seq`, by hand: the ledger's writer always takes the next position.
  auto insert_at = [&](int seq) {
    const std::string sql = "INSERT INTO requests SELECT " + std::to_string(seq) +
                            ", request_id || '-" + std::to_string(seq) +
                            "', key_hash, start_ms, end_ms, requested_model, routed_model, effort, category, reason, "
                            "escalated_from, stream, status, cache_hit, cache_miss, output, reasoning, usage_estimated, "
                            "cost_femto, cost_if_pro_femto, currency, first_byte_ms, error, key_name FROM requests "
                            "WHERE seq = 1";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  };
  Follower follower(
      [&](std::int64_t after, std::size_t limit, std::vector<Positioned>& rows) {
        return page_into(read_ledger_page(path, after, limit), rows);
      },
      [&](const std::vector<std::int64_t>& p) { return read_ledger_positions(path, p); }, 0, 2, 1000);
  std::vector<Positioned> rows;
  bool more = false;
  // The positions `poll` read into `rows`.
  auto poll = [&](std::int64_t now_ms) {
    std::vector<std::int64_t> out;
    EXPECT_TRUE(follower.poll(now_ms, more, rows).ok());
    for (const Positioned& p : rows) out.push_back(p.seq);
    return out;
  };
  EXPECT_EQ(poll(0), (std::vector<std::int64_t>{1, 2}));
  EXPECT_TRUE(more);  // a whole page of 2
  EXPECT_EQ(poll(0), (std::vector<std::int64_t>{3}));
  EXPECT_FALSE(more);
  follower.track_gaps(true);
  insert_at(6);
  EXPECT_EQ(poll(100), (std::vector<std::int64_t>{6}));
  EXPECT_EQ(follower.gaps(), 2u);  // 4 and 5
  EXPECT_EQ(follower.position(), 6);
  insert_at(4);
  EXPECT_EQ(poll(200), (std::vector<std::int64_t>{4}));
  EXPECT_EQ(rows[0].row.request_id, sample(0).request_id + "-4");
  EXPECT_EQ(follower.gaps(), 1u);
  EXPECT_TRUE(poll(1100).empty());  // 5 missed since 100: 1000 ms later, still waited for
  EXPECT_EQ(follower.gaps(), 1u);
  EXPECT_TRUE(poll(1101).empty());  // then given up
  EXPECT_EQ(follower.gaps(), 0u);
  sqlite3_close(db);
}

// Follower::of on a SQLite ledger reads its pages on one connection kept open
// between polls (the dashboard polls every 250 ms). A file not there yet, or
// one without the ledger's table, is an error until it is; then the rows come,
// and rows committed after the connection was opened come at the next poll.
// The rows are read into the ones the vector held: every field is set again.
TEST(Follower, OfASqliteLedgerFollowsItFromBeforeItExists) {
  const std::string path = fresh_path("ledger_follower_of.db");
  Follower follower = Follower::of(path, 0, 2);
  std::vector<Positioned> rows(1);
  bool more = false;
  EXPECT_FALSE(follower.poll(0, more, rows).ok());  // no file yet
  EXPECT_TRUE(rows.empty());
  {
    sqlite3* db = nullptr;  // a file without the ledger's table
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE other (x INTEGER)", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  EXPECT_FALSE(follower.poll(0, more, rows).ok());
  auto ledger = open_sqlite_ledger(path);
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*ledger)->append(sample(i)).ok());
  auto first = follower.poll(0, more, rows);
  ASSERT_TRUE(first.ok()) << first.message();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].row, sample(0));  // escalated from "req-x", an error, no key name
  EXPECT_EQ(rows[1].row, sample(1));
  EXPECT_TRUE(more);
  ASSERT_TRUE(follower.poll(0, more, rows).ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].seq, 3);
  EXPECT_EQ(rows[0].row, sample(2));  // read into sample(0)'s row: its escalation and error cleared
  EXPECT_FALSE(more);
  ASSERT_TRUE((*ledger)->append(sample(7)).ok());
  ASSERT_TRUE(follower.poll(0, more, rows).ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].seq, 4);
  EXPECT_EQ(rows[0].row, sample(7));  // a key name, Pro, no stream
  ASSERT_TRUE(follower.poll(0, more, rows).ok());
  EXPECT_TRUE(rows.empty());
}

// Ledgers written before seq lost AUTOINCREMENT keep their schema and work as before.
TEST(SqliteLedger, AFileWithTheEarlierSchemaIsAppendedToAndFollowed) {
  const std::string path = fresh_path("ledger_autoincrement.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const char* earlier = R"sql(
CREATE TABLE requests (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL, key_hash TEXT NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,
  requested_model TEXT NOT NULL, routed_model TEXT NOT NULL, effort TEXT NOT NULL, category TEXT NOT NULL,
  reason TEXT NOT NULL, escalated_from TEXT NOT NULL, stream INTEGER NOT NULL, status INTEGER NOT NULL,
  cache_hit INTEGER NOT NULL, cache_miss INTEGER NOT NULL, output INTEGER NOT NULL, reasoning INTEGER NOT NULL,
  usage_estimated INTEGER NOT NULL,
  cost_femto INTEGER NOT NULL, cost_if_pro_femto INTEGER NOT NULL, currency TEXT NOT NULL,
  first_byte_ms INTEGER NOT NULL, error TEXT NOT NULL);)sql";
    ASSERT_EQ(sqlite3_exec(db, earlier, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  auto ledger = open_sqlite_ledger(path);
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  for (int i = 0; i < 2; ++i) ASSERT_TRUE((*ledger)->append(sample(i)).ok());
  std::int64_t position = 0;
  auto rows = (*ledger)->read_after(1, position);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0], sample(1));
  EXPECT_EQ(position, 2);
  auto all = (*ledger)->read_all();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
}

// A ledger from before keys' names were kept: a reader (read-only) sees the
// name as "", and the gateway, opening it, adds the column.
TEST(SqliteLedger, AFileWithoutKeyNamesIsReadAndMigrated) {
  const std::string path = fresh_path("ledger_no_key_name.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const char* earlier = R"sql(
CREATE TABLE requests (
  seq INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL, key_hash TEXT NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,
  requested_model TEXT NOT NULL, routed_model TEXT NOT NULL, effort TEXT NOT NULL, category TEXT NOT NULL,
  reason TEXT NOT NULL, escalated_from TEXT NOT NULL, stream INTEGER NOT NULL, status INTEGER NOT NULL,
  cache_hit INTEGER NOT NULL, cache_miss INTEGER NOT NULL, output INTEGER NOT NULL, reasoning INTEGER NOT NULL,
  usage_estimated INTEGER NOT NULL,
  cost_femto INTEGER NOT NULL, cost_if_pro_femto INTEGER NOT NULL, currency TEXT NOT NULL,
  first_byte_ms INTEGER NOT NULL, error TEXT NOT NULL);
INSERT INTO requests VALUES (1, 'old-1', 'k0', 1, 2, 'auto', 'deepseek-flash', 'high', 'rag', 'r', '', 0, 200,
  0, 10, 5, 0, 0, 42, 42, 'USD', 1, '');)sql";
    ASSERT_EQ(sqlite3_exec(db, earlier, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  auto before = read_sqlite_ledger(path);
  ASSERT_TRUE(before.ok()) << before.error().message;
  ASSERT_EQ(before->size(), 1u);
  EXPECT_EQ((*before)[0].request_id, "old-1");
  EXPECT_EQ((*before)[0].key_name, "");
  auto ledger = open_sqlite_ledger(path);
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  ASSERT_TRUE((*ledger)->append(sample(1)).ok());
  auto all = (*ledger)->read_all();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].key_name, "");
  EXPECT_EQ((*all)[1].key_name, "team-a");
}

TEST(SqliteLedger, ConcurrentAppendsAreAllKept) {
  const std::string path = fresh_path("ledger_concurrent.db");
  auto ledger = open_sqlite_ledger(path);
  ASSERT_TRUE(ledger.ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 250; ++i) EXPECT_TRUE((*ledger)->append(sample(t * 1000 + i)).ok());
    });
  }
  for (auto& th : threads) th.join();
  expect_each_kept_once(**ledger, 1000);
}

// With --ledger-sync process a commit takes microseconds: an idle ledger makes
// it on the caller's thread (no thread switch). With full sync it never does:
// the caller would wait for the sync.
TEST(SqliteLedger, AnIdleQuickLedgerCommitsOnTheCallersThread) {
  auto quick = open_sqlite_ledger(fresh_path("ledger_here.db"), Durability::kProcess);
  ASSERT_TRUE(quick.ok());
  const std::optional<core::Status> s = (*quick)->append_here(sample(1));
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->ok()) << s->message();
  auto rows = (*quick)->read_all();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front(), sample(1));

  auto full = open_sqlite_ledger(fresh_path("ledger_not_here.db"), Durability::kFull);
  ASSERT_TRUE(full.ok());
  EXPECT_FALSE((*full)->append_here(sample(1)).has_value());
  EXPECT_EQ((*full)->read_all()->size(), 0u);
}

// A request's thread never waits for another connection's write lock (another
// process writing the same file): the row is not made here, and goes through the
// writer's queue, which waits for the lock. The other connection lets go half a
// second later; a commit made here would have waited for it and succeeded.
TEST(SqliteLedger, ALockHeldElsewhereIsNotWaitedForOnTheCallersThread) {
  const std::string path = fresh_path("ledger_locked.db");
  auto ledger = open_sqlite_ledger(path, Durability::kProcess);
  ASSERT_TRUE(ledger.ok());
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::thread release([other] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  });
  EXPECT_FALSE((*ledger)->append_here(sample(1)).has_value());
  EXPECT_TRUE((*ledger)->append(sample(1)).ok());  // the writer thread waits for the lock
  release.join();
  sqlite3_close(other);
  expect_each_kept_once(**ledger, 1);
}

// Commits made here and batches of the writer thread at the same time (the
// ThreadSanitizer run has this test too): every row is kept, once. Whether any
// thread finds the ledger idle is the scheduler's (on a loaded machine the
// writer can be busy at every attempt), so one row is committed here first,
// with the ledger idle.
TEST(SqliteLedger, CommitsHereAndTheWritersBatchesInterleave) {
  auto ledger = open_sqlite_ledger(fresh_path("ledger_interleave.db"), Durability::kProcess);
  ASSERT_TRUE(ledger.ok());
  const std::optional<core::Status> first = (*ledger)->append_here(sample(9999));
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->ok()) << first->message();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 250; ++i) {
        const Row row = sample(t * 1000 + i);
        if (t % 2 == 0) {
          if (std::optional<core::Status> s = (*ledger)->append_here(row)) {
            EXPECT_TRUE(s->ok());
            continue;
          }
        }
        EXPECT_TRUE((*ledger)->append(row).ok());  // through the writer's queue
      }
    });
  }
  for (auto& th : threads) th.join();
  expect_each_kept_once(**ledger, 1001);  // 4 threads × 250, and the first
}

// The WAL checkpoint is the writer thread's upkeep when commits are made here:
// past 1,000 WAL pages (each commit writes at least one), it copies them into
// the database file while commits go on. SQLite's own checkpoint, inside some
// commit, is off. Without the upkeep the file would not grow until the ledger
// closed.
TEST(SqliteLedger, TheWriterCheckpointsTheWal) {
  const std::string path = fresh_path("ledger_checkpoint.db");
  auto ledger = open_sqlite_ledger(path, Durability::kProcess);
  ASSERT_TRUE(ledger.ok());
  const auto before = std::filesystem::file_size(path);
  for (int i = 0; i < 3000; ++i) {
    std::optional<core::Status> s = (*ledger)->append_here(sample(i));
    ASSERT_TRUE(s ? s->ok() : (*ledger)->append(sample(i)).ok());
  }
  // 3,000 rows of about 170 bytes, over 6,000 WAL pages: the checkpoints (one per
  // 1,000 pages, about 440 rows) add over 200 KB to the file; the rows since the
  // last one stay in the WAL. They run on the writer thread: wait (10 s at most).
  for (int tries = 0; tries < 1000 && std::filesystem::file_size(path) < before + 200'000; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(std::filesystem::file_size(path), before + 200'000);
  EXPECT_EQ((*ledger)->read_all()->size(), 3000u);
}

// A checkpoint copies the WAL as it was when it began; rows committed meanwhile
// keep the WAL from starting over, unless the writer finishes the checkpoint
// with commits held back. Without that, past 1,000 pages the writer checkpointed
// after every commit and the WAL never started over: 8,000 rows committed back
// to back (about 18,000 pages of 4 KiB) left a WAL file of 74 MB. Finished, the
// WAL starts over after each checkpoint; at its largest it holds 1,000 pages
// and those committed while the checkpoint ran beside them: 16-22 MB in three
// runs on this machine, where commits come back to back.
TEST(SqliteLedger, TheWalStartsOverAfterACheckpointWhileRowsKeepComing) {
  const std::string path = fresh_path("ledger_wal_restart.db");
  auto ledger = open_sqlite_ledger(path, Durability::kProcess);
  ASSERT_TRUE(ledger.ok());
  for (int i = 0; i < 8000; ++i) {
    std::optional<core::Status> s = (*ledger)->append_here(sample(i));
    ASSERT_TRUE(s ? s->ok() : (*ledger)->append(sample(i)).ok());
  }
  EXPECT_LT(std::filesystem::file_size(path + "-wal"), 48'000'000u);
  EXPECT_EQ((*ledger)->read_all()->size(), 8000u);
}

TEST(SqliteLedger, AppendAsyncReportsTheCommit) {
  const std::string path = fresh_path("ledger_async.db");
  auto ledger = open_sqlite_ledger(path);
  ASSERT_TRUE(ledger.ok());
  std::mutex m;
  std::condition_variable cv;
  int done = 0;
  for (int i = 0; i < 20; ++i) {
    (*ledger)->append_async(std::make_shared<const Row>(sample(i)), [&](core::Status s) {
      EXPECT_TRUE(s.ok());
      std::lock_guard<std::mutex> lock(m);
      ++done;
      cv.notify_one();
    });
  }
  std::unique_lock<std::mutex> lock(m);
  cv.wait(lock, [&] { return done == 20; });
  lock.unlock();
  EXPECT_EQ((*ledger)->read_all()->size(), 20u);
}

TEST(SqliteLedger, RowsSurviveKillMinus9OfTheWriter) {
  // The child appends rows one by one and reports each after append() returns;
  // the parent kills it with SIGKILL mid-stream. Every reported row must be there.
  const std::string path = fresh_path("ledger_kill.db");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    auto ledger = open_sqlite_ledger(path);
    if (!ledger.ok()) _exit(2);
    for (int i = 0;; ++i) {
      if (!(*ledger)->append(sample(i)).ok()) _exit(3);
      if (write(fds[1], &i, sizeof i) != sizeof i) _exit(4);
    }
  }
  close(fds[1]);
  int last = -1, got = 0;
  while (got < 200 && read(fds[0], &last, sizeof last) == sizeof last) ++got;
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  // Drain what the child reported before it died.
  int more;
  while (read(fds[0], &more, sizeof more) == sizeof more) last = more;
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto ledger = open_sqlite_ledger(path);
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  auto rows = (*ledger)->read_all();
  ASSERT_TRUE(rows.ok());
  // Rows 0..last were reported committed; at most one more may have been committed unreported.
  ASSERT_GE(rows->size(), static_cast<size_t>(last + 1));
  ASSERT_LE(rows->size(), static_cast<size_t>(last + 2));
  for (int i = 0; i <= last; ++i) EXPECT_EQ((*rows)[i], sample(i));
}

// Waits for a rating's outcome.
core::Result<FeedbackOutcome> rate(Ledger& l, const Feedback& f) {
  std::promise<core::Result<FeedbackOutcome>> p;
  l.append_feedback_async(std::make_shared<Feedback>(f), [&](core::Result<FeedbackOutcome> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

TEST(SqliteLedger, RatingsAreRecordedForTheRequestsOwnKeyOnly) {
  const std::string path = fresh_path("ledger_feedback.db");
  auto ledger = open_sqlite_ledger(path);
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  ASSERT_TRUE((*ledger)->append(sample(1)).ok());  // req-1, key k1
  const Feedback good{"req-1", "k1", "team-a", 1'795'485'700'000, "correct", 1, true, "right answer"};
  const Feedback scored{"req-1", "k1", "team-a", 1'795'485'700'001, "score", 0.75, false, ""};
  auto r = rate(**ledger, good);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, FeedbackOutcome::kRecorded);
  EXPECT_EQ(*rate(**ledger, scored), FeedbackOutcome::kRecorded);
  EXPECT_EQ(*rate(**ledger, Feedback{"req-1", "k2", "team-b", 1, "correct", 0, true, ""}), FeedbackOutcome::kNotYours);
  EXPECT_EQ(*rate(**ledger, Feedback{"req-9", "k1", "team-a", 1, "correct", 0, true, ""}),
            FeedbackOutcome::kUnknownRequest);
  auto all = (*ledger)->read_feedback();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 2u);  // the refused ones are not kept
  EXPECT_EQ((*all)[0], good);
  EXPECT_EQ((*all)[1], scored);
  // Read-only, by location, as `cost --ledger` does.
  auto again = read_ledger_feedback(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *all);
}

TEST(SqliteLedger, ALedgerFromBeforeRatingsHasNone) {
  const std::string path = fresh_path("ledger_no_feedback.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE requests (seq INTEGER PRIMARY KEY, request_id TEXT)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto none = read_ledger_feedback(path);
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_TRUE(none->empty());
}

TEST(SqliteLedger, ClearErrors) {
  auto bad = open_sqlite_ledger("/nonexistent/dir/ledger.db");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "ledger /nonexistent/dir/ledger.db: cannot open: unable to open database file");
}

}  // namespace
}  // namespace ff::ledger

namespace ff::ledger {
namespace {

TEST(LedgerCost, TheCostReportReadsTheLedger) {
  // Ten sample rows, each 800 hits + 200 misses + (10 + i) output tokens on its routed model
  // at 2026-11-24 02:00 UTC (peak). Pro rows (odd i): 35.2 + 264 + (10 + i) x 3.96 per 1M;
  // Flash rows (even i): 4.8 + 60 + (10 + i) x 1.2 per 1M.
  //   Pro   i = 1,3,5,7,9: 5 x 299.2 + (11+13+15+17+19) x 3.96 = 1496 + 297 = 1793 per 1M
  //   Flash i = 0,2,4,6,8: 5 x 64.8 + (10+12+14+16+18) x 1.2 = 324 + 84 = 408 per 1M
  // Total 2201 per 1M = $0.002201.
  const std::string path = fresh_path("ledger_cost.db");
  {
    auto ledger = open_sqlite_ledger(path);
    ASSERT_TRUE(ledger.ok());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE((*ledger)->append(sample(i)).ok());
  }
  const std::string cmd = std::string(FF_FLASHFIRST_BIN) + " cost --json --ledger " + path + " | jq -r .cost.actual";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[128] = {};
  ASSERT_NE(fgets(buf, sizeof buf, p), nullptr);
  pclose(p);
  EXPECT_EQ(std::string(buf), "0.002201\n");
}

}  // namespace
}  // namespace ff::ledger
