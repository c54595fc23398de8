// The access log's line, byte for byte.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace ff::gateway
