// Outcome files `flashfirst route train` learns from, read into one shape: a
// request and how well Flash (the weak model) and Pro (the strong one) answered it.
//
//   outcomes      JSON Lines from `flashfirst eval --outcomes`:
//                 {"id", "request", "category"?, "flash_ok", "pro_ok", "flash_score"?, "pro_score"?}
//                 (scores 0..1 win over the booleans when given);
//   routellm-csv  RouteLLM's per-prompt outcome CSVs: prompt, then the weak and
//                 the strong model's correctness (True/False), then anything;
//   mt-bench      RouteLLM's MT-Bench judgements (JSON Lines with question_id,
//                 model, score 1..10, turn) together with the questions file
//                 (question_id, turns): a question's score is the mean over its
//                 turns, divided by 10; the request is its first turn.
//
// Errors name the file and line. No state; any thread.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace ff::router {

struct OutcomeRecord {
  std::string id;
  std::string body;  // a chat request, as JSON text
  std::string category;
  double flash = 0, pro = 0;  // 0..1
};

core::Result<std::vector<OutcomeRecord>> read_outcomes_jsonl(const std::string& path, const std::string& text);
core::Result<std::vector<OutcomeRecord>> read_routellm_csv(const std::string& path, const std::string& text);
// `files`: (path, text) pairs, the judgements and the questions in any order.
// `weak_model` and `strong_model` name the two models judged.
core::Result<std::vector<OutcomeRecord>> read_mt_bench(const std::vector<std::pair<std::string, std::string>>& files,
                                                       const std::string& weak_model, const std::string& strong_model);

// A one-message chat request for a prompt: {"messages":[{"role":"user","content":PROMPT}]}.
std::string user_request(const std::string& prompt);

}  // namespace ff::router
