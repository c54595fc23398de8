#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>

#include "router/cue_scanner.h"
#include "router/evaluation.h"
#include "router/features.h"
#include "router/policy.h"
#include "router/router.h"
#include "router/tier_model.h"
#include "router/word_tokens.h"
#include "tokenizer/tokenizer.h"
#include "wire/chat_view.h"

namespace ff::router {
namespace {

using core::Tier;
// Texts for the tier model's windows (it reads a span of them).
using Texts = std::vector<std::string_view>;

// A request with one user message; `text` is a JSON string body (already escaped).
std::string ask(const std::string& text, const std::string& extra = "") {
  return R"({"model":"auto","messages":[{"role":"user","content":")" + text + "\"}]" + extra + "}";
}

// A "tools" field with a function of each name, for ask()'s `extra`.
std::string tools_named(std::initializer_list<std::string_view> names) {
  std::string out = R"(,"tools":[)";
  for (std::string_view n : names) {
    if (out.back() != '[') out += ',';
    out += R"({"type":"function","function":{"name":")" + std::string(n) + R"("}})";
  }
  return out + "]";
}

Features features(const std::string& body) {
  static const tokenizer::RatioEstimator ratio;
  auto f = extract_features(body, ratio);
  EXPECT_TRUE(f.ok()) << (f.ok() ? "" : f.error().message);
  return f.ok() ? *f : Features{};
}

// The router's decision for `body`, which must be readable.
Decision route_ok(const Router& router, const std::string& body) {
  auto d = router.route(body);
  EXPECT_TRUE(d.ok()) << body;
  return d.ok() ? *d : Decision{};
}

// Expects `body` routed to `category`, and so to that category's tier.
void expect_routed(const Router& router, const std::string& body, Category category) {
  const Decision d = route_ok(router, body);
  EXPECT_EQ(d.category, category) << body;
  EXPECT_EQ(d.tier, natural_tier(category)) << body;
}

Router default_router() {
  auto p = Policy::embedded();
  EXPECT_TRUE(p.ok());
  return Router(*p, std::make_shared<tokenizer::RatioEstimator>());
}

// ---------------------------------------------------------------- cue scanner

// A Latin-1 capital is read in lower case, as ASCII ones are: "Écris" is "écris",
// "ÜBERSETZE" is "übersetze". A text without one is scanned as it is.
TEST(CueScanner, ReadsLatin1CapitalsInLowerCase) {
  CueHits h;
  CueScanner::builtin().scan("Écris un guide complet. ÜBERSETZE ihn danach.", h);
  EXPECT_EQ(h[Signal::kWriteVerb], 1);
  EXPECT_EQ(h.first[static_cast<std::size_t>(Signal::kWriteVerb)], "écri");
  EXPECT_EQ(h[Signal::kTranslate], 1);
  EXPECT_EQ(h.first[static_cast<std::size_t>(Signal::kTranslate)], "übersetze");
  CueHits lower;
  CueScanner::builtin().scan("écris un guide complet. übersetze ihn danach.", lower);
  EXPECT_EQ(lower.count, h.count);
}

// So is a Cyrillic capital, in each of its three byte patterns: "Напиши" (Н is
// 0xD0 0x9D, н 0xD0 0xBD), "ПЕРЕВЕДИ" (Р is 0xD0 0xA0, р 0xD1 0x80) and Ё (0xD0
// 0x81, ё 0xD1 0x91), and a Latin-1 capital beside them.
TEST(CueScanner, ReadsCyrillicCapitalsInLowerCase) {
  CueHits h;
  CueScanner::builtin().scan("Напиши руководство. ПЕРЕВЕДИ ЕГО. Ёж. Écris.", h);
  EXPECT_EQ(h[Signal::kWriteVerb], 2);  // "напиши" and "écri"
  EXPECT_EQ(h.first[static_cast<std::size_t>(Signal::kWriteVerb)], "напиши");
  EXPECT_EQ(h[Signal::kTranslate], 1);
  EXPECT_EQ(h.first[static_cast<std::size_t>(Signal::kTranslate)], "переведи");
  CueHits lower;
  CueScanner::builtin().scan("напиши руководство. переведи его. ёж. écris.", lower);
  EXPECT_EQ(lower.count, h.count);
}

TEST(CueScanner, MatchesAtWordStartsOnly) {
  CueHits h;
  CueScanner::builtin().scan("We should improve the design.", h);
  EXPECT_EQ(h[Signal::kProof], 0);  // "prove " inside "improve "
  CueHits h2;
  CueScanner::builtin().scan("Prove that 7 is prime.", h2);
  EXPECT_EQ(h2[Signal::kProof], 2);  // "prove " and "prove that"
  EXPECT_EQ(h2.first[static_cast<std::size_t>(Signal::kProof)], "prove ");
}

TEST(CueScanner, PunctuationBeforeACueIsABoundaryAndCaseFolds) {
  CueHits h;
  CueScanner::builtin().scan("¿De cuántas formas se pueden ordenar?", h);
  EXPECT_EQ(h[Signal::kCompetitionMath], 1);
  CueHits h2;
  CueScanner::builtin().scan("SUMMARIZE\nthis", h2);
  EXPECT_EQ(h2[Signal::kSummarize], 1);
}

TEST(CueScanner, WordEndCuesAndDistinctCounting) {
  // "proof$" must end at a word end: "proofread" is not a proof.
  CueHits h;
  CueScanner::builtin().scan("Please proofread this. Proofread it again.", h);
  EXPECT_EQ(h[Signal::kProof], 0);
  EXPECT_EQ(h[Signal::kStructured], 1);  // "proofread" counts once however often it occurs
  // Chinese cues need no word boundaries.
  CueHits h3;
  CueScanner::builtin().scan("请总结一下", h3);
  EXPECT_EQ(h3[Signal::kSummarize], 1);
}

TEST(CueScanner, ACueMarkedWholeIsNotTheTailOfAHyphenatedWord) {
  // "^proof$": "leak-proof" and "future-proof" describe things; a proof asked for stays one.
  CueHits h;
  CueScanner::builtin().scan("A leak-proof lid, a future-proof design.", h);
  EXPECT_EQ(h[Signal::kProof], 0);
  CueHits h2;
  CueScanner::builtin().scan("Give a proof. Then a short -proof sketch.", h2);
  EXPECT_EQ(h2[Signal::kProof], 1);  // "proof" counted once; after "-" with no word before, it is a word start
}

// "check$" (an action a tool would do) must end at a word end, and a hyphen that
// goes on into a word is none: "a team check-in" names a meeting, "check-in" no
// action. A hyphen with nothing after it ends the word.
TEST(CueScanner, ACueMarkedToEndAWordIsNotTheHeadOfAHyphenatedWord) {
  CueHits h;
  CueScanner::builtin().scan("Draft an agenda for the weekly check-in.", h);
  EXPECT_EQ(h[Signal::kAction], 1);  // "draft" alone
  CueHits h2;
  CueScanner::builtin().scan("Check the stock, then check- and re-order.", h2);
  EXPECT_EQ(h2[Signal::kAction], 1);  // "check" (counted once), not "check-in"'s
  EXPECT_EQ(h2.first[static_cast<std::size_t>(Signal::kAction)], "check");
}

// Each cue's index marks it seen in a bitset of CueHits::kMaxCues; a lexicon
// past that bound writes outside it: from 3bfdffa the lexicon had 2,109 cues
// against 2,048, which the debug build's assertion caught and release builds
// did not (no decision on any labelled set changed when the bound was raised).
// A task's word used as a name in code is no cue: an assigned variable, the
// tail or head of a snake_case name, a member, a call. "Summarize this" holds one
// cue, and "if summary == None" one too (a comparison assigns nothing).
TEST(CueScanner, ATasksWordUsedAsANameInCodeIsNoCue) {
  for (std::string_view code : {"summary = compute(rows)", "x = build_summary(x)", "print(doc.summary)",
                                "out = translate(s)", "summary_text = ''", "label = classify(x)"}) {
    CueHits h;
    CueScanner::builtin().scan(code, h);
    EXPECT_EQ(h[Signal::kSummarize] + h[Signal::kTranslate] + h[Signal::kClassify], 0) << code;
  }
  for (std::string_view prose : {"Summarize this, please.", "if summary == None: why?"}) {
    CueHits h;
    CueScanner::builtin().scan(prose, h);
    EXPECT_EQ(h[Signal::kSummarize], 1) << prose;
  }
}

TEST(CueScanner, TheLexiconFitsTheSeenSet) { EXPECT_LE(builtin_cues().size(), CueHits::kMaxCues); }

TEST(CueScanner, NoCueIsListedTwiceForOneSignal) {
  // A repeated cue would count twice: one word would weigh as two.
  std::set<std::pair<std::string_view, Signal>> seen;
  for (const CueScanner::Cue& c : builtin_cues()) {
    EXPECT_TRUE(seen.emplace(c.text, c.signal).second) << "'" << c.text << "' (" << signal_name(c.signal) << ") twice";
  }
}

TEST(CueScanner, SmallLexiconCompilesToAnAutomaton) {
  CueScanner s({{"ab", Signal::kProof, false}, {"bc", Signal::kDebug, true}, {"abcd", Signal::kSummarize, false}});
  // States: root, a, ab, abc, abcd, b, bc = 7.
  EXPECT_EQ(s.state_count(), 7u);
  CueHits h;
  s.scan("abcd xab ab bcd", h);
  EXPECT_EQ(h[Signal::kProof], 1);      // "ab" at two word starts, counted once; not in "xab"
  EXPECT_EQ(h[Signal::kSummarize], 1);  // "abcd"
  // "bc" starts a word only in "bcd", where it does not end one.
  EXPECT_EQ(h[Signal::kDebug], 0);
}

TEST(CueScanner, ALongTextScannedInLanesLosesNoCueAndKeepsReadingOrder) {
  CueScanner s({{"wxyz", Signal::kProof, false},
                {"mnop", Signal::kDebug, false},
                {"qrst", Signal::kSummarize, false},
                {"efgh", Signal::kTranslate, false},
                {"early", Signal::kClassify, false},
                {"late", Signal::kClassify, false}});
  // 200 bytes: four lanes of 50, the lane boundaries at 50, 100 and 150. One
  // cue straddles each boundary, one ends the text; "early" (at 40, lane 0) is
  // found after "late" (at 103, near the start of lane 2) but comes first.
  std::string text(200, ' ');
  auto put = [&](std::size_t at, std::string_view cue) { text.replace(at, cue.size(), cue); };
  put(48, "wxyz");
  put(97, "mnop");
  put(148, "qrst");
  put(196, "efgh");
  put(40, "early");
  put(103, "late");
  CueHits h;
  s.scan(text, h);
  EXPECT_EQ(h[Signal::kProof], 1);
  EXPECT_EQ(h[Signal::kDebug], 1);
  EXPECT_EQ(h[Signal::kSummarize], 1);
  EXPECT_EQ(h[Signal::kTranslate], 1);
  EXPECT_EQ(h[Signal::kClassify], 2);
  EXPECT_EQ(h.first[static_cast<std::size_t>(Signal::kClassify)], "early");
  // A later text's cues come after all of this one's.
  s.scan("late", h);
  EXPECT_EQ(h.first[static_cast<std::size_t>(Signal::kClassify)], "early");
}

// ---------------------------------------------------------------- features

TEST(Features, CountsStructureAndTokens) {
  const std::string body = R"({"model":"auto","max_tokens":900,"response_format":{"type":"json_object"},
    "tools":[{"type":"function","function":{"name":"a"}},{"type":"function","function":{"name":"b"}}],
    "messages":[{"role":"system","content":"You are helpful."},
      {"role":"user","content":"Look it up."},
      {"role":"assistant","content":null,"tool_calls":[{"id":"1","type":"function","function":{"name":"a","arguments":"{}"}},
                                                     {"id":"2","type":"function","function":{"name":"b","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"1","content":"x"},
      {"role":"tool","tool_call_id":"2","content":"y"},
      {"role":"user","content":"Summarize this."}]})";
  Features f = features(body);
  EXPECT_EQ(f.messages, 6);
  EXPECT_EQ(f.user_turns, 2);
  EXPECT_EQ(f.assistant_turns, 1);
  EXPECT_EQ(f.tools_defined, 2);
  EXPECT_EQ(f.tool_call_turns, 1);
  EXPECT_EQ(f.tool_calls, 2);
  EXPECT_EQ(f.tool_results, 2);
  EXPECT_TRUE(f.json_mode);
  EXPECT_EQ(f.max_tokens, 900);
  // Ratio estimate, rounded up per text: "Summarize this." 15 chars -> 4.5 -> 5.
  EXPECT_EQ(f.instruction_tokens, 5);
  // + "You are helpful." 16 -> 5, "Look it up." 11 -> 4, two "{}" -> 1 each, "x" and "y" -> 1 each,
  // the tool schemas {"type":"function","function":{"name":"a"}} 43 chars -> 12.9 -> 13 each.
  EXPECT_EQ(f.input_tokens, 5 + 5 + 4 + 1 + 1 + 1 + 1 + 13 + 13);
  EXPECT_EQ(f.cues[Signal::kSummarize], 1);
  EXPECT_EQ(f.language, "en");
  EXPECT_EQ(f.earlier_user, 1);  // "Look it up.", messages[1]

  // The conversation as it stood at that turn: the system prompt and "Look it up.".
  static const tokenizer::RatioEstimator ratio;
  simdjson::dom::parser parser;
  auto e = extract_features(wire::ChatView(parser.parse(body).value(), wire::Protocol::kOpenAi), ratio, 2);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->messages, 2);
  EXPECT_EQ(e->user_turns, 1);
  EXPECT_EQ(e->tool_call_turns, 0);
  EXPECT_EQ(e->earlier_user, -1);
  EXPECT_EQ(e->instruction_tokens, 4);
  EXPECT_EQ(e->cues[Signal::kSummarize], 0);
}

TEST(Features, CodeTracesFilesAndPassages) {
  const std::string body =
      ask("Traceback (most recent call last):\\n  File \\\"app/main.py\\\", line 8, in run\\n  File \\\"app/db.py\\\", "
          "line 3, in get\\nKeyError: 1\\nSee app/main.py and lib/util.py.\\n```python\\nx = 1;\\n```\\n[1] "
          "first\\n[2] second");
  Features f = features(body);
  EXPECT_EQ(f.stack_frames, 3);  // the header and two File "...", line frames
  EXPECT_EQ(f.files, 3);         // main.py, db.py, util.py (main.py twice)
  EXPECT_EQ(f.code_fences, 2);
  EXPECT_EQ(f.code_lines, 1);  // "x = 1;"
  EXPECT_EQ(f.passage_markers, 2);
}

// An indented line under a code line that opens a block with a colon is code:
// "def on_paid(order):" and its three indented lines, "def send():" and its one
// (6). "x = None" at the margin is not; nor are the indented lines under a label
// ("Steps:") or a YAML key ("server:"), which no code line opened (0 and 0).
TEST(Features, IndentedLinesInAPythonBlockAreCode) {
  EXPECT_EQ(features(ask("Why?\\n\\nx = None\\n\\ndef on_paid(order):\\n    global x\\n    x = order\\n    "
                         "queue.put(send)\\n\\ndef send():\\n    mail(x.email)"))
                .code_lines,
            6);
  EXPECT_EQ(features(ask("Steps:\\n    open the app\\n    tap Settings")).code_lines, 0);
  EXPECT_EQ(features(ask("Convert to JSON:\\nserver:\\n  host: 0.0.0.0\\n  port: 8080")).code_lines, 0);
}

TEST(Features, FormulaNotationIsCountedAndProseIsNot) {
  // f( counts; "= n" counts; "n^" counts; "2 - 1" is between numbers, no name;
  // "x + y" and "y =" count: 5. Symbols = ^ =: 3. Numbers 2, 1, 7: 3.
  Features f = features(ask("Let f(n) = n^2 - 1 and x + y = 7."));
  EXPECT_EQ(f.variables, 5);
  EXPECT_EQ(f.math_symbols, 3);
  EXPECT_EQ(f.numbers, 3);
  // Compounds and languages are not formulas; "AB = 13" in geometry is.
  EXPECT_EQ(features(ask("Send an e-mail about C++ and/or it's x-ray (a) results.")).variables, 0);
  EXPECT_EQ(features(ask("Triangle ABC has AB = 13.")).variables, 1);
  // Next to CJK punctuation a letter stands alone: "a(" and "n+1" count; "2a(" does not.
  EXPECT_EQ(features(ask("已知数列 a1=1，a(n+1)=2a(n)+n")).variables, 2);
}

TEST(Features, ClausesAndNamesFromCode) {
  // Three commas; in Chinese "，", "；" and "、": three each time.
  EXPECT_EQ(
      features(ask("Pull the sales from the warehouse, build a chart, write a commentary, and email it.")).clauses, 3);
  EXPECT_EQ(features(ask("查一下订单，然后退款；最后发邮件、通知她。")).clauses, 3);
  // UserProfileSerializer, ReportsView, BaseOrgMixin (a lower-case letter then an
  // upper-case one), get_queryset and select_related (an underscore between
  // letters): 5. "N+1", "queries", "'org'" are not names from code.
  Features f =
      features(ask("UserProfileSerializer makes N+1 queries only from ReportsView; BaseOrgMixin calls "
                   "get_queryset() and select_related('org')."));
  EXPECT_EQ(f.code_names, 5);
  EXPECT_EQ(f.numbers, 1);
  // Names inside code are the code's, not a description's: not counted.
  EXPECT_EQ(features(ask("Why is this slow?\\n```python\\nuser_list = get_users()\\nfor userId in user_list:\\n    "
                         "load(userId)\\n```"))
                .code_names,
            0);
}

TEST(Features, RequestedLengthInManyNotations) {
  // words x1.33, palabras/mots x1.5, CJK characters x0.6, pages x650.
  EXPECT_EQ(features(ask("Write a 10,000-word report.")).requested_output_tokens, 13300);
  EXPECT_EQ(features(ask("Escribe una novela de 12.000 palabras.")).requested_output_tokens, 18000);
  EXPECT_EQ(features(ask("Écris un roman de 15 000 mots.")).requested_output_tokens, 22500);
  EXPECT_EQ(features(ask("写一部两万字的小说")).requested_output_tokens, 12000);
  // Ten thousands and thousands in one number, in simplified and traditional
  // characters: 15,000 and 20,000 characters at 0.6 tokens each, 30 pages at 650.
  EXPECT_EQ(features(ask("写一篇约一万五千字的报道")).requested_output_tokens, 9000);
  EXPECT_EQ(features(ask("請寫一篇約一萬五千字的長篇報導文學")).requested_output_tokens, 9000);
  EXPECT_EQ(features(ask("請寫一部約兩萬字的小說")).requested_output_tokens, 12000);
  EXPECT_EQ(features(ask("請寫一份30頁的報告")).requested_output_tokens, 19500);
  EXPECT_EQ(features(ask("写一篇1万5千字的报告")).requested_output_tokens, 9000);
  EXPECT_EQ(features(ask("Write 40 pages.")).requested_output_tokens, 26000);
  EXPECT_EQ(features(ask("Write 2.5k words.")).requested_output_tokens, 2660);  // 2k: the decimal is dropped
  EXPECT_EQ(features(ask("What is 2+2?")).requested_output_tokens, 0);
  // "At least": 8,000 words at 133 tokens per 100, 12 pages at 650 each.
  EXPECT_EQ(features(ask("Write a long-form guide (8k+ words) to self-hosting.")).requested_output_tokens, 10640);
  EXPECT_EQ(features(ask("Write a 12+ page report.")).requested_output_tokens, 7800);
  // A script's running time: 175 tokens a minute. A meeting's length names no text.
  EXPECT_EQ(features(ask("Write the complete script for a 60-minute radio drama.")).requested_output_tokens, 10500);
  EXPECT_EQ(features(ask("Write the full screenplay for a 2-hour film.")).requested_output_tokens, 21000);
  EXPECT_EQ(features(ask("Write up notes for this 45-minute meeting, about 300 words.")).requested_output_tokens, 399);
  // Sections x1000, modules x3000; "module" in code names no length.
  EXPECT_EQ(features(ask("Write a handbook in 15 sections.")).requested_output_tokens, 15000);
  EXPECT_EQ(features(ask("Create a 10-module course.")).requested_output_tokens, 30000);
  EXPECT_EQ(features(ask("Fix app/module_10.py and module_2")).requested_output_tokens, 0);
  // A unit is a whole word: 5 participants are not 5 parts; "a 4-part series" is 4 parts.
  EXPECT_EQ(features(ask("Write an email to 5 participants about the 3 parts.")).requested_output_tokens, 6000);
  EXPECT_EQ(features(ask("Write a 4-part series.")).requested_output_tokens, 8000);
}

TEST(Features, Languages) {
  EXPECT_EQ(features(ask("请总结这篇文章")).language, "zh");
  EXPECT_EQ(features(ask("この記事を要約してください")).language, "ja");
  EXPECT_EQ(features(ask("Resume el texto para los clientes, por favor")).language, "es");
  EXPECT_EQ(features(ask("Fasse den Text zusammen und nenne die Punkte, bitte")).language, "de");
  EXPECT_EQ(features(ask("Résumez les points pour les clients, s'il vous plaît")).language, "fr");
}

TEST(Features, AnthropicFormat) {
  const std::string body = R"({"model":"claude-sonnet-4","system":[{"type":"text","text":"Be brief."}],
    "tools":[{"name":"w","input_schema":{"type":"object"}}],
    "messages":[{"role":"user","content":[{"type":"text","text":"Weather?"}]},
      {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"w","input":{"c":"x"}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"sunny"}]}]})";
  Features f = features(body);
  EXPECT_EQ(f.tools_defined, 1);
  EXPECT_EQ(f.tool_call_turns, 1);
  EXPECT_EQ(f.tool_calls, 1);
  EXPECT_EQ(f.tool_results, 1);
}

TEST(Features, BadInputIsAClearError) {
  tokenizer::RatioEstimator ratio;
  auto msg = [&](const std::string& body) {
    auto f = extract_features(body, ratio);
    return f.ok() ? std::string("ok") : f.error().message;
  };
  EXPECT_EQ(msg("{nope"),
            "the request is not valid JSON: The JSON document has an improper structure: missing or superfluous "
            "commas, braces, missing keys, etc.");
  EXPECT_EQ(msg("[1,2]"), "the request must be a JSON object");
  EXPECT_EQ(msg(R"({"model":"x"})"), "the request has no `messages` array");
  EXPECT_EQ(msg(R"({"messages":[]})"), "`messages` is empty");
  EXPECT_EQ(msg(R"({"messages":[1]})"), "messages[0] must be an object");
  EXPECT_EQ(msg(R"({"messages":[{"content":"x"}]})"), "messages[0].role must be a string");
  EXPECT_EQ(msg(R"({"messages":[{"role":"user","content":5}]})"),
            "messages[0].content must be a string, an array of parts or null");
  EXPECT_EQ(msg(R"({"messages":[{"role":"user","content":"x"}],"tools":{}})"), "`tools` must be an array");
  EXPECT_EQ(msg(R"({"messages":[{"role":"user","content":"x"}],"max_tokens":"9"})"), "`max_tokens` must be an integer");
  EXPECT_EQ(msg(""), "the request is not valid JSON: Empty: no JSON found");
}

// ---------------------------------------------------------------- the routing rule's hard cases

struct Case {
  const char* name;
  std::string body;
  Category category;
  Tier tier;
};

TEST(Router, HardCasesOfTheRule) {
  std::string passages;
  for (int i = 1; i <= 20; ++i) {
    const std::string n = std::to_string(i);
    passages.append("[").append(n).append("] The plant in city ").append(n).append(" opened in ");
    passages.append(std::to_string(1990 + i)).append(".\\n");
  }
  const std::string snippet = "```python\\ndef mean(xs):\\n    return sum(xs) / len(xs)\\n```";
  const std::string tools =
      R"(,"tools":[{"type":"function","function":{"name":"get_weather"}},{"type":"function","function":{"name":"book"}}])";
  const Case cases[] = {
      {"one-line combinatorics is Pro",
       ask("How many ways can 8 rooks be placed on a chessboard so that no two attack each other?"),
       Category::kMultiStepReasoning, Tier::kPro},
      {"20-passage RAG lookup is Flash",
       ask(passages + "Based on the passages above, when did the plant in city 7 open?"), Category::kRag, Tier::kFlash},
      {"step by step on an easy question is Flash", ask("What is the capital of France? Think step by step."),
       Category::kStraightforwardQa, Tier::kFlash},
      {"large max_tokens on a short task is Flash",
       ask("Write a two-line thank-you note to my team.", R"(,"max_tokens":300000)"), Category::kStructuredContent,
       Tier::kFlash},
      {"debug on one snippet is Flash", ask("Debug this, it crashes on an empty list:\\n" + snippet),
       Category::kCodingModerate, Tier::kFlash},
      {"a multi-file stack trace is Pro",
       ask("Traceback (most recent call last):\\n  File \\\"api/views.py\\\", line 40, in post\\n  File "
           "\\\"core/orders.py\\\", "
           "line 212, in place\\n  File \\\"core/stock.py\\\", line 9, in take\\nValueError: negative stock\\nIt only "
           "happens under load. Find the root cause."),
       Category::kCodebaseDebugging, Tier::kPro},
      {"one tool and one question is Flash", ask("What's the weather in Oslo?", tools), Category::kStraightforwardQa,
       Tier::kFlash},
      {"a conversation carrying tool calls is Pro",
       R"({"messages":[{"role":"user","content":"Weather in Oslo, then book"},{"role":"assistant","content":null,"tool_calls":[{"id":"1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},{"role":"tool","tool_call_id":"1","content":"sun"}])" +
           tools + "}",
       Category::kAgentToolChaining, Tier::kPro},
      {"a 10K-word text is Pro", ask("Write a 12,000-word novella in ten chapters."), Category::kLongCoherentOutput,
       Tier::kPro},
      {"a proof in German is Pro", ask("Beweise, dass es unendlich viele Primzahlen gibt."),
       Category::kMultiStepReasoning, Tier::kPro},
      {"translation in Chinese is Flash", ask("把这句话翻译成英文：明天见。"), Category::kTranslation, Tier::kFlash},
  };
  Router r = default_router();
  for (const Case& c : cases) {
    auto d = r.route(c.body);
    ASSERT_TRUE(d.ok()) << c.name << ": " << d.error().message;
    EXPECT_EQ(category_name(d->category), std::string(category_name(c.category))) << c.name << ": " << d->reason;
    EXPECT_EQ(d->tier, c.tier) << c.name << ": " << d->reason;
  }
}

// The gateway hands the router the request it has parsed already: the decision
// is the one the raw body gets, an unreadable request included.
// Structure, not wording: a bug told in a system's class names, a task of several
// clauses over several tools, a quantity problem in two questions.
TEST(Router, StructuralSignalsOfProWork) {
  const Router router = default_router();
  auto decide = [&](const std::string& body) { return route_ok(router, body); };
  Decision d =
      decide(ask("UserProfileSerializer is slow only when ReportsView calls it; BaseOrgMixin overrides "
                 "get_queryset. Why?"));
  EXPECT_EQ(d.category, Category::kCodebaseDebugging);
  EXPECT_EQ(d.tier, Tier::kPro);
  const std::string three_tools =
      R"(,"tools":[{"type":"function","function":{"name":"crm_search"}},{"type":"function","function":{"name":"get_usage"}},)"
      R"({"type":"function","function":{"name":"create_task"}}])";
  d = decide(
      ask("Look at renewals due this month, pull usage for each account, and open a task for low ones.", three_tools));
  EXPECT_EQ(d.category, Category::kAgentToolChaining);
  EXPECT_EQ(d.tier, Tier::kPro);
  // One clause with the same tools is one lookup: Flash.
  EXPECT_EQ(decide(ask("Look up the customer jo@example.com.", three_tools)).tier, Tier::kFlash);
  d = decide(ask("A clock shows 3:15. What is the angle between the hands? When between 3 and 4 are they opposite?"));
  EXPECT_EQ(d.category, Category::kMultiStepReasoning);
  EXPECT_EQ(d.tier, Tier::kPro);
  // Two questions about a text to summarize are a summary.
  EXPECT_EQ(decide(ask("Summarize: Q1 revenue was 4M? Q2 was 5M? Q3 was 6M.")).tier, Tier::kFlash);
}

// Several actions with tools to take them are a chain in any language: here
// three in Spanish (download, compute, send), one of whose results is a summary.
TEST(Router, ActionsInOtherLanguagesMakeAChain) {
  const std::string tools =
      R"(,"tools":[{"type":"function","function":{"name":"download_report"}},{"type":"function","function":{"name":"run_python"}},)"
      R"({"type":"function","function":{"name":"send_email"}}])";
  expect_routed(default_router(),
                ask("Descarga el informe de ventas de noviembre, calcula qué región bajó más y envía un resumen a la "
                    "directora de esa región.",
                    tools),
                Category::kAgentToolChaining);
}

// What the optimizer or a growing table does to code that looks right is
// runtime behaviour: a fault to find, not a snippet to fix.
TEST(Router, OptimizerAndGrowthFaultsAreRuntimeBehaviour) {
  const Router router = default_router();
  expect_routed(router,
                ask("This works in debug but in a release build the loop never ends. Why?\\n```c\\n"
                    "int ready = 0;\\nvoid *waiter(void *a) { while (!ready) { } return a; }\\n"
                    "int main(void) { start(waiter); sleep(1); ready = 1; }\\n```"),
                Category::kCodebaseDebugging);
  expect_routed(router,
                ask("Our query went from 40ms to 9s as the table grew and EXPLAIN shows a Seq Scan despite the "
                    "index. What could be happening?"),
                Category::kCodebaseDebugging);
  // A fault visible in a few lines stays moderate coding.
  expect_routed(router, ask("Why does this fail?\\n```python\\ndef greet(name)\\n    return name\\n```"),
                Category::kCodingModerate);
}

// A fault told in prose is a fault to find: the sender's own running system, a
// symptom of it and a question for its cause, in any of the languages the lexicon
// reads. A question about how a system works names no symptom; a symptom outside
// a system (bread) or in a text to summarize is not one. A best value to find
// from quantities is an optimisation problem, but not in a function to write or
// without quantities.
TEST(Router, AFaultToldInProseAndAnOptimisationProblemArePro) {
  const Router router = default_router();
  const Decision fault =
      route_ok(router, ask("Since we moved our nightly cron job to the new cluster it never finishes, and "
                           "the worker pods restart about once an hour. What's causing this?"));
  EXPECT_EQ(fault.category, Category::kCodebaseDebugging);
  EXPECT_EQ(fault.reason, "codebase_debugging: cue \"never finishes\" (symptom)");
  expect_routed(router,
                ask("Seit wir den Cache vor die Datenbank gesetzt haben, hängt der Import-Job jede Nacht bei etwa "
                    "80 %. Woran liegt das?"),
                Category::kCodebaseDebugging);
  // Questions about how things work, with no system of the sender's own.
  for (const char* how : {"How do I check CPU usage on Linux?", "What causes latency spikes in general? A short list.",
                          "Desde que cambiamos el servidor, ¿cómo configuro el DNS?"}) {
    expect_routed(router, ask(how), Category::kStraightforwardQa);
  }
  // Messages to sort are the material, whatever symptoms they tell.
  expect_routed(router,
                ask("Classifie ces messages par urgence : 1. Le serveur ne répond plus. 2. Pouvez-vous changer "
                    "mon adresse ?"),
                Category::kClassification);
  expect_routed(router, ask("Why is Redis single-threaded, and is that a problem for a busy server?"),
                Category::kStraightforwardQa);
  // Words of runtime trouble are no symptom on their own.
  expect_routed(router, ask("What does 'deadlock' mean in databases?"), Category::kStraightforwardQa);
  // The rules find no fault of a system here. The tier model, since it reads
  // character 4-grams, gives it P(Pro) 0.66 ("rising", "stuck") and moves it: a
  // Flash request on Pro, kept here as the model's known cost.
  const Decision bread =
      route_ok(router, ask("My sourdough never finishes rising overnight and it's stuck at half height. Why?"));
  EXPECT_NE(bread.reason.find("the rules said straightforward_qa: a question"), std::string::npos) << bread.reason;
  expect_routed(router,
                ask("Summarize for the status page: the API server stopped responding at 14:02 because the worker "
                    "pool was stuck; why it happened is still being investigated."),
                Category::kSummarization);

  const Decision fence =
      route_ok(router, ask("A farmer has 240 m of fence for a rectangular field along a river, with no "
                           "fence on the river side, and a gate of 4 m that needs no fence. What "
                           "dimensions maximise the area?"));
  EXPECT_EQ(fence.category, Category::kMultiStepReasoning);
  EXPECT_EQ(fence.reason,
            "multi_step_reasoning: cue \"maximise\" (optimise) over 2 quantities, cue \"maximise\" (planning)");
  expect_routed(router, ask("How do I maximise battery life on my phone?"), Category::kStraightforwardQa);
  expect_routed(router, ask("How do I maximize my 401k contributions in 2026?"), Category::kStraightforwardQa);
  expect_routed(router,
                ask("Write a Python function that picks 3 non-adjacent elements of a list of 10 to 1000 numbers to "
                    "maximise their sum."),
                Category::kCodingModerate);
  expect_routed(router, ask("5个人排成一排，甲不能站在最左边，有几种排法？"), Category::kMultiStepReasoning);
}

// A text asked for whole in words ("write all of it", "every section") is long
// output without a length; "sum up" and "what happened in this thread" ask for a
// summary, so the symptoms in a pasted chat are its material.
TEST(Router, AWholeTextAskedForInWordsIsLongAndSumUpIsASummary) {
  const Router router = default_router();
  expect_routed(router,
                ask("Create an entire 6-week curriculum for a beginner bootcamp: each week with daily lesson notes, "
                    "exercises and a project. Write all of it out."),
                Category::kLongCoherentOutput);
  expect_routed(router,
                ask("what happened in this thread? short answer\\n\\nKai: prod deploy is stuck\\nRosa: which "
                    "step\\nKai: db migration, lock timeout\\nRosa: kill the report, rerun the migration"),
                Category::kSummarization);
  expect_routed(router, ask("Sum up these notes: the server moved to Friday; the budget is approved."),
                Category::kSummarization);
  expect_routed(router, ask("Sum this up in 3 bullets: the server moved to Friday; the budget is approved."),
                Category::kSummarization);
}

// "Proof" as the noun of a document or a dough is no proof asked for; a proof
// asked for next to one still is.
TEST(Router, ProofOfAddressAndProofingDoughAreNoProofs) {
  const Router router = default_router();
  expect_routed(router,
                ask("According to this notice, what do I bring? Permits are issued at the Town Hall. Bring proof of "
                    "address and your registration."),
                Category::kStraightforwardQa);
  EXPECT_EQ(route_ok(router, ask("Shape the loaf and proof for 45 minutes. How long is the bake?")).tier, Tier::kFlash);
  expect_routed(router, ask("Give a proof for the claim that every prime above 3 is 6k \u00b1 1."),
                Category::kMultiStepReasoning);
  expect_routed(router, ask("Prove that n^2 + n is even, and attach it to my proof of purchase form."),
                Category::kMultiStepReasoning);
}

// "How many ways" asks for a count only with something to count: a quantity or
// other mathematical words. A text of more than about 5,000 words is long output
// (LABELLING.md's line: 6,650 tokens at 1.33 a word), and so is a script timed in
// hours, of every kind that counts when timed in minutes.
TEST(Router, WaysToCountLongTextsAndScriptHours) {
  const Router router = default_router();
  // No quantity, no mathematical word: the rules find no problem, and the tier
  // model may not overrule that reading on its words alone. Its P(Pro) here
  // stayed between 0.68 and 0.81 over 42 retrains of the word n-gram model ("many
  // ways" is a surface cue); with character 4-grams it is 0.31.
  const Decision rice = route_ok(router, ask("How many ways are there to cook rice?"));
  EXPECT_EQ(rice.tier, Tier::kFlash) << rice.reason;
  // With something to count, it is a problem whatever the model says.
  expect_routed(router, ask("In how many ways can 6 people sit around a round table?"), Category::kMultiStepReasoning);
  // 6,000 words: 7,980 tokens, over the line; 4,000 words: 5,320, under it.
  expect_routed(router, ask("Write a 6,000-word short story about a night nurse."), Category::kLongCoherentOutput);
  expect_routed(router, ask("Write a 4,000-word short story about a night nurse."), Category::kStructuredContent);
  // 120 minutes at 175 tokens a minute.
  EXPECT_EQ(features(ask("Write a complete 2-hour stage play about a chess tournament.")).requested_output_tokens,
            21000);
  expect_routed(router, ask("Write a complete 2-hour stage play about a chess tournament."),
                Category::kLongCoherentOutput);
}

// One tool beside text to label is where the labels go: the label names
// ("check_balance", "transfer", "report_card_lost") are no actions to chain. With
// a second tool and steps on the result, the same labels are an agent's task.
TEST(Router, OneToolToRecordLabelsIsNoAgent) {
  const Router router = default_router();
  const std::string text =
      "Label the intent of each utterance (check_balance, transfer, report_card_lost, other): 'how much is in my "
      "savings', 'send 50 to mum', 'I lost my card'";
  const std::string one = R"(,"tools":[{"type":"function","function":{"name":"log_intent"}}])";
  expect_routed(router, ask(text, one), Category::kClassification);
  const std::string two = R"(,"tools":[{"type":"function","function":{"name":"log_intent"}},)"
                          R"({"type":"function","function":{"name":"block_card"}}])";
  expect_routed(router, ask(text + ", then block the card of each lost-card customer and send them a text", two),
                Category::kAgentToolChaining);
}

// Quoted items are the material of a task beside tools: their verbs ("upload",
// "add") are no actions asked for, and "for each" over labels offered for them
// takes the items one by one. Split 34 sent these support emails to Pro as an
// agent's task of 2 actions.
TEST(Router, VerbsInQuotedItemsAreNoActions) {
  const Router router = default_router();
  const std::string tools = R"(,"tools":[{"type":"function","function":{"name":"label_email"}},)"
                            R"({"type":"function","function":{"name":"forward"}}])";
  const std::string emails =
      "For each support email, is it about billing, a bug, or a feature request? 'Invoice shows the wrong VAT "
      "number', 'App freezes when I upload a photo', 'Could you add a dark mode?'";
  const Decision d = route_ok(router, ask(emails, tools));
  EXPECT_EQ(d.tier, Tier::kFlash) << d.reason;
  // "upload" and "add", both in quotes.
  EXPECT_EQ(features(ask(emails, tools)).quoted_actions, 2);
  // Actions asked for outright still make the task.
  expect_routed(router, ask("Find the customer 'Ana Ruiz', refund her last order and send her an apology", tools),
                Category::kAgentToolChaining);
}

// Tools an app defines for every request are no evidence of Pro work: one call or
// none is Flash (LABELLING.md). The tier model had learnt tools as Pro evidence
// (23% of the labelled Pro requests come with tools, 1.4% of the Flash ones) and
// sent these to Pro at 0.87-0.99; it now trains on Flash requests read with tools.
TEST(Router, ToolsAloneAreNoProEvidence) {
  const Router router = default_router();
  const std::string tools = R"(,"tools":[{"type":"function","function":{"name":"get_weather"}},)"
                            R"({"type":"function","function":{"name":"search_web"}},)"
                            R"({"type":"function","function":{"name":"send_email"}},)"
                            R"({"type":"function","function":{"name":"create_event"}}])";
  for (const char* text :
       {"What's the weather in Paris tomorrow?", "Search the web for the opening hours of the Louvre.",
        "Put a dentist appointment in my calendar for Friday at 3pm."}) {
    const Decision d = route_ok(router, ask(text, tools));
    EXPECT_EQ(d.tier, Tier::kFlash) << text << ": " << d.reason;
  }
}

// Lines led by a label and a colon, in the instruction only: a thread's speakers
// and an invite's fields count; a URL, a time, code, a long lead-in and a system
// prompt's lines do not.
TEST(Features, FieldLinesOfAThreadOrAForm) {
  // Three speakers' lines, a field in Chinese with a fullwidth colon: 4.
  EXPECT_EQ(
      features(ask("Nora: the build is red\\nPaul: I'll look, then revert\\nNora: thanks\\n型号：RC-30")).field_lines,
      4);
  // "https://", "10:30", "std::move", a label of four words, a line starting with a digit: none.
  EXPECT_EQ(
      features(ask("see https://x.io\\nmeet at 10:30\\nstd::move(a);\\nThe plan for today: rest\\n3: go")).field_lines,
      0);
  EXPECT_EQ(features(R"({"messages":[{"role":"system","content":"Tone: warm\nLength: short\nFormat: prose"},)"
                     R"({"role":"user","content":"Hi"}]})")
                .field_lines,
            0);
}

// A thread or a form pasted beside tools is material: its commas and verbs
// ("I'll add", "invite") make no task of several steps. Actions asked for
// outright still do.
TEST(Router, AThreadOrAFormBesideToolsIsMaterial) {
  const Router router = default_router();
  const std::string tools =
      R"(,"tools":[{"type":"function","function":{"name":"post_message"}},)"
      R"({"type":"function","function":{"name":"create_ticket"}},{"type":"function","function":{"name":"book_room"}}])";
  // The thread arrives after the assistant asked for it, and follows the earlier turn's summary.
  const std::string thread =
      R"({"model":"auto","messages":[{"role":"user","content":"Can you recap this chat?"},)"
      R"({"role":"assistant","content":"Sure, paste it."},)"
      R"({"role":"user","content":"Ines: the printer on 3 is jammed again\nMarc: I'll call the vendor, then add a note)"
      R"( to the ticket\nInes: ok, and order toner too\nMarc: yes, will do"}])" +
      tools + "}";
  expect_routed(router, thread, Category::kSummarization);
  // Without the field lines, the same words are a task of steps.
  EXPECT_EQ(route_ok(router, ask("Call the vendor, then add a note to the ticket, and order toner too", tools)).tier,
            Tier::kPro);
  EXPECT_EQ(route_ok(router, ask("From this booking, what time is the workshop?\\n\\nTitle: Kiln safety, part 2\\n"
                                 "When: Tuesday 18:00, doors 17:45\\nWhere: Studio B, ground floor\\nHost: Ada",
                                 tools))
                .tier,
            Tier::kFlash);
}

// Several given a different one each, and a question: a logic-grid puzzle told
// in no word of one (split 38's photographers went to Flash at P(Pro) 0.04).
// "Each" and "different" must share a sentence.
TEST(Router, SeveralGivenADifferentOneEachIsAPuzzle) {
  const Router router = default_router();
  expect_routed(router,
                ask("Three cooks, Al, Bea and Cy, each made a different dish: soup, pie or cake. Al did not make the "
                    "cake. Bea made the soup. Who made what?"),
                Category::kMultiStepReasoning);
  EXPECT_TRUE(
      features(ask("Trois amis ont chacun un animal différent. Léa n'a pas le chat. Qui a le chat ?")).one_each);
  EXPECT_TRUE(features(ask("三个人每人养的宠物各不相同。小王不养猫。谁养猫？")).one_each);
  // Who lives where, one per floor, told by above and below (split 40's five
  // residents went to Flash at P(Pro) 0.03).
  expect_routed(router,
                ask("Ana, Ben and Cy live on floors 1 to 3, one per floor. Ana lives above Ben. Cy doesn't live on "
                    "floor 1. Who lives on each floor?"),
                Category::kMultiStepReasoning);
  // "Each" and "different" in two sentences; asked, not told; told with no
  // clue after it.
  EXPECT_FALSE(features(ask("Each room has a desk. Different rooms open at 9. Which is mine?")).one_each);
  EXPECT_FALSE(features(ask("What makes each season different? Give examples.")).one_each);
  EXPECT_FALSE(features(ask("Each team has a different coach. Who coaches the reds?")).one_each);
  expect_routed(router, ask("What makes each season different?"), Category::kStraightforwardQa);
}

// A summary named as one section in a list of a report's sections is part of
// the text to write, not a summary asked for: "the complete … report: executive
// summary, financial review, …, 40 pages" is long output (the tier model's
// retrain on split 38 lost it to its "summary" cue). "An executive summary of
// these figures" is a summary.
TEST(Router, AnExecutiveSummaryInAListOfSectionsIsNoSummaryAsked) {
  const Router router = default_router();
  expect_routed(router,
                ask("Draft the complete audit report for the club: executive summary, accounts, governance, risks "
                    "and recommendations, about 40 pages."),
                Category::kLongCoherentOutput);
  expect_routed(router,
                ask("Write an executive summary of these figures for the board, one paragraph:\\n\\nRevenue "
                    "12.4M, margin 71%, churn 2.1%."),
                Category::kSummarization);
  EXPECT_EQ(features(ask("executive summary, scope, findings")).cues[Signal::kSummarize], 0);
}

// A proof cue in a text given for a task of its own is the text's: a printer's
// proof in a chat pasted for a recap, "prove that" in a passage to summarize.
// Asked for outright, or by the lead before the text, it is a proof. Split 37
// sent the print shop's chat to Pro on "proof".
TEST(Router, ProofsInAGivenTextAreItsMaterial) {
  const Router router = default_router();
  const std::string chat =
      R"({"model":"auto","messages":[{"role":"user","content":"recap this chat please"},)"
      R"({"role":"assistant","content":"Go ahead."},)"
      R"({"role":"user","content":"Raj: flyers are printing\nTess: did they sign off the proof?\nRaj: yes, )"
      R"(this morning\nTess: great, courier at 2"}]})";
  expect_routed(router, chat, Category::kSummarization);
  expect_routed(router,
                ask("Summarize this in two lines:\\n\\nIn the lecture we prove that every bounded monotone sequence "
                    "converges, then apply it to the square root algorithm."),
                Category::kSummarization);
  expect_routed(router, ask("Prove that every bounded monotone sequence converges."), Category::kMultiStepReasoning);
  // The lead's own proof counts: 1 in the first, none in the second.
  EXPECT_EQ(features(ask("Prove the lemma below.\\n\\nLemma: every tree with n nodes has n - 1 edges."))
                .lead_cues[Signal::kProof],
            1);
  EXPECT_EQ(features(ask("Summarize this:\\n\\nWe prove that the map is injective.")).lead_cues[Signal::kProof], 0);
  // Italian rehearsals and a printer's proof are no proofs: one proof cue and one
  // that is none in each.
  for (const char* text : {"prove straordinarie sabato alle 15", "please approve the proof by Friday"}) {
    CueHits h;
    CueScanner::builtin().scan(text, h);
    EXPECT_EQ(h[Signal::kProof], 1) << text;
    EXPECT_EQ(h[Signal::kNotProof], 1) << text;
  }
}

// A fault that only comes and goes is a bug to find when it is asked about ("I
// can't see why"), not when it is the condition of a setting asked for ("email
// me only when my backup script fails"). Split 37 sent the cron question to Pro.
TEST(Router, AFaultThatComesAndGoesMustBeAskedAbout) {
  const Router router = default_router();
  EXPECT_EQ(route_ok(router, ask("how do i make cron email me only when my backup script fails")).tier, Tier::kFlash);
  expect_routed(router, ask("Our nightly backup script sometimes fails and we can't see why. What should we check?"),
                Category::kCodebaseDebugging);
  // Wrong results from our running system, across three components, with a fix
  // asked: a fault to find (split 39 read it as code to write in Go).
  expect_routed(router,
                ask("Our order numbers started coming out wrong on the website: the API sends 9007199254740993 and the "
                    "page shows 9007199254740992. They pass through a Node proxy. What's the right fix?"),
                Category::kCodebaseDebugging);
  // Slow to load in our app, with its usual cause told: a fault to find.
  expect_routed(router,
                ask("Nuestra app tarda 9 segundos en cargar la lista; el log muestra una consulta por cada "
                    "fila. ¿Cuál es la causa?"),
                Category::kCodebaseDebugging);
}

// Find, check, open and look at, in the languages the lexicon reads: an agent's
// actions beside tools. Split 37's dance school task in French went to Flash.
TEST(Features, ActionsInOtherLanguages) {
  EXPECT_EQ(features(ask("Prüf die Buchungen, finde die offenen und öffne ein Ticket")).cues[Signal::kAction], 3);
  EXPECT_EQ(
      features(ask("Regarde les inscriptions, repère les cours pleins et ouvre un créneau")).cues[Signal::kAction], 3);
  EXPECT_EQ(features(ask("Revisa los pedidos y comprueba los pagos")).cues[Signal::kAction], 2);
}

// Contests named are competition mathematics; the French "aime" (likes) and the
// "imo" of a chat (in my opinion) are not: split 36 sent plants that like sun or
// shade to Pro on "aime".
TEST(Router, ContestNamesAreNoFrenchVerbs) {
  CueHits h;
  CueScanner::builtin().scan("Indique si elle aime le soleil ; imo the aimed shot ; il aime ici", h);
  EXPECT_EQ(h[Signal::kCompetitionMath], 0);
  CueHits contest;
  CueScanner::builtin().scan("From the 2019 AIME I, and an IMO shortlist problem", contest);
  EXPECT_EQ(contest[Signal::kCompetitionMath], 2);  // "aime i", "imo shortlist"
  const Router router = default_router();
  EXPECT_EQ(route_ok(router, ask("Pour chaque plante, indique si elle aime le soleil ou l'ombre : lavande, "
                                 "fougère, hosta"))
                .tier,
            Tier::kFlash);
}

// The turn that pastes a thread for an earlier turn's summary is that summary's
// text: the earlier cue counts fully there (it counted 0.4, under the rules'
// confidence floor, and the tier model sent split 35's kiln thread to Pro at
// 0.93 on "load", "last" and "top"). A turn that asks nothing of its own after
// such a turn, a thread or prose, follows it (split 60: a head of year's note
// with "access arrangements" and "timetables" had gone to Pro).
TEST(Router, AThreadPastedForAnEarlierSummaryIsItsText) {
  const Router router = default_router();
  const std::string thread =
      R"({"model":"auto","messages":[{"role":"user","content":"what did we decide here? short version"},)"
      R"({"role":"assistant","content":"Sure, drop it in."},)"
      R"({"role":"user","content":"Tom: the van is booked for friday\nAda: I'll load it thursday night then\n)"
      R"(Tom: heavy boxes at the bottom, the top shelf broke last time\nAda: noted"}]})";
  const Decision d = route_ok(router, thread);
  EXPECT_EQ(d.category, Category::kSummarization);
  EXPECT_EQ(classify(features(thread)).reason, "the earlier turn's cue \"short version\" (summarize)");
  EXPECT_EQ(d.reason,
            "summarization: a follow-up that asks nothing new keeps the conversation's summarization (1 turn back: "
            "cue \"short version\" (summarize))");
  const std::string prose =
      R"({"model":"auto","messages":[{"role":"user","content":"what did we decide here? short version"},)"
      R"({"role":"assistant","content":"Sure, drop it in."},)"
      R"({"role":"user","content":"Tom booked the van for friday and Ada will load it thursday night."}]})";
  EXPECT_TRUE(classify(features(prose)).text_for_earlier_task);
  EXPECT_EQ(route_ok(router, prose).category, Category::kSummarization);
  const std::string note =
      R"({"model":"auto","messages":[{"role":"user","content":"Could you pull out the main points of this?"},)"
      R"({"role":"assistant","content":"Go ahead."},{"role":"user","content":"Exams start on 13 January. )"
      R"(Timetables will be emailed on Friday. Anyone with access arrangements should check them with Ms Ode."}]})";
  expect_routed(router, note, Category::kSummarization);
  // After an answer, not a short reply asking for the text, a turn may ask in
  // words no cue knows ("rearrange"): 145 bytes of answer.
  const std::string after_answer =
      R"({"model":"auto","messages":[{"role":"user","content":"Extract the variable names from each equation."},)"
      R"({"role":"assistant","content":"Equation 1 uses x and y. Equation 2 uses a, b and t. Equation 3 uses )"
      R"(only z. I listed each name once per equation, in the order it first appears."},)"
      R"({"role":"user","content":"Please rearrange the equations to make the first variable the subject."}]})";
  const Features fa = features(after_answer);
  EXPECT_EQ(fa.reply_bytes, 145);
  EXPECT_FALSE(classify(fa).text_for_earlier_task);
}

// A fault that comes and goes in a running system whose code is shown is
// runtime behaviour: codebase_debugging, as a symptom shown with code is. Not a
// function to complete whose docstring says "randomly".
TEST(Router, AnIntermittentFaultInCodeShown) {
  const Router router = default_router();
  expect_routed(router,
                ask("Our ticket service sometimes sells one seat twice. Why?\\n```python\\nseat = db.get(show, "
                    "no)\\nif not seat.sold:\\n    seat.sold = True\\n    db.save(seat)\\n```"),
                Category::kCodebaseDebugging);
  expect_routed(router,
                ask("Complete this Python function:\\n```python\\ndef sort_shifted(arr):\\n    \\\"\\\"\\\"The numbers "
                    "in our array are randomly ordered. Return True if a rotation sorts them.\\\"\\\"\\\"\\n```"),
                Category::kCodingModerate);
}

// A comma after a closing quote, or in parentheses, separates items (the
// material, or the options), not clauses of the task: quoted expenses to tag
// beside two tools are no task in several clauses. Commas of the task count.
TEST(Features, ItemsInQuotesOrParenthesesAreNoClauses) {
  // Two commas in parentheses, two after quotes: none counts.
  EXPECT_EQ(features(ask("Tag each claim with a category (travel, meals, equipment): "
                         "'Taxi 24.50', 'Lunch 86.00', 'Dock 129.00'"))
                .clauses,
            0);
  // Japanese quotes and "、": none; the task's own commas: two; one after the parenthesis closes.
  EXPECT_EQ(features(ask("「晴れ」、「雨」、「雪」に分類してください")).clauses, 0);
  EXPECT_EQ(features(ask("Find the orders, refund each one, then email the customer")).clauses, 2);
  EXPECT_EQ(features(ask("Find the orders (all of them), refund each one")).clauses, 1);
}

// Options offered to choose among, quoted items and list lines: what a
// classification gives (labels, and the items to label).
TEST(Features, OfferedLabelsQuotedItemsAndListLines) {
  // "— billing, technical support, or sales?": three options; one quoted item.
  Features f = features(
      ask("Which team should handle this ticket — billing, technical support, or sales? 'I was charged twice'"));
  EXPECT_EQ(f.offered_labels, 1);
  EXPECT_EQ(f.quoted_items, 1);
  // The first option may end a longer run of words.
  EXPECT_EQ(features(ask("Is this review about the location, the staff or the price?")).offered_labels, 1);
  // In parentheses, two list lines.
  f = features(ask("Rate each (P1, P2, P3):\\n1. Login broken\\n2. Typo on the About page"));
  EXPECT_EQ(f.offered_labels, 1);
  EXPECT_EQ(f.list_items, 2);
  EXPECT_EQ(f.quoted_items, 0);
  // yes/no, and a quoted text in double quotes.
  f = features(ask("Answer yes/no: is it spam? \\\"Win a FREE cruise now\\\""));
  EXPECT_EQ(f.offered_labels, 1);
  EXPECT_EQ(f.quoted_items, 1);
  EXPECT_EQ(features(ask("Set the level to high/medium/low")).offered_labels, 1);
  EXPECT_EQ(features(ask("Answer yes or no: is the Moon a planet?")).offered_labels, 1);
  // None: a call's arguments, "and" (an enumeration), two words that are no yes and no, apostrophes.
  f = features(ask("Call f(a, b) with apples, pears and plums over TCP/IP. It's Kim's turn"));
  EXPECT_EQ(f.offered_labels, 0);
  EXPECT_EQ(f.quoted_items, 0);
  // Corner brackets; "、" between them separates no options.
  f = features(ask("「晴れ」、「雨」に分けてください"));
  EXPECT_EQ(f.quoted_items, 2);
  EXPECT_EQ(f.offered_labels, 0);
}

// Labels offered for the items a request gives make a classification though no
// word names one. Options in the material (a menu's "(V, GF)") are not offered,
// and the reading is no specific Flash cue: a problem with answer options reads
// the same, and the tier model may still send it to Pro.
TEST(Router, LabelsOfferedForGivenItems) {
  const Router router = default_router();
  expect_routed(router,
                ask("Which team should handle this — billing, technical support, or sales? "
                    "'My card was charged twice for March'"),
                Category::kClassification);
  expect_routed(router,
                ask("Rate the urgency of each (P1, P2, P3):\\n1. Checkout down for everyone\\n2. Typo in footer"),
                Category::kClassification);
  EXPECT_NE(route_ok(router, ask("From the menu below, which dishes are vegan?\\n\\n- Risotto (V, GF)\\n"
                                 "- Salmon (GF)\\n- Lentil curry (V, GF)"))
                .category,
            Category::kClassification);
  // MT-Bench's reasoning question 106: the rules read labels offered; the tier model (P(Pro) 0.9 and more) may
  // overrule that, as it did before the rule.
  const std::string statements =
      ask("Each problem consists of three statements. Based on the first two statements, the third statement may be "
          "true, false, or uncertain.\\n1. Oranges cost more than apples.\\n2. Oranges cost less than bananas.\\n"
          "3. Bananas cost more than apples and bananas cost more than orange.\\nIf the first two statements are "
          "true, then the third statement is");
  const Classification c = classify(features(statements));
  EXPECT_EQ(c.category, Category::kClassification);
  EXPECT_TRUE(c.shape_only);
  EXPECT_EQ(route_ok(router, statements).tier, Tier::kPro);
}

// What a request to write asks for, named without a phrase of the lexicon: code
// in a named language or tool ("a Rust function", "a Postgres query"), or a short
// text ("a birthday message", "eine Packliste"). Both are readings of the
// request's shape, which the tier model may overrule; a fault told about a
// named system is no code to write.
TEST(Router, CodeInANamedLanguageAndAShortTextToWrite) {
  const Router router = default_router();
  for (const char* text : {"Write a Rust function that returns the longest word in a sentence.",
                           "Create a React component that shows a countdown to New Year.",
                           "Write me a Postgres query that lists users who signed up this week."}) {
    expect_routed(router, ask(text), Category::kCodingModerate);
    EXPECT_TRUE(classify(features(ask(text))).shape_only) << text;
  }
  for (const char* text :
       {"Write a birthday message for my aunt, warm and short.", "Erstelle eine Packliste für eine Radtour."}) {
    expect_routed(router, ask(text), Category::kStructuredContent);
    EXPECT_TRUE(classify(features(ask(text))).shape_only) << text;
  }
  // "Write a function" names the task: a specific cue.
  EXPECT_FALSE(classify(features(ask("Write a function that reverses a list."))).shape_only);
  // A fault told ("where should I look?" asks for its cause): the rules read no code to write.
  EXPECT_NE(classify(features(ask("Our Django list endpoints take 10x longer since the upgrade. "
                                  "Where should I look?")))
                .category,
            Category::kCodingModerate);
}

// Words the rules misread on split 25: "proof" a dough (a baker's verb, no proof
// to write), Portuguese "o" ("the", not "or": no options offered in "quantas
// salas tem o museu"), a request for a text in Italian ("mi serve", "I need"), and
// the sender's own system told by a verb in the first person plural
// ("Guardamos"). A question that ends on two options asks for a label.
TEST(Router, DoughProofsArticlesAndAsksInOtherLanguages) {
  const Router router = default_router();
  EXPECT_EQ(route_ok(router, ask("How long should I proof the dough for focaccia?")).tier, Tier::kFlash);
  expect_routed(router,
                ask("Segundo o folheto abaixo, quantas salas tem o museu?\\n\\nO museu tem doze salas em dois "
                    "pisos, uma cafetaria e uma loja. Abre às 10h e fecha às 18h."),
                Category::kRag);
  expect_routed(router,
                ask("Mi serve un manuale completo di circa 15.000 parole per i volontari della biblioteca, con tutti "
                    "i capitoli."),
                Category::kLongCoherentOutput);
  expect_routed(router,
                ask("El servicio de avisos envía a veces el mismo SMS dos veces. Guardamos los envíos en Redis con "
                    "dos workers. ¿Cuál es la causa?"),
                Category::kCodebaseDebugging);
  expect_routed(router, ask("sarcastic or sincere? 'Oh great, another Monday.'"), Category::kClassification);
}

// From split 26's misses: questions for a cause in Spanish and Italian ("¿Cuál es
// el problema?", "Come risolviamo?"), a screenplay in German ("Drehbuch", "alle
// Szenen ausgeschrieben"), and a best value asked for in German ("die größte
// Fläche") over three quantities.
TEST(Router, CausesLongFormsAndBestValuesInOtherLanguages) {
  const Router router = default_router();
  expect_routed(router,
                ask("Nuestra app de turnos a veces asigna el mismo turno a dos enfermeras. ¿Cuál es el problema?"),
                Category::kCodebaseDebugging);
  expect_routed(router, ask("Il nostro sito a volte mostra prezzi vecchi dopo il deploy. Come risolviamo?"),
                Category::kCodebaseDebugging);
  expect_routed(router,
                ask("Schreib das komplette Drehbuch für einen Kinofilm über eine Hebamme in Hamburg, alle Szenen "
                    "ausgeschrieben."),
                Category::kLongCoherentOutput);
  expect_routed(router,
                ask("Ein Bauer hat 200 m Zaun für drei Seiten eines Geheges, ein Tor von 4 m und eine Scheunenwand "
                    "von 30 m. Welche Maße ergeben die größte Fläche?"),
                Category::kMultiStepReasoning);
}

// From split 27's misses: a proof asked for in Italian ("Dimostra che"), a
// question for a cause in Chinese ("问题在哪"), and a job run on two servers at
// once, which makes its code a fault to find rather than code to fix.
TEST(Router, ProofsCausesAndJobsRunTwice) {
  const Router router = default_router();
  expect_routed(router, ask("Dimostra che la somma di due numeri dispari è sempre pari."),
                Category::kMultiStepReasoning);
  EXPECT_EQ(
      classify(features(ask("我们的Node服务每天下午变慢，最后卡死，问题在哪？数据库连接池只有5个连接。"))).category,
      Category::kCodebaseDebugging);
  expect_routed(router,
                ask("This cleanup task sometimes deletes a file twice and crashes:\\n\\n```python\\ndef cleanup():"
                    "\\n    for f in os.listdir(TMP):\\n        os.remove(os.path.join(TMP, f))\\n```\\n\\nIt "
                    "runs from cron on two servers sharing one NFS folder. Why?"),
                Category::kCodebaseDebugging);
}

// The lead's own separators and cues, when a text is given after a blank line:
// "Quick summary, please:" has one clause separator and no action; the text's
// commas and "find" are not counted there. Without a text given: -1.
TEST(Features, TheLeadBeforeAGivenText) {
  const Features f =
      features(ask("Quick summary, please, then post it:\\n\\nWe came, we saw, we had to find a cash machine."));
  EXPECT_EQ(f.lead_clauses, 2);
  EXPECT_EQ(f.lead_cues[Signal::kAction], 1);  // "post"
  EXPECT_EQ(f.clauses, 4);       // all four of the instruction's commas: two in the lead, two in the text
  EXPECT_EQ(features(ask("Find the orders, refund each one")).lead_clauses, -1);
}

// From split 28's misses: a text given after a lead that asks for a task on it
// is material, so its commas and verbs ("had to find a cash machine") are no
// agent's task beside tools; options offered for a quoted item ("a refund, a
// delivery or a complaint?") are no actions either. Steps given after a lead that
// asks for no text task are still steps. "Prouve que" asks for a proof, and "Dov'è
// il problema?" beside "sempre più lentamente" for a fault's cause.
TEST(Router, MaterialAfterTheLeadAndOptionsAreNoAgentTask) {
  const Router router = default_router();
  const std::string tools = R"(,"tools":[{"type":"function","function":{"name":"post_message"}},)"
                            R"({"type":"function","function":{"name":"refund_order"}}])";
  expect_routed(router,
                ask("Quick summary of this review for the team chat please\\n\\nGreat burger, but we had to find a "
                    "cash machine, queue for ages, then send it back because it was cold.",
                    tools),
                Category::kSummarization);
  expect_routed(
      router,
      ask("Is this message about a refund, a delivery or a complaint? 'Where is my parcel, it was due Monday'", tools),
      Category::kClassification);
  expect_routed(router,
                ask("Do this for the late orders:\\n\\nFind each customer, refund the payment, then post a note in "
                    "the team chat.",
                    tools),
                Category::kAgentToolChaining);
  expect_routed(router, ask("Prouve que le produit de deux nombres impairs est impair."),
                Category::kMultiStepReasoning);
  EXPECT_EQ(
      classify(features(ask("La nostra app Android diventa sempre più lentamente dopo un'ora. Dov'è il problema?")))
          .category,
      Category::kCodebaseDebugging);
}

TEST(Router, QuotedItemsBesideToolsAreMaterial) {
  const Router router = default_router();
  const std::string tools =
      R"(,"tools":[{"type":"function","function":{"name":"set_label"}},)"
      R"({"type":"function","function":{"name":"get_rules"}},{"type":"function","function":{"name":"notify"}}])";
  // Four commas, none a clause: before, "tag" and 5 clauses beside 3 tools were an agent's task.
  EXPECT_EQ(route_ok(router, ask("Tag each purchase with one category (food, transport, fun): "
                                 "'Bus pass 30', 'Cinema 12', 'Groceries 54'",
                                 tools))
                .tier,
            Tier::kFlash);
  // Actions asked for outright, one with a parenthesis, are still steps.
  EXPECT_EQ(route_ok(router, ask("Find the overdue invoices (older than 30 days), email each customer, "
                                 "then set the label 'chased'",
                                 tools))
                .tier,
            Tier::kPro);
}

// Words that only share a stem with a cue are not the cue: a gear's
// "Übersetzungsverhältnis" asks for no translation. A freeze said in German with
// the verb split ("friert beim Import ein"), and a CPU at 100% with a
// sequential scan, are a running system's symptoms.
TEST(Router, StemsAndSymptomsOfPerformance) {
  const Router router = default_router();
  EXPECT_NE(route_ok(router, ask("Welches Übersetzungsverhältnis hat ein Fahrrad mit 48 und 16 Zähnen?")).category,
            Category::kTranslation);
  expect_routed(router, ask("Übersetze bitte ins Englische: 'Guten Morgen'"), Category::kTranslation);
  expect_routed(router,
                ask("Unsere Datenbank friert beim nächtlichen Import ein, seit wir den Index neu gebaut haben. "
                    "Woran liegt das und wie beheben wir es?"),
                Category::kCodebaseDebugging);
  expect_routed(router,
                ask("Our MySQL CPU is at 100% since Monday and EXPLAIN shows a full table scan on orders for every "
                    "checkout. Why, and what should we change?"),
                Category::kCodebaseDebugging);
}

// Runtime trouble said outright ("killed by the OOM killer", "long GC pauses")
// in the sender's own system, with a question for its cause, is a fault to find,
// in prose and in French too; a length in Italian or Portuguese words is a length.
TEST(Router, RuntimeTroubleInProseAndLengthsInItalianAndPortuguese) {
  const Router router = default_router();
  expect_routed(router,
                ask("Notre worker Celery est tué par l'OOM killer toutes les nuits vers 3 h. D'où vient le problème ?"),
                Category::kCodebaseDebugging);
  expect_routed(router,
                ask("Our Kafka cluster drops consumers during long GC pauses every afternoon. "
                    "Walk us through the cause and a fix."),
                Category::kCodebaseDebugging);
  // "What does OOM mean?" asks for a definition: no system of the sender's, no cause asked.
  EXPECT_EQ(route_ok(router, ask("What does OOM mean?")).tier, Tier::kFlash);
  // 60.000 parole: 90,000 tokens at 150 per 100 words.
  EXPECT_EQ(features(ask("Scrivi un romanzo di circa 60.000 parole sulla laguna di Venezia.")).requested_output_tokens,
            90'000);
  expect_routed(router, ask("Scrivi un romanzo di circa 60.000 parole sulla laguna di Venezia."),
                Category::kLongCoherentOutput);
  // 40.000 palavras: 60,000 tokens.
  EXPECT_EQ(features(ask("Escreva um livro de 40.000 palavras sobre o fado.")).requested_output_tokens, 60'000);
  expect_routed(router, ask("Escreva um livro de 40.000 palavras sobre o fado."), Category::kLongCoherentOutput);
}

// A fault in the sender's own system, told in another language: the symptom, a
// fault that comes and goes, and the question for its cause are read in Italian,
// Portuguese, German and Spanish as in English (and a fix asked for as what to
// change), and beat a language named ("in
// Java") that would otherwise make it code to write. "Funktion" and "fonction"
// are cues of code to write only as whole words, not in "funktioniert" ("works").
TEST(Router, FaultsInProseInOtherLanguages) {
  const Router router = default_router();
  for (const char* text : {
           "Il nostro servizio di notifiche a volte manda due volte lo stesso messaggio. Usiamo Redis come coda "
           "con due worker. Qual è la causa?",
           "Nosso aplicativo trava depois de uma hora de uso. Qual é a causa e como corrigir?",
           "Unser Dienst für den Export funktioniert nicht mehr, seit wir auf Java 21 gewechselt haben. "
           "Was läuft schief?",
           "Nuestro servicio de facturas en Java deja de funcionar cada lunes por la mañana. ¿Cuál es la causa?",
           "Our nightly job sometimes writes an empty report. What could be wrong?",
           // A fix asked for as what to change.
           "Our report worker times out since the orders table passed a million rows. What should we change?",
           "Unser Dienst hängt seit dem Update jede Nacht. Was sollten wir ändern?",
       }) {
    expect_routed(router, ask(text), Category::kCodebaseDebugging);
  }
  // No system of the sender's: a cat that sometimes does not eat is no fault in code.
  EXPECT_EQ(route_ok(router, ask("A volte il mio gatto non mangia. Qual è la causa?")).tier, Tier::kFlash);
  // "Funktion" and "fonction" are a function to write; "funktioniert" and "fonctionne" are "works".
  expect_routed(router, ask("Wie funktioniert ein Wärmetauscher?"), Category::kStraightforwardQa);
  expect_routed(router, ask("Comment fonctionne la TVA sur les ventes en ligne ?"), Category::kStraightforwardQa);
  expect_routed(router, ask("Schreib eine Funktion, die prüft, ob ein Jahr ein Schaltjahr ist."),
                Category::kCodingModerate);
  expect_routed(router, ask("Écris une fonction qui inverse une chaîne."), Category::kCodingModerate);
  // Messages to label: their faults are the material ("just the label" asks for labels).
  expect_routed(router,
                ask("For each message, just the label: bug, question or praise.\\n\\n"
                    "1. Why does our app log me out every morning?\\n2. Do you ship to Chile?\\n3. Love the new icons"),
                Category::kClassification);
}

// An email to write is structured content; an email a system sends, or a column
// called email, is not: it named the category, which kept the tier model from
// overruling it ("a specific Flash cue"), and a duplicate-email bug went to Flash.
TEST(Router, AnEmailToWriteNotEveryEmail) {
  const Router router = default_router();
  expect_routed(router, ask("Write a polite email to my landlord about the broken heating."),
                Category::kStructuredContent);
  expect_routed(router, ask("Schreib eine kurze Absage-E-Mail an die Agentur."), Category::kStructuredContent);
  expect_routed(router, ask("Turn this into JSON with fields name, email: Ana Lee, ana@x.io"),
                Category::kStructuredContent);
  const Decision d = route_ok(router, ask("Our nightly job sends every customer the invoice email twice since we "
                                          "added a second worker. Why, and how do we fix it?"));
  EXPECT_NE(d.category, Category::kStructuredContent);
  EXPECT_EQ(d.tier, Tier::kPro) << d.reason;
}

// A question about a text the request gives (after a blank line, or as a form of
// labelled lines) is answered from it: RAG, though it names no "passage". Not a
// text to write a reply to, and not figures to work a result out of.
TEST(Router, AQuestionAboutAGivenTextIsRag) {
  const Router router = default_router();
  expect_routed(router,
                ask("From the allergy card below, can Tom eat the satay?\\n\\nTom Reyes, class 4B. Allergies: "
                    "peanuts (severe), kiwi (mild). EpiPen in the school office. Lactose is fine."),
                Category::kRag);
  expect_routed(router, ask("Welcher Bahnsteig, laut Aushang?\\nZug: RE 7\\nZiel: Kiel\\nGleis: 4"), Category::kRag);
  EXPECT_NE(route_ok(router, ask("Write a reply to this letter:\\n\\nDear tenant, the rent will rise by 3% from "
                                 "April. Please contact us with any questions about the new amount."))
                .category,
            Category::kRag);
  expect_routed(router,
                ask("Find the smallest and the largest possible total from these options:\\n\\nOption A: 3 items at "
                    "4.20 each, Option B: 5 items at 2.90 each, Option C: 2 items at 6.75 each. Which is the minimum?"),
                Category::kMultiStepReasoning);
}

// A list's item numbers are no quantities: three questions to sort, numbered,
// are no "problem with 3 numbers in 2 questions"; figures on a line's start are.
TEST(Features, ListItemNumbersAreNoQuantities) {
  // No figure in the first; "1.5", "3" and "12" in the second.
  EXPECT_EQ(
      features(ask("Sort these:\\n1. When is my refund due?\\n2) VPN down\\n3、 How many days of leave?")).numbers, 0);
  EXPECT_EQ(features(ask("Costs:\\n1.5 kg at 3 euros\\n12 boxes")).numbers, 3);
  // Three numbered questions to send to a department: counted as figures, they
  // made "a problem with 3 numbers in 3 questions", Pro.
  const Router router = default_router();
  expect_routed(router,
                ask("这些问题该找哪个部门（技术、财务、人事）？\\n1. 报销单什么时候能批下来？\\n2. "
                    "电脑连不上VPN\\n3. 年假还剩几天？"),
                Category::kStraightforwardQa);
}

// A problem told in three figures or more, asked as a question for a quantity
// ("how many", "wie lange", "几只", "quanti", "what is the profit"), is
// LABELLING.md's word problem: several quantities that interact,
// multi_step_reasoning. One or two figures are a one-step calculation, figures in
// a text given beside the question are looked up, and "quantities" is no
// "quanti". Probabilities and code that slows down are read in more languages.
TEST(Router, ProblemsToldInFiguresAndAskedForAQuantity) {
  const Router router = default_router();
  // 2, 3, 40 and 95: four figures.
  const Decision kiosk = route_ok(router, ask("A kiosk sells tea at 2 and cake at 3. One morning 40 customers each "
                                              "bought one thing and paid 95 in all. How many bought cake?"));
  EXPECT_EQ(kiosk.category, Category::kMultiStepReasoning);
  EXPECT_EQ(kiosk.tier, core::Tier::kPro);
  EXPECT_EQ(kiosk.reason,
            "multi_step_reasoning: a problem told in 4 figures that asks for a quantity (cue \"how many\" "
            "(quantity_ask))");
  expect_routed(router,
                ask("Zwei Pumpen füllen ein Becken: die erste in 4 Stunden, die zweite in 6 Stunden. Ein Abfluss "
                    "leert es in 12 Stunden. Wie lange dauert es, wenn alle drei offen sind?"),
                Category::kMultiStepReasoning);
  expect_routed(router, ask("笼子里有鸡和兔共35只，脚共94只。后来又放进去3只兔子。现在笼子里有几只兔子？"),
                Category::kMultiStepReasoning);
  expect_routed(router, ask("Quanti biglietti restano se ne vendo 120 su 300 il lunedì e 95 il martedì?"),
                Category::kMultiStepReasoning);
  // Quantities told in words are figures: 60, "ein Drittel" and "ein Viertel".
  expect_routed(router,
                ask("Ein Korb hat 60 Äpfel. Ein Drittel ist rot, ein Viertel ist grün, der Rest gelb. Wie viele sind "
                    "gelb?"),
                Category::kMultiStepReasoning);
  // A share of a bill: 90, 3 and 10.
  expect_routed(router, ask("Dinner came to 90 for 3 of us plus a 10% tip, but I skipped dessert. What does each pay?"),
                Category::kMultiStepReasoning);
  // A quantity to find, named: 40, 2.50, 34 and 4.20.
  expect_routed(router, ask("A stall buys 40 jars at 2.50 and sells 34 of them at 4.20. What is the profit?"),
                Category::kMultiStepReasoning);
  // Years are dates, not quantities: a lookup over three of them.
  expect_routed(router, ask("How many people lived in Berlin in 1900, 1950 and 2000?"), Category::kStraightforwardQa);
  // 1900, 1950 and 2000 are years; "2,000", "12345" and "1750" are not.
  EXPECT_EQ(features(ask("In 1900, 1950 and 2000?")).years, 3);
  EXPECT_EQ(features(ask("2,000 m, 12345 and 1750")).years, 0);
  // Amounts of money are no years: "2000元", "$1999", "2100 €".
  EXPECT_EQ(features(ask("年卡2000元, $1999 or 2100 € in 2001")).years, 1);
  // Figures listed one after another are one quantity to total: one operation.
  // "12, 15 and 30" lists 15 and 30 after 12; "$5, $10 & $15", 10 and 15;
  // "100円、200円、300円", 200 and 300. "3.20 and tubs at 4.50" and the spaces of
  // "10 2-legged animals and 15 4-legged" list nothing.
  expect_routed(router, ask("What is the total of 12, 15 and 30?"), Category::kStraightforwardQa);
  // The best of options worked out from their figures (200, 15 and 350).
  expect_routed(router,
                ask("Gym A costs 200 a month plus 15 a class, gym B 350 flat. I go about twice a week. "
                    "Which is cheaper?"),
                Category::kMultiStepReasoning);
  expect_routed(router, ask("网球馆：年卡2000元，次卡每次60元，十次卡500元。我每周打一次，买哪种最划算？"),
                Category::kMultiStepReasoning);
  // Whether the figures allow a plan (3, 20 and 75); without figures, a question.
  expect_routed(router, ask("We have 3 vans of 20 m3 each and 75 m3 of furniture. Can all of it go in one trip?"),
                Category::kMultiStepReasoning);
  expect_routed(router, ask("Can all members use the pool on Sundays?"), Category::kStraightforwardQa);
  // A split of the figures asked for: 64, 5, 2, 4, 9 and 13.
  expect_routed(router,
                ask("64 Spieler, 5 Plätze, Einzel für 2 oder Doppel für 4, von 9 bis 13 Uhr. Wie teilt man die "
                    "Plätze auf?"),
                Category::kMultiStepReasoning);
  EXPECT_EQ(features(ask("What is the total of 12, 15 and 30?")).listed, 2);
  EXPECT_EQ(features(ask("I paid $5, $10 & $15.")).listed, 2);
  EXPECT_EQ(features(ask("合計はいくら？100円、200円、300円")).listed, 2);
  EXPECT_EQ(features(ask("cones at 3.20 and tubs at 4.50")).listed, 0);
  EXPECT_EQ(features(ask("10 2-legged animals and 15 4-legged animals")).listed, 0);
  // One operation; one figure; figures in a document given to answer from.
  expect_routed(router, ask("What is 18% of 250?"), Category::kStraightforwardQa);
  expect_routed(router, ask("How many days are in 3 weeks?"), Category::kStraightforwardQa);
  expect_routed(router,
                ask("Document: 'Employees accrue 2.5 days of leave per month. Up to 5 days may be carried over; the "
                    "rest lapses on 31 March.'\\n\\nQuestion: how many days can I carry over?"),
                Category::kStraightforwardQa);
  CueHits h;
  CueScanner::builtin().scan("Is the quantity of 3 items at 4 and 5 each enough?", h);
  EXPECT_EQ(h[Signal::kQuantityAsk], 0);
  // A chance asked over a shuffled deck: a probability to work out ("chance",
  // "shuffle", "a deck", "of cards": four mathematical cues).
  expect_routed(router, ask("I shuffle a deck of cards and deal 2. What's the chance both are hearts?"),
                Category::kMultiStepReasoning);
  // A chance asked of a raffle ("raffle", "how likely": two mathematical cues);
  // a raffle's date is a question.
  expect_routed(router,
                ask("There are 500 raffle tickets and 4 prizes, and I bought 10. How likely am I to win "
                    "something?"),
                Category::kMultiStepReasoning);
  EXPECT_EQ(route_ok(router, ask("Is the raffle on Saturday?")).tier, Tier::kFlash);
  // A probability asked of dice or draws in Italian, as "the probability that" in
  // English; the probability of rain is a forecast.
  expect_routed(router, ask("Lanciando due dadi, qual è la probabilità di ottenere 7?"), Category::kMultiStepReasoning);
  expect_routed(router, ask("Qual è la probabilità di pioggia domani a Roma?"), Category::kStraightforwardQa);
  // "Espérance de vie" is a life expectancy, not an expected value.
  expect_routed(router, ask("Quelle est l'espérance de vie au Japon ?"), Category::kStraightforwardQa);
  // Code that gets slower and slower, in German: runtime behaviour, not code to fix.
  expect_routed(router,
                ask("Unsere Seite wird nach ein paar Stunden immer langsamer. Warum?\\n```js\\nconst cache = "
                    "[];\\nsetInterval(() => cache.push(load()), 1000);\\n```"),
                Category::kCodebaseDebugging);
}

// A running system's symptom shown with its code ("p99 spikes", "drains the
// battery") is a fault to find, as runtime trouble is; code to fix with no
// symptom is code. "Find all" is mathematical only of something mathematical.
// An expected value and "who has which" are read in more languages.
TEST(Router, SymptomsInCodeAndMathematicalFinds) {
  const Router router = default_router();
  expect_routed(router,
                ask("Our API's p99 spikes to 4 s every few minutes since we added this:\\n```python\\ndef "
                    "handler(req):\\n    time.sleep(0.5)\\n    return render(req)\\n```\\nWhy?"),
                Category::kCodebaseDebugging);
  expect_routed(router, ask("Fix this function:\\n```python\\ndef add(a, b):\\n    return a - b\\n```"),
                Category::kCodingModerate);
  expect_routed(router, ask("bash: how do I find all files over 100MB in my home folder"),
                Category::kStraightforwardQa);
  expect_routed(router, ask("Find all integer solutions of x^2 - y^2 = 21."), Category::kMultiStepReasoning);
  expect_routed(router, ask("Un juego cuesta 1 euro; se gana 5 con probabilidad 1/6. ¿Cuál es el valor esperado?"),
                Category::kMultiStepReasoning);
  expect_routed(router,
                ask("Anna, Ben und Cem haben je ein anderes Instrument: Geige, Flöte, Trommel. Anna spielt nicht "
                    "Geige, Ben nicht Flöte, Cem nicht Geige und nicht Trommel. Wer hat welches Instrument?"),
                Category::kMultiStepReasoning);
}

// "I need" in a question or before a verb asks for no text: a question about a
// handbook given is rag, not a handbook to write. "Modulo" is mathematical of a
// number, and an Italian "modulo" is a form.
TEST(Router, QuestionsThatNeedNoTextAndFormsThatAreNoModulo) {
  const Router router = default_router();
  expect_routed(router,
                ask("According to the handbook below, do I need a permit to park?\\n\\nStaff handbook: "
                    "parking\\n\\nStaff may park in the north car park with a permit from reception."),
                Category::kRag);
  expect_routed(router, ask("I need a 2,000-word essay on tides."), Category::kStructuredContent);
  // A text asked for as what we need, in German: its length makes it long.
  expect_routed(router, ask("Für den Verein brauchen wir ein Handbuch von etwa 12.000 Wörtern, alle Kapitel."),
                Category::kLongCoherentOutput);
  // Nor in an item to label: the intents offered are read for the utterances.
  expect_routed(router,
                ask("Detect the intent for each utterance (book_flight, cancel_booking, other):\\n\\n- I need to get "
                    "to Denver on the 3rd\\n- pls cancel my trip to Boston\\n- what's your phone number"),
                Category::kClassification);
  expect_routed(router, ask("Write the complete staff handbook, every section in full, about 12,000 words."),
                Category::kLongCoherentOutput);
  expect_routed(router, ask("What is 2^100 modulo 7?"), Category::kMultiStepReasoning);
  EXPECT_EQ(route_ok(router, ask("Compila il modulo di iscrizione con nome e telefono.")).tier, Tier::kFlash);
}

// Tasks named in more words and languages: a summary in Italian, a target language
// after "into", a register changed with the meaning kept, JSON asked in Chinese,
// items to group. "Un tableau" is an array beside a function, and a table when one
// is made of it.
TEST(Router, TasksNamedInMoreWords) {
  const Router router = default_router();
  expect_routed(router,
                ask("Riassumi in una riga: il negozio chiude per ferie dal 5 al 20 agosto e riapre il 21 con orario "
                    "normale."),
                Category::kSummarization);
  expect_routed(router, ask("Put into Swedish: 'The shop opens at nine.'"), Category::kTranslation);
  expect_routed(router, ask("Rewrite this more politely without changing the meaning: 'Pay now.'"),
                Category::kTranslation);
  expect_routed(router, ask("把下面的信息整理成JSON：名字 小王，年龄 30"), Category::kStructuredContent);
  expect_routed(router, ask("Group these into fruit and vegetables: apple, leek, pear"), Category::kClassification);
  expect_routed(router, ask("Écris une fonction JavaScript qui mélange un tableau."), Category::kCodingModerate);
  expect_routed(router, ask("Fais un tableau avec les jours et les horaires : lundi 9h, mardi 10h"),
                Category::kStructuredContent);
}

// Split 41's misses. A chat pasted for an earlier turn's request is its
// material, whose questions and figures are no problem to solve; the odds asked
// are a probability to work out ("at odds with" is not); a system "slower after"
// a change, or showing an entry twice, is a running system's fault, in code shown
// or told in Chinese beside "代码".
TEST(Router, PastedThreadsOddsAndRegressions) {
  const Router router = default_router();
  const std::string thread =
      R"({"model": "auto", "messages": [{"role": "user", "content": "Long group chat about the quiz night, I only )"
      R"(want what got decided"}, {"role": "assistant", "content": "OK, paste it."}, {"role": "user", "content": )"
      R"("Raj: pub or hall?\nEve: hall, it's 30 cheaper\nRaj: fine. start 7 or 8?\nEve: 8, and 12 teams max\n)"
      R"(Tom: I'll do the picture round"}]})";
  const Decision d = route_ok(router, thread);
  EXPECT_EQ(d.tier, Tier::kFlash) << d.reason;
  expect_routed(router,
                ask("we draw 2 names out of 8 at random for the raffle, what are the odds both are from our table"),
                Category::kMultiStepReasoning);
  EXPECT_EQ(route_ok(router, ask("This plan is at odds with what we agreed. Who signed it off?")).tier, Tier::kFlash);
  expect_routed(router,
                ask("Our export job got 5x slower after we added the audit column:\\n```python\\nfor row in "
                    "rows:\\n    if row.id in [r.id for r in seen]:\\n        continue\\n    seen.append(row)\\n```\\n"
                    "What's happening?"),
                Category::kCodebaseDebugging);
  expect_routed(
      router,
      ask("我们的网店在手机和电脑同时登录时，收藏夹里的商品会重复出现。合并两个列表时没有去重，代码在 fav.py 和 "
          "sync.py 里。问题在哪？"),
      Category::kCodebaseDebugging);
}

// Split 43's misses. A fault that comes and goes in code shown is one to find
// when its cause is asked, though a `def` reads as code to write; a system right
// on one machine and wrong on another, and a disk that fills, are running
// systems' faults, also told in Polish; "qué edad" asks for a quantity.
TEST(Router, FaultsByMachineDiskAndLanguage) {
  const Router router = default_router();
  expect_routed(
      router,
      ask("Our booking endpoint sometimes gives one seat to two people:\\n```python\\ndef book(seat, "
          "user):\\n    if seat.owner is None:\\n        seat.owner = user\\n        seat.save()\\n```\\nWhy?"),
      Category::kCodebaseDebugging);
  expect_routed(router,
                ask("Our invoice dates print fine locally but on the staging box every date is a day early. What's "
                    "going on?"),
                Category::kCodebaseDebugging);
  expect_routed(router,
                ask("Our nightly exports keep filling the disk on the worker even though the cleanup job runs. What's "
                    "eating the space?"),
                Category::kCodebaseDebugging);
  expect_routed(router, ask("Nasz serwer przestaje odpowiadać kilka minut po aktualizacji. Dlaczego?"),
                Category::kCodebaseDebugging);
  EXPECT_EQ(features(ask("¿Qué edad tiene cada uno?")).cues[Signal::kQuantityAsk], 1);
  expect_routed(router,
                ask("Ana tiene el doble de la edad de Luis. Hace 4 años, la suma de sus edades era 28. ¿Qué edad tiene "
                    "cada uno?"),
                Category::kMultiStepReasoning);
}

// Split 44's misses. A proof of service is a document; a short text with its
// short length stated is what it says, whatever its subject ("a 120-word blurb
// for my novel"), and a length of each part is no total; a weekday to work out,
// a probability asked "how likely", the soonest finish of several jobs, people
// compared both ways, and a program that "started writing" wrong dates are
// problems and faults. One comparison is a question.
TEST(Router, DocumentsShortTextsAndOrderings) {
  const Router router = default_router();
  expect_routed(router,
                ask("According to the letter below, how long is the guarantee?\\n\\nYour roof is guaranteed for 10 "
                    "years from completion. Proof of service by an approved roofer must be kept for any claim."),
                Category::kRag);
  expect_routed(router, ask("Write a 120-word blurb for my fantasy novel about a dragon who runs a library."),
                Category::kStructuredContent);
  EXPECT_EQ(features(ask("all nine sections, ~1,300 words apiece")).cues[Signal::kEach], 1);
  expect_routed(router, ask("What day of the week was 1 January 1900? Work it out."), Category::kMultiStepReasoning);
  expect_routed(
      router,
      ask("Two suppliers: X ships 70% of our parts with 1% defective, Y ships 30% with 4% defective. A part is "
          "returned as defective. How likely is it that it came from Y?"),
      Category::kMultiStepReasoning);
  expect_routed(
      router,
      ask("Jobs P, Q and R go through a cutter then a press. Times (cutter, press): P (2, 5), Q (4, 1), R (3, "
          "3). Which order finishes soonest?"),
      Category::kMultiStepReasoning);
  expect_routed(router,
                ask("Tom is taller than Ann but shorter than Raj. Sue is taller than Raj. Who is tallest, and who is "
                    "shortest?"),
                Category::kMultiStepReasoning);
  EXPECT_EQ(route_ok(router, ask("Is the Colosseum older than the Pantheon?")).tier, Tier::kFlash);
  expect_routed(router,
                ask("Our billing program started writing negative balances for some accounts after the migration. "
                    "What's the bug?"),
                Category::kCodebaseDebugging);
  // The floor every request gets names no signal in the reason.
  const Decision mc = route_ok(router, ask("Who wrote it?\\nA. Austen\\nB. Eliot\\nC. Bronte\\nD. Woolf"));
  EXPECT_EQ(mc.reason,
            "straightforward_qa: a multiple-choice question (4 options), cue \"who \" (question), a question");
}

// Split 45's misses: requests in Dutch and Indonesian (a quantity asked, actions
// for tools, a length in words), a fault told and then "Explain.", and a YAML
// file of parts "each with" a few fields, which is structured content.
TEST(Router, DutchIndonesianAndYaml) {
  const Router router = default_router();
  expect_routed(router,
                ask("Een bakkerij bakt 240 broden per dag, verkoopt er 85% van en geeft de helft van de rest aan de "
                    "voedselbank. Hoeveel broden gooit ze in 6 dagen weg?"),
                Category::kMultiStepReasoning);
  expect_routed(router,
                ask("Our checkout randomly logs users out during the evening sale. Sessions sit in the same Redis as "
                    "our cache with an LRU eviction policy. Explain."),
                Category::kCodebaseDebugging);
  const std::string dutch_tools =
      ask("Zoek de klanten met een verlopen abonnement, controleer hun laatste betaling en stuur ze daarna een "
          "herinnering.",
          tools_named({"find_customers", "last_payment", "send_email"}));
  EXPECT_EQ(route_ok(router, dutch_tools).category, Category::kAgentToolChaining);
  // 12,000 "kata" (words) at 150 tokens per 100.
  EXPECT_EQ(features(ask("Tuliskan novel lengkap tentang seorang nelayan di Bali, sekitar 12.000 kata."))
                .requested_output_tokens,
            18000);
  expect_routed(router, ask("Tuliskan novel lengkap tentang seorang nelayan di Bali, sekitar 12.000 kata."),
                Category::kLongCoherentOutput);
  expect_routed(router,
                ask("Give me a YAML file for two services (api, worker), each with an image and a replicas count."),
                Category::kStructuredContent);
}

// Split 46's misses: an .htaccess file is code; a shortest path over given sizes
// and the fewest weeks of a fixture list are problems; "look up" is an action,
// and so are Polish verbs for tools; a Polish story in "słów" and a poem in lines
// name their length (2,000 lines at 10 tokens a line).
TEST(Router, HtaccessPathsFixturesPolishAndLines) {
  const Router router = default_router();
  expect_routed(router, ask("Write a .htaccess file that blocks /admin for everyone except 10.0.0.5."),
                Category::kCodingModerate);
  expect_routed(router,
                ask("A spider sits in one corner of a room 6 m long, 4 m wide and 3 m high. What's the shortest path "
                    "over the walls and floor to the opposite corner?"),
                Category::kMultiStepReasoning);
  expect_routed(router,
                ask("Eight chess clubs each play each other once, one match per club per week. What's the minimum "
                    "number of weeks? Give a fixture list."),
                Category::kMultiStepReasoning);
  const std::string tools = tools_named({"search", "send_email"});
  EXPECT_EQ(route_ok(router, ask("Look up the members whose subscription lapsed last month and send each a renewal "
                                 "link.",
                                 tools))
                .category,
            Category::kAgentToolChaining);
  EXPECT_EQ(
      route_ok(router, ask("Znajdź nieopłacone faktury i wyślij przypomnienie do każdego klienta.", tools)).category,
      Category::kAgentToolChaining);
  expect_routed(router, ask("Napisz pełne opowiadanie, około 7 000 słów, o latarniku na Helu."),
                Category::kLongCoherentOutput);
  EXPECT_EQ(features(ask("Write an epic poem of about 2,000 lines about a river that runs backwards."))
                .requested_output_tokens,
            20000);
  expect_routed(router, ask("Write an epic poem of about 2,000 lines about a river that runs backwards."),
                Category::kLongCoherentOutput);
  // Lines count only beside a creative text: a config's 2,000 lines ask for none.
  EXPECT_EQ(features(ask("Write a review of our 2,000 lines of nginx config.")).requested_output_tokens, 0);
}

// Split 47's misses. A question about a text given after a lead is answered from
// it, whatever the text's own words ask or plan ("write any damage in the log
// book", "allocated for a season"): the text asked for is the lead's. Items put
// "into the right group" are labelled; an email drafted "to each" found is a step.
TEST(Router, GivenTextsGroupsAndToEach) {
  const Router router = default_router();
  const std::string rules =
      "From the club rules below, when do lockers have to be emptied?\\n\\nLockers are allocated for a season. "
      "Members must write any damage in the log book at reception and empty their lockers by 30 September. The "
      "clubhouse closes at 10pm.";
  // A text asked for in the lead: its writing verbs, formats and creative forms.
  auto lead_writes = [](const std::string& body) {
    const CueHits lead = features(body).lead_cues;
    return lead[Signal::kWriteVerb] + lead[Signal::kStructured] + lead[Signal::kCreative];
  };
  EXPECT_EQ(lead_writes(ask(rules)), 0);
  expect_routed(router, ask(rules), Category::kRag);
  EXPECT_EQ(lead_writes(ask("Write a reply to the email below.\\n\\nHi, can we move the call to 3pm? Thanks, Jo")), 1);
  expect_routed(router,
                ask("Put these instruments into the right group - strings, brass, woodwind: violin, trumpet, flute, "
                    "cello, oboe, tuba"),
                Category::kClassification);
  const std::string rents =
      ask("Work out which landlords raised rents this year by comparing the two rent rolls, and draft a letter to each "
          "asking for a review.",
          tools_named({"get_rent_roll", "draft_letter"}));
  EXPECT_EQ(route_ok(router, rents).category, Category::kAgentToolChaining);
}

// Split 48's misses: powers compared "no calculator" ask for a derivation, and
// "pick the intent" labels items.
TEST(Router, NoCalculatorAndIntents) {
  const Router router = default_router();
  expect_routed(router, ask("Which is larger, 50^51 or 51^50? No calculator."), Category::kMultiStepReasoning);
  expect_routed(router,
                ask("Pick the intent for each message: refund, delivery, other.\\n1. where is my parcel\\n2. I want my "
                    "money back\\n3. do you have a shop in Leeds"),
                Category::kClassification);
}

// Split 49's misses: "what's causing" asks for a cause, and a plugin, a callback
// or an app is a running system's part; "better off" paying a debt or saving,
// with the rates given, is a comparison to work out.
TEST(Router, CausesOfPluginsAndBetterOff) {
  const Router router = default_router();
  expect_routed(router,
                ask("Our synth plugin crackles only when the host buffer is 32 samples. What's causing the crackle?"),
                Category::kCodebaseDebugging);
  expect_routed(
      router,
      ask("Am I better off clearing my 2,500 overdraft at 19% or keeping the cash in savings at 4% for a year?"),
      Category::kMultiStepReasoning);
  EXPECT_EQ(route_ok(router, ask("Is it better to rent or buy in general?")).tier, Tier::kFlash);
}

// Split 50's misses. A text given to a lead that asks something of it is
// material: its "churn" and "NPV" make no problem of "what's our cash?", while
// the same word in the lead's own question does. A short length stated makes a
// short text; a TypeScript type is code; the fewest bags is an optimum; a cron
// job on two servers, Spanish actions for tools, a German play and a long-read
// are read.
TEST(Router, MaterialWordsShortLengthsAndMore) {
  const Router router = default_router();
  const std::string figures =
      "\\n\\nRevenue 4.1m (up 6%), churn 2.4% a month, NPV of the new product line 1.2m, cash 7.9m, 312 new "
      "customers, 84 staff.";
  expect_routed(router, ask("From the figures below, what is our cash position?" + figures), Category::kRag);
  expect_routed(router, ask("Turn the figures below into a markdown table." + figures), Category::kStructuredContent);
  expect_routed(router,
                ask("With the figures below, if churn stays at 2% a month, how many of our 1,000 customers remain "
                    "after a year?\\n\\nCustomers 1,000 on 1 January, churn 2% monthly, no new sales planned."),
                Category::kMultiStepReasoning);
  expect_routed(router, ask("Which of these words are anagrams of 'listen'? silent, enlist, tinsel, listens, inlets"),
                Category::kClassification);
  const Decision post = route_ok(router, ask("Write a 150-word welcome post for new members of our chess club."));
  EXPECT_EQ(post.category, Category::kStructuredContent);
  // 150 words at 1.33 tokens a word.
  EXPECT_EQ(post.reason, "structured_content: a short text asked for (about 199 output tokens)");
  expect_routed(router, ask("What does this TypeScript type mean? `type Keys<T> = keyof T & string`"),
                Category::kCodingModerate);
  expect_routed(router,
                ask("We must fit 11 parcels of 3, 4, 4, 5, 6, 6, 7, 8, 8, 9 and 9 kg into bags of at most 15 kg. "
                    "What's the fewest bags?"),
                Category::kMultiStepReasoning);
  expect_routed(router, ask("Unser Cronjob läuft manchmal doppelt, er ist auf zwei Servern eingerichtet. Warum?"),
                Category::kCodebaseDebugging);
  expect_routed(router,
                ask("Ein Theaterstück bitte, drei Akte, vollständig ausgeschrieben: zwei Brüder erben ein Kino."),
                Category::kLongCoherentOutput);
  expect_routed(router, ask("Long-read please, about 8,000 words: the history of the Thames Barrier."),
                Category::kLongCoherentOutput);
  // A length per part is no short total: 16 weeks at about 1,000 words a week.
  const std::string plan =
      "Produce a 16-week training plan for a first triathlon, every week in full, about 1,000 words per week.";
  EXPECT_EQ(features(ask(plan)).cues[Signal::kEach], 1);
  EXPECT_EQ(route_ok(router, ask(plan)).tier, Tier::kPro);
}

// Split 51's misses: ages told as multiples ("4 times my age", "will have
// double") are figures of a word problem, in a learner's English too; a request
// that "fail[s] with" an error, a job run on several servers at once, and
// "explain and fix" are a fault and its ask; Italian actions for tools are read.
TEST(Router, AgesFailuresAndItalianTools) {
  const Router router = default_router();
  expect_routed(router, ask("my sister have 4 times my age, in 10 years she will have double. how old are we now?"),
                Category::kMultiStepReasoning);
  expect_routed(router,
                ask("Our uploads fail with SignatureDoesNotMatch from the CI runner; the proxy rewrites some headers. "
                    "Why?"),
                Category::kCodebaseDebugging);
  expect_routed(router,
                ask("Our reminder script emails some customers twice when it runs on both servers at once. Explain "
                    "and fix."),
                Category::kCodebaseDebugging);
  EXPECT_EQ(features(ask("Our nightly job runs on three servers at once.")).cues[Signal::kConcurrency], 1);
  const std::string italian = ask("Recupera gli ordini di ieri e per ogni ordine crea una fattura.",
                                  tools_named({"get_orders", "create_invoice"}));
  EXPECT_EQ(route_ok(router, italian).category, Category::kAgentToolChaining);
}

// Split 52's misses: "the smallest number" and "what does each pay" ask for a
// quantity, so a remainder puzzle is a problem and its follow-up with new figures
// keeps Pro; three actions or more for several tools ("read the", "compare them",
// "draft") outweigh the formats they produce.
TEST(Router, SmallestNumbersSharesAndThreeActions) {
  const Router router = default_router();
  expect_routed(router,
                ask("Three housemates split a 900 heating bill by room size (12, 15 and 18 m2), but one also runs a 1 "
                    "kW heater 4 hours a day for 60 days at 0.30 per kWh, billed to them alone. What does each pay?"),
                Category::kMultiStepReasoning);
  const std::string puzzle =
      R"({"model": "auto", "messages": [{"role": "user", "content": "Shared among 4 children a bag leaves 3 over; )"
      R"(among 9 it leaves 1 over. What's the smallest number of sweets?"}, {"role": "assistant", "content": "19: )"
      R"(it leaves 3 over among 4 and 1 over among 9."}, {"role": "user", "content": "now the same but for 5 )"
      R"(children and 2 left over"}]})";
  EXPECT_EQ(route_ok(router, puzzle).tier, Tier::kPro);
  const std::string lease =
      ask("Read the lease, extract the break clause, compare it with our template, and draft an email to the landlord "
          "about the differences.",
          tools_named({"read_document", "get_template", "draft_email"}));
  EXPECT_EQ(route_ok(router, lease).category, Category::kAgentToolChaining);
}

// Split 42's misses, read after its one measurement. A fault told about the
// sender's system is no specific Flash cue for its code cue ("our websocket
// server in Python"), though a fault in a text to label is; lettered items with
// a label for each are items, not options; a question about a manual given is
// answered from it, whatever "maximum", "capacity" or "(extract)" it holds; a
// school year is no count of lessons; the Roman Empire is no novel; messages
// sorted into labels are labelled; a Russian guide asks for its length in слов.
TEST(Router, FaultsToldItemsToLabelAndManualsGiven) {
  const Router router = default_router();
  EXPECT_TRUE(classify(features(ask("Our websocket server in Python delays messages for everyone. Why?"))).fault_told);
  EXPECT_FALSE(classify(features(ask("Summarize this bug report: the server crashes sometimes."))).fault_told);
  expect_routed(router,
                ask("Tag each bug report with its component (frontend, backend, infra):\\nA. Button text overflows "
                    "on mobile\\nB. /api/orders returns 500\\nC. Disk full on the replica"),
                Category::kClassification);
  expect_routed(router,
                ask("Using the manual below, what's the max amount of water I can put in?\\n\\nKettle manual "
                    "(extract)\\n\\nCapacity: 1.7 litres (maximum line), 0.5 litres minimum. Power: 2,200 W. "
                    "Warranty: 2 years, covering faults in materials."),
                Category::kRag);
  EXPECT_EQ(
      features(ask("Write a one-page lesson plan for a 45-minute year 4 lesson on rivers.")).requested_output_tokens,
      0);
  EXPECT_EQ(route_ok(router, ask("Write five true-or-false questions about the Roman Empire for a quiz.")).tier,
            Tier::kFlash);
  expect_routed(router, ask("Sort these customer messages into billing or technical: 1. charged twice 2. app crashes"),
                Category::kClassification);
  // 8,000 слов at 150 tokens per 100.
  EXPECT_EQ(features(ask("Напиши подробный рассказ о море, не меньше 8000 слов.")).requested_output_tokens, 12000);
  expect_routed(router, ask("Напиши подробный рассказ о море, не меньше 8000 слов."), Category::kLongCoherentOutput);
}

// Split 53's misses: a policy given to answer from holds its own actions
// ("escalate", "page"), not a task for a tool; tests that fail on one machine
// but pass on another, a search that returns nothing and times off by an hour
// are faults.
TEST(Router, PoliciesGivenAndFaultsByMachine) {
  const Router router = default_router();
  const std::string policy = ask(
      "Here's our on-call policy. Who do I call after an hour?\\n\\nPrimary on-call acknowledges within 5 minutes. "
      "After 30 minutes, escalate to the secondary. After 60 minutes, page the engineering manager and post an update "
      "in #incidents.",
      tools_named({"page"}));
  EXPECT_EQ(route_ok(router, policy).category, Category::kRag);
  expect_routed(router, ask("Our integration tests fail on the ARM runners but pass on x86. Why?"),
                Category::kCodebaseDebugging);
  expect_routed(router, ask("Our product search returns nothing for accented names since the import. What's going on?"),
                Category::kCodebaseDebugging);
  expect_routed(router, ask("Times from our booking service are off by 30 minutes for users in India. What's wrong?"),
                Category::kCodebaseDebugging);
}

// Split 54's misses: a lead that is a word problem itself works a result out of
// the text after it, and an upload with "no resume" asks for no summary (the
// Spanish "resume este acta" does).
TEST(Router, WordProblemLeadsAndResume) {
  const Router router = default_router();
  expect_routed(
      router,
      ask("With the report below: the crew is 80% done after 4 weeks and the next roof is 1.5 times the size. "
          "How many more weeks until both are done?\\n\\nSite report: roof on block A nearly done, block B "
          "next, scaffolding up on both, skip to move by Friday."),
      Category::kMultiStepReasoning);
  EXPECT_EQ(features(ask("Uploads of 10 MB photos time out on 4G, with no resume. What's going on?"))
                .cues[Signal::kSummarize],
            0);
  EXPECT_EQ(features(ask("Resume este acta en tres líneas: se aprueba la derrama.")).cues[Signal::kSummarize], 1);
}

// Split 55's misses, read after its one measurement. Code shown is no specific
// Flash cue: a system's code beside a fault told in words no cue knows ("now and
// then get a receipt meant for somebody else") goes where the tier model puts it
// (0.81 for this one with the shipped weights), and to codebase_debugging, while
// a snippet to explain stays Flash.
TEST(Router, CodeShownBesideAFaultToldInPlainWords) {
  const Router router = default_router();
  const std::string receipts =
      ask("Customers now and then get a receipt meant for somebody else. The mailer:\\n\\nlast_order = None\\n\\ndef "
          "on_paid(order):\\n    global last_order\\n    last_order = order\\n    queue.put(send_receipt)\\n\\ndef "
          "send_receipt():\\n    mail(last_order.email, render(last_order))");
  EXPECT_TRUE(classify(features(receipts)).shape_only);
  expect_routed(router, receipts, Category::kCodebaseDebugging);
  expect_routed(router, ask("What does this print?\\n\\nxs = [1, 2, 3]\\nys = xs\\nys.append(4)\\nprint(xs)"),
                Category::kStraightforwardQa);
  // A code task named beside the code is a specific cue, whatever the model says
  // (0.74 for this one after split 56's retrain, 0.56 now): HumanEval's functions
  // to complete stay Flash.
  const std::string complete =
      ask("Complete this Python function:\\n\\n```python\\ndef min_path(grid, k):\\n    \\\"\\\"\\\"Given an N "
          "x N grid holding each of 1..N*N once, find the minimum path of length k,\\n    visiting exactly k cells "
          "(not necessarily distinct), moving to neighbour cells that share an edge.\\n    A path is less than "
          "another if its ordered list of values is lexicographically smaller.\\n    Return the ordered list of "
          "values on the minimum path.\\\"\\\"\\\"\\n```");
  EXPECT_FALSE(classify(features(complete)).shape_only);
  expect_routed(router, complete, Category::kCodingModerate);
}

// A fault told in one of several quoted items to label is the item's: the
// items are counted beside a bug named ("crashes"), and the labels offered for
// them are no reading of the shape alone, so the model's word on "open",
// "wrong" and "app" (0.78 after split 55's retrain) does not move them.
TEST(Router, AFaultToldInAnItemToLabelIsTheItems) {
  const Router router = default_router();
  const std::string tickets =
      ask("Put each of these messages under billing, technical or account:\\n1. 'I paid but the order says "
          "unpaid'\\n2. 'The app crashes when I open my basket'\\n3. 'The invoice shows the wrong address'\\n4. 'Can "
          "I merge my two logins?'");
  const Features f = features(tickets);
  EXPECT_EQ(f.offered_labels, 1);
  EXPECT_EQ(f.quoted_items, 4);
  EXPECT_FALSE(classify(f).shape_only);
  expect_routed(router, tickets, Category::kClassification);
}

// Split 55's misses told in words the lexicon lacked: places in a race
// ("directly behind", "somewhere behind") are two comparisons of an ordering
// puzzle; growth from one period to the next is worked out from the figures
// given; the old avatar still seen beside the code that caches it is a symptom
// in code shown; "text each" of the members is an action beside "cancel".
TEST(Router, PlacesInARaceGrowthStaleDataAndTextingEach) {
  const Router router = default_router();
  expect_routed(router,
                ask("Six runners finish a race. Mo finished directly behind Lia, and Sam somewhere behind Mo. Lia was "
                    "not first. Who could have won?"),
                Category::kMultiStepReasoning);
  expect_routed(router,
                ask("Visits per day:\\nMon 320\\nTue 410\\nWed 390\\nThu 515\\nFri 480\\n\\nWhich day grew the most "
                    "on the day before, and by how much?"),
                Category::kMultiStepReasoning);
  expect_routed(router,
                ask("Since the last release people still see the old avatar after uploading a new one. What's "
                    "wrong?\\n\\ndef upload(uid, f):\\n    url = storage.put(f)\\n    db.set_avatar(uid, url)\\n\\ndef "
                    "avatar(uid):\\n    return cache.get_or_set(f'av:{uid}', lambda: db.avatar(uid), 3600)"),
                Category::kCodebaseDebugging);
  expect_routed(router,
                ask("Cancel every booking for tomorrow's closed session and text each of the members.",
                    tools_named({"list_bookings", "cancel", "send_sms"})),
                Category::kAgentToolChaining);
}

// Split 56's misses. A word problem asked without a question mark; the cheapest
// mix of two vehicles for a total; a take-home pay worked out from tax bands; a
// script killed by the system, whose "summary = …" names a variable, not a
// summary asked for; and meetings to find, move and tell the attendees about.
TEST(Router, QuestionsWithoutMarksCheapestMixesAndNamesInCode) {
  const Router router = default_router();
  expect_routed(router,
                ask("a tank holds 300 litres and starts with 40. a hose adds 12 litres an hour but it leaks 2 an hour, "
                    "how many hours before its full"),
                Category::kMultiStepReasoning);
  EXPECT_EQ(classify(features(ask("Vans carry 12 people and cost 90 a day, cars carry 4 and cost 40. We need to "
                                  "move 50 people. Cheapest combination?")))
                .category,
            Category::kMultiStepReasoning);
  expect_routed(router,
                ask("I earn 52,000. Tax is 20% above 12,570 and 40% above 50,270, and NI is 8% between 12,570 and "
                    "50,270. What's my monthly take-home?"),
                Category::kMultiStepReasoning);
  expect_routed(
      router,
      ask("Mon script Python importe un gros fichier et se fait tuer par le système après une heure. "
          "Pourquoi ?\\n\\nrows = []\\nfor line in open('big.csv'):\\n    rows.append(parse(line))\\n\\nsummary "
          "= aggregate(rows)"),
      Category::kCodebaseDebugging);
  expect_routed(router,
                ask("Find the events that overlap the board meeting on Friday, move them to Monday and tell the "
                    "attendees.",
                    tools_named({"list_events", "move_event", "email_attendees"})),
                Category::kAgentToolChaining);
}

// Split 58's misses. A language named for code in an earlier turn ("The
// frontend is in JavaScript") is no code task named, and a fault that persists
// after a change ("still wrong") is a symptom: beside the code shown in the new
// turn, a bug to find.
TEST(Router, ALanguageNamedEarlierIsNoCodeTask) {
  const Router router = default_router();
  const std::string body =
      R"({"model": "auto", "messages": [{"role": "user", "content": "Our cart badge shows the wrong count )"
      R"(sometimes. The frontend is in JavaScript."}, {"role": "assistant", "content": "Make sure the badge reads )"
      R"(the count after the cart request finishes, not before."}, {"role": "user", "content": "still wrong after )"
      R"(that change, it lags one item behind:\n\nasync function add(item) {\n  cart.push(item);\n  )"
      R"(api.post('/cart', item);\n  badge.textContent = await api.get('/cart/count');\n}"}]})";
  const Features f = features(body);
  EXPECT_EQ(f.context_cues[Signal::kCodeLang], 1);  // "in javascript"
  EXPECT_EQ(f.context_cues[Signal::kCodeTask], 0);
  EXPECT_EQ(f.cues[Signal::kSymptom], 1);  // "still wrong"
  expect_routed(router, body, Category::kCodebaseDebugging);
}

// Split 59's misses (and split 58's dosing card). A text quoted whole and asked
// about is given to answer from, as a text after a blank line is: its figures are
// looked up, not a word problem's. A problem quoted with its own question is
// still one.
TEST(Router, ATextQuotedWholeAndAskedAboutIsGiven) {
  const Router router = default_router();
  const std::string label =
      ask("The label on the bottle says: 'Adults: 2 capsules every 6 hours with water, no more than 8 capsules in 24 "
          "hours. Not for children under 12.' How many capsules can I take in a day at most?");
  const Features f = features(label);
  EXPECT_EQ(f.quoted_items, 1);
  EXPECT_EQ(f.quoted_bytes, 110);  // the quote, its two quote marks included
  EXPECT_FALSE(f.quoted_asks);
  expect_routed(router, label, Category::kRag);
  const std::string homework =
      ask("My son's homework says: 'A tank holds 300 litres. It starts with 40 and a hose adds 12 litres an hour "
          "while 2 litres an hour leak out. How many hours until it is full?' Can you help him?");
  EXPECT_TRUE(features(homework).quoted_asks);
  expect_routed(router, homework, Category::kMultiStepReasoning);
}

// Who is free when is a schedule's condition ("only free from 4", "can only come
// before 4:30"); a growth rate over figures given is worked out of them.
TEST(Router, AvailabilityConditionsAndGrowthRates) {
  const Router router = default_router();
  expect_routed(router,
                ask("Fit 4 parent meetings into Tuesday between 3 and 6, 30 minutes each, with the head teacher only "
                    "free from 4, and Mr Ali can only come before 4:30. Does it work? Give the times."),
                Category::kMultiStepReasoning);
  expect_routed(router,
                ask("Subscribers:\\nQ1 1,200\\nQ2 1,350\\nQ3 1,310\\nQ4 1,540\\n\\nWhat's the average quarterly growth "
                    "rate, and which quarter lost subscribers?"),
                Category::kMultiStepReasoning);
}

// A long text named with its length at the head of a request that asks nothing
// else is asked for (split 59: "A 25-page research report on …"); lessons are no
// length of text, and a question about a text of that length asks for none.
TEST(Router, ALengthAtTheHeadOfANounPhraseRequest) {
  const Router router = default_router();
  const std::string guide =
      ask("A 30-page field guide to the wild mushrooms of Wales, with identification keys and lookalikes.");
  EXPECT_EQ(features(guide).leading_length_tokens, 19500);  // 30 pages at 650 tokens
  expect_routed(router, guide, Category::kLongCoherentOutput);
  const std::string record = ask("JSON please: learner Ana Ruiz, 18 lessons done, theory passed, test booked 3 June");
  EXPECT_EQ(features(record).leading_length_tokens, 0);
  EXPECT_EQ(route_ok(router, record).tier, Tier::kFlash);
  EXPECT_EQ(route_ok(router, ask("A 30-page thesis is due Friday, how do I structure the chapters?")).tier,
            Tier::kFlash);
}

// Split 60's misses: the same text in a softer register is translation
// (LABELLING.md), not a question (the model had moved one to Pro at 0.72).
TEST(Router, ASofterRegisterIsTranslation) {
  const Router router = default_router();
  expect_routed(router,
                ask("Soften this before I send it to the client: 'We need the signed form back today or the slot goes "
                    "to someone else.'"),
                Category::kTranslation);
}

// A thread pasted as a later turn, for an earlier turn's summary, is the summary's
// material beside tools: "check the cable", "send a technician" and "close this
// chat" are no actions asked for.
TEST(Router, AThreadPastedForAnEarlierSummaryIsNoAgentTask) {
  const Router router = default_router();
  const std::string body =
      R"({"model": "auto", "messages": [{"role": "user", "content": "Summarize this chat for the handover notes"},)"
      R"( {"role": "assistant", "content": "Sure, paste it."}, {"role": "user", "content": "Customer: the router )"
      R"(shows a red light\nAgent: please check the cable and restart it\nCustomer: done, still red\nAgent: I )"
      R"(will send a technician and close this chat"}], "tools": [{"type": "function", "function": {"name": )"
      R"("close_ticket"}}, {"type": "function", "function": {"name": "add_note"}}]})";
  const Decision d = route_ok(router, body);
  EXPECT_EQ(d.tier, Tier::kFlash) << d.reason;
  EXPECT_EQ(d.category, Category::kSummarization) << d.reason;
}

// Code run by several threads that fails now and then is a fault to find; code
// asked for in a named language is code, whatever maths words it uses; a text
// said to be long, in full and not an outline, is long output.
TEST(Router, ThreadsLanguagesAndLongTextsSaidOutright) {
  const Router router = default_router();
  const std::string code = R"(\n```cpp\nauto it = m_.find(k);\nif (it != m_.end()) return it->second;\n)"
                           R"(std::lock_guard<std::mutex> g(mu_);\nm_[k] = item;\n```)";
  expect_routed(router, ask("这段C++代码在多线程下偶尔崩溃，为什么？" + code), Category::kCodebaseDebugging);
  expect_routed(router, ask("用Java写一个方法，把一个整数列表里的偶数挑出来并按从大到小排序返回。"),
                Category::kCodingModerate);
  expect_routed(router,
                ask("Write our onboarding wiki: setup, architecture, reviews, deploys, on-call. Write all of it in "
                    "full, not an outline, it'll be long."),
                Category::kLongCoherentOutput);
}

// Words of runtime trouble in a text given to summarize (or translate, sort,
// extract from) are the text's, not a fault to find: a postmortem to summarize
// is a summary. The same words asked about are a fault to find.
TEST(Router, RuntimeTroubleInATextToSummarizeIsItsMaterial) {
  const Router router = default_router();
  const std::string postmortem =
      "Incident 2291. Checkout errors for 45 minutes. Root cause: a config change lowered the database "
      "connection pool to 50 at seasonal peak, and the pool was exhausted.";
  expect_routed(router, ask("Summarize the decisions of this postmortem.\\n\\n" + postmortem),
                Category::kSummarization);
  expect_routed(router, ask(postmortem + " Why is the pool exhausted when the old binary was restored? Find the bug."),
                Category::kCodebaseDebugging);
}

// A conversation keeps its tier unless the new turn brings evidence: a turn that
// asks nothing of its own takes the category of the nearest earlier user turn
// that did (up to three back); a turn with a task of its own is judged on it.
TEST(Router, AFollowUpThatAsksNothingNewKeepsTheConversationsTier) {
  const Router router = default_router();
  auto chat = [](std::initializer_list<std::string> turns) {
    std::string body = R"({"model":"auto","messages":[)";
    bool user = true, first = true;
    for (const std::string& t : turns) {
      body += first ? "" : ",";
      body += std::string(R"({"role":")") + (user ? "user" : "assistant") + R"(","content":")" + t + "\"}";
      user = !user;
      first = false;
    }
    return body + "]}";
  };
  auto decide = [&](const std::string& body) { return route_ok(router, body); };
  const std::string proof = "Prove that the square root of 2 is irrational.";
  const std::string answer = "Suppose it is p/q in lowest terms; then p and q are both even, a contradiction.";
  ASSERT_EQ(decide(ask(proof)).tier, Tier::kPro);
  ASSERT_EQ(decide(ask("Is this true?")).tier, Tier::kFlash);

  // "Is this true?" after a proof is still about the proof.
  Decision d = decide(chat({proof, answer, "Is this true?"}));
  EXPECT_EQ(d.tier, Tier::kPro);
  EXPECT_EQ(d.category, Category::kMultiStepReasoning);
  EXPECT_EQ(d.reason.rfind("multi_step_reasoning: a follow-up that asks nothing new keeps the conversation's "
                           "multi_step_reasoning (1 turn back: ",
                           0),
            0u)
      << d.reason;
  // Two generic turns on, the proof still holds the conversation.
  d = decide(chat({proof, answer, "Thanks.", "You're welcome.", "And once more, shorter?"}));
  EXPECT_EQ(d.tier, Tier::kPro);
  EXPECT_NE(d.reason.find("(2 turns back: "), std::string::npos) << d.reason;
  // A new turn with a task of its own is judged on it: a translation is Flash.
  d = decide(chat({proof, answer, "Translate your answer into French."}));
  EXPECT_EQ(d.category, Category::kTranslation);
  EXPECT_EQ(d.tier, Tier::kFlash);
  // A generic follow-up of Flash work stays Flash and keeps its category.
  d = decide(chat({"Translate into German: good morning", "Guten Morgen", "Is this true?"}));
  EXPECT_EQ(d.category, Category::kTranslation);
  EXPECT_EQ(d.tier, Tier::kFlash);
  // The features alone (no conversation to read back) judge the last turn.
  EXPECT_EQ(router.decide(features(chat({proof, answer, "Is this true?"})), {}).tier, Tier::kFlash);
  // The gateway's path, from a parsed body, decides the same.
  simdjson::dom::parser parser;
  const std::string body = chat({proof, answer, "Is this true?"});
  EXPECT_EQ(router.route_or_default(wire::ChatView(parser.parse(body).value(), wire::Protocol::kOpenAi), {}).tier,
            Tier::kPro);
}

// A specific Flash cue is overruled by the tier model only with specific Pro
// evidence: a weak mathematical word at half weight in a coding task is not.
// (MT-Bench question 122's second turn: the model gives it P(Pro) 0.93.)
TEST(Router, AWeakMathWordInACodingTaskDoesNotLetTheModelOverruleIt) {
  const Router router = default_router();
  auto d = router.route(
      ask("Now we define a sequence of numbers in which each number is the sum of the three preceding ones. The "
          "first three numbers are 0, -1, -1. Write a program to find the nth number."),
      {"", "", true});
  ASSERT_TRUE(d.ok());
  EXPECT_GT(d->p_pro, 0.8);
  EXPECT_EQ(d->category, Category::kCodingModerate);
  EXPECT_EQ(d->tier, Tier::kFlash);
  EXPECT_EQ(d->reason, "coding_moderate: cue \"write a program\" (code_task)");
}

// Words that name a kind of work count only where that work is asked for:
// analysis words with quantities to analyse, long forms in a request to write.
TEST(Router, AnalysisWordsNeedQuantitiesAndLongFormsNeedARequestToWrite) {
  const Router router = default_router();
  auto decide = [&](const std::string& body) { return route_ok(router, body); };
  EXPECT_NE(decide(ask("If you overtake the last runner in a race, where are you?")).category,
            Category::kMultiStepReasoning);
  Decision d = decide(
      ask("Revenue is 10M and grows 20% a year; costs are 8M and grow 30% a year. In which year do costs overtake "
          "revenue?"));
  EXPECT_EQ(d.category, Category::kMultiStepReasoning);
  EXPECT_EQ(d.tier, Tier::kPro);
  EXPECT_NE(decide(ask("He bought 5 copies of a novel at $20 each. What did he spend?")).category,
            Category::kLongCoherentOutput);
  d = decide(ask("Write a novel in twenty chapters about a lighthouse keeper."));
  EXPECT_EQ(d.category, Category::kLongCoherentOutput);
  EXPECT_EQ(d.tier, Tier::kPro);
}

// An everyday request ("give me a", "put together", "necesito") asks for a text
// when it names a long length or the whole of it; otherwise a long form named
// in it is something to list, read or recommend (check batch 17).
TEST(Router, AnEverydayRequestAsksForALongTextOnlyWithALengthOrTheWholeOfIt) {
  const Router router = default_router();
  auto decide = [&](const std::string& body) { return route_ok(router, body); };
  Decision d = decide(ask("Give me a complete screenplay for a feature film about a heist, with all the dialogue."));
  EXPECT_EQ(d.category, Category::kLongCoherentOutput);
  EXPECT_EQ(d.tier, Tier::kPro);
  // 20,000 palabras at 150 tokens per 100 words: 30,000 tokens asked for.
  d = decide(ask("Necesito una novela corta de unas 20.000 palabras sobre una familia en Buenos Aires."));
  EXPECT_EQ(d.category, Category::kLongCoherentOutput);
  EXPECT_EQ(d.reason, "long_coherent_output: asks for about 30000 output tokens, cue \"novel\" (long_form)");
  // 10 episodes at 5,000 tokens each.
  d = decide(ask("Put together a whole season of scripts for my 10-episode podcast."));
  EXPECT_EQ(d.category, Category::kLongCoherentOutput);
  EXPECT_EQ(d.reason, "long_coherent_output: asks for about 50000 output tokens, cue \"whole season\" (long_form)");
  for (const char* flash :
       {"Give me a list of 5 classic novels to read this summer", "Quiero leer una novela corta, ¿qué me recomiendas?",
        "I want a recommendation for a textbook on thermodynamics", "Give me the complete list of Dickens novels",
        "I want a complete list of the episodes of season 3",
        "give me a one-paragraph synopsis of each episode of season 1"}) {
    d = decide(ask(flash));
    EXPECT_EQ(d.tier, Tier::kFlash) << flash << ": " << d.reason;
  }
}

// Cues from check batch 17: a certificate is no proof, a table asked for is a
// format, and memory growth or a production-only slowdown is a runtime fault.
TEST(Router, BatchSeventeenCues) {
  const Router router = default_router();
  auto decide = [&](const std::string& body) { return route_ok(router, body); };
  CueHits h;
  CueScanner::builtin().scan("保証を受けるには購入証明書が必要です。", h);
  EXPECT_EQ(h[Signal::kProof], 0);
  CueHits h2;
  CueScanner::builtin().scan("√2が無理数であることを証明せよ。", h2);
  EXPECT_EQ(h2[Signal::kProof], 2);  // two cues of the lexicon: "を証明" and "証明せよ"
  Decision d = decide(ask("Hazme una tabla en markdown con estos planes: Básico 9,90 €/mes, Plus 15 €/mes."));
  EXPECT_EQ(d.category, Category::kStructuredContent);
  EXPECT_EQ(d.reason, "structured_content: cue \"una tabla\" (extract)");
  // JSON-escaped: a fenced block of 3 code lines.
  const std::string code = R"(\n```python\nasync def get(id):\n    async with pool.acquire() as c:\n)"
                           R"(        return await c.fetchrow('SELECT 1')\n```\n)";
  d = decide(ask("本番環境だけで、ときどき遅くなります。同時接続は200くらいです。" + code));
  EXPECT_EQ(d.category, Category::kCodebaseDebugging);
  EXPECT_EQ(d.tier, Tier::kPro);
  d = decide(ask("Our service's memory grows until it OOMs every 9 hours. What's leaking?" + code));
  EXPECT_EQ(d.category, Category::kCodebaseDebugging);
}

// One "Context:" passage counts as RAG when the system prompt says to answer from it.
TEST(Router, APassageTheSystemPromptPointsToIsRag) {
  const Router router = default_router();
  const std::string body =
      R"({"model":"auto","messages":[{"role":"system","content":"Answer strictly from the provided context."},)"
      R"({"role":"user","content":"Context:\nThe reset button is under the router.\n\nQuestion: where is the reset button?"}]})";
  auto d = router.route(body);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->category, Category::kRag);
  EXPECT_EQ(d->tier, Tier::kFlash);
  EXPECT_NE(d->reason.find("a passage the system prompt points to"), std::string::npos) << d->reason;
  // Without the system prompt's pointer the same text is a plain question.
  auto q =
      router.route(ask("Context:\\nThe reset button is under the router.\\n\\nQuestion: where is the reset button?"));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->category, Category::kStraightforwardQa);
}

TEST(Router, AParsedRequestGetsTheSameDecisionAsItsBody) {
  const Router router = default_router();
  simdjson::dom::parser parser;
  for (const std::string& body : {ask("Prove that there are infinitely many primes."),
                                  ask("Translate 'hello' into German."), std::string(R"({"model":"auto"})")}) {
    simdjson::dom::element root;
    ASSERT_FALSE(parser.parse(body).get(root)) << body;
    const Decision a = router.route_or_default(body),
                   b = router.route_or_default(wire::ChatView(root, wire::Protocol::kOpenAi));
    EXPECT_EQ(b.tier, a.tier) << body;
    EXPECT_EQ(b.category, a.category) << body;
    EXPECT_EQ(b.reason, a.reason) << body;
    EXPECT_EQ(b.input_tokens, a.input_tokens) << body;
  }
  // Worked out by hand: a proof is Pro; no messages is the default tier, Flash.
  simdjson::dom::element root;
  ASSERT_FALSE(parser.parse(ask("Prove that there are infinitely many primes.")).get(root));
  EXPECT_EQ(router.route_or_default(wire::ChatView(root, wire::Protocol::kOpenAi)).tier, Tier::kPro);
  ASSERT_FALSE(parser.parse(std::string(R"({"model":"auto"})")).get(root));
  EXPECT_EQ(router.route_or_default(wire::ChatView(root, wire::Protocol::kOpenAi)).reason,
            "request not understood (the request has no `messages` array), default tier");
}

TEST(Router, LengthAloneDoesNotDecideButTheContextThresholdDoes) {
  Router r = default_router();
  // 300,000 ASCII characters -> 90,000 estimated tokens: under the 100K threshold.
  std::string text(300000, 'a');
  for (std::size_t i = 7; i < text.size(); i += 8) text[i] = ' ';
  auto d = r.route(ask("Summarize this:\\n" + text));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->tier, Tier::kFlash) << d->reason;
  EXPECT_EQ(d->category, Category::kSummarization);
  // 400,000 characters -> 120,000 tokens: Pro, and the reason says why.
  std::string more(400000, 'a');
  for (std::size_t i = 7; i < more.size(); i += 8) more[i] = ' ';
  d = r.route(ask("Summarize this:\\n" + more));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->tier, Tier::kPro);
  EXPECT_EQ(d->category, Category::kSummarization);
  EXPECT_EQ(d->input_tokens, 120005);  // (16 + 400000) * 0.3 = 120004.8, rounded up
  EXPECT_EQ(d->reason.rfind("input of 120005 tokens is over the 100000-token context threshold (summarization: ", 0),
            0u)
      << d->reason;
  EXPECT_FALSE(d->cascade);  // Pro answers are not cascaded
}

// ---------------------------------------------------------------- policy

TEST(Policy, EmbeddedMatchesTheRule) {
  auto p = Policy::embedded();
  ASSERT_TRUE(p.ok()) << p.error().message;
  for (std::size_t i = 0; i < kCategoryCount; ++i) {
    auto c = static_cast<Category>(i);
    EXPECT_EQ(p->categories[i].tier, natural_tier(c)) << category_name(c);
  }
  EXPECT_EQ(p->context_threshold_tokens, 100000);
  EXPECT_EQ(p->categories[static_cast<std::size_t>(Category::kTranslation)].effort, "low");
}

TEST(Policy, OverridesInOrder) {
  auto p = Policy::parse(R"(
min_confidence = 0.3
[models]
pro = "deepseek-v4-pro"
[category.translation]
tier = "pro"
model = "deepseek-v4-pro-special"
effort = "max"
[key.batch]
tier = "flash"
)",
                         "test.toml");
  ASSERT_TRUE(p.ok()) << p.error().message;
  Router r(*p, std::make_shared<tokenizer::RatioEstimator>());
  const std::string body = ask("Translate into French: good morning");
  auto d = r.route(body);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->tier, Tier::kPro);
  EXPECT_EQ(d->model, "deepseek-v4-pro-special");
  EXPECT_EQ(d->effort, "max");
  // The key's tier wins over the category; its model is the tier's.
  d = r.route(body, {"batch", ""});
  EXPECT_EQ(d->tier, Tier::kFlash);
  EXPECT_EQ(d->model, "deepseek-v4-flash");
  EXPECT_TRUE(d->cascade);
  EXPECT_EQ(d->reason.rfind("key batch is set to flash (translation: ", 0), 0u) << d->reason;
  // The header wins over the key.
  d = r.route(body, {"batch", "pro"});
  EXPECT_EQ(d->tier, Tier::kPro);
  EXPECT_EQ(d->reason.rfind("header x-flashfirst-tier: pro (translation: ", 0), 0u) << d->reason;
}

TEST(Policy, LowConfidenceTakesTheDefaultTier) {
  auto p = Policy::parse("default_tier = \"pro\"\nmin_confidence = 0.99\n", "t.toml");
  ASSERT_TRUE(p.ok());
  Router r(*p, std::make_shared<tokenizer::RatioEstimator>());
  auto d = r.route(ask("hello there"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->tier, Tier::kPro);
  EXPECT_EQ(d->category, Category::kStraightforwardQa);
  EXPECT_EQ(d->reason.rfind("confidence ", 0), 0u) << d->reason;
}

// The tier model moves a problem the rules read as a plain question to Pro,
// saying so; model_threshold = 0 turns it off.
TEST(Policy, TheTierModelCanBeTurnedOff) {
  const std::string snail =
      ask("A snail climbs a 20 m well: 5 m up each day, 4 m down each night. On which day does it get out?");
  auto on = default_router().route(snail);
  ASSERT_TRUE(on.ok());
  EXPECT_EQ(on->tier, Tier::kPro);
  EXPECT_EQ(on->reason.rfind("multi_step_reasoning: tier model: Pro at ", 0), 0u) << on->reason;
  EXPECT_NE(on->reason.find("the rules said straightforward_qa"), std::string::npos) << on->reason;
  auto p = Policy::parse("model_threshold = 0\n", "t.toml");
  ASSERT_TRUE(p.ok());
  auto off = Router(*p, std::make_shared<tokenizer::RatioEstimator>()).route(snail);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->tier, Tier::kFlash);
  EXPECT_EQ(off->category, Category::kStraightforwardQa);
}

TEST(Policy, BadFilesNameLineAndField) {
  auto err = [](const std::string& text) {
    auto p = Policy::parse(text, "p.toml");
    return p.ok() ? std::string("ok") : p.error().message;
  };
  EXPECT_EQ(err("min_confidence = 2"), "p.toml:1: min_confidence: must be a number from 0 to 1");
  EXPECT_EQ(err("model_threshold = \"high\""), "p.toml:1: model_threshold: must be a number from 0 to 1");
  EXPECT_EQ(err("\n[category.poetry]\ntier = \"pro\""),
            "p.toml:2: category.poetry: unknown category (the router's categories are summarization, translation, "
            "classification, straightforward_qa, rag, structured_content, coding_moderate, multi_step_reasoning, "
            "codebase_debugging, agent_tool_chaining, long_coherent_output)");
  EXPECT_EQ(err("[category.rag]\ntier = \"medium\""), "p.toml:2: category.rag.tier: must be \"flash\" or \"pro\"");
  EXPECT_EQ(err("[category.rag]\nefort = \"low\""),
            "p.toml:2: category.rag.efort: unknown field (expected tier, model, effort, cascade, buffer_streams)");
  EXPECT_EQ(err("[category.rag]\nbuffer_streams = 1"), "p.toml:2: category.rag.buffer_streams: must be true or false");
  EXPECT_EQ(err("context_threshold_tokens = -5"),
            "p.toml:1: context_threshold_tokens: must be a whole number from 1 to 1000000000");
  EXPECT_EQ(err("[key.a]\n"), "p.toml:1: key.a.tier: missing");
}

TEST(Policy, BufferedStreamsFollowTheCascade) {
  // Summaries: Flash with the cascade, so streams are buffered; proofs: Pro, no
  // cascade, so the flag has nothing to do.
  auto p = Policy::parse(
      "[category.summarization]\nbuffer_streams = true\n[category.multi_step_reasoning]\nbuffer_streams = true",
      "p.toml");
  ASSERT_TRUE(p.ok()) << p.error().message;
  Router r(*p, std::make_shared<ff::tokenizer::RatioEstimator>());
  auto summary = r.route(R"({"messages":[{"role":"user","content":"Summarize this: the meeting moved to Friday."}]})");
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->category, Category::kSummarization);
  EXPECT_TRUE(summary->buffer_streams);
  auto proof = r.route(R"({"messages":[{"role":"user","content":"Prove that there are infinitely many primes."}]})");
  ASSERT_TRUE(proof.ok());
  EXPECT_EQ(proof->tier, Tier::kPro);
  EXPECT_FALSE(proof->buffer_streams);
  // Not asked for: off.
  EXPECT_FALSE(default_router()
                   .route(R"({"messages":[{"role":"user","content":"Summarize this: it rained."}]})")
                   ->buffer_streams);
}

TEST(Router, UnreadableRequestGetsTheDefaultTier) {
  Router r = default_router();
  Decision d = r.route_or_default("\xff\xfe not json");
  EXPECT_EQ(d.tier, Tier::kFlash);
  EXPECT_EQ(d.model, "deepseek-v4-flash");
  EXPECT_EQ(d.confidence, 0);
  EXPECT_EQ(d.reason.rfind("request not understood (the request is not valid JSON: ", 0), 0u) << d.reason;
}

// ---------------------------------------------------------------- evaluation

TEST(RouteEvaluation, Arithmetic) {
  RouteEvaluation ev;
  ev.add("a", Category::kRag, Tier::kFlash, Category::kRag, Tier::kFlash, "");
  ev.add("b", Category::kMultiStepReasoning, Tier::kPro, Category::kStraightforwardQa, Tier::kFlash, "r");
  ev.add("c", Category::kMultiStepReasoning, Tier::kPro, Category::kCodebaseDebugging, Tier::kPro, "");
  ev.add("d", Category::kSummarization, Tier::kFlash, Category::kLongCoherentOutput, Tier::kPro, "");
  EXPECT_EQ(ev.total(), 4);
  EXPECT_EQ(ev.tier_correct(), 2);      // a, c
  EXPECT_EQ(ev.category_correct(), 1);  // a
  EXPECT_EQ(ev.pro_expected(), 2);      // b, c
  EXPECT_EQ(ev.pro_recalled(), 1);      // c
  EXPECT_EQ(ev.pro_routed(), 2);        // c, d
  EXPECT_EQ(ev.confusion()[static_cast<std::size_t>(Category::kMultiStepReasoning)]
                          [static_cast<std::size_t>(Category::kStraightforwardQa)],
            1);
  ASSERT_EQ(ev.tier_misses().size(), 2u);
  EXPECT_EQ(ev.tier_misses()[0].id, "b");
  EXPECT_EQ(ev.tier_misses()[1].id, "d");
  EXPECT_EQ(ev.per_category()[static_cast<std::size_t>(Category::kMultiStepReasoning)].tier_correct, 1);
}

}  // namespace
}  // namespace ff::router

namespace ff::router {
namespace {

// The tier model's word features must be the trainer's, byte for byte (numbers
// and function words, "and" and "不是"'s "是" among them, make none). A model
// without a `chars` line reads words alone; the expected indices come from
// tools/router/train_model.py's features(..., chars=False) on the same requests:
//   /usr/bin/python3 -c 'import sys; sys.path.insert(0, "tools/router"); import train_model as t;
//       print(t.features({"messages": [{"role": "user", "content": "..."}]}, chars=False))'
TEST(TierModel, FeaturesMatchTheTrainer) {
  const auto words = TierModel::parse("buckets 262144\n");
  ASSERT_TRUE(words.ok());
  const TierModel& m = *words;
  EXPECT_EQ(m.features(Texts{"How many ways? Étude 12, x_1 and 3.5!"}, 0, false),
            (std::vector<std::uint32_t>{49298, 53510, 57431, 78450, 136322, 147197, 169147, 191265, 210426, 246007}));
  // CJK characters make features in pairs only ("证明", "倍数"), not one by one.
  EXPECT_EQ(m.features(Texts{"请证明：n²+1 不是 3 的倍数？"}, 0, false),
            (std::vector<std::uint32_t>{10557, 53510, 57431, 123379, 147197, 169147, 169364, 191372, 222121}));
  EXPECT_EQ(m.features(Texts{"Book it"}, 4, false), (std::vector<std::uint32_t>{53075, 57431, 96115, 147197, 168712}));
  // Function words of German, Dutch and Indonesian ("wie", "ich", "alle", "hoe",
  // "dat", "saya", "tidak") make no feature; the trainer gives the same list.
  EXPECT_EQ(m.features(Texts{"Wie lösche ich alle leeren Ordner? Hoe werkt dat, saya tidak tahu."}, 0, false),
            (std::vector<std::uint32_t>{15818, 53510, 56922, 57431, 126065, 147197, 148938, 169147, 182295, 232830}));
}

// Character n-grams ("chars 3 5"): "Ab 12\tCD" reads as "ab # cd" (ASCII letters
// lower-cased, a run of digits one '#', a run of whitespace one space), seven
// characters: five 3-grams, four 4-grams and three 5-grams, each hashed with the
// prefix "c:". The trainer's features() lists those 12 beside the 6 word and
// structural ones; five of the 12 by FNV-1a directly, t.fnv1a(b"c:" + g) % 2**18:
// "ab " 124033, "b #" 1355, "# cd" 97756, "ab #" 229190, "ab # " 96850.
// "证明 n²" is five characters (a CJK character is one): 3 + 2 + 1 n-grams.
TEST(TierModel, CharacterNGramsMatchTheTrainer) {
  const auto both = TierModel::parse("buckets 262144\nchars 3 5\n");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->features(Texts{"Ab 12\tCD"}, 0, false),
            (std::vector<std::uint32_t>{1355, 3904, 34000, 35446, 53510, 57431, 79057, 96850, 97756, 113196, 124033,
                                        147197, 168712, 201017, 212207, 229190, 234403, 236413}));
  const auto words = TierModel::parse("buckets 262144\n");
  ASSERT_TRUE(words.ok());
  EXPECT_EQ(words->features(Texts{"Ab 12\tCD"}, 0, false),
            (std::vector<std::uint32_t>{53510, 57431, 147197, 168712, 201017, 236413}));
  std::vector<std::uint32_t> cjk = both->features(Texts{"证明 n²"}, 0, false);
  const std::vector<std::uint32_t> cjk_words = words->features(Texts{"证明 n²"}, 0, false);
  std::erase_if(cjk, [&](std::uint32_t i) { return std::binary_search(cjk_words.begin(), cjk_words.end(), i); });
  EXPECT_EQ(cjk, (std::vector<std::uint32_t>{31878, 139534, 154722, 168274, 186470, 198612}));
  // The shipped model reads 4-grams alone ("chars 4 4"): of "ab # cd", "ab #"
  // 229190, "b # " 79057, " # c" 3904 and "# cd" 97756 beside the six others.
  EXPECT_EQ(TierModel::builtin().features(Texts{"Ab 12\tCD"}, 0, false),
            (std::vector<std::uint32_t>{3904, 53510, 57431, 79057, 97756, 147197, 168712, 201017, 229190, 236413}));
  for (std::string_view bad : {"chars 0 5", "chars 3", "chars 5 3", "chars 3 9", "chars a 5"}) {
    EXPECT_EQ(TierModel::parse(fmt::format("buckets 4\n{}\n", bad)).error().message,
              "tier model line 2: expected \"chars LO HI\" with 1 <= LO <= HI <= 8")
        << bad;
  }
}

// A token tells when it is neither a number nor one of the trainer's
// FUNCTION_WORDS (tools/router/train_model.py), compared lower-cased (ASCII).
TEST(TierModel, FunctionWordsAndNumbersDoNotTell) {
  auto tells = [](std::string_view w) {
    std::vector<Token> toks;
    tokenize(w, toks);
    EXPECT_EQ(toks.size(), 1u) << w;
    return telling_token(w, toks.at(0));
  };
  // "Für" is "für" once its ASCII letters are lower-cased.
  for (std::string_view w : {"the", "THE", "Und", "without", "Für", "的", "2026", "wie", "Alle", "hoe", "saya", "için"})
    EXPECT_FALSE(tells(w)) << w;
  // "withouts" is longer than any function word; "x2" is not digits only.
  for (std::string_view w : {"Summarize", "thee", "th", "withouts", "x2", "证"}) EXPECT_TRUE(tells(w)) << w;
}

// P(Pro) from the shipped weights, as the trainer's formula gives it from the same
// file: scores 1.7401 and -6.1030 (raw sigmoids 0.850702 and 0.002231), calibrated
// by the file's `calibration 1.034469 -0.054321`: sigmoid(1.034469 z - 0.054321) =
// 0.85142 and 0.00171; and the terms that pushed toward Pro are named.
TEST(TierModel, ScoresWithTheShippedWeights) {
  const TierModel& m = TierModel::builtin();
  const TierScore hard = m.score(Texts{"How many trailing zeros does 200! have?"}, 0, false);
  EXPECT_NEAR(hard.pro, 0.85142, 1e-5);
  EXPECT_FALSE(hard.top_terms.empty());
  EXPECT_EQ(m.probability(Texts{"How many trailing zeros does 200! have?"}, 0, false), hard.pro);
  EXPECT_NEAR(m.score(Texts{"What is the capital of France?"}, 0, false).pro, 0.00171, 1e-5);
  EXPECT_EQ(m.probability(Texts{"What is the capital of France?"}, 0, false),
            m.score(Texts{"What is the capital of France?"}, 0, false).pro);
}

// Parts are joined by single spaces; a long instruction is read as its first
// and last 500 bytes, cut at character starts.
TEST(TierModel, InstructionWindows) {
  EXPECT_EQ(instruction_windows(Texts{"ab", "cd"}), (std::vector<std::string>{"ab cd"}));
  const std::string a(800, 'a'), b = "é" + std::string(497, 'b') + "é";  // 501 bytes
  const auto w = instruction_windows(Texts{a, b});                       // 1,302 bytes joined
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0], std::string(500, 'a'));
  // The last 500 bytes start at byte 802, the second byte of the first "é": the cut moves past it.
  EXPECT_EQ(w[1], std::string(497, 'b') + "é");
  EXPECT_FALSE(TierModel::parse("bias 1\n").ok());
  EXPECT_EQ(TierModel::parse("buckets 4\n9 1.0\n").error().message, "tier model line 2: bad index '9'");
  EXPECT_EQ(TierModel::parse("buckets 4\ncalibration 1\n").error().message,
            "tier model line 2: expected \"calibration A B\"");
  EXPECT_EQ(TierModel::parse("buckets 1e30\n").error().message,
            "tier model line 1: the bucket count must be a power of two up to 2^24");
  EXPECT_FALSE(TierModel::parse("buckets 6\n").ok());
}

}  // namespace
}  // namespace ff::router
