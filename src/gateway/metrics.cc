#include "gateway/metrics.h"

#include <fmt/format.h>

#include "gateway/tier_health.h"
#include "ledger/ledger.h"

namespace ff::gateway {

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
  const std::string_view sep = labels.empty() ? "" : ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    const std::string le = i < bounds->size() ? fmt::format("{}", (*bounds)[i]) : "+Inf";
    out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, le, cumulative);
  }
  const std::string braced = labels.empty() ? std::string() : fmt::format("{{{}}}", labels);
  out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, braced, sum, name, braced, count);
}

void Metrics::count(const ledger::Row& row, core::Tier tier) {
  auto op = operations_.find(std::string_view(row.routed_model));
  if (op == operations_.end()) op = operations_.emplace(row.routed_model, ModelOperations{}).first;
  ModelOperations& m = op->second;
  m.duration.try_emplace(row.status == 200 ? 0 : row.status, kDurationBounds)
      .first->second.observe(static_cast<double>(row.end_ms - row.start_ms) / 1000.0);
  if (row.status == 200 && row.usage.total() != 0) {
    m.input.observe(static_cast<double>(row.usage.prompt()));
    m.output.observe(static_cast<double>(row.usage.output));
  }
  ++requests_[{tier, row.status}];
  cost_total_ += row.cost;
  cost_if_pro_total_ += row.cost_if_pro;
  tokens_total_ += row.usage;
  auto it = spend_by_key_.find(std::string_view(row.key_name));
  if (it == spend_by_key_.end()) it = spend_by_key_.emplace(row.key_name, std::array<Spend, 2>{}).first;
  Spend& spend = it->second[tier_index(tier)];
  spend.any = true;
  spend.cost += row.cost;
  spend.tokens += row.usage;
}

std::string Metrics::text(std::string_view currency) const {
  std::string out;
  out +=
      "# HELP flashfirst_requests_total Upstream calls by tier and status.\n# TYPE flashfirst_requests_total counter\n";
  for (const auto& [k, n] : requests_) {
    out += fmt::format("flashfirst_requests_total{{tier=\"{}\",status=\"{}\"}} {}\n", core::tier_name(k.first),
                       k.second, n);
  }
#define FF_EXPOSE_COUNTER(name, help)                                                       \
  out += fmt::format("# HELP flashfirst_" #name "_total " help "\n# TYPE flashfirst_" #name \
                     "_total counter\n"                                                     \
                     "flashfirst_" #name "_total {}\n",                                     \
                     name);
  FF_GATEWAY_COUNTERS(FF_EXPOSE_COUNTER)
#undef FF_EXPOSE_COUNTER
  out +=
      fmt::format("# HELP flashfirst_cost_total Billed cost, in {}.\n# TYPE flashfirst_cost_total counter\n", currency);
  out += fmt::format("flashfirst_cost_total {}\n", cost_total_.to_decimal());
  out += "# TYPE flashfirst_cost_if_pro_total counter\n";
  out += fmt::format("flashfirst_cost_if_pro_total {}\n", cost_if_pro_total_.to_decimal());
  out += "# TYPE flashfirst_tokens_total counter\n";
  out += fmt::format("flashfirst_tokens_total{{kind=\"cache_hit\"}} {}\n", tokens_total_.cache_hit);
  out += fmt::format("flashfirst_tokens_total{{kind=\"cache_miss\"}} {}\n", tokens_total_.cache_miss);
  out += fmt::format("flashfirst_tokens_total{{kind=\"output\"}} {}\n", tokens_total_.output);
  // A label value as Prometheus's text format writes it: \\, \" and \n escaped.
  auto label = [](std::string_view v) {
    std::string o;
    for (char c : v) {
      if (c == '\\' || c == '"') o.push_back('\\');
      if (c == '\n') {
        o += "\\n";
        continue;
      }
      o.push_back(c);
    }
    return o;
  };
  out += fmt::format(
      "# HELP flashfirst_key_cost_total Billed cost per virtual key and tier, in {}.\n"
      "# TYPE flashfirst_key_cost_total counter\n",
      currency);
  constexpr core::Tier kTiers[] = {core::Tier::kFlash, core::Tier::kPro};
  for (const auto& [key, spends] : spend_by_key_) {
    for (core::Tier t : kTiers) {
      const auto& spend = spends[tier_index(t)];
      if (!spend.any) continue;
      out += fmt::format("flashfirst_key_cost_total{{key=\"{}\",tier=\"{}\"}} {}\n", label(key), core::tier_name(t),
                         spend.cost.to_decimal());
    }
  }
  out +=
      "# HELP flashfirst_key_tokens_total Billed tokens per virtual key, tier and kind.\n"
      "# TYPE flashfirst_key_tokens_total counter\n";
  for (const auto& [key, spends] : spend_by_key_) {
    for (core::Tier t : kTiers) {
      const auto& spend = spends[tier_index(t)];
      if (!spend.any) continue;
      const std::pair<const char*, std::int64_t> kinds[] = {{"cache_hit", spend.tokens.cache_hit},
                                                            {"cache_miss", spend.tokens.cache_miss},
                                                            {"output", spend.tokens.output}};
      for (const auto& [kind, n] : kinds) {
        out += fmt::format("flashfirst_key_tokens_total{{key=\"{}\",tier=\"{}\",kind=\"{}\"}} {}\n", label(key),
                           core::tier_name(t), kind, n);
      }
    }
  }
  out +=
      "# HELP gen_ai_client_token_usage Measures number of input and output tokens used (billed), per upstream "
      "call.\n# TYPE gen_ai_client_token_usage histogram\n";
  // An operation's labels: gen_ai_operation_name, gen_ai_system and the models.
  auto labels_of = [](std::string_view model) {
    return fmt::format(
        R"(gen_ai_operation_name="chat",gen_ai_system="deepseek",gen_ai_request_model="{}",gen_ai_response_model="{}")",
        model, model);
  };
  for (const auto& [model, ops] : operations_) {
    if (ops.input.count == 0) continue;
    const std::string labels = labels_of(model);
    ops.input.render(out, "gen_ai_client_token_usage", labels + R"(,gen_ai_token_type="input")");
    ops.output.render(out, "gen_ai_client_token_usage", labels + R"(,gen_ai_token_type="output")");
  }
  out +=
      "# HELP gen_ai_client_operation_duration_seconds GenAI operation duration: each upstream call, retries "
      "included.\n# TYPE gen_ai_client_operation_duration_seconds histogram\n";
  for (const auto& [model, ops] : operations_) {
    const std::string labels = labels_of(model);
    for (const auto& [status, h] : ops.duration) {
      h.render(out, "gen_ai_client_operation_duration_seconds",
               status == 0 ? labels : fmt::format(R"({},error_type="{}")", labels, status));
    }
  }
  out +=
      "# HELP flashfirst_request_overhead_seconds The gateway's own time per request that reached the upstream: "
      "its whole time less the time waiting on upstream calls.\n"
      "# TYPE flashfirst_request_overhead_seconds histogram\n";
  overhead_.render(out, "flashfirst_request_overhead_seconds", "");
  return out;
}

}  // namespace ff::gateway
