// AccessLog: where the gateway's access-log lines (GatewayOptions::access_log)
// go. The lines of all requests that finish in one turn of the server's event
// loop are written together, and none waits longer than that turn (nor past
// shutdown: flush()). Not thread-safe: the server's thread only.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/any_io_executor.hpp>

namespace ff::gateway {

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
