#include "net/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>

#include <sys/resource.h>

#include <fmt/format.h>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast.hpp>

#include "wire/errors.h"
#include "core/text.h"
#include "net/deadline.h"
#include "net/message_reader.h"

namespace ff::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
// Completion token that returns [error_code, result...] instead of throwing.
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

std::string_view Request::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

void append_header(std::string& lines, std::string_view name, std::string_view value) {
  core::append_parts(lines, name, ": ", value, "\r\n");
}

Response Response::json(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("content-type", "application/json");
  r.body = std::move(body);
  return r;
}

namespace {

std::string error_body(int status, std::string_view message, std::string_view type, std::string_view code) {
  return wire::error_body(wire::Protocol::kOpenAi, status, message, type, code);
}

// A body this long or longer is read straight into the request (read_request()).
constexpr std::uint64_t kDirectBody = 64 * 1024;

// Parses a request straight into the Request the connection reuses.
class RequestReader final : public MessageReader<true> {
 public:
  explicit RequestReader(Request& r) : MessageReader(r.headers, r.body), r_(r) {}
  unsigned version() const { return version_; }

 private:
  // A shorter body (or a chunked one) that came with the header is parsed in
  // the same call as the header (Beast's eager mode, set once the header tells).
  void on_header_impl(error_code& ec) override {
    MessageReader::on_header_impl(ec);
    const auto length = content_length();
    eager(!length || *length < kDirectBody);
  }

  void on_request_impl(http::verb, string_view method, string_view target, int version, error_code&) override {
    r_.method.assign(method.data(), method.size());
    r_.target.assign(target.data(), target.size());
    version_ = static_cast<unsigned>(version);
  }

  Request& r_;
  unsigned version_ = 11;
};

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  Handler handler;
  AsyncHandler async_handler;
  // One thread runs it and does all socket I/O on it (the handlers' upstream
  // calls too): the reactor takes no lock per socket operation. Other threads
  // only post to it (the ledger's commits, stop()), and posting stays locked.
  asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  tcp::acceptor acceptor{io};
  asio::signal_set signals{io};
  std::atomic<std::size_t> connections{0};
  std::size_t active_requests = 0;  // read but not yet answered; touched on the io thread only
  bool stopping = false;            // io thread only
  std::uint16_t port = 0;
  // Every connection's read and write deadlines. Expired reads are cancelled (the
  // socket stays open, so the client can still be told 408); expired writes
  // close the socket.
  DeadlineSweeper sweeper{io.get_executor()};

  // Ends the loop once no request is in progress or the grace period is over.
  void finish_stop(std::chrono::steady_clock::time_point deadline) {
    if (active_requests == 0 || std::chrono::steady_clock::now() >= deadline) {
      io.stop();
      return;
    }
    auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(20));
    timer->async_wait([this, timer, deadline](const beast::error_code&) { finish_stop(deadline); });
  }

  // Writes a complete response; false if the client is gone or too slow. The
  // status line and headers are formatted into `head` (one buffer per
  // connection, reused) and go out with the body in one gathered write: no
  // message object, no per-field allocations on the hot path.
  awaitable<bool> write_full(tcp::socket& socket, Deadline& dl, Response& r, unsigned version, bool keep_alive,
                             std::string& head) {
    head.clear();
    const auto reason = http::obsolete_reason(static_cast<http::status>(r.status));
    core::append_parts(head, version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    core::append_int(head, r.status);
    core::append_parts(head, " ", std::string_view(reason.data(), reason.size()), "\r\nServer: ", options.server_name,
                       "\r\n");
    for (const auto& [k, v] : r.headers) core::append_parts(head, k, ": ", v, "\r\n");
    head.append(r.header_lines);
    core::append_parts(head, "Content-Length: ");
    core::append_int(head, static_cast<std::int64_t>(r.body.size()));
    core::append_parts(head, "\r\n");
    // HTTP/1.1 keeps the connection by default, HTTP/1.0 closes it by default.
    if (!keep_alive && version != 10) core::append_parts(head, "Connection: close\r\n");
    if (keep_alive && version == 10) core::append_parts(head, "Connection: keep-alive\r\n");
    core::append_parts(head, "\r\n");
    sweeper.arm(dl, options.write_timeout);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(r.body)};
    auto [ec, n] = co_await asio::async_write(socket, buffers, kNoThrow);
    co_return !ec;
  }

  // The ResponseWriter of one request on one connection.
  class Writer final : public ResponseWriter {
   public:
    Writer(Impl& impl, tcp::socket& socket, Deadline& dl, unsigned version, bool keep_alive, std::string& head)
        : impl_(impl), socket_(socket), dl_(dl), version_(version), keep_alive_(keep_alive), head_(head) {}

    awaitable<bool> send(Response r) override {
      if (started_) co_return false;
      started_ = true;
      ok_ = co_await impl_.write_full(socket_, dl_, r, version_, keep_alive_, head_);
      done_ = true;
      co_return ok_;
    }
    awaitable<bool> start(int status, std::vector<std::pair<std::string, std::string>> headers,
                          std::string_view header_lines) override {
      if (started_) co_return false;
      started_ = true;
      head_.clear();
      const auto reason = http::obsolete_reason(static_cast<http::status>(status));
      core::append_parts(head_, "HTTP/1.1 ");
      core::append_int(head_, status);
      core::append_parts(head_, " ", std::string_view(reason.data(), reason.size()), "\r\nServer: ",
                         impl_.options.server_name, "\r\n");
      for (const auto& [k, v] : headers) core::append_parts(head_, k, ": ", v, "\r\n");
      head_.append(header_lines);
      core::append_parts(head_, "Transfer-Encoding: chunked\r\n");
      if (!keep_alive_) core::append_parts(head_, "Connection: close\r\n");
      core::append_parts(head_, "\r\n");
      const auto buffer = asio::buffer(head_);  // named: awaited arguments are never temporaries (GCC 12)
      ok_ = co_await write_now(buffer);
      co_return ok_;
    }
    awaitable<bool> write(std::string_view data) override {
      if (!ok_ || !started_ || done_) co_return false;
      if (data.empty()) co_return true;  // an empty chunk would end the body
      const auto chunk = http::make_chunk(asio::buffer(data.data(), data.size()));
      ok_ = co_await write_now(chunk);
      co_return ok_;
    }
    awaitable<bool> finish() override {
      if (!ok_ || !started_ || done_) co_return false;
      done_ = true;
      const auto last = http::make_chunk_last();
      ok_ = co_await write_now(last);
      co_return ok_;
    }
    void abort() override {
      ok_ = false;
      done_ = true;
      beast::error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_both, ignored);
    }
    bool started() const override { return started_; }
    bool ok() const { return ok_ && done_; }

   private:
    template <typename Buffers>
    awaitable<bool> write_now(const Buffers& buffers) {
      impl_.sweeper.arm(dl_, impl_.options.write_timeout);
      auto [ec, n] = co_await asio::async_write(socket_, buffers, kNoThrow);
      // Between writes the handler waits on its upstream, not on the client.
      DeadlineSweeper::disarm(dl_);
      co_return !ec;
    }

    Impl& impl_;
    tcp::socket& socket_;
    Deadline& dl_;
    unsigned version_;
    bool keep_alive_;
    std::string& head_;
    bool started_ = false, done_ = false, ok_ = true;
  };

  // A plain handler's stream: its chunks written through the same Writer an
  // async handler uses, each after its delay.
  awaitable<bool> write_stream(Writer& w, Response& r) {
    auto headers = std::move(r.headers);
    if (!co_await w.start(r.status, std::move(headers), r.header_lines)) co_return false;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (const Chunk& c : *r.stream) {
      if (c.delay.count() > 0) {  // waiting on ourselves: the writer has no client deadline armed
        timer.expires_after(c.delay);
        co_await timer.async_wait(kNoThrow);
      }
      const std::string_view data = c.data;
      if (!co_await w.write(data)) co_return false;
    }
    if (r.abort_after_stream) {
      w.abort();
      co_return false;
    }
    co_return co_await w.finish();
  }

  // Reads one request into `r`. A large body with a Content-Length is read
  // straight into r.body: Beast's read loop takes it a few KB per turn, one
  // epoll_wait, recv and parser call each, as it trickles in (about 250 turns
  // for 1 MB). Here the kernel wakes the server (SO_RCVLOWAT) only once a good
  // part of the rest is there, and each wakeup takes all that has arrived.
  static constexpr std::size_t kBodyLowWater = 256 * 1024;
  static awaitable<beast::error_code> read_request(tcp::socket& socket, beast::flat_buffer& buffer,
                                                   RequestReader& parser, Request& r) {
    beast::error_code ec = co_await read_message(socket, buffer, parser, kHeaderRead);
    if (ec || parser.is_done()) co_return ec;
    const auto length = parser.content_length();
    if (!length || *length < kDirectBody) {  // chunked, or small: usually it came with the header
      co_return co_await read_message(socket, buffer, parser, kMessageRead);
    }
    // Within the body limit: Beast checked the length against it with the header.
    const auto total = static_cast<std::size_t>(*length);
    const std::size_t buffered = std::min(total, buffer.size());
    r.body.reserve(total + kParsePadding);
    r.body.resize(total);
    asio::buffer_copy(asio::buffer(r.body.data(), buffered), buffer.data());
    buffer.consume(buffered);
    std::size_t got = buffered;
    socket.non_blocking(true, ec);
    while (!ec && got < total) {
      const int lowat = static_cast<int>(std::min(total - got, kBodyLowWater));
      socket.set_option(asio::detail::socket_option::integer<SOL_SOCKET, SO_RCVLOWAT>(lowat), ec);
      if (ec) break;
      auto [wait_ec] = co_await socket.async_wait(tcp::socket::wait_read, kNoThrow);
      if (wait_ec) {
        ec = wait_ec;
        break;
      }
      got += socket.read_some(asio::buffer(r.body.data() + got, total - got), ec);
      if (ec == asio::error::would_block) ec = {};
    }
    beast::error_code ignored;
    socket.set_option(asio::detail::socket_option::integer<SOL_SOCKET, SO_RCVLOWAT>(1), ignored);
    co_return ec;
  }

  awaitable<void> session(tcp::socket socket) {
    const std::shared_ptr<Deadline> dl = sweeper.watch(socket);
    beast::flat_buffer buffer;
    std::string head;  // the status line and headers of each answer, reused
    Request r;
    bool first = true;
    for (;;) {
      // The Request is refilled for each request: its strings keep their capacity.
      r.body.clear();
      r.method.clear();  // an answer to a request cut short names only what was read of it
      r.target.clear();
      RequestReader parser(r);
      parser.body_limit(options.body_limit);
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      // The first request must arrive within the read timeout; later ones may
      // wait up to the idle timeout, then must arrive as fast.
      sweeper.arm(*dl, first ? options.read_timeout : options.idle_timeout + options.read_timeout,
                  /*cancel_only=*/true);
      first = false;
      beast::error_code ec = co_await read_request(socket, buffer, parser, r);
      if (dl->expired && ec) ec = beast::error::timeout;
      if (ec) {
        int status = 0;
        std::string message;
        if (ec == http::error::body_limit) {
          status = 413, message = "request body too large";
        } else if (ec == http::error::header_limit) {
          status = 431, message = "request headers too large";
        } else if (ec == beast::error::timeout) {
          if (!parser.got_some()) break;  // an idle connection timing out is normal
          status = 408, message = "request not received in time";
        } else if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
                   ec == asio::error::operation_aborted) {
          break;
        } else {
          status = 400, message = fmt::format("malformed HTTP request: {}", ec.message());
        }
        const char* code = status == 413   ? "body_too_large"
                           : status == 431 ? "headers_too_large"
                           : status == 408 ? "timeout"
                                           : "bad_request";
        Response err = Response::json(status, error_body(status, message, "invalid_request_error", code));
        if (options.on_rejected) options.on_rejected(r, status, message);
        co_await write_full(socket, *dl, err, 11, false, head);
        break;
      }
      ++active_requests;
      const bool keep_alive = parser.keep_alive() && !stopping;
      Writer w(*this, socket, *dl, parser.version(), keep_alive, head);
      if (async_handler) {
        DeadlineSweeper::disarm(*dl);  // the handler's own timeouts apply
        bool failed = false;
        try {
          co_await async_handler(r, w);
        } catch (const std::exception&) {
          failed = true;
        }
        if (!w.started()) {
          Response err = Response::json(
              500, error_body(500, failed ? "internal error" : "no answer", "server_error", "internal_error"));
          co_await w.send(std::move(err));
        }
      } else {
        Response resp;
        try {
          resp = handler(r);
        } catch (const std::exception&) {
          resp = Response::json(500, error_body(500, "internal error", "server_error", "internal_error"));
        }
        if (resp.stream) {
          co_await write_stream(w, resp);
        } else {
          co_await w.send(std::move(resp));
        }
      }
      --active_requests;
      if (!w.ok() || !keep_alive || stopping) break;
    }
    dl->socket = nullptr;  // the sweeper drops it
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
  }

  awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        // E.g. too many open files: keep serving the connections we have, and
        // try again a little later (at once would spin on the same error).
        asio::steady_timer pause(io, std::chrono::milliseconds(50));
        co_await pause.async_wait(kNoThrow);
        continue;
      }
      if (connections.load() >= options.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);
        continue;
      }
      ++connections;
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(
          io,
          [this, s = std::move(socket)]() mutable -> awaitable<void> {
            try {
              co_await session(std::move(s));
            } catch (const std::exception&) {
              // A connection's failure never reaches the server.
            }
            --connections;
          },
          asio::detached);
    }
  }
};

HttpServer::HttpServer(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

HttpServer::HttpServer(ServerOptions options, AsyncHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->async_handler = std::move(handler);
}

HttpServer::~HttpServer() = default;

boost::asio::any_io_executor HttpServer::executor() { return impl_->io.get_executor(); }

core::Status HttpServer::listen() {
  // Room for max_connections sockets and the server's own files (the ledger,
  // upstream connections): the soft descriptor limit is raised toward the hard
  // one (often 1,024 against 524,288). Beyond the hard limit, accepts wait.
  rlimit files{};
  const rlim_t want = static_cast<rlim_t>(impl_->options.max_connections) + 256;
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < want) {
    files.rlim_cur = files.rlim_max == RLIM_INFINITY ? want : std::min(want, files.rlim_max);
    setrlimit(RLIMIT_NOFILE, &files);
  }
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) return core::make_error(fmt::format("'{}' is not an IP address", impl_->options.host));
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return core::make_error(
        fmt::format("cannot listen on {}:{}: {}", impl_->options.host, impl_->options.port, ec.message()));
  }
  impl_->port = a.local_endpoint().port();
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  return core::Status::Ok();
}

std::uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::run(bool handle_signals) {
  if (handle_signals) {
    impl_->signals.add(SIGINT);
    impl_->signals.add(SIGTERM);
    impl_->signals.add(SIGHUP);  // by default it would end the process
    wait_for_signal();
  }
  impl_->io.run();
}

void HttpServer::wait_for_signal() {
  impl_->signals.async_wait([this](const beast::error_code& ec, int signal) {
    if (ec) return;
    if (signal != SIGHUP) return stop();
    if (impl_->options.on_hangup) impl_->options.on_hangup();
    wait_for_signal();
  });
}

void HttpServer::stop() {
  asio::post(impl_->io, [this] {
    if (impl_->stopping) return;
    impl_->stopping = true;
    if (impl_->options.on_stop) impl_->options.on_stop();
    impl_->sweeper.stop();  // as before: requests in progress finish without deadlines
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->signals.cancel(ignored);
    impl_->finish_stop(std::chrono::steady_clock::now() + impl_->options.shutdown_grace);
  });
}

}  // namespace ff::net
