// The dashboard's index and API answers, on a real SQLite ledger, with a price
// book of round rates so that every figure can be worked out by hand.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <thread>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "dashboard/dashboard.h"
#include "dashboard/spend_index.h"
#include "ledger/ledger.h"
#include "net/http_server.h"
#include "pricing/price_book_loader.h"

namespace ff::dashboard {
namespace {

// Per 1M tokens: Flash hit 0.10, miss 0.20, output 1.00; Pro hit 0.10, miss 0.60, output 3.00.
constexpr const char* kBook = R"(
[book]
name = "test"
default_currency = "USD"
[[model]]
id = "f"
tier = "flash"
[[model]]
id = "p"
tier = "pro"
[[alias]]
id = "flash"
billed_as = "f"
[[alias]]
id = "pro"
billed_as = "p"
[[rates]]
model = "f"
currency = "USD"
from = 2026-01-01T00:00:00Z
flat = { hit = 0.10, miss = 0.20, output = 1.00 }
[[rates]]
model = "p"
currency = "USD"
from = 2026-01-01T00:00:00Z
flat = { hit = 0.10, miss = 0.60, output = 3.00 }
)";

constexpr std::int64_t kT0 = 1'796'299'200'000;  // 2026-12-03T12:00:00Z

ledger::Row row(std::string id, std::string key, std::int64_t start_ms, std::string model, std::string category,
                core::TokenUsage usage, int status = 200) {
  ledger::Row r;
  r.request_id = std::move(id);
  r.key_name = key;
  r.key_hash = "hash-" + key;
  r.start_ms = start_ms;
  r.end_ms = start_ms + 400;
  r.requested_model = "auto";
  r.routed_model = std::move(model);
  r.category = std::move(category);
  r.reason = "test";
  r.status = status;
  r.usage = usage;
  return r;
}

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() / ("ff-dashboard-" + std::to_string(::getpid()) + ".db")).string();
    std::filesystem::remove(path_);
    auto book = pricing::parse_price_book(kBook, "test.toml");
    ASSERT_TRUE(book.ok()) << book.error().message;
    book_.emplace(std::move(*book));
    auto l = ledger::open_sqlite_ledger(path_);
    ASSERT_TRUE(l.ok()) << l.error().message;
    // a: Flash at 12:10, 1M miss + 1M output: 0.20 + 1.00 = 1.20; on Pro 0.60 + 3.00 = 3.60.
    // b: Flash at 12:20 (key b), 2M hit: 0.20; on Pro 0.20.
    // c: Flash at 13:05, an upstream error (nothing billed).
    // d: Pro at 13:05, escalated from c's sibling e, 1M output: 3.00 (all-Flash 1.00).
    ASSERT_TRUE((*l)->append(row("a", "team-a", kT0 + 600'000, "f", "translation", {0, 1'000'000, 1'000'000, 0})).ok());
    ASSERT_TRUE((*l)->append(row("b", "team-b", kT0 + 1'200'000, "f", "coding", {2'000'000, 0, 0, 0})).ok());
    ASSERT_TRUE((*l)->append(row("c", "team-a", kT0 + 3'900'000, "f", "math", {}, 502)).ok());
    ledger::Row e = row("e", "team-a", kT0 + 3'900'000, "f", "math", {0, 0, 1, 0});
    ASSERT_TRUE((*l)->append(e).ok());
    ledger::Row d = row("d", "team-a", kT0 + 3'900'000, "p", "math", {0, 0, 1'000'000, 0});
    d.escalated_from = "e";
    d.reason = "escalated: Flash's answer failed (not JSON)";
    ASSERT_TRUE((*l)->append(d).ok());
    ledger::Feedback fb{"d", "hash-team-a", "team-a", kT0 + 4'000'000, "correct", 1, true, "good"};
    bool done = false;
    (*l)->append_feedback_async(std::make_shared<ledger::Feedback>(fb), [&](auto) { done = true; });
    l->reset();
    ASSERT_TRUE(done);
    DashboardOptions o;
    o.ledger = path_;
    budget::Limits limits;
    limits.per_day = *core::parse_money("5");
    o.keys = {{"team-a", "hash-team-a", limits}};
    o.now_ms = [] { return kT0 + 4 * 3'600'000; };  // 16:00 on the same day
    board_ = std::make_unique<Dashboard>(*book_, o);
    board_->start();
    ASSERT_TRUE(board_->wait_loaded(std::chrono::seconds(10)));
  }
  void TearDown() override {
    board_.reset();
    std::filesystem::remove(path_);
    std::filesystem::remove(path_ + "-wal");
    std::filesystem::remove(path_ + "-shm");
  }
  std::string get(std::string_view target, const Viewer& v, int expect = 200) {
    net::Response r = board_->answer(target, v);
    EXPECT_EQ(r.status, expect) << target << ": " << r.body;
    return r.body;
  }

  std::string path_;
  std::optional<pricing::PriceBook> book_;
  std::unique_ptr<Dashboard> board_;
  const Viewer admin_{true, "", ""};
  const Viewer team_b_{false, "hash-team-b", "team-b"};
};

TEST_F(DashboardTest, SpendIsPricedExactlyAndGroupedPerHourAndTier) {
  EXPECT_EQ(board_->rows(), 5);
  const SpendResult all = board_->index().spend({});
  // Actual 1.20 + 0.20 + 0.000001 (e's one output token) + 3.00 = 4.400001.
  EXPECT_EQ(all.total.line.cost.to_decimal(), "4.400001");
  // All-Flash: 1.20 + 0.20 + 0.000001 + 1.00; all-Pro: 3.60 + 0.20 + 0.000003 + 3.00.
  EXPECT_EQ(all.total.line.cost_if_flash.to_decimal(), "2.400001");
  EXPECT_EQ(all.total.line.cost_if_pro.to_decimal(), "6.800003");
  EXPECT_EQ(all.total.line.records, 4);
  EXPECT_EQ(all.total.errors, 1);
  EXPECT_EQ(all.total.escalations, 1);
  EXPECT_EQ(all.total.pro_calls, 1);

  SpendQuery q;
  q.by = {"hour", "tier"};
  const SpendResult by = board_->index().spend(q);
  ASSERT_EQ(by.groups.size(), 3u);
  EXPECT_EQ(by.groups[0].values, (std::vector<std::string>{"2026-12-03T12:00Z", "flash"}));
  EXPECT_EQ(by.groups[0].spend.line.cost.to_decimal(), "1.40");
  EXPECT_EQ(by.groups[1].values, (std::vector<std::string>{"2026-12-03T13:00Z", "flash"}));
  EXPECT_EQ(by.groups[1].spend.line.cost.to_decimal(), "0.000001");
  EXPECT_EQ(by.groups[1].spend.errors, 1);
  EXPECT_EQ(by.groups[2].values, (std::vector<std::string>{"2026-12-03T13:00Z", "pro"}));
  EXPECT_EQ(by.groups[2].spend.line.cost.to_decimal(), "3.00");

  // The hour from 13:00 only: e and d.
  SpendQuery late;
  late.from_ms = kT0 + 3'600'000;
  EXPECT_EQ(board_->index().spend(late).total.line.cost.to_decimal(), "3.000001");
}

TEST_F(DashboardTest, TheApiAnswersInExactDecimalsAndRefusesWhatItCannotAnswerExactly) {
  const std::string body = get("/v1/flashfirst/spend?by=key", admin_);
  EXPECT_NE(body.find(R"("cost":{"actual":"4.400001","all_flash":"2.400001","all_pro":"6.800003",)"
                      R"("savings_vs_all_pro":"2.400002","savings_vs_all_pro_percent":35.29})"),
            std::string::npos)
      << body;  // 2.400002 / 6.800003 = 35.294...%
  EXPECT_NE(body.find(R"({"values":["team-b"],"calls":1,)"), std::string::npos) << body;
  // A range that is not whole hours would not be exact: refused, naming the hour before.
  const std::string odd = get("/v1/flashfirst/spend?from=2026-12-03T12:30:00Z", admin_, 400);
  EXPECT_NE(odd.find("must be a whole UTC hour (spend is kept per hour), e.g. 2026-12-03T12:00:00Z"), std::string::npos)
      << odd;
  get("/v1/flashfirst/spend?by=week", admin_, 400);
  get("/v1/flashfirst/spend?by=key,,tier", admin_, 400);
  get("/v1/flashfirst/requests?limit=0", admin_, 400);
  get("/v1/flashfirst/requests?limit=501", admin_, 400);
  get("/v1/flashfirst/requests?tier=gold", admin_, 400);
  get("/v1/flashfirst/requests?status=99", admin_, 400);
  get("/v1/flashfirst/requests?before=x", admin_, 400);
  get("/v1/flashfirst/spend?key=%zz", admin_, 400);
  get("/v1/flashfirst/nothing", admin_, 404);
}

TEST_F(DashboardTest, TheRequestListFiltersAndPagesNewestFirst) {
  std::string page = get("/v1/flashfirst/requests?limit=2", admin_);
  // Newest first: d (seq 5), e (seq 4); the next page starts before 4.
  EXPECT_LT(page.find(R"("id":"d","seq":5)"), page.find(R"("id":"e","seq":4)")) << page;
  EXPECT_NE(page.find(R"("next_before":4})"), std::string::npos) << page;
  page = get("/v1/flashfirst/requests?limit=2&before=4", admin_);
  EXPECT_NE(page.find(R"("id":"c","seq":3)"), std::string::npos) << page;
  EXPECT_NE(page.find(R"("id":"b","seq":2)"), std::string::npos) << page;
  page = get("/v1/flashfirst/requests?status=error", admin_);
  EXPECT_NE(page.find(R"("id":"c")"), std::string::npos);
  EXPECT_EQ(page.find(R"("id":"a")"), std::string::npos);
  page = get("/v1/flashfirst/requests?tier=pro", admin_);
  EXPECT_NE(page.find(R"("id":"d")"), std::string::npos);
  EXPECT_NE(page.find(R"("escalated":true)"), std::string::npos);
  EXPECT_EQ(page.find(R"("id":"e")"), std::string::npos);
  page = get("/v1/flashfirst/requests?category=coding&key=team-b", admin_);
  EXPECT_NE(page.find(R"("id":"b")"), std::string::npos);
  EXPECT_NE(page.find(R"("next_before":null)"), std::string::npos);
  page = get("/v1/flashfirst/requests?from=2026-12-03T12:15:00Z&to=2026-12-03T13:00:00Z", admin_);
  EXPECT_NE(page.find(R"("id":"b")"), std::string::npos) << page;
  EXPECT_EQ(page.find(R"("id":"a")"), std::string::npos) << page;
}

TEST_F(DashboardTest, ADetailShowsBothCallsOfAnEscalationAndTheRating) {
  for (const char* id : {"d", "e"}) {
    const std::string detail = get(std::string("/v1/flashfirst/requests/") + id, admin_);
    EXPECT_LT(detail.find(R"("id":"e","seq":4)"), detail.find(R"("id":"d","seq":5)")) << detail;
    EXPECT_NE(detail.find(R"("metric":"correct","value":true,"comment":"good")"), std::string::npos) << detail;
  }
  get("/v1/flashfirst/requests/nope", admin_, 404);
}

TEST_F(DashboardTest, AVirtualKeySeesOnlyItsOwnCalls) {
  const std::string spend = get("/v1/flashfirst/spend?by=key", team_b_);
  EXPECT_NE(spend.find(R"("actual":"0.20")"), std::string::npos) << spend;
  EXPECT_EQ(spend.find("team-a"), std::string::npos) << spend;
  get("/v1/flashfirst/spend?key=team-a", team_b_, 403);
  get("/v1/flashfirst/requests?key=team-a", team_b_, 403);
  const std::string list = get("/v1/flashfirst/requests", team_b_);
  EXPECT_NE(list.find(R"("id":"b")"), std::string::npos);
  EXPECT_EQ(list.find(R"("id":"a")"), std::string::npos) << list;
  // Another key's call reads as unknown.
  get("/v1/flashfirst/requests/a", team_b_, 404);
  const std::string budgets = get("/v1/flashfirst/budgets", team_b_);
  EXPECT_EQ(budgets.find("team-a"), std::string::npos) << budgets;
  get("/v1/flashfirst/evals", team_b_, 403);
}

TEST_F(DashboardTest, BudgetsShowTheShareUsedTheProjectionAndTheWarningAt80Percent) {
  const std::string b = get("/v1/flashfirst/budgets", admin_);
  // team-a today: 1.20 + 0.000001 + 3.00 = 4.200001 of 5 = 84.00002% (>= 80%: warning).
  // 16 hours of the day gone: projected 4.200001 * 24 / 16 = 6.3000015 (> 5).
  EXPECT_NE(b.find(R"({"period":"day","limit":"5.00","spent":"4.200001","used":0.840000,"projected":"6.3000015",)"
                   R"("warning":true,"projected_over":true})"),
            std::string::npos)
      << b;
}

// As two gateways on one PostgreSQL ledger can: position 9 committed, then 7
// (taken earlier, committed later). The row committed late is still counted.
TEST_F(DashboardTest, ARowCommittedAfterLaterPositionsIsStillCounted) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  auto insert = [&](int seq, const char* id) {
    const std::string sql = fmt::format(
        "INSERT INTO requests (seq, request_id, key_hash, start_ms, end_ms, requested_model, routed_model, effort, "
        "category, reason, escalated_from, stream, status, cache_hit, cache_miss, output, reasoning, usage_estimated, "
        "cost_femto, cost_if_pro_femto, currency, first_byte_ms, error, key_name) VALUES ({}, '{}', 'hash-team-b', {}, "
        "{}, 'auto', 'f', 'low', 'coding', 'test', '', 0, 200, 0, 0, 1000000, 0, 0, 0, 0, 'USD', 0, '', 'team-b')",
        seq, id, kT0 + 600'000, kT0 + 601'000);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  };
  auto wait_rows = [&](std::int64_t n) {
    for (int i = 0; i < 200 && board_->rows() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return board_->rows();
  };
  insert(9, "late-9");
  ASSERT_EQ(wait_rows(6), 6);
  insert(7, "late-7");
  ASSERT_EQ(wait_rows(7), 7);
  sqlite3_close(db);
  // Each is 1M Flash output: 1.00; team-b had 0.20.
  const std::string spend = get("/v1/flashfirst/spend?key=team-b", admin_);
  EXPECT_NE(spend.find(R"("actual":"2.20")"), std::string::npos) << spend;
  // And the list keeps position order.
  const std::string page = get("/v1/flashfirst/requests?limit=3", admin_);
  EXPECT_LT(page.find(R"("id":"late-9","seq":9)"), page.find(R"("id":"late-7","seq":7)")) << page;
  EXPECT_LT(page.find(R"("id":"late-7","seq":7)"), page.find(R"("id":"d","seq":5)")) << page;
}

TEST_F(DashboardTest, EvalReportsAreListedNewestFirstAndReadByName) {
  const std::filesystem::path dir = path_ + "-evals";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "old.json") << R"({"suite":"a.yaml","overall":{}})";
  std::ofstream(dir / "new.json") << R"({"suite":"b.yaml","overall":{}})";
  std::ofstream(dir / "notes.txt") << "not a report";
  std::filesystem::last_write_time(dir / "old.json",
                                   std::filesystem::last_write_time(dir / "new.json") - std::chrono::hours(1));
  DashboardOptions o;
  o.ledger = path_;
  o.evals_dir = dir.string();
  Dashboard board(*book_, o);
  const std::string list = board.answer("/v1/flashfirst/evals", admin_).body;
  EXPECT_LT(list.find(R"("name":"new.json")"), list.find(R"("name":"old.json")")) << list;
  EXPECT_EQ(list.find("notes.txt"), std::string::npos) << list;
  EXPECT_EQ(board.answer("/v1/flashfirst/evals/new.json", admin_).body, R"({"suite":"b.yaml","overall":{}})");
  // Nothing outside the folder, nothing but reports.
  EXPECT_EQ(board.answer("/v1/flashfirst/evals/..%2F..%2Fetc%2Fpasswd.json", admin_).status, 400);
  EXPECT_EQ(board.answer("/v1/flashfirst/evals/notes.txt", admin_).status, 400);
  EXPECT_EQ(board.answer("/v1/flashfirst/evals/missing.json", admin_).status, 404);
  EXPECT_EQ(board.answer("/v1/flashfirst/evals", team_b_).status, 403);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ff::dashboard
