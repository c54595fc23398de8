#include "gateway/gateway.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <variant>

#include <fmt/format.h>
#include <simdjson.h>
#include <boost/asio.hpp>

#include "cascade/check.h"
#include "core/json_writer.h"
#include "core/text.h"
#include "core/thread_name.h"
#include "dashboard/dashboard.h"
#include "gateway/admission_stage.h"
#include "gateway/body_edit.h"
#include "gateway/feedback.h"
#include "gateway/metrics.h"
#include "gateway/reasoning_cache.h"
#include "gateway/request_stage.h"
#include "gateway/retry_policy.h"
#include "gateway/route_stage.h"
#include "gateway/stream_meter.h"
#include "gateway/tier_health.h"
#include "ledger/follower.h"
#include "ledger/ledger.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "pricing/price_book.h"
#include "router/router.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"
#include "wire/answer_stream.h"
#include "wire/errors.h"
#include "wire/responses.h"
#include "wire/sse.h"
#include "wire/usage.h"

namespace ff::gateway {

namespace asio = boost::asio;
namespace dom = simdjson::dom;
using asio::awaitable;
using Headers = std::vector<std::pair<std::string, std::string>>;
using net::UpstreamError;
using net::UpstreamResponse;
using net::UpstreamStream;

// The most of one upstream SSE event held while it is incomplete: DeepSeek's
// events are deltas of a few hundred bytes; a stream that never ends one is broken.
constexpr std::size_t kMaxSseEvent = 4 << 20;

std::string sha256_hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), md.data(), &n, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (unsigned int i = 0; i < n; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 15];
  }
  return out;
}

namespace {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

net::Response openai_error(int status, std::string_view message, std::string_view type, std::string_view code) {
  return net::Response::json(status, wire::error_body(wire::Protocol::kOpenAi, status, message, type, code));
}

// The upstream's model list with the names only the gateway serves put first:
// `auto` (the router decides), `flash` and `pro` (a tier). A list not in the
// OpenAI shape (no `data` array) is passed as it came.
std::string with_gateway_models(const std::string& list) {
  const auto data = find_member(list, "data");
  if (!data || data->length < 2 || list[data->offset] != '[') return list;
  const bool empty = array_elements(std::string_view(list).substr(data->offset, data->length)).empty();
  std::string entries;
  for (const char* id : {"auto", "flash", "pro"}) {
    entries += fmt::format(R"({{"id":"{}","object":"model","owned_by":"flashfirst"}},)", id);
  }
  if (empty) entries.pop_back();
  std::string out = list;
  out.insert(data->offset + 1, entries);
  return out;
}

}  // namespace

// The writer a request's handling answers through: it passes everything on to
// the server's writer and remembers the status sent, the error message of an
// error answer, and whether the request's access-log line was written, so that
// handle() can write the line of any request that ended without one (every
// client request writes exactly one).
class LoggedWriter final : public net::ResponseWriter {
 public:
  explicit LoggedWriter(net::ResponseWriter& inner) : inner_(inner) {}
  awaitable<bool> send(net::Response r) override {
    status = r.status;
    r.headers.insert(r.headers.end(), extra_headers.begin(), extra_headers.end());
    if (r.status >= 400) {
      thread_local dom::parser p;
      std::string_view msg;
      dom::element e;
      if (!p.parse(r.body).get(e) && !e["error"]["message"].get_string().get(msg)) error.assign(msg);
    }
    return inner_.send(std::move(r));
  }
  awaitable<bool> start(int s, std::vector<std::pair<std::string, std::string>> headers) override {
    status = s;
    headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
    return inner_.start(s, std::move(headers));
  }
  awaitable<bool> write(std::string_view data) override { return inner_.write(data); }
  awaitable<bool> finish() override { return inner_.finish(); }
  void abort() override { inner_.abort(); }
  bool started() const override { return inner_.started(); }

  int status = 0;
  std::string error;
  bool logged = false;
  // Sent with whatever answer goes out (the key's x-ratelimit-* figures).
  std::vector<std::pair<std::string, std::string>> extra_headers;
  // Time spent waiting on upstream calls for this request (the rest is the gateway's own).
  std::chrono::nanoseconds upstream{0};

 private:
  net::ResponseWriter& inner_;
};

namespace {

using wire::Protocol;

// An error in the client's protocol (wire/errors.h).
net::Response error_response(Protocol p, int status, std::string_view message, std::string_view type,
                             std::string_view code) {
  return net::Response::json(status, wire::error_body(p, status, message, type, code));
}

// Header values are ASCII on one line: other bytes are percent-encoded (a reason
// may quote a Chinese cue). Appends `s` so encoded to `out`.
void append_header_value(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.reserve(out.size() + s.size());
  std::size_t plain = 0;  // start of the run of bytes copied as they are
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '%') continue;
    out.append(s.substr(plain, i - plain));
    const char encoded[3] = {'%', kHex[c >> 4], kHex[c & 15]};
    out.append(encoded, 3);
    plain = i + 1;
  }
  out.append(s.substr(plain));
}

// The `flashfirst` object a stream's last event carries: the answer's row, and
// `cost` for the whole request (both calls when it was escalated).
std::string figures_json(const ledger::Row& row, bool escalated, core::Money cost) {
  core::JsonWriter f(true);
  f.begin_object();
  f.key("request_id").value(row.request_id);
  f.key("model").value(row.routed_model);
  f.key("category").value(row.category);
  f.key("escalated").value(escalated);
  f.key("cost").value(cost.to_decimal());
  f.key("cost_if_pro").value(row.cost_if_pro.to_decimal());
  f.key("currency").value(row.currency);
  f.end_object();
  return f.str();
}

// What the cascade checks an answer against, from the client's request (parsed)
// in the protocol's own shape. Most requests define no tools and ask for no
// JSON format, and are read no further; `cap`: the output cap the request names.
cascade::Terms terms_of(wire::Protocol protocol, const dom::element& request, std::int64_t cap) {
  dom::element present;
  const bool format = !request[protocol == wire::Protocol::kResponses ? "text" : "response_format"].get(present);
  if (!format && request["tools"].get(present)) {
    cascade::Terms t;
    t.capped = cap > 0;
    return t;
  }
  switch (protocol) {
    case wire::Protocol::kOpenAi:
      return cascade::chat_terms(request);
    case wire::Protocol::kResponses:
      return cascade::responses_terms(request);
    case wire::Protocol::kAnthropic:
      break;
  }
  return cascade::messages_terms(request);
}

// The cascade's check of an answer (parsed) against the request's terms, in the
// protocol's own shapes.
std::optional<std::string> check_in(wire::Protocol protocol, const cascade::Terms& terms, const dom::element& answer) {
  switch (protocol) {
    case wire::Protocol::kOpenAi:
      return cascade::check_answer(terms, answer);
    case wire::Protocol::kResponses:
      return cascade::check_responses_answer(terms, answer);
    case wire::Protocol::kAnthropic:
      break;
  }
  return cascade::check_anthropic_answer(terms, answer);
}

// Lets an unordered_map<std::string, ...> be searched with a string_view.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// The status and code a client gets for an upstream call that got no answer:
// 504 for a timeout, 429 when every account was busy (the queue's wait ran
// out), else 502.
int error_status(const UpstreamError& e) {
  return e.kind == UpstreamError::Kind::kTimeout ? 504 : e.kind == UpstreamError::Kind::kOverloaded ? 429 : 502;
}
const char* error_code(const UpstreamError& e) {
  return e.kind == UpstreamError::Kind::kTimeout      ? "upstream_timeout"
         : e.kind == UpstreamError::Kind::kOverloaded ? "upstream_busy"
                                                      : "upstream_unavailable";
}

struct Priced {
  core::Money cost;
  core::Money cost_if_pro;
  bool known = false;
};

}  // namespace

struct Gateway::Impl {
  const pricing::PriceBook& book;
  const router::Router& router;
  ledger::Ledger& ledger;
  net::Upstream& upstream;
  GatewayOptions options;
  std::mt19937_64 rng{options.seed != 0 ? options.seed : std::random_device{}()};
  const RetryPolicy retry_policy{options.max_retries, options.retry_base, options.retry_after_cap};
  std::uint64_t next_id = 1;
  std::string id_prefix = fmt::format("ff-{:08x}", static_cast<std::uint32_t>(rng()));

  // The shared-ledger follower (see follow_shared_ledger): its thread, and the
  // position in the ledger up to which rows have been counted.
  std::int64_t ledger_position = 0;
  std::thread follower;
  std::mutex follower_mu;
  std::condition_variable follower_cv;
  bool follower_stop = false;  // guarded by follower_mu

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(follower_mu);
      follower_stop = true;
    }
    follower_cv.notify_all();
    if (follower.joinable()) follower.join();
  }

  // The reasoning behind each tool call the upstream made (reasoning_cache.h).
  ReasoningCache reasoning;

  // Counters and histograms for /metrics (server thread only; metrics.h).
  Metrics metrics;

  // Fallback state per tier (server thread only).
  TierHealth health{options.fallback_after,
                    std::chrono::duration_cast<std::chrono::milliseconds>(options.fallback_for)};
  Impl(const pricing::PriceBook& b, const router::Router& r, ledger::Ledger& l, net::Upstream& u, GatewayOptions o)
      : book(b), router(r), ledger(l), upstream(u), options(std::move(o)) {
    for (const VirtualKey& k : options.keys) {
      budgets.set_limits(k.sha256_hex, k.name, k.budgets);
      rates.set_limits(k.sha256_hex, k.name, k.rates);
    }
  }
  // Whether any key has a budget or a rate limit (what the shared ledger is read for).
  bool any_limits() const {
    for (const VirtualKey& k : options.keys) {
      if (budgets.has_limits(k.sha256_hex) || rates.has_limits(k.sha256_hex)) return true;
    }
    return false;
  }
  // A row another gateway (or this one before a restart) wrote: its spending
  // and, within the last minute, its request (an escalation's second call is
  // the same request).
  void count_row(const ledger::Row& row) {
    if (row.cost.femto() != 0) budgets.add_spent(row.key_hash, row.cost, row.start_ms);
    if (row.escalated_from.empty()) {
      rates.add_other(row.key_hash, row.usage.prompt() + row.usage.output, row.start_ms, now_ms());
    }
  }

  // "<prefix>-000042": the number with at least six digits.
  std::string new_id() {
    char digits[24];
    const std::size_t n =
        static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, next_id++).ptr - digits);
    std::string id;
    id.reserve(id_prefix.size() + 1 + std::max<std::size_t>(n, 6));
    id.append(id_prefix).push_back('-');
    id.append(n < 6 ? 6 - n : 0, '0').append(digits, n);
    return id;
  }

  // The request's key, or nullptr when it may not use the gateway.
  const VirtualKey* authenticate(const net::Request& r) const {
    std::string_view auth = r.header("authorization");
    std::string_view key;
    if (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer ") key = auth.substr(7);
    if (key.empty()) key = r.header("x-api-key");  // Anthropic clients
    if (key.empty()) return nullptr;
    // Hashing costs more than the rest of admission: remember the keys seen (the
    // map holds keys that were presented, bounded; the configured keys stay hashed).
    auto cached = known_keys.find(key);
    if (cached != known_keys.end()) return cached->second;
    const std::string hash = sha256_hex(key);
    const VirtualKey* found = nullptr;
    if (options.keys.empty()) {
      anonymous_keys.push_back(VirtualKey{"anonymous", hash, {}, {}});
      found = &anonymous_keys.back();
    } else {
      for (const VirtualKey& k : options.keys) {
        if (k.sha256_hex == hash) found = &k;
      }
    }
    if (known_keys.size() >= kKnownKeysCap) known_keys.clear();  // many distinct keys: start over
    known_keys.emplace(std::string(key), found);
    return found;
  }
  // Who asks the dashboard's API: an admin key (it sees every key), or a
  // virtual key (its own calls only); nullopt for neither.
  std::optional<dashboard::Viewer> dashboard_viewer(const net::Request& r, const VirtualKey*& key_out) const {
    std::string_view auth = r.header("authorization");
    if (auth.substr(0, 7) != "Bearer " && auth.substr(0, 7) != "bearer ") return std::nullopt;
    const std::string_view presented = auth.substr(7);
    if (presented.empty()) return std::nullopt;
    if (!options.admin_key_hashes.empty()) {
      const std::string hash = sha256_hex(presented);
      for (const std::string& admin : options.admin_key_hashes) {
        if (admin == hash) return dashboard::Viewer{true, "", ""};
      }
    }
    const VirtualKey* key = authenticate(r);
    if (key == nullptr) return std::nullopt;
    key_out = key;
    return dashboard::Viewer{false, key->sha256_hex, key->name};
  }
  static constexpr std::size_t kKnownKeysCap = 4096;
  mutable std::unordered_map<std::string, const VirtualKey*, StringHash, std::equal_to<>> known_keys;
  mutable std::deque<VirtualKey> anonymous_keys;  // stable addresses
  budget::BudgetBook budgets;
  budget::RateBook rates;

  static constexpr std::int64_t kTemplateAllowance = 64;
  // What a call may cost at most, for admission: the prompt at the miss rate and
  // the output cap at the output rate.
  core::Money admission_estimate(const std::string& model, std::int64_t input_tokens, std::int64_t max_tokens,
                                 std::int64_t start_ms) const {
    core::TokenUsage u;
    // The ratio estimate of the text, plus the chat template's tokens (role
    // markers, BOS), which it does not see.
    u.cache_miss = input_tokens + kTemplateAllowance;
    u.output = max_tokens > 0 ? max_tokens : options.default_output_cap;
    return price(model, u, start_ms).cost;
  }

  Priced price(const std::string& model, const core::TokenUsage& u, std::int64_t start_ms) const {
    Priced p;
    if (const pricing::Quote* q = quote(model, start_ms)) {
      p.cost = q->cost(u);
      p.known = true;
    }
    if (const pricing::Quote* pro = quote(core::tier_name(core::Tier::kPro), start_ms)) p.cost_if_pro = pro->cost(u);
    return p;
  }

  // The book's quote for a model id (or a tier's name) at a request's start, or
  // null when it has none. A quote holds for a span of time (to the next change
  // of rate or band): it is looked up again only when the time asked is outside
  // it. Server thread only.
  const pricing::Quote* quote(std::string_view id, std::int64_t start_ms) const {
    const core::Timestamp t{start_ms / 1000};
    for (auto& [known, q] : quotes) {
      if (known == id && q.covers(t)) return &q;
    }
    auto fresh = book.quote(id, t, options.currency);
    if (!fresh.quote) return nullptr;
    for (auto& [known, q] : quotes) {
      if (known == id) return &(q = *fresh.quote);
    }
    if (quotes.size() == kQuotesCap) quotes.pop_back();  // many model ids named: the last one makes room
    return &quotes.emplace_back(std::string(id), *fresh.quote).second;
  }
  static constexpr std::size_t kQuotesCap = 16;
  mutable std::deque<std::pair<std::string, pricing::Quote>> quotes;  // stable addresses

  // Waits for the ledger to commit `row` without blocking the server's thread:
  // the ledger's writer thread posts the outcome back to this coroutine's executor.
  // The row is lent to the ledger meanwhile (moved out and back, not copied).
  // A ledger that commits in microseconds (SQLite with --ledger-sync process)
  // and is idle commits it here instead: no thread switch for a lone request.
  awaitable<core::Status> commit(ledger::Row& row) {
    core::Status s;
    if (std::optional<core::Status> here = ledger.append_here(row)) {
      s = std::move(*here);
    } else {
      auto lent = std::make_shared<ledger::Row>(std::move(row));
      s = co_await append_op(ledger, lent);
      row = std::move(*lent);
    }
    if (!s.ok()) {
      ++metrics.ledger_failures;
      ledger_down = true;
      ledger_down_reason = s.message();
      last_probe_ms = now_ms();
      // The upstream may have billed the call: its row is kept to be recorded
      // once the ledger writes again.
      if (unrecorded_rows.size() < kUnrecordedCap) {
        unrecorded_rows.push_back(row);
        unrecorded_rows.back().request_body.clear();  // bounded memory: the bill, not the request
        unrecorded_rows.back().error += unrecorded_rows.back().error.empty() ? "" : "; ";
        unrecorded_rows.back().error += "recorded late: the ledger failed when the answer came, and it was not served";
      }
    }
    // Once down, only ledger_ready() brings the gateway back: it records the
    // kept rows first.
    co_return s;
  }
  static constexpr std::size_t kUnrecordedCap = 10'000;
  std::deque<ledger::Row> unrecorded_rows;  // server's thread only

  // Whether answers can be recorded: while the ledger is failing (a full disk,
  // a lost server), the gateway serves nothing it could not record, so chat
  // requests and /readyz are refused until a probe (at most one a second, made
  // by the request or readiness check that finds one due) commits a write.
  // Server's thread only.
  bool ledger_down = false;
  std::string ledger_down_reason;
  std::int64_t last_probe_ms = 0;
  bool probing = false;
  awaitable<bool> ledger_ready() {
    if (!ledger_down) co_return true;
    if (probing || now_ms() - last_probe_ms < 1000) co_return false;
    probing = true;
    last_probe_ms = now_ms();
    core::Status s = co_await probe_op(ledger);
    // The rows that could not be committed first, in order, before anything new.
    while (s.ok() && !unrecorded_rows.empty()) {
      auto row = std::make_shared<ledger::Row>(std::move(unrecorded_rows.front()));
      s = co_await append_op(ledger, row);
      if (s.ok()) {
        unrecorded_rows.pop_front();
      } else {
        unrecorded_rows.front() = std::move(*row);
      }
    }
    probing = false;
    if (s.ok()) {
      ledger_down = false;
    } else {
      ledger_down_reason = s.message();
    }
    co_return s.ok();
  }
  net::Response ledger_unavailable(Protocol protocol, std::string_view what) const {
    net::Response res = error_response(protocol, 503, fmt::format("{}: {}", what, ledger_down_reason), "api_error",
                                       "ledger_unavailable");
    res.headers.emplace_back("retry-after", "1");
    return res;
  }
  // A ledger operation that reports on a ledger thread, awaited: `start(done)`
  // begins it; the outcome is posted back to the awaiting coroutine's executor.
  // Not a coroutine: what `start` holds (a row in a shared_ptr) is never a
  // capture of a coroutine's frame.
  template <typename Outcome, typename Start>
  static awaitable<Outcome> ledger_op(Start start) {
    return asio::async_initiate<decltype(asio::use_awaitable), void(Outcome)>(
        [start = std::move(start)](auto handler) mutable {
          auto ex = asio::get_associated_executor(handler);
          auto h = std::make_shared<decltype(handler)>(std::move(handler));
          start(
              [ex, h](Outcome out) { asio::post(ex, [h, out = std::move(out)]() mutable { (*h)(std::move(out)); }); });
        },
        asio::use_awaitable);
  }
  static awaitable<core::Status> probe_op(ledger::Ledger& l) {
    return ledger_op<core::Status>([&l](std::function<void(core::Status)> done) { l.probe_async(std::move(done)); });
  }
  static awaitable<core::Status> append_op(ledger::Ledger& l, std::shared_ptr<ledger::Row> row) {
    return ledger_op<core::Status>(
        [&l, row = std::move(row)](std::function<void(core::Status)> done) { l.append_async(row, std::move(done)); });
  }

  // Records a rating (POST /v1/flashfirst/feedback) of one of the key's own
  // answers: 200 once it is committed, 400 for a bad body, 404 for a request id
  // the ledger has not got or that is another key's (the same answer for both,
  // so a key learns nothing of others' requests), 503 when the ledger fails.
  awaitable<void> rate(const net::Request& r, LoggedWriter& w, const VirtualKey& key) {
    auto parsed = parse_feedback(r.body);
    // Each answer is a named local: GCC 12 mishandles temporaries in co_await expressions.
    if (!parsed.ok()) {
      net::Response reply = openai_error(400, parsed.error().message, "invalid_request_error", "invalid_feedback");
      co_await w.send(std::move(reply));
      co_return;
    }
    auto rating = std::make_shared<ledger::Feedback>(std::move(*parsed));
    rating->key_hash = key.sha256_hex;
    rating->key_name = key.name;
    rating->created_ms = now_ms();
    core::Result<ledger::FeedbackOutcome> outcome = co_await feedback_op(ledger, rating);
    if (!outcome.ok()) {
      ++metrics.ledger_failures;
      net::Response reply = openai_error(503, "the rating could not be recorded (the ledger failed); try again",
                                         "server_error", "ledger_unavailable");
      co_await w.send(std::move(reply));
      co_return;
    }
    if (*outcome != ledger::FeedbackOutcome::kRecorded) {
      net::Response reply =
          openai_error(404, fmt::format("no request {} of this key in the ledger", rating->request_id),
                       "invalid_request_error", "request_not_found");
      co_await w.send(std::move(reply));
      co_return;
    }
    core::JsonWriter body(true);
    body.begin_object().key("object").value("flashfirst.feedback").key("request_id").value(rating->request_id);
    body.key("metric").value(rating->metric).key("recorded").value(true).end_object();
    net::Response reply = net::Response::json(200, body.str());
    co_await w.send(std::move(reply));
  }

  static awaitable<core::Result<ledger::FeedbackOutcome>> feedback_op(ledger::Ledger& l,
                                                                      std::shared_ptr<const ledger::Feedback> f) {
    using Outcome = core::Result<ledger::FeedbackOutcome>;
    return ledger_op<Outcome>(
        [&l, f = std::move(f)](std::function<void(Outcome)> done) { l.append_feedback_async(f, std::move(done)); });
  }

  // One access-log line: the client's request and what became of it, one JSON
  // object whose keys are always these, in this order (written straight into a
  // reused line, not through a JsonWriter: this runs once per request).
  // The request's access-log line, once (`w` remembers it was written).
  void access(LoggedWriter& w, const net::Request& r, const VirtualKey* key, int status, const ledger::Row* row,
              core::Money cost, bool escalated, std::int64_t start_ms, std::string_view error = {}) const {
    w.logged = true;
    write_access_line(r, key, status, row, cost, escalated, start_ms, error);
  }
  void write_access_line(const net::Request& r, const VirtualKey* key, int status, const ledger::Row* row,
                         core::Money cost, bool escalated, std::int64_t start_ms, std::string_view error) const {
    if (!options.access_log) return;
    std::string& o = access_line;
    auto text = [&o](std::string_view s) { core::append_json_string(o, s); };
    o.clear();
    core::append_parts(o, R"({"ts_ms":)");
    core::append_int(o, start_ms);
    core::append_parts(o, R"(,"method":)");
    text(r.method);
    core::append_parts(o, R"(,"path":)");
    text(r.path());
    core::append_parts(o, R"(,"key":)");
    text(key ? std::string_view(key->name) : std::string_view("-"));
    core::append_parts(o, R"(,"status":)");
    core::append_int(o, status);
    if (row != nullptr) {
      core::append_parts(o, R"(,"request_id":)");
      text(row->request_id);
      core::append_parts(o, R"(,"model":)");
      text(row->routed_model);
      core::append_parts(o, R"(,"category":)");
      text(row->category);
      core::append_parts(o, R"(,"stream":)", row->stream ? "true" : "false", R"(,"escalated":)",
                         escalated ? "true" : "false", R"(,"tokens":{"cache_hit":)");
      core::append_int(o, row->usage.cache_hit);
      core::append_parts(o, R"(,"cache_miss":)");
      core::append_int(o, row->usage.cache_miss);
      core::append_parts(o, R"(,"output":)");
      core::append_int(o, row->usage.output);
      // Exact decimal strings, as in the headers.
      core::append_parts(o, R"(},"cost":")", cost.to_decimal(), R"(","cost_if_pro":")", row->cost_if_pro.to_decimal(),
                         "\"");
    }
    if (!error.empty()) {
      core::append_parts(o, R"(,"error":)");
      text(error);
    }
    core::append_parts(o, R"(,"latency_ms":)");
    core::append_int(o, now_ms() - start_ms);
    o.push_back('}');
    options.access_log(o);
  }
  mutable std::string access_line;  // the server's thread only

  // One upstream call, recorded: for /metrics, and for its tier's health.
  void count(const ledger::Row& row, core::Tier tier) {
    metrics.count(row, tier);
    health.note(tier, row.status, now_ms());
  }

  awaitable<void> sleep(std::chrono::milliseconds d) {
    if (options.sleep) {
      options.sleep(d);
      co_return;
    }
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  // Unix milliseconds, from the injected clock when there is one.
  std::int64_t now_ms() const { return options.now_ms ? options.now_ms() : system_now_ms(); }

  // A non-stream call with retries on connect failures and 429/500/503.
  // The client's x-sim-* headers go upstream (the simulator's fault injection;
  // the DeepSeek API ignores them); nothing else of the client's does.
  static Headers upstream_headers(const net::Request& r, bool stream) {
    Headers h{{"content-type", "application/json"}};
    if (stream) h.emplace_back("accept", "text/event-stream");
    for (const auto& [k, v] : r.headers) {
      if (k.rfind("x-sim-", 0) == 0 || k == "anthropic-version" || k == "anthropic-beta") h.emplace_back(k, v);
    }
    return h;
  }

  // The wait before trying again after attempt `attempt`, or nullopt when its
  // outcome is final (RetryPolicy); counts the retries.
  std::optional<std::chrono::milliseconds> retry_delay(int attempt, const UpstreamError* error, int status,
                                                       std::string_view retry_after) {
    const bool connect_error = error != nullptr && error->kind == UpstreamError::Kind::kConnect;
    if (error != nullptr && !connect_error) return std::nullopt;
    auto delay = retry_policy.next_delay(attempt, connect_error, status, retry_after, rng);
    if (delay) ++metrics.retries;
    return delay;
  }

  // A non-stream call, with retries.
  awaitable<std::variant<UpstreamResponse, UpstreamError>> call(std::string_view path, const std::string& body,
                                                                const Headers& headers) {
    for (int attempt = 0;; ++attempt) {
      auto res = co_await upstream.request("POST", path, body, headers);
      const auto* ok = std::get_if<UpstreamResponse>(&res);
      const auto delay = retry_delay(attempt, std::get_if<UpstreamError>(&res), ok ? ok->head.status : 0,
                                     ok ? ok->head.header("retry-after") : std::string_view());
      if (!delay) co_return res;
      co_await sleep(*delay);
    }
  }

  // A streamed call, with the same retries (decided on the answer's head).
  awaitable<std::variant<UpstreamStream, UpstreamError>> open(std::string_view path, const std::string& body,
                                                              const Headers& headers) {
    for (int attempt = 0;; ++attempt) {
      auto res = co_await upstream.open("POST", path, body, headers);
      auto* s = std::get_if<UpstreamStream>(&res);
      const auto delay = retry_delay(attempt, std::get_if<UpstreamError>(&res), s ? s->head().status : 0,
                                     s ? s->head().header("retry-after") : std::string_view());
      if (!delay) co_return res;
      // Drain the error body so the connection can be reused.
      while (s != nullptr) {
        auto piece = co_await s->next();
        if (!std::holds_alternative<std::optional<std::string>>(piece) || !std::get<0>(piece)) break;
      }
      co_await sleep(*delay);
    }
  }

  // Why `id` cannot be served at `start_ms`, and the model names that can:
  // "model 'gpt-4o' is not known; use auto, flash, pro or one of: deepseek-v4-flash, …".
  std::string unknown_model_message(std::string_view id, std::int64_t start_ms) const {
    const core::Timestamp t{start_ms / 1000};
    std::vector<std::string> ids;
    auto consider = [&](const std::string& candidate) {
      if (candidate == "flash" || candidate == "pro") return;
      if (std::find(ids.begin(), ids.end(), candidate) != ids.end()) return;
      if (book.quote(candidate, t, options.currency).quote) ids.push_back(candidate);
    };
    for (const pricing::Model& m : book.models()) consider(m.id);
    for (const pricing::Alias& a : book.aliases()) consider(a.id);
    std::sort(ids.begin(), ids.end());
    std::string known;
    for (const std::string& i : ids) known += (known.empty() ? "" : ", ") + i;
    const pricing::QuoteResult why = book.quote(id, t, options.currency);
    const std::string what = why.error == pricing::QuoteError::kUnknownModel
                                 ? fmt::format("model '{}' is not known", id)
                                 : book.explain(why.error, id, t, options.currency);
    return fmt::format("{}; use auto, flash, pro or one of: {}", what, known);
  }

  // Appends the route's headers (model, category and reason, escalated) to `out`.
  static void add_route_headers(Headers& out, const router::Decision& d, const std::string& model, bool escalated) {
    out.emplace_back("x-flashfirst-model", model);
    std::string route(router::category_name(d.category));
    route.append("; ");
    append_header_value(route, d.reason);
    out.emplace_back("x-flashfirst-route", std::move(route));
    out.emplace_back("x-flashfirst-escalated", escalated ? "true" : "false");
  }

  ledger::Row base_row(const VirtualKey& key, const std::string& requested, const router::Decision& d,
                       const std::string& model, bool stream, std::int64_t start_ms) {
    ledger::Row row;
    row.request_id = new_id();
    row.key_hash = key.sha256_hex;
    row.key_name = key.name;
    row.start_ms = start_ms;
    row.requested_model = requested;
    row.routed_model = model;
    row.effort = d.effort;
    row.category = router::category_name(d.category);
    row.reason = d.reason;
    row.stream = stream;
    row.currency = options.currency;
    return row;
  }

  // One non-stream call, recorded. The row is returned committed (or with the
  // ledger's failure counted). With `check`, a 200 chat completion also gets the
  // cascade's check from the same parse that read its usage.
  struct CallOutcome {
    std::variant<UpstreamResponse, UpstreamError> response;
    ledger::Row row;
    bool checked = false;
    std::optional<std::string> failure;    // the check's verdict, when `checked`
    core::Status recorded;                 // the row's commit
    std::chrono::nanoseconds upstream{0};  // waiting on the upstream, retries included
  };
  // The cascade check an answer gets: in which protocol's shapes, against what.
  struct Check {
    Protocol protocol;
    const cascade::Terms* terms;
  };
  awaitable<CallOutcome> call_and_record(std::string_view path, const std::string& body, const Headers& headers,
                                         ledger::Row row, std::optional<Check> check = std::nullopt) {
    bool checked = false;
    std::optional<std::string> failure;
    const auto called = std::chrono::steady_clock::now();
    auto res = co_await call(path, body, headers);
    const std::chrono::nanoseconds upstream = std::chrono::steady_clock::now() - called;
    row.end_ms = now_ms();
    if (auto* e = std::get_if<UpstreamError>(&res)) {
      ++metrics.upstream_errors;
      row.status = error_status(*e);
      row.error = e->message;
    } else {
      auto& ok = std::get<UpstreamResponse>(res);
      row.status = ok.head.status;
      row.first_byte_ms = row.end_ms - row.start_ms;
      thread_local dom::parser parser;
      dom::element root;
      const bool parsed = !parser.parse(ok.body).get(root);
      if (parsed) {
        const wire::UsageRead u = wire::read_usage(root);
        if (u.status == wire::UsageRead::Status::kOk) {
          row.usage = u.usage;
          Priced p = price(row.routed_model, u.usage, row.start_ms);
          row.cost = p.cost;
          row.cost_if_pro = p.cost_if_pro;
        } else if (u.status == wire::UsageRead::Status::kInvalid) {
          row.error = "the upstream's usage is invalid: " + u.why;  // nothing can be billed from it
        }
        std::string_view msg;
        if (ok.head.status != 200 && !root["error"]["message"].get_string().get(msg)) row.error = std::string(msg);
      } else if (ok.head.status != 200) {
        row.error = "upstream error body is not JSON";
      }
      if (parsed && ok.head.status == 200) reasoning.remember_answer(root);
      if (check && ok.head.status == 200) {
        checked = true;
        failure = parsed ? check_in(check->protocol, *check->terms, root)
                         : std::optional<std::string>("the answer is not JSON");
      }
    }
    core::Status recorded = co_await commit(row);
    co_return CallOutcome{std::move(res), std::move(row), checked, std::move(failure), std::move(recorded), upstream};
  }

  // A non-stream request as chat() sends it upstream, for the two rare turns it
  // can take below. Those are coroutines of their own so that their locals (a
  // ledger row, a second call's outcome, a new body) take frame space only when
  // they happen: chat()'s frame is allocated for every request in flight.
  struct Outgoing {
    std::string_view path;
    const std::string& body;
    const Headers& headers;
    const VirtualKey& key;
    const std::string& requested;
    bool is_stream;
    std::int64_t max_tokens;
  };

  // The first call failed and nothing has reached the client: once more on the
  // other tier, if the budget allows; then `first` is that call, and the tier,
  // model and decision are the other tier's.
  awaitable<void> fall_back(const Outgoing& o, CallOutcome& first, router::Decision& d, core::Tier& tier,
                            std::string& model, core::Money& failed_cost) {
    const core::Tier to = other_tier(tier);
    const std::string to_model = router.policy().model_for(to);
    auto fr = budgets.reserve(o.key.sha256_hex, admission_estimate(to_model, d.input_tokens, o.max_tokens, now_ms()),
                              now_ms(), options.currency);
    if (!fr.ok()) {
      ++metrics.budget_refusals;
      co_return;
    }
    ++metrics.fallbacks;
    router::Decision fd = d;
    fd.reason = fmt::format("fallback: {} answered {} ({})", core::tier_name(tier), first.row.status, d.reason);
    fd.tier = to;
    fd.cascade = false;
    ledger::Row row = base_row(o.key, o.requested, fd, to_model, o.is_stream, now_ms());
    row.escalated_from = first.row.request_id;
    const std::string to_body = set_member(o.body, "model", "\"" + to_model + "\"");
    CallOutcome again = co_await call_and_record(o.path, to_body, o.headers, std::move(row));
    budgets.settle(*fr, again.row.cost);
    count(again.row, to);
    failed_cost = first.row.cost;
    core::Status failed_recorded = std::move(first.recorded);
    again.upstream += first.upstream;
    first = std::move(again);
    if (!failed_recorded.ok()) first.recorded = std::move(failed_recorded);
    tier = to;
    model = to_model;
    d = std::move(fd);
  }

  // Flash's answer failed the cascade's check (`failure`): the request again on
  // Pro, reserved for already. `second` is that call; when Pro answered, the
  // model and decision are Pro's.
  awaitable<void> escalate(const Outgoing& o, const std::string& failure, const std::string& flash_request_id,
                           const budget::BudgetBook::Reservation& reservation, std::optional<CallOutcome>& second,
                           router::Decision& d, std::string& model) {
    ++metrics.escalations;
    const std::string pro_model = router.policy().pro_model;
    router::Decision pd = d;
    pd.reason = fmt::format("escalated: Flash's answer failed ({})", failure);
    ledger::Row row = base_row(o.key, o.requested, pd, pro_model, o.is_stream, now_ms());
    row.escalated_from = flash_request_id;
    const std::string pro_body = set_member(o.body, "model", "\"" + pro_model + "\"");
    second = co_await call_and_record(o.path, pro_body, o.headers, std::move(row));
    budgets.settle(reservation, second->row.cost);
    count(second->row, core::Tier::kPro);
    if (std::holds_alternative<UpstreamResponse>(second->response)) {
      model = pro_model;
      d = std::move(pd);
    }
    // If Pro could not be reached, Flash's answer is still the best there is.
  }

  awaitable<void> chat(const net::Request& r, LoggedWriter& w, const VirtualKey& key, Protocol protocol);
  // A streamed call: what stream() passes through, as chat() decided it.
  struct StreamCall {
    const net::Request& request;
    std::string_view path;
    const std::string& body;  // as sent upstream
    const router::Decision& decision;
    core::Tier tier;
    Protocol protocol;
    const VirtualKey& key;
  };
  awaitable<void> stream(LoggedWriter& w, const StreamCall& call, ledger::Row row,
                         budget::BudgetBook::Reservation reservation);
};

awaitable<void> Gateway::Impl::chat(const net::Request& r, LoggedWriter& w, const VirtualKey& key, Protocol protocol) {
  const bool anthropic = protocol == Protocol::kAnthropic;
  const bool chat_completions = protocol == Protocol::kOpenAi;
  const std::string& key_name = key.name;
  const std::string& key_hash = key.sha256_hex;
  const std::int64_t start_ms = now_ms();
  // Read: the request's envelope checked, parsed once (request_stage.h).
  auto read = read_chat_request(r.body, r.header("x-flashfirst-tier"), protocol);
  if (const auto* refusal = std::get_if<RequestRefusal>(&read)) {
    net::Response reply = error_response(protocol, 400, refusal->message, "invalid_request_error", refusal->code);
    co_await w.send(std::move(reply));
    co_return;
  }
  ChatRequest& request = std::get<ChatRequest>(read);
  const dom::element root = request.root;
  const std::string& requested = request.requested;
  const bool is_stream = request.stream;
  const std::string_view tier_header = request.tier_header;
  const std::string& chat_form = request.chat_form;
  const std::int64_t max_tokens = request.max_tokens;
  // Route: the router's decision, made final by the model named, the key's
  // tiers and tier health (route_stage.h). The router also classifies requests
  // that name a tier or a model, for the record.
  const router::Policy& policy = router.policy();
  RouteInput route_in;
  route_in.routed = router.route_or_default(request.route_root, {key_name, tier_header});
  route_in.requested = requested;
  route_in.protocol = protocol;
  route_in.key_name = key.name;
  route_in.key_tiers = &key.tiers;
  route_in.tier_of_model = [&](std::string_view id) -> std::optional<core::Tier> {
    const pricing::Quote* q = quote(id, start_ms);
    if (q == nullptr) return std::nullopt;
    return book.models()[static_cast<std::size_t>(q->model)].tier;
  };
  for (core::Tier t : {core::Tier::kFlash, core::Tier::kPro}) {
    route_in.avoided[tier_index(t)] = health.avoided(t, start_ms);
    route_in.failures_in_a_row[tier_index(t)] = health.failures_in_a_row(t);
  }
  route_in.fallback_enabled = health.enabled();
  auto routed = finish_route(std::move(route_in), policy,
                             [&](std::string_view id) { return unknown_model_message(id, start_ms); });
  if (const auto* refusal = std::get_if<RouteRefusal>(&routed)) {
    net::Response reply = error_response(protocol, refusal->status, refusal->message, refusal->type, refusal->code);
    co_await w.send(std::move(reply));
    co_return;
  }
  const bool tier_choice = std::get<Route>(routed).tier_choice;
  if (std::get<Route>(routed).fell_back) ++metrics.fallbacks;
  // The decision the first call is made with; a fallback or an escalation
  // answers with a decision of its own (fall_back(), escalate()).
  router::Decision d = std::move(std::get<Route>(routed).decision);
  core::Tier tier = d.tier;
  std::string model = d.model;
  // After a failed first call, once more on the other tier (fall_back()).
  auto can_fall_back = [&](core::Tier from) {
    const core::Tier to = other_tier(from);
    return health.enabled() && tier_choice && tier_allowed(&key.tiers, to) && !health.avoided(to, now_ms());
  };
  // Admission: the key's rate limits, and its budget's reservation of the most
  // this call can cost (admission_stage.h). Held until the request ends.
  const std::int64_t rate_tokens =
      d.input_tokens + kTemplateAllowance + (max_tokens > 0 ? max_tokens : options.default_output_cap);
  auto admitted = admit(rates, budgets,
                        {key_hash, rate_tokens, admission_estimate(model, d.input_tokens, max_tokens, start_ms),
                         start_ms, options.currency},
                        w.extra_headers);
  if (const auto* refusal = std::get_if<AdmissionRefusal>(&admitted)) {
    const bool rate = refusal->code == "rate_limit_exceeded";
    ++(rate ? metrics.rate_limit_refusals : metrics.budget_refusals);
    net::Response reply = error_response(protocol, 429, refusal->message, "rate_limit_error", refusal->code);
    if (rate) reply.headers.emplace_back("retry-after", std::to_string(refusal->retry_after_seconds));
    co_await w.send(std::move(reply));
    access(w, r, &key, 429, nullptr, core::Money{}, false, start_ms, refusal->message);
    co_return;
  }
  const budget::BudgetBook::Reservation& reservation = std::get<Admission>(admitted).reservation();
  // The body as sent upstream: the client's bytes with every edit made in one pass.
  BodyEdits edits(r.body);
  edits.set("model", "\"" + model + "\"");  // ids are plain ASCII
  const int restored = chat_completions ? reasoning.restore(edits, root) : 0;
  metrics.reasoning_restored += restored;
  apply_user_id(edits, root, protocol, key.user_id);
  // The category's reasoning effort, when the gateway chose the model (a named
  // concrete model passes as sent); the ledger records the effort as sent.
  d.effort = apply_effort(edits, root, protocol, tier_choice ? std::string_view(d.effort) : std::string_view());
  const std::string_view path = anthropic                          ? "/anthropic/v1/messages"
                                : protocol == Protocol::kResponses ? "/responses"
                                                                   : "/chat/completions";
  // Recorded requests are read back by `route train` and `simulate`, which read
  // chat requests: a Responses request is kept in its chat form.
  const std::string_view recorded_body = chat_form.empty() ? std::string_view(r.body) : std::string_view(chat_form);
  const bool record_body = options.record_requests && tokenizer::is_valid_utf8(recorded_body);

  // A stream the policy lets the cascade check: asked of the upstream whole,
  // checked (and escalated) like any answer, then sent as a stream.
  const bool buffered = is_stream && !anthropic && d.cascade && d.buffer_streams && tier == core::Tier::kFlash;
  dom::element present;
  if (buffered) {
    edits.set("stream", "false");
    if (chat_completions && !root["stream_options"].get(present)) edits.set("stream_options", "null");
  }
  if (is_stream && !buffered && chat_completions)
    put_member(edits, root, "stream_options", R"({"include_usage":true})");
  const std::string body = edits.apply();
  if (is_stream && !buffered) {
    ledger::Row row = base_row(key, requested, d, model, true, start_ms);
    if (record_body) row.request_body = recorded_body;
    const StreamCall call{r, path, body, d, tier, protocol, key};
    co_await stream(w, call, std::move(row), reservation);
    co_return;
  }

  // What the cascade checks a Flash answer against, read now (the parsed request
  // is gone after the first co_await): when this call, or a fallback to Flash,
  // may be checked.
  std::optional<cascade::Terms> terms;
  if (d.cascade || (health.enabled() && tier_choice && tier_allowed(&key.tiers, other_tier(tier)))) {
    terms = terms_of(protocol, root, max_tokens);
  }
  // (Arguments of co_await calls are named locals: GCC 12 mishandles some
  // temporaries inside co_await expressions.)
  const Headers headers = upstream_headers(r, false);
  ledger::Row first_row = base_row(key, requested, d, model, is_stream, start_ms);
  if (record_body) first_row.request_body = recorded_body;
  const std::optional<Check> check_first =
      d.cascade && tier == core::Tier::kFlash ? std::optional<Check>(Check{protocol, &*terms}) : std::nullopt;
  CallOutcome first = co_await call_and_record(path, body, headers, std::move(first_row), check_first);
  budgets.settle(reservation, first.row.cost);
  count(first.row, tier);
  const Outgoing outgoing{path, body, headers, key, requested, is_stream, max_tokens};
  core::Money failed_cost;  // of a call that failed before a fallback (usually nothing)
  if (TierHealth::failed_call(first.row.status) && can_fall_back(tier)) {
    co_await fall_back(outgoing, first, d, tier, model, failed_cost);
  }
  if (auto* e = std::get_if<UpstreamError>(&first.response)) {
    net::Response res = error_response(protocol, first.row.status, e->message, "upstream_error", error_code(*e));
    if (e->kind == UpstreamError::Kind::kOverloaded) res.headers.emplace_back("retry-after", "1");
    add_route_headers(res.headers, d, model, false);
    co_await w.send(std::move(res));
    access(w, r, &key, first.row.status, &first.row, first.row.cost, false, start_ms, first.row.error);
    co_return;
  }
  auto* answer = &std::get<UpstreamResponse>(first.response);
  ledger::Row* final_row = &first.row;
  core::Money total = first.row.cost + failed_cost;
  bool escalated = false;
  std::optional<CallOutcome> second;
  if (answer->head.status == 200 && d.cascade && tier == core::Tier::kFlash) {
    std::optional<std::string> failure = first.failure;
    if (!first.checked) {
      thread_local dom::parser answer_parser;
      dom::element parsed;
      failure = answer_parser.parse(answer->body).get(parsed) ? std::optional<std::string>("the answer is not JSON")
                : terms                                       ? check_in(protocol, *terms, parsed)
                                                              : std::nullopt;
    }
    std::optional<budget::BudgetBook::Reservation> pro_reservation;
    if (failure) {
      auto pr = budgets.reserve(key_hash, admission_estimate(policy.pro_model, d.input_tokens, max_tokens, now_ms()),
                                now_ms(), options.currency);
      if (pr.ok()) {
        pro_reservation = *pr;
      } else {
        ++metrics.budget_refusals;  // no room to escalate: Flash's answer stands
        failure.reset();
      }
    }
    if (failure) {
      escalated = true;
      co_await escalate(outgoing, *failure, first.row.request_id, *pro_reservation, second, d, model);
      if (std::holds_alternative<UpstreamResponse>(second->response)) {
        answer = &std::get<UpstreamResponse>(second->response);
        final_row = &second->row;
        total += second->row.cost;
      }
    }
  }

  w.upstream += first.upstream + (second ? second->upstream : std::chrono::nanoseconds{0});
  // An answer whose row (or an earlier call's for it) the ledger could not
  // commit is not served: the client is told, and may ask again.
  const core::Status& unrecorded = !first.recorded.ok()               ? first.recorded
                                   : second && !second->recorded.ok() ? second->recorded
                                                                      : first.recorded;
  if (!unrecorded.ok()) {
    net::Response res = ledger_unavailable(protocol, "the ledger could not record this answer, so it is not served");
    res.headers.emplace_back("x-flashfirst-request-id", final_row->request_id);
    res.headers.emplace_back("x-flashfirst-cost", total.to_decimal());  // billed upstream, recorded once it can be
    co_await w.send(std::move(res));
    access(w, r, &key, 503, final_row, total, escalated, start_ms, unrecorded.message());
    co_return;
  }

  net::Response res;
  res.status = answer->head.status;
  res.headers.reserve(9);
  const std::string_view ct = answer->head.header("content-type");
  res.headers.emplace_back("content-type", ct.empty() ? "application/json" : std::string(ct));
  add_route_headers(res.headers, d, model, escalated);
  res.headers.emplace_back("x-flashfirst-cost", total.to_decimal());
  res.headers.emplace_back("x-flashfirst-cost-if-pro", final_row->cost_if_pro.to_decimal());
  res.headers.emplace_back("x-flashfirst-request-id", final_row->request_id);
  if (restored > 0) res.headers.emplace_back("x-flashfirst-reasoning-restored", std::to_string(restored));
  const int final_status = res.status;
  std::optional<std::string> events;
  if (buffered && final_status == 200) {
    const std::string figures = figures_json(*final_row, escalated, total);
    events = chat_completions ? wire::completion_as_stream(answer->body, figures)
                              : wire::response_as_stream(answer->body, figures);
  }
  if (events) {
    res.headers.front() = {"content-type", "text/event-stream"};
    res.headers.emplace_back("cache-control", "no-cache");
    if (co_await w.start(200, std::move(res.headers)) && co_await w.write(*events)) (void)co_await w.finish();
  } else {
    res.body = std::move(answer->body);
    co_await w.send(std::move(res));
  }
  access(w, r, &key, final_status, final_row, total, escalated, start_ms);
}

awaitable<void> Gateway::Impl::stream(LoggedWriter& w, const StreamCall& call, ledger::Row row,
                                      budget::BudgetBook::Reservation reservation) {
  const net::Request& r = call.request;
  const std::string_view path = call.path;
  const std::string& body = call.body;
  const router::Decision& d = call.decision;
  const core::Tier tier = call.tier;
  const Protocol protocol = call.protocol;
  const VirtualKey& key = call.key;
  const Headers up_headers = upstream_headers(r, true);
  const auto opening = std::chrono::steady_clock::now();
  // The whole stream is the upstream's time: the gateway's own is before and after.
  struct UpstreamTime {
    LoggedWriter& w;
    std::chrono::steady_clock::time_point since;
    ~UpstreamTime() { w.upstream += std::chrono::steady_clock::now() - since; }
  } upstream_time{w, opening};
  auto opened = co_await open(path, body, up_headers);
  if (auto* e = std::get_if<UpstreamError>(&opened)) {
    ++metrics.upstream_errors;
    row.end_ms = now_ms();
    row.status = error_status(*e);
    row.error = e->message;
    budgets.settle(reservation, row.cost);
    (void)co_await commit(row);
    count(row, tier);
    net::Response res = error_response(protocol, row.status, e->message, "upstream_error", error_code(*e));
    if (e->kind == UpstreamError::Kind::kOverloaded) res.headers.emplace_back("retry-after", "1");
    add_route_headers(res.headers, d, row.routed_model, false);
    co_await w.send(std::move(res));
    access(w, r, &key, row.status, &row, row.cost, false, row.start_ms, row.error);
    co_return;
  }
  UpstreamStream& up = std::get<UpstreamStream>(opened);
  row.status = up.head().status;
  if (row.status != 200) {
    // An error answer: read it whole and pass it on.
    std::string err_body;
    for (;;) {
      auto piece = co_await up.next();
      if (!std::holds_alternative<std::optional<std::string>>(piece) || !std::get<0>(piece)) break;
      err_body += *std::get<0>(piece);
    }
    row.end_ms = now_ms();
    row.error = err_body.substr(0, 500);
    budgets.settle(reservation, row.cost);
    (void)co_await commit(row);
    count(row, tier);
    net::Response res;
    res.status = row.status;
    res.headers.emplace_back("content-type", std::string(up.head().header("content-type")));
    add_route_headers(res.headers, d, row.routed_model, false);
    res.body = std::move(err_body);
    co_await w.send(std::move(res));
    access(w, r, &key, row.status, &row, row.cost, false, row.start_ms, row.error);
    co_return;
  }

  Headers headers{{"content-type", "text/event-stream"}, {"cache-control", "no-cache"}};
  add_route_headers(headers, d, row.routed_model, false);
  headers.emplace_back("x-flashfirst-request-id", row.request_id);
  bool client_ok = co_await w.start(200, std::move(headers));

  wire::SseSplitter events;
  StreamMeter meter(protocol);
  bool recorded = false;

  // Records the row (once), before the stream's last bytes go out; false when
  // the ledger could not commit it (the stream is then cut, not ended).
  core::Status committed;
  auto record = [&]() -> awaitable<bool> {
    if (recorded) co_return committed.ok();
    recorded = true;
    row.end_ms = now_ms();
    if (!meter.has_usage()) {
      // The usage never came: estimate it, and say so.
      row.usage_estimated = true;
      row.usage.cache_miss = d.input_tokens;
      row.usage.output = meter.estimated_output();
      Priced p = price(row.routed_model, row.usage, row.start_ms);
      row.cost = p.cost;
      row.cost_if_pro = p.cost_if_pro;
    }
    budgets.settle(reservation, row.cost);
    const auto committing = std::chrono::steady_clock::now();
    committed = co_await commit(row);
    w.upstream -= std::chrono::steady_clock::now() - committing;  // the gateway's own time, inside the stream's
    count(row, tier);
    co_return committed.ok();
  };
  // One complete event read (stream_meter.h); the text to forward: the event,
  // with the figures added when it brought the usage.
  auto on_event = [&](std::string event) -> std::string {
    switch (meter.read(event)) {
      case StreamMeter::Read::kPassed:
        return event;
      case StreamMeter::Read::kInvalidUsage:
        row.error = "the upstream's usage is invalid: " + meter.invalid_usage();
        return event;
      case StreamMeter::Read::kUsage:
        break;
    }
    row.usage = meter.usage();
    Priced p = price(row.routed_model, row.usage, row.start_ms);
    row.cost = p.cost;
    row.cost_if_pro = p.cost_if_pro;
    return with_figures(event, figures_json(row, false, row.cost));
  };

  bool broken = false, ledger_cut = false;
  for (;;) {
    auto piece = co_await up.next();
    if (auto* e = std::get_if<UpstreamError>(&piece)) {
      row.error = e->message;
      broken = true;
      break;
    }
    auto& data = std::get<std::optional<std::string>>(piece);
    if (!data) break;
    if (row.first_byte_ms == 0) row.first_byte_ms = now_ms() - row.start_ms;
    events.feed(*data);
    while (auto event = events.next()) {
      std::string out = on_event(std::move(*event));
      if (meter.ended(out) && !co_await record()) {
        ledger_cut = true;  // the end is not sent: the client sees a cut stream, not a whole answer
        break;
      }
      if (client_ok) client_ok = co_await w.write(out);
    }
    if (ledger_cut) break;
    if (events.buffered() > kMaxSseEvent) {
      row.error = fmt::format("the upstream's stream sent over {} bytes without ending an event", kMaxSseEvent);
      broken = true;
      break;
    }
  }
  if (const std::string rest = events.take_rest(); !rest.empty() && client_ok && !broken && !ledger_cut) {
    client_ok = co_await w.write(rest);
  }
  if (!broken && !meter.has_usage()) row.error = "the stream ended without usage";
  const bool kept = co_await record();
  if (broken || !kept) {
    if (broken) ++metrics.upstream_errors;
    w.abort();
    access(w, r, &key, kept ? row.status : 503, &row, row.cost, false, row.start_ms,
           kept ? std::string_view(row.error) : std::string_view(committed.message()));
    co_return;
  }
  for (const std::string& id : meter.tool_call_ids()) reasoning.remember(id, meter.reasoning());
  if (client_ok) co_await w.finish();
  access(w, r, &key, row.status, &row, row.cost, false, row.start_ms, row.error);
}

Gateway::Gateway(const pricing::PriceBook& book, const router::Router& router, ledger::Ledger& ledger,
                 net::Upstream& upstream, GatewayOptions options)
    : impl_(std::make_unique<Impl>(book, router, ledger, upstream, std::move(options))) {}

Gateway::~Gateway() = default;

core::Status Gateway::seed_budgets() {
  if (!impl_->any_limits()) return core::Status::Ok();
  auto rows = impl_->ledger.read_after(0, impl_->ledger_position);
  if (!rows.ok()) return core::make_error("cannot read the ledger to seed the budgets: " + rows.error().message);
  for (const ledger::Row& row : *rows) impl_->count_row(row);
  return core::Status::Ok();
}

void Gateway::follow_shared_ledger(asio::any_io_executor executor, std::chrono::milliseconds every) {
  Impl& m = *impl_;
  if (!m.any_limits() || m.follower.joinable()) return;
  m.follower = std::thread([&m, executor, every] {
    core::name_this_thread("ff-follower");
    const std::string own = m.id_prefix + "-";
    // From the position seeding reached; rows another gateway commits late (on
    // a shared PostgreSQL ledger) are counted when they appear.
    ledger::Follower follower([&m](std::int64_t after, std::size_t limit) { return m.ledger.read_page(after, limit); },
                              [&m](const std::vector<std::int64_t>& p) { return m.ledger.read_positions(p); },
                              m.ledger_position);
    follower.track_gaps(true);
    bool more = false;
    for (;;) {
      if (!more) {
        std::unique_lock<std::mutex> lock(m.follower_mu);
        if (m.follower_cv.wait_for(lock, every, [&] { return m.follower_stop; })) return;
      }
      auto rows = follower.poll(system_now_ms(), more);  // the wall clock: only for how long a gap is waited for
      if (!rows.ok()) continue;                          // the next look tries again; the writer reports ledger faults
      std::vector<ledger::Row> others;
      for (ledger::Positioned& p : *rows) {
        if (p.row.request_id.rfind(own, 0) != 0) others.push_back(std::move(p.row));
      }
      if (others.empty()) continue;
      // The budget and rate books belong to the server's thread.
      asio::post(executor, [&m, others = std::move(others)] {
        for (const ledger::Row& row : others) m.count_row(row);
      });
    }
  });
}

awaitable<void> Gateway::handle(const net::Request& r, net::ResponseWriter& writer) {
  const std::int64_t start_ms = impl_->now_ms();
  const auto started = std::chrono::steady_clock::now();
  LoggedWriter w(writer);
  const VirtualKey* key = nullptr;
  co_await dispatch(r, w, key);
  if (w.upstream.count() > 0) {
    const std::chrono::duration<double> own = std::chrono::steady_clock::now() - started - w.upstream;
    impl_->metrics.observe_overhead(std::max(0.0, own.count()));
  }
  // Probes and scrapes are not client requests: they write no line.
  const std::string_view path = r.path();
  if (!w.logged && path != "/healthz" && path != "/readyz" && path != "/metrics") {
    impl_->access(w, r, key, w.status, nullptr, core::Money{}, false, start_ms, w.error);
  }
}

void Gateway::log_rejected(const net::Request& r, int status, std::string_view error) {
  const std::int64_t now = impl_->now_ms();
  impl_->write_access_line(r, nullptr, status, nullptr, core::Money{}, false, now, error);
}

awaitable<void> Gateway::dispatch(const net::Request& r, LoggedWriter& w, const VirtualKey*& key_out) {
  const std::string_view path = r.path();
  if (path == "/healthz") {
    {
      net::Response reply = net::Response::json(200, R"({"status":"ok"})");
      co_await w.send(std::move(reply));
    }
    co_return;
  }
  if (path == "/readyz") {
    // Not ready while the ledger cannot record answers (a probe runs when due).
    const bool ready = co_await impl_->ledger_ready();
    std::string body = R"({"status":"ready"})";
    if (!ready) {
      core::JsonWriter j(true);
      j.begin_object().key("status").value("not ready").key("reason");
      j.value(fmt::format("the ledger cannot record answers: {}", impl_->ledger_down_reason)).end_object();
      body = j.str();
    }
    net::Response reply = net::Response::json(ready ? 200 : 503, std::move(body));
    co_await w.send(std::move(reply));
    co_return;
  }
  if (path == "/metrics") {
    net::Response res;
    res.headers.emplace_back("content-type", "text/plain; version=0.0.4");
    res.body = metrics_text();
    co_await w.send(std::move(res));
    co_return;
  }
  if (dashboard::Dashboard* board = impl_->options.dashboard) {
    if (dashboard::Dashboard::is_page(path)) {
      net::Response reply = board->page(r);
      co_await w.send(std::move(reply));
      co_return;
    }
    if (dashboard::Dashboard::is_api(path)) {
      std::optional<dashboard::Viewer> viewer = impl_->dashboard_viewer(r, key_out);
      if (!viewer) {
        net::Response reply =
            openai_error(401, "missing or unknown key (send Authorization: Bearer <an admin key or your virtual key>)",
                         "authentication_error", "invalid_api_key");
        co_await w.send(std::move(reply));
        co_return;
      }
      co_await board->api(r, w, std::move(*viewer));
      co_return;
    }
  }
  const bool chat = path == "/v1/chat/completions" || path == "/chat/completions";
  const bool messages = path == "/v1/messages" || path == "/anthropic/v1/messages";
  const bool responses = path == "/v1/responses" || path == "/responses";
  const bool models = path == "/v1/models" || path == "/models";
  const bool feedback = path == "/v1/flashfirst/feedback";
  const Protocol protocol = messages ? Protocol::kAnthropic : responses ? Protocol::kResponses : Protocol::kOpenAi;
  if (!chat && !models && !messages && !responses && !feedback) {
    {
      net::Response reply =
          openai_error(404, fmt::format("no route for {} {}", r.method, path), "invalid_request_error", "not_found");
      co_await w.send(std::move(reply));
    }
    co_return;
  }
  const VirtualKey* key = impl_->authenticate(r);
  key_out = key;
  if (key == nullptr) {
    {
      net::Response reply =
          error_response(protocol, 401, "missing or unknown API key (send Authorization: Bearer <your flashfirst key>)",
                         "authentication_error", "invalid_api_key");
      co_await w.send(std::move(reply));
    }
    co_return;
  }
  if (models) {
    if (r.method != "GET") {
      {
        net::Response reply =
            openai_error(405, "use GET for /v1/models", "invalid_request_error", "method_not_allowed");
        co_await w.send(std::move(reply));
      }
      co_return;
    }
    const Headers none;
    auto res = co_await impl_->upstream.request("GET", "/models", "", none);
    if (auto* e = std::get_if<UpstreamError>(&res)) {
      {
        net::Response reply = openai_error(502, e->message, "upstream_error", "upstream_unavailable");
        co_await w.send(std::move(reply));
      }
      co_return;
    }
    auto& ok = std::get<UpstreamResponse>(res);
    if (ok.head.status == 200) ok.body = with_gateway_models(ok.body);
    {
      net::Response reply = net::Response::json(ok.head.status, std::move(ok.body));
      co_await w.send(std::move(reply));
    }
    co_return;
  }
  if (r.method != "POST") {
    {
      net::Response reply = error_response(protocol, 405, "use POST", "invalid_request_error", "method_not_allowed");
      co_await w.send(std::move(reply));
    }
    co_return;
  }
  // Nothing is asked upstream, or rated, while the ledger cannot record it.
  if (!co_await impl_->ledger_ready()) {
    net::Response reply = impl_->ledger_unavailable(protocol, "the ledger cannot record answers, so none are served");
    co_await w.send(std::move(reply));
    co_return;
  }
  if (feedback) {
    co_await impl_->rate(r, w, *key);
    co_return;
  }
  co_await impl_->chat(r, w, *key, protocol);
}

std::string Gateway::metrics_text() const {
  std::string out = impl_->metrics.text(impl_->options.currency);
  if (impl_->options.extra_metrics) out += impl_->options.extra_metrics();
  return out;
}

}  // namespace ff::gateway
