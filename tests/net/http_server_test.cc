// HttpServer over real loopback sockets: answers, keep-alive, chunked streams,
// and the bad clients it must survive (malformed, oversized, slow).
#include "net/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <thread>

#include <gtest/gtest.h>

namespace ff::net {
namespace {

class Server {
 public:
  explicit Server(ServerOptions o) : server_(std::move(o), [](const Request& r) { return handle(r); }) {
    EXPECT_TRUE(server_.listen().ok());
    thread_ = std::thread([this] { server_.run(false); });
  }
  ~Server() {
    server_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return server_.port(); }
  void stop() { server_.stop(); }

 private:
  static Response handle(const Request& r) {
    if (r.path() == "/slow") {
      Response s = Response::json(200, "{\"slow\":true}");
      s.stream = std::vector<Chunk>{{std::chrono::milliseconds(300), "{\"slow\":true}"}};
      return s;
    }
    if (r.path() == "/sum") {  // the body's length and FNV-1a hash, to check it arrived intact
      std::uint32_t h = 2166136261u;
      for (unsigned char c : r.body) h = (h ^ c) * 16777619u;
      return Response::json(200, "{\"bytes\":" + std::to_string(r.body.size()) + ",\"fnv\":" + std::to_string(h) + "}");
    }
    if (r.path() == "/lines") {  // header lines written as text, after the pairs
      Response l = Response::json(200, "{}");
      append_header(l.header_lines, "x-a", "1");
      append_header(l.header_lines, "x-b", "two words");
      return l;
    }
    if (r.path() == "/stream") {
      Response s;
      s.headers.emplace_back("content-type", "text/event-stream");
      append_header(s.header_lines, "x-c", "3");
      s.stream = std::vector<Chunk>{{std::chrono::milliseconds(0), "data: 1\n\n"},
                                    {std::chrono::milliseconds(20), "data: 2\n\n"}};
      return s;
    }
    return Response::json(200, "{\"method\":\"" + r.method + "\",\"path\":\"" + std::string(r.path()) +
                                   "\",\"bytes\":" + std::to_string(r.body.size()) + ",\"x\":\"" +
                                   std::string(r.header("x-test")) + "\"}");
  }
  HttpServer server_;
  std::thread thread_;
};

// A blocking client socket with a receive timeout.
class Client {
 public:
  explicit Client(std::uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~Client() { close(fd_); }
  void send_all(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }
  // Ends what this client sends (the peer reads end of stream); it can still read.
  void shutdown_send() { ::shutdown(fd_, SHUT_WR); }
  // Reads until the peer closes (or the timeout).
  std::string read_all() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd_, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }
  // Reads until `marker` has arrived.
  std::string read_until(const std::string& marker) {
    std::string out;
    char buf[4096];
    while (out.find(marker) == std::string::npos) {
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_;
};

TEST(HttpServer, AnswersAndKeepsTheConnectionAlive) {
  Server s(ServerOptions{});
  Client c(s.port());
  c.send_all("POST /a?q=1 HTTP/1.1\r\nHost: x\r\nX-Test: yes\r\nContent-Length: 5\r\n\r\nhello");
  std::string first = c.read_until("}");
  EXPECT_EQ(first.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << first;
  EXPECT_NE(first.find(R"({"method":"POST","path":"/a","bytes":5,"x":"yes"})"), std::string::npos) << first;
  c.send_all("GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string second = c.read_all();
  EXPECT_NE(second.find(R"({"method":"GET","path":"/b","bytes":0,"x":""})"), std::string::npos) << second;
}

TEST(HttpServer, WritesHeaderLinesAfterTheHeaderPairs) {
  Server s(ServerOptions{});
  Client c(s.port());
  c.send_all("GET /lines HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string r = c.read_all();
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("\r\ncontent-type: application/json\r\nx-a: 1\r\nx-b: two words\r\nContent-Length: 2\r\n"),
            std::string::npos)
      << r;
  EXPECT_EQ(r.substr(r.size() - 6), "\r\n\r\n{}") << r;
}

TEST(HttpServer, ReadsAChunkedBodyThenAnHttp10Request) {
  Server s(ServerOptions{});
  Client c(s.port());
  // "hello" + " world": 11 bytes in two chunks; the next request's shorter
  // header list must not keep the first one's X-Test.
  c.send_all(
      "POST /c HTTP/1.1\r\nHost: x\r\nX-Test: one\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  std::string first = c.read_until("}");
  EXPECT_NE(first.find(R"({"method":"POST","path":"/c","bytes":11,"x":"one"})"), std::string::npos) << first;
  // HTTP/1.0 without keep-alive: answered as 1.0, then the connection closes.
  c.send_all("PUT /d HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi");
  std::string second = c.read_all();
  EXPECT_EQ(second.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << second;
  EXPECT_NE(second.find(R"({"method":"PUT","path":"/d","bytes":2,"x":""})"), std::string::npos) << second;
}

TEST(HttpServer, StreamsChunks) {
  Server s(ServerOptions{});
  Client c(s.port());
  c.send_all("GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string r = c.read_all();
  EXPECT_NE(r.find("\r\ncontent-type: text/event-stream\r\nx-c: 3\r\nTransfer-Encoding: chunked\r\n"),
            std::string::npos)
      << r;
  // Chunk sizes in hex, then the data, then the last chunk.
  EXPECT_NE(r.find("\r\n\r\n9\r\ndata: 1\n\n\r\n9\r\ndata: 2\n\n\r\n0\r\n\r\n"), std::string::npos) << r;
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
  Server s(ServerOptions{});
  Client c(s.port());
  // Three requests in one write: what follows each message stays buffered for the next.
  c.send_all(
      "POST /p1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab"
      "GET /p2 HTTP/1.1\r\nHost: x\r\nX-Test: two\r\n\r\n"
      "POST /p3 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nxyz");
  const std::string r = c.read_all();
  const auto a = r.find(R"({"method":"POST","path":"/p1","bytes":2,"x":""})");
  const auto b = r.find(R"({"method":"GET","path":"/p2","bytes":0,"x":"two"})");
  const auto d = r.find(R"({"method":"POST","path":"/p3","bytes":3,"x":""})");
  ASSERT_NE(a, std::string::npos) << r;
  ASSERT_NE(b, std::string::npos) << r;
  ASSERT_NE(d, std::string::npos) << r;
  EXPECT_LT(a, b);
  EXPECT_LT(b, d);
}

TEST(HttpServer, ARequestCutShortIs400) {
  Server s(ServerOptions{});
  // The client ends its side after 3 of 10 body bytes, then in the header: told
  // why (it may still read), and the server goes on.
  for (const char* part : {"POST /cut HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
                           "POST /cut HTTP/1.1\r\nHost: x\r\nContent-Le"}) {
    Client c(s.port());
    c.send_all(part);
    c.shutdown_send();
    const std::string r = c.read_all();
    EXPECT_EQ(r.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << r;
    EXPECT_NE(r.find(R"("message":"malformed HTTP request: partial message")"), std::string::npos) << r;
  }
  Client c(s.port());
  c.send_all("GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(c.read_all().find(R"("path":"/after")"), std::string::npos);
}

TEST(HttpServer, MalformedRequestIs400) {
  Server s(ServerOptions{});
  Client c(s.port());
  c.send_all("THIS IS NOT HTTP\r\n\r\n");
  std::string r = c.read_all();
  EXPECT_EQ(r.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << r;
  EXPECT_NE(r.find(R"("code":"bad_request")"), std::string::npos);
}

TEST(HttpServer, OversizedBodyIs413AndHeadersAre431) {
  ServerOptions o;
  o.body_limit = 1000;
  o.header_limit = 2000;
  Server s(o);
  {
    Client c(s.port());
    c.send_all("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x'));
    std::string r = c.read_all();
    EXPECT_EQ(r.rfind("HTTP/1.1 413 Payload Too Large\r\n", 0), 0u) << r;
  }
  {
    // A length that would take the large-body path is refused from the header alone.
    Client c(s.port());
    c.send_all("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n");
    std::string r = c.read_all();
    EXPECT_EQ(r.rfind("HTTP/1.1 413 Payload Too Large\r\n", 0), 0u) << r;
  }
  {
    Client c(s.port());
    c.send_all("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(5000, 'y') + "\r\n\r\n");
    std::string r = c.read_all();
    EXPECT_EQ(r.rfind("HTTP/1.1 431 Request Header Fields Too Large\r\n", 0), 0u) << r;
  }
}

TEST(HttpServer, SlowClientGets408AndTheServerStillServes) {
  ServerOptions o;
  o.read_timeout = std::chrono::milliseconds(200);
  Server s(o);
  Client slow(s.port());
  slow.send_all("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");  // 7 bytes never come
  std::string r = slow.read_all();
  EXPECT_EQ(r.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << r;
  Client ok(s.port());
  ok.send_all("GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(ok.read_all().find(R"("path":"/after")"), std::string::npos);
}

// A body of 1 MiB + 7 bytes (read straight into the request, not through
// Beast's loop), sent in 64 KiB pieces with pauses, with the next request right
// behind it in the same stream: every byte arrives, and nothing of the next
// request is taken for the body.
// A small body whose first part comes with the header and the rest later, in
// both framings (the part parsed from the buffer, the rest read).
TEST(HttpServer, ASmallBodySplitAfterTheHeaderIsReadWhole) {
  Server s(ServerOptions{});
  Client c(s.port());
  c.send_all("POST /sum HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  c.send_all(" world");
  // FNV-1a of "hello world" is 0xd58b3fa7 = 3582672807.
  EXPECT_NE(c.read_until("}").find(R"({"bytes":11,"fnv":3582672807})"), std::string::npos);
  // Cut inside the first chunk's size line: too little to parse yet.
  c.send_all("POST /sum HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  c.send_all("\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  EXPECT_NE(c.read_all().find(R"({"bytes":11,"fnv":3582672807})"), std::string::npos);
}

TEST(HttpServer, ALargeBodyArrivingInPiecesIsReadWhole) {
  Server s(ServerOptions{});
  Client c(s.port());
  std::string body(1024 * 1024 + 7, '\0');
  std::uint32_t h = 2166136261u;  // FNV-1a, as the handler computes it
  for (std::size_t i = 0; i < body.size(); ++i) {
    body[i] = static_cast<char>('a' + (i * 7919) % 26);
    h = (h ^ static_cast<unsigned char>(body[i])) * 16777619u;
  }
  const std::string next = "GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const std::string all =
      "POST /sum HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body + next;
  for (std::size_t off = 0; off < all.size(); off += 64 * 1024) {
    c.send_all(all.substr(off, 64 * 1024));
    if (off % (256 * 1024) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::string r = c.read_all();
  EXPECT_NE(r.find("{\"bytes\":1048583,\"fnv\":" + std::to_string(h) + "}"), std::string::npos) << r.substr(0, 300);
  EXPECT_NE(r.find(R"("path":"/after")"), std::string::npos) << r.substr(0, 600);
}

// A client that stops half way through a large body gets a 408, like one that
// stops in a small body, and the server keeps serving.
TEST(HttpServer, ALargeBodyThatStopsComingGets408) {
  ServerOptions o;
  o.read_timeout = std::chrono::milliseconds(300);
  Server s(o);
  Client slow(s.port());
  slow.send_all("POST /sum HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" + std::string(100000, 'x'));
  const std::string r = slow.read_all();
  EXPECT_EQ(r.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << r;
  Client ok(s.port());
  ok.send_all("GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(ok.read_all().find(R"("path":"/after")"), std::string::npos);
}

TEST(HttpServer, StopLetsARequestInProgressFinish) {
  Server s(ServerOptions{});
  Client c(s.port());
  c.send_all("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto start = std::chrono::steady_clock::now();
  s.stop();                      // while the answer is still 250 ms away
  std::string r = c.read_all();  // the answer, then the server closes the connection
  EXPECT_NE(r.find("{\"slow\":true}"), std::string::npos) << r;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace ff::net
