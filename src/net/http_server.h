// HttpServer: the HTTP/1.1 server under `flashfirst sim` (and later `serve`).
//
// Boost.Beast over Asio, one coroutine per connection. Requests are handed to a
// plain function Request -> Response, which can be unit-tested without a socket.
// A Response either carries its whole body or a stream of chunks, each written
// after its delay (used for SSE); streams go out with chunked transfer encoding.
//
// Every read has a deadline and a size limit: a client that sends its request
// slower than `read_timeout`, headers over `header_limit` or a body over
// `body_limit` gets a JSON error (408/431/413) and is disconnected; a client that
// does not read its answer within `write_timeout` is disconnected. Malformed
// requests get 400. The process never stops for a bad client.
//
// Thread-safety: run() is called from one thread; stop() from any thread
// (or a signal handler via the server's own signal set). A plain Handler runs on
// the server's thread and must not block; an AsyncHandler (a coroutine) may wait
// on I/O bound to executor(). Sockets and timers bound to executor() must only be
// used from the server's thread (its reactor does not lock them); other threads
// may post work to it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/result.h"

namespace ff::net {

struct Request {
  std::string method;
  std::string target;                                        // path and query, as sent
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  // The first header with this (lower-case) name, or "".
  std::string_view header(std::string_view name) const;
  // The target without its query string.
  std::string_view path() const;
};

struct Chunk {
  std::chrono::milliseconds delay{0};  // wait this long before writing it
  std::string data;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  // More header lines, already formatted (`name: value\r\n` each), sent after
  // `headers`: for a handler that adds many headers to every answer, without a
  // pair of strings (and their allocations) for each. Build with append_header().
  std::string header_lines;
  std::string body;
  // When set, the body is these chunks, written one by one as they come due.
  std::optional<std::vector<Chunk>> stream;
  // Close the connection after the chunks without ending the chunked body (a
  // stream cut mid-way, for fault simulation).
  bool abort_after_stream = false;
  // Kept alive until the response has been written or dropped (e.g. to count the
  // request as in flight until then).
  std::shared_ptr<void> hold;

  static Response json(int status, std::string body);
};

// Appends `name: value\r\n` to `lines` (Response::header_lines). The value is
// the caller's to make safe for a header (no CR, LF or other controls).
void append_header(std::string& lines, std::string_view name, std::string_view value);

using Handler = std::function<Response(const Request&)>;

// For handlers that wait on something (an upstream) before or while answering.
// The handler drives the writer: either send() once, or start(), write()...,
// finish(). Every call returns false once the client is gone (or too slow);
// the handler should then stop. A handler that returns without answering gets
// a 500 sent for it. Writers live on the server's one thread.
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  virtual boost::asio::awaitable<bool> send(Response r) = 0;
  // A streamed answer (chunked transfer encoding); `header_lines` as in
  // Response, read when the awaitable runs (so co_await it in the same expression).
  virtual boost::asio::awaitable<bool> start(int status, std::vector<std::pair<std::string, std::string>> headers,
                                             std::string_view header_lines) = 0;
  virtual boost::asio::awaitable<bool> write(std::string_view data) = 0;
  virtual boost::asio::awaitable<bool> finish() = 0;
  // Ends a started stream without its last chunk and closes the connection, so
  // the client sees the answer is incomplete (an upstream that broke mid-way).
  virtual void abort() = 0;
  // Whether any byte of the answer has been sent.
  virtual bool started() const = 0;
};
using AsyncHandler = std::function<boost::asio::awaitable<void>(const Request&, ResponseWriter&)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0 picks a free port
  // A 1M-token context is a few MB of JSON; images in base64 can be more.
  std::size_t body_limit = 64u << 20;
  std::size_t header_limit = 64u << 10;
  std::chrono::milliseconds read_timeout{30'000};   // to receive one whole request
  std::chrono::milliseconds write_timeout{60'000};  // for each write of the answer
  std::chrono::milliseconds idle_timeout{60'000};   // between requests on a kept-alive connection
  // Connections beyond it are closed at once. listen() raises the process's soft
  // descriptor limit to fit them (up to the hard limit).
  std::size_t max_connections = 10'000;
  // On stop(), requests being answered get this long to finish; idle kept-alive
  // connections are closed at once.
  std::chrono::milliseconds shutdown_grace{10'000};
  std::string server_name = "flashfirst";
  // Told of each request the server answers itself, before any handler sees it
  // (400 malformed, 408 too slow, 413 body or 431 headers too large), with what
  // was read of it (the method and target, once the request line has arrived),
  // the status and the error message; for an access log. Runs on the server's
  // thread. Unset: nothing is told.
  std::function<void(const Request&, int status, std::string_view message)> on_rejected;
  // Called on the server's thread when it begins to stop, before the requests in
  // progress get their grace period: long-lived answers (event streams) end then.
  std::function<void()> on_stop;
  // Called on the server's thread for each SIGHUP while run(true) serves.
  std::function<void()> on_hangup;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler);
  HttpServer(ServerOptions options, AsyncHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. Fails with a message naming the address.
  core::Status listen();
  // The bound port (after listen()).
  std::uint16_t port() const;
  // The executor of the server's thread: what async handlers' I/O runs on.
  boost::asio::any_io_executor executor();
  // Serves until stop() or SIGINT/SIGTERM (when handle_signals is set: SIGHUP
  // then calls ServerOptions::on_hangup and serving goes on); the calling
  // thread runs the event loop.
  void run(bool handle_signals);
  // Stops accepting, lets the requests in progress finish (up to shutdown_grace),
  // then ends run(); safe from any thread.
  void stop();

  struct Impl;

 private:
  void wait_for_signal();
  std::unique_ptr<Impl> impl_;
};

}  // namespace ff::net
