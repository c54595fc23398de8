// flashfirst route train: routing learned from outcomes (router/outcome_model.h).
// Reads outcome files, trains the model with out-of-fold calibration, prints the
// cross-validated routing metrics beside the shipped router's and a random
// router's, and writes the model for `route --model` and a policy's `model`.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/json_writer.h"
#include "core/text.h"
#include "ledger/ledger.h"
#include "report/text_table.h"
#include "router/features.h"
#include "router/outcome_data.h"
#include "router/outcome_training.h"
#include "router/router.h"
#include "tokenizer/tokenizer.h"

namespace ff::cli {

namespace {

struct TrainArgs {
  std::vector<std::string> files;
  std::string format = "auto";
  std::string out;
  int folds = 5;
  std::uint64_t seed = 1;
  bool json = false;
  std::string weak_model = "mistralai/Mixtral-8x7B-Instruct-v0.1";
  std::string strong_model = "gpt-4-1106-preview";
};

std::string fixed(double v, int digits) { return std::isnan(v) ? "-" : fmt::format("{:.{}f}", v, digits); }
std::string share(double v) { return std::isnan(v) ? "-" : fmt::format("{:.1f}%", 100 * v); }

// Outcomes from gateway ledgers whose requests were recorded (serve
// --record-requests). Only requests Flash answered say anything about Flash:
//   escalated by the cascade (a checkable failure): Flash 0, Pro the rating of
//     the Pro answer, else 1 when it came back;
//   not escalated: Flash the rating of its answer, else 1 (accepted); Pro 1
//     (assumed to do at least as well).
// Ratings (POST /v1/flashfirst/feedback) count as 1/0 for true/false and as
// themselves for numbers from 0 to 1 (others are not read); several are averaged.
// Requests Pro answered first carry no evidence about Flash and are left out.
core::Result<std::vector<router::OutcomeRecord>> read_ledger_outcomes(const std::vector<std::string>& specs) {
  auto book = load_book({});
  if (!book.ok()) return book.error();
  std::vector<router::OutcomeRecord> out;
  std::int64_t recorded = 0, by_pro = 0, escalated = 0, rated = 0;
  for (const std::string& spec : specs) {
    auto rows = ledger::read_ledger(spec);
    if (!rows.ok()) return rows.error();
    auto bodies = ledger::read_ledger_requests(spec);
    if (!bodies.ok()) return bodies.error();
    auto feedback = ledger::read_ledger_feedback(spec);
    if (!feedback.ok()) return feedback.error();
    std::unordered_map<std::string, const ledger::Row*> by_id, escalation_of;
    for (const ledger::Row& r : *rows) {
      by_id.emplace(r.request_id, &r);
      if (!r.escalated_from.empty() && r.reason.rfind("escalated:", 0) == 0) escalation_of[r.escalated_from] = &r;
    }
    std::unordered_map<std::string, std::pair<double, int>> ratings;
    for (const ledger::Feedback& f : *feedback) {
      if (!f.value_is_bool && (f.value < 0 || f.value > 1)) continue;
      auto& [sum, n] = ratings[f.request_id];
      sum += f.value;
      ++n;
    }
    auto rating = [&](const std::string& id) -> std::optional<double> {
      auto it = ratings.find(id);
      if (it == ratings.end()) return std::nullopt;
      return it->second.first / it->second.second;
    };
    for (const auto& [id, body] : *bodies) {
      ++recorded;
      auto row = by_id.find(id);
      if (row == by_id.end() || row->second->status != 200) continue;
      const ledger::Row& r = *row->second;
      const core::Timestamp at{core::floor_div(r.start_ms, 1000)};
      const bool flash = book->tier_of(r.routed_model, at, "USD") == core::Tier::kFlash;
      if (!flash) {
        ++by_pro;
        continue;
      }
      router::OutcomeRecord rec{id, body, r.category, 1, 1};
      if (auto esc = escalation_of.find(id); esc != escalation_of.end()) {
        ++escalated;
        rec.flash = 0;
        if (auto pr = rating(esc->second->request_id)) {
          rec.pro = *pr;
          ++rated;
        } else if (esc->second->status != 200) {
          continue;
        }
      } else if (auto fr = rating(id)) {
        rec.flash = *fr;
        ++rated;
      }
      out.push_back(std::move(rec));
    }
  }
  if (recorded == 0) {
    return core::make_error(
        "the ledger holds no recorded requests: serve with --record-requests (or record_requests = true) to learn "
        "from it");
  }
  fmt::print(stderr, "Ledger: {} recorded; {} answered by Flash ({} escalated by the cascade, {} rated); {} answered by Pro "
             "first, left out (no evidence about Flash).\n",
             core::count_of(recorded, "request"), out.size(), escalated, rated, by_pro);
  return out;
}

core::Result<std::vector<router::OutcomeRecord>> read_records(const TrainArgs& a) {
  if (a.format == "ledger") return read_ledger_outcomes(a.files);
  std::vector<router::OutcomeRecord> all;
  std::vector<std::pair<std::string, std::string>> texts;
  for (const std::string& path : a.files) {
    auto text = read_input(path);
    if (!text.ok()) return text.error();
    texts.emplace_back(path, std::move(*text));
  }
  if (a.format == "mt-bench") return router::read_mt_bench(texts, a.weak_model, a.strong_model);
  for (const auto& [path, text] : texts) {
    const bool csv = a.format == "routellm-csv" ||
                     (a.format == "auto" && path.size() > 4 && path.compare(path.size() - 4, 4, ".csv") == 0);
    auto r = csv ? router::read_routellm_csv(path, text) : router::read_outcomes_jsonl(path, text);
    if (!r.ok()) return r.error();
    for (auto& rec : *r) all.push_back(std::move(rec));
  }
  return all;
}

// The shipped router's ranking: Pro decisions above Flash ones, each ordered by
// the router's confidence in its tier.
double shipped_score(const router::Decision& d) {
  return d.tier == core::Tier::kPro ? 1 + d.confidence : 1 - d.confidence;
}

int run_train(const TrainArgs& a) {
  if (a.format != "auto" && a.format != "outcomes" && a.format != "routellm-csv" && a.format != "mt-bench" &&
      a.format != "ledger") {
    return fail("route train", kExitUsage,
                fmt::format("--format must be auto, outcomes, routellm-csv, mt-bench or ledger, not '{}'", a.format));
  }
  if (a.folds < 2 || a.folds > 50) return fail("route train", kExitUsage, "--cv must be from 2 to 50");
  auto records = read_records(a);
  if (!records.ok()) return fail("route train", kExitUsage, records.error().message);

  auto policy = router::Policy::embedded();
  if (!policy.ok()) return fail("route train", kExitFailure, policy.error().message);
  auto tok = std::make_shared<tokenizer::RatioEstimator>();
  router::Router shipped(std::move(*policy), tok);
  router::TrainOptions options;
  options.folds = a.folds;
  options.seed = a.seed;

  std::vector<router::OutcomeCase> cases;
  std::vector<double> shipped_scores;
  for (const router::OutcomeRecord& r : *records) {
    auto f = router::extract_features(r.body, *tok);
    if (!f.ok()) return fail("route train", kExitUsage, fmt::format("{}: {}", r.id, f.error().message));
    cases.push_back({r.id, router::OutcomeModel::features(*f, options.buckets), r.flash, r.pro});
    shipped_scores.push_back(shipped_score(shipped.decide(*f, {})));
  }
  auto trained = router::train_outcome_model(cases, options);
  if (!trained.ok()) return fail("route train", kExitFailure, trained.error().message);
  const router::RoutingMetrics& m = trained->cross_validated;
  const double shipped_apgr = router::apgr(shipped_scores, cases);
  const double shipped_cpt50 = router::cpt(shipped_scores, cases, 0.5);
  const double shipped_cpt80 = router::cpt(shipped_scores, cases, 0.8);

  if (!a.out.empty()) {
    std::string files;
    for (const std::string& f : a.files) files += (files.empty() ? "" : " ") + f;
    const std::string comment = fmt::format(
        "flashfirst outcome model: P(Pro needed) for a request (router/outcome_model.h).\n"
        "Trained by: flashfirst route train --format {} --cv {} --seed {} {}\n"
        "{} cases; out of fold: APGR {:.3f}, CPT(50%) {}, CPT(80%) {}, Brier {:.4f}",
        a.format, a.folds, a.seed, files, cases.size(), m.apgr, share(m.cpt50), share(m.cpt80), m.brier);
    std::ofstream out(a.out, std::ios::binary | std::ios::trunc);
    out << trained->model.serialize(comment);
    out.close();
    if (!out) return fail("route train", kExitFailure, fmt::format("cannot write {}", a.out));
  }

  if (a.json) {
    core::JsonWriter w(true);
    w.begin_object();
    w.key("cases").value(static_cast<std::int64_t>(m.cases));
    w.key("folds").value(static_cast<std::int64_t>(a.folds));
    w.key("flash_quality").number_text(fixed(m.flash_quality, 4));
    w.key("pro_quality").number_text(fixed(m.pro_quality, 4));
    w.key("pro_needed_share").number_text(fixed(m.pro_needed_share, 4));
    auto metrics = [&](const char* name, double apgr_v, double c50, double c80) {
      w.key(name).begin_object();
      w.key("apgr").number_text(std::isnan(apgr_v) ? "null" : fixed(apgr_v, 4));
      w.key("cpt50").number_text(std::isnan(c50) ? "null" : fixed(c50, 4));
      w.key("cpt80").number_text(std::isnan(c80) ? "null" : fixed(c80, 4));
      w.end_object();
    };
    metrics("learned", m.apgr, m.cpt50, m.cpt80);
    metrics("shipped", shipped_apgr, shipped_cpt50, shipped_cpt80);
    metrics("random", 0.5, 0.5, 0.8);
    w.key("brier").number_text(fixed(m.brier, 4));
    w.key("base_brier").number_text(fixed(m.base_brier, 4));
    w.end_object();
    fmt::print("{}\n", w.str());
    return kExitOk;
  }

  fmt::print("{} cases: Flash answers {} well, Pro {}; Pro needed (Flash fails where Pro succeeds) on {}.\n\n",
             m.cases, share(m.flash_quality), share(m.pro_quality), share(m.pro_needed_share));
  using Align = report::TextTable::Align;
  report::TextTable t({"router", "APGR", "CPT(50%)", "CPT(80%)"}, {Align::kLeft, Align::kRight, Align::kRight, Align::kRight});
  t.add_row({fmt::format("learned ({}-fold, out of fold)", a.folds), fixed(m.apgr, 3), share(m.cpt50), share(m.cpt80)});
  t.add_row({"shipped router (rules + tier model)", fixed(shipped_apgr, 3), share(shipped_cpt50), share(shipped_cpt80)});
  t.add_row({"random", "0.500", "50.0%", "80.0%"});
  fmt::print("{}\n", t.render());
  fmt::print("Calibration of P(Pro needed), out of fold: Brier {:.4f} (the base rate alone: {:.4f}).\n", m.brier,
             m.base_brier);
  report::TextTable rel({"P(Pro needed)", "cases", "mean predicted", "observed"},
                        {Align::kLeft, Align::kRight, Align::kRight, Align::kRight});
  for (const router::ReliabilityBin& b : m.reliability) {
    if (b.cases == 0) continue;
    rel.add_row({fmt::format("{:.1f}-{:.1f}", b.from, b.to), std::to_string(b.cases), fixed(b.mean_p, 3),
                 fixed(b.observed, 3)});
  }
  fmt::print("{}", rel.render());
  if (!a.out.empty()) {
    fmt::print("\nWrote {}. Use it with `flashfirst route --model {}`, or `model = \"{}\"` in a routing policy.\n",
               a.out, a.out, a.out);
  }
  return kExitOk;
}

}  // namespace

void register_route_train(CLI::App& route, int& exit_code) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = route.add_subcommand("train", "Learn routing from outcomes: where Flash fails and Pro succeeds");
  cmd->footer(
      "Formats:\n"
      "  outcomes      JSON Lines {\"id\", \"request\", \"category\", \"flash_ok\", \"pro_ok\", \"flash_score\", "
      "\"pro_score\"} (what `flashfirst eval --outcomes` writes)\n"
      "  routellm-csv  RouteLLM's outcome CSVs: prompt, weak model correct, strong model correct (True/False)\n"
      "  mt-bench      RouteLLM's MT-Bench judgements plus the questions file (give both)\n"
      "  ledger        gateway ledgers (SQLite files or PostgreSQL URLs) of a gateway run with --record-requests: "
      "the cascade's escalations and clients' ratings of Flash's answers (accepted answers count as passes)\n"
      "  auto          .csv files as routellm-csv, others as outcomes (the default)\n"
      "Flash stands for the weak model and Pro for the strong one. The model is trained on every case and "
      "calibrated out of fold; the metrics printed are out of fold (APGR: area under the performance gap "
      "recovered as the share sent to Pro goes from 0 to 1; a random router scores 0.5).");
  cmd->add_option("files", args->files, "Outcome files")->required()->type_name("FILE");
  cmd->add_option("--format", args->format, "auto, outcomes, routellm-csv, mt-bench or ledger")->capture_default_str();
  cmd->add_option("--out", args->out, "Write the model here")->type_name("MODEL");
  cmd->add_option("--cv", args->folds, "Folds for the out-of-fold calibration and report")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed for the folds and the training order")->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the metrics as one JSON object");
  cmd->add_option("--weak-model", args->weak_model, "mt-bench: the judged model that stands for Flash")
      ->capture_default_str();
  cmd->add_option("--strong-model", args->strong_model, "mt-bench: the judged model that stands for Pro")
      ->capture_default_str();
  cmd->callback([args, &exit_code] { exit_code = run_train(*args); });
}

}  // namespace ff::cli
