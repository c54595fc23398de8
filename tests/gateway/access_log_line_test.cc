// The access log's line, byte for byte.
#include <gtest/gtest.h>

#include <limits>

#include "gateway/access_log.h"
#include "ledger/ledger.h"

namespace ff::gateway {
namespace {

TEST(AccessLine, ARequestRefusedBeforeAnyCallHasNoCallFields) {
  AccessRecord a;
  a.ts_ms = 1764547200000;
  a.method = "POST";
  a.path = "/v1/chat/completions";
  a.status = 401;
  a.error = "missing \"key\"";
  a.latency_ms = 0;
  std::string line = "left over";
  format_access_line(line, a);
  EXPECT_EQ(line, R"({"ts_ms":1764547200000,"method":"POST","path":"/v1/chat/completions","key":"-","status":401,)"
                  R"("error":"missing \"key\"","latency_ms":0})");
}

TEST(AccessLine, AnAnsweredCallHasItsRowsFiguresAndTheRequestsCost) {
  ledger::Row row;
  row.request_id = "ff-0000abcd-000042";
  row.routed_model = "deepseek-v4-flash";
  row.category = "coding_moderate";
  row.stream = true;
  row.usage.cache_hit = 10;
  row.usage.cache_miss = 20;
  row.usage.output = 5;
  // 0.00112 USD: 1.12e-3 * 1e15 femto.
  row.cost_if_pro = core::Money::from_femto(1'120'000'000'000);
  AccessRecord a;
  a.ts_ms = 5;
  a.method = "POST";
  a.path = "/v1/messages";
  a.key = "team-a";
  a.status = 200;
  a.row = &row;
  a.cost = core::Money::from_femto(340'000'000'000);  // 0.00034
  a.escalated = true;
  a.latency_ms = 12;
  std::string line;
  format_access_line(line, a);
  EXPECT_EQ(line, R"({"ts_ms":5,"method":"POST","path":"/v1/messages","key":"team-a","status":200,)"
                  R"("request_id":"ff-0000abcd-000042","model":"deepseek-v4-flash","category":"coding_moderate",)"
                  R"("stream":true,"escalated":true,"tokens":{"cache_hit":10,"cache_miss":20,"output":5},)"
                  R"("cost":"0.00034","cost_if_pro":"0.00112","latency_ms":12})");
}

TEST(AccessLine, TheLongestFieldsFitTheRoomMadeForThem) {
  // Each field at its longest: bytes that are not UTF-8 become "\ufffd" (six
  // bytes each), integers at their most negative (20 characters), amounts of 41
  // characters. The line must hold them all, byte for byte.
  const std::string bad(40, '\xff');
  std::string escaped = "\"";
  for (int i = 0; i < 40; ++i) escaped += "\\ufffd";
  escaped += "\"";
  ledger::Row row;
  row.request_id = bad;
  row.routed_model = bad;
  row.category = bad;
  const auto lowest = std::numeric_limits<std::int64_t>::min();
  row.usage.cache_hit = lowest;
  row.usage.cache_miss = lowest;
  row.usage.output = lowest;
  const core::int128 most = ((static_cast<core::int128>(1) << 126) - 1) * 2 + 1;
  row.cost_if_pro = core::Money::from_femto(-most);
  AccessRecord a;
  a.ts_ms = lowest;
  a.method = bad;
  a.path = bad;
  a.key = bad;
  a.status = -2147483647;
  a.row = &row;
  a.cost = core::Money::from_femto(-most);
  a.error = bad;
  a.latency_ms = lowest;
  std::string line;
  format_access_line(line, a);
  const std::string n = "-9223372036854775808", amount = "-170141183460469231731687.303715884105727";
  EXPECT_EQ(line, R"({"ts_ms":)" + n + R"(,"method":)" + escaped + R"(,"path":)" + escaped + R"(,"key":)" + escaped +
                      R"(,"status":-2147483647,"request_id":)" + escaped + R"(,"model":)" + escaped +
                      R"(,"category":)" + escaped + R"(,"stream":false,"escalated":false,"tokens":{"cache_hit":)" + n +
                      R"(,"cache_miss":)" + n + R"(,"output":)" + n + R"(},"cost":")" + amount +
                      R"(","cost_if_pro":")" + amount + R"(","error":)" + escaped + R"(,"latency_ms":)" + n + "}");
}

}  // namespace
}  // namespace ff::gateway
