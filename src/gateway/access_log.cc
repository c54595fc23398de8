#include "gateway/access_log.h"

#include <fcntl.h>

#include <charconv>
#include <cstring>

#include <boost/asio/post.hpp>

#include "core/json_writer.h"
#include "ledger/ledger.h"

namespace ff::gateway {

void format_access_line(std::string& o, const AccessRecord& a) {
  // Written at a pointer into room made once, as a line per request should be:
  // the literals (211 bytes at most), six integers of up to 20 characters, two
  // amounts of up to 41 and the strings' quotes fit in kFixedRoom; the strings,
  // escaped, take six bytes per byte at most. (A test fills every field to its
  // longest.)
  constexpr std::size_t kFixedRoom = 512;
  const ledger::Row* row = a.row;
  std::size_t strings = a.method.size() + a.path.size() + a.key.size() + a.error.size();
  if (row != nullptr) strings += row->request_id.size() + row->routed_model.size() + row->category.size();
  o.resize(kFixedRoom + core::json_string_room(strings));
  char* p = o.data();
  auto lit = [&p](std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  auto text = [&p](std::string_view s) { p = core::write_json_string(p, s); };
  auto number = [&p](std::int64_t n) { p = std::to_chars(p, p + 20, n).ptr; };
  lit(R"({"ts_ms":)");
  number(a.ts_ms);
  lit(R"(,"method":)");
  text(a.method);
  lit(R"(,"path":)");
  text(a.path);
  lit(R"(,"key":)");
  text(a.key);
  lit(R"(,"status":)");
  number(a.status);
  if (row != nullptr) {
    lit(R"(,"request_id":)");
    text(row->request_id);
    lit(R"(,"model":)");
    text(row->routed_model);
    lit(R"(,"category":)");
    text(row->category);
    lit(row->stream ? R"(,"stream":true)" : R"(,"stream":false)");
    lit(a.escalated ? R"(,"escalated":true)" : R"(,"escalated":false)");
    lit(R"(,"tokens":{"cache_hit":)");
    number(row->usage.cache_hit);
    lit(R"(,"cache_miss":)");
    number(row->usage.cache_miss);
    lit(R"(,"output":)");
    number(row->usage.output);
    lit(R"(},"cost":")");
    if (a.texts.cost.empty()) {
      p = a.cost.write_decimal(p);
    } else {
      lit(a.texts.cost);
    }
    lit(R"(","cost_if_pro":")");
    if (a.texts.cost_if_pro.empty()) {
      p = row->cost_if_pro.write_decimal(p);
    } else {
      lit(a.texts.cost_if_pro);
    }
    lit("\"");
  }
  if (!a.error.empty()) {
    lit(R"(,"error":)");
    text(a.error);
  }
  lit(R"(,"latency_ms":)");
  number(a.latency_ms);
  lit("}");
  o.resize(static_cast<std::size_t>(p - o.data()));
}

void AccessLog::line(std::string_view text) {
  buffer_.append(text).push_back('\n');
  if (buffer_.size() >= kMaxBuffered) {
    flush();
  } else if (!flush_posted_) {
    flush_posted_ = true;
    boost::asio::post(executor_, [this] { flush(); });
  }
}

void AccessLog::flush() {
  flush_posted_ = false;
  if (buffer_.empty()) return;
  std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
  std::fflush(file_);
  unsynced_ += buffer_.size();
  buffer_.clear();
  // Start writing the log to disk every MiB (not waiting for it), rather than
  // leaving it to the kernel's flusher: at thousands of requests per second
  // it otherwise piles up tens of MB, and when the flusher writes them out the
  // ledger's next sync waits for them (ext4 orders a file's data before the
  // journal commit that a sync forces) -- a 15-60 ms stall of every request in
  // about one round in five of the benchmark. A pipe or terminal just says no.
  if (unsynced_ >= kSyncEvery) {
    ::sync_file_range(::fileno(file_), 0, 0, SYNC_FILE_RANGE_WRITE);
    unsynced_ = 0;
  }
}

}  // namespace ff::gateway
