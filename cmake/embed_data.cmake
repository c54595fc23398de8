# Writes a C++ source that holds data/prices.toml as a string, so the binary carries
# its default price book. Invoked at build time with -DOUT=... -DPRICES=...
file(READ "${PRICES}" content)
string(FIND "${content}" ")ffdata\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${PRICES} contains the raw-string delimiter )ffdata\"")
endif()
file(WRITE "${OUT}.tmp" "// Generated from ${PRICES} by cmake/embed_data.cmake. Do not edit.\n#include <string_view>\nnamespace ff::pricing {\nextern const std::string_view kEmbeddedPriceBook;\nconst std::string_view kEmbeddedPriceBook = R\"ffdata(${content})ffdata\";\n}  // namespace ff::pricing\n")
file(RENAME "${OUT}.tmp" "${OUT}")
