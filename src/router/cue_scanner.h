// CueScanner: finds the task cues of the router's lexicon in a text, in one pass.
//
// A cue is a short phrase in one of the supported languages ("summarize",
// "总结", "zusammenfassen", "how many ways", "race condition"…) that signals
// one kind of task. All cues are compiled once into one Aho–Corasick automaton
// over ASCII-lowercased bytes, so a scan costs one table lookup per byte however
// many cues there are. Latin-1 and Cyrillic capitals ("Écris", "Übersetze",
// "Напиши") are read in lower case too: a text that has one is scanned as a
// lower-cased copy. Latin-script cues match only at a word start (so "prove"
// does not fire inside "improve"); a cue written with a trailing '$' must also
// end at a word end, and one written with a leading '^' must not be the tail of
// a hyphenated word ("proof" is not a cue in "leak-proof").
//
// The lexicon lives in cues.cc. The scanner is immutable after construction and
// safe to share between threads; scan() keeps no state between calls.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ff::router {

// What a cue says about the request. The classifier weighs these.
enum class Signal : std::uint8_t {
  kSummarize,
  kTranslate,
  kClassify,
  kPassageRef,       // "based on the following passages", "according to the context"
  kStructured,       // write an email / outline / product description / cover letter
  kExtract,          // extract … into JSON / a table / fields
  kCodeTask,         // write a function, implement, refactor, unit test, SQL, regex
  kDebug,            // fix, bug, error, debug, why does … fail
  kProof,            // prove, show that, proof
  kNotProof,         // proof of address, proof for 45 minutes: the noun "proof" of a document or a dough
  kCompetitionMath,  // positive integers, probability that, remainder when, 多少种
  kMathWeak,         // smallest, consecutive, remainder, 余: mathematical, weak alone
  kJustify,          // justify, rigorous, show your reasoning: asks for a derivation
  kLogicPuzzle,      // knights and knaves, truth-teller, who owns the zebra
  kPlanning,         // schedule under constraints, itinerary with constraints, optimal plan
  kOptimise,         // maximise, minimise, 最大化: a best value to find (also planning cues)
  kQuantAnalysis,    // multi-hop quantitative analysis: NPV, CAGR, compare scenarios
  kConcurrency,      // race condition, deadlock, intermittent, thread-safety
  kIntermittent,     // sometimes, only when, once every: a bug that comes and goes
  kCodebase,         // across modules, several services, repository, call chain
  kSymptom,          // hangs, stops sending, now takes 3 hours, reste bloqué: a running system misbehaves
  kCauseAsk,         // why, what's happening, how do I fix it: asks for a cause or a fix
  kSystem,           // server, worker, query, pipeline, 服务器: a running system's parts
  kFirstPerson,      // our, my, we, notre, 我们: the sender's own system
  kAgentSteps,       // then…, for each…, after that…, and finally (dependent actions)
  kAction,           // get, create, send, refund, book…: one action a tool would do
  kLongForm,         // novel, book, full report, chapters
  kWriteVerb,        // write, draft, 写, escribe: the request is for a text
  kAskFor,           // give me a, put together, necesito: asks for something, maybe a text
  kWhole,            // complete, entire, in full, komplett: the whole of a text
  kList,             // a list of, lista de, 一覧: the whole of a list, not of a text
  kLengthUnit,       // words, pages, 字: the request may name a length
  kStepByStep,       // "step by step": on its own, not a reason for Pro
  kQuestion,         // what is, who, when, explain, define
  kCreative,         // story, poem, blog post
  kLangEs,
  kLangDe,
  kLangFr,
  kCountWays,     // how many ways, number of ways: a count asked for, or "ways to cook rice"
  kTech,          // Python, Kotlin, SQL, React, Dockerfile: a language or tool to program in
  kCodeArtifact,  // function, query, component, script: a piece of code
  kShortText,     // message, caption, speech, checklist, mensaje: a short text to write
  kQuantityAsk,   // how many, how long, wie viele, cuánto, 多少, 几辆: asks for a quantity
  kNotWrite,      // do I need, I need to: "I need" in a question or for an action, not a text asked for
  kRatio,         // twice, half of, a third, doppelt, la moitié, 两倍: a quantity told in words
  kNotSummarize,  // executive summary, resumen ejecutivo: a section of a text to write, not a summary asked for
  kEach,          // each, chacun, cada uno, 每: with kDifferent, maybe several given a different one each
  kDifferent,     // different, distinto, 不同
  kCompare,       // older than, taller than, jünger als: people ordered by a quantity
  kCodeLang,      // in python, 用java, pythonで, "def ": code's language named, or code itself; no task named
  kCount
};
inline constexpr std::size_t kSignalCount = static_cast<std::size_t>(Signal::kCount);

const char* signal_name(Signal s);

// The cues found, per signal. A cue counts once however often it occurs, so
// `count` is the number of different cues of a signal.
struct CueHits {
  // Cues a scanner may hold (the built-in lexicon has about 2,200; a test checks the bound).
  static constexpr std::size_t kMaxCues = 4096;
  std::array<std::uint16_t, kSignalCount> count{};
  // The first cue of each signal in reading order (texts in the order they were
  // scanned, then by position), a view of the lexicon, for the reason string.
  std::array<std::string_view, kSignalCount> first{};

  std::uint16_t operator[](Signal s) const { return count[static_cast<std::size_t>(s)]; }
  // A cue that starts `at` bytes into the text being scanned.
  void add(Signal s, std::size_t cue_index, std::string_view cue, std::size_t at);

 private:
  friend class CueScanner;
  std::bitset<kMaxCues> seen_;
  std::array<std::uint64_t, kSignalCount> first_at_{};  // where first[] starts, in reading order
  std::uint64_t scanned_ = 0;                           // bytes of the texts scanned before this one
};

class CueScanner {
 public:
  // The scanner over the built-in lexicon, built on first use.
  static const CueScanner& builtin();

  struct Cue {
    std::string_view text;  // lowercase, as written in the lexicon ('^' and '$' stripped)
    Signal signal;
    bool word_end = false;          // must end at a word end
    bool not_after_hyphen = false;  // must not follow "word-"
  };
  explicit CueScanner(const std::vector<Cue>& cues);

  // Adds the cues found in `text` to `hits`. A long text is scanned as four
  // stretches in lockstep (each overlapping the one before by the longest
  // cue, so no match is lost): the automaton step is one dependent load per
  // byte, and four independent chains run about as fast as one.
  void scan(std::string_view text, CueHits& hits) const;

  std::size_t state_count() const { return out_begin_.size() - 1; }

 private:
  static constexpr int kAlphabet = 256;
  std::vector<Cue> cues_;
  std::array<std::uint8_t, kAlphabet> class_{};  // byte -> column (case and whitespace folded)
  std::size_t classes_ = 1;
  // Row offset (state * classes_) + column -> (the next state's row offset << 1)
  // | (1 if that state ends a cue); failure links folded in. Offsets rather than
  // state numbers save a multiply per byte.
  std::vector<std::uint32_t> next_;
  std::vector<std::uint32_t> out_begin_;  // per state, into out_ (state count + 1 entries)
  std::vector<std::uint16_t> out_;        // cue indices that end at a state
  std::size_t longest_cue_ = 0;           // in bytes

  // Adds the cues that end at byte `end` (exclusive) in state entry `v`.
  void report(std::uint32_t v, const unsigned char* p, std::size_t n, std::size_t end, CueHits& hits) const;
};

// The built-in lexicon (cues.cc).
const std::vector<CueScanner::Cue>& builtin_cues();

}  // namespace ff::router
