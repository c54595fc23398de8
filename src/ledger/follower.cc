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
  ReadPage page = [spec](std::int64_t a, std::size_t limit, std::vector<Positioned>& rows) {
    return page_into(read_ledger_page(spec, a, limit), rows);
  };
  if (!is_postgres_url(spec)) {
    // A SQLite ledger's pages are read on one connection, kept open between polls.
    page = [reader = std::make_shared<SqlitePageReader>(spec)](std::int64_t a, std::size_t limit,
                                                               std::vector<Positioned>& rows) {
      return reader->read(a, limit, rows);
    };
  }
  return Follower(std::move(page),
                  [spec](const std::vector<std::int64_t>& p) { return read_ledger_positions(spec, p); }, after,
                  page_rows);
}

core::Status page_into(core::Result<std::vector<Positioned>> page, std::vector<Positioned>& rows) {
  if (!page.ok()) {
    rows.clear();
    return core::make_error(page.error().message);
  }
  rows = std::move(*page);
  return core::Status::Ok();
}

core::Status Follower::poll(std::int64_t now_ms, bool& more, std::vector<Positioned>& out) {
  more = false;
  if (auto s = read_page_(after_, page_rows_, out); !s.ok()) {
    out.clear();
    return s;
  }
  more = out.size() >= page_rows_;
  for (const Positioned& p : out) {
    for (std::int64_t missing = after_ + 1; track_ && missing < p.seq && gaps_.size() < kMaxGaps; ++missing) {
      gaps_.emplace(missing, now_ms);
    }
    after_ = p.seq;
  }
  if (gaps_.empty()) return core::Status::Ok();
  std::vector<std::int64_t> wanted;
  for (auto it = gaps_.begin(); it != gaps_.end();) {
    if (now_ms - it->second > patience_ms_) {
      it = gaps_.erase(it);
    } else {
      wanted.push_back(it->first);
      ++it;
    }
  }
  if (wanted.empty()) return core::Status::Ok();
  // A failure here is tried again at the next poll: the gaps stay.
  auto late = read_positions_(wanted);
  if (late.ok()) {
    for (Positioned& p : *late) {
      gaps_.erase(p.seq);
      out.push_back(std::move(p));
    }
  }
  return core::Status::Ok();
}

}  // namespace ff::ledger
