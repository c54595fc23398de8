#include "core/money.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace ff::core {
namespace {

constexpr int kFemtoDigits = 15;

int128 pow10(int n) {
  int128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

// Parses "digits[.digits]" into an integer scaled by 10^scale. Rejects anything
// else (signs are handled by callers), and more than `scale` decimals.
Result<int128> parse_scaled(std::string_view text, int scale, int128 max_value, std::string_view what) {
  if (text.empty()) return make_error(std::string(what) + " is empty");
  int128 whole = 0;
  size_t i = 0;
  bool any_digit = false;
  for (; i < text.size() && text[i] != '.'; ++i) {
    char c = text[i];
    if (c < '0' || c > '9')
      return make_error(std::string(what) + " '" + std::string(text) + "' is not a plain decimal number");
    whole = whole * 10 + (c - '0');
    any_digit = true;
    if (whole > max_value) return make_error(std::string(what) + " '" + std::string(text) + "' is too large");
  }
  int128 frac = 0;
  int frac_digits = 0;
  if (i < text.size()) {  // text[i] == '.'
    ++i;
    if (i == text.size()) return make_error(std::string(what) + " '" + std::string(text) + "' ends with '.'");
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c < '0' || c > '9')
        return make_error(std::string(what) + " '" + std::string(text) + "' is not a plain decimal number");
      if (frac_digits == scale) {
        if (c == '0') continue;  // trailing zeros beyond the scale lose nothing
        return make_error(std::string(what) + " '" + std::string(text) + "' has more than " + std::to_string(scale) +
                          " decimal places");
      }
      frac = frac * 10 + (c - '0');
      ++frac_digits;
      any_digit = true;
    }
  }
  if (!any_digit) return make_error(std::string(what) + " '" + std::string(text) + "' has no digits");
  return whole * pow10(scale) + frac * pow10(scale - frac_digits);
}

}  // namespace

std::string int128_to_string(int128 v) {
  // Native 64-bit conversion where the value fits (every price and nearly every
  // amount); 128-bit division is a library call, slow on a per-request path.
  if (v >= std::numeric_limits<std::int64_t>::min() && v <= std::numeric_limits<std::int64_t>::max()) {
    return std::to_string(static_cast<std::int64_t>(v));
  }
  bool neg = v < 0;
  // Work in the negative range so that the minimum value does not overflow.
  std::string digits;
  while (v != 0) {
    int d = static_cast<int>(v % 10);
    digits.push_back(static_cast<char>('0' + (neg ? -d : d)));
    v /= 10;
  }
  if (neg) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::string Money::to_decimal() const {
  char buf[kDecimalRoom];
  return std::string(buf, write_decimal(buf));
}

char* Money::write_decimal(char* out) const {
  // Written right to left into a buffer: the 15 decimals (then cut to their last
  // non-zero digit, keeping at least 2), the point, the whole units, the sign.
  // This runs several times per request (headers, access log).
  const int128 abs = femto_ < 0 ? -femto_ : femto_;
  char buf[64];  // sign + 24 whole digits (2^127 / 10^15) + '.' + 15 decimals
  char* const end = buf + sizeof buf;
  char* p = end - kFemtoDigits;
  int128 whole = 0;
  std::uint64_t frac = 0;                                  // below kUnitsPerCurrency (10^15): fits
  if (abs <= std::numeric_limits<std::uint64_t>::max()) {  // 64-bit division: no library call
    const auto a = static_cast<std::uint64_t>(abs);
    const auto u = static_cast<std::uint64_t>(kUnitsPerCurrency);
    frac = a % u;
    whole = a / u;
  } else {
    frac = static_cast<std::uint64_t>(abs % kUnitsPerCurrency);
    whole = abs / kUnitsPerCurrency;
  }
  // Two digits per division (the 15th, leading, alone): this runs per request.
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  static_assert(kFemtoDigits == 15);
  // In 32-bit halves (cheaper divisions): the last 8 decimals, then the first 7.
  auto lo = static_cast<std::uint32_t>(frac % 100'000'000), hi = static_cast<std::uint32_t>(frac / 100'000'000);
  char* q = end;
  for (int k = 0; k < 4; ++k, lo /= 100) {
    q -= 2;
    std::memcpy(q, kPairs + 2 * (lo % 100), 2);
  }
  for (int k = 0; k < 3; ++k, hi /= 100) {
    q -= 2;
    std::memcpy(q, kPairs + 2 * (hi % 100), 2);
  }
  *p = static_cast<char>('0' + hi);
  const char* keep = end;
  while (keep > p + 2 && keep[-1] == '0') --keep;
  *--p = '.';
  auto digits = [&p](auto w) {
    do {
      *--p = static_cast<char>('0' + static_cast<int>(w % 10));
      w /= 10;
    } while (w != 0);
  };
  if (whole <= std::numeric_limits<std::uint64_t>::max()) {
    digits(static_cast<std::uint64_t>(whole));  // 64-bit divisions: no library call
  } else {
    digits(whole);
  }
  if (femto_ < 0) *--p = '-';
  const auto n = static_cast<std::size_t>(keep - p);
  std::memcpy(out, p, n);
  return out + n;
}

std::string Money::to_fixed(int decimals) const {
  decimals = std::clamp(decimals, 0, kFemtoDigits);
  const int128 step = pow10(kFemtoDigits - decimals);
  int128 abs = femto_ < 0 ? -femto_ : femto_;
  int128 rounded = (abs + step / 2) / step;  // half away from zero
  const int128 scale = pow10(decimals);
  std::string out = (femto_ < 0 && rounded != 0) ? "-" : "";
  out += int128_to_string(rounded / scale);
  if (decimals > 0) {
    std::string frac = int128_to_string(rounded % scale);
    frac.insert(0, decimals - frac.size(), '0');
    out += "." + frac;
  }
  return out;
}

std::string Money::to_display() const {
  int128 abs = femto_ < 0 ? -femto_ : femto_;
  return to_fixed(abs >= kUnitsPerCurrency || abs == 0 ? 2 : 6);
}

double Money::to_double() const { return static_cast<double>(femto_) / static_cast<double>(kUnitsPerCurrency); }

double Money::ratio_to(Money other) const {
  if (other.femto_ == 0) return std::nan("");
  return static_cast<double>(femto_) / static_cast<double>(other.femto_);
}

std::string display_money(Money m, std::string_view currency, int decimals) {
  std::string digits = decimals < 0 ? m.to_display() : m.to_fixed(decimals);
  std::string sign;
  if (!digits.empty() && digits.front() == '-') {
    sign = "-";
    digits.erase(0, 1);
  }
  if (currency == "USD") return sign + "$" + digits;
  if (currency == "CNY") return sign + "\u00a5" + digits;
  return sign + std::string(currency) + " " + digits;
}

Result<Rate> parse_rate(std::string_view text) {
  // 1e9 currency units per 1M tokens is far above any real price and keeps
  // nano_per_million within int64 (1e18).
  auto r = parse_scaled(text, 9, 1'000'000'000, "rate");
  if (!r.ok()) return r.error();
  return Rate{static_cast<std::int64_t>(r.value())};
}

Result<Money> parse_money(std::string_view text) {
  bool neg = !text.empty() && text.front() == '-';
  if (neg) text.remove_prefix(1);
  auto r = parse_scaled(text, kFemtoDigits, pow10(22), "amount");
  if (!r.ok()) return r.error();
  return Money::from_femto(neg ? -r.value() : r.value());
}

}  // namespace ff::core
