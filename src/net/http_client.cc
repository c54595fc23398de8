#include "net/http_client.h"

#include <array>
#include <deque>
#include <iterator>
#include <memory>

#include <fmt/format.h>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include "core/text.h"
#include "net/deadline.h"
#include "net/message_reader.h"

namespace ff::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// One kept-alive connection, plain or TLS.
struct Connection {
  std::unique_ptr<tcp::socket> plain;
  std::unique_ptr<beast::ssl_stream<tcp::socket>> tls;
  beast::flat_buffer buffer;
  net::DeadlineSweeper& sweeper;
  std::shared_ptr<net::Deadline> deadline;  // watched from the first operation on

  // A small answer in one read (Beast would read 512 bytes at a time); a page,
  // as a thousand concurrent calls each hold a connection.
  explicit Connection(net::DeadlineSweeper& s) : sweeper(s) { buffer.reserve(4096); }
  ~Connection() {
    if (deadline) deadline->socket = nullptr;
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  tcp::socket& socket() { return plain ? *plain : beast::get_lowest_layer(*tls); }
  bool open() { return socket().is_open(); }

  // The next operation must end within `d`, or the connection is closed.
  void expires_after(net::Deadline::Clock::duration d) {
    if (!deadline) deadline = sweeper.watch(socket());
    sweeper.arm(*deadline, d);
  }
  // No operation in progress (pooled, or the caller is busy elsewhere).
  void disarm() {
    if (deadline) net::DeadlineSweeper::disarm(*deadline);
  }
  bool timed_out() const { return deadline && deadline->expired; }
};

UpstreamError error(UpstreamError::Kind kind, std::string message) { return UpstreamError{kind, std::move(message)}; }

UpstreamError from_ec(const Connection& c, const beast::error_code& ec, std::string_view during) {
  if (c.timed_out()) return error(UpstreamError::Kind::kTimeout, fmt::format("upstream timed out {}", during));
  if (ec == http::error::body_limit)
    return error(UpstreamError::Kind::kTooLarge, "upstream answer over the size limit");
  return error(UpstreamError::Kind::kBroken, fmt::format("upstream connection failed {}: {}", during, ec.message()));
}

UpstreamHead head_of(const http::response_header<>& h) {
  UpstreamHead out;
  out.status = static_cast<int>(h.result_int());
  for (const auto& f : h) {
    out.headers.emplace_back(lower(std::string_view(f.name_string().data(), f.name_string().size())),
                             std::string(f.value()));
  }
  return out;
}

// A whole answer's head and body, which ResponseReader fills (a base of its
// own, so that they exist before the parser that refers to them).
struct ResponseParts {
  UpstreamHead head;
  std::string body;
};

// Parses a whole response straight into its head and body: no message object
// with a node per header field (the non-stream path runs once per request).
class ResponseReader final : public ResponseParts, public net::MessageReader<false> {
 public:
  // Room for an API's usual head (DeepSeek's has a dozen fields) made once:
  // grown from empty, the list reallocated and moved its strings three times.
  // Eager: a body that came with the head is parsed in the same call.
  ResponseReader() : MessageReader(head.headers, body) {
    head.headers.reserve(kUsualFields);
    eager(true);
  }

 private:
  static constexpr std::size_t kUsualFields = 16;
  void on_response_impl(int status, string_view, int, error_code&) override { head.status = status; }
};

// A request's head (request line and header fields), written together with its
// body in one gathered write.
struct OutgoingRequest {
  std::string head;
  std::string_view body;
};

}  // namespace

std::string_view UpstreamHead::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

struct UpstreamClient::Impl {
  asio::any_io_executor executor;
  UpstreamOptions options;
  bool use_tls = false;
  std::string host;
  std::string port;
  std::string base_path;  // without a trailing '/'
  std::unique_ptr<ssl::context> tls_context;
  // The connections' deadlines; it outlives them (streams hand connections back
  // to `idle`, a member declared after it).
  std::unique_ptr<net::DeadlineSweeper> sweeper;
  std::vector<std::unique_ptr<Connection>> idle;

  awaitable<std::variant<std::unique_ptr<Connection>, UpstreamError>> connect() {
    tcp::resolver resolver(executor);
    auto [rec, results] = co_await resolver.async_resolve(host, port, kNoThrow);
    if (rec) co_return error(UpstreamError::Kind::kConnect, fmt::format("cannot resolve {}: {}", host, rec.message()));
    auto c = std::make_unique<Connection>(*sweeper);
    if (use_tls) {
      c->tls = std::make_unique<beast::ssl_stream<tcp::socket>>(executor, *tls_context);
    } else {
      c->plain = std::make_unique<tcp::socket>(executor);
    }
    c->expires_after(options.connect_timeout);
    auto [cec, ep] = co_await asio::async_connect(c->socket(), results, kNoThrow);
    c->disarm();
    if (cec) {
      co_return error(UpstreamError::Kind::kConnect, fmt::format("cannot connect to {}:{}: {}", host, port,
                                                                 c->timed_out() ? "timed out" : cec.message()));
    }
    beast::error_code ignored;
    c->socket().set_option(tcp::no_delay(true), ignored);
    if (use_tls) {
      // SNI, and the certificate must name the host.
      if (!SSL_set_tlsext_host_name(c->tls->native_handle(), host.c_str())) {
        co_return error(UpstreamError::Kind::kConnect, "cannot set the TLS server name");
      }
      if (options.verify_tls) c->tls->set_verify_callback(ssl::host_name_verification(host));
      c->expires_after(options.connect_timeout);
      auto [hec] = co_await c->tls->async_handshake(ssl::stream_base::client, kNoThrow);
      c->disarm();
      if (hec) {
        co_return error(UpstreamError::Kind::kConnect, fmt::format("TLS handshake with {} failed: {}", host,
                                                                   c->timed_out() ? "timed out" : hec.message()));
      }
    }
    co_return std::move(c);
  }

  // A pooled connection if one is still open, else a new one; `reused` says which.
  awaitable<std::variant<std::unique_ptr<Connection>, UpstreamError>> acquire(bool& reused) {
    while (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      if (c->open()) {
        reused = true;
        co_return std::move(c);
      }
    }
    reused = false;
    co_return co_await connect();
  }

  void release(std::unique_ptr<Connection> c) {
    if (c) c->disarm();
    if (c && c->open() && !c->timed_out() && idle.size() < options.pool_size) idle.push_back(std::move(c));
  }

  OutgoingRequest make_request(std::string_view method, std::string_view path, std::string_view body,
                               const std::vector<std::pair<std::string, std::string>>& headers) {
    OutgoingRequest req{std::string(), body};
    std::string& h = req.head;
    h.reserve(256);
    core::append_parts(h, method, " ", base_path, path, " HTTP/1.1\r\nHost: ", host);
    if (port != (use_tls ? "443" : "80")) core::append_parts(h, ":", port);
    core::append_parts(h, "\r\nUser-Agent: flashfirst\r\n");
    if (!options.api_key.empty()) {
      core::append_parts(h, "Authorization: Bearer ", options.api_key, "\r\n");
      // The Anthropic-format endpoint also reads the key from x-api-key.
      if (path.rfind("/anthropic/", 0) == 0) core::append_parts(h, "x-api-key: ", options.api_key, "\r\n");
    }
    // The forwarded fields come from a parsed client request: no CR or LF in them.
    for (const auto& [k, v] : headers) core::append_parts(h, k, ": ", v, "\r\n");
    core::append_parts(h, "Content-Length: ");
    core::append_int(h, static_cast<std::int64_t>(body.size()));
    core::append_parts(h, "\r\n\r\n");
    return req;
  }

  template <typename F>
  static auto with_stream(Connection& c, F&& f) {
    return c.plain ? f(*c.plain) : f(*c.tls);
  }

  // Sends the request on a connection; retries once on a fresh connection when
  // a pooled one turns out to have been closed by the server.
  awaitable<std::variant<std::unique_ptr<Connection>, UpstreamError>> send(
      const OutgoingRequest& req, http::response_parser<http::buffer_body>* stream_parser,
      ResponseReader* whole_parser) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool reused = false;
      auto got = co_await acquire(reused);
      if (auto* e = std::get_if<UpstreamError>(&got)) co_return *e;
      auto c = std::move(std::get<0>(got));
      c->expires_after(options.idle_timeout);
      const std::array<asio::const_buffer, 2> buffers{asio::buffer(req.head),
                                                      asio::buffer(req.body.data(), req.body.size())};
      auto [wec, wn] = co_await with_stream(*c, [&](auto& s) { return asio::async_write(s, buffers, kNoThrow); });
      if (wec) {
        if (reused && !c->timed_out()) continue;
        co_return from_ec(*c, wec, "sending the request");
      }
      c->expires_after(options.first_byte_timeout);
      // A stream's head only (its body is read piece by piece), or the whole answer.
      const beast::error_code rec = co_await with_stream(*c, [&](auto& s) {
        return stream_parser ? net::read_message(s, c->buffer, *stream_parser, net::kHeaderRead)
                             : net::read_message(s, c->buffer, *whole_parser, net::kMessageRead);
      });
      c->disarm();
      if (rec) {
        const bool nothing = stream_parser ? !stream_parser->got_some() : !whole_parser->got_some();
        if (reused && nothing && !c->timed_out()) {
          // The server closed the kept-alive connection; nothing was processed. Start over,
          // with fresh parsers.
          if (stream_parser) std::destroy_at(stream_parser), std::construct_at(stream_parser);
          if (whole_parser) std::destroy_at(whole_parser), std::construct_at(whole_parser);
          if (stream_parser) stream_parser->body_limit(options.body_limit);
          if (whole_parser) whole_parser->body_limit(options.body_limit);
          continue;
        }
        co_return from_ec(*c, rec, "waiting for the answer");
      }
      co_return std::move(c);
    }
    co_return error(UpstreamError::Kind::kBroken, "upstream closed the connection twice");
  }
};

struct UpstreamStream::Impl {
  std::optional<std::deque<std::string>> canned;  // the body of a canned stream
  UpstreamClient::Impl* client = nullptr;
  std::unique_ptr<Connection> connection;
  http::response_parser<http::buffer_body> parser;
  UpstreamHead head;
  bool done = false;
  std::array<char, 16384> chunk;
  std::function<void()> on_end;
  ~Impl() {
    if (on_end) on_end();
  }
};

UpstreamStream::UpstreamStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UpstreamStream::~UpstreamStream() = default;
UpstreamStream::UpstreamStream(UpstreamStream&&) noexcept = default;
UpstreamStream& UpstreamStream::operator=(UpstreamStream&&) noexcept = default;
const UpstreamHead& UpstreamStream::head() const { return impl_->head; }
void UpstreamStream::on_end(std::function<void()> done) { impl_->on_end = std::move(done); }

UpstreamStream UpstreamStream::canned(UpstreamHead head, std::vector<std::string> pieces) {
  auto impl = std::make_unique<Impl>();
  impl->head = std::move(head);
  impl->canned.emplace(std::make_move_iterator(pieces.begin()), std::make_move_iterator(pieces.end()));
  return UpstreamStream(std::move(impl));
}

awaitable<std::variant<std::optional<std::string>, UpstreamError>> UpstreamStream::next() {
  Impl& s = *impl_;
  if (s.canned) {
    if (s.canned->empty()) co_return std::optional<std::string>();
    std::string piece = std::move(s.canned->front());
    s.canned->pop_front();
    co_return std::optional<std::string>(std::move(piece));
  }
  if (s.done || s.parser.is_done()) {
    if (!s.done) {
      s.done = true;
      if (s.parser.keep_alive()) s.client->release(std::move(s.connection));
    }
    co_return std::optional<std::string>();
  }
  s.parser.get().body().data = s.chunk.data();
  s.parser.get().body().size = s.chunk.size();
  s.connection->expires_after(s.client->options.idle_timeout);
  auto [ec, n] = co_await UpstreamClient::Impl::with_stream(
      *s.connection, [&](auto& st) { return http::async_read_some(st, s.connection->buffer, s.parser, kNoThrow); });
  s.connection->disarm();
  if (ec && ec != http::error::need_buffer) {
    s.done = true;
    co_return from_ec(*s.connection, ec, "while streaming");
  }
  const std::size_t got = s.chunk.size() - s.parser.get().body().size;
  if (s.parser.is_done()) {
    s.done = true;
    if (s.parser.keep_alive()) s.client->release(std::move(s.connection));
  }
  co_return std::optional<std::string>(std::string(s.chunk.data(), got));
}

UpstreamClient::UpstreamClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UpstreamClient::~UpstreamClient() = default;
const UpstreamOptions& UpstreamClient::options() const { return impl_->options; }
std::string UpstreamClient::endpoint() const { return impl_->host + ":" + impl_->port; }

core::Result<std::unique_ptr<UpstreamClient>> UpstreamClient::create(asio::any_io_executor executor,
                                                                     UpstreamOptions options) {
  auto impl = std::make_unique<Impl>();
  std::string_view url = options.base_url;
  if (url.rfind("https://", 0) == 0) {
    impl->use_tls = true;
    url.remove_prefix(8);
  } else if (url.rfind("http://", 0) == 0) {
    url.remove_prefix(7);
  } else {
    return core::make_error(fmt::format("upstream URL '{}' must start with http:// or https://", options.base_url));
  }
  const std::size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  impl->base_path = slash == std::string_view::npos ? "" : std::string(url.substr(slash));
  while (!impl->base_path.empty() && impl->base_path.back() == '/') impl->base_path.pop_back();
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    impl->host = std::string(authority.substr(0, colon));
    impl->port = std::string(authority.substr(colon + 1));
  } else {
    impl->host = std::string(authority);
    impl->port = impl->use_tls ? "443" : "80";
  }
  if (impl->host.empty() || impl->port.empty() || impl->port.find_first_not_of("0123456789") != std::string::npos) {
    return core::make_error(fmt::format("upstream URL '{}' has no valid host and port", options.base_url));
  }
  if (impl->use_tls) {
    impl->tls_context = std::make_unique<ssl::context>(ssl::context::tls_client);
    beast::error_code ec;
    impl->tls_context->set_default_verify_paths(ec);
    if (!options.ca_file.empty()) {
      impl->tls_context->load_verify_file(options.ca_file, ec);
      if (ec) return core::make_error(fmt::format("cannot read CA file '{}': {}", options.ca_file, ec.message()));
    }
    impl->tls_context->set_verify_mode(options.verify_tls ? ssl::verify_peer : ssl::verify_none);
  }
  impl->sweeper = std::make_unique<net::DeadlineSweeper>(executor);
  impl->executor = std::move(executor);
  impl->options = std::move(options);
  return std::unique_ptr<UpstreamClient>(new UpstreamClient(std::move(impl)));
}

awaitable<std::variant<UpstreamResponse, UpstreamError>> UpstreamClient::request(
    std::string_view method, std::string_view path, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  const OutgoingRequest req = impl_->make_request(method, path, body, headers);
  ResponseReader parser;
  parser.body_limit(impl_->options.body_limit);
  if (!impl_->options.answer_fields.empty()) parser.keep_only(impl_->options.answer_fields);
  auto sent = co_await impl_->send(req, nullptr, &parser);
  if (auto* e = std::get_if<UpstreamError>(&sent)) co_return *e;
  auto c = std::move(std::get<0>(sent));
  UpstreamResponse out;
  out.head = std::move(parser.head);
  out.body = std::move(parser.body);
  if (parser.keep_alive()) impl_->release(std::move(c));
  co_return out;
}

awaitable<std::variant<UpstreamStream, UpstreamError>> UpstreamClient::open(
    std::string_view method, std::string_view path, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  const OutgoingRequest req = impl_->make_request(method, path, body, headers);
  auto s = std::make_unique<UpstreamStream::Impl>();
  s->client = impl_.get();
  s->parser.body_limit(impl_->options.body_limit);
  auto sent = co_await impl_->send(req, &s->parser, nullptr);
  if (auto* e = std::get_if<UpstreamError>(&sent)) co_return *e;
  s->connection = std::move(std::get<0>(sent));
  s->head = head_of(s->parser.get().base());
  co_return UpstreamStream(std::move(s));
}

}  // namespace ff::net
