// The gateway's access log: one JSON line per client request.
//
// format_access_line(): the client's request and what became of it, one JSON
// object whose keys are always these, in this order:
//   {"ts_ms","method","path","key","status",
//    with a call's row: "request_id","model","category","stream","escalated",
//                       "tokens":{"cache_hit","cache_miss","output"},"cost","cost_if_pro",
//    "error" (when there is one), "latency_ms"}
// The money is exact decimal strings, as in the headers. Written straight into
// a reused string, not through a JsonWriter: this runs once per request.
//
// AccessLog: where the lines (GatewayOptions::access_log) go. The lines of all requests that finish in one turn of the
// server's event loop are written together, and none waits longer than that turn (nor past shutdown: flush()). Not
// thread-safe: the server's thread only.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include <cstdint>

#include <boost/asio/any_io_executor.hpp>

#include "core/money.h"

namespace ff::ledger {
struct Row;
}

namespace ff::gateway {

// A line's amounts as text, when the caller has them written already (for the
// answer's headers); empty: written from the record's Money.
struct AmountTexts {
  std::string_view cost, cost_if_pro;
};

struct AccessRecord {
  std::int64_t ts_ms = 0;  // when the request started (Unix ms)
  std::string_view method, path;
  std::string_view key = "-";  // the virtual key's name
  int status = 0;
  const ledger::Row* row = nullptr;  // the call that answered, when one was made
  core::Money cost;                  // of all the request's calls
  AmountTexts texts;                 // `cost` and the row's cost_if_pro, if written already
  bool escalated = false;
  std::string_view error;
  std::int64_t latency_ms = 0;
};

// Replaces `out` with the record's line (no newline).
void format_access_line(std::string& out, const AccessRecord& a);

class AccessLog {
 public:
  // Writes to `file` (not owned; it must outlive this) from `executor`'s thread.
  AccessLog(std::FILE* file, boost::asio::any_io_executor executor) : file_(file), executor_(std::move(executor)) {}

  // Queues one line (a newline is added); on the executor's thread only.
  void line(std::string_view text);
  // Writes what is queued; call once more after the event loop has stopped.
  void flush();

 private:
  static constexpr std::size_t kMaxBuffered = 64 * 1024;
  static constexpr std::size_t kSyncEvery = 1 << 20;
  std::FILE* file_;
  boost::asio::any_io_executor executor_;
  std::string buffer_;
  std::size_t unsynced_ = 0;
  bool flush_posted_ = false;
};

}  // namespace ff::gateway
