#include "dashboard/dashboard.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "core/json_writer.h"
#include "core/thread_name.h"
#include "core/time.h"
#include "dashboard/spend_index.h"
#include "ledger/follower.h"
#include "ledger/ledger.h"
#include "net/http_server.h"
#include "pricing/price_book.h"
#include "report/html.h"

namespace ff::dashboard {

// The UI's files, embedded at build time (cmake/embed_ui.cmake).
extern const std::string_view kUiIndexHtml;
extern const std::string_view kUiAppJs;
extern const std::string_view kUiFaviconSvg;

namespace asio = boost::asio;

namespace {

constexpr std::string_view kApi = "/v1/flashfirst/";
constexpr std::int64_t kMsPerHour = 3'600'000;
constexpr std::size_t kMaxLimit = 500;

net::Response error(int status, std::string_view message, std::string_view code) {
  core::JsonWriter w(true);
  w.begin_object().key("error").begin_object();
  w.key("message").value(message).key("type").value(status == 401 ? "authentication_error" : "invalid_request_error");
  w.key("code").value(code).end_object().end_object();
  return net::Response::json(status, w.str());
}

// %XX and '+' decoded; nullopt for a broken escape.
std::optional<std::string> url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      unsigned v = 0;
      auto r = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (r.ec != std::errc() || r.ptr != s.data() + i + 3) return std::nullopt;
      out.push_back(static_cast<char>(v));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

struct Query {
  std::vector<std::pair<std::string, std::string>> params;
  std::string_view get(std::string_view name) const {
    for (const auto& [k, v] : params) {
      if (k == name) return v;
    }
    return {};
  }
  bool has(std::string_view name) const {
    return std::any_of(params.begin(), params.end(), [&](const auto& p) { return p.first == name; });
  }
};

core::Result<Query> parse_query(std::string_view target) {
  Query q;
  const std::size_t mark = target.find('?');
  if (mark == std::string_view::npos) return q;
  std::string_view rest = target.substr(mark + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view part = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (part.empty()) continue;
    const std::size_t eq = part.find('=');
    auto k = url_decode(part.substr(0, eq));
    auto v = url_decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
    if (!k || !v) return core::make_error(fmt::format("malformed query parameter '{}'", part));
    q.params.emplace_back(std::move(*k), std::move(*v));
  }
  return q;
}

// A `from`/`to` parameter: an ISO 8601 time (or a date), in Unix ms.
core::Result<std::optional<std::int64_t>> time_param(const Query& q, std::string_view name, bool whole_hours) {
  const std::string_view text = q.get(name);
  if (text.empty()) return std::optional<std::int64_t>{};
  auto t = core::parse_time(text);
  if (!t.ok()) return core::make_error(fmt::format("`{}`: {}", name, t.error().message));
  const std::int64_t ms = t->unix_seconds * 1000;
  if (whole_hours && ms % kMsPerHour != 0) {
    return core::make_error(fmt::format(
        "`{}` must be a whole UTC hour (spend is kept per hour), e.g. {}", name,
        core::format_time(core::Timestamp{core::floor_div(t->unix_seconds, 3600) * 3600})));
  }
  return std::optional<std::int64_t>{ms};
}

std::string time_ms(std::int64_t ms) {
  // 2026-12-03T13:05:09.123Z
  std::string s = core::format_time(core::Timestamp{core::floor_div(ms, 1000)});
  s.insert(s.size() - 1, fmt::format(".{:03}", ms - core::floor_div(ms, 1000) * 1000));
  return s;
}

void tokens_json(core::JsonWriter& w, const core::TokenUsage& t) {
  w.begin_object().key("cache_hit").value(t.cache_hit).key("cache_miss").value(t.cache_miss);
  w.key("output").value(t.output).key("reasoning").value(t.reasoning).end_object();
}

// A share as a JSON number with six decimals, or null without a whole.
void share_json(core::JsonWriter& w, std::int64_t part, std::int64_t whole) {
  if (whole <= 0) {
    w.null();
  } else {
    w.number_text(fmt::format("{:.6f}", static_cast<double>(part) / static_cast<double>(whole)));
  }
}

void spend_json(core::JsonWriter& w, const SpendLine& s) {
  const planner::CostLine& l = s.line;
  w.key("calls").value(l.records).key("upstream_errors").value(s.errors).key("skipped").value(s.skipped);
  w.key("escalations").value(s.escalations).key("pro_calls").value(s.pro_calls);
  w.key("tokens");
  tokens_json(w, l.tokens);
  w.key("cache_hit_rate");
  share_json(w, l.tokens.cache_hit, l.tokens.cache_hit + l.tokens.cache_miss);
  w.key("pro_share");
  share_json(w, s.pro_calls, l.records);
  w.key("cost").begin_object();
  w.key("actual").value(l.cost.to_decimal()).key("all_flash").value(l.cost_if_flash.to_decimal());
  w.key("all_pro").value(l.cost_if_pro.to_decimal());
  w.key("savings_vs_all_pro").value((l.cost_if_pro - l.cost).to_decimal());
  w.key("savings_vs_all_pro_percent");
  if (l.cost_if_pro.femto() > 0) {
    // Two decimals, rounded half up, from exact femto-units.
    const core::int128 bp = (l.cost_if_pro - l.cost).femto() * 20000 / l.cost_if_pro.femto();
    const core::int128 rounded = bp >= 0 ? (bp + 1) / 2 : -((-bp + 1) / 2);
    const auto r = static_cast<std::int64_t>(rounded);
    w.number_text(fmt::format("{}{}.{:02}", r < 0 ? "-" : "", std::abs(r) / 100, std::abs(r) % 100));
  } else {
    w.null();
  }
  w.end_object();
}

void row_json(core::JsonWriter& w, const ledger::Positioned& p, const pricing::PriceBook& book) {
  const ledger::Row& r = p.row;
  const auto tier = book.tier_of(r.routed_model, core::Timestamp{core::floor_div(r.start_ms, 1000)}, r.currency);
  w.begin_object();
  w.key("id").value(r.request_id).key("seq").value(p.seq).key("time").value(time_ms(r.start_ms));
  w.key("key").value(r.key_name.empty() ? "(unnamed, " + r.key_hash.substr(0, 8) + ")" : r.key_name);
  w.key("requested_model").value(r.requested_model).key("model").value(r.routed_model);
  w.key("tier").value(tier ? core::tier_name(*tier) : "?");
  w.key("category").value(r.category).key("reason").value(r.reason).key("effort").value(r.effort);
  w.key("escalated_from");
  if (r.escalated_from.empty()) {
    w.null();
  } else {
    w.value(r.escalated_from);
  }
  w.key("escalated").value(!r.escalated_from.empty() && r.reason.rfind("escalated", 0) == 0);
  w.key("stream").value(r.stream).key("status").value(static_cast<std::int64_t>(r.status));
  w.key("tokens");
  tokens_json(w, r.usage);
  w.key("usage_estimated").value(r.usage_estimated);
  w.key("cost").value(r.cost.to_decimal()).key("cost_if_pro").value(r.cost_if_pro.to_decimal());
  w.key("currency").value(r.currency);
  w.key("latency_ms").value(r.end_ms - r.start_ms).key("first_byte_ms").value(r.first_byte_ms);
  w.key("error").value(r.error).end_object();
}

bool split_list(std::string_view text, std::vector<std::string>& out) {
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    if (part.empty()) return false;
    out.emplace_back(part);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return true;
}

bool parse_int(std::string_view s, std::int64_t& v) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Runs `work` on `pool` and resumes the awaiting coroutine on its own executor
// with the answer. Not a coroutine: `work` is never a capture in a coroutine's
// frame (GCC 12 destroys such temporaries too early).
asio::awaitable<net::Response> on_worker(asio::thread_pool& pool, std::function<net::Response()> work) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(net::Response)>(
      [&pool, work = std::move(work)](auto handler) mutable {
        auto ex = asio::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        asio::post(pool, [work = std::move(work), ex, h] {
          net::Response out = work();
          asio::post(ex, [h, out = std::move(out)]() mutable { (*h)(std::move(out)); });
        });
      },
      asio::use_awaitable);
}

}  // namespace

struct Dashboard::Worker {
  asio::thread_pool pool{1};
  std::mutex mu;
  std::condition_variable loaded_cv;
  std::string load_error;  // under mu
};

Dashboard::Dashboard(const pricing::PriceBook& book, DashboardOptions options)
    : book_(book),
      options_(std::move(options)),
      index_(std::make_unique<SpendIndex>(book, options_.currency)),
      worker_(std::make_unique<Worker>()) {}

Dashboard::~Dashboard() { stop(); }

void Dashboard::start() {
  if (!reader_.joinable()) reader_ = std::thread([this] { follow(); });
}

void Dashboard::stop() {
  {
    std::lock_guard lock(worker_->mu);
    stopping_ = true;
  }
  worker_->loaded_cv.notify_all();
  if (reader_.joinable()) reader_.join();
  // Answers being computed post to the server's loop: done before it goes.
  worker_->pool.join();
}

std::int64_t Dashboard::now_ms() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t Dashboard::rows() const { return index_->rows(); }

bool Dashboard::wait_loaded(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(worker_->mu);
  return worker_->loaded_cv.wait_for(lock, timeout, [&] { return loaded_.load() || stopping_.load(); }) &&
         loaded_.load();
}

namespace {
// The most rows the reader keeps room for between polls: 250 ms of 16,000
// requests a second.
constexpr std::size_t kRowsKept = 4096;
}  // namespace

void Dashboard::follow() {
  core::name_this_thread("ff-dashboard");
  // Rows committed late (another gateway's, on a shared PostgreSQL ledger) come
  // too: the follower looks for the positions it skipped.
  ledger::Follower follower = ledger::Follower::of(options_.ledger, 0, options_.page_rows);
  auto set_error = [&](std::string message) {
    std::lock_guard lock(worker_->mu);
    worker_->load_error = std::move(message);
  };
  std::vector<ledger::Positioned> rows;  // read into again at each poll
  while (!stopping_) {
    bool more = false;
    if (auto polled = follower.poll(now_ms(), more, rows); !polled.ok()) {
      // A file not created yet, a database away: tried again at the next poll.
      set_error(polled.message());
    } else {
      for (const ledger::Positioned& p : rows) index_->add(p.seq, p.row);
      set_error("");
      if (more) continue;  // a whole page: more may follow at once
      // Caught up: the room the pages of a load or a catch-up took (50,000 rows
      // and their strings, tens of megabytes) is not kept for polls of a few
      // thousand.
      if (rows.capacity() > kRowsKept) std::vector<ledger::Positioned>().swap(rows);
      if (!loaded_) {
        follower.track_gaps(true);
        std::lock_guard lock(worker_->mu);
        loaded_ = true;
        worker_->loaded_cv.notify_all();
      }
    }
    std::unique_lock lock(worker_->mu);
    worker_->loaded_cv.wait_for(lock, options_.poll, [&] { return stopping_.load(); });
  }
}

bool Dashboard::is_page(std::string_view path) {
  return path == "/ui" || path.rfind("/ui/", 0) == 0 || path == "/favicon.ico";
}

bool Dashboard::is_api(std::string_view path) {
  if (path.rfind(kApi, 0) != 0) return false;
  const std::string_view rest = path.substr(kApi.size());
  return rest == "spend" || rest == "requests" || rest.rfind("requests/", 0) == 0 || rest == "budgets" ||
         rest == "live" || rest == "events" || rest == "evals" || rest.rfind("evals/", 0) == 0;
}

net::Response Dashboard::page(const net::Request& r) const {
  const std::string_view path = r.path();
  if (r.method != "GET" && r.method != "HEAD") return error(405, "use GET", "method_not_allowed");
  net::Response res;
  auto serve = [&](std::string_view body, const char* type) {
    res.headers.emplace_back("content-type", type);
    // The pages hold no data and no key: the key is kept in the tab's session
    // storage, and the data comes from the API.
    res.headers.emplace_back("cache-control", "no-cache");
    res.headers.emplace_back("x-content-type-options", "nosniff");
    res.headers.emplace_back("content-security-policy",
                             "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                             "connect-src 'self'; frame-ancestors 'none'");
    res.headers.emplace_back("referrer-policy", "no-referrer");
    res.body = std::string(body);
  };
  if (path == "/ui") {
    res.status = 308;
    res.headers.emplace_back("location", "/ui/");
  } else if (path == "/ui/" || path == "/ui/index.html") {
    serve(kUiIndexHtml, "text/html; charset=utf-8");
  } else if (path == "/ui/app.js") {
    serve(kUiAppJs, "text/javascript; charset=utf-8");
  } else if (path == "/ui/style.css") {
    serve(report::kStyleCss, "text/css; charset=utf-8");
  } else if (path == "/ui/favicon.svg" || path == "/favicon.ico") {
    serve(kUiFaviconSvg, "image/svg+xml");
  } else {
    return error(404, fmt::format("no page {}", path), "not_found");
  }
  return res;
}

net::Response Dashboard::answer(std::string_view target, const Viewer& viewer) const {
  const std::string_view path = target.substr(0, target.find('?'));
  const std::string_view what = path.substr(kApi.size());
  auto query = parse_query(target);
  if (!query.ok()) return error(400, query.error().message, "invalid_query");
  const Query& q = *query;
  // A virtual key's `key` filter may name only itself.
  const std::string_view key_param = q.get("key");
  if (!viewer.admin && !key_param.empty() && key_param != viewer.key_name) {
    return error(403, "a virtual key sees only its own calls: leave out `key`, or use an admin key",
                 "forbidden");
  }
  const std::string own_hash = viewer.admin ? "" : viewer.key_hash;
  core::JsonWriter w(true);

  if (what == "spend") {
    SpendQuery sq;
    sq.key_hash = own_hash;
    sq.key_name = std::string(key_param);
    if (!split_list(q.get("by"), sq.by)) return error(400, "`by`: an empty dimension in the list", "invalid_query");
    for (const std::string& d : sq.by) {
      if (std::find(std::begin(kSpendDimensions), std::end(kSpendDimensions), d) == std::end(kSpendDimensions)) {
        return error(400, fmt::format("`by`: unknown dimension '{}' (expected key, category, tier, model, day, hour)", d),
                     "invalid_query");
      }
    }
    auto from = time_param(q, "from", true);
    if (!from.ok()) return error(400, from.error().message, "invalid_query");
    auto to = time_param(q, "to", true);
    if (!to.ok()) return error(400, to.error().message, "invalid_query");
    sq.from_ms = *from;
    sq.to_ms = *to;
    const SpendResult s = index_->spend(sq);
    w.begin_object().key("currency").value(options_.currency);
    w.key("from");
    if (sq.from_ms) w.value(time_ms(*sq.from_ms)); else w.null();
    w.key("to");
    if (sq.to_ms) w.value(time_ms(*sq.to_ms)); else w.null();
    w.key("ledger_rows").value(index_->rows());
    spend_json(w, s.total);
    w.key("by").begin_array();
    for (const std::string& d : sq.by) w.value(d);
    w.end_array().key("groups").begin_array();
    for (const SpendGroup& g : s.groups) {
      w.begin_object().key("values").begin_array();
      for (const std::string& v : g.values) w.value(v);
      w.end_array();
      spend_json(w, g.spend);
      w.end_object();
    }
    w.end_array().end_object();
    return net::Response::json(200, w.str());
  }

  if (what == "requests") {
    RequestFilter f;
    f.key_hash = own_hash;
    f.key_name = std::string(key_param);
    f.category = std::string(q.get("category"));
    f.tier = std::string(q.get("tier"));
    if (!f.tier.empty() && f.tier != "flash" && f.tier != "pro") {
      return error(400, "`tier`: expected flash or pro", "invalid_query");
    }
    f.status = std::string(q.get("status"));
    std::int64_t n = 0;
    if (!f.status.empty() && f.status != "ok" && f.status != "error" &&
        !(parse_int(f.status, n) && n >= 100 && n <= 599)) {
      return error(400, "`status`: expected ok, error or an HTTP status (100-599)", "invalid_query");
    }
    auto from = time_param(q, "from", false);
    if (!from.ok()) return error(400, from.error().message, "invalid_query");
    auto to = time_param(q, "to", false);
    if (!to.ok()) return error(400, to.error().message, "invalid_query");
    f.from_ms = *from;
    f.to_ms = *to;
    std::int64_t limit = 50, before = 0;
    if (q.has("limit") && !(parse_int(q.get("limit"), limit) && limit >= 1 && limit <= static_cast<std::int64_t>(kMaxLimit))) {
      return error(400, fmt::format("`limit`: expected a whole number from 1 to {}", kMaxLimit), "invalid_query");
    }
    if (q.has("before") && !(parse_int(q.get("before"), before) && before >= 1)) {
      return error(400, "`before`: expected the `seq` of a call (a positive whole number)", "invalid_query");
    }
    const std::vector<std::int64_t> seqs = index_->list(f, before, static_cast<std::size_t>(limit));
    auto rows = ledger::read_ledger_positions(options_.ledger, seqs);
    if (!rows.ok()) return error(503, rows.error().message, "ledger_unavailable");
    w.begin_object().key("requests").begin_array();
    for (auto it = rows->rbegin(); it != rows->rend(); ++it) row_json(w, *it, book_);
    w.end_array().key("next_before");
    if (static_cast<std::int64_t>(seqs.size()) == limit) w.value(seqs.back()); else w.null();
    w.end_object();
    return net::Response::json(200, w.str());
  }

  if (what.rfind("requests/", 0) == 0) {
    auto id = url_decode(what.substr(9));
    if (!id || id->empty()) return error(400, "malformed request id", "invalid_query");
    auto found = ledger::read_ledger_request(options_.ledger, *id);
    if (!found.ok()) return error(503, found.error().message, "ledger_unavailable");
    // Another key's call is "not found", as an unknown one: ids are not revealed.
    if (found->empty() || (!viewer.admin && found->front().row.key_hash != viewer.key_hash)) {
      return error(404, fmt::format("no call {} (the id is an x-flashfirst-request-id)", *id), "not_found");
    }
    // The linked calls: what this one escalated or fell back from, and what
    // escalated or fell back from it.
    std::vector<ledger::Positioned> calls = *found;
    for (std::size_t guard = 0; guard < 4 && !calls.front().row.escalated_from.empty(); ++guard) {
      auto prev = ledger::read_ledger_request(options_.ledger, calls.front().row.escalated_from);
      if (!prev.ok()) return error(503, prev.error().message, "ledger_unavailable");
      if (prev->empty()) break;
      calls.insert(calls.begin(), prev->front());
    }
    for (std::size_t guard = 0; guard < 4; ++guard) {
      const auto next = index_->successor_of(calls.back().row.request_id);
      if (!next || *next <= calls.back().seq) break;
      auto rows = ledger::read_ledger_positions(options_.ledger, {*next});
      if (!rows.ok()) return error(503, rows.error().message, "ledger_unavailable");
      if (rows->empty()) break;
      calls.push_back(rows->front());
    }
    w.begin_object().key("id").value(*id).key("calls").begin_array();
    for (const ledger::Positioned& c : calls) row_json(w, c, book_);
    w.end_array().key("feedback").begin_array();
    for (const ledger::Positioned& c : calls) {
      auto ratings = ledger::read_ledger_feedback_of(options_.ledger, c.row.request_id);
      if (!ratings.ok()) return error(503, ratings.error().message, "ledger_unavailable");
      for (const ledger::Feedback& fb : *ratings) {
        w.begin_object().key("request_id").value(fb.request_id).key("time").value(time_ms(fb.created_ms));
        w.key("metric").value(fb.metric).key("value");
        if (fb.value_is_bool) {
          w.value(fb.value != 0);
        } else {
          w.number_text(fmt::format("{}", fb.value));
        }
        w.key("comment").value(fb.comment).end_object();
      }
    }
    w.end_array().end_object();
    return net::Response::json(200, w.str());
  }

  if (what == "budgets") {
    const std::int64_t now = now_ms();
    const std::int64_t day = budget::day_index(now);
    const core::CivilDate today = core::civil_from_days(day);
    const std::int64_t day_start = day * 86'400'000;
    const std::int64_t month_start = core::days_from_civil({today.year, today.month, 1}) * 86'400'000;
    const core::CivilDate next_month{today.month == 12 ? today.year + 1 : today.year, today.month % 12 + 1, 1};
    const std::int64_t month_end = core::days_from_civil(next_month) * 86'400'000;
    w.begin_object().key("currency").value(options_.currency).key("time").value(time_ms(now));
    w.key("keys").begin_array();
    for (const KeyBudget& k : options_.keys) {
      if (!viewer.admin && k.sha256_hex != viewer.key_hash) continue;
      w.begin_object().key("key").value(k.name).key("budgets").begin_array();
      struct Period {
        const char* name;
        const std::optional<core::Money>* limit;
        std::optional<std::int64_t> from, to;  // the period; spend is counted from `from`
      };
      const Period periods[] = {{"day", &k.limits.per_day, day_start, day_start + 86'400'000},
                                {"month", &k.limits.per_month, month_start, month_end},
                                {"total", &k.limits.total, std::nullopt, std::nullopt}};
      for (const Period& p : periods) {
        if (!*p.limit) continue;
        SpendQuery sq;
        sq.key_hash = k.sha256_hex;
        sq.from_ms = p.from;
        const core::Money spent = index_->spend(sq).total.line.cost;
        const core::Money limit = **p.limit;
        w.begin_object().key("period").value(p.name).key("limit").value(limit.to_decimal());
        w.key("spent").value(spent.to_decimal());
        w.key("used");
        const core::int128 used_ppm = limit.femto() > 0 ? spent.femto() * 1'000'000 / limit.femto() : 0;
        w.number_text(fmt::format("{:.6f}", static_cast<double>(used_ppm) / 1e6));
        // At the rate so far this period, what it comes to at the period's end.
        w.key("projected");
        std::optional<core::Money> projected;
        if (p.from && p.to && now > *p.from) {
          projected = core::Money::from_femto(spent.femto() * (*p.to - *p.from) / (now - *p.from));
          w.value(projected->to_decimal());
        } else {
          w.null();
        }
        // The warning: 80% of the limit or more spent.
        const bool warn = limit.femto() > 0 && spent.femto() * 5 >= limit.femto() * 4;
        w.key("warning").value(warn);
        w.key("projected_over").value(projected && *projected > limit);
        w.end_object();
      }
      w.end_array().end_object();
    }
    w.end_array().end_object();
    return net::Response::json(200, w.str());
  }

  if (what == "live") {
    const std::int64_t now = now_ms();
    const LiveStats s = index_->live(now, own_hash);
    w.begin_object().key("time").value(time_ms(now)).key("window_s").value(s.window_s);
    w.key("calls").value(s.calls).key("per_second").number_text(fmt::format("{:.3f}", s.per_second));
    w.key("latency_ms").begin_object().key("p50");
    if (s.p50_ms) w.value(*s.p50_ms); else w.null();
    w.key("p99");
    if (s.p99_ms) w.value(*s.p99_ms); else w.null();
    w.end_object();
    const pricing::QuoteResult quote =
        book_.quote_tier(core::Tier::kFlash, core::Timestamp{core::floor_div(now, 1000)}, options_.currency);
    w.key("price_band");
    if (quote.quote) {
      w.begin_object().key("band").value(pricing::band_name(quote.quote->band));
      w.key("until").value(core::format_time(quote.quote->valid_until)).end_object();
    } else {
      w.null();
    }
    w.key("ledger").begin_object().key("rows").value(index_->rows()).key("loaded").value(loaded_.load());
    w.key("index_bytes").value(static_cast<std::int64_t>(index_->memory_bytes()));
    std::string load_error;
    {
      std::lock_guard lock(worker_->mu);
      load_error = worker_->load_error;
    }
    w.key("error").value(load_error).end_object();
    w.key("viewer").begin_object().key("admin").value(viewer.admin);
    w.key("key").value(viewer.admin ? std::string_view() : std::string_view(viewer.key_name)).end_object();
    w.end_object();
    return net::Response::json(200, w.str());
  }

  if (what == "evals" || what.rfind("evals/", 0) == 0) {
    if (!viewer.admin) return error(403, "eval reports are for admin keys", "forbidden");
    if (options_.evals_dir.empty()) {
      if (what == "evals") return net::Response::json(200, R"({"dir":null,"reports":[]})");
      return error(404, "no eval folder is configured (serve --evals-dir)", "not_found");
    }
    namespace fs = std::filesystem;
    if (what == "evals") {
      std::vector<std::pair<std::string, std::int64_t>> reports;
      std::error_code ec;
      for (fs::directory_iterator it(options_.evals_dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() != ".json" || !it->is_regular_file(ec)) continue;
        const auto mtime = fs::last_write_time(it->path(), ec);
        const auto sys = std::chrono::file_clock::to_sys(mtime);
        reports.emplace_back(it->path().filename().string(),
                             std::chrono::duration_cast<std::chrono::milliseconds>(sys.time_since_epoch()).count());
      }
      std::sort(reports.begin(), reports.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
      w.begin_object().key("dir").value(options_.evals_dir).key("reports").begin_array();
      for (const auto& [name, ms] : reports) {
        w.begin_object().key("name").value(name).key("modified").value(time_ms(ms)).end_object();
      }
      w.end_array().end_object();
      return net::Response::json(200, w.str());
    }
    auto name = url_decode(what.substr(6));
    if (!name || name->empty() || name->find_first_of(std::string_view("/\\\0", 3)) != std::string::npos ||
        name->front() == '.' ||
        fs::path(*name).extension() != ".json") {
      return error(400, "an eval report is named by its file name (NAME.json) in the eval folder", "invalid_query");
    }
    std::ifstream in(fs::path(options_.evals_dir) / *name, std::ios::binary);
    if (!in) return error(404, fmt::format("no eval report {}", *name), "not_found");
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return net::Response::json(200, std::move(body));
  }
  return error(404, fmt::format("no route for GET {}", path), "not_found");
}

asio::awaitable<void> Dashboard::api(const net::Request& r, net::ResponseWriter& writer, Viewer viewer) {
  if (r.method != "GET") {
    net::Response res = error(405, "use GET", "method_not_allowed");
    co_await writer.send(std::move(res));
    co_return;
  }
  if (r.path() == "/v1/flashfirst/events") {
    // Server-sent events: `ledger` with the rows seen so far, whenever they
    // change (checked every poll), and a comment every 15 s to keep proxies open.
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"content-type", "text/event-stream"}, {"cache-control", "no-cache"}, {"x-accel-buffering", "no"}};
    if (!co_await writer.start(200, headers, "")) co_return;
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex);
    std::int64_t sent = -1;
    auto last_write = std::chrono::steady_clock::now();
    while (!stopping_ && !streams_ending_) {
      // By the count of rows, which every row raises (one committed late, below
      // the last position, too).
      const std::int64_t rows = index_->rows();
      if (rows != sent) {
        sent = rows;
        const std::string event =
            fmt::format("event: ledger\ndata: {{\"seq\":{},\"rows\":{}}}\n\n", index_->last_seq(), rows);
        if (!co_await writer.write(event)) co_return;
        last_write = std::chrono::steady_clock::now();
      } else if (std::chrono::steady_clock::now() - last_write > std::chrono::seconds(15)) {
        if (!co_await writer.write(": keep-alive\n\n")) co_return;
        last_write = std::chrono::steady_clock::now();
      }
      timer.expires_after(options_.poll);
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_await writer.finish();
    co_return;
  }
  // Computed on the worker thread; sent from the server's.
  auto pending = on_worker(worker_->pool, [this, target = r.target, viewer] { return answer(target, viewer); });
  net::Response res = co_await std::move(pending);
  res.headers.emplace_back("cache-control", "no-store");
  co_await writer.send(std::move(res));
}

}  // namespace ff::dashboard
