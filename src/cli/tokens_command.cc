#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "pricing/price_book_loader.h"
#include "tokenizer/tokenizer.h"

namespace ff::cli {

namespace {

struct TokensArgs {
  std::string file;
  bool ids = false;
  bool json = false;
  bool special = false;
  bool lines = false;
  std::string vocab;
};

std::string join_ids(const std::vector<tokenizer::TokenId>& ids, const char* sep) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += sep;
    out += std::to_string(ids[i]);
  }
  return out;
}

int run_tokens(const TokensArgs& a) {
  if (a.file.empty() && isatty(STDIN_FILENO))
    return fail("tokens", kExitUsage, "give a file (or - for standard input); see --help");
  auto text = read_input(a.file.empty() ? "-" : a.file);
  if (!text.ok()) return fail("tokens", kExitUsage, text.error().message);

  std::unique_ptr<tokenizer::BpeTokenizer> own;
  const tokenizer::BpeTokenizer* tok = nullptr;
  if (!a.vocab.empty()) {
    auto loaded = tokenizer::BpeTokenizer::load_file(a.vocab);
    if (!loaded.ok()) return fail("tokens", kExitUsage, loaded.error().message);
    own = std::move(*loaded);
    tok = own.get();
  } else {
    tok = &tokenizer::BpeTokenizer::deepseek();
  }
  const auto special = a.special ? tokenizer::SpecialTokens::kRecognize : tokenizer::SpecialTokens::kIgnore;

  std::vector<std::string_view> texts;
  std::string_view all = *text;
  if (a.lines) {
    size_t start = 0;
    while (start < all.size()) {
      size_t nl = all.find('\n', start);
      size_t end = nl == std::string_view::npos ? all.size() : nl;
      texts.push_back(all.substr(start, end - start));
      start = end + 1;
    }
  } else {
    texts.push_back(all);
  }

  std::string out;
  if (a.json && a.lines) out += "[";
  std::vector<tokenizer::TokenId> ids;
  for (size_t i = 0; i < texts.size(); ++i) {
    std::int64_t count;
    if (a.ids || a.json) {
      ids.clear();
      tok->encode(texts[i], ids, special);
      count = static_cast<std::int64_t>(ids.size());
    } else {
      count = tok->count(texts[i], special);
    }
    if (a.json) {
      if (a.lines && i > 0) out += ",";
      out += fmt::format("{{\"tokens\": {}, \"bytes\": {}", count, texts[i].size());
      if (a.ids) out += ", \"ids\": [" + join_ids(ids, ", ") + "]";
      out += "}";
    } else if (a.ids) {
      out += join_ids(ids, " ") + "\n";
    } else {
      out += std::to_string(count) + "\n";
    }
  }
  if (a.json) out += a.lines ? "]\n" : "\n";
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace

void register_tokens(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TokensArgs>();
  CLI::App* cmd = app.add_subcommand("tokens", "Exact DeepSeek V3/V4 token counts and ids");
  cmd->footer(
      "Byte-level BPE with the published 128K vocabulary and DeepSeek's pre-tokenizer, identical to the reference "
      "implementation. Invalid UTF-8 is read as U+FFFD, as the reference reads it. No BOS/EOS is added.");
  cmd->add_option("file", args->file, "Text file; '-' or nothing reads standard input")->type_name("FILE");
  cmd->add_flag("--ids", args->ids, "Print the token ids instead of the count");
  cmd->add_flag("--json", args->json, "Print {\"tokens\", \"bytes\"} (and \"ids\" with --ids) as JSON");
  cmd->add_flag("--special", args->special,
                "Read added tokens written in the text (<｜begin▁of▁sentence｜>, <｜User｜> ...) as single tokens");
  cmd->add_flag("--lines", args->lines, "Tokenize each line (without its newline) on its own; one result per line");
  cmd->add_option("--vocab", args->vocab, "Another Hugging Face tokenizer.json (byte-level BPE) to use")
      ->type_name("FILE");
  cmd->callback([args, &exit_code] { exit_code = run_tokens(*args); });
}

}  // namespace ff::cli
