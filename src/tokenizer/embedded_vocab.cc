// The DeepSeek V3/V4 vocabulary, compiled at build time from
// data/tokenizer/deepseek_v3_tokenizer.json by ff_vocab_compile and assembled into
// the binary's read-only data (.incbin keeps it out of the C++ compiler).
// FF_TOKENIZER_BLOB is that compiled file's absolute path, set by CMake.
#include <cstdio>
#include <cstdlib>

#include "tokenizer/tokenizer.h"

#ifndef FF_TOKENIZER_BLOB
#error "FF_TOKENIZER_BLOB must name the compiled vocabulary"
#endif

__asm__(
    ".section .rodata\n"
    ".balign 64\n"
    ".global ff_deepseek_vocab\n"
    "ff_deepseek_vocab:\n"
    ".incbin \"" FF_TOKENIZER_BLOB
    "\"\n"
    ".global ff_deepseek_vocab_end\n"
    "ff_deepseek_vocab_end:\n"
    ".byte 0\n"
    ".previous\n");

extern "C" const char ff_deepseek_vocab[];
extern "C" const char ff_deepseek_vocab_end[];

namespace ff::tokenizer {

const BpeTokenizer& BpeTokenizer::deepseek() {
  static const std::unique_ptr<BpeTokenizer> tokenizer = [] {
    auto t = load_compiled(
        std::string_view(ff_deepseek_vocab, static_cast<size_t>(ff_deepseek_vocab_end - ff_deepseek_vocab)));
    // The blob is produced and checked by the build; failing here means a broken build.
    if (!t.ok()) {
      std::fprintf(stderr, "flashfirst: embedded vocabulary: %s\n", t.error().message.c_str());
      std::abort();
    }
    return std::move(*t);
  }();
  return *tokenizer;
}

}  // namespace ff::tokenizer
