#include <libpq-fe.h>

#include <algorithm>
#include <deque>

#include <fmt/format.h>

#include "ledger/batching_ledger.h"

namespace ff::ledger {

namespace {

core::Result<std::vector<Row>> read_rows(const std::string& url, std::int64_t after, std::int64_t* last);

// The same columns as the SQLite ledger; `seq` keeps the order rows were appended.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS requests (
  seq BIGSERIAL PRIMARY KEY,
  request_id TEXT NOT NULL, key_hash TEXT NOT NULL, start_ms BIGINT NOT NULL, end_ms BIGINT NOT NULL,
  requested_model TEXT NOT NULL, routed_model TEXT NOT NULL, effort TEXT NOT NULL, category TEXT NOT NULL,
  reason TEXT NOT NULL, escalated_from TEXT NOT NULL, stream BOOLEAN NOT NULL, status INTEGER NOT NULL,
  cache_hit BIGINT NOT NULL, cache_miss BIGINT NOT NULL, output BIGINT NOT NULL, reasoning BIGINT NOT NULL,
  usage_estimated BOOLEAN NOT NULL,
  -- exact amounts in femto-units (1e-15) of `currency`: one request fits a BIGINT
  cost_femto BIGINT NOT NULL, cost_if_pro_femto BIGINT NOT NULL, currency TEXT NOT NULL,
  first_byte_ms BIGINT NOT NULL, error TEXT NOT NULL, key_name TEXT NOT NULL DEFAULT '');
-- Ledgers written before keys' names were kept get the column (empty in old rows).
ALTER TABLE requests ADD COLUMN IF NOT EXISTS key_name TEXT NOT NULL DEFAULT '';
-- Ratings of answers (POST /v1/flashfirst/feedback): appended, never changed.
CREATE TABLE IF NOT EXISTS feedback (
  seq BIGSERIAL PRIMARY KEY,
  request_id TEXT NOT NULL, key_hash TEXT NOT NULL, key_name TEXT NOT NULL, created_ms BIGINT NOT NULL,
  metric TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, value_is_bool BOOLEAN NOT NULL, comment TEXT NOT NULL);
-- A rating finds its request by id.
CREATE INDEX IF NOT EXISTS requests_request_id ON requests (request_id);
-- Clients' requests, when the gateway records them (serve --record-requests).
CREATE TABLE IF NOT EXISTS request_bodies (seq BIGSERIAL PRIMARY KEY, request_id TEXT NOT NULL, body TEXT NOT NULL)
)sql";
constexpr const char* kInsertBody = "INSERT INTO request_bodies (request_id, body) VALUES ($1,$2)";
constexpr const char* kFindRequest = "SELECT key_hash FROM requests WHERE request_id = $1 ORDER BY seq LIMIT 1";
constexpr const char* kInsertFeedback =
    "INSERT INTO feedback (" FF_FEEDBACK_COLUMNS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8)";
constexpr const char* kSelectFeedback =
    "SELECT " FF_FEEDBACK_COLUMNS " FROM feedback ORDER BY seq";
constexpr const char* kSelectFeedbackOf =
    "SELECT " FF_FEEDBACK_COLUMNS " FROM feedback WHERE request_id = $1 ORDER BY seq";

constexpr const char* kInsert =
    "INSERT INTO requests (" FF_LEDGER_COLUMNS
    ") "
    "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23)";
constexpr const char* kHasKeyName =
    "SELECT 1 FROM information_schema.columns WHERE table_name = 'requests' AND column_name = 'key_name' "
    "AND table_schema = current_schema()";

// The URL without its password (user:password@ or ?password=), for messages.
std::string redacted(std::string url) {
  for (std::size_t p = url.find("password="); p != std::string::npos; p = url.find("password=", p + 1)) {
    const std::size_t value = p + 9, end = std::min(url.find('&', value), url.size());
    url.replace(value, end - value, "***");
  }
  const std::size_t scheme = url.find("://");
  const std::size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  const std::size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + ":***" + url.substr(at);
}

std::string pg_error(PGconn* c, const std::string& url, std::string_view what) {
  std::string detail = c ? PQerrorMessage(c) : "out of memory";
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
  return fmt::format("ledger {}: {}: {}", redacted(url), what, detail);
}

// Runs one statement without parameters; true when it succeeded.
bool exec(PGconn* c, const char* sql) {
  PGresult* r = PQexec(c, sql);
  const ExecStatusType s = PQresultStatus(r);
  PQclear(r);
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

core::Result<PGconn*> connect(const std::string& url) {
  PGconn* c = PQconnectdb(url.c_str());
  if (c == nullptr || PQstatus(c) != CONNECTION_OK) {
    std::string message = pg_error(c, url, "cannot connect");
    PQfinish(c);
    return core::make_error(message);
  }
  return c;
}

// Whether the requests table has key_name (a reader does not migrate an old one).
bool has_key_name(PGconn* c) {
  PGresult* probe = PQexec(c, kHasKeyName);
  const bool v2 = PQresultStatus(probe) == PGRES_TUPLES_OK && PQntuples(probe) > 0;
  PQclear(probe);
  return v2;
}

// Calls `row(seq, Row&&)` for each row of `SELECT <columns>, seq FROM requests
// <tail>`, with the text parameters $1, $2, … of `tail`, on a connection of its own.
template <typename OnRow>
core::Status each_row(const std::string& url, const std::string& tail, const std::vector<std::string>& params,
                      OnRow&& on_row) {
  auto c = connect(url);
  if (!c.ok()) return c.error();
  const std::string sql =
      fmt::format("SELECT {}, seq FROM requests {}", has_key_name(*c) ? FF_LEDGER_COLUMNS : FF_LEDGER_COLUMNS_V1, tail);
  std::vector<const char*> values;
  for (const std::string& p : params) values.push_back(p.c_str());
  PGresult* res = PQexecParams(*c, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                               nullptr, 0);
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    std::string message = pg_error(*c, url, "cannot read");
    PQclear(res);
    PQfinish(*c);
    return core::make_error(message);
  }
  const int n = PQntuples(res);
  for (int i = 0; i < n; ++i) {
    auto text = [&](int col) {
      return std::string(PQgetvalue(res, i, col), static_cast<std::size_t>(PQgetlength(res, i, col)));
    };
    auto integer = [&](int col) { return static_cast<std::int64_t>(std::stoll(PQgetvalue(res, i, col))); };
    auto flag = [&](int col) { return PQgetvalue(res, i, col)[0] == 't'; };
    on_row(integer(kLedgerColumnCount), row_from_columns(text, integer, flag));
  }
  PQclear(res);
  PQfinish(*c);
  return core::Status::Ok();
}

core::Result<std::vector<Positioned>> select_positioned(const std::string& url, const std::string& tail,
                                                        const std::vector<std::string>& params) {
  std::vector<Positioned> out;
  auto s = each_row(url, tail, params, [&](std::int64_t seq, Row&& r) { out.push_back({seq, std::move(r)}); });
  if (!s.ok()) return core::make_error(s.message());
  return out;
}

// Every rating, or with `request_id` those of one call, on a connection of its own.
core::Result<std::vector<Feedback>> read_feedback(const std::string& url, const std::string* request_id) {
  auto c = connect(url);
  if (!c.ok()) return c.error();
  std::vector<Feedback> out;
  PGresult* probe = PQexec(*c, "SELECT to_regclass('feedback') IS NOT NULL");
  const bool has_table = PQresultStatus(probe) == PGRES_TUPLES_OK && PQgetvalue(probe, 0, 0)[0] == 't';
  PQclear(probe);
  if (has_table) {
    const char* params[] = {request_id ? request_id->c_str() : nullptr};
    PGresult* res = request_id ? PQexecParams(*c, kSelectFeedbackOf, 1, nullptr, params, nullptr, nullptr, 0)
                               : PQexec(*c, kSelectFeedback);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
      std::string message = pg_error(*c, url, "cannot read the ratings");
      PQclear(res);
      PQfinish(*c);
      return core::make_error(message);
    }
    for (int i = 0; i < PQntuples(res); ++i) {
      auto text = [&](int col) {
        return std::string(PQgetvalue(res, i, col), static_cast<std::size_t>(PQgetlength(res, i, col)));
      };
      out.push_back({text(0), text(1), text(2), std::stoll(text(3)), text(4), std::stod(text(5)),
                     PQgetvalue(res, i, 6)[0] == 't', text(7)});
    }
    PQclear(res);
  }
  PQfinish(*c);
  return out;
}

// Rows are committed in batches on one writer thread (group commit), as in the
// SQLite ledger; a commit is durable when the server's synchronous_commit is
// on (its default). A lost connection is re-opened for the next batch.
class PgLedger final : public BatchingLedger {
 public:
  PgLedger(std::string url, PGconn* conn) : BatchingLedger(redacted(url)), url_(std::move(url)), conn_(conn) {
    start();
  }

  ~PgLedger() override {
    stop();
    PQfinish(conn_);
  }

  core::Result<std::vector<Row>> read_all() override { return read_pg_ledger(url_); }
  core::Result<std::vector<Feedback>> read_feedback() override { return read_pg_feedback(url_); }
  core::Result<std::vector<Row>> read_after(std::int64_t after, std::int64_t& last) override {
    return read_rows(url_, after, &last);
  }
  core::Result<std::vector<Positioned>> read_page(std::int64_t after, std::size_t limit) override {
    return read_pg_page(url_, after, limit);
  }
  core::Result<std::vector<Positioned>> read_positions(const std::vector<std::int64_t>& positions) override {
    return read_pg_positions(url_, positions);
  }

 private:
  core::Status commit(const std::deque<Pending>& batch) override {
    if (PQstatus(conn_) != CONNECTION_OK) {
      PQreset(conn_);
      if (PQstatus(conn_) != CONNECTION_OK) return core::make_error(pg_error(conn_, url_, "connection lost"));
    }
    if (!exec(conn_, "BEGIN")) return core::make_error(pg_error(conn_, url_, "cannot begin a transaction"));
    for (const Pending& p : batch) {
      if (p.feedback) {
        if (!record(*p.feedback, p.outcome)) {
          std::string message = pg_error(conn_, url_, "cannot record a rating");
          exec(conn_, "ROLLBACK");
          return core::make_error(message);
        }
        continue;
      }
      if (!p.row) continue;  // a probe: the transaction on a live connection is the check
      const Row& r = *p.row;
      const std::string ints[] = {std::to_string(r.start_ms),
                                  std::to_string(r.end_ms),
                                  std::to_string(r.status),
                                  std::to_string(r.usage.cache_hit),
                                  std::to_string(r.usage.cache_miss),
                                  std::to_string(r.usage.output),
                                  std::to_string(r.usage.reasoning),
                                  std::to_string(static_cast<std::int64_t>(r.cost.femto())),
                                  std::to_string(static_cast<std::int64_t>(r.cost_if_pro.femto())),
                                  std::to_string(r.first_byte_ms)};
      const char* values[kLedgerColumnCount] = {r.request_id.c_str(),
                                                r.key_hash.c_str(),
                                                ints[0].c_str(),
                                                ints[1].c_str(),
                                                r.requested_model.c_str(),
                                                r.routed_model.c_str(),
                                                r.effort.c_str(),
                                                r.category.c_str(),
                                                r.reason.c_str(),
                                                r.escalated_from.c_str(),
                                                r.stream ? "t" : "f",
                                                ints[2].c_str(),
                                                ints[3].c_str(),
                                                ints[4].c_str(),
                                                ints[5].c_str(),
                                                ints[6].c_str(),
                                                r.usage_estimated ? "t" : "f",
                                                ints[7].c_str(),
                                                ints[8].c_str(),
                                                r.currency.c_str(),
                                                ints[9].c_str(),
                                                r.error.c_str(),
                                                r.key_name.c_str()};
      PGresult* res = PQexecParams(conn_, kInsert, kLedgerColumnCount, nullptr, values, nullptr, nullptr, 0);
      bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
      PQclear(res);
      if (ok && !r.request_body.empty()) {
        const char* body[] = {r.request_id.c_str(), r.request_body.c_str()};
        res = PQexecParams(conn_, kInsertBody, 2, nullptr, body, nullptr, nullptr, 0);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
      }
      if (!ok) {
        std::string message = pg_error(conn_, url_, "cannot write");
        exec(conn_, "ROLLBACK");
        return core::make_error(message);
      }
    }
    if (!exec(conn_, "COMMIT")) {
      std::string message = pg_error(conn_, url_, "cannot commit");
      exec(conn_, "ROLLBACK");
      return core::make_error(message);
    }
    return core::Status::Ok();
  }

  // Looks the rating's request up and records the rating if it is the key's own.
  bool record(const Feedback& f, FeedbackOutcome& outcome) {
    const char* find[] = {f.request_id.c_str()};
    PGresult* res = PQexecParams(conn_, kFindRequest, 1, nullptr, find, nullptr, nullptr, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
      PQclear(res);
      return false;
    }
    outcome = PQntuples(res) == 0                    ? FeedbackOutcome::kUnknownRequest
              : f.key_hash != PQgetvalue(res, 0, 0) ? FeedbackOutcome::kNotYours
                                                     : FeedbackOutcome::kRecorded;
    PQclear(res);
    if (outcome != FeedbackOutcome::kRecorded) return true;
    const std::string created = std::to_string(f.created_ms), value = fmt::format("{}", f.value);
    const char* values[kFeedbackColumnCount] = {f.request_id.c_str(), f.key_hash.c_str(), f.key_name.c_str(),
                                                created.c_str(),      f.metric.c_str(),   value.c_str(),
                                                f.value_is_bool ? "t" : "f", f.comment.c_str()};
    res = PQexecParams(conn_, kInsertFeedback, kFeedbackColumnCount, nullptr, values, nullptr, nullptr, 0);
    const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    return ok;
  }

  const std::string url_;
  PGconn* conn_;  // used by the writer thread only (and the destructor)
};

}  // namespace

bool is_postgres_url(std::string_view spec) {
  return spec.rfind("postgresql://", 0) == 0 || spec.rfind("postgres://", 0) == 0;
}

core::Result<std::vector<Row>> read_pg_ledger(const std::string& url) { return read_rows(url, 0, nullptr); }

core::Result<std::vector<std::pair<std::string, std::string>>> read_pg_requests(const std::string& url) {
  auto c = connect(url);
  if (!c.ok()) return c.error();
  std::vector<std::pair<std::string, std::string>> out;
  PGresult* probe = PQexec(*c, "SELECT to_regclass('request_bodies') IS NOT NULL");
  const bool has_table = PQresultStatus(probe) == PGRES_TUPLES_OK && PQgetvalue(probe, 0, 0)[0] == 't';
  PQclear(probe);
  if (has_table) {
    PGresult* res = PQexec(*c, "SELECT request_id, body FROM request_bodies ORDER BY seq");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
      std::string message = pg_error(*c, url, "cannot read the recorded requests");
      PQclear(res);
      PQfinish(*c);
      return core::make_error(message);
    }
    for (int i = 0; i < PQntuples(res); ++i) {
      out.emplace_back(std::string(PQgetvalue(res, i, 0), static_cast<std::size_t>(PQgetlength(res, i, 0))),
                       std::string(PQgetvalue(res, i, 1), static_cast<std::size_t>(PQgetlength(res, i, 1))));
    }
    PQclear(res);
  }
  PQfinish(*c);
  return out;
}

core::Result<std::vector<Feedback>> read_pg_feedback(const std::string& url) { return read_feedback(url, nullptr); }

core::Result<std::vector<Feedback>> read_pg_feedback_of(const std::string& url, const std::string& request_id) {
  return read_feedback(url, &request_id);
}

core::Result<std::vector<Positioned>> read_pg_page(const std::string& url, std::int64_t after, std::size_t limit) {
  return select_positioned(url, "WHERE seq > $1 ORDER BY seq LIMIT $2",
                           {std::to_string(after), std::to_string(std::min<std::size_t>(limit, INT64_MAX))});
}

core::Result<std::vector<Positioned>> read_pg_positions(const std::string& url,
                                                        const std::vector<std::int64_t>& positions) {
  if (positions.empty()) return std::vector<Positioned>{};
  std::string array = "{";
  for (std::int64_t p : positions) {
    if (array.size() > 1) array.push_back(',');
    array += std::to_string(p);
  }
  array.push_back('}');
  return select_positioned(url, "WHERE seq = ANY($1::bigint[]) ORDER BY seq", {array});
}

core::Result<std::vector<Positioned>> read_pg_request(const std::string& url, const std::string& request_id) {
  return select_positioned(url, "WHERE request_id = $1 ORDER BY seq", {request_id});
}

namespace {

// Every row, or with `last` the rows after position `after` (and in `last` the
// position of the last one), on a connection of its own.
core::Result<std::vector<Row>> read_rows(const std::string& url, std::int64_t after, std::int64_t* last) {
  std::vector<Row> rows;
  auto s = each_row(url, last ? "WHERE seq > $1 ORDER BY seq" : "ORDER BY seq",
                    last ? std::vector<std::string>{std::to_string(after)} : std::vector<std::string>{},
                    [&](std::int64_t seq, Row&& r) {
                      rows.push_back(std::move(r));
                      if (last) *last = seq;
                    });
  if (!s.ok()) return core::make_error(s.message());
  return rows;
}

}  // namespace

core::Result<std::unique_ptr<Ledger>> open_pg_ledger(const std::string& url) {
  auto c = connect(url);
  if (!c.ok()) return c.error();
  // Several gateways may start at once against one database: the table is
  // created under an advisory lock, so CREATE TABLE IF NOT EXISTS cannot race.
  if (!exec(*c, "SELECT pg_advisory_lock(7254418)") || !exec(*c, kSchema) ||
      !exec(*c, "SELECT pg_advisory_unlock(7254418)")) {
    std::string message = pg_error(*c, url, "cannot set up");
    PQfinish(*c);
    return core::make_error(message);
  }
  return std::unique_ptr<Ledger>(new PgLedger(url, *c));
}

core::Result<std::unique_ptr<Ledger>> open_ledger(const std::string& spec, Durability durability) {
  return is_postgres_url(spec) ? open_pg_ledger(spec) : open_sqlite_ledger(spec, durability);
}

std::string display_name(const std::string& spec) { return is_postgres_url(spec) ? redacted(spec) : spec; }

core::Result<std::vector<std::pair<std::string, std::string>>> read_ledger_requests(const std::string& spec) {
  return is_postgres_url(spec) ? read_pg_requests(spec) : read_sqlite_requests(spec);
}

core::Result<std::vector<Feedback>> read_ledger_feedback(const std::string& spec) {
  return is_postgres_url(spec) ? read_pg_feedback(spec) : read_sqlite_feedback(spec);
}

core::Result<std::vector<Positioned>> read_ledger_page(const std::string& spec, std::int64_t after, std::size_t limit) {
  return is_postgres_url(spec) ? read_pg_page(spec, after, limit) : read_sqlite_page(spec, after, limit);
}

core::Result<std::vector<Positioned>> read_ledger_positions(const std::string& spec,
                                                            const std::vector<std::int64_t>& positions) {
  return is_postgres_url(spec) ? read_pg_positions(spec, positions) : read_sqlite_positions(spec, positions);
}

core::Result<std::vector<Positioned>> read_ledger_request(const std::string& spec, const std::string& request_id) {
  return is_postgres_url(spec) ? read_pg_request(spec, request_id) : read_sqlite_request(spec, request_id);
}

core::Result<std::vector<Feedback>> read_ledger_feedback_of(const std::string& spec, const std::string& request_id) {
  return is_postgres_url(spec) ? read_pg_feedback_of(spec, request_id) : read_sqlite_feedback_of(spec, request_id);
}

core::Result<std::vector<Row>> read_ledger(const std::string& spec) {
  return is_postgres_url(spec) ? read_pg_ledger(spec) : read_sqlite_ledger(spec);
}

}  // namespace ff::ledger
