// Loading price books: exact rates from TOML literals, and errors that name the
// file, the line and the field.
#include <cstdio>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "core/config_file.h"
#include "lib/temp_path.h"
#include "pricing/price_book_loader.h"

namespace ff::pricing {
namespace {

// A small valid book; tests replace parts of it.
constexpr const char* kMinimal = R"(
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
flat = { hit = 0.007, miss = "0.22", output = 1 }

[[rates]]
model = "p"
currency = "USD"
from = 2026-01-01T00:00:00Z
flat = { hit = 0.000000001, miss = 1_000.5, output = 3.96 }
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

std::string load_error(const std::string& text) {
  auto b = parse_price_book(text, "book.toml");
  EXPECT_FALSE(b.ok());
  return b.ok() ? "" : b.error().message;
}

TEST(PriceBookLoader, ReadsRatesExactlyFromFloatsStringsAndIntegers) {
  auto b = parse_price_book(kMinimal, "book.toml");
  ASSERT_TRUE(b.ok()) << b.error().message;
  auto f = b->quote("flash", *core::parse_time("2026-06-01T00:00:00Z"), "USD");
  ASSERT_TRUE(f.quote);
  EXPECT_EQ(f.quote->rates.cache_hit.nano_per_million, 7'000'000);     // 0.007 exactly, not 0.00700000000000000015
  EXPECT_EQ(f.quote->rates.cache_miss.nano_per_million, 220'000'000);  // "0.22"
  EXPECT_EQ(f.quote->rates.output.nano_per_million, 1'000'000'000);    // 1
  auto p = b->quote("pro", *core::parse_time("2026-06-01T00:00:00Z"), "USD");
  EXPECT_EQ(p.quote->rates.cache_hit.nano_per_million, 1);                   // 0.000000001
  EXPECT_EQ(p.quote->rates.cache_miss.nano_per_million, 1'000'500'000'000);  // 1_000.5
  EXPECT_EQ(p.quote->rates.output.nano_per_million, 3'960'000'000);
}

TEST(PriceBookLoader, ErrorsNameFileLineAndField) {
  EXPECT_EQ(
      load_error(replace(kMinimal, "output = 3.96", "output = 3.9600000001")),
      "book.toml:28: rates[2].flat.output: write this rate as a plain decimal (e.g. output = \"0.007\"); rate "
      "'3.9600000001' has more than 9 decimal places");
  EXPECT_EQ(load_error(replace(kMinimal, "currency = \"USD\"\nfrom = 2026-01-01T00:00:00Z\nflat = { hit = 0.007",
                               "currency = \"usd\"\nfrom = 2026-01-01T00:00:00Z\nflat = { hit = 0.007")),
            "book.toml:20: rates[1].currency: must be a 3-letter code like \"USD\" or \"CNY\"");
  EXPECT_EQ(load_error(replace(kMinimal, "tier = \"pro\"", "tier = \"max\"")),
            "book.toml:8: model[2].tier: must be \"flash\" or \"pro\"");
  EXPECT_EQ(load_error(replace(kMinimal, "billed_as = \"p\"", "billed_as = \"q\"")),
            "book.toml:16: alias[2].billed_as: 'q' is not a [[model]] id");
  EXPECT_EQ(load_error(replace(kMinimal, "from = 2026-01-01T00:00:00Z\nflat = { hit = 0.007",
                               "from = 2026-01-01T00:00:00\nflat = { hit = 0.007")),
            "book.toml:21: rates[1].from: must be a date-time with a zone, like 2026-04-24T00:00:00Z");
  EXPECT_EQ(load_error(replace(kMinimal, "flat = { hit = 0.007,", "flat = { hits = 0.007,")),
            "book.toml:22: rates[1].flat.hits: unknown field (expected hit, miss, output)");
  EXPECT_EQ(load_error(replace(kMinimal, "flat = { hit = 0.007, miss = \"0.22\", output = 1 }",
                               "flat = { hit = 0.007, miss = \"-0.22\", output = 1 }")),
            "book.toml:22: rates[1].flat.miss: rate '-0.22' is not a plain decimal number");
  EXPECT_EQ(load_error(replace(kMinimal, "id = \"pro\"", "id = \"pro2\"")),
            "book.toml:1: alias: the book must say which model the id 'pro' is billed as (an [[alias]] with id = "
            "\"pro\")");
}

TEST(PriceBookLoader, StructuralErrors) {
  EXPECT_EQ(load_error(std::string(kMinimal) + "\n[surprise]\nx = 1\n"),
            "book.toml:30: surprise: unknown field (expected book, model, alias, retired, rates, peak_hours, "
            "holiday)");
  EXPECT_EQ(load_error(std::string(kMinimal) + "\n[[rates]]\nmodel = \"f\"\ncurrency = \"USD\"\nfrom = "
                                               "2026-02-01T00:00:00Z\noff_peak = { hit = 1, miss = 1, output = 1 }\n"
                                               "peak = { hit = 2, miss = 2, output = 2 }\n"),
            "book.toml:1: peak_hours: missing, but some [[rates]] have peak/off_peak bands");
  EXPECT_EQ(load_error(std::string(kMinimal) + "\n[[alias]]\nid = \"flash\"\nbilled_as = \"p\"\nfrom = "
                                               "2026-03-01T00:00:00Z\n"),
            "book.toml:30: alias[3]: the period of 'flash' overlaps the alias defined on line 10");
  EXPECT_EQ(load_error(std::string(kMinimal) + "\n[[rates]]\nmodel = \"f\"\ncurrency = \"USD\"\nfrom = "
                                               "2026-01-01T00:00:00Z\nflat = { hit = 1, miss = 1, output = 1 }\n"),
            "book.toml:30: rates[3]: a row for f in USD from the same time is already on line 18");
  // A TOML syntax error reports the parser's line.
  std::string syntax = load_error("[[model]]\nid = \"f\"\ntier = \n");
  EXPECT_EQ(syntax.rfind("book.toml:3: ", 0), 0u) << syntax;
}

TEST(PriceBookLoader, PeakHoursAreValidated) {
  std::string banded = std::string(kMinimal) +
                       "\n[[rates]]\nmodel = \"f\"\ncurrency = \"USD\"\nfrom = 2026-02-01T00:00:00Z\n"
                       "off_peak = { hit = 1, miss = 1, output = 1 }\npeak = { hit = 2, miss = 2, output = 2 }\n"
                       "[peak_hours]\nutc_offset = \"+08:00\"\nwindows = [\"09:00-12:00\"]\ndays = [\"Mon\"]\n";
  ASSERT_TRUE(parse_price_book(banded, "book.toml").ok());
  EXPECT_EQ(load_error(replace(banded, "\"09:00-12:00\"", "\"12:00-09:00\"")),
            "book.toml:38: peak_hours.windows: each must be \"HH:MM-HH:MM\" with the start before the end");
  EXPECT_EQ(load_error(replace(banded, "[\"Mon\"]", "[\"Monday\"]")),
            "book.toml:39: peak_hours.days: each must be one of Mon Tue Wed Thu Fri Sat Sun");
  EXPECT_EQ(load_error(replace(banded, "\"+08:00\"", "\"8\"")),
            "book.toml:37: peak_hours.utc_offset: must look like \"+08:00\"");
}

TEST(PriceBookLoader, ShippedFileMatchesTheEmbeddedCopy) {
  auto file = core::read_text_file(std::string(FF_SOURCE_DIR) + "/data/prices.toml");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*file, embedded_price_book_text());
  EXPECT_TRUE(load_embedded_price_book().ok());
}

TEST(PriceBookLoader, MissingFileIsAClearError) {
  auto b = load_price_book_file("/nonexistent/prices.toml");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message, "cannot open '/nonexistent/prices.toml': No such file or directory");
}

TEST(PriceBookLoader, ExtraHolidaysFromAFile) {
  auto b = load_embedded_price_book();
  ASSERT_TRUE(b.ok());
  // Thursday 2026-12-31 at 02:00 UTC is peak until it is declared a holiday.
  const auto t = *core::parse_time("2026-12-31T02:00:00Z");
  EXPECT_TRUE(b->schedule().is_peak(t));
  std::string path = test::temp_path("holidays.toml");
  std::ofstream(path) << "[[holiday]]\nfrom = 2026-12-31\nto = 2027-01-01\nname = \"test\"\n";
  ASSERT_TRUE(add_holidays_from_file(*b, path).ok());
  EXPECT_FALSE(b->schedule().is_peak(t));
  std::ofstream(path) << "[[holiday]]\nfrom = 2026-12-31\nto = 2026-12-01\n";
  core::Status s = add_holidays_from_file(*b, path);
  EXPECT_EQ(s.message(), path + ":1: holiday[1]: 'to' must be on or after 'from' and within a year of it");
}

}  // namespace
}  // namespace ff::pricing
