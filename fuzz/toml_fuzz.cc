// Every TOML loader (price book, simulator config, quality priors, serve config,
// routing policy, advisor profile) on any text: a value or an error that names
// the file, never a crash, an uncaught exception or a hang. The first byte of the
// input picks the loader, so one corpus seeds them all.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "fuzz_check.h"
#include "gateway/serve_config.h"
#include "planner/advisor.h"
#include "pricing/price_book_loader.h"
#include "sim/quality_model.h"
#include "router/policy.h"
#include "sim/sim_config.h"

namespace {

const std::string kName = "fuzz.toml";

template <typename T>
void expect_named(const ff::core::Result<T>& r, const char* loader) {
  if (r.ok()) return;
  const std::string& m = r.error().message;
  FF_FUZZ_CHECK(m.rfind(kName, 0) == 0, "%s: an error that does not name the file: %s", loader, m.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
      expect_named(ff::pricing::parse_price_book(text, kName), "price book");
      break;
    case 1:
      expect_named(ff::sim::parse_sim_config(text, kName), "sim config");
      break;
    case 2:
      expect_named(ff::sim::QualityModel::parse(text, kName), "quality priors");
      break;
    case 3:
      expect_named(ff::gateway::parse_serve_config(text, kName), "serve config");
      break;
    case 4:
      expect_named(ff::router::Policy::parse(text, kName), "routing policy");
      break;
    case 5:
      expect_named(ff::planner::parse_profile(text, kName), "advisor profile");
      break;
  }
  return 0;
}
