#include "router/classifier.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "core/text.h"
#include "router/features.h"

namespace ff::router {

namespace {

constexpr const char* kNames[] = {
    "summarization",       "translation",     "classification",       "straightforward_qa", "rag",
    "structured_content",  "coding_moderate", "multi_step_reasoning", "codebase_debugging", "agent_tool_chaining",
    "long_coherent_output"};
static_assert(sizeof(kNames) / sizeof(kNames[0]) == kCategoryCount);

using C = Category;
using S = Signal;

// Collects the evidence for each category and what it was.
class Scorer {
 public:
  Scorer() { items_.reserve(8); }  // one allocation: a request has a few items, not one list per category
  void add(C c, double w, std::string why) {
    score_[static_cast<std::size_t>(c)] += w;
    items_.push_back({c, w, std::move(why)});
  }
  double score(C c) const { return score_[static_cast<std::size_t>(c)]; }
  const std::array<double, kCategoryCount>& scores() const { return score_; }

  // The signals behind a category's score, strongest first (in the order they
  // were added among equals).
  std::string reason(C c) const {
    // Sorted by pointer: the texts are not copied. The list is reused (once per request).
    thread_local std::vector<const Item*> order;
    order.clear();
    std::size_t size = 0;
    for (const Item& item : items_) {
      if (item.category == c && item.weight > 0) {
        order.push_back(&item);
        size += item.why.size() + 2;
      }
    }
    if (order.empty()) return "no specific signal";
    // Strongest first, in the order added among equals: an insertion sort, stable
    // and with no buffer (std::stable_sort allocates one) for a handful of items.
    for (std::size_t i = 1; i < order.size(); ++i) {
      const Item* item = order[i];
      std::size_t j = i;
      for (; j > 0 && order[j - 1]->weight < item->weight; --j) order[j] = order[j - 1];
      order[j] = item;
    }
    std::string out;
    out.reserve(size);
    for (const Item* item : order) {
      if (item->why.empty()) continue;  // the floor every request gets names no signal
      if (!out.empty()) out += ", ";
      out += item->why;
    }
    return out.empty() ? "no specific signal" : out;
  }

 private:
  struct Item {
    C category;
    double weight;
    std::string why;
  };
  std::array<double, kCategoryCount> score_{};
  std::vector<Item> items_;
};

// `cue "summarize" (summarize)`: nearly every request has one, so by appends.
std::string cue(const CueHits& hits, S s) {
  const std::string_view found = hits.first[static_cast<std::size_t>(s)];
  const std::string_view name = signal_name(s);
  std::string out;
  out.reserve(found.size() + name.size() + 9);
  out.append("cue \"").append(found).append("\" (").append(name).append(")");
  return out;
}

}  // namespace

const char* category_name(Category c) { return kNames[static_cast<std::size_t>(c)]; }

std::optional<Category> parse_category(std::string_view name) {
  for (std::size_t i = 0; i < kCategoryCount; ++i) {
    if (name == kNames[i]) return static_cast<Category>(i);
  }
  return std::nullopt;
}

core::Tier natural_tier(Category c) {
  switch (c) {
    case C::kMultiStepReasoning:
    case C::kCodebaseDebugging:
    case C::kAgentToolChaining:
    case C::kLongCoherentOutput:
      return core::Tier::kPro;
    default:
      return core::Tier::kFlash;
  }
}

Classification classify(const Features& f) {
  Scorer sc;
  const CueHits& u = f.cues;
  const CueHits& ctx = f.context_cues;
  auto has = [&](S s) { return u[s] > 0; };
  auto names_text_task = [](const CueHits& h) {
    return h[S::kClassify] + h[S::kSummarize] + h[S::kTranslate] + h[S::kExtract] > 0;
  };
  // A text asked for: a writing verb, a format or a creative form.
  auto asks_text = [](const CueHits& h) { return h[S::kWriteVerb] + h[S::kStructured] + h[S::kCreative] > 0; };
  // A result to work out: analysis, competition, optimisation or derivation
  // cues, or two weak mathematical ones.
  auto works_out = [](const CueHits& h) {
    return h[S::kMathWeak] >= 2 || h[S::kCompetitionMath] + h[S::kQuantAnalysis] + h[S::kOptimise] + h[S::kJustify] > 0;
  };
  const CueHits& lead = f.lead_cues;  // empty when no text is given after a lead
  // Lines led by a label and a colon ("Kim: I'll add a cleanup job", "Where: Room
  // 4.12, next to the kitchen"): a thread, an invite or a form pasted to read.
  const bool pasted_form = f.field_lines >= 3;
  // A thread or form pasted as a later turn for an earlier turn's task on a text
  // ("Summarize this support thread" … "Customer: …\nAgent: please check the
  // batteries…"): the new turn is that task's text.
  const bool material_turn = pasted_form && f.earlier_user >= 0 && names_text_task(ctx);
  // A cue in the instruction counts fully; one only in the system prompt or an
  // earlier turn counts for less (system prompts describe many tasks at once),
  // but for the task on a text the turn pastes.
  auto cue_weight = [&](S s, C c, double w) {
    if (has(s)) {
      sc.add(c, w, cue(u, s));
    } else if (ctx[s] > 0) {
      const bool pasted_for =
          material_turn && (s == S::kClassify || s == S::kSummarize || s == S::kTranslate || s == S::kExtract);
      sc.add(c, pasted_for ? w : w * 0.4, (pasted_for ? "the earlier turn's " : "context ") + cue(ctx, s));
    }
  };

  // A text asked for: a verb of writing, unless each is an "I need" in a question
  // or before another verb ("do I need a doctor's note?", as "proof of address"
  // is no proof asked for; features.cc takes such cues back).
  const bool write_verb = has(S::kWriteVerb);

  // Every request could be a plain question; this is the floor the others must beat.
  sc.add(C::kStraightforwardQa, 1.0, "");
  if (has(S::kQuestion)) sc.add(C::kStraightforwardQa, 1.0, cue(u, S::kQuestion));
  if (f.question_marks > 0) sc.add(C::kStraightforwardQa, 0.5, "a question");
  // Lettered items with a label to give each ("Tag each bug report with its
  // component: A. … B. …") are items to label, not a question's options.
  if (f.choices >= 3 && !(has(S::kClassify) && has(S::kEach)))
    sc.add(C::kStraightforwardQa, 3.5, fmt::format("a multiple-choice question ({} options)", f.choices));
  // "Step by step" asks for shown work, not for a harder model.
  if (has(S::kStepByStep)) sc.add(C::kStraightforwardQa, 0.5, cue(u, S::kStepByStep));

  cue_weight(S::kSummarize, C::kSummarization, 3.5);
  if (has(S::kSummarize) && f.instruction_tokens > 300) sc.add(C::kSummarization, 1.0, "a long text to condense");
  cue_weight(S::kTranslate, C::kTranslation, 4.0);
  cue_weight(S::kClassify, C::kClassification, 3.5);

  // RAG: passages supplied with the question.
  if (f.passage_markers >= 2) sc.add(C::kRag, 2.5, fmt::format("{} passage markers", f.passage_markers));
  cue_weight(S::kPassageRef, C::kRag, 2.5);
  // One passage ("Context: …") counts when the system prompt says to answer from it.
  const bool pointed_passage = f.passage_markers == 1 && ctx[S::kPassageRef] > 0;
  if (pointed_passage) sc.add(C::kRag, 1.5, "a passage the system prompt points to");
  const bool passages = has(S::kPassageRef) || f.passage_markers >= 2 || pointed_passage;
  if (passages && (has(S::kQuestion) || f.question_marks > 0)) {
    sc.add(C::kRag, 1.0, "a question about them");
  }

  cue_weight(S::kStructured, C::kStructuredContent, 3.0);
  cue_weight(S::kExtract, C::kStructuredContent, 3.0);
  cue_weight(S::kCreative, C::kStructuredContent, 2.5);
  if (f.json_mode) sc.add(C::kStructuredContent, 1.5, "JSON output mode");

  // Coding of moderate size: one snippet, one function, one query. A code task
  // named ("write a function", "refactor", "regex") and a language named for
  // code ("in python", "def ") weigh the same, once.
  const bool code_cue = has(S::kCodeTask) || has(S::kCodeLang);
  cue_weight(has(S::kCodeTask) || (!has(S::kCodeLang) && ctx[S::kCodeTask] > 0) ? S::kCodeTask : S::kCodeLang,
             C::kCodingModerate, 3.0);
  const bool code = f.code_fences >= 2 || f.code_lines >= 3;
  if (code) sc.add(C::kCodingModerate, 2.0, fmt::format("code in the request ({} code lines)", f.code_lines));
  // A language or tool named with a piece of code ("a Rust function", "a React
  // component", "a Dockerfile for a Node app") or beside code: code to write or
  // explain, though no phrase says so. Not in a fault told ("our Django list
  // endpoints take 10x longer since the upgrade"), which names the system's
  // parts, nor beside a task for a text ("translate, and don't touch the code").
  const bool fault = has(S::kDebug) || has(S::kSymptom) || has(S::kConcurrency) || has(S::kIntermittent) ||
                     has(S::kCodebase) || has(S::kCauseAsk) || f.stack_frames > 0;
  // Work on given text: its content is the material, not the task.
  const bool text_task = names_text_task(u);
  // A text given after a lead that asks for a task on it ("Quick summary of this
  // review:"): the task is the lead's, and the text's commas, verbs and proofs
  // are its material. (After a lead that asks for nothing of the kind, the text
  // may be the steps themselves.)
  const bool material_given = text_task && f.lead_clauses >= 0;
  const bool named_code = !code_cue && has(S::kTech) && (has(S::kCodeArtifact) || code) && !fault && !text_task;
  if (named_code) {
    sc.add(C::kCodingModerate, 3.0,
           fmt::format("{} and {}", cue(u, S::kTech), has(S::kCodeArtifact) ? cue(u, S::kCodeArtifact) : "code"));
  }
  if (has(S::kDebug) && (code || code_cue)) sc.add(C::kCodingModerate, 1.5, cue(u, S::kDebug));

  const bool coding = code || code_cue || named_code;
  // A short text asked for by what it is ("write a birthday message", "make me a
  // packing list", "Schreib eine Einladung") or by its short length ("a 150-word
  // welcome post"): structured content, though no phrase of the lexicon names the
  // task. Not code, a fault, a task for a given text, a long text (unless a short
  // length is stated: "a 150-word blurb for my mystery novel" is about the
  // novel), a question about a text given ("I need to give how much notice?"),
  // nor a problem told in figures and asked ("Meredith writes a blog article in 4
  // hours … how many …?").
  const bool a_question = f.question_marks > 0;
  // A length of each part ("~1,300 words apiece", "500 words each") is no total.
  const bool short_length = f.requested_output_tokens > 0 && f.requested_output_tokens < 3000 && !has(S::kEach);
  const bool short_text = (write_verb || has(S::kAskFor)) && (has(S::kShortText) || short_length) && !coding &&
                          !fault && !text_task && !passages && !has(S::kStructured) && !has(S::kCreative) &&
                          (!has(S::kLongForm) || short_length) && f.requested_output_tokens < 3000 &&
                          !(a_question && (f.given_bytes >= 80 || f.numbers >= 3));
  if (short_text) {
    sc.add(C::kStructuredContent, 2.5,
           has(S::kShortText)
               ? fmt::format("a short text asked for ({})", cue(u, S::kShortText))
               : fmt::format("a short text asked for (about {} output tokens)", f.requested_output_tokens));
  }

  // A question asked about a text the request gives after a blank line, or about
  // a form or thread of labelled lines ("From the timetable below, which
  // platform…?\n\n14:52 RE 16 Leipzig – platform 7"): answered from that text.
  // Not beside a task of its own for the text (sort, summarize, translate,
  // extract, write, code), a fault to find, or a result to work out from its
  // figures (LABELLING.md's tie-break; told by the rules' mathematical cues, two
  // weak ones or one strong). A thread pasted as a later turn is the material of
  // the earlier one's task ("Summarize this chat" … "Ana: …?").
  // A text asked for is the lead's when a text is given after it: a handbook's
  // "write it in the accident book" is the handbook's.
  // A text quoted whole and asked about ("The dosing card says: 'Children 6-12:
  // one 5 ml spoon every 4-6 hours …' How many spoons max in a day?") is given
  // too, its figures looked up; not a problem quoted with its own question ("The
  // homework says: '… How long until it is full?'"), nor one of several items.
  const bool quoted_text = f.quoted_bytes >= 60 && !f.quoted_asks && f.quoted_items <= 2 && f.given_bytes == 0;
  const bool given = f.given_bytes >= 80 || (pasted_form && f.earlier_user < 0) || quoted_text;
  const bool text_asked = asks_text(f.given_bytes >= 80 ? lead : u);
  // Whether a result is to be worked out is the lead's to say when it asks
  // something of a text given after it ("From the KPI pack, what's the cash
  // runway?" is a lookup, whatever "churn" the pack mentions).
  // The lead asks something itself: a question mark, a question or a quantity, a
  // passage pointed to, a task on a text or a text to write.
  const bool lead_asks = f.lead_question_mark ||
                         lead[S::kQuestion] + lead[S::kQuantityAsk] + lead[S::kPassageRef] > 0 ||
                         names_text_task(lead) || asks_text(lead);
  const bool lead_decides = f.given_bytes >= 80 && lead_asks;
  // A lead that is a word problem itself ("…80% done after 4 weeks and 1.5 times
  // the size: how many more weeks?") works a result out of the text too.
  const CueHits& asked_cues = lead_decides ? lead : u;
  const bool work_out = works_out(asked_cues) || (lead_decides && lead[S::kQuantityAsk] > 0 && f.lead_numbers >= 3);
  const bool debug_asked = asked_cues[S::kDebug] > 0;
  const bool text_task_asked = names_text_task(asked_cues);
  const bool asked_of_given = given && !passages && (has(S::kQuestion) || f.question_marks > 0) && !text_task_asked &&
                              !coding && !text_asked && !debug_asked && !work_out;
  if (asked_of_given) sc.add(C::kRag, 3.0, "a question about the text it gives");
  // Answered from a text given after a lead that asks a question of it, whether
  // the lead points to it ("Using the manual below, what's the max…?") or not:
  // the text's mathematical words, symbols, figures and planning words are its
  // material, not a problem's.
  const bool from_text = asked_of_given || (passages && lead_decides && !work_out && !debug_asked && !coding &&
                                            !text_task_asked && !text_asked);

  // Multi-step reasoning chains. Mathematical words inside a coding task
  // describe the function to write ("given a positive integer n, return…"),
  // so they count for half there.
  const double math_factor = coding ? 0.5 : 1.0;
  // "Proof of address", "proof for 45 minutes" are the noun of a document or a
  // dough, and take back a proof cue each (features.cc). A proof is asked for by
  // the cues left, and not in a text given for a task of its own ("Summarize this
  // thread" … "did they approve the gold foil proof?").
  const int proofs = material_turn ? 0 : material_given ? lead[S::kProof] : u[S::kProof];
  if (proofs > 0) sc.add(C::kMultiStepReasoning, math_factor * 4.0, cue(u, S::kProof));
  // "How many ways" asks for a count when there is something to count: a
  // quantity or other mathematical words ("how many ways can 5 people sit…",
  // "in how many ways … a round table"); "how many ways are there to cook
  // rice?" asks for recipes.
  const bool counting =
      has(S::kCountWays) && (f.numbers >= 1 || has(S::kMathWeak) || has(S::kCompetitionMath) || has(S::kLogicPuzzle));
  const int competition = u[S::kCompetitionMath] + (counting ? u[S::kCountWays] : 0);
  if (competition > 0) {
    sc.add(C::kMultiStepReasoning, math_factor * (competition >= 2 ? 4.5 : 3.0),
           cue(u, counting ? S::kCountWays : S::kCompetitionMath));
  }
  if (has(S::kLogicPuzzle))
    sc.add(C::kMultiStepReasoning, math_factor * (u[S::kLogicPuzzle] >= 2 ? 4.5 : 3.0), cue(u, S::kLogicPuzzle));
  // Several given a different one each, and a question ("Four photographers each
  // shot one event on a different day … Bo worked the day after the wedding …
  // Who shot what, and when?"): a logic-grid puzzle, told in no word of one. Not
  // in code, a task on a text, or a text given to answer from.
  if (f.one_each && f.question_marks > 0 && !coding && !text_task && !passages && f.given_bytes == 0 &&
      !has(S::kLogicPuzzle)) {
    sc.add(C::kMultiStepReasoning, 3.0, "several given a different one each, and a question (a logic puzzle)");
  }
  // People compared in two different ways ("Tom is taller than Ann but shorter
  // than Raj. Sue is taller than Raj. Who is tallest?"): an ordering puzzle, told
  // in no word of one. One comparison is a question ("Is the Colosseum older than
  // the Pantheon?"). Not in code, a task on a text, or a text given to answer from.
  if (u[S::kCompare] >= 2 && !coding && !text_task && !passages && f.given_bytes == 0)
    sc.add(C::kMultiStepReasoning, 3.0,
           fmt::format("{} and another comparison (an ordering puzzle)", cue(u, S::kCompare)));
  // One planning word in a text given to answer from is its material ("plots are
  // allocated for a year" in a handbook asked about).
  if (has(S::kPlanning) && (u[S::kPlanning] >= 2 || !from_text))
    sc.add(C::kMultiStepReasoning, math_factor * (u[S::kPlanning] >= 2 ? 4.0 : 1.5), cue(u, S::kPlanning));
  // Analysis words ("overtake", "break-even", "NPV") make a problem only with
  // quantities to analyse: "if you overtake the second person" and "what is NPV?"
  // are a riddle and a definition.
  // Not the analysis words of a text given to a lead that asks something of it
  // (a KPI pack's "churn" to tabulate or answer from).
  if (asked_cues[S::kQuantAnalysis] > 0 && f.numbers >= 2)
    sc.add(C::kMultiStepReasoning, math_factor * 3.5, cue(u, S::kQuantAnalysis));
  // Weak mathematical words add up: one is ordinary prose, three are a problem.
  // Not those of a text given to answer a question from (a manual's "maximum" and
  // "minimum"), nor its symbols, figures and questions below.
  if (int m = u[S::kMathWeak]; m > 0 && !from_text) {
    sc.add(C::kMultiStepReasoning,
           math_factor * (m >= 3   ? 3.0
                          : m == 2 ? 2.0
                                   : 0.8),
           fmt::format("{} ({})", cue(u, S::kMathWeak), core::count_of(m, "mathematical cue")));
  }
  // Formulas, and problems stated with many numbers and a demand for a derivation.
  // Not in a line of code ("for (i = 0; i <= n; i++)"), fenced or not, nor in
  // passages given to answer from (their tables and equations are the material).
  if (f.math_symbols >= 2 && !coding && f.code_lines == 0 && !has(S::kDebug) && !passages && !from_text) {
    sc.add(C::kMultiStepReasoning, f.math_symbols >= 4 ? 2.0 : 1.0,
           fmt::format("{} mathematical symbols", f.math_symbols));
  }
  // Formulas over named quantities: "f(n)", "x + y = 7", "AB = 13".
  // Not in a multiple-choice question, whose options spell formulas out.
  if (f.variables >= 2 && !coding && !has(S::kDebug) && f.code_lines == 0 && f.choices < 3) {
    sc.add(C::kMultiStepReasoning, f.variables >= 4 ? 2.5 : 1.5,
           fmt::format("formulas over variables ({} uses)", f.variables));
  }
  // A quantitative problem asked in several questions ("What is the angle? And
  // when are the hands opposite?"): one calculation rarely needs two. Not a
  // list of questions to sort, summarize or translate, nor one over passages,
  // nor a thread or form pasted to read ("Ana: coach or train?\nLeo: coach,
  // it's 40 cheaper each"), whose questions and figures are its material.
  if (f.question_marks >= 2 && f.question_marks <= 3 && f.numbers >= 3 && !coding && f.choices < 3 &&
      f.passage_markers < 2 && !text_task && !pasted_form && !from_text) {
    sc.add(C::kMultiStepReasoning, 3.0,
           fmt::format("a problem with {} numbers in {} questions", f.numbers, f.question_marks));
  }
  // A problem told in figures and asked for a quantity ("A centre sells adult
  // tickets at 12 and child tickets at 7. 140 visitors paid 1,330. How many were
  // children?", "停车场里有汽车和摩托车共50辆……开走了几辆汽车？"): LABELLING.md's
  // word problem, several quantities that interact. A one-step calculation names
  // one or two ("What is 18% of 250?"). Not in code, nor over a text, a form or
  // passages given to answer from, before or after a blank line ("Document: …
  // \n\nQuestion: how many days can I carry over?"), whose figures are looked
  // up; nor in a task on a text or for one, nor a multiple-choice question.
  // Quantities told in words ("twice as many", "ein Drittel") are figures too, and
  // years are not: "How many people lived in Berlin in 1900, 1950 and 2000?" is
  // a lookup. Figures listed one after another are one quantity to total or
  // compare ("What is the total of 12, 15 and 30?" is one operation). A lead that
  // works a result out of a text after it ("With the report below: 80% done after
  // 4 weeks … how many more weeks?") is such a problem too, and so is one asked
  // without a question mark ("… if the foot slides out another 1m how far does
  // the top drop").
  const int figures = f.numbers - f.years - f.listed + u[S::kRatio];
  if (has(S::kQuantityAsk) && figures >= 3 && !coding && f.code_lines == 0 && !has(S::kDebug) && !passages &&
      !pasted_form && ((f.given_bytes == 0 && !quoted_text) || (lead_decides && work_out)) && !text_task &&
      !has(S::kStructured) && !has(S::kCreative) && f.choices < 3) {
    sc.add(C::kMultiStepReasoning, 3.5,
           fmt::format("a problem told in {} figures that asks for a quantity ({})", figures, cue(u, S::kQuantityAsk)));
  }
  // An optimisation problem: a best value to find ("maximise profit"), and the
  // quantities to find it from, told in clauses ("240 m of fence, …, a gate of 4
  // m"): not "maximize my 401k in 2026". Not a function to write, figures in
  // passages, nor a multiple-choice question ("Statement 2| … minimizing …").
  const bool quantities = f.numbers >= 3 || (f.numbers == 2 && f.clauses >= 2);
  if (has(S::kOptimise) && quantities && !coding && !passages && !text_task && f.choices < 3)
    sc.add(C::kMultiStepReasoning, 3.0, fmt::format("{} over {} quantities", cue(u, S::kOptimise), f.numbers));
  if (f.numbers >= 4 && (has(S::kJustify) || u[S::kPlanning] >= 2 || u[S::kMathWeak] >= 2) && !coding && !from_text) {
    sc.add(C::kMultiStepReasoning, 1.0, fmt::format("{} numbers in the problem", f.numbers));
  }
  if (has(S::kJustify)) {
    const bool problem = has(S::kMathWeak) || competition > 0 || has(S::kLogicPuzzle) || has(S::kPlanning);
    sc.add(C::kMultiStepReasoning, math_factor * (problem ? 1.5 : 0.5), cue(u, S::kJustify));
  }

  // Debugging across a codebase: traces through several files, concurrency,
  // cross-module behaviour. One snippet with a bug is moderate coding.
  if (f.stack_frames >= 3) sc.add(C::kCodebaseDebugging, 3.0, fmt::format("a stack trace ({} frames)", f.stack_frames));
  if (f.files >= 3) {
    sc.add(C::kCodebaseDebugging, 3.0, fmt::format("{} source files", f.files));
  } else if (f.files == 2 && (f.stack_frames >= 2 || has(S::kCodebase))) {
    sc.add(C::kCodebaseDebugging, 1.0, "2 source files");
  }
  // Words of runtime trouble ("exhausted", "root cause", "intermittent") in text
  // given to summarize, translate, sort or extract from are its material, as its
  // names from code are below: a postmortem to summarize is not a bug to find.
  // So are those in items quoted beside labels offered for them ("Tag these
  // tickets as billing, technical or account: … 'The app crashes when I open the
  // camera'"): a fault told in an item to label is the item's, not the sender's.
  const bool labelled_items = f.offered_labels > 0 && f.quoted_items >= 2;
  const bool runtime_words = !text_task && !labelled_items;
  if (runtime_words && has(S::kConcurrency) && (code || has(S::kDebug) || f.stack_frames > 0 || f.files >= 2)) {
    // Shown in code, runtime trouble outweighs the snippet's own evidence (a coding
    // cue 3 and code 2): a leak or a race in code is a fault to find, not code to fix.
    sc.add(C::kCodebaseDebugging, code ? 5.5 : 4.0, cue(u, S::kConcurrency));
  }
  // A running system's symptom shown with its code ("our service has latency
  // spikes every few minutes", "drains the battery", "stops making progress"):
  // runtime behaviour, a fault to find (LABELLING.md), as runtime trouble is.
  // The sender's own system or its parts, not a task on a text.
  if (runtime_words && code && has(S::kSymptom) && (has(S::kFirstPerson) || has(S::kSystem))) {
    sc.add(C::kCodebaseDebugging, 5.5, fmt::format("{} in code shown", cue(u, S::kSymptom)));
  } else if (runtime_words && code && (!code_cue || has(S::kCauseAsk)) && has(S::kIntermittent) &&
             (has(S::kFirstPerson) || has(S::kSystem))) {
    // A fault that comes and goes in the running system whose code is shown
    // ("the reservation service sometimes gives one copy to two readers"): an
    // intermittent failure, LABELLING.md's runtime behaviour. Not in a function
    // to write ("numbers … randomly ordered" in its docstring), unless its cause
    // is asked ("sometimes charges twice … why the doubles?" beside a `def`).
    sc.add(C::kCodebaseDebugging, 5.5, fmt::format("{} in code shown", cue(u, S::kIntermittent)));
  }
  const bool spread = f.files >= 2 || f.stack_frames >= 2 || u[S::kCodebase] >= 2;
  // "Sometimes" next to a system's parts (services, a deploy, production) is a
  // bug across them, described or shown.
  if (runtime_words && has(S::kIntermittent) && (spread || has(S::kCodebase))) {
    sc.add(C::kCodebaseDebugging, 2.5, cue(u, S::kIntermittent));
  }
  if (runtime_words && has(S::kCodebase) && (code || has(S::kDebug) || f.files >= 2 || has(S::kIntermittent))) {
    sc.add(C::kCodebaseDebugging, spread ? 2.0 : 1.0, cue(u, S::kCodebase));
  }
  // A problem told in the names of a system's classes and functions
  // ("UserProfileSerializer", "get_queryset"), without the code itself.
  // Not in text to sort or summarize (a bug report to label names code too).
  if (f.code_names >= 3 && !code && !text_task &&
      (has(S::kDebug) || has(S::kIntermittent) || has(S::kConcurrency) || has(S::kCodebase))) {
    sc.add(C::kCodebaseDebugging, 3.0, fmt::format("{} names from the code in the description", f.code_names));
  }
  // A fault told in prose, without code or a trace: the sender's own running
  // system ("our", "my", "notre", "我们"), a symptom of it ("stops sending", "now
  // takes 3 hours", "reste bloqué"), runtime trouble ("OOM killer", "deadlock")
  // or a fault that comes and goes ("ogni tanto", "sometimes"), and a question for
  // its cause or fix. Not a question about how things work ("How do I check CPU
  // usage?", "What causes latency spikes?"), nor words of runtime trouble alone
  // ("What does 'deadlock' mean?").
  // Its source files named ("the code is in cart.py and login.py") are its parts too.
  const bool system = has(S::kSystem) || has(S::kCodebase) || has(S::kConcurrency) || f.code_names > 0 || f.files > 0;
  const S trouble = has(S::kSymptom) ? S::kSymptom : has(S::kConcurrency) ? S::kConcurrency : S::kIntermittent;
  // A fault that only comes and goes must be asked about: "email me only when my
  // backup script fails" asks for a setting, not a cause.
  const bool fault_asked = has(S::kCauseAsk) || (has(S::kDebug) && trouble != S::kIntermittent);
  if (runtime_words && !code && f.stack_frames == 0 && !passages && has(trouble) && has(S::kFirstPerson) &&
      fault_asked && system) {
    sc.add(C::kCodebaseDebugging, 4.0, cue(u, trouble));
  }
  if (sc.score(C::kCodebaseDebugging) > 0 && has(S::kDebug)) sc.add(C::kCodebaseDebugging, 1.5, cue(u, S::kDebug));

  // Agents: a conversation that has already taken dependent tool steps, or tools
  // and a task of several dependent actions. One tool and one question is not.
  // A step is one assistant turn of tool calls with its results: a call and its
  // result are one step, and so are parallel calls in one turn. After one step
  // the conversation keeps the tier its question earned (the new turn is that
  // step's result, no new evidence); a second step is a call made on the result
  // of the first, which is chaining.
  const int steps = std::max(f.tool_call_turns, f.tool_results > 0 ? 1 : 0);
  if (steps >= 2) {
    sc.add(C::kAgentToolChaining, 6.0 + std::min(steps, 6) * 0.5, fmt::format("{} dependent tool steps so far", steps));
  }
  // One tool beside text to label, summarize, translate or extract from is where
  // the result goes (`log_intent`): the task is the text's, and the labels'
  // names ("check_balance", "transfer") are no actions.
  const bool recording = text_task && f.tools_defined == 1;
  // A thread or form pasted as a later turn for an earlier turn's task on a text
  // (`material_turn`): its verbs are the material's, and no action is asked for.
  // Labels offered for quoted or listed items ("about a refund, a booking change
  // or a complaint? 'Hi, can we move…'"): the options and the items are the
  // material of a classification, not clauses of a task. A quoted item's verbs
  // are the item's ("'App freezes when I upload a photo'"), no actions asked for.
  const bool labels_for_items = f.offered_labels > 0 && (f.quoted_items >= 1 || f.list_items >= 2);
  // Nor a text given to answer a question from: an on-call policy's "escalate"
  // and "page" are its own (from_text).
  const int actions = material_turn                 ? 0
                      : material_given || from_text ? lead[S::kAction]
                                                    : u[S::kAction] - std::min<int>(f.quoted_actions, u[S::kAction]);
  const int steps_asked = material_turn ? 0 : material_given || from_text ? lead[S::kAgentSteps] : u[S::kAgentSteps];
  const int clauses = material_given ? f.lead_clauses : f.clauses;
  // A pasted form's commas and verbs are the material's: only actions asked for
  // outright make a task of several steps.
  if (f.tools_defined >= 1 && !recording &&
      (actions >= 3 || (actions >= 2 && (steps_asked > 0 || f.tools_defined >= 2)))) {
    // Three actions or more for several tools outweigh the formats they produce
    // ("read the contract, extract the terms, compare them and draft an email").
    sc.add(C::kAgentToolChaining, actions >= 3 && f.tools_defined >= 2 ? 6.5 : 5.0,
           fmt::format("{} and a task of {} actions ({})", core::count_of(f.tools_defined, "tool"), actions,
                       cue(u, S::kAction)));
  } else if (f.tools_defined >= 2 && !pasted_form && !labels_for_items && clauses >= 2 &&
             (actions >= 1 || steps_asked >= 1)) {
    // Several tools and a task told in several clauses, one an action.
    sc.add(C::kAgentToolChaining, 4.5,
           fmt::format("{} and a task in {} clauses ({})", core::count_of(f.tools_defined, "tool"), clauses + 1,
                       actions > 0 ? cue(u, S::kAction) : cue(u, S::kAgentSteps)));
  } else if (f.tools_defined >= 2 && !pasted_form && !labels_for_items && steps_asked >= 1) {
    // Several tools and dependent steps asked for; not labels for items, given
    // one by one ("For each email, billing, a bug or a feature? '…'").
    sc.add(C::kAgentToolChaining, steps_asked >= 2 ? 5.0 : 3.5,
           fmt::format("{} and a task of dependent steps ({})", core::count_of(f.tools_defined, "tool"),
                       cue(u, S::kAgentSteps)));
  }

  // Long coherent output: the length asked for, not max_tokens. A length
  // counts only in a request for a text ("reads 20 pages a day" asks for none).
  // A length next to "summarize" is the input's ("this 40-page report").
  // An everyday request for something ("give me a", "necesito") is one for a
  // text when it also names a long length or the whole of the text (not of a
  // list: "the complete list of Dickens novels").
  const bool asks_for_text =
      has(S::kAskFor) && (f.requested_output_tokens >= 3000 || (has(S::kWhole) && !has(S::kList)));
  // LABELLING.md's line: a text of more than about 5,000 words (1.33 tokens a
  // word), "a 6,000-word short story" included.
  constexpr std::int64_t kLongText = 6650;
  // So is a long length named at the head of a request that asks nothing else
  // ("A 25-page research report on four-day weeks…", "Long-form explainer, 5,500
  // words or more, on microplastics…"): a text asked for as a noun phrase.
  const bool length_leads =
      f.leading_length_tokens >= kLongText && f.question_marks == 0 && f.given_bytes == 0 && !text_task && !from_text;
  const bool writing = (write_verb || asks_for_text || length_leads || has(S::kCreative) || has(S::kStructured)) &&
                       (!has(S::kSummarize) || has(S::kLongForm));
  const std::int64_t asked = writing ? f.requested_output_tokens : 0;
  if (asked >= kLongText) {
    sc.add(C::kLongCoherentOutput, 6.0, fmt::format("asks for about {} output tokens", f.requested_output_tokens));
  } else if (asked >= 3000 && has(S::kLongForm)) {
    sc.add(C::kLongCoherentOutput, 2.0, fmt::format("asks for about {} output tokens", f.requested_output_tokens));
  }
  // A long form counts only in a request to write: "5 copies of a novel" and
  // "she took lessons" ask for no text, nor does a question about a handbook
  // given, nor a format alone ("a YAML file for two services, each with an image").
  const bool writing_text = write_verb || asks_for_text || has(S::kCreative);
  if (has(S::kLongForm) && writing_text && !from_text)
    sc.add(C::kLongCoherentOutput, u[S::kLongForm] >= 2 ? 3.5 : 2.0, cue(u, S::kLongForm));
  if (asked > 0 && asked < 3000) {
    // A stated short length is evidence against long output.
    sc.add(C::kLongCoherentOutput, -2.0, "");
  }

  // Labels offered for given items ("Which team, billing, technical or sales?
  // 'I was charged twice'"; "Rate each (P1, P2, P3): 1. … 2. …"): a
  // classification, though no word names one. Only where the request asks for no
  // other task and the rules found no harder one: options in a puzzle ("a
  // different pet (cat, dog, fish)") or a bug report are material, unless the
  // report is one of several quoted items to label (`labelled_items`).
  const bool items = f.quoted_items >= 1 || f.list_items >= 2 || f.given_bytes >= 20;
  const bool pro_evidence = sc.score(C::kMultiStepReasoning) > 0 || sc.score(C::kCodebaseDebugging) > 0 ||
                            sc.score(C::kAgentToolChaining) > 0 || sc.score(C::kLongCoherentOutput) > 0;
  const bool offered = f.offered_labels > 0 && items && !has(S::kClassify) && !text_task && !coding && !passages &&
                       (!has(S::kDebug) || labelled_items) && !has(S::kStructured) && !has(S::kCreative) &&
                       !write_verb && !pro_evidence;
  if (offered) sc.add(C::kClassification, 3.5, "labels offered for the items it gives");

  // The winner, and its softmax share as the confidence.
  const auto& s = sc.scores();
  std::size_t best = 0;
  for (std::size_t i = 1; i < kCategoryCount; ++i) {
    if (s[i] > s[best]) best = i;
  }
  // Most categories score the same (0): each distinct score's exp is taken once,
  // and the sum runs over the categories in order, as one exp per category would.
  std::array<double, kCategoryCount> distinct{}, term{};
  std::size_t known = 0;
  double denom = 0;
  for (double v : s) {
    std::size_t k = 0;
    while (k < known && distinct[k] != v) ++k;
    if (k == known) {
      distinct[k] = v;
      term[k] = std::exp(v - s[best]);
      ++known;
    }
    denom += term[k];
  }
  Classification out;
  out.uncounted_ways = has(S::kCountWays) && !counting;
  out.fault_told = fault && !text_task;
  // Its own verbs ("check them with Ms Ode") are the text's, as a pasted form's are.
  const bool asks_nothing = f.question_marks == 0 && !text_task &&
                            u[S::kQuestion] + u[S::kWriteVerb] + u[S::kAskFor] + u[S::kQuantityAsk] + u[S::kCauseAsk] +
                                    u[S::kDebug] + u[S::kCodeTask] + u[S::kCodeLang] ==
                                0;
  out.text_for_earlier_task =
      f.earlier_user >= 0 && names_text_task(ctx) && asks_nothing && f.reply_bytes >= 0 && f.reply_bytes <= 120;
  // A reading of the request's shape alone: labels offered for given items (not
  // for several quoted ones, which no problem's options look like), a
  // language named with a piece of code, a short text named in a request to write
  // (with no length stated: "a 150-word blurb" says what it is), or code shown
  // with no code task named. Code shown says what the request is about, not
  // what it asks: a snippet to fix, explain or extend is Flash work, and the
  // code of a system beside a fault it has is Pro work, often told in words no
  // cue knows ("every so often a user sees someone else's basket", "people still
  // see the old photo for hours", "now we get duplicate rows after a timeout":
  // split 55). A code task named ("Complete this Python function", "refactor"),
  // here or in an earlier turn, is a specific cue; a language named for code
  // ("in JavaScript", "def ") is not.
  const auto won = static_cast<Category>(best);
  out.shape_only = (offered && !labelled_items && won == C::kClassification) ||
                   (won == C::kCodingModerate && code && u[S::kCodeTask] + ctx[S::kCodeTask] == 0) ||
                   (won == C::kCodingModerate && !code && named_code && ctx[S::kCodeTask] + ctx[S::kCodeLang] == 0) ||
                   (short_text && !short_length && won == C::kStructuredContent && !has(S::kExtract) && !f.json_mode &&
                    ctx[S::kStructured] + ctx[S::kExtract] + ctx[S::kCreative] == 0);
  out.category = static_cast<Category>(best);
  out.confidence = 1.0 / denom;
  out.scores = s;
  out.reason = sc.reason(out.category);
  if (steps == 1 && out.category != C::kAgentToolChaining) {
    out.reason += out.reason.empty() ? "" : "; ";
    out.reason += "1 tool step so far (a call and its result): the conversation keeps its question's tier";
  }
  return out;
}

}  // namespace ff::router
