// The one usage reader (wire::read_usage, what the gateway's ledger bills) and
// the cost report's line reader (planner::UsageParser) on the same answer must
// bill the same tokens, or both refuse it. A billed usage is consistent: no
// count is negative, and reasoning is within the output.
#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "fuzz_check.h"
#include "planner/usage_reader.h"
#include "wire/usage.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string usage(reinterpret_cast<const char*>(data), size);
  // An answer the report can place in time and price: only the usage varies.
  const std::string line = R"({"created":1795485600,"model":"deepseek-v4-flash","usage":)" + usage + "}";

  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(line).get(root)) return 0;  // not JSON: the gateway reads no usage from it either
  const ff::wire::UsageRead wire = ff::wire::read_usage(root);

  std::string padded = line;
  padded.append(64, ' ');
  ff::planner::UsageParser report;
  report.begin_input();
  const ff::planner::LineOutcome out = report.parse(std::string_view(padded.data(), line.size()), padded.size());

  using Status = ff::wire::UsageRead::Status;
  using Kind = ff::planner::LineOutcome::Kind;
  if (wire.status == Status::kOk) {
    FF_FUZZ_CHECK(out.kind == Kind::kRecord, "the ledger bills it, the report skips it (%s)",
                  ff::planner::skip_reason_name(out.reason));
    const ff::core::TokenUsage& a = wire.usage;
    const ff::core::TokenUsage& b = out.record.usage;
    FF_FUZZ_CHECK(a.cache_hit == b.cache_hit && a.cache_miss == b.cache_miss && a.output == b.output &&
                      a.reasoning == b.reasoning,
                  "ledger hit %lld miss %lld out %lld, report hit %lld miss %lld out %lld", (long long)a.cache_hit,
                  (long long)a.cache_miss, (long long)a.output, (long long)b.cache_hit, (long long)b.cache_miss,
                  (long long)b.output);
    FF_FUZZ_CHECK(a.cache_hit >= 0 && a.cache_miss >= 0 && a.output >= 0 && a.reasoning >= 0 && a.reasoning <= a.output,
                  "an inconsistent usage was billed");
  } else {
    FF_FUZZ_CHECK(out.kind == Kind::kSkip, "the report bills what the ledger %s",
                  wire.status == Status::kAbsent ? "finds no usage in" : "calls invalid");
  }
  return 0;
}
