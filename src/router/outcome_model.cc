#include "router/outcome_model.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "core/config_file.h"
#include "router/features.h"
#include "router/text.h"
#include "router/word_tokens.h"

namespace ff::router {

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-std::clamp(z, -30.0, 30.0))); }

OutcomeModel::OutcomeModel(std::uint32_t buckets, double calibration_a, double calibration_b)
    : buckets_(buckets), cal_a_(calibration_a), cal_b_(calibration_b), flash_(buckets, 0.0F), pro_(buckets, 0.0F) {}

std::vector<std::uint32_t> OutcomeModel::features(const Features& f, std::uint32_t buckets) {
  std::vector<std::uint32_t> out;
  const std::uint64_t mask = buckets - 1;
  thread_local std::vector<Token> toks;
  std::size_t words = 0;
  for (const std::string& w : f.model_windows) {
    tokenize(w, toks);
    words += toks.size();
    for (std::size_t i = 0; i < toks.size(); ++i) {
      Fnv u;
      u.add("u:");
      add_token(w, toks[i], u);
      out.push_back(static_cast<std::uint32_t>(u.value() & mask));
      if (i > 0) {
        Fnv b;
        b.add("b:");
        add_token(w, toks[i - 1], b);
        b.byte(' ');
        add_token(w, toks[i], b);
        out.push_back(static_cast<std::uint32_t>(b.value() & mask));
      }
    }
  }
  auto structural = [&](std::string_view name, std::int64_t v, std::int64_t hi) {  // hi <= 9: one digit
    Fnv h;
    h.add(name).byte(static_cast<unsigned char>('0' + std::clamp<std::int64_t>(v, 0, hi)));
    out.push_back(static_cast<std::uint32_t>(h.value() & mask));
  };
  structural("tools:", f.tools_defined, 3);
  structural("history:", f.tool_results + f.tool_call_turns > 0 ? 1 : 0, 1);
  structural("length:", static_cast<std::int64_t>(words / 40), 6);
  structural("numbers:", f.numbers / 3, 8);
  structural("math:", f.math_symbols, 4);
  structural("vars:", f.variables, 3);
  structural("code:", f.code_lines / 10, 3);
  structural("choices:", f.choices, 4);
  structural("turns:", f.user_turns, 3);
  structural("questions:", f.question_marks, 3);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double OutcomeModel::flash_ok(const std::vector<std::uint32_t>& features) const {
  double z = flash_bias_;
  for (std::uint32_t i : features) z += flash_[i];
  return sigmoid(z);
}

double OutcomeModel::pro_ok(const std::vector<std::uint32_t>& features) const {
  double z = pro_bias_;
  for (std::uint32_t i : features) z += pro_[i];
  return sigmoid(z);
}

double OutcomeModel::calibrated(double gain) const { return sigmoid(cal_a_ * gain + cal_b_); }

double OutcomeModel::p_pro(const Features& f) const {
  if (buckets_ == 0) return 0;
  return calibrated(gain(features(f, buckets_)));
}

namespace {

bool number(std::string_view v, double& out) {
  const auto r = std::from_chars(v.data(), v.data() + v.size(), out);
  return !v.empty() && r.ec == std::errc() && r.ptr == v.data() + v.size() && std::isfinite(out);
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  while (!line.empty()) {
    const std::size_t sp = line.find(' ');
    if (sp != 0) out.push_back(line.substr(0, sp));
    if (sp == std::string_view::npos) break;
    line.remove_prefix(sp + 1);
  }
  return out;
}

}  // namespace

core::Result<OutcomeModel> OutcomeModel::parse(std::string_view text) {
  OutcomeModel m;
  bool header = false, calibration = false;
  std::size_t line_no = 0;
  auto error = [&](std::string_view what) {
    return core::make_error(fmt::format("outcome model line {}: {}", line_no, what));
  };
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string_view> f = fields(line);
    if (!header) {
      if (f.size() != 2 || f[0] != "outcome-model" || f[1] != "1") {
        return error("expected \"outcome-model 1\" (a file written by `flashfirst route train`)");
      }
      header = true;
      continue;
    }
    double a = 0, b = 0;
    if (f[0] == "buckets") {
      if (f.size() != 2 || !number(f[1], a) || a < 1 || a > (1 << 24) || a != std::floor(a) ||
          (static_cast<std::uint32_t>(a) & (static_cast<std::uint32_t>(a) - 1)) != 0) {
        return error("the bucket count must be a power of two up to 2^24");
      }
      m = OutcomeModel(static_cast<std::uint32_t>(a), m.cal_a_, m.cal_b_);
    } else if (f[0] == "calibration") {
      if (f.size() != 3 || !number(f[1], a) || !number(f[2], b)) return error("expected \"calibration A B\"");
      m.set_calibration(a, b);
      calibration = true;
    } else if (f[0] == "flash_bias" || f[0] == "pro_bias") {
      if (f.size() != 2 || !number(f[1], a)) return error(fmt::format("expected \"{} NUMBER\"", f[0]));
      (f[0] == "flash_bias" ? m.flash_bias_ : m.pro_bias_) = a;
    } else {
      std::uint32_t index = 0;
      const auto r = std::from_chars(f[0].data(), f[0].data() + f[0].size(), index);
      if (m.buckets_ == 0) return error("weights before the `buckets` line");
      if (r.ec != std::errc() || r.ptr != f[0].data() + f[0].size() || index >= m.buckets_) {
        return error(fmt::format("'{}' is neither a known field nor a bucket index below {}", f[0], m.buckets_));
      }
      if (f.size() != 3 || !number(f[1], a) || !number(f[2], b)) {
        return error("expected \"INDEX FLASH_WEIGHT PRO_WEIGHT\"");
      }
      m.flash_[index] = static_cast<float>(a);
      m.pro_[index] = static_cast<float>(b);
    }
  }
  if (!header) return core::make_error("outcome model: the file is empty");
  if (m.buckets_ == 0) return core::make_error("outcome model: no `buckets` line");
  if (!calibration) return core::make_error("outcome model: no `calibration` line");
  return m;
}

core::Result<OutcomeModel> OutcomeModel::load_file(const std::string& path) {
  auto text = core::read_text_file(path);
  if (!text.ok()) return text.error();
  auto m = parse(*text);
  if (!m.ok()) return core::make_error(fmt::format("{}: {}", path, m.error().message));
  return m;
}

std::string OutcomeModel::serialize(std::string_view comment) const {
  std::string out;
  for (std::string_view rest = comment; !rest.empty();) {
    const std::size_t nl = rest.find('\n');
    out.append("# ").append(rest.substr(0, nl)).append("\n");
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  out += "outcome-model 1\n";
  out += fmt::format("buckets {}\ncalibration {:.9g} {:.9g}\nflash_bias {:.9g}\npro_bias {:.9g}\n", buckets_, cal_a_,
                     cal_b_, flash_bias_, pro_bias_);
  for (std::uint32_t i = 0; i < buckets_; ++i) {
    if (flash_[i] != 0 || pro_[i] != 0) out += fmt::format("{} {:.9g} {:.9g}\n", i, flash_[i], pro_[i]);
  }
  return out;
}

}  // namespace ff::router
