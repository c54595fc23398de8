// What the fuzz targets share: a check that stops the run with a message when an
// invariant breaks (libFuzzer then saves the input that broke it).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FF_FUZZ_CHECK(cond, ...)                                        \
  do {                                                                  \
    if (!(cond)) {                                                      \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                                \
      std::fputc('\n', stderr);                                         \
      std::abort();                                                     \
    }                                                                   \
  } while (0)
