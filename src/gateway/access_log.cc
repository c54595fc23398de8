#include "gateway/access_log.h"

#include <fcntl.h>

#include <boost/asio/post.hpp>

#include "core/json_writer.h"
#include "core/text.h"
#include "ledger/ledger.h"

namespace ff::gateway {

void format_access_line(std::string& o, const AccessRecord& a) {
  auto text = [&o](std::string_view s) { core::append_json_string(o, s); };
  o.clear();
  core::append_parts(o, R"({"ts_ms":)");
  core::append_int(o, a.ts_ms);
  core::append_parts(o, R"(,"method":)");
  text(a.method);
  core::append_parts(o, R"(,"path":)");
  text(a.path);
  core::append_parts(o, R"(,"key":)");
  text(a.key);
  core::append_parts(o, R"(,"status":)");
  core::append_int(o, a.status);
  if (const ledger::Row* row = a.row) {
    core::append_parts(o, R"(,"request_id":)");
    text(row->request_id);
    core::append_parts(o, R"(,"model":)");
    text(row->routed_model);
    core::append_parts(o, R"(,"category":)");
    text(row->category);
    core::append_parts(o, R"(,"stream":)", row->stream ? "true" : "false", R"(,"escalated":)",
                       a.escalated ? "true" : "false", R"(,"tokens":{"cache_hit":)");
    core::append_int(o, row->usage.cache_hit);
    core::append_parts(o, R"(,"cache_miss":)");
    core::append_int(o, row->usage.cache_miss);
    core::append_parts(o, R"(,"output":)");
    core::append_int(o, row->usage.output);
    core::append_parts(o, R"(},"cost":")", a.cost.to_decimal(), R"(","cost_if_pro":")", row->cost_if_pro.to_decimal(),
                       "\"");
  }
  if (!a.error.empty()) {
    core::append_parts(o, R"(,"error":)");
    text(a.error);
  }
  core::append_parts(o, R"(,"latency_ms":)");
  core::append_int(o, a.latency_ms);
  o.push_back('}');
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
