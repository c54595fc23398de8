// Accounts: several DeepSeek accounts behind one gateway, within DeepSeek's
// concurrency limits (per account: Flash 2,500 requests in flight, Pro 500;
// above that the API answers 429).
//
// A call goes to the account serving its tier with the fewest calls in flight
// for its weight. When every such account is at its limit the call waits in a
// bounded queue (first come, first served) instead of being sent into a 429; a
// call whose wait runs out, or that finds the queue full, fails with
// UpstreamError::kOverloaded (the gateway answers 429 with Retry-After). An
// upstream 429 moves the call to another account with room, if there is one.
// A stream holds its slot until it is finished with.
//
// Runs on the server's one thread (as the gateway does); not thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "core/usage.h"
#include "net/http_client.h"

namespace ff::gateway {

class Accounts final : public net::Upstream {
 public:
  struct Account {
    std::string name;
    std::unique_ptr<net::Upstream> client;  // with the account's key and base URL
    double weight = 1;
    std::vector<core::Tier> tiers;                // served tiers; empty: both
    std::array<std::int64_t, 2> limit{2500, 500};  // calls in flight at most: Flash, Pro
  };
  struct Queue {
    std::size_t length = 1000;                // calls waiting at most (all tiers)
    std::chrono::milliseconds wait{10'000};  // how long one may wait
  };
  // `tier_of` names the tier of a request body's model.
  Accounts(boost::asio::any_io_executor executor, std::vector<Account> accounts, Queue queue,
           std::function<core::Tier(std::string_view body)> tier_of);
  ~Accounts() override;

  boost::asio::awaitable<std::variant<net::UpstreamResponse, net::UpstreamError>> request(
      std::string_view method, std::string_view path, std::string_view body,
      const std::vector<std::pair<std::string, std::string>>& headers) override;
  boost::asio::awaitable<std::variant<net::UpstreamStream, net::UpstreamError>> open(
      std::string_view method, std::string_view path, std::string_view body,
      const std::vector<std::pair<std::string, std::string>>& headers) override;

  // In flight per account and tier, the queue, waits, timeouts and moved 429s (Prometheus text).
  std::string metrics_text() const;

  struct State;

 private:
  // Shared with the streams that hold slots and the calls waiting for one: at
  // shutdown they may be destroyed after the Accounts (they then free nothing).
  std::shared_ptr<State> state_;
};

}  // namespace ff::gateway
