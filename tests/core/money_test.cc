#include "core/money.h"

#include <gtest/gtest.h>

namespace ff::core {
namespace {

TEST(Rate, ParsesDecimalsExactly) {
  // $0.003 per 1M tokens = 3,000,000 nano-dollars per 1M tokens.
  EXPECT_EQ(parse_rate("0.003")->nano_per_million, 3'000'000);
  EXPECT_EQ(parse_rate("0.003625")->nano_per_million, 3'625'000);
  EXPECT_EQ(parse_rate("3.48")->nano_per_million, 3'480'000'000);
  EXPECT_EQ(parse_rate("12")->nano_per_million, 12'000'000'000);
  EXPECT_EQ(parse_rate("0.000000001")->nano_per_million, 1);
  EXPECT_EQ(parse_rate("0.1000000000000")->nano_per_million, 100'000'000);  // zeros past 9 places lose nothing
}

TEST(Rate, RejectsWhatIsNotAPlainDecimal) {
  for (const char* bad : {"", ".", "1.", "-1", "+1", "1e3", "0.0000000001", "abc", "1,5", " 1"}) {
    EXPECT_FALSE(parse_rate(bad).ok()) << bad;
  }
  EXPECT_NE(parse_rate("0.0000000001").error().message.find("more than 9 decimal places"), std::string::npos);
}

TEST(Rate, CostIsTokensTimesRateInFemtoUnits) {
  // 1 token at $0.003/1M = $3e-9 = 3,000,000 femto-dollars.
  EXPECT_EQ(parse_rate("0.003")->cost(1).femto(), 3'000'000);
  // 10M output tokens at the launch rates: Flash $0.28/1M -> $2.80, Pro $3.48/1M -> $34.80.
  EXPECT_EQ(parse_rate("0.28")->cost(10'000'000).to_decimal(), "2.80");
  EXPECT_EQ(parse_rate("3.48")->cost(10'000'000).to_decimal(), "34.80");
}

TEST(Money, DecimalStringsAreExact) {
  EXPECT_EQ(Money().to_decimal(), "0.00");
  EXPECT_EQ(Money::from_femto(1).to_decimal(), "0.000000000000001");
  EXPECT_EQ(Money::from_femto(49'000'000'000).to_decimal(), "0.000049");
  EXPECT_EQ(Money::from_femto(-1'250'000'000'000'000).to_decimal(), "-1.25");
  EXPECT_EQ(parse_money("123.456")->to_decimal(), "123.456");
  EXPECT_EQ(parse_money("-0.000000000000001")->femto(), -1);
}

TEST(Money, TheLongestDecimalFitsItsRoom) {
  // The most negative amount whose sign can be turned: -(2^127 - 1) femto-units,
  // 2^127 - 1 = 170141183460469231731687303715884105727. Its text is a sign, 24
  // whole digits, the point and 15 decimals: 41 bytes, kDecimalRoom.
  const int128 most = ((static_cast<int128>(1) << 126) - 1) * 2 + 1;
  const Money lowest = Money::from_femto(-most);
  char buf[Money::kDecimalRoom];
  char* end = lowest.write_decimal(buf);
  EXPECT_EQ(std::string(buf, end), "-170141183460469231731687.303715884105727");
  EXPECT_EQ(end - buf, 41);
  EXPECT_EQ(lowest.to_decimal(), std::string(buf, end));
}

TEST(Money, SumThatDriftsInDoubleIsExact) {
  // Ten million requests of 1 token at $0.003/1M: exactly $0.03.
  // The same sum in double drifts away from 0.03.
  const Rate r = *parse_rate("0.003");
  Money sum;
  double dsum = 0;
  for (int i = 0; i < 10'000'000; ++i) {
    sum += r.cost(1);
    dsum += 0.003 / 1e6;
  }
  EXPECT_EQ(sum.to_decimal(), "0.03");
  EXPECT_NE(dsum, 0.03);
}

TEST(Money, SumsOverTrillionsOfTokensDoNotOverflow) {
  // 10^12 output tokens at Pro's peak $3.96/1M = $3,960,000 exactly; a thousand
  // such sums = $3,960,000,000, beyond int64 femto-units (9.2e18 = $9,223).
  const Rate r = *parse_rate("3.96");
  Money m = r.cost(1'000'000'000'000);
  EXPECT_EQ(m.to_decimal(), "3960000.00");
  Money total;
  for (int i = 0; i < 1000; ++i) total += m;
  EXPECT_EQ(total.to_decimal(), "3960000000.00");
}

TEST(Money, DisplayRoundsHalfAwayFromZero) {
  EXPECT_EQ(parse_money("2.805")->to_fixed(2), "2.81");
  EXPECT_EQ(parse_money("2.804999")->to_fixed(2), "2.80");
  EXPECT_EQ(parse_money("-2.805")->to_fixed(2), "-2.81");
  EXPECT_EQ(parse_money("-0.001")->to_fixed(2), "0.00");
  EXPECT_EQ(parse_money("0.0000485")->to_display(), "0.000049");  // below one unit: 6 decimals
  EXPECT_EQ(parse_money("1234.5")->to_display(), "1234.50");
  EXPECT_EQ(Money().to_display(), "0.00");
  EXPECT_EQ(display_money(*parse_money("2.8"), "USD"), "$2.80");
  EXPECT_EQ(display_money(*parse_money("-2.8"), "CNY"), "-\u00a52.80");
  EXPECT_EQ(display_money(*parse_money("2.8"), "EUR"), "EUR 2.80");
}

TEST(Money, Int128ToString) {
  EXPECT_EQ(int128_to_string(0), "0");
  int128 big = static_cast<int128>(1) << 100;
  EXPECT_EQ(int128_to_string(big), "1267650600228229401496703205376");
  EXPECT_EQ(int128_to_string(-big), "-1267650600228229401496703205376");
  // Either side of the 64-bit fast path: int64 max 2^63-1 = 9223372036854775807.
  const int128 i64max = 9'223'372'036'854'775'807;
  EXPECT_EQ(int128_to_string(i64max), "9223372036854775807");
  EXPECT_EQ(int128_to_string(i64max + 1), "9223372036854775808");
  EXPECT_EQ(int128_to_string(-i64max - 1), "-9223372036854775808");
  EXPECT_EQ(int128_to_string(-i64max - 2), "-9223372036854775809");
}

TEST(Money, DecimalStringsEitherSideOfSixtyFourBits) {
  // 2^64-1 femto-units = 18446744073709551615e-15; one more takes the 128-bit path.
  const int128 u64max = (static_cast<int128>(1) << 64) - 1;
  EXPECT_EQ(Money::from_femto(u64max).to_decimal(), "18446.744073709551615");
  EXPECT_EQ(Money::from_femto(u64max + 1).to_decimal(), "18446.744073709551616");
  EXPECT_EQ(Money::from_femto(-u64max).to_decimal(), "-18446.744073709551615");
  EXPECT_EQ(Money::from_femto(-(u64max + 1)).to_decimal(), "-18446.744073709551616");
  // Whole amounts beyond 2^64 femto keep two decimals: 10^6 * 10^15 = 10^21.
  EXPECT_EQ(Money::from_femto(static_cast<int128>(1'000'000) * Money::kUnitsPerCurrency).to_decimal(), "1000000.00");
  // Whole units either side of 2^64 (the digits of the whole part take the
  // 128-bit path only past it): 2^64 - 1 = 18446744073709551615.
  EXPECT_EQ(Money::from_femto(u64max * Money::kUnitsPerCurrency).to_decimal(), "18446744073709551615.00");
  EXPECT_EQ(Money::from_femto((u64max + 1) * Money::kUnitsPerCurrency + 5).to_decimal(),
            "18446744073709551616.000000000000005");
}

}  // namespace
}  // namespace ff::core
