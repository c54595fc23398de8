// Word tokens of an instruction, as the router's learned models read them: runs
// of ASCII letters, digits and '_' (with other non-CJK letters inside), each CJK
// character on its own, digit runs read as "#". The tier model and the outcome
// model hash the same tokens (router/tier_model.h, router/outcome_model.h).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "router/text.h"

namespace ff::router {

// A token: bytes [begin, end) of its window. Words are runs of ASCII letters
// (lower-cased when hashed), digits and '_' with other non-CJK characters
// inside; digits alone read as "#"; each CJK character is a token of its own.
struct Token {
  std::uint32_t begin, end;
  bool digits;       // digits only: read as "#"
  bool cjk = false;  // one CJK character
};

// The tokens of one window, into `out` (cleared first).
void tokenize(std::string_view w, std::vector<Token>& out);

// Whether a token of window `w` says something about the task: not a number
// ("#") and not a function word ("the", "de", "und", "的" … in the languages the
// router reads). The tier model makes features of telling tokens only;
// tools/router/train_model.py holds the same list (FUNCTION_WORDS).
bool telling_token(std::string_view w, const Token& t);

// Adds a token as the trainer spells it (lower-cased, or "#") to one or two hashes.
inline void add_token(std::string_view w, const Token& t, Fnv& a, Fnv* b = nullptr) {
  if (t.digits) {
    a.byte('#');
    if (b) b->byte('#');
    return;
  }
  for (std::uint32_t k = t.begin; k < t.end; ++k) {
    auto c = static_cast<unsigned char>(w[k]);
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + 32);
    a.byte(c);
    if (b) b->byte(c);
  }
}


}  // namespace ff::router
