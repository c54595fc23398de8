// Starts `flashfirst serve --upstream sim` for an SDK test: resolves to
// { url, ledger, stop }; stop() resolves once the gateway has exited and its
// ledger's folder is removed. Instant answers and no drawn failures: the tests check
// the gateway's wire behaviour (each forces the faults it needs).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export async function startGateway(key) {
  const bin = process.env.FLASHFIRST ?? "build/release/flashfirst";
  const dir = mkdtempSync(join(tmpdir(), "ff-gw-"));
  const ledger = join(dir, "ledger.db");
  const gw = spawn(bin, ["serve", "--upstream", "sim", "--sim-speed", "0", "--listen", "127.0.0.1:0", "--key", key,
                         "--ledger", ledger, "--sim-quality", new URL("no_failures.toml", import.meta.url).pathname],
                   { stdio: ["ignore", "pipe", "pipe"] });
  gw.stderr.resume();
  const first = await new Promise((resolve, reject) => {
    createInterface({ input: gw.stdout }).once("line", resolve);
    gw.once("exit", (code) => reject(new Error(`serve exited with ${code}`)));
  });
  const m = /^listening on (http:\/\/[\d.]+:\d+)$/.exec(first);
  assert.ok(m, `unexpected first line: ${first}`);
  const stop = () =>
    new Promise((resolve) => {
      const removed = () => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      };
      if (gw.exitCode !== null || gw.signalCode !== null) return removed();
      gw.once("exit", removed);
      gw.kill("SIGTERM");
    });
  return { url: m[1], ledger, stop };
}
