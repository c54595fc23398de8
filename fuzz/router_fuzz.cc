// The router's feature extraction and decision on any request body, with the
// shipped policy (features also with the exact tokenizer): never a crash, counts that cannot be
// negative, and the same decision from the raw body and from its parse read as
// a ChatView (the gateway parses once and routes the view).
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

#include <simdjson.h>

#include "fuzz_check.h"
#include "router/features.h"
#include "router/router.h"
#include "tokenizer/tokenizer.h"
#include "wire/chat_view.h"

namespace {

const ff::router::Router& router() {
  // As `serve` builds it: the ratio estimate counts for the context threshold.
  static const ff::router::Router r(ff::router::Policy::embedded().value(),
                                    std::make_shared<ff::tokenizer::RatioEstimator>());
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const auto& tok = ff::tokenizer::BpeTokenizer::deepseek();
  const auto f = ff::router::extract_features(body, tok);
  if (f.ok()) {
    const ff::router::Features& x = *f;
    FF_FUZZ_CHECK(x.messages >= 0 && x.user_turns >= 0 && x.tool_calls >= 0 && x.input_tokens >= 0 &&
                      x.instruction_tokens >= 0 && x.instruction_tokens <= x.input_tokens && x.text_bytes >= 0 &&
                      x.requested_output_tokens >= 0 && x.files <= 64,
                  "impossible features");
    for (const std::string& w : x.model_windows) FF_FUZZ_CHECK(w.size() <= 1000, "a window over 1,000 bytes");
  }

  ff::router::RouteContext ctx;
  ctx.always_score = true;
  const auto decided = router().route(body, ctx);
  FF_FUZZ_CHECK(decided.ok() == f.ok(), "route and extract_features disagree on whether the body is a request");
  const ff::router::Decision fallback = router().route_or_default(body, ctx);
  if (decided.ok()) {
    const ff::router::Decision& d = *decided;
    FF_FUZZ_CHECK(d.p_pro == -1 || (d.p_pro >= 0 && d.p_pro <= 1), "P(Pro) %f", d.p_pro);
    FF_FUZZ_CHECK(std::isfinite(d.confidence), "confidence %f", d.confidence);
    FF_FUZZ_CHECK(!d.model.empty() && !d.reason.empty(), "a decision with no model or reason");
    FF_FUZZ_CHECK(fallback.tier == d.tier && fallback.model == d.model && fallback.reason == d.reason,
                  "route_or_default differs from route");
    simdjson::dom::parser p;
    simdjson::dom::element root;
    if (!p.parse(body).get(root)) {
      const ff::wire::ChatView view(root, ff::wire::Protocol::kOpenAi);
      FF_FUZZ_CHECK(view.problem().empty(), "a routed request whose view has a problem: %s", view.problem().c_str());
      const ff::router::Decision parsed = router().route_or_default(view, ctx);
      FF_FUZZ_CHECK(parsed.tier == d.tier && parsed.reason == d.reason && parsed.input_tokens == d.input_tokens,
                    "the parse routes otherwise than the body");
    }
  } else {
    FF_FUZZ_CHECK(!fallback.model.empty() && !fallback.reason.empty(), "no default decision");
  }
  return 0;
}
