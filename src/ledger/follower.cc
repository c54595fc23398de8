#include "ledger/follower.h"

#include <memory>
#include <utility>

#include "ledger/batching_ledger.h"

namespace ff::ledger {

Follower::Follower(ReadPage read_page, ReadPositions read_positions, std::int64_t after, std::size_t page_rows,
                   std::int64_t patience_ms)
    : read_page_(std::move(read_page)),
      read_positions_(std::move(read_positions)),
      after_(after),
      page_rows_(page_rows),
      patience_ms_(patience_ms) {}

Follower Follower::of(const std::string& spec, std::int64_t after, std::size_t page_rows) {
  ReadPage page = [spec](std::int64_t a, std::size_t limit) { return read_ledger_page(spec, a, limit); };
  if (!is_postgres_url(spec)) {
    // A SQLite ledger's pages are read on one connection, kept open between polls.
    page = [reader = std::make_shared<SqlitePageReader>(spec)](std::int64_t a, std::size_t limit) {
      return reader->read(a, limit);
    };
  }
  return Follower(std::move(page),
                  [spec](const std::vector<std::int64_t>& p) { return read_ledger_positions(spec, p); }, after,
                  page_rows);
}

core::Result<std::vector<Positioned>> Follower::poll(std::int64_t now_ms, bool& more) {
  more = false;
  auto page = read_page_(after_, page_rows_);
  if (!page.ok()) return page.error();
  std::vector<Positioned> out = std::move(*page);
  more = out.size() >= page_rows_;
  for (const Positioned& p : out) {
    for (std::int64_t missing = after_ + 1; track_ && missing < p.seq && gaps_.size() < kMaxGaps; ++missing) {
      gaps_.emplace(missing, now_ms);
    }
    after_ = p.seq;
  }
  if (gaps_.empty()) return out;
  std::vector<std::int64_t> wanted;
  for (auto it = gaps_.begin(); it != gaps_.end();) {
    if (now_ms - it->second > patience_ms_) {
      it = gaps_.erase(it);
    } else {
      wanted.push_back(it->first);
      ++it;
    }
  }
  if (wanted.empty()) return out;
  // A failure here is tried again at the next poll: the gaps stay.
  auto late = read_positions_(wanted);
  if (late.ok()) {
    for (Positioned& p : *late) {
      gaps_.erase(p.seq);
      out.push_back(std::move(p));
    }
  }
  return out;
}

}  // namespace ff::ledger
