// Builds the tokenizer exactness corpus: about 12 MB of varied text in files of
// ~256 KB, deterministic for a given seed. Sources: the public data sets in
// ../shared/data/public (English prose and Q&A, Python code) when present, the
// project's own source tree (C++, CMake, shell, JavaScript), and generated text
// for what those lack: Chinese, Japanese, Korean, Arabic, Cyrillic, Greek, Hebrew,
// Devanagari and Thai (with combining marks), emoji with ZWJ sequences, flags and
// keycaps, long whitespace and digit runs, URLs, JSON, base64, and random bytes
// (invalid UTF-8 included), plus a file that writes added tokens into the text.
//   node tools/tokenizer/make_corpus.mjs OUT_DIR [--mb 12] [--seed 1]
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const args = process.argv.slice(2);
const outDir = args[0];
if (!outDir) {
  console.error("usage: make_corpus.mjs OUT_DIR [--mb N] [--seed N]");
  process.exit(2);
}
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const totalBytes = opt("--mb", 12) * 1e6;
let state = BigInt(opt("--seed", 1));
function rand() {
  // splitmix64
  state = (state + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  let z = state;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  return Number((z ^ (z >> 31n)) & 0xffffffffn) / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const fromRange = (lo, hi) => String.fromCodePoint(int(lo, hi));

const FILE_BYTES = 256 * 1024;
mkdirSync(outDir, { recursive: true });
let fileNo = 0;
let written = 0;
function emit(kind, makeChunk) {
  // Fills one file from makeChunk() (a string or a Buffer) up to FILE_BYTES.
  const parts = [];
  let size = 0;
  while (size < FILE_BYTES) {
    const c = makeChunk();
    const b = Buffer.isBuffer(c) ? c : Buffer.from(c, "utf8");
    parts.push(b);
    size += b.length;
  }
  const name = `${String(fileNo++).padStart(3, "0")}-${kind}.txt`;
  writeFileSync(join(outDir, name), Buffer.concat(parts));
  written += size;
}

// Real text from the shared public data, when it is there.
const shared = join(root, "..", "shared", "data", "public");
const english = [];
const code = [];
if (existsSync(shared)) {
  for (const line of readFileSync(join(shared, "gsm8k", "test.jsonl"), "utf8").split("\n")) {
    if (line) {
      const r = JSON.parse(line);
      english.push(r.question + "\n" + r.answer + "\n\n");
    }
  }
  for (const line of readFileSync(join(shared, "routellm", "mt_bench_question.jsonl"), "utf8").split("\n")) {
    if (line) english.push(JSON.parse(line).turns.join("\n\n") + "\n\n");
  }
  const mmlu = join(shared, "routellm", "mmlu");
  for (const f of readdirSync(mmlu).sort().slice(0, 20)) english.push(readFileSync(join(mmlu, f), "utf8"));
  for (const line of gunzipSync(readFileSync(join(shared, "humaneval", "HumanEval.jsonl.gz"))).toString("utf8").split("\n")) {
    if (line) {
      const r = JSON.parse(line);
      code.push(r.prompt + r.canonical_solution + "\n" + r.test + "\n");
    }
  }
}
function walk(dir, exts, out) {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (e === "node_modules" || e === "build" || e.startsWith(".")) continue;
    const st = statSync(p);
    if (st.isDirectory()) walk(p, exts, out);
    else if (exts.some((x) => e.endsWith(x)) && st.size < 200000) out.push(readFileSync(p, "utf8"));
  }
}
walk(join(root, "src"), [".cc", ".h"], code);
walk(join(root, "tests"), [".cc", ".sh"], code);
walk(join(root, "tools"), [".mjs"], code);
code.push(readFileSync(join(root, "CMakeLists.txt"), "utf8"));
english.push(readFileSync(join(root, "README.md"), "utf8"));

const sentences = {
  zh: ["今天天气很好，我们去公园散步吧。", "深度学习模型需要大量的数据和计算资源。", "请把这份报告翻译成英文，并总结要点。",
       "他说：“明天上午九点开会，不要迟到！”", "价格从每百万词元0.28美元降到了0.14美元。", "机器学习（ML）是人工智能的一个分支。"],
  ja: ["今日はとても良い天気ですね。", "このプログラムはメモリを大量に使用します。", "東京タワーの高さは３３３メートルです。",
       "「ありがとうございました」と彼女は言った。", "カタカナとひらがなを混ぜて書きます：テスト、てすと。"],
  ko: ["안녕하세요, 만나서 반갑습니다.", "이 모델은 한국어도 잘 이해합니다.", "서울의 인구는 약 천만 명입니다."],
  ar: ["مرحبا بالعالم، كيف حالك اليوم؟", "تعلم الآلة هو فرع من فروع الذكاء الاصطناعي.", "السعر ١٢٣٫٤٥ دولار."],
  ru: ["Привет, мир! Как дела?", "Машинное обучение — это раздел искусственного интеллекта.", "Цена: 1 234,56 ₽."],
  el: ["Γειά σου κόσμε! Η τεχνητή νοημοσύνη είναι εδώ.", "Ο λόγος είναι 12,43× υψηλότερος."],
  he: ["שלום עולם, מה שלומך?", "למידת מכונה היא תחום מרתק."],
  hi: ["नमस्ते दुनिया, आप कैसे हैं?", "मशीन लर्निंग कृत्रिम बुद्धिमत्ता की एक शाखा है।"],
  th: ["สวัสดีชาวโลก วันนี้อากาศดีมาก", "การเรียนรู้ของเครื่องเป็นสาขาหนึ่งของปัญญาประดิษฐ์"],
  es: ["¿Dónde está la biblioteca? ¡Está allí!", "El niño comió piña y jalapeños en el año 2024."],
  de: ["Größere Modelle sind nicht immer besser: Überprüfen Sie die Qualität.", "Straße, Maß und Fußgänger."],
  fr: ["L'élève a dû répondre à la question « pourquoi ? » en français.", "Ça coûte 12,50 € — c'est très cher !"],
};
const emoji = ["😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇨🇳", "🇺🇸", "1️⃣", "❤️", "🧑🏿‍💻", "👩‍❤️‍💋‍👨", "🐉", "✨", "🤖", "™", "©️", "#️⃣", "🫠", "🏴‍☠️"];
const spaces = [" ", "  ", "\t", "\n", "\r\n", "\n\n", " \n ", "\u00a0", "\u3000", "\u2003", "\u200b", "\u200d", "\ufeff", "\u2028", "\v", "\f"];

function mixed() {
  const lang = pick(Object.keys(sentences));
  let s = pick(sentences[lang]);
  const r = rand();
  if (r < 0.15) s += pick(emoji);
  if (r > 0.85) s += pick(spaces);
  return s + pick([" ", "\n", "", " ", "\n\n"]);
}
function cjkNoise() {
  const ranges = [[0x4e00, 0x9fa5], [0x9fa6, 0x9fff], [0x3400, 0x4dbf], [0x20000, 0x2a6df], [0x3040, 0x309f], [0x30a0, 0x30ff], [0xac00, 0xd7a3], [0xff01, 0xff5e], [0x3000, 0x303f]];
  let s = "";
  const n = int(1, 40);
  for (let i = 0; i < n; ++i) s += fromRange(...pick(ranges));
  return s + pick(["。", "，", "！", "\n", " ", "", "1", "２３"]);
}
function marks() {
  const bases = ["a", "e", "o", "ก", "क", "ب", "Z", " ", "1", "\n", "ア"];
  let s = pick(bases);
  const n = int(0, 8);
  for (let i = 0; i < n; ++i) s += fromRange(0x0300, 0x036f);
  if (rand() < 0.3) s += fromRange(0x0e31, 0x0e3a) + fromRange(0x0e47, 0x0e4e);
  if (rand() < 0.3) s += fromRange(0x093e, 0x094d);
  return s + (rand() < 0.5 ? " " : "");
}
function digits() {
  const kinds = [
    () => String(int(0, 1e9)) + String(int(0, 1e9)),
    () => String(int(0, 99999)) + "." + String(int(0, 9999)),
    () => "0".repeat(int(1, 40)),
    () => "١٢٣٤٥٦٧٨٩٠".slice(0, int(1, 10)),
    () => "１２３４５６７８９０".slice(0, int(1, 10)),
    () => "²³¹½¼¾ⅫⅣ⑤㊿",
    () => "v" + int(0, 9) + "." + int(0, 99) + "." + int(0, 999),
    () => "$" + int(0, 1e6).toLocaleString("en-US") + ".00",
    () => "+86 " + int(100, 999) + "-" + int(1000, 9999) + "-" + int(1000, 9999),
    () => int(1900, 2100) + "-" + String(int(1, 12)).padStart(2, "0") + "-" + String(int(1, 28)).padStart(2, "0") + "T12:00:00Z",
  ];
  return pick(kinds)() + pick([" ", "\n", ", ", "", "x", "元", "%"]);
}
function whitespace() {
  let s = "";
  const n = int(1, 6);
  for (let i = 0; i < n; ++i) {
    const w = pick(spaces);
    s += rand() < 0.1 ? w.repeat(int(10, 1200)) : w;
    s += pick(["word", "x", ".", "中文", "", "(", "1", "é", "\u0301"]);
  }
  return s;
}
function urls() {
  const host = pick(["example.com", "api.deepseek.com", "xn--fiqs8s.cn", "localhost:8080", "127.0.0.1", "例子.测试"]);
  const kinds = [
    () => `https://${host}/v1/chat/completions?model=deepseek-v4-pro&stream=true#frag`,
    () => `mailto:user.name+tag@${host}`,
    () => `/usr/local/lib/python3.11/site-packages/${pick(["a", "b_c", "d-e"])}/__init__.py:${int(1, 999)}`,
    () => JSON.stringify({ id: int(0, 1e6), text: mixed(), ok: rand() < 0.5, nested: { arr: [1, 2.5, null, "x\u0000y"] } }),
    () => Buffer.from(Array.from({ length: int(10, 300) }, () => int(0, 255))).toString("base64"),
    () => Array.from({ length: int(4, 64) }, () => int(0, 255).toString(16).padStart(2, "0")).join(""),
    () => `C:\\Users\\Admin\\Documents\\report_${int(1, 99)}.docx`,
  ];
  return pick(kinds)() + pick(["\n", " ", "\r\n"]);
}
function randomBytes() {
  const n = int(1, 400);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; ++i) {
    const r = rand();
    // Mostly lead/continuation bytes and controls, so that decoding has work to do.
    b[i] = r < 0.3 ? int(0x80, 0xbf) : r < 0.5 ? int(0xc0, 0xff) : r < 0.6 ? int(0, 31) : int(0, 255);
  }
  return b;
}
function specials() {
  const toks = ["<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>", "<｜tool▁calls▁begin｜>",
                "<｜tool▁sep｜>", "<｜place▁holder▁no▁7｜>", "<｜place▁holder▁no▁71｜>", "<think>", "<｜fim▁hole｜>", "<｜"];
  return pick(toks) + mixed();
}
function source() {
  return pick(code);
}
function prose() {
  return pick(english);
}

const plan = [
  ["english", prose, 10], ["code", source, 8], ["mixed", mixed, 8], ["cjk", cjkNoise, 3], ["marks", marks, 2],
  ["digits", digits, 2], ["whitespace", whitespace, 3], ["urls", urls, 2], ["emoji", () => pick(emoji) + pick(["", " ", "a", "\u200d"]), 1],
  ["random", randomBytes, 3], ["special", specials, 1],
];
if (english.length === 0) plan[0][1] = mixed;
while (written < totalBytes) {
  for (const [kind, fn, files] of plan) {
    for (let i = 0; i < files && written < totalBytes; ++i) emit(kind, fn);
  }
}
console.log(`${fileNo} files, ${(written / 1e6).toFixed(1)} MB in ${outDir}`);
