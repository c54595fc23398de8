// MessageReader: a Beast parser that fills a header list (names lower-cased)
// and a body string the caller owns, with no message object in between. The
// server reads requests with it into the Request a connection reuses (its
// strings keep their capacity), the gateway's upstream client reads whole
// answers with it. A subclass takes the start line.
//
// read_message: feeds a parser from a stream until a condition holds, as
// Beast's http::async_read does, as one coroutine.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

namespace ff::net {

// Room kept after a body for a JSON parser's padding: simdjson reads up to 64
// bytes past the end of what it parses, and with that room in the string's
// capacity it parses the body where it is instead of copying it first.
inline constexpr std::size_t kParsePadding = 64;

// Lower-cases the ASCII letters of a header name, eight bytes at a time: the
// parser has checked that a name is a token (ASCII only), and every request
// and answer has several. Bytes of 0x80 and above are left as they are.
inline void lower_ascii(std::string& s) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  char* p = s.data();
  std::size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    if ((x & kHigh) != 0) break;
    // Per byte b < 0x80 (no carry into the next): the high bit of b + (0x80 - 'A')
    // is set when b >= 'A', that of b + (0x80 - 'Z' - 1) when b > 'Z'.
    const std::uint64_t upper = (x + kOnes * (0x80 - 'A')) & ~(x + kOnes * (0x80 - 'Z' - 1)) & kHigh;
    x |= upper >> 2;  // 0x80 >> 2 is 0x20, the case bit
    std::memcpy(p, &x, 8);
  }
  for (; n > 0; ++p, --n) {
    if (*p >= 'A' && *p <= 'Z') *p = static_cast<char>(*p - 'A' + 'a');
  }
}

template <bool isRequest>
class MessageReader : public boost::beast::http::basic_parser<isRequest> {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  MessageReader(Headers& headers, std::string& body) : headers_(headers), body_(body) {}
  // Keeps only the fields of these (lower-case) names; every field when never
  // called. A client that reads two fields of an answer's dozen copies two.
  // `names` must outlive the reader.
  void keep_only(const std::vector<std::string>& names) { keep_ = &names; }

 protected:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int, string_view, int, error_code&) override {}
  // Entries already in the list are overwritten, then the list is cut to the
  // fields read: a reused list stops allocating once its strings have grown.
  void on_field_impl(boost::beast::http::field, string_view name, string_view value, error_code&) override {
    if (keep_ != nullptr && !kept(name)) return;
    if (fields_ == headers_.size()) headers_.emplace_back();
    auto& [n, v] = headers_[fields_++];
    n.assign(name.data(), name.size());
    lower_ascii(n);
    v.assign(value.data(), value.size());
  }
  void on_header_impl(error_code&) override { headers_.resize(fields_); }
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    body_.clear();
    if (length) body_.reserve(static_cast<std::size_t>(*length) + kParsePadding);  // within body_limit, checked before
  }
  std::size_t on_body_impl(string_view data, error_code&) override {
    body_.append(data.data(), data.size());
    return data.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view data, error_code&) override {
    body_.append(data.data(), data.size());
    return data.size();
  }
  void on_finish_impl(error_code&) override {}

 private:
  bool kept(string_view name) const {
    for (const std::string& k : *keep_) {
      if (boost::beast::iequals(name, k)) return true;
    }
    return false;
  }

  Headers& headers_;
  std::string& body_;
  std::size_t fields_ = 0;
  const std::vector<std::string>* keep_ = nullptr;
};

// The two conditions read_message is used with: the header, or the whole message.
inline constexpr auto kHeaderRead = [](const auto& parser) { return parser.is_header_done(); };
inline constexpr auto kMessageRead = [](const auto& parser) { return parser.is_done(); };

// Parses what `buffer` holds and reads more from `stream` (a socket or a TLS
// stream) while the parser needs it, until `done(parser)`: the steps and errors
// of Beast's http::async_read (reads of up to 64 KB; end_of_stream when the peer
// closed before sending anything, partial_message when it closed mid-way; the
// parser's own errors such as header_limit), without its layers of composed
// operations around each read. Bytes past the message stay in `buffer`.
template <class Stream, bool isRequest, class Done>
boost::asio::awaitable<boost::beast::error_code> read_message(Stream& stream, boost::beast::flat_buffer& buffer,
                                                              boost::beast::http::basic_parser<isRequest>& parser,
                                                              Done done) {
  namespace http = boost::beast::http;
  boost::beast::error_code ec;
  for (;;) {
    while (buffer.size() > 0 && !done(parser)) {
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      if (ec) co_return ec;
      if (used == 0) break;
    }
    if (done(parser)) co_return ec;
    const std::size_t size = boost::beast::read_size(buffer, 65536);
    if (size == 0) co_return http::error::buffer_overflow;
    const auto space = buffer.prepare(size);
    auto [read_ec, n] = co_await stream.async_read_some(space, boost::asio::as_tuple(boost::asio::use_awaitable));
    buffer.commit(n);
    if (read_ec == boost::asio::error::eof) {
      if (!parser.got_some()) co_return http::error::end_of_stream;
      parser.put_eof(ec);  // complete if the message ends at the close, else partial_message
      co_return ec;
    }
    if (read_ec) co_return read_ec;
  }
}

}  // namespace ff::net
