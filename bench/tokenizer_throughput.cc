// Throughput and load time of flashfirst's DeepSeek tokenizer.
//
// First checks every golden case (tests/data/tokenizer_golden.jsonl, ids from the
// JavaScript reference); then, for each text file given, encodes it, checks the
// ids against the reference's ids for that file when given (--reference-ids: one
// line of ids per file, in order), and reports MB/s and tokens/s for the first,
// cold-cache run and the best of --runs. Exit code 1 on any wrong id.
//   tokenizer_throughput --reference-ids ref.ids english.txt code.txt chinese.txt
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace {

using ff::tokenizer::BpeTokenizer;
using ff::tokenizer::SpecialTokens;
using ff::tokenizer::TokenId;

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool check_golden(const BpeTokenizer& tok) {
  std::ifstream in(std::string(FF_SOURCE_DIR) + "/tests/data/tokenizer_golden.jsonl");
  simdjson::dom::parser parser;
  std::string line;
  int n = 0, bad = 0;
  while (std::getline(in, line)) {
    simdjson::dom::element e = parser.parse(line);
    std::string bytes;
    std::string_view hex = e["hex"];
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
      bytes.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    std::vector<TokenId> want;
    for (std::int64_t id : e["ids"].get_array()) want.push_back(static_cast<TokenId>(id));
    auto got = tok.encode(bytes, bool(e["special"]) ? SpecialTokens::kRecognize : SpecialTokens::kIgnore);
    ++n;
    if (got != want) {
      ++bad;
      fmt::print(stderr, "golden case '{}' differs\n", std::string_view(e["name"]));
    }
  }
  fmt::print("golden cases: {} checked, {} wrong\n", n, bad);
  return n > 0 && bad == 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("DeepSeek tokenizer throughput (answers checked first)");
  std::vector<std::string> files;
  std::string reference_ids;
  int runs = 3;
  app.add_option("files", files, "Text files to encode")->required();
  app.add_option("--reference-ids", reference_ids, "The reference's ids for the files, one line per file");
  app.add_option("--runs", runs, "Runs per file")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
#ifndef NDEBUG
  fmt::print(stderr, "warning: built without optimisation (NDEBUG unset)\n");
#endif

  auto t0 = std::chrono::steady_clock::now();
  const BpeTokenizer& tok = BpeTokenizer::deepseek();
  const double load_compiled = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  auto from_json = BpeTokenizer::load_file(std::string(FF_SOURCE_DIR) + "/data/tokenizer/deepseek_v3_tokenizer.json");
  const double load_json = seconds_since(t0);
  if (!from_json.ok()) {
    fmt::print(stderr, "{}\n", from_json.error().message);
    return 1;
  }
  fmt::print("vocabulary load: {:.1f} ms (embedded compiled form), {:.1f} ms (tokenizer.json)\n", load_compiled * 1e3,
             load_json * 1e3);
  if (!check_golden(tok)) return 1;

  std::vector<std::string> ref_lines;
  if (!reference_ids.empty()) {
    std::ifstream in(reference_ids);
    std::string line;
    while (std::getline(in, line)) ref_lines.push_back(line);
  }
  bool ok = true;
  fmt::print("{:<28} {:>10} {:>10} {:>12} {:>12} {:>14}\n", "file", "MB", "tokens", "cold MB/s", "best MB/s",
             "best tokens/s");
  for (size_t f = 0; f < files.size(); ++f) {
    const std::string text = read_file(files[f]);
    double cold = 0, best = 1e100;
    std::vector<TokenId> ids;
    for (int r = 0; r < runs; ++r) {
      // The first run uses a fresh copy of the tokenizer, whose word cache is empty.
      std::unique_ptr<BpeTokenizer> fresh;
      if (r == 0) fresh = BpeTokenizer::load_compiled(tok.serialize()).value();
      const BpeTokenizer& t = r == 0 ? *fresh : tok;
      ids.clear();
      auto start = std::chrono::steady_clock::now();
      t.encode(text, ids, SpecialTokens::kRecognize);  // as the reference reads text
      double s = seconds_since(start);
      if (r == 0) cold = s;
      best = std::min(best, s);
    }
    if (f < ref_lines.size()) {
      std::string mine;
      for (size_t i = 0; i < ids.size(); ++i) mine += (i ? " " : "") + std::to_string(ids[i]);
      if (mine != ref_lines[f]) {
        fmt::print(stderr, "{}: ids differ from the reference\n", files[f]);
        ok = false;
      }
    }
    const double mb = static_cast<double>(text.size()) / 1e6;
    std::string name = files[f].substr(files[f].find_last_of('/') + 1);
    fmt::print("{:<28} {:>10.2f} {:>10} {:>12.1f} {:>12.1f} {:>14.0f}\n", name, mb, ids.size(), mb / cold, mb / best,
               static_cast<double>(ids.size()) / best);
  }
  if (!ref_lines.empty()) fmt::print("ids {} the reference's\n", ok ? "identical to" : "DIFFERENT FROM");
  return ok ? 0 : 1;
}
