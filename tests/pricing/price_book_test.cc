// The shipped price book (data/prices.toml, embedded in the binary): every row of
// the published price history, the peak/off-peak edges, weekends, holidays, and
// the alias and retirement dates.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "pricing/price_book.h"
#include "pricing/price_book_loader.h"

namespace ff::pricing {
namespace {

core::Timestamp at(const char* iso) { return *core::parse_time(iso); }

class ShippedBook : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto b = load_embedded_price_book();
    ASSERT_TRUE(b.ok()) << b.error().message;
    book_ = new PriceBook(std::move(*b));
  }
  static void TearDownTestSuite() { delete book_; }

  // Checks what `id` is billed as at `iso`, in which band, at which rates per 1M.
  static void expect_quote(const char* id, const char* iso, const char* currency, const char* billed_as, Band band,
                           const char* hit, const char* miss, const char* output) {
    SCOPED_TRACE(::testing::Message() << id << " at " << iso << " in " << currency);
    QuoteResult q = book_->quote(id, at(iso), currency);
    ASSERT_TRUE(q.quote.has_value()) << book_->explain(q.error, id, at(iso), currency);
    EXPECT_EQ(book_->models()[q.quote->model].id, billed_as);
    EXPECT_EQ(band_name(q.quote->band), std::string(band_name(band)));
    EXPECT_EQ(q.quote->rates.cache_hit, *core::parse_rate(hit));
    EXPECT_EQ(q.quote->rates.cache_miss, *core::parse_rate(miss));
    EXPECT_EQ(q.quote->rates.output, *core::parse_rate(output));
  }

  static PriceBook* book_;
};
PriceBook* ShippedBook::book_ = nullptr;

TEST_F(ShippedBook, LaunchPrices) {
  expect_quote("deepseek-v4-flash", "2026-04-24T00:00:00Z", "USD", "deepseek-v4-flash", Band::kFlat, "0.028", "0.14",
               "0.28");
  expect_quote("deepseek-v4-flash", "2026-04-25T00:00:00Z", "CNY", "deepseek-v4-flash", Band::kFlat, "0.2", "1", "2");
  expect_quote("deepseek-v4-pro", "2026-04-24T00:00:00Z", "USD", "deepseek-v4-pro", Band::kFlat, "0.145", "1.74",
               "3.48");
  expect_quote("deepseek-v4-pro", "2026-04-25T00:00:00Z", "CNY", "deepseek-v4-pro", Band::kFlat, "1", "12", "24");
  // Nothing before the launch.
  EXPECT_EQ(book_->quote("deepseek-v4-flash", at("2026-04-23T23:59:59Z"), "USD").error, QuoteError::kNoPrice);
}

TEST_F(ShippedBook, CacheHitCutAndProDiscountFrom0426At1215) {
  expect_quote("deepseek-v4-flash", "2026-04-26T12:14:59Z", "USD", "deepseek-v4-flash", Band::kFlat, "0.028", "0.14",
               "0.28");
  expect_quote("deepseek-v4-flash", "2026-04-26T12:15:00Z", "USD", "deepseek-v4-flash", Band::kFlat, "0.0028", "0.14",
               "0.28");
  expect_quote("deepseek-v4-pro", "2026-04-26T12:14:59Z", "USD", "deepseek-v4-pro", Band::kFlat, "0.145", "1.74",
               "3.48");
  expect_quote("deepseek-v4-pro", "2026-04-26T12:15:00Z", "USD", "deepseek-v4-pro", Band::kFlat, "0.003625", "0.435",
               "0.87");
  // The discount stays after 2026-05-31 (made permanent).
  expect_quote("deepseek-v4-pro", "2026-07-01T00:00:00Z", "USD", "deepseek-v4-pro", Band::kFlat, "0.003625", "0.435",
               "0.87");
}

TEST_F(ShippedBook, PeakOffPeakBandsFrom0816At1600) {
  // 2026-08-16 15:59:59 is the last second of flat pricing.
  expect_quote("deepseek-v4-flash", "2026-08-16T15:59:59Z", "USD", "deepseek-v4-flash", Band::kFlat, "0.0028", "0.14",
               "0.28");
  // 16:00 UTC Sunday = 00:00 Monday in Beijing: off-peak until 09:00 Beijing (01:00 UTC).
  expect_quote("deepseek-v4-flash", "2026-08-16T16:00:00Z", "USD", "deepseek-v4-flash", Band::kOffPeak, "0.007", "0.22",
               "0.66");
  expect_quote("deepseek-v4-flash", "2026-08-17T01:00:00Z", "USD", "deepseek-v4-flash", Band::kPeak, "0.014", "0.44",
               "1.32");
  expect_quote("deepseek-v4-flash", "2026-08-17T01:00:00Z", "CNY", "deepseek-v4-flash", Band::kPeak, "0.1", "3", "9");
  expect_quote("deepseek-v4-flash", "2026-08-16T16:00:00Z", "CNY", "deepseek-v4-flash", Band::kOffPeak, "0.05", "1.5",
               "4.5");
  expect_quote("deepseek-v4-pro", "2026-08-16T16:00:00Z", "USD", "deepseek-v4-pro", Band::kOffPeak, "0.022", "0.66",
               "1.98");
  expect_quote("deepseek-v4-pro", "2026-08-17T06:00:00Z", "USD", "deepseek-v4-pro", Band::kPeak, "0.044", "1.32",
               "3.96");
  expect_quote("deepseek-v4-pro", "2026-08-16T16:00:00Z", "CNY", "deepseek-v4-pro", Band::kOffPeak, "0.15", "4.5",
               "13.5");
  expect_quote("deepseek-v4-pro", "2026-08-17T06:00:00Z", "CNY", "deepseek-v4-pro", Band::kPeak, "0.3", "9", "27");
}

TEST_F(ShippedBook, FlashV41From0910At0400AndLegacyNamesBilledAsIt) {
  // Thursday 2026-09-10 03:59:59 UTC = 11:59:59 Beijing: peak, still V4 Flash.
  expect_quote("deepseek-v4-flash", "2026-09-10T03:59:59Z", "USD", "deepseek-v4-flash", Band::kPeak, "0.014", "0.44",
               "1.32");
  // 04:00 UTC = 12:00 Beijing: off-peak, and the old id is billed as deepseek-flash.
  expect_quote("deepseek-v4-flash", "2026-09-10T04:00:00Z", "USD", "deepseek-flash", Band::kOffPeak, "0.003", "0.15",
               "0.6");
  expect_quote("deepseek-flash", "2026-09-10T06:00:00Z", "USD", "deepseek-flash", Band::kPeak, "0.006", "0.3", "1.2");
  expect_quote("deepseek-flash", "2026-09-10T04:00:00Z", "CNY", "deepseek-flash", Band::kOffPeak, "0.02", "1", "4");
  expect_quote("deepseek-flash", "2026-09-10T06:00:00Z", "CNY", "deepseek-flash", Band::kPeak, "0.04", "2", "8");
  expect_quote("deepseek-v4-flash-vision-exp", "2026-11-24T02:00:00Z", "USD", "deepseek-flash", Band::kPeak, "0.006",
               "0.3", "1.2");
  // deepseek-flash did not exist before its launch.
  EXPECT_EQ(book_->quote("deepseek-flash", at("2026-09-10T03:59:59Z"), "USD").error, QuoteError::kNoPrice);
  // Pro keeps its own prices.
  expect_quote("deepseek-v4-pro", "2026-11-24T02:00:00Z", "USD", "deepseek-v4-pro", Band::kPeak, "0.044", "1.32",
               "3.96");
}

TEST_F(ShippedBook, TierIdsFollowTheCurrentModel) {
  expect_quote("flash", "2026-09-10T03:59:59Z", "USD", "deepseek-v4-flash", Band::kPeak, "0.014", "0.44", "1.32");
  expect_quote("flash", "2026-09-10T04:00:00Z", "USD", "deepseek-flash", Band::kOffPeak, "0.003", "0.15", "0.6");
  expect_quote("pro", "2026-04-24T12:00:00Z", "USD", "deepseek-v4-pro", Band::kFlat, "0.145", "1.74", "3.48");
}

TEST_F(ShippedBook, PeakWindowEdgesInUtc) {
  // Tuesday 2026-11-24. Windows: [01:00, 04:00) and [06:00, 10:00) UTC.
  const PeakSchedule& s = book_->schedule();
  EXPECT_FALSE(s.is_peak(at("2026-11-24T00:59:59Z")));
  EXPECT_TRUE(s.is_peak(at("2026-11-24T01:00:00Z")));
  EXPECT_TRUE(s.is_peak(at("2026-11-24T03:59:59Z")));
  EXPECT_FALSE(s.is_peak(at("2026-11-24T04:00:00Z")));
  EXPECT_FALSE(s.is_peak(at("2026-11-24T05:59:59Z")));
  EXPECT_TRUE(s.is_peak(at("2026-11-24T06:00:00Z")));
  EXPECT_TRUE(s.is_peak(at("2026-11-24T09:59:59Z")));
  EXPECT_FALSE(s.is_peak(at("2026-11-24T10:00:00Z")));
  EXPECT_FALSE(s.is_peak(at("2026-11-24T23:00:00Z")));
  // Minute precision as the issue states the edges: 00:59 off, 01:00 on, 03:59 on, 04:00 off.
  expect_quote("flash", "2026-11-24T00:59:00Z", "USD", "deepseek-flash", Band::kOffPeak, "0.003", "0.15", "0.6");
  expect_quote("flash", "2026-11-24T01:00:00Z", "USD", "deepseek-flash", Band::kPeak, "0.006", "0.3", "1.2");
  expect_quote("flash", "2026-11-24T03:59:00Z", "USD", "deepseek-flash", Band::kPeak, "0.006", "0.3", "1.2");
  expect_quote("flash", "2026-11-24T04:00:00Z", "USD", "deepseek-flash", Band::kOffPeak, "0.003", "0.15", "0.6");
}

TEST_F(ShippedBook, WeekendsAndHolidaysAreOffPeak) {
  const PeakSchedule& s = book_->schedule();
  EXPECT_TRUE(s.is_peak(at("2026-11-27T02:00:00Z")));   // Friday
  EXPECT_FALSE(s.is_peak(at("2026-11-28T02:00:00Z")));  // Saturday
  EXPECT_FALSE(s.is_peak(at("2026-11-29T07:00:00Z")));  // Sunday
  EXPECT_TRUE(s.is_peak(at("2026-11-30T01:00:00Z")));   // Monday
  EXPECT_TRUE(s.is_peak(at("2026-09-30T02:00:00Z")));   // Wednesday before National Day
  EXPECT_FALSE(s.is_peak(at("2026-10-01T02:00:00Z")));  // National Day (a Thursday)
  EXPECT_FALSE(s.is_peak(at("2026-10-07T08:00:00Z")));  // last day of the holiday (a Wednesday)
  EXPECT_TRUE(s.is_peak(at("2026-10-08T08:00:00Z")));   // back to work
  EXPECT_FALSE(s.is_peak(at("2026-09-25T02:00:00Z")));  // Mid-Autumn Festival (a Friday)
  expect_quote("deepseek-v4-pro", "2026-10-01T02:00:00Z", "USD", "deepseek-v4-pro", Band::kOffPeak, "0.022", "0.66",
               "1.98");
}

TEST_F(ShippedBook, BandSpanEndsAtTheNextEdge) {
  const PeakSchedule& s = book_->schedule();
  EXPECT_EQ(s.at(at("2026-11-24T00:30:00Z")).until, at("2026-11-24T01:00:00Z"));
  EXPECT_EQ(s.at(at("2026-11-24T02:00:00Z")).until, at("2026-11-24T04:00:00Z"));
  EXPECT_EQ(s.at(at("2026-11-24T04:00:00Z")).until, at("2026-11-24T06:00:00Z"));
  EXPECT_EQ(s.at(at("2026-11-24T11:00:00Z")).until, at("2026-11-24T16:00:00Z"));  // Beijing midnight
  EXPECT_EQ(s.at(at("2026-11-28T02:00:00Z")).until, at("2026-11-28T16:00:00Z"));  // Saturday: to midnight
}

TEST_F(ShippedBook, AliasesAndRetirement) {
  expect_quote("deepseek-chat", "2026-04-24T00:00:00Z", "USD", "deepseek-v4-flash", Band::kFlat, "0.028", "0.14",
               "0.28");
  expect_quote("deepseek-reasoner", "2026-07-24T15:58:59Z", "USD", "deepseek-v4-flash", Band::kFlat, "0.0028", "0.14",
               "0.28");
  EXPECT_EQ(book_->quote("deepseek-chat", at("2026-07-24T15:59:00Z"), "USD").error, QuoteError::kRetired);
  EXPECT_EQ(book_->quote("deepseek-reasoner", at("2026-11-01T00:00:00Z"), "USD").error, QuoteError::kRetired);
  // Before V4, deepseek-chat meant V3, which this book does not price.
  EXPECT_EQ(book_->quote("deepseek-chat", at("2026-04-01T00:00:00Z"), "USD").error, QuoteError::kNoPrice);
  EXPECT_EQ(book_->quote("gpt-4o", at("2026-11-01T00:00:00Z"), "USD").error, QuoteError::kUnknownModel);
  EXPECT_EQ(book_->explain(QuoteError::kRetired, "deepseek-chat", at("2026-08-01T00:00:00Z"), "USD"),
            "model 'deepseek-chat' was retired at 2026-07-24T15:59:00Z");
  // A currency the book does not have.
  EXPECT_EQ(book_->quote("deepseek-v4-pro", at("2026-11-01T00:00:00Z"), "EUR").error, QuoteError::kNoPrice);
}

TEST_F(ShippedBook, QuoteValidityIntervalNeverCrossesAChange) {
  // A flat quote for deepseek-chat ends at its retirement; a banded one at the band edge.
  QuoteResult chat = book_->quote("deepseek-chat", at("2026-07-01T00:00:00Z"), "USD");
  ASSERT_TRUE(chat.quote);
  EXPECT_EQ(chat.quote->valid_until, at("2026-07-24T15:59:00Z"));
  QuoteResult v4 = book_->quote("deepseek-v4-flash", at("2026-04-26T00:00:00Z"), "USD");
  ASSERT_TRUE(v4.quote);
  EXPECT_EQ(v4.quote->valid_from, at("2026-04-24T00:00:00Z"));
  EXPECT_EQ(v4.quote->valid_until, at("2026-04-26T12:15:00Z"));
  QuoteResult banded = book_->quote("deepseek-v4-flash", at("2026-09-10T02:00:00Z"), "USD");
  ASSERT_TRUE(banded.quote);
  EXPECT_EQ(banded.quote->valid_until, at("2026-09-10T04:00:00Z"));
}

TEST_F(ShippedBook, WorkedExampleRatiosAtLaunch) {
  QuoteResult f = book_->quote("flash", at("2026-04-24T12:00:00Z"), "USD");
  QuoteResult p = book_->quote("pro", at("2026-04-24T12:00:00Z"), "USD");
  // 10M output tokens: $2.80 on Flash, $34.80 on Pro (not $2,800 vs $34,800).
  core::TokenUsage out;
  out.output = 10'000'000;
  EXPECT_EQ(f.quote->cost(out).to_decimal(), "2.80");
  EXPECT_EQ(p.quote->cost(out).to_decimal(), "34.80");
  // Output on Pro costs 3.48 / 0.28 = 12.428...x Flash; cache-hit input 0.145 / 0.028 = 5.178...x.
  EXPECT_EQ(fmt::format("{:.2f}", p.quote->cost(out).ratio_to(f.quote->cost(out))), "12.43");
  core::TokenUsage hit;
  hit.cache_hit = 1'000'000;
  EXPECT_EQ(fmt::format("{:.2f}", p.quote->cost(hit).ratio_to(f.quote->cost(hit))), "5.18");
  // At an 80% hit rate, 1M Pro input tokens cost 0.8 x 0.145 + 0.2 x 1.74 = 0.116 + 0.348 = $0.464.
  core::TokenUsage mix;
  mix.cache_hit = 800'000;
  mix.cache_miss = 200'000;
  EXPECT_EQ(p.quote->cost(mix).to_decimal(), "0.464");
}

}  // namespace
}  // namespace ff::pricing
