// cost_inputs over real files: exact totals worked out by hand, every skip
// reason with its line numbers, gzip, --at, and CNY.
#include "planner/cost_engine.h"

#include <zlib.h>

#include <cstring>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "lib/temp_path.h"
#include "pricing/price_book_loader.h"

namespace ff::planner {
namespace {

// Three priceable records and one of each pricing failure.
//  line 1  A: deepseek-v4-pro, Tue 2026-11-24 02:00 UTC (peak): hit 800, miss 200, out 10
//          Pro peak  0.044/1.32/3.96 : 800*0.044 + 200*1.32 + 10*3.96 = 35.2 + 264 + 39.6 = 338.8 per 1M -> $0.0003388
//          Flash peak 0.006/0.3/1.2  : 800*0.006 + 200*0.3  + 10*1.2  = 4.8 + 60 + 12     =  76.8 per 1M -> $0.0000768
//  line 2  B: deepseek-v4-flash (billed as deepseek-flash), Sat 2026-11-28 02:00 (off-peak): hit 64, miss 36, out 50
//          Flash off-peak 0.003/0.15/0.6: 0.192 + 5.4 + 30 = 35.592 per 1M -> $0.000035592
//          Pro off-peak 0.022/0.66/1.98: 1.408 + 23.76 + 99 = 124.168 per 1M -> $0.000124168
//  line 3  C: deepseek-chat (billed as deepseek-v4-flash), 2026-05-01 (flat): 1M of each class
//          Flash 0.0028 + 0.14 + 0.28 = $0.4228; Pro 0.003625 + 0.435 + 0.87 = $1.308625
//  line 4  deepseek-chat after its retirement       -> retired_model
//  line 5  gpt-4o                                   -> unknown_model
//  line 6  no timestamp                             -> no_timestamp
//  line 7  deepseek-v4-pro before any price         -> no_price
//  line 8  blank                                    -> ignored
//  line 9  truncated JSON                           -> malformed_json
// Totals: actual    0.0003388 + 0.000035592 + 0.4228   = 0.423174392
//         all Flash 0.0000768 + 0.000035592 + 0.4228   = 0.422912392
//         all Pro   0.0003388 + 0.000124168 + 1.308625 = 1.309087968
constexpr const char* kLog =
    R"({"created":1795485600,"model":"deepseek-v4-pro","usage":{"prompt_tokens":1000,"completion_tokens":10,"prompt_cache_hit_tokens":800,"prompt_cache_miss_tokens":200}})"
    "\n"
    R"({"created":1795831200,"model":"deepseek-v4-flash","usage":{"prompt_tokens":100,"completion_tokens":50,"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":36,"prompt_tokens_details":{"cached_tokens":64}}})"
    "\n"
    R"({"created":1777593600,"model":"deepseek-chat","usage":{"prompt_tokens":2000000,"completion_tokens":1000000,"prompt_cache_hit_tokens":1000000,"prompt_cache_miss_tokens":1000000}})"
    "\n"
    R"({"created":1785542400,"model":"deepseek-chat","usage":{"prompt_tokens":1,"completion_tokens":1}})"
    "\n"
    R"({"created":1785542400,"model":"gpt-4o","usage":{"prompt_tokens":1,"completion_tokens":1}})"
    "\n"
    R"({"model":"deepseek-v4-pro","usage":{"prompt_tokens":1,"completion_tokens":1}})"
    "\n"
    R"({"created":1767225600,"model":"deepseek-v4-pro","usage":{"prompt_tokens":1,"completion_tokens":1}})"
    "\n"
    "\n"
    R"({"created":1767225600,"model":"deepseek-v4-pro","usage":{"prompt_tok)"
    "\n";

class CostInputs : public ::testing::Test {
 protected:
  void SetUp() override {
    auto b = pricing::load_embedded_price_book();
    ASSERT_TRUE(b.ok());
    book_.emplace(std::move(*b));
    // One file per test and process: ctest runs these tests in parallel, and a
    // shared name let one test's SetUp truncate the file another was reading.
    path_ = test::temp_path(std::string("usage-") + ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                            ".jsonl");
    std::ofstream(path_, std::ios::binary) << kLog;
  }
  CostSummary run(const std::vector<std::string>& paths, CostOptions options = {}) {
    auto r = cost_inputs(paths, *book_, options);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : CostSummary{};
  }
  std::optional<pricing::PriceBook> book_;
  std::string path_;
};

TEST_F(CostInputs, ExactTotalsAndBreakdowns) {
  CostSummary s = run({path_});
  EXPECT_EQ(s.total.records, 3);
  EXPECT_EQ(s.total.tokens, (core::TokenUsage{1'000'864, 1'000'236, 1'000'060, 0}));
  EXPECT_EQ(s.total.cost.to_decimal(), "0.423174392");
  EXPECT_EQ(s.total.cost_if_flash.to_decimal(), "0.422912392");
  EXPECT_EQ(s.total.cost_if_pro.to_decimal(), "1.309087968");

  ASSERT_EQ(s.by_model.size(), 3u);
  EXPECT_EQ(s.by_model["deepseek-v4-pro"].cost.to_decimal(), "0.0003388");
  EXPECT_EQ(s.by_model["deepseek-flash"].cost.to_decimal(), "0.000035592");
  EXPECT_EQ(s.by_model["deepseek-v4-flash"].cost.to_decimal(), "0.4228");
  EXPECT_EQ(s.by_band[static_cast<int>(pricing::Band::kPeak)].cost.to_decimal(), "0.0003388");
  EXPECT_EQ(s.by_band[static_cast<int>(pricing::Band::kOffPeak)].cost_if_pro.to_decimal(), "0.000124168");
  EXPECT_EQ(s.by_band[static_cast<int>(pricing::Band::kFlat)].records, 1);

  ASSERT_EQ(s.by_day.size(), 3u);
  EXPECT_EQ(core::format_date(core::civil_from_days(s.by_day.begin()->first)), "2026-05-01");
  EXPECT_EQ(s.by_day.begin()->second.at("deepseek-v4-flash").to_decimal(), "0.4228");

  EXPECT_EQ(core::format_time(*s.first_time), "2026-05-01T00:00:00Z");
  EXPECT_EQ(core::format_time(*s.last_time), "2026-11-28T02:00:00Z");
  // 0.423174392 * 30 days / 211.0833 days (18,237,600 s), floored to the femto-dollar.
  EXPECT_EQ(s.projection_30d()->to_decimal(), "0.060143221918673");
}

TEST_F(CostInputs, EverySkipReasonWithItsLine) {
  CostSummary s = run({path_});
  EXPECT_EQ(s.skipped_total(), 5);
  auto where = [&](SkipReason r) { return s.skipped[static_cast<int>(r)].first_locations; };
  EXPECT_EQ(where(SkipReason::kRetiredModel), std::vector<std::string>{path_ + ":4"});
  EXPECT_EQ(where(SkipReason::kUnknownModel), std::vector<std::string>{path_ + ":5"});
  EXPECT_EQ(where(SkipReason::kNoTimestamp), std::vector<std::string>{path_ + ":6"});
  EXPECT_EQ(where(SkipReason::kNoPrice), std::vector<std::string>{path_ + ":7"});
  EXPECT_EQ(where(SkipReason::kMalformedJson), std::vector<std::string>{path_ + ":9"});
}

TEST_F(CostInputs, GzipGivesTheSameAnswer) {
  std::string gz_path = test::temp_path("usage-gzip.jsonl.gz");
  gzFile gz = gzopen(gz_path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, kLog, static_cast<unsigned>(std::strlen(kLog))), static_cast<int>(std::strlen(kLog)));
  gzclose(gz);
  CostSummary s = run({gz_path});
  EXPECT_EQ(s.total.records, 3);
  EXPECT_EQ(s.total.cost.to_decimal(), "0.423174392");
  EXPECT_EQ(s.skipped[static_cast<int>(SkipReason::kMalformedJson)].first_locations,
            std::vector<std::string>{gz_path + ":9"});
}

TEST_F(CostInputs, SeveralInputsAddUp) {
  CostSummary s = run({path_, path_});
  EXPECT_EQ(s.total.records, 6);
  EXPECT_EQ(s.total.cost.to_decimal(), "0.846348784");
  EXPECT_EQ(s.skipped_total(), 10);
}

TEST_F(CostInputs, AtPricesEverythingAtOneInstant) {
  // At launch (2026-04-24 12:00) every id, including deepseek-chat, is priced at launch rates,
  // and the record without a timestamp is priced too.
  //  A pro:   800*0.145 + 200*1.74 + 10*3.48 = 116 + 348 + 34.8 = 498.8 per 1M
  //  B flash: 64*0.028 + 36*0.14 + 50*0.28 = 1.792 + 5.04 + 14 = 20.832 per 1M
  //  C flash: 0.028 + 0.14 + 0.28 = $0.448
  //  lines 4, 6, 7: 1 input miss + 1 output each: flash 0.14 + 0.28 = 0.42 per 1M; pro 1.74 + 3.48 = 5.22 per 1M
  //  total = 0.0004988 + 0.000020832 + 0.448 + 0.00000042 + 0.00000522 + 0.00000522 = 0.448530492
  CostOptions o;
  o.at = *core::parse_time("2026-04-24T12:00:00Z");
  CostSummary s = run({path_}, o);
  EXPECT_EQ(s.total.records, 6);
  EXPECT_EQ(s.total.cost.to_decimal(), "0.448530492");
  EXPECT_EQ(s.skipped_total(), 2);  // gpt-4o and the malformed line
}

TEST_F(CostInputs, CnyListPrices) {
  // C alone is in the May period: CNY Flash 0.02 + 1 + 2 = 3.02 for 1M of each class.
  CostOptions o;
  o.currency = "CNY";
  CostSummary s = run({path_}, o);
  EXPECT_EQ(s.by_model["deepseek-v4-flash"].cost.to_decimal(), "3.02");
  // B in CNY off-peak: 64*0.02 + 36*1 + 50*4 = 1.28 + 36 + 200 = 237.28 per 1M.
  EXPECT_EQ(s.by_model["deepseek-flash"].cost.to_decimal(), "0.00023728");
}

TEST_F(CostInputs, OverLongLineIsSkippedAndReadingGoesOn) {
  // A 65 MiB line (beyond the 64 MiB limit) followed by record A of kLog.
  std::string path = test::temp_path("long.jsonl");
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(65u << 20, ' ') << "\n"
        << std::string_view(kLog).substr(0, std::string_view(kLog).find('\n') + 1);
  }
  CostSummary s = run({path});
  EXPECT_EQ(s.total.records, 1);
  EXPECT_EQ(s.total.cost.to_decimal(), "0.0003388");
  EXPECT_EQ(s.skipped[static_cast<int>(SkipReason::kLineTooLong)].first_locations,
            std::vector<std::string>{path + ":1"});
}

TEST_F(CostInputs, UnreadableInputIsAnError) {
  auto r = cost_inputs({"/nonexistent/usage.jsonl"}, *book_, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cannot open '/nonexistent/usage.jsonl': No such file or directory");
  auto d = cost_inputs({::testing::TempDir()}, *book_, {});
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("is a directory"), std::string::npos);
}

}  // namespace
}  // namespace ff::planner
