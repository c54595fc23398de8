#include "gateway/access_log.h"

#include <fcntl.h>

#include <boost/asio/post.hpp>

namespace ff::gateway {

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
