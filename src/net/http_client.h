// UpstreamClient: HTTP/1.1 to the DeepSeek API (or anything that speaks it, such
// as `flashfirst sim`), over TLS with certificate and host-name verification, or
// plain TCP for loopback.
//
// Connections are kept alive and reused (a small pool per client). Every step
// has a timeout: connecting, the first byte of the answer, and each later read
// (idle); a body over `body_limit` is refused. Calls are coroutines on the
// executor the client was made with, and that executor must be single-threaded
// (the gateway's server thread): the pool is not locked.
//
// Errors are values: a transport failure (cannot connect, timeout, reset) comes
// back as an UpstreamError, never as an exception; an HTTP error status is a
// normal response.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/result.h"

namespace ff::net {

struct UpstreamOptions {
  std::string base_url;  // "https://api.deepseek.com" or "http://127.0.0.1:8787"
  std::string api_key;   // sent as "Authorization: Bearer ..."; never logged
  std::chrono::milliseconds connect_timeout{10'000};
  // Thinking models can take minutes before the first byte of a non-stream answer.
  std::chrono::milliseconds first_byte_timeout{600'000};
  std::chrono::milliseconds idle_timeout{300'000};  // between reads once the answer flows
  std::size_t body_limit = 64u << 20;
  std::size_t pool_size = 64;  // idle connections kept
  bool verify_tls = true;
  std::string ca_file;  // extra CA bundle (PEM); the system's store otherwise
  // The fields of a whole answer's head (request()) kept in its UpstreamHead,
  // by lower-case name; every field when empty. A stream's head keeps all.
  std::vector<std::string> answer_fields;
};

struct UpstreamError {
  // kOverloaded: no account had room for the call within the queue's wait.
  enum class Kind { kConnect, kTimeout, kBroken, kTooLarge, kProtocol, kOverloaded };
  Kind kind = Kind::kBroken;
  std::string message;
};

struct UpstreamHead {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string_view header(std::string_view name) const;
};

struct UpstreamResponse {
  UpstreamHead head;
  std::string body;
};

class UpstreamClient;

// A response being read piece by piece (SSE streams).
class UpstreamStream {
 public:
  // A stream whose head and body pieces are given (a test's fake upstream).
  static UpstreamStream canned(UpstreamHead head, std::vector<std::string> pieces);

  ~UpstreamStream();
  UpstreamStream(UpstreamStream&&) noexcept;
  UpstreamStream& operator=(UpstreamStream&&) noexcept;

  const UpstreamHead& head() const;
  // Runs `done` once the stream is finished with (destroyed), e.g. to free the
  // account's slot it was opened on.
  void on_end(std::function<void()> done);
  // The next piece of the body (de-chunked), or nullopt at its end; an error if
  // the connection broke or went idle too long.
  boost::asio::awaitable<std::variant<std::optional<std::string>, UpstreamError>> next();

  struct Impl;
  explicit UpstreamStream(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// What the gateway calls upstream through: the real client below, or a test's
// fake. Called from one thread (the server's event loop).
class Upstream {
 public:
  virtual ~Upstream() = default;
  // One request, the whole answer read.
  virtual boost::asio::awaitable<std::variant<UpstreamResponse, UpstreamError>> request(
      std::string_view method, std::string_view path, std::string_view body,
      const std::vector<std::pair<std::string, std::string>>& headers) = 0;
  // One request whose answer is read as it comes.
  virtual boost::asio::awaitable<std::variant<UpstreamStream, UpstreamError>> open(
      std::string_view method, std::string_view path, std::string_view body,
      const std::vector<std::pair<std::string, std::string>>& headers) = 0;
};

// HTTP/1.1 to the DeepSeek API (or the simulator): keep-alive connections, TLS
// with verification, the timeouts of UpstreamOptions.
class UpstreamClient final : public Upstream {
 public:
  // Fails on a base URL that is not http(s)://host[:port][/path].
  static core::Result<std::unique_ptr<UpstreamClient>> create(boost::asio::any_io_executor executor,
                                                              UpstreamOptions options);
  ~UpstreamClient() override;

  boost::asio::awaitable<std::variant<UpstreamResponse, UpstreamError>> request(
      std::string_view method, std::string_view path, std::string_view body,
      const std::vector<std::pair<std::string, std::string>>& headers) override;
  boost::asio::awaitable<std::variant<UpstreamStream, UpstreamError>> open(
      std::string_view method, std::string_view path, std::string_view body,
      const std::vector<std::pair<std::string, std::string>>& headers) override;

  const UpstreamOptions& options() const;
  // "https://api.deepseek.com" -> "api.deepseek.com:443", for messages.
  std::string endpoint() const;

  struct Impl;

 private:
  explicit UpstreamClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ff::net
