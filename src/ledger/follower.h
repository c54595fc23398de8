// Follower: reads a ledger that other processes append to, without missing a row.
//
// Each poll() returns the rows committed since the last one, by position. A
// row can be committed after rows with larger positions were read: gateways
// sharing a PostgreSQL ledger take positions when they insert and commit in
// their own order. So the positions a poll skips over are looked for again at
// every poll, until their row appears or `patience` passes (an insert rolled
// back leaves a gap for good). Not thread-safe: one thread polls.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "core/result.h"
#include "ledger/ledger.h"

namespace ff::ledger {

// A page read as a whole vector (PostgreSQL's, a test's), put into `rows`.
core::Status page_into(core::Result<std::vector<Positioned>> page, std::vector<Positioned>& rows);

class Follower {
 public:
  // Reads the rows after `after`, at most `limit`, into `rows` (whose rows it may
  // reuse, see SqlitePageReader::read).
  using ReadPage = std::function<core::Status(std::int64_t after, std::size_t limit, std::vector<Positioned>& rows)>;
  using ReadPositions = std::function<core::Result<std::vector<Positioned>>(const std::vector<std::int64_t>&)>;

  // Reads after position `after` (0: from the start), `page_rows` at a time.
  Follower(ReadPage read_page, ReadPositions read_positions, std::int64_t after = 0, std::size_t page_rows = 50'000,
           std::int64_t patience_ms = 120'000);
  // A follower of the ledger at `spec`, on connections of its own.
  static Follower of(const std::string& spec, std::int64_t after = 0, std::size_t page_rows = 50'000);

  // Into `rows`, the rows committed since the last poll: at most `page_rows` new
  // ones, in position order, then any found in earlier gaps. `more` is set when
  // a whole page was read (poll again at once). Pass the same vector at every
  // poll: its rows are read into again, so a follower that polls all day does
  // not allocate and free thousands of strings a second (freed memory handed
  // back to the system stalls the process's other threads). Empty on an error.
  core::Status poll(std::int64_t now_ms, bool& more, std::vector<Positioned>& rows);

  // Whether skipped positions are looked for again: off while reading the rows
  // there at start (gaps in old rows are rollbacks), on from then.
  void track_gaps(bool on) { track_ = on; }
  std::int64_t position() const { return after_; }
  std::size_t gaps() const { return gaps_.size(); }

 private:
  ReadPage read_page_;
  ReadPositions read_positions_;
  std::int64_t after_;
  std::size_t page_rows_;
  std::int64_t patience_ms_;
  bool track_ = false;
  std::map<std::int64_t, std::int64_t> gaps_;  // position -> when first skipped (ms)
  static constexpr std::size_t kMaxGaps = 100'000;
};

}  // namespace ff::ledger
