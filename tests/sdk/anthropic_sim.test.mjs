// The official `@anthropic-ai/sdk` client against `flashfirst sim`'s Anthropic
// endpoint (base URL .../anthropic, as DeepSeek serves it).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { startSim } from "./sim_process.mjs";

let sim;
let client;

before(async () => {
  sim = await startSim("sk-ant");
  client = new Anthropic({ apiKey: "sk-ant", baseURL: `${sim.url}/anthropic`, maxRetries: 0 });
});

after(() => sim?.stop());

test("messages: thinking and text blocks, Anthropic usage", async () => {
  const m = await client.messages.create({
    model: "claude-sonnet-4-5", max_tokens: 512, system: "Be brief.",
    messages: [{ role: "user", content: "Hello!" }],
  });
  assert.equal(m.type, "message");
  assert.deepEqual(m.content.map((b) => b.type), ["thinking", "text"]);
  assert.equal(m.stop_reason, "end_turn");
  assert.ok(m.usage.input_tokens > 0 && m.usage.output_tokens > 0);
  assert.equal(m.usage.cache_read_input_tokens, 0);
});

test("streaming events assemble into the same shape", async () => {
  const stream = client.messages.stream({
    model: "claude-opus-4-1", max_tokens: 512, messages: [{ role: "user", content: "Stream it." }],
  });
  const events = [];
  stream.on("streamEvent", (e) => events.push(e.type));
  const final = await stream.finalMessage();
  assert.equal(events[0], "message_start");
  assert.equal(events.at(-1), "message_stop");
  assert.ok(events.includes("content_block_delta"));
  assert.equal(final.content.at(-1).type, "text");
  assert.ok(final.content.at(-1).text.length > 0);
  assert.ok(final.usage.output_tokens > 0);
});

test("tool use follows the tool's input schema", async () => {
  const m = await client.messages.create({
    model: "claude-haiku-4-5", max_tokens: 512, thinking: { type: "disabled" },
    tools: [{ name: "lookup", description: "Look up a word",
              input_schema: { type: "object", properties: { word: { type: "string" } }, required: ["word"] } }],
    tool_choice: { type: "tool", name: "lookup" },
    messages: [{ role: "user", content: "Define 'cache'." }],
  });
  const use = m.content.find((b) => b.type === "tool_use");
  assert.equal(m.stop_reason, "tool_use");
  assert.equal(use.name, "lookup");
  assert.equal(typeof use.input.word, "string");
});

test("errors in Anthropic's format", async () => {
  const bad = new Anthropic({ apiKey: "nope", baseURL: client.baseURL, maxRetries: 0 });
  await assert.rejects(bad.messages.create({ model: "claude-sonnet-4-5", max_tokens: 10,
                                             messages: [{ role: "user", content: "x" }] }),
                       (e) => e.status === 401 && e.error.error.type === "authentication_error");
});
