// The task categories the router decides between, and the classifier that
// puts a request's features into one of them.
//
// The classifier is a transparent scoring rule: every signal it uses adds a
// fixed weight to the categories it points to, the highest score wins, and the
// confidence is the winner's softmax share over all categories. The reason
// string names the signals that gave the winner its score. Deterministic, no
// state, safe to call from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/usage.h"

namespace ff::router {

struct Features;

enum class Category : std::uint8_t {
  kSummarization,
  kTranslation,
  kClassification,
  kStraightforwardQa,
  kRag,
  kStructuredContent,
  kCodingModerate,
  kMultiStepReasoning,
  kCodebaseDebugging,
  kAgentToolChaining,
  kLongCoherentOutput,
  kCount
};
inline constexpr std::size_t kCategoryCount = static_cast<std::size_t>(Category::kCount);

// "summarization", "straightforward_qa", … (the names quality.toml and the
// policy file use).
const char* category_name(Category c);
std::optional<Category> parse_category(std::string_view name);
// The tier the routing rule gives a category: Pro for multi-step reasoning,
// codebase debugging, agent tool chaining and long coherent output; Flash else.
core::Tier natural_tier(Category c);

struct Classification {
  Category category = Category::kStraightforwardQa;
  double confidence = 0;  // 0..1
  std::string reason;     // the deciding signals, e.g. "cue \"how many ways\" (competition_math)"
  std::array<double, kCategoryCount> scores{};
  // "How many ways" with nothing to count ("… to cook rice?"): the rules read a
  // question for ways of doing something, not a counting problem. Like a
  // specific Flash cue, the tier model may not overrule that on its words alone.
  bool uncounted_ways = false;
  // The category rests on the request's shape alone, no phrase that names the
  // task: labels offered for given items (a problem with answer options, "…
  // true, false, or uncertain?" after its statements, reads the same), or a
  // language named with a piece of code (so does a fault told about "our
  // PostgreSQL replica" and its "analytics queries"), a short text named in a
  // request to write, or code shown with no code task named (a snippet to fix and
  // a system's code beside its fault look alike to the rules). That is no
  // specific Flash cue, and the tier model may overrule it.
  bool shape_only = false;
  // A fault told about the sender's code or system (a bug named, a cause asked,
  // runtime trouble or a symptom, outside a task on a text): a code cue beside it
  // ("the websocket server in Python", "def report(request)") names the system
  // at fault, and is no specific Flash cue the tier model must not overrule.
  bool fault_told = false;
  // The turn asks nothing of its own (no question, no task, no writing, no ask)
  // after an earlier turn that named a task on a text and a short reply that
  // asked for the text ("Could you pull out the main points of this?" … "Sure,
  // send it over." … the text): it is that task's text, whatever its words say
  // ("access arrangements", "timetables"), and the router reads it as a
  // follow-up of the earlier turn (router.cc). After an answer, a turn without a
  // cue of asking may still ask ("Please rearrange the equations").
  bool text_for_earlier_task = false;
};

Classification classify(const Features& f);

}  // namespace ff::router
