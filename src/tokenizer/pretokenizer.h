// The DeepSeek V3 pre-tokenizer: a Sequence of three regex Splits (each keeping
// matches and the text between them as separate pieces), reimplemented by hand.
//   1. \p{N}{1,3}
//   2. [一-龥぀-ゟ゠-ヿ]+
//   3. [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+|
//      ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
// Each stage splits every piece of the previous one, so a later pattern never
// looks across an earlier boundary (a lookahead at a piece's end sees the end).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace ff::tokenizer {

// Splits valid UTF-8 `text` and calls `emit(begin, end)` with byte offsets of each
// piece, in order. `scratch` buffers are reused between calls.
struct PretokenizerScratch {
  std::vector<char32_t> cps;
  std::vector<std::uint8_t> flags;
  std::vector<std::uint32_t> offsets;  // byte offset of each code point, plus the end
};

template <typename Emit>
void pretokenize(std::string_view text, PretokenizerScratch& scratch, Emit&& emit);

}  // namespace ff::tokenizer

#include "tokenizer/pretokenizer_inl.h"
