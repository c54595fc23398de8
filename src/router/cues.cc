// The router's lexicon: phrases that signal a kind of task, in English, Chinese,
// Japanese, Spanish, German and French. Lowercase (matching folds ASCII case);
// a trailing '$' means the cue must end at a word end. A phrase belongs here
// only if it points at a task kind on its own in ordinary requests; words
// that are common in every kind of prose ("write", "code") are not cues.
#include <string_view>
#include <vector>

#include "router/cue_scanner.h"

namespace ff::router {

namespace {

struct Entry {
  Signal signal;
  std::string_view text;
};

using S = Signal;

constexpr Entry kLexicon[] = {
    // --- summarization
    {S::kSummarize, "summarize"}, {S::kSummarize, "summarise"}, {S::kSummarize, "summary"},
    {S::kSummarize, "summaries"}, {S::kSummarize, "tl;dr"}, {S::kSummarize, "tldr"},
    {S::kSummarize, "key takeaways"}, {S::kSummarize, "main points"}, {S::kSummarize, "condense"},
    {S::kSummarize, "in a nutshell"}, {S::kSummarize, "recap"}, {S::kSummarize, "gist of"},
    {S::kSummarize, "总结"}, {S::kSummarize, "摘要"}, {S::kSummarize, "概括"}, {S::kSummarize, "归纳"},
    {S::kSummarize, "概述"}, {S::kSummarize, "總結"}, {S::kSummarize, "要約"}, {S::kSummarize, "要点をまとめ"},
    {S::kSummarize, "まとめて"}, {S::kSummarize, "まとめてください"}, {S::kSummarize, "簡潔にまとめ"},
    {S::kSummarize, "resume$"}, {S::kSummarize, "resumen"}, {S::kSummarize, "resumir"}, {S::kSummarize, "resúme"},
    {S::kSummarize, "resumi"}, {S::kSummarize, "zusammenfass"}, {S::kSummarize, "fasse "},
    {S::kSummarize, "fass "}, {S::kSummarize, "résumé"}, {S::kSummarize, "résume"}, {S::kSummarize, "résumer"},
    {S::kSummarize, "synthèse"}, {S::kSummarize, "synthétise"},
    {S::kSummarize, "shorten"}, {S::kSummarize, "boil this down"}, {S::kSummarize, "boil it down"},
    {S::kSummarize, "most important points"}, {S::kSummarize, "key points"}, {S::kSummarize, "one line"},
    {S::kSummarize, "提炼"}, {S::kSummarize, "核心观点"}, {S::kSummarize, "wichtigsten punkte"},
    {S::kSummarize, "puntos clave"}, {S::kSummarize, "points clés"},

    // --- translation
    {S::kTranslate, "translate"}, {S::kTranslate, "translation"}, {S::kTranslate, "into english"},
    {S::kTranslate, "into chinese"}, {S::kTranslate, "into japanese"}, {S::kTranslate, "into spanish"},
    {S::kTranslate, "into german"}, {S::kTranslate, "into french"}, {S::kTranslate, "into korean"},
    {S::kTranslate, "into portuguese"}, {S::kTranslate, "into italian"}, {S::kTranslate, "in english?"},
    {S::kTranslate, "翻译"}, {S::kTranslate, "翻譯"}, {S::kTranslate, "译成"}, {S::kTranslate, "译为"},
    {S::kTranslate, "翻訳"}, {S::kTranslate, "訳して"}, {S::kTranslate, "英訳"}, {S::kTranslate, "和訳"},
    {S::kTranslate, "tradu"}, {S::kTranslate, "übersetz"}, {S::kTranslate, "ubersetz"},
    {S::kTranslate, "auf deutsch"}, {S::kTranslate, "ins deutsche"}, {S::kTranslate, "ins englische"},
    {S::kTranslate, "al inglés"}, {S::kTranslate, "al español"}, {S::kTranslate, "en anglais"},
    {S::kTranslate, "en français"},
    {S::kTranslate, "how do you say"}, {S::kTranslate, "how would you say"}, {S::kTranslate, "native speaker say"},
    {S::kTranslate, "english version"}, {S::kTranslate, "put this into"}, {S::kTranslate, "in korean"},
    {S::kTranslate, "in japanese"}, {S::kTranslate, "in portuguese"}, {S::kTranslate, "cómo se dice"},
    {S::kTranslate, "en alemán"}, {S::kTranslate, "en inglés"}, {S::kTranslate, "wie sagt man"},
    {S::kTranslate, "auf englisch"}, {S::kTranslate, "comment dit-on"}, {S::kTranslate, "翻成"}, {S::kTranslate, "译"},
    {S::kTranslate, "英語で"}, {S::kTranslate, "日本語で"},

    // --- classification
    {S::kClassify, "classify"}, {S::kClassify, "classification"}, {S::kClassify, "categorize"},
    {S::kClassify, "categorise"}, {S::kClassify, "sentiment"}, {S::kClassify, "which category"},
    {S::kClassify, "what category"}, {S::kClassify, "label each"}, {S::kClassify, "label the"},
    {S::kClassify, "labels:"}, {S::kClassify, "positive, negative"}, {S::kClassify, "positive or negative"},
    {S::kClassify, "is this spam"}, {S::kClassify, "spam or"}, {S::kClassify, "tag each"},
    {S::kClassify, "intent of"}, {S::kClassify, "one of the following categories"}, {S::kClassify, "topic label"},
    {S::kClassify, "分类"}, {S::kClassify, "分類"}, {S::kClassify, "情感"}, {S::kClassify, "类别"},
    {S::kClassify, "カテゴリ"}, {S::kClassify, "感情分析"}, {S::kClassify, "ポジティブ"},
    {S::kClassify, "clasifica"}, {S::kClassify, "categoriza"}, {S::kClassify, "klassifizier"},
    {S::kClassify, "kategorisier"}, {S::kClassify, "ordne "}, {S::kClassify, "classe "},
    {S::kClassify, "classez"}, {S::kClassify, "classer"}, {S::kClassify, "catégoris"},

    // --- questions answered from supplied passages
    {S::kPassageRef, "based on the following"}, {S::kPassageRef, "based on the above"},
    {S::kPassageRef, "based on the provided"}, {S::kPassageRef, "based on the context"},
    {S::kPassageRef, "based only on"}, {S::kPassageRef, "using only the"}, {S::kPassageRef, "using the context"},
    {S::kPassageRef, "according to the passage"}, {S::kPassageRef, "according to the document"},
    {S::kPassageRef, "according to the context"}, {S::kPassageRef, "according to the text"},
    {S::kPassageRef, "according to the provided"}, {S::kPassageRef, "from the passages"},
    {S::kPassageRef, "from the documents"}, {S::kPassageRef, "the retrieved"}, {S::kPassageRef, "cite the"},
    {S::kPassageRef, "given the context"}, {S::kPassageRef, "given the documents"},
    {S::kPassageRef, "given the passages"}, {S::kPassageRef, "answer the question using"},
    {S::kPassageRef, "in the passages above"}, {S::kPassageRef, "which document"}, {S::kPassageRef, "which passage"},
    {S::kPassageRef, "根据以下"}, {S::kPassageRef, "根据上述"}, {S::kPassageRef, "根据上面"},
    {S::kPassageRef, "根据提供"}, {S::kPassageRef, "根据文档"}, {S::kPassageRef, "根据材料"},
    {S::kPassageRef, "以下の文書"}, {S::kPassageRef, "以下の資料"}, {S::kPassageRef, "に基づいて"},
    {S::kPassageRef, "参考資料"}, {S::kPassageRef, "según el texto"}, {S::kPassageRef, "según los documentos"},
    {S::kPassageRef, "según el contexto"}, {S::kPassageRef, "basándote en"}, {S::kPassageRef, "con base en"},
    {S::kPassageRef, "basierend auf"}, {S::kPassageRef, "anhand der"}, {S::kPassageRef, "laut dem"},
    {S::kPassageRef, "gemäß dem"}, {S::kPassageRef, "selon le texte"}, {S::kPassageRef, "selon les documents"},
    {S::kPassageRef, "d'après le"}, {S::kPassageRef, "en vous basant sur"}, {S::kPassageRef, "en te basant sur"},
    {S::kPassageRef, "à partir des documents"},

    // --- content with a clear structure
    {S::kStructured, "email"}, {S::kStructured, "e-mail"}, {S::kStructured, "cover letter"},
    {S::kStructured, "outline"}, {S::kStructured, "product description"}, {S::kStructured, "job description"},
    {S::kStructured, "press release"}, {S::kStructured, "meeting agenda"}, {S::kStructured, "agenda for"},
    {S::kStructured, "bullet points"}, {S::kStructured, "template"}, {S::kStructured, "memo$"},
    {S::kStructured, "newsletter"}, {S::kStructured, "linkedin post"}, {S::kStructured, "tweet"},
    {S::kStructured, "slogan"}, {S::kStructured, "headline"}, {S::kStructured, "faq"},
    {S::kStructured, "release notes"}, {S::kStructured, "changelog"}, {S::kStructured, "invitation"},
    {S::kStructured, "thank-you note"}, {S::kStructured, "thank you note"}, {S::kStructured, "letter to"},
    {S::kStructured, "draft a"}, {S::kStructured, "compose a"}, {S::kStructured, "rewrite"},
    {S::kStructured, "rephrase"}, {S::kStructured, "proofread"}, {S::kStructured, "polish"},
    {S::kStructured, "邮件"}, {S::kStructured, "郵件"}, {S::kStructured, "大纲"}, {S::kStructured, "提纲"},
    {S::kStructured, "产品描述"}, {S::kStructured, "文案"}, {S::kStructured, "改写"}, {S::kStructured, "润色"},
    {S::kStructured, "メール"}, {S::kStructured, "アウトライン"}, {S::kStructured, "商品説明"},
    {S::kStructured, "書き直"}, {S::kStructured, "correo"}, {S::kStructured, "carta de"},
    {S::kStructured, "esquema"}, {S::kStructured, "descripción del producto"}, {S::kStructured, "redacta"},
    {S::kStructured, "anschreiben"}, {S::kStructured, "gliederung"}, {S::kStructured, "produktbeschreibung"},
    {S::kStructured, "verfasse"}, {S::kStructured, "formuliere"}, {S::kStructured, "courriel"},
    {S::kStructured, "lettre de"}, {S::kStructured, "plan détaillé"}, {S::kStructured, "rédige"},
    {S::kStructured, "fiche produit"},

    // --- extraction into a structure
    {S::kExtract, "extract"}, {S::kExtract, "as json"}, {S::kExtract, "in json"}, {S::kExtract, "json object"},
    {S::kExtract, "json format"}, {S::kExtract, "into a table"}, {S::kExtract, "as a table"},
    {S::kExtract, "as csv"}, {S::kExtract, "into csv"}, {S::kExtract, "parse the following"},
    {S::kExtract, "fill in the fields"}, {S::kExtract, "key-value"}, {S::kExtract, "提取"}, {S::kExtract, "抽取"},
    {S::kExtract, "抽出"}, {S::kExtract, "extrae"}, {S::kExtract, "extrahier"}, {S::kExtract, "extrais"},
    {S::kExtract, "extraire"}, {S::kExtract, "extrayez"},

    // --- moderate coding
    {S::kCodeTask, "write a function"}, {S::kCodeTask, "write a python"}, {S::kCodeTask, "write a script"},
    {S::kCodeTask, "write a program"}, {S::kCodeTask, "write a sql"}, {S::kCodeTask, "sql query"},
    {S::kCodeTask, "regex"}, {S::kCodeTask, "regular expression"}, {S::kCodeTask, "implement"},
    {S::kCodeTask, "refactor"}, {S::kCodeTask, "unit test"}, {S::kCodeTask, "code review"},
    {S::kCodeTask, "this code"}, {S::kCodeTask, "this function"}, {S::kCodeTask, "this snippet"},
    {S::kCodeTask, "the following code"}, {S::kCodeTask, "add comments"}, {S::kCodeTask, "docstring"},
    {S::kCodeTask, "bash script"}, {S::kCodeTask, "shell command"}, {S::kCodeTask, "one-liner"},
    {S::kCodeTask, "in python"}, {S::kCodeTask, "in javascript"}, {S::kCodeTask, "in typescript"},
    {S::kCodeTask, "in java$"}, {S::kCodeTask, "in go$"}, {S::kCodeTask, "in rust"}, {S::kCodeTask, "in c++"},
    {S::kCodeTask, "in c#"}, {S::kCodeTask, "python function"}, {S::kCodeTask, "def "},
    {S::kCodeTask, "函数"}, {S::kCodeTask, "代码"}, {S::kCodeTask, "正则"}, {S::kCodeTask, "编写一个"},
    {S::kCodeTask, "関数"}, {S::kCodeTask, "コード"}, {S::kCodeTask, "正規表現"}, {S::kCodeTask, "実装"},
    {S::kCodeTask, "función"}, {S::kCodeTask, "código"}, {S::kCodeTask, "expresión regular"},
    {S::kCodeTask, "funktion"}, {S::kCodeTask, "regulären ausdruck"}, {S::kCodeTask, "skript"},
    {S::kCodeTask, "fonction"}, {S::kCodeTask, "expression régulière"}, {S::kCodeTask, "requête sql"},
    {S::kCodeTask, "consulta sql"},

    // --- debugging
    {S::kDebug, "debug"}, {S::kDebug, "bug"}, {S::kDebug, "fix this"}, {S::kDebug, "fix the"},
    {S::kDebug, "doesn't work"}, {S::kDebug, "does not work"}, {S::kDebug, "throws"}, {S::kDebug, "exception"},
    {S::kDebug, "crash"}, {S::kDebug, "stack trace"}, {S::kDebug, "traceback"}, {S::kDebug, "error:"},
    {S::kDebug, "segfault"}, {S::kDebug, "segmentation fault"}, {S::kDebug, "why does"}, {S::kDebug, "fails"},
    {S::kDebug, "报错"}, {S::kDebug, "调试"}, {S::kDebug, "错误"}, {S::kDebug, "崩溃"}, {S::kDebug, "エラー"},
    {S::kDebug, "バグ"}, {S::kDebug, "デバッグ"}, {S::kDebug, "error en"}, {S::kDebug, "depura"},
    {S::kDebug, "fehler"}, {S::kDebug, "stürzt"}, {S::kDebug, "erreur"}, {S::kDebug, "débogue"},
    {S::kDebug, "plante"},

    // --- proofs
    {S::kProof, "prove "}, {S::kProof, "prove that"}, {S::kProof, "proof$"}, {S::kProof, "proofs$"}, {S::kProof, "show that the"}, {S::kProof, "show that every"}, {S::kProof, "show that there"}, {S::kProof, "show that if"}, {S::kProof, "show that for"}, {S::kProof, "show that no"},
    {S::kProof, "by induction"},
    {S::kProof, "证明"}, {S::kProof, "證明"}, {S::kProof, "証明"}, {S::kProof, "demuestra"},
    {S::kProof, "demostrar"}, {S::kProof, "demuestre"}, {S::kProof, "beweise"}, {S::kProof, "beweis"},
    {S::kProof, "zeige, dass"}, {S::kProof, "zeigen sie, dass"}, {S::kProof, "démontre"},
    {S::kProof, "démontrer"}, {S::kProof, "montrer que"}, {S::kProof, "montrez que"},

    // --- competition-style mathematics
    {S::kCompetitionMath, "how many ways"}, {S::kCompetitionMath, "number of ways"},
    {S::kCompetitionMath, "positive integers"}, {S::kCompetitionMath, "positive integer"},
    {S::kCompetitionMath, "integer solutions"}, {S::kCompetitionMath, "ordered pairs"},
    {S::kCompetitionMath, "ordered triples"}, {S::kCompetitionMath, "real numbers"},
    {S::kCompetitionMath, "remainder when"}, {S::kCompetitionMath, "divisible by"},
    {S::kCompetitionMath, "prime factor"}, {S::kCompetitionMath, "the probability that"},
    {S::kCompetitionMath, "expected number"}, {S::kCompetitionMath, "expected value"},
    {S::kCompetitionMath, "combinatori"}, {S::kCompetitionMath, "permutations"},
    {S::kCompetitionMath, "arrangements"}, {S::kCompetitionMath, "distinct arrangements"},
    {S::kCompetitionMath, "subsets"}, {S::kCompetitionMath, "polynomial"}, {S::kCompetitionMath, "modulo"},
    {S::kCompetitionMath, "mod "}, {S::kCompetitionMath, "gcd"}, {S::kCompetitionMath, "lcm"},
    {S::kCompetitionMath, "find all"}, {S::kCompetitionMath, "minimum value"}, {S::kCompetitionMath, "maximum value"},
    {S::kCompetitionMath, "smallest positive"}, {S::kCompetitionMath, "largest possible"},
    {S::kCompetitionMath, "sequence defined"}, {S::kCompetitionMath, "recurrence"},
    {S::kCompetitionMath, "integral of"}, {S::kCompetitionMath, "lattice"}, {S::kCompetitionMath, "two dice"}, {S::kCompetitionMath, "fair die"},
    {S::kCompetitionMath, "triangle with"}, {S::kCompetitionMath, "circle of radius"},
    {S::kCompetitionMath, "inscribed"}, {S::kCompetitionMath, "olympiad"}, {S::kCompetitionMath, "aime"},
    {S::kCompetitionMath, "amc "}, {S::kCompetitionMath, "imo "},
    {S::kCompetitionMath, "有多少种"}, {S::kCompetitionMath, "多少种"}, {S::kCompetitionMath, "正整数"},
    {S::kCompetitionMath, "概率"}, {S::kCompetitionMath, "整除"}, {S::kCompetitionMath, "余数"},
    {S::kCompetitionMath, "排列"}, {S::kCompetitionMath, "组合数"}, {S::kCompetitionMath, "最小值"},
    {S::kCompetitionMath, "最大值"}, {S::kCompetitionMath, "何通り"}, {S::kCompetitionMath, "確率"},
    {S::kCompetitionMath, "正の整数"}, {S::kCompetitionMath, "割り切れ"}, {S::kCompetitionMath, "余り"},
    {S::kCompetitionMath, "cuántas maneras"}, {S::kCompetitionMath, "de cuántas formas"},
    {S::kCompetitionMath, "enteros positivos"}, {S::kCompetitionMath, "probabilidad de que"},
    {S::kCompetitionMath, "divisible entre"}, {S::kCompetitionMath, "wie viele möglichkeiten"},
    {S::kCompetitionMath, "positive ganze zahlen"}, {S::kCompetitionMath, "wahrscheinlichkeit"},
    {S::kCompetitionMath, "teilbar durch"}, {S::kCompetitionMath, "combien de façons"},
    {S::kCompetitionMath, "entiers positifs"}, {S::kCompetitionMath, "probabilité que"},
    {S::kCompetitionMath, "divisible par"},
    {S::kMathWeak, "smallest"}, {S::kMathWeak, "largest"}, {S::kMathWeak, "consecutive"}, {S::kMathWeak, "integers"},
    {S::kMathWeak, "factorial"}, {S::kMathWeak, "digits"}, {S::kMathWeak, "prime"}, {S::kMathWeak, "exactly"},
    {S::kMathWeak, "remainder"}, {S::kMathWeak, "sum of all"}, {S::kMathWeak, "product of"}, {S::kMathWeak, "in how many"},
    {S::kMathWeak, "round table"}, {S::kMathWeak, "next to each other"}, {S::kMathWeak, "sit next to"},
    {S::kMathWeak, "equation"}, {S::kMathWeak, "inequality"}, {S::kMathWeak, "sequence"}, {S::kMathWeak, "geometric"},
    {S::kMathWeak, "unique"}, {S::kMathWeak, "ends in"}, {S::kMathWeak, "zeros"}, {S::kMathWeak, "n!"},
    {S::kMathWeak, "余"}, {S::kMathWeak, "除以"}, {S::kMathWeak, "最小"}, {S::kMathWeak, "最大"}, {S::kMathWeak, "整数"},
    {S::kMathWeak, "最少"}, {S::kMathWeak, "連続"}, {S::kMathWeak, "割った"}, {S::kMathWeak, "consecutivos"},
    {S::kMathWeak, "el menor"}, {S::kMathWeak, "el mayor"}, {S::kMathWeak, "aufeinanderfolgende"},
    {S::kMathWeak, "kleinste"}, {S::kMathWeak, "größte"}, {S::kMathWeak, "consécutifs"}, {S::kMathWeak, "le plus petit"},
    {S::kMathWeak, "au bout de combien"}, {S::kMathWeak, "combien de jours"},
    {S::kJustify, "justify"}, {S::kJustify, "rigorous"}, {S::kJustify, "show your work"}, {S::kJustify, "show your reasoning"},
    {S::kJustify, "explain your reasoning"}, {S::kJustify, "give a proof"}, {S::kJustify, "reasoning process"},
    {S::kJustify, "推理过程"}, {S::kJustify, "推理"}, {S::kJustify, "解题过程"}, {S::kJustify, "理由"}, {S::kJustify, "考え方"},
    {S::kJustify, "justifica"}, {S::kJustify, "razona"}, {S::kJustify, "begründe"}, {S::kJustify, "justifiez"},
    {S::kJustify, "justifie"},

    // --- logic puzzles
    {S::kLogicPuzzle, "knights and knaves"}, {S::kMathWeak, "knight"}, {S::kMathWeak, "knave"},
    {S::kLogicPuzzle, "truth-teller"}, {S::kLogicPuzzle, "truth teller"}, {S::kLogicPuzzle, "always lies"},
    {S::kLogicPuzzle, "always tells the truth"}, {S::kMathWeak, "liar"}, {S::kMathWeak, "puzzle"},
    {S::kMathWeak, "riddle"}, {S::kLogicPuzzle, "who owns"}, {S::kLogicPuzzle, "who is lying"},
    {S::kLogicPuzzle, "logic grid"}, {S::kMathWeak, "deduce"}, {S::kLogicPuzzle, "each of the five"},
    {S::kLogicPuzzle, "each of the four"}, {S::kLogicPuzzle, "lives next to"}, {S::kLogicPuzzle, "sits next to"},
    {S::kMathWeak, "sudoku"}, {S::kLogicPuzzle, "sit in a row"}, {S::kLogicPuzzle, "sits immediately"},
    {S::kLogicPuzzle, "not next to"}, {S::kLogicPuzzle, "at either end"}, {S::kLogicPuzzle, "valid seating"},
    {S::kLogicPuzzle, "mislabel"}, {S::kLogicPuzzle, "label is wrong"}, {S::kLogicPuzzle, "labels are wrong"},
    {S::kLogicPuzzle, "balance scale"}, {S::kLogicPuzzle, "weighings"}, {S::kLogicPuzzle, "cross the river"},
    {S::kLogicPuzzle, "prisoners"},
    {S::kLogicPuzzle, "always tell the truth"}, {S::kLogicPuzzle, "always lie$"}, {S::kLogicPuzzle, "is lying"}, {S::kLogicPuzzle, "are lying"}, {S::kLogicPuzzle, "telling the truth"},
    {S::kLogicPuzzle, "tells the truth"}, {S::kLogicPuzzle, "both lying"}, {S::kLogicPuzzle, "dit la vérité"},
    {S::kLogicPuzzle, "dice la verdad"}, {S::kLogicPuzzle, "sagt die wahrheit"}, {S::kLogicPuzzle, "逻辑题"}, {S::kLogicPuzzle, "谜题"}, {S::kLogicPuzzle, "说谎"},
    {S::kLogicPuzzle, "说真话"}, {S::kLogicPuzzle, "推理题"}, {S::kLogicPuzzle, "パズル"},
    {S::kLogicPuzzle, "嘘つき"}, {S::kLogicPuzzle, "正直者"}, {S::kLogicPuzzle, "acertijo"},
    {S::kLogicPuzzle, "miente"}, {S::kLogicPuzzle, "mentiroso"}, {S::kLogicPuzzle, "rätsel"},
    {S::kLogicPuzzle, "lügt"}, {S::kLogicPuzzle, "lügner"}, {S::kLogicPuzzle, "énigme"},
    {S::kLogicPuzzle, "menteur"}, {S::kLogicPuzzle, "ment toujours"},

    // --- planning under constraints
    {S::kPlanning, "constraints"}, {S::kPlanning, "subject to"}, {S::kPlanning, "must not overlap"},
    {S::kPlanning, "cannot be scheduled"}, {S::kPlanning, "feasible schedule"}, {S::kPlanning, "optimal schedule"},
    {S::kPlanning, "optimal plan"}, {S::kPlanning, "minimize the total"}, {S::kPlanning, "maximize the total"},
    {S::kPlanning, "shortest route"}, {S::kPlanning, "allocate"}, {S::kPlanning, "no two"},
    {S::kPlanning, "at most one"}, {S::kPlanning, "must be before"}, {S::kPlanning, "must come before"},
    {S::kPlanning, "约束条件"}, {S::kPlanning, "最优"}, {S::kPlanning, "制約"}, {S::kPlanning, "最適"},
    {S::kPlanning, "restricciones"}, {S::kPlanning, "einschränkungen"}, {S::kPlanning, "nebenbedingungen"},
    {S::kPlanning, "contraintes"},
    {S::kPlanning, "dependencies"}, {S::kPlanning, "shortest possible"}, {S::kPlanning, "completion time"},
    {S::kPlanning, "which assignment"}, {S::kPlanning, "minimize"}, {S::kPlanning, "minimise"}, {S::kPlanning, "maximize"},
    {S::kPlanning, "maximise"}, {S::kPlanning, "optimal"}, {S::kPlanning, "scenarios"}, {S::kPlanning, "trade-off"},
    {S::kPlanning, "依赖"}, {S::kPlanning, "最短"}, {S::kPlanning, "依存関係"}, {S::kPlanning, "dependencias"},
    {S::kPlanning, "abhängigkeiten"}, {S::kPlanning, "dépendances"},

    // --- multi-hop quantitative analysis
    {S::kQuantAnalysis, "npv"}, {S::kQuantAnalysis, "net present value"}, {S::kQuantAnalysis, "irr$"},
    {S::kQuantAnalysis, "cagr"}, {S::kQuantAnalysis, "break-even"}, {S::kQuantAnalysis, "sensitivity analysis"},
    {S::kQuantAnalysis, "discounted cash flow"}, {S::kQuantAnalysis, "compound annual"},
    {S::kQuantAnalysis, "monte carlo"}, {S::kQuantAnalysis, "净现值"}, {S::kQuantAnalysis, "复合增长率"},
    {S::kQuantAnalysis, "正味現在価値"}, {S::kQuantAnalysis, "valor presente neto"},
    {S::kQuantAnalysis, "kapitalwert"}, {S::kQuantAnalysis, "valeur actuelle nette"},
    {S::kQuantAnalysis, "churn"}, {S::kQuantAnalysis, "recurring revenue"}, {S::kQuantAnalysis, "mrr"},
    {S::kQuantAnalysis, "payback period"}, {S::kQuantAnalysis, "unit economics"}, {S::kQuantAnalysis, "ltv"},
    {S::kQuantAnalysis, "amortization"}, {S::kQuantAnalysis, "compound interest"},

    // --- concurrency and cross-module bugs
    {S::kConcurrency, "race condition"}, {S::kConcurrency, "deadlock"}, {S::kConcurrency, "data race"},
    {S::kConcurrency, "intermittent"}, {S::kConcurrency, "intermittently"}, {S::kConcurrency, "flaky"},
    {S::kConcurrency, "thread-safe"}, {S::kConcurrency, "thread safety"}, {S::kConcurrency, "memory leak"},
    {S::kConcurrency, "heisenbug"}, {S::kConcurrency, "only under load"}, {S::kConcurrency, "concurrent"},
    {S::kConcurrency, "竞态"}, {S::kConcurrency, "死锁"}, {S::kConcurrency, "内存泄漏"}, {S::kConcurrency, "偶发"},
    {S::kConcurrency, "デッドロック"}, {S::kConcurrency, "競合状態"}, {S::kConcurrency, "メモリリーク"},
    {S::kConcurrency, "condición de carrera"}, {S::kConcurrency, "interbloqueo"},
    {S::kConcurrency, "sporadisch"}, {S::kConcurrency, "wettlaufsituation"},
    {S::kConcurrency, "condition de course"}, {S::kConcurrency, "interblocage"},
    {S::kIntermittent, "sometimes"}, {S::kIntermittent, "occasionally"}, {S::kIntermittent, "randomly"},
    {S::kIntermittent, "once every"}, {S::kIntermittent, "every few"}, {S::kIntermittent, "only when"},
    {S::kIntermittent, "only in production"}, {S::kIntermittent, "processed twice"}, {S::kIntermittent, "duplicates"},
    {S::kIntermittent, "rebalanc"}, {S::kIntermittent, "time out"}, {S::kIntermittent, "timeouts"},
    {S::kIntermittent, "偶尔"}, {S::kIntermittent, "有时"}, {S::kIntermittent, "時々"}, {S::kIntermittent, "断続的"},
    {S::kIntermittent, "たまに"}, {S::kIntermittent, "a veces"}, {S::kIntermittent, "de vez en cuando"},
    {S::kIntermittent, "manchmal"}, {S::kIntermittent, "gelegentlich"}, {S::kIntermittent, "parfois"},
    {S::kIntermittent, "de temps en temps"},

    {S::kCodebase, "across modules"}, {S::kCodebase, "across the codebase"}, {S::kCodebase, "our codebase"},
    {S::kCodebase, "the codebase"}, {S::kCodebase, "several files"}, {S::kCodebase, "multiple files"},
    {S::kCodebase, "microservice"}, {S::kCodebase, "call chain"}, {S::kCodebase, "root cause"},
    {S::kCodebase, "repository"}, {S::kCodebase, "monorepo"}, {S::kCodebase, "after upgrading"},
    {S::kCodebase, "in production"}, {S::kCodebase, "代码库"}, {S::kCodebase, "多个文件"}, {S::kCodebase, "根本原因"},
    {S::kCodebase, "コードベース"}, {S::kCodebase, "varios archivos"},
    {S::kCodebase, "causa raíz"}, {S::kCodebase, "mehrere dateien"}, {S::kCodebase, "ursache"},
    {S::kCodebase, "plusieurs fichiers"}, {S::kCodebase, "cause racine"},
    {S::kCodebase, "since last deploy"}, {S::kCodebase, "since the last deploy"}, {S::kCodebase, "after the upgrade"},
    {S::kCodebase, "after we upgraded"}, {S::kCodebase, "between services"}, {S::kCodebase, "services"},
    {S::kCodebase, "interact"}, {S::kCodebase, "what is going on"}, {S::kCodebase, "what's going on"},
    {S::kCodebase, "服务"}, {S::kCodebase, "升级"}, {S::kCodebase, "日志"}, {S::kCodebase, "サービス間"},
    {S::kCodebase, "アップグレード"}, {S::kCodebase, "servicios"}, {S::kCodebase, "dienste"},

    // --- several dependent actions
    {S::kAgentSteps, "and then"}, {S::kAgentSteps, "then use"}, {S::kAgentSteps, "after that"},
    {S::kAgentSteps, "for each"}, {S::kAgentSteps, "and finally"}, {S::kAgentSteps, "once you have"},
    {S::kAgentSteps, "then book"}, {S::kAgentSteps, "then send"}, {S::kAgentSteps, "then email"},
    {S::kAgentSteps, "然后"}, {S::kAgentSteps, "再把"}, {S::kAgentSteps, "最后"}, {S::kAgentSteps, "それから"},
    {S::kAgentSteps, "その後"}, {S::kAgentSteps, "luego"}, {S::kAgentSteps, "después"}, {S::kAgentSteps, "danach"},
    {S::kAgentSteps, "anschließend"}, {S::kAgentSteps, "ensuite"}, {S::kAgentSteps, "puis "},
    {S::kAgentSteps, "first,"}, {S::kAgentSteps, "finally"}, {S::kAgentSteps, "primero"}, {S::kAgentSteps, "al final"},
    {S::kAgentSteps, "zuerst"}, {S::kAgentSteps, "d'abord"}, {S::kAgentSteps, "首先"}, {S::kAgentSteps, "先"},
    {S::kAgentSteps, "まず"},
    {S::kAction, "get$"}, {S::kAction, "pull$"}, {S::kAction, "fetch"}, {S::kAction, "create$"}, {S::kAction, "post$"},
    {S::kAction, "send$"}, {S::kAction, "email$"}, {S::kAction, "compute$"}, {S::kAction, "generate$"},
    {S::kAction, "book$"}, {S::kAction, "check$"}, {S::kAction, "search$"}, {S::kAction, "update$"},
    {S::kAction, "delete$"}, {S::kAction, "refund$"}, {S::kAction, "transfer$"}, {S::kAction, "query$"},
    {S::kAction, "notify$"}, {S::kAction, "upload$"}, {S::kAction, "download$"}, {S::kAction, "run$"},
    {S::kAction, "deploy$"}, {S::kAction, "open$"}, {S::kAction, "close$"}, {S::kAction, "estimate$"},
    {S::kAction, "chart$"}, {S::kAction, "file a"}, {S::kAction, "schedule$"}, {S::kAction, "cancel$"},
    {S::kAction, "查询"}, {S::kAction, "查一下"}, {S::kAction, "发送"}, {S::kAction, "发一封"}, {S::kAction, "创建"},
    {S::kAction, "退款"}, {S::kAction, "预订"}, {S::kAction, "調べ"}, {S::kAction, "送信"}, {S::kAction, "返金"},
    {S::kAction, "予約"}, {S::kAction, "consulta"}, {S::kAction, "transfiere"}, {S::kAction, "envía"},
    {S::kAction, "reembolsa"}, {S::kAction, "busca"}, {S::kAction, "reserva"}, {S::kAction, "buche"},
    {S::kAction, "sende"}, {S::kAction, "erstelle"}, {S::kAction, "prüfe"}, {S::kAction, "cherche"},
    {S::kAction, "envoie"}, {S::kAction, "rembourse"}, {S::kAction, "réserve"}, {S::kAction, "crée"},

    // --- long, coherent output
    {S::kLongForm, "novel"}, {S::kLongForm, "novella"}, {S::kLongForm, "entire book"}, {S::kLongForm, "full book"},
    {S::kLongForm, "chapters"}, {S::kLongForm, "each chapter"}, {S::kLongForm, "full-length"},
    {S::kLongForm, "comprehensive report"}, {S::kLongForm, "complete specification"},
    {S::kLongForm, "design document"}, {S::kLongForm, "whitepaper"}, {S::kLongForm, "white paper"},
    {S::kLongForm, "thesis"}, {S::kLongForm, "screenplay"}, {S::kLongForm, "textbook"},
    {S::kLongForm, "小说"}, {S::kLongForm, "章节"}, {S::kLongForm, "长篇"}, {S::kLongForm, "全书"},
    {S::kLongForm, "小説"}, {S::kLongForm, "長編"}, {S::kLongForm, "章立て"}, {S::kLongForm, "capítulos"},
    {S::kLongForm, "kapitel"}, {S::kLongForm, "chapitres"}, {S::kLongForm, "roman$"},

    {S::kWriteVerb, "write"}, {S::kWriteVerb, "produce"}, {S::kWriteVerb, "draft"}, {S::kWriteVerb, "compose"},
    {S::kWriteVerb, "generate"}, {S::kWriteVerb, "create"}, {S::kWriteVerb, "i need"}, {S::kWriteVerb, "写"},
    {S::kWriteVerb, "撰写"}, {S::kWriteVerb, "書い"}, {S::kWriteVerb, "書く"}, {S::kWriteVerb, "作成"},
    {S::kWriteVerb, "escrib"}, {S::kWriteVerb, "redact"}, {S::kWriteVerb, "schreib"}, {S::kWriteVerb, "verfass"},
    {S::kWriteVerb, "écri"}, {S::kWriteVerb, "rédige"},
    {S::kLengthUnit, "word"}, {S::kLengthUnit, "page"}, {S::kLengthUnit, "token"}, {S::kLengthUnit, "chapter"},
    {S::kLengthUnit, "palabras"}, {S::kLengthUnit, "wörter"}, {S::kLengthUnit, "worte"}, {S::kLengthUnit, "mots"},
    {S::kLengthUnit, "字"}, {S::kLengthUnit, "页"}, {S::kLengthUnit, "ページ"}, {S::kLengthUnit, "章"},
    {S::kStepByStep, "step by step"}, {S::kStepByStep, "step-by-step"}, {S::kStepByStep, "think carefully"},
    {S::kStepByStep, "一步一步"}, {S::kStepByStep, "逐步"}, {S::kStepByStep, "ステップバイステップ"},
    {S::kStepByStep, "paso a paso"}, {S::kStepByStep, "schritt für schritt"}, {S::kStepByStep, "étape par étape"},

    {S::kQuestion, "what is"}, {S::kQuestion, "what are"}, {S::kQuestion, "what's"}, {S::kQuestion, "who "},
    {S::kQuestion, "when did"}, {S::kQuestion, "when was"}, {S::kQuestion, "where is"}, {S::kQuestion, "why is"},
    {S::kQuestion, "how does"}, {S::kQuestion, "how do"}, {S::kQuestion, "explain"}, {S::kQuestion, "define"},
    {S::kQuestion, "difference between"}, {S::kQuestion, "什么"}, {S::kQuestion, "为什么"},
    {S::kQuestion, "如何"}, {S::kQuestion, "とは"}, {S::kQuestion, "何ですか"}, {S::kQuestion, "なぜ"},
    {S::kQuestion, "qué es"}, {S::kQuestion, "cuál"}, {S::kQuestion, "por qué"}, {S::kQuestion, "was ist"},
    {S::kQuestion, "warum"}, {S::kQuestion, "wie funktioniert"}, {S::kQuestion, "qu'est-ce"},
    {S::kQuestion, "pourquoi"}, {S::kQuestion, "comment fonctionne"},

    {S::kCreative, "story"}, {S::kCreative, "poem"}, {S::kCreative, "blog post"}, {S::kCreative, "essay"},
    {S::kCreative, "lyrics"}, {S::kCreative, "limerick"}, {S::kCreative, "haiku"}, {S::kCreative, "故事"},
    {S::kCreative, "诗"}, {S::kCreative, "文章"}, {S::kCreative, "物語"}, {S::kCreative, "cuento"},
    {S::kCreative, "historia"}, {S::kCreative, "poema"}, {S::kCreative, "geschichte"}, {S::kCreative, "gedicht"},
    {S::kCreative, "aufsatz"}, {S::kCreative, "histoire"}, {S::kCreative, "poème"}, {S::kCreative, "rédaction"},

    // --- language hints (frequent function words)
    {S::kLangEs, "el "}, {S::kLangEs, "los "}, {S::kLangEs, "las "}, {S::kLangEs, "una "},
    {S::kLangEs, "para "}, {S::kLangEs, "por favor"}, {S::kLangEs, "qué"}, {S::kLangEs, "cómo"},
    {S::kLangDe, "der "}, {S::kLangDe, "die "}, {S::kLangDe, "und "}, {S::kLangDe, "nicht "},
    {S::kLangDe, "bitte"}, {S::kLangDe, "ist "}, {S::kLangDe, "ein "}, {S::kLangDe, "eine "},
    {S::kLangFr, "les "}, {S::kLangFr, "des "}, {S::kLangFr, "est "}, {S::kLangFr, "une "},
    {S::kLangFr, "pour "}, {S::kLangFr, "vous"}, {S::kLangFr, "s'il"}, {S::kLangFr, "avec "},
};

}  // namespace

const std::vector<CueScanner::Cue>& builtin_cues() {
  static const std::vector<CueScanner::Cue> cues = [] {
    std::vector<CueScanner::Cue> out;
    for (const Entry& e : kLexicon) {
      std::string_view t = e.text;
      bool end = !t.empty() && t.back() == '$';
      if (end) t.remove_suffix(1);
      out.push_back({t, e.signal, end});
    }
    return out;
  }();
  return cues;
}

}  // namespace ff::router
