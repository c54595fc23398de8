#include "net/deadline.h"

#include <list>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ff::net {

namespace asio = boost::asio;

struct DeadlineSweeper::State {
  explicit State(asio::any_io_executor ex) : timer(std::move(ex)) {}
  std::list<std::shared_ptr<Deadline>> deadlines;
  asio::steady_timer timer;
  bool running = false;
  bool stopped = false;

  static asio::awaitable<void> sweep(std::shared_ptr<State> self) {
    while (!self->stopped) {
      self->timer.expires_after(kSweep);
      co_await self->timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (self->stopped) break;
      const auto now = Deadline::Clock::now();
      bool armed = false;
      for (auto it = self->deadlines.begin(); it != self->deadlines.end();) {
        Deadline& d = **it;
        if (d.socket == nullptr) {
          it = self->deadlines.erase(it);
          continue;
        }
        if (d.at != Deadline::Clock::time_point::max() && !d.expired) {
          armed = true;
          if (now >= d.at) {
            d.expired = true;
            boost::system::error_code ignored;
            if (d.cancel_only) {
              d.socket->cancel(ignored);
            } else {
              d.socket->close(ignored);  // the operation in progress ends with an error
            }
          }
        }
        ++it;
      }
      if (!armed) break;
    }
    self->running = false;
  }
};

DeadlineSweeper::DeadlineSweeper(asio::any_io_executor executor)
    : state_(std::make_shared<State>(std::move(executor))) {}

DeadlineSweeper::~DeadlineSweeper() { stop(); }

std::shared_ptr<Deadline> DeadlineSweeper::watch(asio::ip::tcp::socket& socket) {
  auto d = std::make_shared<Deadline>();
  d->socket = &socket;
  state_->deadlines.push_back(d);
  return d;
}

void DeadlineSweeper::arm(Deadline& d, Deadline::Clock::duration within, bool cancel_only) {
  d.at = Deadline::Clock::now() + within;
  d.cancel_only = cancel_only;
  d.expired = false;
  if (!state_->running && !state_->stopped) {
    state_->running = true;
    asio::co_spawn(state_->timer.get_executor(), State::sweep(state_), asio::detached);
  }
}

void DeadlineSweeper::stop() {
  state_->stopped = true;
  state_->timer.cancel();
}

}  // namespace ff::net
