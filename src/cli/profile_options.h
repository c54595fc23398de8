// The workload options shared by `advise` and `simulate`: the task mix and volume
// by flags, a profile file, usage logs to measure, or questions on a terminal.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "planner/advisor.h"
#include "pricing/price_book.h"

namespace CLI {
class App;
}

namespace ff::cli {

struct ProfileArgs {
  std::string profile;
  std::string mix;
  std::string output_tokens;
  std::string input_tokens;
  std::string cache_hit_rate;  // as parse_rate() reads it; empty: not given
  std::vector<std::string> measure;
  std::string access = "api";
  std::string wrong_answer_cost = "medium";
};

void add_profile_options(CLI::App& cmd, ProfileArgs& args);

// The profile the options describe; with none given, asks on the terminal (or
// fails when standard input is not one). Errors are ready to print.
core::Result<planner::WorkloadProfile> resolve_profile(const ProfileArgs& a, const CLI::App& cmd,
                                                       const pricing::PriceBook& book, const std::string& currency);

}  // namespace ff::cli
