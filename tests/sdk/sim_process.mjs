// Starts `flashfirst sim` for an SDK test: resolves to { url, stop }.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export async function startSim(key) {
  const bin = process.env.FLASHFIRST ?? "build/release/flashfirst";
  // A Tuesday at 02:00 UTC (peak hours; deepseek-flash and deepseek-v4-pro served),
  // instant answers, and no drawn failures: these tests check the wire format.
  const sim = spawn(bin, ["sim", "--listen", "127.0.0.1:0", "--speed", "0", "--date", "2026-11-24T02:00:00Z",
                          "--key", key, "--quality", new URL("no_failures.toml", import.meta.url).pathname],
                    { stdio: ["ignore", "pipe", "inherit"] });
  const first = await new Promise((resolve, reject) => {
    createInterface({ input: sim.stdout }).once("line", resolve);
    sim.once("exit", (code) => reject(new Error(`sim exited with ${code}`)));
  });
  const m = /^listening on (http:\/\/[\d.]+:\d+)$/.exec(first);
  assert.ok(m, `unexpected first line: ${first}`);
  return { url: m[1], stop: () => sim.kill("SIGTERM") };
}
