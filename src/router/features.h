// Features: what the router knows about one chat request, extracted in a single
// pass over the raw request body.
//
// extract_features() accepts both wire formats the gateway serves (OpenAI Chat
// Completions and Anthropic Messages), as a body or as the request's ChatView.
// It keeps counts and flags only — no copy of any message text — so its cost
// is one JSON parse plus one scan of the text. Task cues are looked for in the instruction: the last user message
// (its first and last 1 KB when longer), with the system prompt and earlier user
// turns kept apart as context; structural signals (code, stack traces, file
// names, passage markers) are counted over all user and system text (over the
// first 128 KB and last 64 KB of a longer text).
//
// Thread-safe: each thread reuses its own JSON parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "router/cue_scanner.h"

namespace ff::tokenizer {
class Tokenizer;
}
namespace ff::wire {
class ChatView;
}
namespace simdjson::dom {
class element;
}

namespace ff::router {

struct Features {
  // Conversation structure.
  int messages = 0;
  int user_turns = 0;
  int assistant_turns = 0;
  int tools_defined = 0;
  int tool_call_turns = 0;      // assistant turns that call tools
  int tool_calls = 0;           // tool calls in those turns
  int tool_results = 0;         // tool results sent back
  bool json_mode = false;       // response_format json_object / json_schema
  std::int64_t max_tokens = 0;  // 0 when the request sets none

  // Sizes, in tokens as counted by the tokenizer the caller passes.
  std::int64_t input_tokens = 0;        // all message, system and tool-schema text
  std::int64_t instruction_tokens = 0;  // the last user message
  std::int64_t text_bytes = 0;

  // Content signals over user and system text.
  int code_fences = 0;      // ``` lines
  int code_lines = 0;       // lines that look like source code
  int stack_frames = 0;     // stack-trace frames and trace headers
  int files = 0;            // distinct source file names mentioned (capped at 64)
  int passage_markers = 0;  // "[1]", "Document 2:", "<doc>", "文档1" … at line starts
  int choices = 0;          // "A." / "B)" / "(C)" answer options at line starts
  int field_lines = 0;      // instruction lines led by a short label and a colon ("Kim: will do", "Where: Room 4")
  int given_bytes = 0;      // instruction text after its first blank line, when a lead comes before it (capped)
  // The lead's own clause separators and cues (each "proof of address" and kin
  // having taken back its proof), when a text is given after it (`given_bytes` >
  // 0; -1 and no cues otherwise): "Quick summary of this review:" is the task,
  // and the review's commas and verbs ("had to find a cash machine", "write it in
  // the accident book", a KPI pack's "churn") are its material.
  int lead_clauses = -1;
  CueHits lead_cues;
  int lead_numbers = 0;    // digit runs in the lead ("80% done after 4 weeks": a problem of its own)
  bool lead_question_mark = false;  // the lead holds a question mark
  int question_marks = 0;  // in the instruction
  int numbers = 0;         // digit runs in the instruction
  int years = 0;           // of them, four digits from 1800 to 2199 ("in 2023"): dates more than quantities
  int listed = 0;          // of them, after another with only ",", "+", "and" or money between ("12, 15 and 30")
  int math_symbols = 0;    // '^', '=', '<', '>', '≤', '≥', '√' and n! in the instruction
  int variables = 0;       // one-letter names next to an operator or in f(x) notation, in the instruction
  // A statement of the instruction gives each of several a different one, and two sentences or more follow it
  // ("four photographers each shot one event on a different day. Bo … Who shot what?"): a logic-grid puzzle's frame.
  bool one_each = false;
  int clauses = 0;     // clause separators (, ; ， ； 、) in the instruction
  int code_names = 0;  // camelCase, PascalCase and snake_case names in the instruction's prose (not in code)
  // Lists of options to choose among ("(P1, P2, P3)", "red, white or rosé", "yes/no") and texts of 3 to 300 bytes
  // in quotes on one line ('…', "…", «…», “…”, 「…」), in the instruction; counted only when no code, passages
  // or trace is given and either no cue names a task of another kind or tools are defined (where the classifier
  // reads them).
  int offered_labels = 0;
  int quoted_items = 0;
  int quoted_actions = 0;  // action cues inside those quoted items ("'App freezes when I upload a photo'")
  int quoted_bytes = 0;    // the longest quoted item, in bytes
  bool quoted_asks = false;  // a quoted item asks something: a question mark, a question or a quantity
  int list_items = 0;      // instruction lines led by "1.", "2)", "3、", "-", "*" or "•" and a space
  // Output the instruction asks for ("a 10,000-word report", "写一篇两万字"), in
  // estimated tokens; 0 when it names no length.
  std::int64_t requested_output_tokens = 0;
  // Of it, a length named in the instruction's first 48 bytes ("A 25-page report
  // on …", "Long-form explainer, 5,500 words …").
  std::int64_t leading_length_tokens = 0;
  std::string_view language = "en";  // en zh ja ko ru es de fr

  // What the tier model reads (router/tier_model.h): the instruction's first and
  // last 500 bytes, or all of it when shorter (at most 1,000 bytes, copied). The
  // router scores it only when the rules leave the request on Flash.
  std::vector<std::string> model_windows;

  // Each "proof of address", "do I need" and "executive summary," has taken back
  // one cue of the signal it shadows (kProof, kWriteVerb, kSummarize).
  CueHits cues;          // in the instruction
  CueHits context_cues;  // in the system prompt and earlier user turns

  // The index of the user message before the instruction (the conversation's
  // earlier turn), or -1 when the instruction is the first user message. The
  // router reads the conversation up to it when the new turn asks nothing of its
  // own (router.h).
  int earlier_user = -1;
  // The bytes of the assistant's text turn right before the instruction, or -1
  // when none comes right before it: a short one ("Sure, send it over.") asks for
  // the text the instruction then is.
  int reply_bytes = -1;
};

// Extracts the features of a request body. Errors (not JSON, not an object, no
// `messages` array, a field of the wrong type) come back as a message that names
// the field, e.g. "messages[2].content must be a string, an array of parts or null".
core::Result<Features> extract_features(std::string_view body, const tokenizer::Tokenizer& tokenizer);
// The same for a request already read (the gateway reads each request once,
// wire/chat_view.h); a view with a problem is that error. With `messages_end`,
// only the messages before that index are read: the conversation as it stood
// at an earlier turn.
core::Result<Features> extract_features(const wire::ChatView& view, const tokenizer::Tokenizer& tokenizer,
                                        std::size_t messages_end = static_cast<std::size_t>(-1));
// Not a parsed document (it would convert to the body's string_view, and throw).
core::Result<Features> extract_features(const simdjson::dom::element& root, const tokenizer::Tokenizer& tokenizer,
                                        std::size_t messages_end = static_cast<std::size_t>(-1)) = delete;

}  // namespace ff::router
