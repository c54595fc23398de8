// How far behind the ledger the dashboard's live events are: 20 chat requests
// through `serve --upstream sim`, and for each the time from its answer (the
// ledger row is committed before the answer's last byte) to the `ledger` event
// on GET /v1/flashfirst/events. The goal: at most 1 s.
//   node bench/dashboard_live.mjs [path/to/flashfirst]
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
const p = spawn(process.argv[2] ?? "build/release/flashfirst", ["serve", "--upstream", "sim", "--sim-speed", "0", "--listen", "127.0.0.1:0",
  "--ledger", join(mkdtempSync(join(tmpdir(), "ff-live-")), "ledger.db"), "--admin-key", "adm", "--access-log", "off", "--sim-quality", "off"], { stdio: ["ignore", "pipe", "ignore"] });
const url = await new Promise((r) => createInterface({ input: p.stdout }).once("line", (l) => r(l.split(" ").pop())));
const res = await fetch(url + "/v1/flashfirst/events", { headers: { authorization: "Bearer adm" } });
const reader = res.body.getReader();
let waiting = null;
(async () => { for (;;) { const { value, done } = await reader.read(); if (done) break; if (waiting && new TextDecoder().decode(value).includes("event: ledger")) { waiting(performance.now()); waiting = null; } } })();
await new Promise((r) => setTimeout(r, 500));
const lags = [];
for (let i = 0; i < 20; i++) {
  const got = new Promise((r) => { waiting = r; });
  await fetch(url + "/v1/chat/completions", { method: "POST", headers: { authorization: "Bearer k" },
    body: JSON.stringify({ model: "flash", messages: [{ role: "user", content: "hi " + i }] }) });
  const answered = performance.now();
  lags.push((await got) - answered);
  await new Promise((r) => setTimeout(r, 100 + Math.random() * 300));
}
lags.sort((a, b) => a - b);
console.log(`SSE event after the answer: min ${lags[0].toFixed(0)} ms, median ${lags[10].toFixed(0)} ms, max ${lags[19].toFixed(0)} ms (20 requests)`);
p.kill(); process.exit(0);
