// The dashboard in a real browser: Debian's chromium driven by playwright-core,
// against `flashfirst serve --upstream sim` on a fresh ledger. Screenshots go to
// $FF_UI_ARTIFACTS (default build/ui-screenshots).
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const bin = process.env.FLASHFIRST ?? "build/release/flashfirst";
const browserPath = process.env.FF_CHROMIUM ?? "/usr/bin/chromium";
const artifacts = process.env.FF_UI_ARTIFACTS ?? "build/ui-screenshots";
const axeSource = readFileSync(new URL("node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
const dir = mkdtempSync(join(tmpdir(), "ff-ui-"));
const ledger = join(dir, "ledger.db");
const ADMIN = "ui-admin-key", KEY_A = "ui-key-a", KEY_B = "ui-key-b";
mkdirSync(artifacts, { recursive: true });

let gw = null, url = null, browser = null;

// Exact decimals as BigInt femto-units (1e-15) and back.
const femto = (s) => { const [i, f = ""] = s.split("."); return BigInt(i + f.padEnd(15, "0")); };
const decimal = (n) => { const s = n.toString().padStart(16, "0"); return (s.slice(0, -15) + "." + s.slice(-15)).replace(/\.?0+$/, ""); };

async function serve(config) {
  const path = join(dir, "serve.toml");
  writeFileSync(path, config);
  const p = spawn(bin, ["serve", "--config", path], { stdio: ["ignore", "pipe", "pipe"] });
  const stderr = [];
  p.stderr.on("data", (d) => stderr.push(d));
  const first = await new Promise((resolve, reject) => {
    createInterface({ input: p.stdout }).once("line", resolve);
    p.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${Buffer.concat(stderr)}`)));
  });
  const m = /^listening on (http:\/\/[\d.]+:\d+)$/.exec(first);
  assert.ok(m, `unexpected first line: ${first}`);
  p.logText = () => Buffer.concat(stderr).toString();
  return { p, url: m[1] };
}
async function stop(p) {
  const exited = new Promise((r) => p.once("exit", r));
  p.kill("SIGTERM");
  await exited;
}

function config(teamABudget) {
  return `upstream = "sim"
sim_speed = 0
listen = "127.0.0.1:0"
ledger = "${ledger}"
access_log = "${join(dir, "access.log")}"
admin_keys = ["${ADMIN}"]
[[key]]
name = "team-a"
key = "${KEY_A}"
${teamABudget ? `budget_total = "${teamABudget}"` : ""}
[[key]]
name = "team-b"
key = "${KEY_B}"
`;
}

async function chat(key, content, extra = {}) {
  const res = await fetch(url + "/v1/chat/completions", {
    method: "POST",
    headers: { authorization: "Bearer " + key, "content-type": "application/json" },
    body: JSON.stringify({ model: "auto", max_tokens: 200, messages: [{ role: "user", content }], ...extra }),
  });
  const body = await res.text();
  assert.equal(res.status, 200, body);
  return res.headers.get("x-flashfirst-request-id");
}

function cost(...args) {
  return JSON.parse(execFileSync(bin, ["cost", "--ledger", ledger, "--json", "--no-progress", ...args], { encoding: "utf8" }));
}

before(async () => {
  // Some traffic first, then the gateway again with team-a's budget set so that
  // what it spent is 5/6 (83%) of it: the warning shows.
  let s = await serve(config(null));
  url = s.url;
  const prompts = ["Translate to German: the invoice is attached.", "Summarize: the meeting moved to Tuesday.",
    "Prove that there are infinitely many primes, step by step.", "Write a Python function that merges two sorted lists.",
    "Classify the sentiment: I love this phone.", "Extract the dates as JSON: we met on 3 May and 9 June."];
  for (const [i, p] of prompts.entries()) await chat(i % 2 ? KEY_B : KEY_A, p);
  await chat(KEY_A, "Return a JSON object with the fields name and age for: Ann, 31.", { response_format: { type: "json_object" } });
  await stop(s.p);
  const spentA = femto(cost("--key", "team-a").cost.actual);
  assert.ok(spentA > 0n);
  s = await serve(config(decimal((spentA * 6n) / 5n)));
  gw = s.p;
  url = s.url;
  browser = await chromium.launch({ executablePath: browserPath, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
});

after(async () => {
  if (browser) await browser.close();
  if (gw) {
    await stop(gw);
    // The keys are never in the log.
    const log = readFileSync(join(dir, "access.log"), "utf8") + gw.logText();
    for (const k of [ADMIN, KEY_A, KEY_B]) assert.ok(!log.includes(k), `key ${k} in the logs`);
  }
  rmSync(dir, { recursive: true, force: true });
});

// A page signed in with `key`, failing the test on any console error or failed request.
async function open(key, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url + "/ui/");
  await page.fill("#key-input", key);
  await page.click("#login-form button");
  await page.waitForSelector("#card-all .big");
  return { page, context, errors };
}

async function axe(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), [], `axe on ${name}`);
}

test("without a key the page asks for one and the API answers 401", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(url + "/ui/");
  assert.equal(await page.isVisible("#login"), true);
  assert.equal(await page.isVisible("#overview"), false);
  assert.deepEqual(errors, []);
  for (const path of ["spend", "requests", "budgets", "live", "events"]) {
    const res = await fetch(url + "/v1/flashfirst/" + path);
    assert.equal(res.status, 401, path);
  }
  await axe(page, "sign-in");
  await page.screenshot({ path: join(artifacts, "signin-1280x800.png") });
  await context.close();
});

test("the overview's figures equal `flashfirst cost --ledger --json`", async () => {
  const { page, context, errors } = await open(ADMIN);
  const report = cost();
  const exact = (sel) => page.getAttribute(sel, "data-exact");
  assert.equal(await exact("#card-all .big"), report.cost.actual);
  const subs = await page.$$eval("#card-all [data-exact]", (els) => els.map((e) => e.dataset.exact));
  // big, all-Pro, all-Flash, saved
  assert.deepEqual(subs, [report.cost.actual, report.cost.all_pro, report.cost.all_flash, report.cost.savings_vs_all_pro]);
  // Per key, as `cost --ledger --by key`.
  const byKey = cost("--by", "key").by_group;
  const rows = await page.$$eval("#by-key tbody tr", (trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[2].firstChild.dataset.exact]));
  assert.deepEqual(rows, byKey.map((g) => [g.key, g.cost]));
  assert.match(await page.textContent("#band"), /^(Peak|Off-peak|Flat)$/);
  await page.waitForSelector("#chart-spend svg rect");
  await axe(page, "overview");
  await page.screenshot({ path: join(artifacts, "overview-1280x800.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("a key at 80% of its budget shows the warning", async () => {
  const { page, context, errors } = await open(ADMIN);
  await page.waitForSelector("#budgets .budget-warning");
  const row = await page.textContent("#budgets tbody tr");
  assert.match(row, /team-a/);
  assert.match(row, /83\.3%/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a request sent through the gateway appears without a reload", async () => {
  const { page, context, errors } = await open(ADMIN);
  await page.click("#nav-requests");
  await page.waitForSelector("#request-table tbody tr.clickable");
  const rowsBefore = Number((await page.textContent("#request-table tbody")).length);
  const marker = await page.evaluate(() => { window.__notReloaded = true; return true; });
  assert.ok(marker);
  const id = await chat(KEY_B, "Translate to Spanish: see you tomorrow.");
  await page.waitForSelector(`#request-table tr[data-id="${id}"]`, { timeout: 5000 });
  assert.equal(await page.evaluate(() => window.__notReloaded), true);
  assert.ok(rowsBefore > 0);
  // The detail view of a call.
  await page.click(`#request-table tr[data-id="${id}"]`);
  await page.waitForSelector("#detail h2");
  assert.match(await page.textContent("#detail"), new RegExp(id));
  await axe(page, "requests");
  await page.screenshot({ path: join(artifacts, "requests-1280x800.png"), fullPage: true });
  await page.click("#nav-evals");
  await page.waitForSelector("#eval-list p");
  await axe(page, "evals");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a virtual key sees only its own data, in the page and the API", async () => {
  const { page, context, errors } = await open(KEY_B);
  const keys = await page.$$eval("#by-key tbody tr", (trs) => trs.map((tr) => tr.cells[0].textContent));
  assert.deepEqual(keys, ["team-b"]);
  assert.equal(await page.getAttribute("#card-all .big", "data-exact"), cost("--key", "team-b").cost.actual);
  await page.click("#nav-requests");
  await page.waitForSelector("#request-table tbody tr.clickable");
  const owners = await page.$$eval("#request-table tbody tr.clickable", (trs) => trs.map((tr) => tr.cells[1].textContent));
  assert.ok(owners.length > 0 && owners.every((k) => k === "team-b"), owners.join());
  assert.equal(await page.isVisible("#f-key"), false);
  const auth = { authorization: "Bearer " + KEY_B };
  assert.equal((await fetch(url + "/v1/flashfirst/spend?key=team-a", { headers: auth })).status, 403);
  assert.equal((await fetch(url + "/v1/flashfirst/requests?key=team-a", { headers: auth })).status, 403);
  const a = await (await fetch(url + "/v1/flashfirst/requests?key=team-a", { headers: { authorization: "Bearer " + ADMIN } })).json();
  assert.ok(a.requests.length > 0);
  assert.equal((await fetch(url + "/v1/flashfirst/requests/" + a.requests[0].id, { headers: auth })).status, 404);
  const budgets = await (await fetch(url + "/v1/flashfirst/budgets", { headers: auth })).json();
  assert.deepEqual(budgets.keys.map((k) => k.key), ["team-b"]);
  // The key is in no URL the page asked for.
  assert.equal(page.url().includes(KEY_B), false);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the layout holds at 1280x800 and 390x844", async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    const { page, context, errors } = await open(ADMIN, viewport);
    await page.waitForSelector("#chart-spend svg");
    // Nothing wider than the window: tables scroll inside their panels.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${viewport.width}px: the page is ${overflow}px wider than the window`);
    // The headline figure is on the first screen.
    const box = await page.locator("#card-all .big").boundingBox();
    assert.ok(box && box.y + box.height <= viewport.height * 2, `headline at y=${box && box.y}`);
    const today = await page.locator("#card-today .big").boundingBox();
    assert.ok(today && today.y + today.height <= viewport.height, `today's spend at y=${today && today.y}`);
    await page.screenshot({ path: join(artifacts, `overview-${viewport.width}x${viewport.height}.png`) });
    assert.deepEqual(errors, []);
    await context.close();
  }
});
