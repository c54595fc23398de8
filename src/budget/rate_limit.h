// Rate limits per virtual key: requests per minute (rpm), tokens per minute
// (tpm: a request's input plus the output it reserves, its max_tokens or the
// gateway's default) and requests in flight (max_concurrent).
//
// The minute is a sliding window kept exactly: one entry per admitted request,
// dropped 60 s after it. A client request counts once, whatever became of it
// (escalations and fallbacks are the same request). A refusal names the limit
// and says when to try again. Requests of other gateways sharing a PostgreSQL
// ledger are added as their rows arrive (add_other), so across instances a
// limit is passed by at most what the others admit in one look at the ledger
// (every --budget-sync-ms) plus what they have in flight: their rows are written
// when their answers end.
//
// Not thread-safe: the gateway's server thread owns it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ff::budget {

struct RateLimits {
  std::optional<std::int64_t> rpm;
  std::optional<std::int64_t> tpm;
  std::optional<std::int64_t> max_concurrent;
  bool any() const { return rpm || tpm || max_concurrent; }
};

class RateBook {
 public:
  static constexpr std::int64_t kWindowMs = 60'000;

  void set_limits(const std::string& key_hash, const std::string& key_name, RateLimits limits);
  bool has_limits(const std::string& key_hash) const;

  // One limit's state after an admission, for the x-ratelimit-* headers.
  struct Window {
    std::int64_t limit = 0;
    std::int64_t remaining = 0;
    std::int64_t reset_ms = 0;  // until the window is empty again
  };
  struct Admission {
    bool admitted = true;
    std::string refusal;  // which limit, e.g. "the rpm limit of key team-a (60 requests a minute) is reached"
    std::int64_t retry_after_ms = 0;
    std::optional<Window> requests, tokens;  // for keys with rpm / tpm
  };
  // Admits a request of `tokens` at `now_ms`, or refuses it. An admitted
  // request is in flight until release(); a refused one counts for nothing.
  Admission admit(const std::string& key_hash, std::int64_t tokens, std::int64_t now_ms);
  // The request admitted for the key has ended (for max_concurrent).
  void release(const std::string& key_hash);
  // Takes back an admitted request that was not made after all (refused by
  // its budget): it counts for nothing, and is no longer in flight.
  void undo(const std::string& key_hash, std::int64_t tokens, std::int64_t now_ms);
  // Another gateway's request (a row of a shared ledger) at `at_ms`; nothing
  // when it is a minute or more before `now_ms` (a ledger's history costs no memory).
  void add_other(const std::string& key_hash, std::int64_t tokens, std::int64_t at_ms, std::int64_t now_ms);

 private:
  struct Account {
    std::string name;
    RateLimits limits;
    std::deque<std::pair<std::int64_t, std::int64_t>> window;  // (admitted at, tokens), oldest first
    std::int64_t window_tokens = 0;
    std::int64_t in_flight = 0;
  };
  static void expire(Account& a, std::int64_t now_ms);
  std::map<std::string, Account> accounts_;
};

// A wait as OpenAI's x-ratelimit-reset-* headers write it: "250ms", "1s", "6.5s", "1m0s".
std::string reset_text(std::int64_t ms);

}  // namespace ff::budget
