// The HTTP request parser as a client meets it: the real HttpServer on a
// loopback socket, the input sent as the client's bytes (one or more requests,
// pipelined, or garbage), then the client's half closed. Every answer must be
// HTTP with a status the server gives (200 from the handler, 400, 408, 413 or
// 431 from the server), the connection must close, and the server must not hang
// or crash.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <thread>

#include "fuzz_check.h"
#include "net/http_server.h"

namespace {

ff::net::HttpServer* g_server = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ff::net::ServerOptions o;
  // Limits small enough for the fuzzer's inputs to cross them; a body above
  // 64 KB (the server's direct-read path) fits under the body limit.
  o.header_limit = 1024;
  o.body_limit = 100'000;
  o.read_timeout = std::chrono::milliseconds(2000);
  // Never destroyed: its thread runs until the process ends, and a static
  // server was torn down under it at exit (UBSan: the reactor's vptr invalid,
  // reported against libFuzzer's last, empty input). Reachable from g_server,
  // so not a leak.
  g_server = new ff::net::HttpServer(o, [](const ff::net::Request& r) {
    return ff::net::Response::json(200, "{\"method\":" + std::to_string(r.method.size()) +
                                            ",\"body\":" + std::to_string(r.body.size()) + "}");
  });
  FF_FUZZ_CHECK(g_server->listen().ok(), "cannot listen");
  std::thread([] { g_server->run(false); }).detach();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  FF_FUZZ_CHECK(fd >= 0, "socket: %d", errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(g_server->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // libFuzzer's timer signal interrupts system calls: each is retried on EINTR.
  int rc;
  do {
    rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } while (rc != 0 && errno == EINTR);
  FF_FUZZ_CHECK(rc == 0, "connect: %d", errno);
  // Longer than the server's read timeout: a wait this long is a hang.
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::size_t sent = 0;
  while (sent < size) {
    const ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the server answered an error and closed before reading it all
    sent += static_cast<std::size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  std::string answer;
  char buf[4096];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      FF_FUZZ_CHECK(errno != EAGAIN && errno != EWOULDBLOCK, "the server neither answered nor closed in 5 s");
      break;  // reset: the server closed with bytes unread, which is allowed
    }
    answer.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);

  FF_FUZZ_CHECK(answer.empty() || answer.rfind("HTTP/1.", 0) == 0, "an answer that is not HTTP: %.40s",
                answer.c_str());
  // Each answer's status line: at the start, or right after the answer before
  // (whose body is JSON on one line, so a status line follows a "\r\n").
  for (std::size_t at = 0; at + 12 <= answer.size();) {
    const std::string status = answer.substr(at + 9, 3);
    FF_FUZZ_CHECK(status == "200" || status == "400" || status == "408" || status == "413" || status == "431",
                  "status %s", status.c_str());
    at = answer.find("\r\nHTTP/1.", at);
    if (at == std::string::npos) break;
    at += 2;
  }
  return 0;
}
