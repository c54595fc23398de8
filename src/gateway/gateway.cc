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
#include <variant>

#include <fmt/format.h>
#include <simdjson.h>
#include <boost/asio.hpp>

#include "cascade/check.h"
#include "core/json_writer.h"
#include "core/text.h"
#include "core/thread_name.h"
#include "dashboard/dashboard.h"
#include "gateway/access_log.h"
#include "gateway/admission_stage.h"
#include "gateway/auth_stage.h"
#include "gateway/body_edit.h"
#include "gateway/feedback.h"
#include "gateway/ledger_bridge.h"
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
#include "wire/chat_completion.h"
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

std::vector<std::string> upstream_answer_fields() { return {"content-type", "retry-after"}; }

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
  awaitable<bool> start(int s, std::vector<std::pair<std::string, std::string>> headers,
                        std::string_view header_lines) override {
    status = s;
    headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
    return inner_.start(s, std::move(headers), header_lines);
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
    // Most of a reason is plain: eight bytes at a time past it.
    for (; i + 8 <= s.size(); i += 8) {
      const std::uint64_t eight = core::swar::load8(s.data() + i);
      if (core::swar::has_unprintable(eight) || core::swar::has_byte(eight, '%')) break;
    }
    if (i == s.size()) break;
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

  // Auth: the key each request presents (auth_stage.h).
  KeyRing keys{options.keys, options.admin_key_hashes};
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

  // The row's cost and its cost on Pro, for its usage at its start's prices.
  void set_cost(ledger::Row& row) const {
    Priced p = price(row.routed_model, row.usage, row.start_ms);
    row.cost = p.cost;
    row.cost_if_pro = p.cost_if_pro;
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

  // Metering's end: rows into the ledger, and the ledger's health (ledger_bridge.h).
  LedgerBridge bridge{ledger, metrics.ledger_failures, [this] { return now_ms(); }};
  awaitable<core::Status> commit(ledger::Row& row) { return bridge.commit(row); }
  awaitable<core::Status> commit(const std::shared_ptr<ledger::Row>& row) { return bridge.commit(row); }

  net::Response ledger_unavailable(Protocol protocol, std::string_view what) const {
    net::Response res = error_response(protocol, 503, fmt::format("{}: {}", what, bridge.down_reason()), "api_error",
                                       "ledger_unavailable");
    res.headers.emplace_back("retry-after", "1");
    return res;
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
    core::Result<ledger::FeedbackOutcome> outcome = co_await bridge.rate(rating);
    if (!outcome.ok()) {
      bridge.count_failure();
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

  // The request's access-log line (access_log.h), once: `w` remembers it was written.
  void access(LoggedWriter& w, const net::Request& r, const VirtualKey* key, int status, const ledger::Row* row,
              core::Money cost, bool escalated, std::int64_t start_ms, std::string_view error = {},
              AmountTexts texts = {}) const {
    w.logged = true;
    write_access_line(r, key, status, row, cost, escalated, start_ms, error, texts);
  }
  void write_access_line(const net::Request& r, const VirtualKey* key, int status, const ledger::Row* row,
                         core::Money cost, bool escalated, std::int64_t start_ms, std::string_view error,
                         AmountTexts texts = {}) const {
    if (!options.access_log) return;
    AccessRecord a;
    a.ts_ms = start_ms;
    a.method = r.method;
    a.path = r.path();
    if (key != nullptr) a.key = key->name;
    a.status = status;
    a.row = row;
    a.cost = cost;
    a.texts = texts;
    a.escalated = escalated;
    a.error = error;
    a.latency_ms = now_ms() - start_ms;
    format_access_line(access_line, a);
    options.access_log(access_line);
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
  // Without any (the usual request), one of two constant lists; otherwise the
  // list is made in `own`.
  static const Headers& upstream_headers(const net::Request& r, bool stream, Headers& own) {
    static const Headers kWhole{{"content-type", "application/json"}};
    static const Headers kStream{{"content-type", "application/json"}, {"accept", "text/event-stream"}};
    const Headers& fixed = stream ? kStream : kWhole;
    auto forwarded = [](const std::string& k) {
      return k.rfind("x-sim-", 0) == 0 || k == "anthropic-version" || k == "anthropic-beta";
    };
    if (std::none_of(r.headers.begin(), r.headers.end(), [&](const auto& h) { return forwarded(h.first); })) {
      return fixed;
    }
    own = fixed;
    for (const auto& [k, v] : r.headers) {
      if (forwarded(k)) own.emplace_back(k, v);
    }
    return own;
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

  // Appends the route's headers (model, category and reason, escalated) to
  // `lines` (net::Response::header_lines: every answer has them, so they are
  // written as text, not as a pair of strings each).
  static void add_route_headers(std::string& lines, const router::Decision& d, bool escalated) {
    core::append_parts(lines, "x-flashfirst-model: ", d.model,
                       "\r\nx-flashfirst-route: ", router::category_name(d.category), "; ");
    append_header_value(lines, d.reason);
    if (escalated) {
      core::append_parts(lines, "\r\nx-flashfirst-escalated: true\r\n");
    } else {
      core::append_parts(lines, "\r\nx-flashfirst-escalated: false\r\n");
    }
  }

  struct Exchange;
  // An answer's (or a stream event's) usage into its row: billed, or why it cannot be.
  void record_usage(ledger::Row& row, const wire::UsageRead& u) const {
    if (u.status == wire::UsageRead::Status::kOk) {
      row.usage = u.usage;
      set_cost(row);
    } else if (u.status == wire::UsageRead::Status::kInvalid) {
      row.error = "the upstream's usage is invalid: " + u.why;  // nothing can be billed from it
    }
  }
  // A call's ledger row as it starts: the request's and the decision's part.
  ledger::Row base_row(const Exchange& x, const router::Decision& d, std::int64_t start_ms) {
    ledger::Row row;
    begin_row(row, x, d, start_ms);
    return row;
  }
  // The same, written into a new row.
  void begin_row(ledger::Row& row, const Exchange& x, const router::Decision& d, std::int64_t start_ms) {
    row.request_id = new_id();
    row.key_hash = x.key.sha256_hex;
    row.key_name = x.key.name;
    row.start_ms = start_ms;
    row.requested_model = x.requested;
    row.routed_model = d.model;
    row.effort = d.effort;
    row.category = router::category_name(d.category);
    row.reason = d.reason;
    row.stream = x.is_stream;
    row.currency = options.currency;
  }

  // One non-stream call, recorded into `out`, whose row the caller has begun
  // (the row is filled in here, not moved). The row is committed (or the
  // ledger's failure counted). With `check`, a 200 chat completion also gets the
  // cascade's check from the same parse that read its usage.
  struct CallOutcome {
    std::variant<UpstreamResponse, UpstreamError> response;
    // The row, in shared memory from the start: the ledger's writer thread
    // reads it where it is (LedgerBridge::commit), not a copy moved out and back.
    std::shared_ptr<ledger::Row> held = std::make_shared<ledger::Row>();
    ledger::Row& row() { return *held; }
    const ledger::Row& row() const { return *held; }
    bool checked = false;
    std::optional<std::string> failure;    // the check's verdict, when `checked`
    core::Status recorded;                 // the row's commit
    std::chrono::nanoseconds upstream{0};  // waiting on the upstream, retries included
  };
  // `x` gives the endpoint, the headers and the protocol; `check`, the terms the
  // answer is checked against, if it is.
  awaitable<void> call_and_record(const Exchange& x, const std::string& body, CallOutcome& out,
                                  const cascade::Terms* check = nullptr) {
    ledger::Row& row = out.row();
    const auto called = std::chrono::steady_clock::now();
    out.response = co_await call(x.path, body, *x.headers);
    out.upstream = std::chrono::steady_clock::now() - called;
    auto& res = out.response;
    row.end_ms = now_ms();
    if (auto* e = std::get_if<UpstreamError>(&res)) {
      ++metrics.upstream_errors;
      row.status = error_status(*e);
      row.error = e->message;
    } else {
      auto& ok = std::get<UpstreamResponse>(res);
      row.status = ok.head.status;
      row.first_byte_ms = row.end_ms - row.start_ms;
      if (ok.head.status == 200 && x.protocol == Protocol::kOpenAi) {
        // The usual answer, read without a DOM (wire::read_completion): it has
        // no tool calls, so the reasoning cache has nothing to remember of it.
        if (auto read = wire::read_completion(ok.body)) {
          record_usage(row, read->usage);
          if (check != nullptr) {
            out.checked = true;
            out.failure = cascade::check_choice(*check, read->choice);
          }
          out.recorded = co_await commit(out.held);
          co_return;
        }
      }
      thread_local dom::parser parser;
      dom::element root;
      const bool parsed = !parser.parse(ok.body).get(root);
      if (parsed) {
        record_usage(row, wire::read_usage(root));
        std::string_view msg;
        if (ok.head.status != 200 && !root["error"]["message"].get_string().get(msg)) row.error = std::string(msg);
      } else if (ok.head.status != 200) {
        row.error = "upstream error body is not JSON";
      }
      if (parsed && ok.head.status == 200) reasoning.remember_answer(root);
      if (check != nullptr && ok.head.status == 200) {
        out.checked = true;
        out.failure =
            parsed ? check_in(x.protocol, *check, root) : std::optional<std::string>("the answer is not JSON");
      }
    }
    out.recorded = co_await commit(out.held);
  }

  // One chat request through the stages, from chat() to the reply: what the
  // request stage read, the route's decision, and the call as made upstream.
  // It lives in chat()'s frame; the stages take it by reference.
  struct Exchange {
    const net::Request& request;
    LoggedWriter& w;
    const VirtualKey& key;
    const Protocol protocol;
    const std::int64_t start_ms;
    const std::string& requested;  // `model` as sent
    const bool is_stream;
    const std::int64_t max_tokens;  // the client's output cap, 0 for none
    // The decision the call is made with. A fallback or an escalation that
    // answers replaces it with a decision of its own (tier, model, reason).
    router::Decision decision{};
    bool tier_choice = false;  // the gateway chose the tier (no concrete model was named)
    // The call as made upstream (prepare()).
    std::string_view path{};
    std::string body{};
    const Headers* headers = nullptr;  // upstream_headers(): constant, or `own_headers`
    Headers own_headers{};
    bool buffered = false;             // a stream asked of the upstream whole, for the cascade to check
    int restored = 0;                  // reasoning_content put back into assistant turns
    std::string_view recorded_body{};  // kept with the first row ("" when requests are not recorded)
  };

  // Route: the router's decision, made final by the model named, the key's
  // tiers and tier health (route_stage.h). The router also classifies requests
  // that name a tier or a model, for the record.
  std::variant<Route, RouteRefusal> route(const Exchange& x, const ChatRequest& request) {
    RouteInput in;
    in.routed = router.route_or_default(request.view, {x.key.name, request.tier_header});
    in.requested = request.requested;
    in.protocol = x.protocol;
    in.key_name = x.key.name;
    in.key_tiers = &x.key.tiers;
    in.tier_of_model = [this, at = x.start_ms](std::string_view id) -> std::optional<core::Tier> {
      const pricing::Quote* q = quote(id, at);
      if (q == nullptr) return std::nullopt;
      return book.models()[static_cast<std::size_t>(q->model)].tier;
    };
    for (core::Tier t : {core::Tier::kFlash, core::Tier::kPro}) {
      in.avoided[tier_index(t)] = health.avoided(t, x.start_ms);
      in.failures_in_a_row[tier_index(t)] = health.failures_in_a_row(t);
    }
    in.fallback_enabled = health.enabled();
    auto routed = finish_route(std::move(in), router.policy(),
                               [&](std::string_view id) { return unknown_model_message(id, x.start_ms); });
    if (const Route* ok = std::get_if<Route>(&routed); ok != nullptr && ok->fell_back) ++metrics.fallbacks;
    return routed;
  }

  // Admission: the key's rate limits, and its budget's reservation of the most
  // this call can cost (admission_stage.h); a refusal is counted.
  std::variant<Admission, AdmissionRefusal> admission(const Exchange& x) {
    const router::Decision& d = x.decision;
    const std::int64_t output = x.max_tokens > 0 ? x.max_tokens : options.default_output_cap;
    auto admitted =
        admit(rates, budgets,
              {x.key.sha256_hex, d.input_tokens + kTemplateAllowance + output,
               admission_estimate(d.model, d.input_tokens, x.max_tokens, x.start_ms), x.start_ms, options.currency},
              x.w.extra_headers);
    if (const auto* refusal = std::get_if<AdmissionRefusal>(&admitted)) {
      const bool rate = refusal->kind == AdmissionRefusal::Kind::kRateLimit;
      ++(rate ? metrics.rate_limit_refusals : metrics.budget_refusals);
    }
    return admitted;
  }
  static net::Response refusal_reply(Protocol protocol, const AdmissionRefusal& refusal) {
    net::Response reply = error_response(protocol, 429, refusal.message, "rate_limit_error", refusal.code());
    if (refusal.kind == AdmissionRefusal::Kind::kRateLimit) {
      reply.headers.emplace_back("retry-after", std::to_string(refusal.retry_after_seconds));
    }
    return reply;
  }

  // The call as made upstream: the endpoint, the headers, and the body, the
  // client's bytes with every edit made in one pass (body_edit.h). Also the
  // category's reasoning effort when the gateway chose the model (a named
  // concrete model passes as sent); the ledger records the effort as sent.
  void prepare(Exchange& x, const ChatRequest& request) {
    const bool chat_completions = x.protocol == Protocol::kOpenAi;
    const dom::element root = request.root;
    router::Decision& d = x.decision;
    BodyEdits edits(x.request.body);
    std::string model;  // ids are plain ASCII
    model.reserve(d.model.size() + 2);
    model.append(1, '"').append(d.model).append(1, '"');
    edits.set("model", std::move(model));
    x.restored = chat_completions ? reasoning.restore(edits, request.view) : 0;
    metrics.reasoning_restored += x.restored;
    apply_user_id(edits, root, x.protocol, x.key.user_id);
    d.effort = apply_effort(edits, root, x.protocol, x.tier_choice ? std::string_view(d.effort) : std::string_view());
    x.path = x.protocol == Protocol::kAnthropic   ? "/anthropic/v1/messages"
             : x.protocol == Protocol::kResponses ? "/responses"
                                                  : "/chat/completions";
    // Recorded requests are read back by `route train` and `simulate`, which
    // read chat requests: a Responses request is kept in its chat form.
    const std::string_view recorded =
        request.chat_form.empty() ? std::string_view(x.request.body) : std::string_view(request.chat_form);
    if (options.record_requests && tokenizer::is_valid_utf8(recorded)) x.recorded_body = recorded;
    // A stream the policy lets the cascade check: asked of the upstream whole,
    // checked (and escalated) like any answer, then sent as a stream.
    x.buffered = x.is_stream && x.protocol != Protocol::kAnthropic && d.cascade && d.buffer_streams &&
                 d.tier == core::Tier::kFlash;
    dom::element present;
    if (x.buffered) {
      edits.set("stream", "false");
      if (chat_completions && !root["stream_options"].get(present)) edits.set("stream_options", "null");
    }
    const bool streamed = x.is_stream && !x.buffered;
    if (streamed && chat_completions) put_member(edits, root, "stream_options", R"({"include_usage":true})");
    x.body = edits.apply();
    x.headers = &upstream_headers(x.request, streamed, x.own_headers);
  }

  // The key's budget reserved for a second call of the request (a fallback or
  // an escalation) on `model`, or nullopt (counted) when the budget has no room.
  std::optional<budget::BudgetBook::Reservation> reserve_second_call(const Exchange& x, const std::string& model) {
    auto r =
        budgets.reserve(x.key.sha256_hex, admission_estimate(model, x.decision.input_tokens, x.max_tokens, now_ms()),
                        now_ms(), options.currency);
    if (!r.ok()) {
      ++metrics.budget_refusals;
      return std::nullopt;
    }
    return *r;
  }

  // A fallback to the other tier: whether this request may make one.
  bool can_fall_back(const Exchange& x) const {
    const core::Tier to = other_tier(x.decision.tier);
    return health.enabled() && x.tier_choice && tier_allowed(&x.key.tiers, to) && !health.avoided(to, now_ms());
  }

  // The first call failed and nothing has reached the client: once more on the
  // other tier, if the budget allows; then `first` is that call, and the
  // exchange's decision is the other tier's. The rare turns (this one and
  // escalate()) are coroutines of their own so that their locals take frame
  // space only when they happen: chat()'s frame is allocated for every request.
  awaitable<void> fall_back(Exchange& x, CallOutcome& first, core::Money& failed_cost) {
    const router::Decision& d = x.decision;
    const core::Tier to = other_tier(d.tier);
    const std::string to_model = router.policy().model_for(to);
    const std::optional<budget::BudgetBook::Reservation> fr = reserve_second_call(x, to_model);
    if (!fr) co_return;
    ++metrics.fallbacks;
    router::Decision fd = d;
    fd.reason = fmt::format("fallback: {} answered {} ({})", core::tier_name(d.tier), first.row().status, d.reason);
    fd.tier = to;
    fd.model = to_model;
    fd.cascade = false;
    CallOutcome again;
    begin_row(again.row(), x, fd, now_ms());
    again.row().escalated_from = first.row().request_id;
    const std::string to_body = set_member(x.body, "model", "\"" + to_model + "\"");
    co_await call_and_record(x, to_body, again);
    budgets.settle(*fr, again.row().cost);
    count(again.row(), to);
    failed_cost = first.row().cost;
    core::Status failed_recorded = std::move(first.recorded);
    again.upstream += first.upstream;
    first = std::move(again);
    if (!failed_recorded.ok()) first.recorded = std::move(failed_recorded);
    x.decision = std::move(fd);
  }

  // The cascade: Flash's answer failed its check, and Pro's call is reserved for.
  struct Escalation {
    std::string failure;
    budget::BudgetBook::Reservation reservation;
  };
  // Whether a checked Flash answer goes to Pro: nullopt when it passed, or when
  // the key's budget has no room for Pro's call (Flash's answer then stands).
  std::optional<Escalation> escalation(const Exchange& x, const CallOutcome& first) {
    if (!first.checked || !first.failure) return std::nullopt;
    std::optional<budget::BudgetBook::Reservation> pr = reserve_second_call(x, router.policy().pro_model);
    if (!pr) return std::nullopt;
    return Escalation{*first.failure, *pr};
  }
  // The request again on Pro: `second` is that call. When Pro answered, the
  // exchange's decision is Pro's; if it could not be reached, Flash's answer is
  // still the best there is.
  awaitable<void> escalate(Exchange& x, const Escalation& up, const std::string& flash_request_id,
                           std::optional<CallOutcome>& second) {
    ++metrics.escalations;
    router::Decision pd = x.decision;
    pd.reason = fmt::format("escalated: Flash's answer failed ({})", up.failure);
    pd.tier = core::Tier::kPro;
    pd.model = router.policy().pro_model;
    second.emplace();
    begin_row(second->row(), x, pd, now_ms());
    second->row().escalated_from = flash_request_id;
    const std::string pro_body = set_member(x.body, "model", "\"" + pd.model + "\"");
    co_await call_and_record(x, pro_body, *second);
    budgets.settle(up.reservation, second->row().cost);
    count(second->row(), core::Tier::kPro);
    if (std::holds_alternative<UpstreamResponse>(second->response)) x.decision = std::move(pd);
  }

  // An upstream call that got no answer, as the client is told.
  static net::Response upstream_error_reply(const Exchange& x, int status, const UpstreamError& e) {
    net::Response res = error_response(x.protocol, status, e.message, "upstream_error", error_code(e));
    if (e.kind == UpstreamError::Kind::kOverloaded) res.headers.emplace_back("retry-after", "1");
    add_route_headers(res.header_lines, x.decision, false);
    return res;
  }

  // The answer as the client gets it: the upstream's status and body, with the
  // route's headers and the figures. A stream asked of the upstream whole is
  // sent as the stream's events (`as_stream`).
  struct Reply {
    net::Response response;
    bool as_stream = false;
  };
  // The amounts as text: `total`'s and the row's cost_if_pro (the access-log line reuses them).
  struct AmountDecimals {
    core::Money::Decimal total, cost_if_pro;
  };
  static Reply answer_reply(const Exchange& x, UpstreamResponse& answer, const ledger::Row& row, core::Money total,
                            const AmountDecimals& amounts, bool escalated) {
    Reply out;
    net::Response& res = out.response;
    res.status = answer.head.status;
    const std::string_view ct = answer.head.header("content-type");
    res.headers.emplace_back("content-type", ct.empty() ? "application/json" : std::string(ct));
    std::string& lines = res.header_lines;
    lines.reserve(320 + x.decision.model.size() + x.decision.reason.size());
    add_route_headers(lines, x.decision, escalated);
    net::append_header(lines, "x-flashfirst-cost", amounts.total.view());
    net::append_header(lines, "x-flashfirst-cost-if-pro", amounts.cost_if_pro.view());
    net::append_header(lines, "x-flashfirst-request-id", row.request_id);
    if (x.restored > 0) net::append_header(lines, "x-flashfirst-reasoning-restored", std::to_string(x.restored));
    std::optional<std::string> events;
    if (x.buffered && res.status == 200) {
      const std::string figures = figures_json(row, escalated, total);
      events = x.protocol == Protocol::kOpenAi ? wire::completion_as_stream(answer.body, figures)
                                               : wire::response_as_stream(answer.body, figures);
    }
    if (events) {
      res.headers.front() = {"content-type", "text/event-stream"};
      res.headers.emplace_back("cache-control", "no-cache");
      res.body = std::move(*events);
      out.as_stream = true;
    } else {
      res.body = std::move(answer.body);
    }
    return out;
  }

  awaitable<void> chat(const net::Request& r, LoggedWriter& w, const VirtualKey& key, Protocol protocol);
  awaitable<void> stream(Exchange& x, const budget::BudgetBook::Reservation& reservation);
  // One event of a stream, metered (stream_meter.h): the text to forward, the
  // event with the figures added when it brought the usage.
  std::string metered(StreamMeter& meter, ledger::Row& row, std::string event) const {
    switch (meter.read(event)) {
      case StreamMeter::Read::kPassed:
        return event;
      case StreamMeter::Read::kInvalidUsage:
        record_usage(row, {wire::UsageRead::Status::kInvalid, {}, meter.invalid_usage()});
        return event;
      case StreamMeter::Read::kUsage:
        break;
    }
    record_usage(row, {wire::UsageRead::Status::kOk, meter.usage(), {}});
    return with_figures(event, figures_json(row, false, row.cost));
  }
  // A stream's row, recorded once its answer has ended (or broken off). A
  // stream that never brought its usage is billed on an estimate, and says so.
  awaitable<core::Status> record_stream(Exchange& x, ledger::Row& row, const StreamMeter& meter,
                                        const budget::BudgetBook::Reservation& reservation) {
    row.end_ms = now_ms();
    if (!meter.has_usage()) {
      row.usage_estimated = true;
      row.usage.cache_miss = x.decision.input_tokens;
      row.usage.output = meter.estimated_output();
      set_cost(row);
    }
    budgets.settle(reservation, row.cost);
    const auto committing = std::chrono::steady_clock::now();
    core::Status s = co_await commit(row);
    x.w.upstream -= std::chrono::steady_clock::now() - committing;  // the gateway's own time, inside the stream's
    count(row, x.decision.tier);
    co_return s;
  }
  // A streamed call that got no stream (no answer, or an error status): its
  // row recorded, and the reply sent whole.
  awaitable<void> answer_unstreamed(Exchange& x, ledger::Row& row, const budget::BudgetBook::Reservation& reservation,
                                    net::Response reply) {
    row.end_ms = now_ms();
    budgets.settle(reservation, row.cost);
    (void)co_await commit(row);
    count(row, x.decision.tier);
    co_await x.w.send(std::move(reply));
    access(x.w, x.request, &x.key, row.status, &row, row.cost, false, row.start_ms, row.error);
  }
};

// The request's stages in order. (Each reply is a named local: GCC 12
// mishandles temporaries inside co_await expressions.)
awaitable<void> Gateway::Impl::chat(const net::Request& r, LoggedWriter& w, const VirtualKey& key, Protocol protocol) {
  const std::int64_t start_ms = now_ms();
  auto read = read_chat_request(r.body, r.header("x-flashfirst-tier"), protocol);  // request_stage.h
  if (const auto* refusal = std::get_if<RequestRefusal>(&read)) {
    net::Response reply = error_response(protocol, 400, refusal->message, "invalid_request_error", refusal->code);
    co_await w.send(std::move(reply));
    co_return;
  }
  const ChatRequest& request = std::get<ChatRequest>(read);  // its parse is valid until the first co_await
  Exchange x{r, w, key, protocol, start_ms, request.requested, request.stream, request.max_tokens};
  auto routed = route(x, request);
  if (const auto* refusal = std::get_if<RouteRefusal>(&routed)) {
    net::Response reply = error_response(protocol, refusal->status, refusal->message, refusal->type, refusal->code);
    co_await w.send(std::move(reply));
    co_return;
  }
  x.decision = std::move(std::get<Route>(routed).decision);
  x.tier_choice = std::get<Route>(routed).tier_choice;
  auto admitted = admission(x);  // held until the request ends
  if (const auto* refusal = std::get_if<AdmissionRefusal>(&admitted)) {
    net::Response reply = refusal_reply(protocol, *refusal);
    co_await w.send(std::move(reply));
    access(w, r, &key, 429, nullptr, core::Money{}, false, start_ms, refusal->message);
    co_return;
  }
  const budget::BudgetBook::Reservation& reservation = std::get<Admission>(admitted).reservation();
  prepare(x, request);
  if (x.is_stream && !x.buffered) {
    co_await stream(x, reservation);
    co_return;
  }
  // A Flash answer the cascade checks is checked against terms read from the request.
  const bool check = x.decision.cascade && x.decision.tier == core::Tier::kFlash;
  const std::optional<cascade::Terms> terms =
      check ? std::optional<cascade::Terms>(cascade::terms_of(request.view)) : std::nullopt;
  CallOutcome first;
  begin_row(first.row(), x, x.decision, start_ms);
  first.row().request_body = x.recorded_body;
  co_await call_and_record(x, x.body, first, terms ? &*terms : nullptr);
  budgets.settle(reservation, first.row().cost);
  count(first.row(), x.decision.tier);
  core::Money failed_cost;  // of a call that failed before a fallback (usually nothing)
  if (TierHealth::failed_call(first.row().status) && can_fall_back(x)) co_await fall_back(x, first, failed_cost);
  if (const auto* e = std::get_if<UpstreamError>(&first.response)) {
    net::Response reply = upstream_error_reply(x, first.row().status, *e);
    co_await w.send(std::move(reply));
    access(w, r, &key, first.row().status, &first.row(), first.row().cost, false, start_ms, first.row().error);
    co_return;
  }
  auto* answer = &std::get<UpstreamResponse>(first.response);
  ledger::Row* final_row = &first.row();
  core::Money total = first.row().cost + failed_cost;
  std::optional<CallOutcome> second;
  if (std::optional<Escalation> up = escalation(x, first)) {
    co_await escalate(x, *up, first.row().request_id, second);
    if (auto* pro = std::get_if<UpstreamResponse>(&second->response)) {
      answer = pro;
      final_row = &second->row();
      total += second->row().cost;
    }
  }
  const bool escalated = second.has_value();
  w.upstream += first.upstream + (second ? second->upstream : std::chrono::nanoseconds{0});
  // An answer whose row (or an earlier call's for it) the ledger could not
  // commit is not served: the client is told, and may ask again.
  const core::Status& unrecorded = !first.recorded.ok() || !second ? first.recorded : second->recorded;
  if (!unrecorded.ok()) {
    net::Response reply = ledger_unavailable(protocol, "the ledger could not record this answer, so it is not served");
    net::append_header(reply.header_lines, "x-flashfirst-request-id", final_row->request_id);
    // Billed upstream, recorded once it can be.
    net::append_header(reply.header_lines, "x-flashfirst-cost", core::Money::Decimal(total).view());
    co_await w.send(std::move(reply));
    access(w, r, &key, 503, final_row, total, escalated, start_ms, unrecorded.message());
    co_return;
  }
  const AmountDecimals amounts{core::Money::Decimal(total), core::Money::Decimal(final_row->cost_if_pro)};
  Reply reply = answer_reply(x, *answer, *final_row, total, amounts, escalated);
  const int status = reply.response.status;
  if (!reply.as_stream) {
    co_await w.send(std::move(reply.response));
  } else if (co_await w.start(200, std::move(reply.response.headers), reply.response.header_lines) &&
             co_await w.write(reply.response.body)) {
    (void)co_await w.finish();
  }
  access(w, r, &key, status, final_row, total, escalated, start_ms, {},
         {amounts.total.view(), amounts.cost_if_pro.view()});
}

// A streamed call: the upstream's events passed on as they come, metered on the way.
awaitable<void> Gateway::Impl::stream(Exchange& x, const budget::BudgetBook::Reservation& reservation) {
  const net::Request& r = x.request;
  LoggedWriter& w = x.w;
  const router::Decision& d = x.decision;
  const VirtualKey& key = x.key;
  ledger::Row row = base_row(x, d, x.start_ms);
  row.request_body = x.recorded_body;
  const auto opening = std::chrono::steady_clock::now();
  // The whole stream is the upstream's time: the gateway's own is before and after.
  struct UpstreamTime {
    LoggedWriter& w;
    std::chrono::steady_clock::time_point since;
    ~UpstreamTime() { w.upstream += std::chrono::steady_clock::now() - since; }
  } upstream_time{w, opening};
  auto opened = co_await open(x.path, x.body, *x.headers);
  if (auto* e = std::get_if<UpstreamError>(&opened)) {
    ++metrics.upstream_errors;
    row.status = error_status(*e);
    row.error = e->message;
    net::Response reply = upstream_error_reply(x, row.status, *e);
    co_await answer_unstreamed(x, row, reservation, std::move(reply));
    co_return;
  }
  UpstreamStream& up = std::get<UpstreamStream>(opened);
  row.status = up.head().status;
  if (row.status != 200) {
    // An error answer: read it whole and pass it on.
    net::Response reply;
    reply.status = row.status;
    reply.headers.emplace_back("content-type", std::string(up.head().header("content-type")));
    add_route_headers(reply.header_lines, d, false);
    for (;;) {
      auto piece = co_await up.next();
      if (!std::holds_alternative<std::optional<std::string>>(piece) || !std::get<0>(piece)) break;
      reply.body += *std::get<0>(piece);
    }
    row.error = reply.body.substr(0, 500);
    co_await answer_unstreamed(x, row, reservation, std::move(reply));
    co_return;
  }

  Headers headers{{"content-type", "text/event-stream"}, {"cache-control", "no-cache"}};
  std::string lines;
  add_route_headers(lines, d, false);
  net::append_header(lines, "x-flashfirst-request-id", row.request_id);
  bool client_ok = co_await w.start(200, std::move(headers), lines);

  wire::SseSplitter events;
  StreamMeter meter(x.protocol);
  std::optional<core::Status> committed;  // the row's commit, once made
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
      std::string out = metered(meter, row, std::move(*event));
      // The row is recorded before the stream's last bytes go out. When the
      // ledger fails, the end is not sent: the client sees a cut stream, not a
      // whole answer.
      if (meter.ended(out)) {
        committed = co_await record_stream(x, row, meter, reservation);
        if (!committed->ok()) {
          ledger_cut = true;
          break;
        }
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
  if (!committed) committed = co_await record_stream(x, row, meter, reservation);
  const bool kept = committed->ok();
  if (broken || !kept) {
    if (broken) ++metrics.upstream_errors;
    w.abort();
    access(w, r, &key, kept ? row.status : 503, &row, row.cost, false, row.start_ms,
           kept ? std::string_view(row.error) : std::string_view(committed->message()));
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
    ledger::Follower follower(
        [&m](std::int64_t after, std::size_t limit, std::vector<ledger::Positioned>& rows) {
          return ledger::page_into(m.ledger.read_page(after, limit), rows);
        },
        [&m](const std::vector<std::int64_t>& p) { return m.ledger.read_positions(p); }, m.ledger_position);
    follower.track_gaps(true);
    bool more = false;
    std::vector<ledger::Positioned> rows;
    for (;;) {
      if (!more) {
        std::unique_lock<std::mutex> lock(m.follower_mu);
        if (m.follower_cv.wait_for(lock, every, [&] { return m.follower_stop; })) return;
      }
      // The wall clock: only for how long a gap is waited for. On a failure the
      // next look tries again; the writer reports ledger faults.
      if (!follower.poll(system_now_ms(), more, rows).ok()) continue;
      std::vector<ledger::Row> others;
      for (ledger::Positioned& p : rows) {
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
  const bool chat = path == "/v1/chat/completions" || path == "/chat/completions";
  const bool messages = path == "/v1/messages" || path == "/anthropic/v1/messages";
  const bool responses = path == "/v1/responses" || path == "/responses";
  const bool feedback = path == "/v1/flashfirst/feedback";
  if (!chat && !messages && !responses && !feedback) {
    co_await dispatch_other(r, w, key_out);
    co_return;
  }
  const Protocol protocol = messages ? Protocol::kAnthropic : responses ? Protocol::kResponses : Protocol::kOpenAi;
  const VirtualKey* key = impl_->keys.authenticate(r);
  key_out = key;
  // The one answer dispatch may send itself (one Response in the frame, not one per case).
  std::optional<net::Response> refusal;
  if (key == nullptr) {
    refusal =
        error_response(protocol, 401, "missing or unknown API key (send Authorization: Bearer <your flashfirst key>)",
                       "authentication_error", "invalid_api_key");
  } else if (r.method != "POST") {
    refusal = error_response(protocol, 405, "use POST", "invalid_request_error", "method_not_allowed");
  } else if (!co_await impl_->bridge.ready()) {
    // Nothing is asked upstream, or rated, while the ledger cannot record it.
    refusal = impl_->ledger_unavailable(protocol, "the ledger cannot record answers, so none are served");
  }
  if (refusal) {
    co_await w.send(std::move(*refusal));
    co_return;
  }
  if (feedback) {
    co_await impl_->rate(r, w, *key);
    co_return;
  }
  co_await impl_->chat(r, w, *key, protocol);
}

awaitable<void> Gateway::dispatch_other(const net::Request& r, LoggedWriter& w, const VirtualKey*& key_out) {
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
    const bool ready = co_await impl_->bridge.ready();
    std::string body = R"({"status":"ready"})";
    if (!ready) {
      core::JsonWriter j(true);
      j.begin_object().key("status").value("not ready").key("reason");
      j.value(fmt::format("the ledger cannot record answers: {}", impl_->bridge.down_reason())).end_object();
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
      std::optional<dashboard::Viewer> viewer = impl_->keys.dashboard_viewer(r, key_out);
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
  if (path != "/v1/models" && path != "/models") {
    {
      net::Response reply =
          openai_error(404, fmt::format("no route for {} {}", r.method, path), "invalid_request_error", "not_found");
      co_await w.send(std::move(reply));
    }
    co_return;
  }
  const VirtualKey* key = impl_->keys.authenticate(r);
  key_out = key;
  if (key == nullptr) {
    {
      net::Response reply =
          openai_error(401, "missing or unknown API key (send Authorization: Bearer <your flashfirst key>)",
                       "authentication_error", "invalid_api_key");
      co_await w.send(std::move(reply));
    }
    co_return;
  }
  if (r.method != "GET") {
    {
      net::Response reply = openai_error(405, "use GET for /v1/models", "invalid_request_error", "method_not_allowed");
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
}

std::string Gateway::metrics_text() const {
  std::string out = impl_->metrics.text(impl_->options.currency);
  if (impl_->options.extra_metrics) out += impl_->options.extra_metrics();
  return out;
}

}  // namespace ff::gateway
