// Deadlines for socket operations, checked by a sweeper a few times a second:
// arming one is a store, where a timer per operation (beast::tcp_stream) costs
// thousands of instructions per read or write. The server's client connections
// and the gateway's upstream connections both use it.
//
// Single-threaded: a sweeper and its deadlines belong to one io_context thread.
#pragma once

#include <chrono>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace ff::net {

// One connection's deadline for the operation in progress.
struct Deadline {
  using Clock = std::chrono::steady_clock;
  boost::asio::ip::tcp::socket* socket = nullptr;   // set to null when the connection is gone
  Clock::time_point at = Clock::time_point::max();  // max: no operation in progress
  // On expiry: only cancel what is pending (the socket stays open, so the peer
  // can still be answered, e.g. with 408), or close the socket.
  bool cancel_only = false;
  bool expired = false;
};

class DeadlineSweeper {
 public:
  // Deadlines are checked every kSweep while any is armed, so one fires at most
  // kSweep late; with none armed the sweeper waits on nothing, and an io_context
  // with nothing else to do can return.
  static constexpr std::chrono::milliseconds kSweep{50};

  explicit DeadlineSweeper(boost::asio::any_io_executor executor);
  ~DeadlineSweeper();  // stops
  DeadlineSweeper(const DeadlineSweeper&) = delete;
  DeadlineSweeper& operator=(const DeadlineSweeper&) = delete;

  // A deadline for `socket`, watched until its `socket` is set to null.
  std::shared_ptr<Deadline> watch(boost::asio::ip::tcp::socket& socket);
  // The operation about to start must end within `within`.
  void arm(Deadline& d, Deadline::Clock::duration within, bool cancel_only = false);
  static void disarm(Deadline& d) { d.at = Deadline::Clock::time_point::max(); }
  // No deadline fires after this.
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the sweeping coroutine, which may outlive this
};

}  // namespace ff::net
