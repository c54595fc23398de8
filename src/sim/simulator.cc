#include "sim/simulator.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "core/json_writer.h"
#include "tokenizer/utf8.h"
#include "wire/responses.h"

namespace ff::sim {

namespace dom = simdjson::dom;
using core::JsonWriter;
using tokenizer::TokenId;

namespace {

std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t fnv(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// `v`'s low `digits` hex digits, zero-padded (ids are formatted per request:
// this is the hot path of a benchmark, and fmt's general machinery costs more).
void append_hex(std::string& out, std::uint64_t v, int digits) {
  constexpr char kDigits[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out.push_back(kDigits[(v >> (4 * i)) & 0xf]);
}

// Deterministic randomness for one request.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() { return state_ = mix(state_); }
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(next() % (hi - lo + 1));
  }
  bool chance(double p) { return p > 0 && static_cast<double>(next() % 1'000'000) < p * 1'000'000; }

 private:
  std::uint64_t state_;
};

constexpr const char* kSentences[] = {
    "Here is a concise answer to your question.",
    "The key point is that the cheaper model handles this kind of task well.",
    "First, consider the inputs; then apply the rule step by step.",
    "In short, the result follows directly from the information given.",
    "This approach keeps the cost low while preserving quality.",
    "Let me summarize the main facts before giving the final answer.",
    "The data supports this conclusion, with one caveat noted below.",
    "If you need more detail, ask a follow-up question.",
};
constexpr const char* kThoughts[] = {
    "The user is asking a direct question; I should identify what is needed.",
    "Let me check the constraints once more before answering.",
    "A short, accurate reply is best here; no tools are required.",
    "I will outline the steps and verify the arithmetic.",
};

// A JSON value that satisfies a (simple) JSON schema: every listed property with
// a value of its type, an enum's first value.
void sample_from_schema(JsonWriter& w, dom::element schema, int depth) {
  dom::array enumeration;
  if (!schema["enum"].get_array().get(enumeration) && enumeration.size() > 0) {
    dom::element first = enumeration.at(0);
    std::string_view s;
    std::int64_t i;
    bool b;
    if (!first.get_string().get(s))
      w.value(s);
    else if (!first.get_int64().get(i))
      w.value(i);
    else if (!first.get_bool().get(b))
      w.value(b);
    else
      w.number_text(simdjson::to_string(first));
    return;
  }
  std::string_view type = "object";
  std::string_view t;
  if (!schema["type"].get_string().get(t)) type = t;
  if (type == "string") {
    w.value("example");
  } else if (type == "integer") {
    w.value(std::int64_t{1});
  } else if (type == "number") {
    w.number_text("1.5");
  } else if (type == "boolean") {
    w.value(true);
  } else if (type == "array") {
    w.begin_array();
    dom::element items;
    if (depth < 4 && !schema["items"].get(items)) sample_from_schema(w, items, depth + 1);
    w.end_array();
  } else if (type == "null") {
    w.null();
  } else {
    w.begin_object();
    dom::object props;
    if (depth < 4 && !schema["properties"].get_object().get(props)) {
      for (auto [key, sub] : props) {
        w.key(key);
        sample_from_schema(w, sub, depth + 1);
      }
    }
    w.end_object();
  }
}

Simulator::PhraseBank make_bank(const tokenizer::BpeTokenizer& tok, const char* const* texts, size_t n) {
  Simulator::PhraseBank bank;
  for (size_t i = 0; i < n; ++i)
    bank.push_back({texts[i], tok.encode(texts[i]), tok.encode(std::string(" ") + texts[i])});
  return bank;
}

// `count` phrases drawn from the bank, joined by spaces, with their token ids.
void compose(const Simulator::PhraseBank& bank, std::int64_t count, Rng& rng, std::string& text,
             std::vector<TokenId>& ids) {
  for (std::int64_t i = 0; i < count; ++i) {
    const auto& p = bank[rng.next() % bank.size()];
    if (i > 0) text += ' ';
    text += p.text;
    const auto& add = i > 0 ? p.spaced_ids : p.ids;
    ids.insert(ids.end(), add.begin(), add.end());
  }
}

// A plausible wrong answer to compare against an expected one: a number off by
// one, the next multiple-choice letter, or a non-answer.
std::string wrong_answer(const std::string& expected) {
  const bool integer = !expected.empty() && expected.size() < 18 &&
                       std::all_of(expected.begin() + (expected[0] == '-' ? 1 : 0), expected.end(),
                                   [](char c) { return c >= '0' && c <= '9'; }) &&
                       expected != "-";
  if (integer) return std::to_string(std::stoll(expected) + 1);
  if (expected.size() == 1 && expected[0] >= 'A' && expected[0] <= 'J') {
    return std::string(1, expected[0] == 'D' ? 'A' : static_cast<char>(expected[0] + 1));
  }
  return "I am not certain; I cannot determine the answer from the information given.";
}

// Tool arguments that break the schema: no properties when some are required,
// else the first property with a value of the wrong type.
std::string broken_arguments(dom::element schema) {
  dom::array required;
  if (!schema["required"].get_array().get(required) && required.size() > 0) return "{}";
  dom::object props;
  if (!schema["properties"].get_object().get(props)) {
    for (auto [key, sub] : props) {
      std::string_view type;
      const bool is_string = !sub["type"].get_string().get(type) && type == "string";
      JsonWriter w(true);
      w.begin_object().key(key);
      if (is_string) {
        w.value(std::int64_t{12345});
      } else {
        w.value("not the expected type");
      }
      w.end_object();
      return w.str();
    }
  }
  return "[]";
}

struct ToolCallOut {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text
};

// Counts a request as in flight until the response holding it is written or dropped.
std::shared_ptr<void> in_flight_guard(const std::shared_ptr<std::atomic<std::int64_t>>& counter) {
  ++*counter;
  return std::shared_ptr<void>(nullptr, [counter](void*) { --*counter; });
}


}  // namespace

struct Simulator::Answer {
  std::string id;
  std::string model;  // as requested
  std::int64_t created = 0;
  std::string reasoning;
  std::string content;
  std::vector<TokenId> reasoning_ids, content_ids;
  std::vector<ToolCallOut> calls;
  std::int64_t tool_tokens = 0;
  std::string finish = "stop";  // OpenAI finish_reason
  core::TokenUsage usage;
  bool thinking = false;
};

namespace {

using Scale = std::function<std::chrono::milliseconds(double)>;
using Answer = Simulator::Answer;

// The caller's key, for cache isolation between accounts.
std::string_view key_of(const net::Request& req) {
  std::string_view auth = req.header("authorization");
  return auth.empty() ? req.header("x-api-key") : auth;
}

void write_openai_usage(JsonWriter& w, const core::TokenUsage& u) {
  w.begin_object();
  w.key("prompt_tokens").value(u.prompt());
  w.key("completion_tokens").value(u.output);
  w.key("total_tokens").value(u.total());
  w.key("prompt_tokens_details").begin_object().key("cached_tokens").value(u.cache_hit).end_object();
  w.key("completion_tokens_details").begin_object().key("reasoning_tokens").value(u.reasoning).end_object();
  w.key("prompt_cache_hit_tokens").value(u.cache_hit);
  w.key("prompt_cache_miss_tokens").value(u.cache_miss);
  w.end_object();
}

constexpr const char* kFingerprint = "fp_ffsim_0001";

std::string format_openai(const Answer& a) {
  JsonWriter w(true);
  w.begin_object();
  w.key("id").value(a.id).key("object").value("chat.completion").key("created").value(a.created);
  w.key("model").value(a.model);
  w.key("choices").begin_array().begin_object();
  w.key("index").value(std::int64_t{0});
  w.key("message").begin_object();
  w.key("role").value("assistant");
  w.key("content").value(a.content);
  if (a.thinking) w.key("reasoning_content").value(a.reasoning);
  if (!a.calls.empty()) {
    w.key("tool_calls").begin_array();
    for (const ToolCallOut& c : a.calls) {
      w.begin_object().key("id").value(c.id).key("type").value("function");
      w.key("function").begin_object().key("name").value(c.name).key("arguments").value(c.arguments);
      w.end_object().end_object();
    }
    w.end_array();
  }
  w.end_object();
  w.key("logprobs").null();
  w.key("finish_reason").value(a.finish);
  w.end_object().end_array();
  w.key("usage");
  write_openai_usage(w, a.usage);
  w.key("system_fingerprint").value(kFingerprint);
  w.end_object();
  return w.str();
}

// The documented chunk sequence: role first, reasoning deltas, content deltas,
// tool-call deltas, the last chunk with finish_reason and usage, then [DONE].
std::vector<net::Chunk> stream_openai(const Answer& a, bool include_usage, double ms_per_token, const Scale& scaled,
                                      const tokenizer::BpeTokenizer& tok) {
  std::vector<net::Chunk> chunks;
  auto chunk = [&](std::chrono::milliseconds delay, const std::function<void(JsonWriter&)>& delta, const char* finish,
                   bool last) {
    JsonWriter w(true);
    w.begin_object();
    w.key("id").value(a.id).key("object").value("chat.completion.chunk").key("created").value(a.created);
    w.key("model").value(a.model).key("system_fingerprint").value(kFingerprint);
    w.key("choices").begin_array().begin_object();
    w.key("index").value(std::int64_t{0});
    w.key("delta").begin_object();
    delta(w);
    w.end_object();
    w.key("logprobs").null();
    w.key("finish_reason");
    if (finish != nullptr) {
      w.value(finish);
    } else {
      w.null();
    }
    w.end_object().end_array();
    if (last) {
      w.key("usage");
      write_openai_usage(w, a.usage);
    } else if (include_usage) {
      w.key("usage").null();
    }
    w.end_object();
    chunks.push_back({delay, "data: " + w.str() + "\n\n"});
  };
  chunk(
      std::chrono::milliseconds(0), [](JsonWriter& w) { w.key("role").value("assistant").key("content").value(""); },
      nullptr, false);
  auto deltas = [&](const std::vector<TokenId>& ids, const char* field) {
    constexpr size_t kPerChunk = 4;  // a few tokens per event, cut on token boundaries
    for (size_t i = 0; i < ids.size(); i += kPerChunk) {
      const size_t n = std::min(kPerChunk, ids.size() - i);
      const std::string piece = *tok.decode(std::span<const TokenId>(ids.data() + i, n));
      chunk(
          scaled(ms_per_token * static_cast<double>(n)), [&](JsonWriter& w) { w.key(field).value(piece); }, nullptr,
          false);
    }
  };
  deltas(a.reasoning_ids, "reasoning_content");
  deltas(a.content_ids, "content");
  for (size_t i = 0; i < a.calls.size(); ++i) {
    chunk(
        scaled(ms_per_token * static_cast<double>(a.tool_tokens)),
        [&](JsonWriter& w) {
          w.key("tool_calls").begin_array().begin_object();
          w.key("index")
              .value(static_cast<std::int64_t>(i))
              .key("id")
              .value(a.calls[i].id)
              .key("type")
              .value("function");
          w.key("function")
              .begin_object()
              .key("name")
              .value(a.calls[i].name)
              .key("arguments")
              .value(a.calls[i].arguments);
          w.end_object().end_object().end_array();
        },
        nullptr, false);
  }
  chunk(
      std::chrono::milliseconds(0), [](JsonWriter& w) { w.key("content").value("").key("role").null(); },
      a.finish.c_str(), true);
  chunks.push_back({std::chrono::milliseconds(0), "data: [DONE]\n\n"});
  return chunks;
}

const char* anthropic_stop(const std::string& finish) {
  if (finish == "length") return "max_tokens";
  if (finish == "tool_calls") return "tool_use";
  return "end_turn";
}

// Anthropic counts cache reads apart from input_tokens.
void write_anthropic_usage(JsonWriter& w, const core::TokenUsage& u, std::int64_t output) {
  w.begin_object();
  w.key("input_tokens").value(u.cache_miss);
  w.key("output_tokens").value(output);
  w.key("cache_creation_input_tokens").value(std::int64_t{0});
  w.key("cache_read_input_tokens").value(u.cache_hit);
  w.end_object();
}

std::string format_anthropic(const Answer& a) {
  JsonWriter w(true);
  w.begin_object();
  w.key("id").value("msg_" + a.id).key("type").value("message").key("role").value("assistant");
  w.key("model").value(a.model);
  w.key("content").begin_array();
  if (a.thinking) {
    w.begin_object().key("type").value("thinking").key("thinking").value(a.reasoning).key("signature").value("");
    w.end_object();
  }
  if (!a.content.empty() || a.calls.empty())
    w.begin_object().key("type").value("text").key("text").value(a.content).end_object();
  for (const ToolCallOut& c : a.calls) {
    w.begin_object().key("type").value("tool_use").key("id").value("toolu_" + c.id).key("name").value(c.name);
    w.key("input").number_text(c.arguments);  // already JSON
    w.end_object();
  }
  w.end_array();
  w.key("stop_reason").value(anthropic_stop(a.finish)).key("stop_sequence").null();
  w.key("usage");
  write_anthropic_usage(w, a.usage, a.usage.output);
  w.end_object();
  return w.str();
}

// message_start, one content block per part (start, deltas, stop), message_delta
// with the stop reason and output tokens, message_stop.
std::vector<net::Chunk> stream_anthropic(const Answer& a, double ms_per_token, const Scale& scaled,
                                         const tokenizer::BpeTokenizer& tok) {
  std::vector<net::Chunk> chunks;
  auto event = [&](std::chrono::milliseconds delay, const char* type, const std::function<void(JsonWriter&)>& body) {
    JsonWriter w(true);
    w.begin_object().key("type").value(type);
    body(w);
    w.end_object();
    chunks.push_back({delay, fmt::format("event: {}\ndata: {}\n\n", type, w.str())});
  };
  event(std::chrono::milliseconds(0), "message_start", [&](JsonWriter& w) {
    w.key("message").begin_object();
    w.key("id").value("msg_" + a.id).key("type").value("message").key("role").value("assistant");
    w.key("model").value(a.model).key("content").begin_array().end_array();
    w.key("stop_reason").null().key("stop_sequence").null();
    w.key("usage");
    write_anthropic_usage(w, a.usage, 0);
    w.end_object();
  });
  std::int64_t index = 0;
  auto block = [&](const char* type, const char* field, const char* delta_type, const std::vector<TokenId>& ids) {
    event(std::chrono::milliseconds(0), "content_block_start", [&](JsonWriter& w) {
      w.key("index").value(index).key("content_block").begin_object().key("type").value(type).key(field).value("");
      w.end_object();
    });
    constexpr size_t kPerChunk = 4;
    for (size_t i = 0; i < ids.size(); i += kPerChunk) {
      const size_t n = std::min(kPerChunk, ids.size() - i);
      const std::string piece = *tok.decode(std::span<const TokenId>(ids.data() + i, n));
      event(scaled(ms_per_token * static_cast<double>(n)), "content_block_delta", [&](JsonWriter& w) {
        w.key("index").value(index).key("delta").begin_object().key("type").value(delta_type).key(field).value(piece);
        w.end_object();
      });
    }
    event(std::chrono::milliseconds(0), "content_block_stop", [&](JsonWriter& w) { w.key("index").value(index); });
    ++index;
  };
  if (a.thinking) block("thinking", "thinking", "thinking_delta", a.reasoning_ids);
  if (!a.content_ids.empty() || a.calls.empty()) block("text", "text", "text_delta", a.content_ids);
  for (const ToolCallOut& c : a.calls) {
    event(std::chrono::milliseconds(0), "content_block_start", [&](JsonWriter& w) {
      w.key("index").value(index).key("content_block").begin_object().key("type").value("tool_use");
      w.key("id").value("toolu_" + c.id).key("name").value(c.name).key("input").begin_object().end_object();
      w.end_object();
    });
    event(scaled(ms_per_token * static_cast<double>(a.tool_tokens)), "content_block_delta", [&](JsonWriter& w) {
      w.key("index").value(index).key("delta").begin_object().key("type").value("input_json_delta");
      w.key("partial_json").value(c.arguments).end_object();
    });
    event(std::chrono::milliseconds(0), "content_block_stop", [&](JsonWriter& w) { w.key("index").value(index); });
    ++index;
  }
  event(std::chrono::milliseconds(0), "message_delta", [&](JsonWriter& w) {
    w.key("delta").begin_object().key("stop_reason").value(anthropic_stop(a.finish)).key("stop_sequence").null();
    w.end_object();
    w.key("usage").begin_object().key("output_tokens").value(a.usage.output).end_object();
  });
  event(std::chrono::milliseconds(0), "message_stop", [](JsonWriter&) {});
  return chunks;
}

// The Responses API's usage: input_tokens include the cached ones.
void write_responses_usage(JsonWriter& w, const core::TokenUsage& u) {
  w.begin_object();
  w.key("input_tokens").value(u.prompt());
  w.key("input_tokens_details").begin_object().key("cached_tokens").value(u.cache_hit).end_object();
  w.key("output_tokens").value(u.output);
  w.key("output_tokens_details").begin_object().key("reasoning_tokens").value(u.reasoning).end_object();
  w.key("total_tokens").value(u.total());
  w.end_object();
}

// A Response object: a reasoning item (thinking mode), a message, function calls.
// An answer cut by max_output_tokens is `incomplete`.
std::string format_responses(const Answer& a, const ChatRequest& r) {
  std::string id = a.id;
  id.erase(std::remove(id.begin(), id.end(), '-'), id.end());
  const bool cut = a.finish == "length";
  JsonWriter w(true);
  w.begin_object();
  w.key("id").value("resp_" + id).key("object").value("response").key("created_at").value(a.created);
  w.key("status").value(cut ? "incomplete" : "completed").key("error").null();
  w.key("incomplete_details");
  if (cut) {
    w.begin_object().key("reason").value("max_output_tokens").end_object();
  } else {
    w.null();
  }
  w.key("model").value(a.model);
  w.key("output").begin_array();
  if (a.thinking) {
    w.begin_object().key("id").value("rs_" + id).key("type").value("reasoning");
    w.key("summary").begin_array().end_array();
    w.key("content").begin_array().begin_object().key("type").value("reasoning_text").key("text").value(a.reasoning);
    w.end_object().end_array().end_object();
  }
  if (!a.content.empty() || a.calls.empty()) {
    w.begin_object().key("id").value("msg_" + id).key("type").value("message").key("role").value("assistant");
    w.key("status").value(cut ? "incomplete" : "completed");
    w.key("content").begin_array().begin_object().key("type").value("output_text").key("text").value(a.content);
    w.key("annotations").begin_array().end_array().end_object().end_array().end_object();
  }
  for (const ToolCallOut& c : a.calls) {
    w.begin_object().key("id").value("fc_" + c.id).key("type").value("function_call").key("call_id").value(c.id);
    w.key("name").value(c.name).key("arguments").value(c.arguments).key("status").value("completed").end_object();
  }
  w.end_array();
  w.key("parallel_tool_calls").value(true).key("store").value(false);
  w.key("max_output_tokens");
  if (r.max_tokens_given) {
    w.value(r.max_tokens);
  } else {
    w.null();
  }
  w.key("reasoning").begin_object().key("effort").value(r.thinking ? std::string_view(r.effort) : "none").end_object();
  w.key("text").begin_object().key("format").begin_object().key("type").value(r.json_mode ? "json_object" : "text");
  w.end_object().end_object();
  w.key("usage");
  write_responses_usage(w, a.usage);
  w.end_object();
  return w.str();
}

// The events of the whole Response (wire::response_events), its texts cut into a
// few tokens per delta, each delta after the time its tokens take.
std::vector<net::Chunk> stream_responses(const Answer& a, const ChatRequest& r, double ms_per_token,
                                         const Scale& scaled, const tokenizer::BpeTokenizer& tok) {
  const std::string whole = format_responses(a, r);
  dom::parser parser;
  dom::element root;
  if (parser.parse(whole).get(root)) return {};  // cannot happen: JsonWriter writes valid JSON
  auto split = [&](std::string_view text) {
    constexpr size_t kPerChunk = 4;
    const std::vector<TokenId> ids = tok.encode(text);
    std::vector<std::string> pieces;
    std::string carry;  // the bytes of a character cut between two groups of tokens go with the later one
    for (size_t i = 0; i < ids.size(); i += kPerChunk) {
      std::string piece = carry + *tok.decode(std::span<const TokenId>(ids.data() + i, std::min(kPerChunk, ids.size() - i)));
      size_t keep = piece.size();
      for (int k = 0; k < 4 && keep > 0 && !tokenizer::is_valid_utf8(std::string_view(piece).substr(0, keep)); ++k) --keep;
      if (!tokenizer::is_valid_utf8(std::string_view(piece).substr(0, keep))) keep = piece.size();
      carry = piece.substr(keep);
      piece.resize(keep);
      if (!piece.empty()) pieces.push_back(std::move(piece));
    }
    if (!carry.empty()) pieces.push_back(std::move(carry));
    return pieces;
  };
  std::vector<net::Chunk> chunks;
  for (wire::ResponseEvent& e : wire::response_events(root, split)) {
    const auto delay = e.delta.empty() ? std::chrono::milliseconds(0)
                                       : scaled(ms_per_token * static_cast<double>(tok.count(e.delta)));
    chunks.push_back({delay, std::move(e.sse)});
  }
  return chunks;
}

}  // namespace

Simulator::Simulator(const pricing::PriceBook& book, const tokenizer::BpeTokenizer& tokenizer,
                     const sim::QualityModel& quality, SimOptions options, const core::Clock& clock)
    : book_(book),
      tokenizer_(tokenizer),
      quality_(quality),
      options_(std::move(options)),
      clock_(clock),
      cache_(options_.cache),
      sentences_(make_bank(tokenizer, kSentences, std::size(kSentences))),
      thoughts_(make_bank(tokenizer, kThoughts, std::size(kThoughts))),
      ids_(TemplateIds::of(tokenizer)),
      balance_(options_.balance),
      flash_in_flight_(std::make_shared<std::atomic<std::int64_t>>(0)),
      pro_in_flight_(std::make_shared<std::atomic<std::int64_t>>(0)) {}

core::Timestamp Simulator::now() const { return options_.date.value_or(clock_.now()); }

std::optional<core::Money> Simulator::balance() const {
  std::lock_guard<std::mutex> lock(mu_);
  return balance_;
}

std::int64_t Simulator::in_flight(core::Tier tier) const {
  return (tier == core::Tier::kPro ? *pro_in_flight_ : *flash_in_flight_).load();
}

net::Response Simulator::error(Protocol protocol, const ApiError& e) const {
  return net::Response::json(e.status, wire::error_body(protocol, e.status, e.message, e.type, e.code));
}

std::string Simulator::metrics_text() const {
  std::string out =
      "# HELP flashfirst_sim_chat_requests_total Chat requests the simulator was asked.\n"
      "# TYPE flashfirst_sim_chat_requests_total counter\n";
  out += fmt::format("flashfirst_sim_chat_requests_total {}\n", chat_requests_.load());
  out +=
      "# HELP flashfirst_sim_faults_total Faults the simulator made, drawn by rate or forced by x-sim-fault.\n"
      "# TYPE flashfirst_sim_faults_total counter\n";
  for (std::size_t i = 0; i < faults_made_.size(); ++i) {
    out += fmt::format("flashfirst_sim_faults_total{{kind=\"{}\"}} {}\n", kFaultKinds[i], faults_made_[i].load());
  }
  out +=
      "# HELP flashfirst_sim_concurrency_refusals_total Requests answered 429 for going over a concurrency limit.\n"
      "# TYPE flashfirst_sim_concurrency_refusals_total counter\n";
  out += fmt::format("flashfirst_sim_concurrency_refusals_total {}\n", concurrency_refusals_.load());
  return out;
}

net::Response Simulator::handle(const net::Request& req) {
  const std::string_view path = req.path();
  // Not part of the DeepSeek API: a liveness probe for scripts and orchestrators.
  if (path == "/healthz") return net::Response::json(200, R"({"status":"ok"})");
  if (path == "/metrics") {
    net::Response res;
    res.headers.emplace_back("content-type", "text/plain; version=0.0.4");
    res.body = metrics_text();
    return res;
  }
  const bool chat_path =
      path == "/chat/completions" || path == "/v1/chat/completions" || path == "/beta/chat/completions";
  const bool anthropic = path == "/anthropic/v1/messages";
  const bool responses = path == "/responses" || path == "/v1/responses";
  const bool known = chat_path || anthropic || responses || path == "/models" || path == "/v1/models" ||
                     path == "/user/balance";
  const Protocol protocol = anthropic   ? Protocol::kAnthropic
                            : responses ? Protocol::kResponses
                                        : Protocol::kOpenAi;
  if (!known)
    return error(protocol,
                 {404, fmt::format("no route for {} {}", req.method, path), "invalid_request_error", "not_found"});

  // Authorization: Bearer <key>; the Anthropic endpoint also takes x-api-key.
  std::string_view key;
  std::string_view auth = req.header("authorization");
  if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer ")) key = auth.substr(7);
  if (key.empty() && anthropic) key = req.header("x-api-key");
  const bool key_ok = !key.empty() && (options_.keys.empty() || std::find(options_.keys.begin(), options_.keys.end(),
                                                                          key) != options_.keys.end());
  if (!key_ok) {
    return error(protocol,
                 {401, "Authentication Fails, Your api key is invalid", "authentication_error", "invalid_api_key"});
  }
  if (chat_path || anthropic || responses) {
    if (req.method != "POST") return error(protocol, {405, "use POST", "invalid_request_error", "method_not_allowed"});
    return chat(req, protocol);
  }
  if (req.method != "GET") return error(protocol, {405, "use GET", "invalid_request_error", "method_not_allowed"});
  return path == "/user/balance" ? user_balance() : models();
}

net::Response Simulator::models() const {
  const core::Timestamp t = now();
  JsonWriter w(true);
  w.begin_object().key("object").value("list").key("data").begin_array();
  for (size_t i = 0; i < book_.models().size(); ++i) {
    const auto& m = book_.models()[i];
    pricing::QuoteResult q = book_.quote(m.id, t, "USD");
    if (!q.quote || q.quote->model != static_cast<int>(i)) continue;  // not served under its own name then
    w.begin_object().key("id").value(m.id).key("object").value("model").key("owned_by").value("deepseek").end_object();
  }
  w.end_array().end_object();
  return net::Response::json(200, w.str());
}

net::Response Simulator::user_balance() const {
  std::optional<core::Money> left = balance();
  JsonWriter w(true);
  w.begin_object();
  w.key("is_available").value(!left || left->femto() > 0);
  w.key("balance_infos").begin_array();
  if (left) {
    const std::string amount = left->to_fixed(2);
    w.begin_object();
    w.key("currency").value("USD");
    w.key("total_balance").value(amount);
    w.key("granted_balance").value("0.00");
    w.key("topped_up_balance").value(amount);
    w.end_object();
  }
  w.end_array().end_object();
  return net::Response::json(200, w.str());
}

net::Response Simulator::chat(const net::Request& req, Protocol protocol) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (balance_ && balance_->femto() <= 0) {
      return error(protocol, {402, "Insufficient Balance", "invalid_request_error", "insufficient_balance"});
    }
  }
  ParseResult parsed = protocol == Protocol::kOpenAi      ? parse_openai(req.body)
                       : protocol == Protocol::kResponses ? parse_responses(req.body)
                                                          : parse_anthropic(req.body);
  if (auto* e = std::get_if<ApiError>(&parsed)) return error(protocol, *e);
  ChatRequest& r = std::get<ChatRequest>(parsed);

  // --- model, as of the simulated date ---
  const core::Timestamp t = now();
  std::string model_id = r.model;
  if (protocol == Protocol::kAnthropic) {
    auto served = [&](core::Tier tier) {
      pricing::QuoteResult q = book_.quote_tier(tier, t, "USD");
      return q.quote ? book_.models()[q.quote->model].id : std::string();
    };
    model_id = anthropic_model_alias(r.model, served(core::Tier::kFlash), served(core::Tier::kPro));
  }
  pricing::QuoteResult quote = book_.quote(model_id, t, "USD");
  if (!quote.quote || model_id == "flash" || model_id == "pro") {  // tier names are the gateway's, not the API's
    if (quote.error == pricing::QuoteError::kRetired) {
      return error(protocol, {400, fmt::format("Model Not Exist: {}", book_.explain(quote.error, model_id, t, "USD")),
                              "invalid_request_error", "model_not_found"});
    }
    return error(protocol, {400, "Model Not Exist", "invalid_request_error", "model_not_found"});
  }
  const pricing::Model& billed = book_.models()[quote.quote->model];

  // --- faults, forced by header or drawn by rate ---
  const std::uint64_t body_hash = fnv(req.body);
  std::uint64_t repeat = 0;  // this body's earlier answers: a repeat is a fresh draw
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (seen_.size() >= kSeenCap) seen_.clear();
    repeat = seen_[body_hash]++;
  }
  Rng rng(mix(options_.seed ^ body_hash ^ (repeat == 0 ? 0 : mix(repeat))));
  const std::string_view forced = req.header("x-sim-fault");
  const FaultRates& f = options_.faults;
  ++chat_requests_;
  if (forced == "429" || (forced.empty() && rng.chance(f.rate_limited))) {
    ++faults_made_[0];
    return error(protocol, {429, "Rate Limit Reached", "rate_limit_error", "rate_limit_exceeded"});
  }
  if (forced == "500" || (forced.empty() && rng.chance(f.server_error))) {
    ++faults_made_[1];
    return error(protocol, {500, "Server Error", "server_error", "server_error"});
  }
  // "503-flash": overloaded only when Flash would answer (to test a gateway's fallback tier).
  if (forced == "503" || (forced == "503-flash" && billed.tier == core::Tier::kFlash) ||
      (forced.empty() && rng.chance(f.overloaded))) {
    ++faults_made_[2];
    return error(protocol, {503, "Server Overloaded", "server_error", "server_overloaded"});
  }
  const bool slow = forced == "slow" || (forced.empty() && rng.chance(f.slow_first_byte));
  const bool cut = r.stream && (forced == "cut" || (forced.empty() && rng.chance(f.stream_cut)));
  const bool malformed = r.stream && (forced == "malformed" || (forced.empty() && rng.chance(f.malformed_chunk)));
  faults_made_[3] += slow ? 1 : 0;
  faults_made_[4] += cut ? 1 : 0;
  faults_made_[5] += malformed ? 1 : 0;

  // --- concurrency: the documented per-account limits ---
  const bool pro_tier = billed.tier == core::Tier::kPro;
  const auto& counter = pro_tier ? pro_in_flight_ : flash_in_flight_;
  const std::int64_t limit = pro_tier ? options_.pro_concurrency : options_.flash_concurrency;
  if (counter->load() >= limit) {
    ++concurrency_refusals_;
    return error(protocol,
                 {429, fmt::format("Rate Limit Reached: more than {} concurrent {} requests", limit, billed.id),
                  "rate_limit_error", "rate_limit_exceeded"});
  }
  std::shared_ptr<void> hold = in_flight_guard(counter);

  // --- the prompt, rendered through the chat template into billed tokens ---
  std::vector<TokenId> prompt;
  prompt.push_back(ids_.begin_of_sentence);
  std::string system = r.system;
  if (!r.tools.empty()) {
    system += system.empty() ? "## Tools\n" : "\n\n## Tools\n";
    for (const ToolDef& tool : r.tools) system += fmt::format("{}: {}\n", tool.name, tool.schema_json);
  }
  tokenizer_.encode(system, prompt);
  bool tool_outputs_open = false;
  for (const Turn& turn : r.turns) {
    if (turn.role != Turn::Role::kTool && tool_outputs_open) {
      prompt.push_back(ids_.tool_outputs_end);
      tool_outputs_open = false;
    }
    if (turn.role == Turn::Role::kUser) {
      prompt.push_back(ids_.user);
      tokenizer_.encode(turn.text, prompt);
    } else if (turn.role == Turn::Role::kAssistant) {
      prompt.push_back(ids_.assistant);
      // Reasoning of turns that called tools stays in the context; other turns' is dropped.
      if (r.thinking && !turn.tool_calls.empty())
        tokenizer_.encode(fmt::format("<think>{}</think>", *turn.reasoning), prompt);
      tokenizer_.encode(turn.text, prompt);
      if (!turn.tool_calls.empty()) {
        prompt.push_back(ids_.tool_calls_begin);
        for (const ToolCallIn& c : turn.tool_calls) {
          prompt.push_back(ids_.tool_call_begin);
          tokenizer_.encode("function", prompt);
          prompt.push_back(ids_.tool_sep);
          tokenizer_.encode(fmt::format("{}\n```json\n{}\n```", c.name, c.arguments), prompt);
          prompt.push_back(ids_.tool_call_end);
        }
        prompt.push_back(ids_.tool_calls_end);
      }
      prompt.push_back(ids_.end_of_sentence);
    } else {
      if (!tool_outputs_open) {
        prompt.push_back(ids_.tool_outputs_begin);
        tool_outputs_open = true;
      }
      prompt.push_back(ids_.tool_output_begin);
      tokenizer_.encode(turn.text, prompt);
      prompt.push_back(ids_.tool_output_end);
    }
  }
  if (tool_outputs_open) prompt.push_back(ids_.tool_outputs_end);
  prompt.push_back(ids_.assistant);

  // --- the answer ---
  Answer a;
  a.model = r.model;
  a.created = t.unix_seconds;
  a.thinking = r.thinking;
  // A version-4 UUID: 8-4-4-4-12 hex digits.
  a.id.reserve(36);
  append_hex(a.id, rng.next() >> 32, 8);
  a.id += '-';
  append_hex(a.id, rng.next(), 4);
  a.id += "-4";
  append_hex(a.id, rng.next(), 3);
  a.id += "-a";
  append_hex(a.id, rng.next(), 3);
  a.id += '-';
  append_hex(a.id, rng.next(), 12);
  if (r.thinking)
    compose(thoughts_,
            rng.between(1, r.effort == "max"   ? 8
                           : r.effort == "low" ? 2
                                               : 4),
            rng, a.reasoning, a.reasoning_ids);
  bool content_ids_ready = false;
  // Whether this answer fails, from the quality prior of its tier, category and effort.
  const std::string category = r.category.empty() ? std::string(sim::QualityModel::kDefaultCategory) : r.category;
  const std::optional<double> fail_p =
      quality_.failure_probability(billed.tier, category, r.thinking ? std::string_view(r.effort) : "none");
  if (!fail_p) {
    std::string names;
    for (const auto& c : quality_.categories()) names += (names.empty() ? "" : ", ") + c.name;
    return error(protocol, {422, fmt::format("metadata.category '{}' is not one of: {}", category, names),
                            "invalid_request_error", "invalid_parameter"});
  }
  // Forced: "fail" fails any answer, "fail-flash" only a Flash one (to test a cascade).
  const bool forced_fail = forced == "fail" || (forced == "fail-flash" && billed.tier == core::Tier::kFlash);
  const bool fails = rng.chance(*fail_p) || forced_fail;
  // How a failure shows: in the answer's form, where a check can see it (cut,
  // empty, invalid JSON, tool arguments off the schema), with the category's
  // checkable share; otherwise as a wrong answer in good form. A forced failure
  // always shows.
  const bool shows = forced_fail || (fails && rng.chance(quality_.checkable_share(category).value_or(0)));
  bool cut_answer = false;  // a failure shown as an answer cut short

  const bool call_tool =
      !r.tools.empty() && r.tool_choice != "none" && (r.tool_choice != "auto" || rng.next() % 100 < 70);
  if (call_tool) {
    size_t pick = rng.next() % r.tools.size();
    for (size_t i = 0; i < r.tools.size(); ++i) {
      if (r.tool_choice == "named" && r.tools[i].name == r.forced_tool) pick = i;
    }
    JsonWriter args(true);
    dom::parser schema_parser;
    dom::element schema;
    const bool has_schema =
        !r.tools[pick].schema_json.empty() && !schema_parser.parse(r.tools[pick].schema_json).get(schema);
    std::string arguments;
    if (has_schema && shows) {
      arguments = broken_arguments(schema);
    } else if (has_schema) {
      sample_from_schema(args, schema, 0);
      arguments = args.str();
    } else {
      arguments = "{}";
    }
    a.calls.push_back({fmt::format("call_00_{:024x}", rng.next()), r.tools[pick].name, arguments});
    a.finish = "tool_calls";
  } else if (r.expected_answer) {
    a.content = fails ? wrong_answer(*r.expected_answer) : *r.expected_answer;
    if (r.json_mode) {
      JsonWriter j(true);
      j.begin_object().key("answer").value(a.content).end_object();
      a.content = j.str();
    }
  } else if (r.json_mode) {
    JsonWriter j(true);
    j.begin_object().key("answer").value(kSentences[rng.next() % std::size(kSentences)]);
    j.key("confidence").number_text(fmt::format("0.{}", rng.between(50, 99))).end_object();
    a.content = j.str();
    // A failing JSON answer that shows stops mid-object, which no JSON parser accepts.
    if (shows) a.content.resize(a.content.size() / 2);
  } else if (shows && r.max_tokens_given) {
    // A failing free-text answer under the client's own cap comes back empty (a
    // cut there would be the length the client asked for, not a failure).
    content_ids_ready = true;
  } else {
    compose(sentences_, rng.between(1, 6), rng, a.content, a.content_ids);
    content_ids_ready = true;
    // Without a cap of the client's, it runs into the model's own limit.
    cut_answer = shows;
  }

  // Token counts, with max_tokens cutting the reasoning first, then the answer.
  if (!content_ids_ready) a.content_ids = tokenizer_.encode(a.content);
  for (const ToolCallOut& c : a.calls) a.tool_tokens += tokenizer_.count(c.name) + tokenizer_.count(c.arguments) + 6;
  auto cut_to = [&](std::vector<TokenId>& ids, std::string& text, std::int64_t room) {
    if (static_cast<std::int64_t>(ids.size()) <= room) return false;
    ids.resize(static_cast<size_t>(std::max<std::int64_t>(room, 0)));
    // `ids` encode `text`, so the kept ids stand for a prefix of it.
    text.resize(*tokenizer_.decoded_size(ids));
    // A cut can split a character; the incomplete tail is not sent.
    while (!text.empty() && !tokenizer::is_valid_utf8(text)) text.pop_back();
    return true;
  };
  if (cut_answer) {
    // A failing free-text answer ends early with finish_reason "length".
    cut_to(a.content_ids, a.content, static_cast<std::int64_t>(a.content_ids.size()) / 2);
    a.finish = "length";
  }
  bool truncated = cut_to(a.reasoning_ids, a.reasoning, r.max_tokens);
  if (truncated) {
    a.content_ids.clear();
    a.content.clear();
  } else {
    truncated = cut_to(a.content_ids, a.content, r.max_tokens - static_cast<std::int64_t>(a.reasoning_ids.size())) ||
                static_cast<std::int64_t>(a.reasoning_ids.size() + a.content_ids.size()) + a.tool_tokens > r.max_tokens;
  }
  if (truncated) {
    a.calls.clear();
    a.tool_tokens = 0;
    a.finish = "length";
  }

  // --- cache and bill ---
  // Caches are isolated per account and user_id (documented), and per model:
  // one model's KV cache cannot serve another.
  std::string cache_user;
  cache_user.reserve(18 + billed.id.size() + r.user_id.size());
  append_hex(cache_user, fnv(key_of(req)), 16);
  cache_user.append("/").append(billed.id).append("/").append(r.user_id);
  std::vector<TokenId> produced;
  produced.reserve(a.reasoning_ids.size() + a.content_ids.size() + 1);
  produced.insert(produced.end(), a.reasoning_ids.begin(), a.reasoning_ids.end());
  produced.insert(produced.end(), a.content_ids.begin(), a.content_ids.end());
  produced.push_back(ids_.end_of_sentence);
  // In thinking mode `produced` holds this turn's reasoning, which the next turn
  // does not send back: the unit at the end of the output then never matches and
  // only the input's units help, as the API's guide implies.
  const std::int64_t hit = cache_.serve(cache_user, prompt, produced, t);
  a.usage.cache_hit = hit;
  a.usage.cache_miss = static_cast<std::int64_t>(prompt.size()) - hit;
  a.usage.reasoning = static_cast<std::int64_t>(a.reasoning_ids.size());
  a.usage.output = a.usage.reasoning + static_cast<std::int64_t>(a.content_ids.size()) + a.tool_tokens;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (balance_) *balance_ -= quote.quote->cost(a.usage);
  }

  // --- timing: first token, then tokens at the model's rate, scaled by --speed ---
  const ModelSpeed& speed = pro_tier ? options_.pro : options_.flash;
  const double effort_factor = r.thinking ? (r.effort == "max" ? 2.0 : r.effort == "low" ? 0.6 : 1.0) : 0.5;
  auto scaled = [&](double ms) {
    return options_.speed <= 0
               ? std::chrono::milliseconds(0)
               : std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms / options_.speed)));
  };
  std::chrono::milliseconds first_token = scaled(static_cast<double>(speed.first_token_ms) * effort_factor);
  if (slow) first_token += std::chrono::milliseconds(f.slow_first_byte_ms);
  const double ms_per_token = 1000.0 / speed.tokens_per_second;

  net::Response resp;
  std::vector<net::Chunk> chunks;
  if (!r.stream) {
    resp = net::Response::json(200, protocol == Protocol::kOpenAi      ? format_openai(a)
                                    : protocol == Protocol::kResponses ? format_responses(a, r)
                                                                       : format_anthropic(a));
    const auto total = first_token + scaled(ms_per_token * static_cast<double>(a.usage.output));
    if (total.count() > 0) {
      // The API sends blank lines while the answer is prepared; JSON parsers skip them.
      auto wait = total;
      while (wait > options_.keep_alive_interval) {
        chunks.push_back({options_.keep_alive_interval, "\n"});
        wait -= options_.keep_alive_interval;
      }
      chunks.push_back({wait, std::move(resp.body)});
      resp.stream = std::move(chunks);
    }
  } else {
    chunks = protocol == Protocol::kOpenAi      ? stream_openai(a, r.include_usage, ms_per_token, scaled, tokenizer_)
             : protocol == Protocol::kResponses ? stream_responses(a, r, ms_per_token, scaled, tokenizer_)
                                                : stream_anthropic(a, ms_per_token, scaled, tokenizer_);
    // Keep-alive comments while the first token is awaited.
    std::vector<net::Chunk> waiting;
    auto wait = first_token;
    while (wait > options_.keep_alive_interval) {
      waiting.push_back({options_.keep_alive_interval, ": keep-alive\n\n"});
      wait -= options_.keep_alive_interval;
    }
    chunks.front().delay = wait;
    chunks.insert(chunks.begin(), waiting.begin(), waiting.end());
    if (malformed) chunks[chunks.size() / 2].data = "data: {\"id\": \"broken\n\n";
    if (cut) {
      chunks.resize(chunks.size() / 2);
      resp.abort_after_stream = true;
    }
    resp.headers.emplace_back("content-type", "text/event-stream; charset=utf-8");
    resp.headers.emplace_back("cache-control", "no-cache");
    resp.stream = std::move(chunks);
  }
  resp.hold = std::move(hold);
  return resp;
}

}  // namespace ff::sim

namespace ff::sim {

Simulator::TemplateIds Simulator::TemplateIds::of(const tokenizer::BpeTokenizer& tok) {
  auto id = [&](const char* s) {
    auto found = tok.added_token_id(s);
    // The DeepSeek vocabulary has all of them; another vocabulary is a setup error.
    if (!found) throw std::runtime_error(fmt::format("the vocabulary lacks the chat template token {}", s));
    return *found;
  };
  return TemplateIds{id("<｜begin▁of▁sentence｜>"),  id("<｜end▁of▁sentence｜>"),  id("<｜User｜>"),
                     id("<｜Assistant｜>"),          id("<｜tool▁calls▁begin｜>"), id("<｜tool▁calls▁end｜>"),
                     id("<｜tool▁call▁begin｜>"),    id("<｜tool▁call▁end｜>"),    id("<｜tool▁sep｜>"),
                     id("<｜tool▁outputs▁begin｜>"), id("<｜tool▁outputs▁end｜>"), id("<｜tool▁output▁begin｜>"),
                     id("<｜tool▁output▁end｜>")};
}

}  // namespace ff::sim
