// Exact money and rates.
//
// Money is an integer count of femto-units (1e-15) of one currency. A Rate is an
// integer count of nano-units (1e-9) of currency per one million tokens, which is
// how price lists quote it ($0.003 per 1M = 3'000'000). The product of a token
// count and a Rate is therefore exactly a Money amount: 1 token at 1 nano-unit per
// 1M tokens costs 1e-9 / 1e6 = 1e-15 units. No floating point is involved in any
// stored or summed amount; rounding happens only in the display functions.
//
// Range: Money holds a signed 128-bit integer, i.e. up to 1.7e23 currency units;
// 1e12 tokens at $4 per 1M is $4e6 (4e21 femto-units). Token counts are int64.
// All types are plain values, safe to copy and use from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ff::core {

__extension__ typedef __int128 int128;

// Money in femto-units of some currency; the currency travels beside it.
class Money {
 public:
  static constexpr std::int64_t kUnitsPerCurrency = 1'000'000'000'000'000;  // 1e15

  constexpr Money() = default;
  static constexpr Money from_femto(int128 femto) { return Money(femto); }

  constexpr int128 femto() const { return femto_; }
  constexpr bool is_zero() const { return femto_ == 0; }

  constexpr Money operator+(Money o) const { return Money(femto_ + o.femto_); }
  constexpr Money operator-(Money o) const { return Money(femto_ - o.femto_); }
  constexpr Money& operator+=(Money o) {
    femto_ += o.femto_;
    return *this;
  }
  constexpr Money& operator-=(Money o) {
    femto_ -= o.femto_;
    return *this;
  }
  constexpr auto operator<=>(const Money&) const = default;

  // The exact value as a decimal string with at least two decimals and no
  // trailing zeros beyond them: "2.80", "0.000049", "-1.25", "0.000000000000003".
  std::string to_decimal() const;
  // The same written at `out`, which has room for kDecimalRoom bytes (a sign,
  // 24 whole digits, the point, 15 decimals); returns the end of what was written.
  static constexpr std::size_t kDecimalRoom = 41;
  char* write_decimal(char* out) const;
  // The same, held (no allocation): for text written once and read twice.
  class Decimal {
   public:
    explicit Decimal(Money m) : size_(static_cast<std::size_t>(m.write_decimal(text_) - text_)) {}
    std::string_view view() const { return {text_, size_}; }

   private:
    char text_[kDecimalRoom];
    std::size_t size_;
  };

  // Rounded half away from zero to `decimals` places (0..15), e.g. "2.80".
  std::string to_fixed(int decimals) const;

  // Rounded for a person to read: 2 decimals from one currency unit upward and
  // for zero, 6 below it (a single request costs fractions of a cent).
  std::string to_display() const;

  // Exact ratio this/other as a double for display only (e.g. "12.43x").
  double ratio_to(Money other) const;
  double to_double() const;

 private:
  constexpr explicit Money(int128 femto) : femto_(femto) {}
  int128 femto_ = 0;
};

// Price of one million tokens, in nano-units of a currency.
struct Rate {
  std::int64_t nano_per_million = 0;

  // Exact cost of `tokens` tokens at this rate.
  constexpr Money cost(std::int64_t tokens) const {
    return Money::from_femto(static_cast<int128>(tokens) * nano_per_million);
  }
  // The rate as money per one million tokens (exact).
  Money per_million() const { return cost(1'000'000); }
  constexpr auto operator<=>(const Rate&) const = default;
};

// Parses a non-negative decimal such as "0.003625" or "12" into a Rate.
// Fails on signs, exponents, more than 9 decimals or values above 1e9 per 1M.
Result<Rate> parse_rate(std::string_view text);

// Parses a decimal money amount ("-2.80", "0.000000000000001") exactly; at most
// 15 decimals.
Result<Money> parse_money(std::string_view text);

// "$2.80", "¥0.000049", "EUR 2.80": the amount with the currency's sign, rounded
// to `decimals` places, or as to_display() chooses when decimals is negative.
std::string display_money(Money m, std::string_view currency, int decimals = -1);

// Decimal rendering of an int128 (fmt cannot format __int128 portably).
std::string int128_to_string(int128 v);

}  // namespace ff::core
