#include "gateway/accounts.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ff::gateway {

namespace asio = boost::asio;
using asio::awaitable;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {
std::size_t index(core::Tier t) { return t == core::Tier::kPro ? 1 : 0; }
}  // namespace

struct Accounts::State : std::enable_shared_from_this<Accounts::State> {
  struct Slotted {
    Account config;
    std::array<std::int64_t, 2> in_flight{};
    std::uint64_t rerouted = 0;  // its 429s moved to another account
    bool serves(core::Tier t) const {
      return config.tiers.empty() || std::find(config.tiers.begin(), config.tiers.end(), t) != config.tiers.end();
    }
  };
  // A call waiting for a slot: woken (its timer cancelled) when one frees. It
  // leaves the queue when it goes, whether woken, timed out or destroyed.
  struct Waiter {
    Waiter(std::weak_ptr<State> s, std::size_t t) : state(std::move(s)), tier(t), timer(state.lock()->executor) {}
    ~Waiter() {
      if (auto s = state.lock(); s && !woken) std::erase(s->waiting[tier], this);
    }
    std::weak_ptr<State> state;
    std::size_t tier;
    asio::steady_timer timer;
    bool woken = false;
  };

  asio::any_io_executor executor;
  std::vector<Slotted> accounts;
  Queue queue;
  std::function<core::Tier(std::string_view)> tier_of;
  std::array<std::deque<Waiter*>, 2> waiting;
  std::array<std::uint64_t, 2> waits{}, timeouts{}, full{};
  std::array<double, 2> wait_seconds{};

  // `a` answered 429 (rate limited): another account with room for `tier` that
  // was not tried yet takes the call, or null when there is none.
  Slotted* reroute(Slotted& a, core::Tier tier, std::vector<const Slotted*>& tried) {
    tried.push_back(&a);
    Slotted* next = pick(tier, tried);
    if (next != nullptr) ++a.rerouted;
    return next;
  }

  // The account with room for `tier` and the fewest in flight for its weight, not in `tried`.
  Slotted* pick(core::Tier tier, const std::vector<const Slotted*>& tried) {
    const std::size_t t = index(tier);
    Slotted* best = nullptr;
    double best_load = std::numeric_limits<double>::max();
    for (Slotted& a : accounts) {
      if (!a.serves(tier) || a.in_flight[t] >= a.config.limit[t]) continue;
      if (std::find(tried.begin(), tried.end(), &a) != tried.end()) continue;
      const double load = static_cast<double>(a.in_flight[t]) / a.config.weight;
      if (load < best_load) best = &a, best_load = load;
    }
    if (best != nullptr) ++best->in_flight[index(tier)];
    return best;
  }

  // A slot for `tier`, waiting in the queue when there is none; nullptr and `why` when none came.
  awaitable<Slotted*> acquire(core::Tier tier, std::string& why) {
    const std::size_t t = index(tier);
    if (waiting[t].empty()) {  // no one is ahead: take a free slot at once
      if (Slotted* a = pick(tier, {})) co_return a;
    }
    if (waiting[0].size() + waiting[1].size() >= queue.length) {
      ++full[t];
      why = fmt::format("every DeepSeek account is at its concurrency limit for {} and the gateway's queue is "
                        "full ({} waiting)",
                        core::tier_name(tier), queue.length);
      co_return nullptr;
    }
    ++waits[t];
    const auto since = std::chrono::steady_clock::now();
    const auto deadline = since + queue.wait;
    Slotted* got = nullptr;
    while (got == nullptr && std::chrono::steady_clock::now() < deadline) {
      Waiter w(weak_from_this(), t);
      w.timer.expires_at(deadline);
      waiting[t].push_back(&w);
      co_await w.timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (w.woken) got = pick(tier, {});
    }
    wait_seconds[t] += std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
    if (got == nullptr) {
      ++timeouts[t];
      why = fmt::format("every DeepSeek account is at its concurrency limit for {}; waited {} ms for a slot",
                        core::tier_name(tier), queue.wait.count());
    }
    co_return got;
  }

  void release(Slotted& a, core::Tier tier) {
    const std::size_t t = index(tier);
    --a.in_flight[t];
    if (!waiting[t].empty()) {  // the first in line takes the slot
      Waiter* w = waiting[t].front();
      waiting[t].pop_front();
      w->woken = true;
      w->timer.cancel();
    }
  }
};

Accounts::Accounts(asio::any_io_executor executor, std::vector<Account> accounts, Queue queue,
                   std::function<core::Tier(std::string_view)> tier_of)
    : state_(std::make_shared<State>()) {
  state_->executor = std::move(executor);
  for (Account& a : accounts) state_->accounts.push_back({std::move(a)});
  state_->queue = queue;
  state_->tier_of = std::move(tier_of);
}

Accounts::~Accounts() = default;

awaitable<std::variant<net::UpstreamResponse, net::UpstreamError>> Accounts::request(std::string_view method,
                                                                                      std::string_view path,
                                                                                      std::string_view body,
                                                                                      const Headers& headers) {
  State& s = *state_;
  const core::Tier tier = s.tier_of(body);
  std::string why;
  State::Slotted* a = co_await s.acquire(tier, why);
  if (a == nullptr) co_return net::UpstreamError{net::UpstreamError::Kind::kOverloaded, why};
  std::vector<const State::Slotted*> tried;
  for (;;) {
    auto res = co_await a->config.client->request(method, path, body, headers);
    s.release(*a, tier);
    const auto* ok = std::get_if<net::UpstreamResponse>(&res);
    if (ok == nullptr || ok->head.status != 429) co_return res;
    State::Slotted* next = s.reroute(*a, tier, tried);
    if (next == nullptr) co_return res;
    a = next;
  }
}

awaitable<std::variant<net::UpstreamStream, net::UpstreamError>> Accounts::open(std::string_view method,
                                                                                std::string_view path,
                                                                                std::string_view body,
                                                                                const Headers& headers) {
  State& s = *state_;
  const core::Tier tier = s.tier_of(body);
  std::string why;
  State::Slotted* a = co_await s.acquire(tier, why);
  if (a == nullptr) co_return net::UpstreamError{net::UpstreamError::Kind::kOverloaded, why};
  std::vector<const State::Slotted*> tried;
  for (;;) {
    auto res = co_await a->config.client->open(method, path, body, headers);
    auto* stream = std::get_if<net::UpstreamStream>(&res);
    if (stream == nullptr) {
      s.release(*a, tier);
      co_return res;
    }
    // The slot is the stream's until it is finished with.
    stream->on_end([held = std::weak_ptr<State>(state_), a, tier] {
      if (auto s = held.lock()) s->release(*a, tier);
    });
    if (stream->head().status != 429) co_return res;
    State::Slotted* next = s.reroute(*a, tier, tried);
    if (next == nullptr) co_return res;
    res = net::UpstreamError{};  // the 429 stream is dropped (its slot freed) before the next call
    a = next;
  }
}

std::string Accounts::metrics_text() const {
  const State& s = *state_;
  std::string out =
      "# HELP flashfirst_upstream_in_flight Calls in flight per DeepSeek account and tier.\n"
      "# TYPE flashfirst_upstream_in_flight gauge\n";
  constexpr core::Tier kTiers[] = {core::Tier::kFlash, core::Tier::kPro};
  for (const State::Slotted& a : s.accounts) {
    for (core::Tier t : kTiers) {
      out += fmt::format("flashfirst_upstream_in_flight{{account=\"{}\",tier=\"{}\"}} {}\n", a.config.name,
                         core::tier_name(t), a.in_flight[index(t)]);
    }
  }
  out += "# HELP flashfirst_upstream_queue_length Calls waiting for an account's slot.\n"
         "# TYPE flashfirst_upstream_queue_length gauge\n";
  for (core::Tier t : kTiers) {
    out += fmt::format("flashfirst_upstream_queue_length{{tier=\"{}\"}} {}\n", core::tier_name(t),
                       s.waiting[index(t)].size());
  }
  auto counter = [&](const char* name, const char* help, const auto& values) {
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help, name);
    for (core::Tier t : kTiers) {
      out += fmt::format("{}{{tier=\"{}\"}} {}\n", name, core::tier_name(t), values[index(t)]);
    }
  };
  counter("flashfirst_upstream_queue_waits_total", "Calls that waited for a slot.", s.waits);
  counter("flashfirst_upstream_queue_wait_seconds_total", "Time calls spent waiting for a slot.", s.wait_seconds);
  counter("flashfirst_upstream_queue_timeouts_total", "Calls whose wait for a slot ran out (429 to the client).",
          s.timeouts);
  counter("flashfirst_upstream_queue_full_total", "Calls refused because the queue was full (429 to the client).",
          s.full);
  out += "# HELP flashfirst_upstream_rerouted_429_total An account's 429s moved to another account.\n"
         "# TYPE flashfirst_upstream_rerouted_429_total counter\n";
  for (const State::Slotted& a : s.accounts) {
    out += fmt::format("flashfirst_upstream_rerouted_429_total{{account=\"{}\"}} {}\n", a.config.name, a.rerouted);
  }
  return out;
}

}  // namespace ff::gateway
