// TierModel: the router's learned signal. A logistic regression gives P(Pro)
// from hashed word n-grams and character n-grams of the instruction (the last
// user message) and a few structural features; data/router/tier_model.txt holds
// its weights, trained by
// tools/router/train_model.py on the development and check sets and a sample of
// public prompts. Features here match that script's byte for byte.
//
// The rules recognise Flash work well but miss hard problems told in words they
// have no cue for; the model, trained on many phrasings, catches more of those.
// The router lets it move a request to Pro only (policy `model_threshold`).
//
// Immutable; score() may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ff::router {

struct TierScore {
  double pro = 0;         // P(Pro), 0..1
  std::string top_terms;  // the n-grams that pushed most toward Pro, quoted: "\"how many\", \"each night\""
};

class TierModel {
 public:
  // How much of a long instruction is read: its first and last kWindow bytes.
  static constexpr std::size_t kWindow = 500;

  // Parses the model file's text ("buckets N", "chars LO HI", "calibration A B",
  // "bias B", then "INDEX WEIGHT" lines); without a calibration line, P(Pro) is the
  // raw sigmoid; without a `chars` line, the model reads no character n-grams.
  static core::Result<TierModel> parse(std::string_view text);
  // The copy of data/router/tier_model.txt compiled into the binary.
  static const TierModel& builtin();

  // `windows`: the instruction, whole when up to 1,000 bytes, else its first and
  // last 500 (cut at character starts); `tools` defined; `history`: the
  // conversation already carries tool calls or results.
  TierScore score(std::span<const std::string_view> windows, int tools, bool history) const;
  // score().pro alone, without naming the terms (which takes a string per new top term).
  double probability(std::span<const std::string_view> windows, int tools, bool history) const;

  // The hashed feature indices of the same input, sorted and distinct (for tests).
  std::vector<std::uint32_t> features(std::span<const std::string_view> windows, int tools, bool history) const;

 private:
  // Calls f(index, window, first token, second token) for each feature, repeats
  // included (tokens are null for the structural features and the character n-grams).
  template <typename F>
  void each_feature(std::span<const std::string_view> windows, int tools, bool history, F&& f) const;
  // P(Pro): the weights of the distinct features summed and squashed; on_new(weight,
  // window, first token, second token) is called for each distinct feature.
  template <typename OnNew>
  double sum(std::span<const std::string_view> windows, int tools, bool history, OnNew&& on_new) const;

  std::uint32_t buckets_ = 0;
  std::uint64_t mask_ = 0;  // buckets_ - 1
  std::size_t chars_lo_ = 0, chars_hi_ = 0;  // the character n-grams' lengths; none when 0
  double bias_ = 0;
  double cal_a_ = 1, cal_b_ = 0;  // P(Pro) = sigmoid(cal_a * score + cal_b), fitted out of fold
  std::vector<float> weights_;
};

// The instruction's windows as TierModel reads them, from the text of the last
// user message given in parts (joined by single spaces): at most 1,000 bytes
// are copied.
std::vector<std::string> instruction_windows(std::span<const std::string_view> parts);

}  // namespace ff::router
