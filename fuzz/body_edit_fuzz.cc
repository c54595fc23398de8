// The gateway's body edits on any JSON object the gateway would accept (valid,
// no top-level member named twice): find_member finds what a JSON parser finds,
// set_member leaves a body whose parse has the new value and every other member
// as it was, BodyEdits (one pass) gives what set_member gives one edit at a time,
// and apply_effort leaves valid JSON.
#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "fuzz_check.h"
#include "gateway/body_edit.h"

namespace {

namespace dom = simdjson::dom;

std::string minified(dom::element e) { return simdjson::minify(e); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  dom::parser parser;
  dom::element root;
  dom::object top;
  if (parser.parse(body).get(root) || root.get(top)) return 0;
  if (ff::gateway::repeated_member(root)) return 0;  // the gateway answers 400

  for (const char* key : {"model", "stream", "stream_options", "messages", "thinking"}) {
    const auto span = ff::gateway::find_member(body, key);
    dom::element value;
    const bool present = !top[key].get(value);
    FF_FUZZ_CHECK(span.has_value() == present, "find_member(%s) and the parse disagree", key);
    if (span) {
      dom::parser p2;
      dom::element found;
      FF_FUZZ_CHECK(!p2.parse(body.substr(span->offset, span->length)).get(found), "the span of %s is not a value",
                    key);
      FF_FUZZ_CHECK(minified(found) == minified(value), "the span of %s is another value", key);
    }

    const std::string edited = ff::gateway::set_member(body, key, R"({"set":[1,"x"]})");
    dom::parser p3;
    dom::element out;
    dom::object out_top;
    FF_FUZZ_CHECK(!p3.parse(edited).get(out) && !out.get(out_top), "set_member(%s) made invalid JSON", key);
    FF_FUZZ_CHECK(!ff::gateway::repeated_member(out), "set_member(%s) named a member twice", key);
    dom::element now;
    FF_FUZZ_CHECK(!out_top[key].get(now) && minified(now) == R"({"set":[1,"x"]})", "%s was not set", key);
    for (auto [k, v] : top) {
      if (k == key) continue;
      dom::element kept;
      FF_FUZZ_CHECK(!out_top[k].get(kept) && minified(kept) == minified(v), "set_member(%s) changed another member",
                    key);
    }
    FF_FUZZ_CHECK(out_top.size() == top.size() + (present ? 0 : 1), "set_member(%s) changed the member count", key);
  }

  // Several edits in one pass, against the same edits made one at a time.
  {
    ff::gateway::BodyEdits edits(body);
    std::string step = body;
    for (const char* key : {"model", "stream_options", "user_id", "stream"}) {
      edits.set(key, R"({"v":"\u00e9"})");
      step = ff::gateway::set_member(step, key, R"({"v":"\u00e9"})");
    }
    FF_FUZZ_CHECK(edits.apply() == step, "BodyEdits and set_member one at a time disagree");
  }

  using ff::wire::Protocol;
  for (Protocol protocol : {Protocol::kOpenAi, Protocol::kAnthropic, Protocol::kResponses}) {
    const char* effort_member = protocol == Protocol::kAnthropic   ? "output_config"
                                : protocol == Protocol::kResponses ? "reasoning"
                                                                   : "reasoning_effort";
    for (const char* effort : {"", "none", "low", "max"}) {
      ff::gateway::BodyEdits edits(body);
      const std::string sent = ff::gateway::apply_effort(edits, root, protocol, effort);
      const std::string edited = edits.apply();
      dom::parser p4;
      dom::element out;
      FF_FUZZ_CHECK(!p4.parse(edited).get(out) && !ff::gateway::repeated_member(out),
                    "apply_effort(%s) made invalid JSON or a repeated member", effort);
      // A request that sets none of its own gets the policy's, as sent.
      bool own = false;
      for (const char* k : {"thinking", effort_member}) {
        dom::element v;
        own = own || (!top[k].get(v) && !v.is_null());
      }
      if (!own) FF_FUZZ_CHECK(sent == effort, "the policy's effort %s came back as %s", effort, sent.c_str());
    }
  }
  return 0;
}
