// Loading and validating price books and holiday calendars.
//
// Called once at start-up. A bad file is an error whose message names the file,
// the line and the field ("prices.toml:42: [[rates]] field 'hit': ..."), so the
// command can stop with it. The format is documented in data/prices.toml.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "pricing/price_book.h"

namespace ff::pricing {

// The price book compiled into the binary (a copy of data/prices.toml).
std::string_view embedded_price_book_text();

// Parses a price book from TOML text; `source_name` names it in messages.
core::Result<PriceBook> parse_price_book(std::string_view toml_text, std::string source_name);

// Reads and parses a price book file.
core::Result<PriceBook> load_price_book_file(const std::string& path);

// The embedded book; it is validated by the test suite, so this cannot fail in a
// released binary, but a failure is still reported rather than assumed away.
core::Result<PriceBook> load_embedded_price_book();

// Adds the [[holiday]] entries of a TOML file (same format as in the price book)
// to the book's peak schedule.
core::Status add_holidays_from_file(PriceBook& book, const std::string& path);

}  // namespace ff::pricing
