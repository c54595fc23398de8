// The cascade's tool-schema check. Input: a schema, a newline, the arguments.
// check_schema must give the same verdict as check_answer on a chat completion
// that calls a tool with those arguments (the path the gateway takes), and a
// passing verdict must mean what the schema's `required` and `type` say.
#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "cascade/check.h"
#include "core/json_writer.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  const std::string schema(input.substr(0, nl));
  const std::string args(input.substr(nl + 1));
  const auto verdict = ff::cascade::check_schema(schema, args);

  simdjson::dom::parser sp, ap;
  simdjson::dom::element s, a;
  // An answer is valid UTF-8 (else it is no chat completion), so its arguments are too.
  if (sp.parse(schema).get(s) || s.type() != simdjson::dom::element_type::OBJECT || args.empty() ||
      !simdjson::validate_utf8(args)) {
    return 0;
  }
  // The same tool called in an answer.
  const std::string request = R"({"messages":[],"tools":[{"type":"function","function":{"name":"f","parameters":)" +
                              schema + "}}]}";
  std::string response = R"({"choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant",)"
                         R"("tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":)";
  ff::core::append_json_string(response, args);
  response += "}}]}}]}";
  const auto answer = ff::cascade::check_answer(request, response);
  FF_FUZZ_CHECK(answer.has_value() == verdict.has_value(), "check_answer %s, check_schema %s",
                answer ? answer->c_str() : "passes", verdict ? verdict->c_str() : "passes");
  if (verdict) FF_FUZZ_CHECK(*answer == "tool 'f': " + *verdict, "the reasons differ: %s", answer->c_str());

  if (verdict || ap.parse(args).get(a)) return 0;
  // Passed: the top-level type and required properties hold.
  std::string_view type;
  if (!s["type"].get_string().get(type) && type == "object") {
    FF_FUZZ_CHECK(a.type() == simdjson::dom::element_type::OBJECT, "a non-object passed type object");
  }
  simdjson::dom::array required;
  if (a.type() == simdjson::dom::element_type::OBJECT && !s["required"].get_array().get(required)) {
    for (simdjson::dom::element r : required) {
      std::string_view name;
      if (!r.get_string().get(name)) FF_FUZZ_CHECK(!a[name].error(), "a required property is missing");
    }
  }
  return 0;
}
