// OutcomeModel: routing learned from outcomes (`flashfirst route train`).
//
// Two logistic regressions over the same hashed features predict whether Flash
// and whether Pro answer a request well. Their difference, the expected gain
// from sending it to Pro, is calibrated out of fold (Platt scaling) into
// P(Pro needed): the probability that Flash fails where Pro succeeds. With a
// model in the routing policy (`model = "FILE"`, or `route --model`), the router
// sends a request to Pro when that probability reaches `model_threshold`.
//
// The features, all hashed (FNV-1a) into `buckets` indices, each counted once:
//   u:WORD, b:WORD WORD  the instruction's words and word pairs (router/word_tokens.h),
//                        read from its first and last 500 bytes;
//   tools:N    tools defined (0..3)         history:N  tool calls or results so far (0, 1)
//   length:N   words / 40 (0..6)            numbers:N  numbers / 3 (0..8)
//   math:N     math symbols (0..4)          vars:N     one-letter variables (0..3)
//   code:N     code lines / 10 (0..3)       choices:N  answer options (0..4)
//   turns:N    user turns (1..3)            questions:N question marks (0..3)
//
// Immutable; p_pro() may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ff::router {

struct Features;

class OutcomeModel {
 public:
  static constexpr std::uint32_t kDefaultBuckets = 1U << 18;

  // The model file's text: "outcome-model 1", "buckets N", "calibration A B",
  // "flash_bias X", "pro_bias Y", then "INDEX FLASH_WEIGHT PRO_WEIGHT" lines.
  static core::Result<OutcomeModel> parse(std::string_view text);
  static core::Result<OutcomeModel> load_file(const std::string& path);
  std::string serialize(std::string_view comment) const;

  // The hashed feature indices of a request, sorted and distinct.
  static std::vector<std::uint32_t> features(const Features& f, std::uint32_t buckets);

  // P(Flash answers well), P(Pro answers well), for features already hashed.
  double flash_ok(const std::vector<std::uint32_t>& features) const;
  double pro_ok(const std::vector<std::uint32_t>& features) const;
  // The expected gain from Pro (pro_ok - flash_ok), the score the router ranks by.
  double gain(const std::vector<std::uint32_t>& features) const { return pro_ok(features) - flash_ok(features); }
  // The calibrated P(Pro needed) for a gain.
  double calibrated(double gain) const;
  // Both at once for a request.
  double p_pro(const Features& f) const;

  std::uint32_t buckets() const { return buckets_; }

  // For the trainer (router/outcome_training.h).
  OutcomeModel(std::uint32_t buckets, double calibration_a, double calibration_b);
  OutcomeModel() = default;
  std::vector<float>& flash_weights() { return flash_; }
  std::vector<float>& pro_weights() { return pro_; }
  double& flash_bias() { return flash_bias_; }
  double& pro_bias() { return pro_bias_; }
  void set_calibration(double a, double b) {
    cal_a_ = a;
    cal_b_ = b;
  }
  double calibration_a() const { return cal_a_; }
  double calibration_b() const { return cal_b_; }

 private:
  std::uint32_t buckets_ = 0;
  double cal_a_ = 1, cal_b_ = 0;
  double flash_bias_ = 0, pro_bias_ = 0;
  std::vector<float> flash_, pro_;
};

double sigmoid(double z);

}  // namespace ff::router
