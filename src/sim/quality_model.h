// QualityModel: how often an answer fails, per model tier, task category and
// reasoning effort, and what share of those failures a check of the answer's
// form can see, from data/quality.toml (or the user's file).
//
// Loaded and validated once (a bad file names its line and field); immutable and
// thread-safe afterwards. The simulator draws failures from it; the planner's
// what-if simulation will use the same numbers.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/usage.h"

namespace ff::sim {

class QualityModel {
 public:
  struct Category {
    std::string name;
    double flash = 0;
    double pro = 0;
    // The share of failures that show in the answer's form, where the
    // gateway's check of a Flash answer can see them (cut short, empty,
    // invalid JSON under json_object, tool arguments off the schema); the rest
    // are wrong answers in good form, which no check sees.
    double checkable = 0;
    std::string source;
    std::string checkable_source;
  };

  static core::Result<QualityModel> parse(std::string_view toml, const std::string& source_name);
  static core::Result<QualityModel> load_file(const std::string& path);
  // The copy compiled into the binary.
  static core::Result<QualityModel> embedded();
  // `spec` as the --quality / --sim-quality flags take it: empty for the
  // embedded priors, `off` for the same categories with no failures, else a file.
  static core::Result<QualityModel> from_flag(const std::string& spec);

  // Probability that an answer fails; effort is "none" (non-thinking), "low",
  // "high" or "max". Nullopt for a category the file does not list.
  std::optional<double> failure_probability(core::Tier tier, std::string_view category, std::string_view effort) const;

  // The checkable share of a category's failures; nullopt for a category the
  // file does not list.
  std::optional<double> checkable_share(std::string_view category) const;

  const std::vector<Category>& categories() const { return categories_; }
  bool has_category(std::string_view name) const;
  // The category used when a request names none.
  static constexpr std::string_view kDefaultCategory = "straightforward_qa";

 private:
  std::vector<Category> categories_;
  std::map<std::string, double, std::less<>> effort_;
};

}  // namespace ff::sim
