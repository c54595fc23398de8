#include "budget/rate_limit.h"

#include <algorithm>

#include <fmt/format.h>

namespace ff::budget {

void RateBook::set_limits(const std::string& key_hash, const std::string& key_name, RateLimits limits) {
  if (!limits.any()) return;
  Account& a = accounts_[key_hash];
  a.name = key_name;
  a.limits = limits;
}

bool RateBook::has_limits(const std::string& key_hash) const { return accounts_.count(key_hash) > 0; }

void RateBook::expire(Account& a, std::int64_t now_ms) {
  while (!a.window.empty() && a.window.front().first + kWindowMs <= now_ms) {
    a.window_tokens -= a.window.front().second;
    a.window.pop_front();
  }
}

RateBook::Admission RateBook::admit(const std::string& key_hash, std::int64_t tokens, std::int64_t now_ms) {
  Admission out;
  auto it = accounts_.find(key_hash);
  if (it == accounts_.end()) return out;
  Account& a = it->second;
  expire(a, now_ms);
  const RateLimits& l = a.limits;
  // When the oldest entries leave the window, enough for this request to fit.
  auto wait_until_fits = [&](auto fits) {
    std::int64_t requests = static_cast<std::int64_t>(a.window.size()), sum = a.window_tokens;
    for (const auto& [at, t] : a.window) {
      --requests;
      sum -= t;
      if (fits(requests, sum)) return std::max<std::int64_t>(1, at + kWindowMs - now_ms);
    }
    return kWindowMs;
  };
  if (l.max_concurrent && a.in_flight >= *l.max_concurrent) {
    out.admitted = false;
    out.refusal = fmt::format("the max_concurrent limit of key {} ({} {} at once) is reached", a.name,
                              *l.max_concurrent, *l.max_concurrent == 1 ? "request" : "requests");
    out.retry_after_ms = 1000;  // unknown: when one of them ends
  } else if (l.rpm && static_cast<std::int64_t>(a.window.size()) >= *l.rpm) {
    out.admitted = false;
    out.refusal = fmt::format("the rpm limit of key {} ({} {} a minute) is reached", a.name, *l.rpm,
                              *l.rpm == 1 ? "request" : "requests");
    out.retry_after_ms = wait_until_fits([&](std::int64_t n, std::int64_t) { return n < *l.rpm; });
  } else if (l.tpm && a.window_tokens + tokens > *l.tpm) {
    out.admitted = false;
    if (tokens > *l.tpm) {
      out.refusal = fmt::format("the request's {} tokens (input and reserved output) are over the tpm limit of key "
                                "{} ({} tokens a minute); lower max_tokens",
                                tokens, a.name, *l.tpm);
      out.retry_after_ms = kWindowMs;
    } else {
      out.refusal = fmt::format("the tpm limit of key {} ({} tokens a minute) is reached: {} in the last minute, "
                                "this request {}",
                                a.name, *l.tpm, a.window_tokens, tokens);
      out.retry_after_ms = wait_until_fits([&](std::int64_t, std::int64_t sum) { return sum + tokens <= *l.tpm; });
    }
  }
  if (out.admitted) {
    a.window.emplace_back(now_ms, tokens);
    a.window_tokens += tokens;
    ++a.in_flight;
  }
  const std::int64_t reset = a.window.empty() ? 0 : a.window.back().first + kWindowMs - now_ms;
  if (l.rpm) {
    out.requests = Window{*l.rpm, std::max<std::int64_t>(0, *l.rpm - static_cast<std::int64_t>(a.window.size())),
                          reset};
  }
  if (l.tpm) out.tokens = Window{*l.tpm, std::max<std::int64_t>(0, *l.tpm - a.window_tokens), reset};
  return out;
}

void RateBook::release(const std::string& key_hash) {
  auto it = accounts_.find(key_hash);
  if (it != accounts_.end() && it->second.in_flight > 0) --it->second.in_flight;
}

void RateBook::undo(const std::string& key_hash, std::int64_t tokens, std::int64_t now_ms) {
  auto it = accounts_.find(key_hash);
  if (it == accounts_.end()) return;
  Account& a = it->second;
  for (auto e = a.window.rbegin(); e != a.window.rend(); ++e) {
    if (e->first == now_ms && e->second == tokens) {
      a.window_tokens -= tokens;
      a.window.erase(std::next(e).base());
      break;
    }
  }
  release(key_hash);
}

void RateBook::add_other(const std::string& key_hash, std::int64_t tokens, std::int64_t at_ms, std::int64_t now_ms) {
  auto it = accounts_.find(key_hash);
  if (it == accounts_.end() || at_ms + kWindowMs <= now_ms) return;
  Account& a = it->second;
  // In time order: rows arrive roughly in order; an older one goes where it belongs.
  auto pos = a.window.end();
  while (pos != a.window.begin() && std::prev(pos)->first > at_ms) --pos;
  a.window.insert(pos, {at_ms, tokens});
  a.window_tokens += tokens;
}

std::string reset_text(std::int64_t ms) {
  if (ms < 1000) return fmt::format("{}ms", std::max<std::int64_t>(0, ms));
  if (ms < 60'000) {
    std::string s = fmt::format("{:.3f}", static_cast<double>(ms) / 1000.0);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s + "s";
  }
  return fmt::format("{}m{}s", ms / 60'000, (ms % 60'000) / 1000);
}

}  // namespace ff::budget
