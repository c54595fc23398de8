// Build tool: compiles a Hugging Face tokenizer.json into flashfirst's compact
// vocabulary form (BpeTokenizer::serialize), which the binary embeds.
//   ff_vocab_compile tokenizer.json out.ffbpe
#include <cstdio>
#include <fstream>

#include "tokenizer/tokenizer.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: ff_vocab_compile tokenizer.json out.ffbpe\n");
    return 2;
  }
  auto tok = ff::tokenizer::BpeTokenizer::load_file(argv[1]);
  if (!tok.ok()) {
    std::fprintf(stderr, "ff_vocab_compile: %s\n", tok.error().message.c_str());
    return 1;
  }
  std::string blob = (*tok)->serialize();
  // Round trip: the compiled form must load back to the same vocabulary.
  auto back = ff::tokenizer::BpeTokenizer::load_compiled(blob);
  if (!back.ok() || (*back)->serialize() != blob) {
    std::fprintf(stderr, "ff_vocab_compile: the compiled vocabulary does not load back identically\n");
    return 1;
  }
  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  out.write(blob.data(), static_cast<std::streamsize>(blob.size()));
  if (!out) {
    std::fprintf(stderr, "ff_vocab_compile: cannot write %s\n", argv[2]);
    return 1;
  }
  return 0;
}
